import { HttpBackend, provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { formPost, getRequest, send } from '../core/http-exchange';
import { httpBackendPort } from './http-port';

function setup() {
  TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
  return { port: httpBackendPort(TestBed.inject(HttpBackend)), mock: TestBed.inject(HttpTestingController) };
}

describe('httpBackendPort', () => {
  it('sends a form POST with its headers and hands back status, headers and text', async () => {
    const { port, mock } = setup();
    const answer = port(formPost('https://op.example.test/token', new URLSearchParams({ grant_type: 'refresh_token' })));
    const req = mock.expectOne('https://op.example.test/token');
    expect(req.request.method).toBe('POST');
    expect(req.request.body).toBe('grant_type=refresh_token');
    expect(req.request.headers.get('Content-Type')).toBe('application/x-www-form-urlencoded');
    req.flush('{"access_token":"a"}', { headers: { 'Cache-Control': 'no-store' } });
    await expect(answer).resolves.toEqual({ status: 200, headers: { 'cache-control': 'no-store' }, body: '{"access_token":"a"}' });
  });

  it('resolves for error statuses, so the core can read OAuth errors and HTML pages', async () => {
    const { port, mock } = setup();
    const oauth = port(getRequest('https://op.example.test/a'));
    mock.expectOne('https://op.example.test/a').flush('{"error":"invalid_grant"}', { status: 400, statusText: 'Bad Request' });
    await expect(oauth).resolves.toMatchObject({ status: 400, body: '{"error":"invalid_grant"}' });
    const html = port(getRequest('https://op.example.test/b'));
    mock.expectOne('https://op.example.test/b').flush('<html>oops</html>', { status: 500, statusText: 'Error' });
    await expect(html).resolves.toMatchObject({ status: 500, body: '<html>oops</html>' });
  });

  it('rejects when no answer came, which the core reports as NETWORK_ERROR', async () => {
    const { port, mock } = setup();
    const answer = send(port, getRequest('https://op.example.test/down'));
    mock.expectOne('https://op.example.test/down').error(new ProgressEvent('error'));
    await expect(answer).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
  });

  it('cancels the request when its signal aborts (the session timeout), and passes keepalive on', async () => {
    const { port, mock } = setup();
    const controller = new AbortController();
    const answer = port({ ...formPost('https://op.example.test/revoke', new URLSearchParams({ token: 't' })), signal: controller.signal, keepalive: true });
    const req = mock.expectOne('https://op.example.test/revoke');
    expect(req.request.keepalive).toBe(true);
    controller.abort();
    await expect(answer).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    expect(req.cancelled).toBe(true);
  });
});
