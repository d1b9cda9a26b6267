import { DOCUMENT } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { AUTH_CLOCK, AUTH_REDIRECT, AUTH_STORAGE, AUTH_FETCH } from './tokens';

describe('default seams', () => {
  it('sends the browser to a URL with location.assign', () => {
    const assigned: string[] = [];
    const fakeDocument = { location: { assign: (url: string) => assigned.push(url) } };
    TestBed.configureTestingModule({ providers: [{ provide: DOCUMENT, useValue: fakeDocument }] });
    TestBed.inject(AUTH_REDIRECT)('https://op.example.test/authorize?x=1');
    expect(assigned).toEqual(['https://op.example.test/authorize?x=1']);
  });

  it('reads the system clock in seconds and leaves storage and network to the config', () => {
    const before = Date.now() / 1000;
    const now = TestBed.inject(AUTH_CLOCK)();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThan(before + 60);
    expect(TestBed.inject(AUTH_STORAGE)).toBeNull();
    expect(TestBed.inject(AUTH_FETCH)).toBeNull();
  });
});
