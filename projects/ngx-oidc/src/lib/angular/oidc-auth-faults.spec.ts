import { TestBed } from '@angular/core/testing';
import { BroadcastChannel as NodeBroadcastChannel } from 'node:worker_threads';
import { firstValueFrom } from 'rxjs';
import type { OidcHttpResponse } from '../core/http';
import { APP, API, nextEvent, setLocation, setupAuth, signIn } from '../../test/angular-harness';
import { deferred } from '../../test/helpers';
import type { AuthEvent } from './events';
import type { AuthStatus } from './oidc-auth';
import { withCheckAuthOnStartup, withSilentRenewIframe } from './provide-auth';
import { AUTH_RANDOM } from './tokens';

afterEach(() => {
  jest.useRealTimers();
});

const UNAVAILABLE: OidcHttpResponse = { status: 503, headers: { 'content-type': 'text/html' }, body: '<html>maintenance</html>' };

function record(h: { auth: { events$: { subscribe(fn: (e: AuthEvent) => void): unknown } } }): AuthEvent[] {
  const events: AuthEvent[] = [];
  h.auth.events$.subscribe((e) => events.push(e));
  return events;
}

/** The token endpoint cannot be reached from now on (every fetch fails, as offline), and a renewal has met it: the session waits to retry. */
async function renewalWaitingOffline(h: Awaited<ReturnType<typeof setupAuth>>): Promise<void> {
  h.op.override('token', () => Promise.reject(new TypeError('Failed to fetch')), true);
  await expect(h.auth.refresh()).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
  expect(h.auth.status()).toBe('retrying');
}

/** The harness with a fixed jitter, so the back-off delays are known: half of each doubling step. */
const withoutJitter = [{ provide: AUTH_RANDOM, useValue: () => 0 }];

describe('OidcAuth: renewal while the provider is down', () => {
  it('a two-minute 503 outage: bounded attempts by the renewal timer, session kept and retrying, then fresh tokens', async () => {
    const h = await setupAuth({ config: { silentRenew: true }, providers: withoutJitter });
    await signIn(h);
    const events = record(h);
    const statuses: AuthStatus[] = [];
    h.op.override('token', UNAVAILABLE);
    const before = h.op.count('token');
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    // The token is due at 270 s: move there, then through two minutes of outage, a second at a time.
    h.clock.now += 270;
    await h.auth.refresh().catch(() => undefined);
    for (let second = 0; second < 120; second++) {
      h.clock.now += 1;
      await jest.advanceTimersByTimeAsync(1000);
      statuses.push(h.auth.status());
    }
    const attempts = h.op.count('token') - before;
    // 2.5, 5, 10, 20, 40 s apart without jitter: the first and five retries fit in 120 s.
    expect(attempts).toBe(6);
    expect(h.auth.isAuthenticated()).toBe(true);
    expect(new Set(statuses)).toEqual(new Set(['retrying']));
    expect(events.filter((e) => e.type === 'RenewRetryScheduled')).toHaveLength(6);
    expect(events.some((e) => e.type === 'SessionEnded')).toBe(false);
    // The provider is back: the next scheduled attempt renews, the error clears, the back-off resets.
    h.op.clearOverrides();
    const old = h.auth.accessToken();
    const renewed = nextEvent(h.auth, 'TokenRenewed');
    for (let second = 0; second < 90 && h.auth.status() === 'retrying'; second++) {
      h.clock.now += 1;
      await jest.advanceTimersByTimeAsync(1000);
    }
    // The attempt has started; its ID token is checked with real WebCrypto, which the fake clock does not drive: joined.
    expect(h.auth.status()).not.toBe('retrying');
    await renewed;
    expect(h.auth.status()).toBe('authenticated');
    expect(h.auth.accessToken()).not.toBe(old);
    expect(h.auth.error()).toBeNull();
    expect(sessionStorage.getItem('ngx-oidc.default.renewal')).toBeNull();
  });

  it('honours Retry-After: no request before it, even when the browser comes back online', async () => {
    const h = await setupAuth({ config: { silentRenew: true }, providers: withoutJitter });
    await signIn(h);
    h.op.override('token', { ...UNAVAILABLE, headers: { 'retry-after': '60' } });
    h.clock.now += 280;
    await expect(h.auth.refresh()).rejects.toMatchObject({ cause: { retryAfter: 60 } });
    const count = h.op.count('token');
    window.dispatchEvent(new Event('online'));
    // The event starts a renewal at once; joining it, it ends without asking the provider.
    expect(h.auth.status()).toBe('renewing');
    await h.auth.renewIfDue().catch(() => undefined);
    expect(h.op.count('token')).toBe(count);
    expect(h.auth.status()).toBe('retrying');
  });

  it('retries at once when the browser comes back online or the tab becomes visible', async () => {
    const h = await setupAuth({ config: { silentRenew: true } });
    await signIn(h);
    await renewalWaitingOffline(h);
    // Each event starts the renewal at once (renewing); joining it, it succeeds.
    window.dispatchEvent(new Event('online'));
    expect(h.auth.status()).toBe('renewing');
    await h.auth.renewIfDue();
    expect(h.auth.status()).toBe('authenticated');
    await renewalWaitingOffline(h);
    document.dispatchEvent(new Event('visibilitychange'));
    expect(h.auth.status()).toBe('renewing');
    await h.auth.renewIfDue();
    expect(h.auth.status()).toBe('authenticated');
  });

  it('a new sign-in while a renewal waits after a failure ends the wait: the old retry time no longer fires', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const h = await setupAuth({ config: { silentRenew: true }, providers: withoutJitter });
    await signIn(h);
    await renewalWaitingOffline(h);
    await signIn(h);
    expect(h.auth.status()).toBe('authenticated');
    const events = record(h);
    // The wait was 2.5 s (no jitter): a minute later nothing has renewed, the new tokens are not due.
    h.clock.now += 60;
    await jest.advanceTimersByTimeAsync(60_000);
    expect(events.map((e) => e.type)).toEqual([]);
    expect(h.auth.status()).toBe('authenticated');
  });

  it('stops waking a waiting renewal once the service is destroyed', async () => {
    const h = await setupAuth({ config: { silentRenew: true } });
    await signIn(h);
    await renewalWaitingOffline(h);
    h.auth.ngOnDestroy();
    window.dispatchEvent(new Event('online'));
    document.dispatchEvent(new Event('visibilitychange'));
    // Nothing retried: a retry starts at once, in the event handler, and shows as renewing.
    expect(h.auth.status()).toBe('retrying');
  });

  it('shows renewing while a renewal runs, and clears an earlier error once a renewal succeeds', async () => {
    const h = await setupAuth();
    await signIn(h);
    h.op.override('token', () => Promise.reject(new TypeError('Failed to fetch')), true);
    await h.auth.refresh().catch(() => undefined);
    expect(h.auth.error()?.code).toBe('NETWORK_ERROR');
    h.clock.now += 10;
    const renewal = h.auth.refresh();
    await Promise.resolve();
    expect(h.auth.status()).toBe('renewing');
    await renewal;
    expect(h.auth.status()).toBe('authenticated');
    expect(h.auth.error()).toBeNull();
  });

  it('ends the session exactly once on a definitive failure, even with several callers', async () => {
    const h = await setupAuth();
    await signIn(h);
    const events = record(h);
    h.op.override('token', { status: 400, headers: {}, body: '{"error":"invalid_grant"}' });
    await Promise.allSettled([h.auth.refresh(), h.auth.refresh(), h.auth.refresh()]);
    await h.auth.refresh().catch(() => undefined);
    expect(events.filter((e) => e.type === 'SessionEnded')).toHaveLength(1);
    expect(h.auth.status()).toBe('unauthenticated');
  });
});

describe('OidcAuth: logout is local first', () => {
  it('with a revocation endpoint that never answers: signed out at once, no token sent, then the end-session redirect', async () => {
    const h = await setupAuth();
    await signIn(h);
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    h.op.override('revocation', () => new Promise(() => undefined));
    const done = h.auth.logout();
    await jest.advanceTimersByTimeAsync(0);
    expect(h.auth.isAuthenticated()).toBe(false);
    expect(h.auth.accessToken()).toBeNull();
    expect(sessionStorage.getItem('ngx-oidc.default.session')).toBeNull();
    expect(h.redirects.filter((u) => u.includes('/session/end'))).toHaveLength(0);
    // An API call made meanwhile goes without the token.
    const call = firstValueFrom(h.http.get(`${API}/orders`));
    await jest.advanceTimersByTimeAsync(0);
    const sent = h.httpMock.expectOne(`${API}/orders`);
    expect(sent.request.headers.has('Authorization')).toBe(false);
    sent.flush({});
    await call;
    await jest.advanceTimersByTimeAsync(3000);
    const result = await done;
    expect(result.errors.map((e) => e.code)).toEqual(['TIMEOUT', 'TIMEOUT']);
    expect(new URL(h.redirects.at(-1)!).searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
  });

  it('takes the end-session state off the address bar when the provider sends the browser back', async () => {
    const first = await setupAuth();
    await signIn(first);
    await first.auth.logout();
    const state = new URL(first.redirects.at(-1)!).searchParams.get('state')!;
    TestBed.resetTestingModule();
    setLocation(`/?state=${state}`);
    await setupAuth({ provider: first.op, now: first.clock.now });
    expect(window.location.search).toBe('');
    // A state this tab did not send stays where it is (it may be the app's own).
    TestBed.resetTestingModule();
    setLocation('/?state=not-ours');
    await setupAuth({ provider: first.op, now: first.clock.now });
    expect(window.location.search).toBe('?state=not-ours');
  });
});

describe('OidcAuth: storage and transactions', () => {
  it("finishes a login with storage: 'memory': the pending login waits in sessionStorage", async () => {
    const h = await setupAuth({ config: { storage: 'memory' } });
    await h.auth.login({ returnUrl: '/orders' });
    expect(Object.keys(sessionStorage).filter((k) => k.startsWith('ngx-oidc.default.tx.'))).toHaveLength(1);
    setLocation(await h.providerAnswer());
    await h.auth.checkAuth();
    expect(h.auth.isAuthenticated()).toBe(true);
    expect(sessionStorage.getItem('ngx-oidc.default.session')).toBeNull();
  });

  it('an app booted inside the silent-renew iframe runs no check, timer or renewal: it only answers its parent', async () => {
    const first = await setupAuth();
    await signIn(first);
    TestBed.resetTestingModule();
    setLocation('/silent-renew?code=abc&state=xyz');
    const framed = jest.spyOn(window, 'parent', 'get').mockReturnValue({ postMessage: () => undefined } as unknown as Window);
    try {
      first.clock.now += 400;
      const requests = first.op.requests.length;
      const h = await setupAuth({
        provider: first.op,
        now: first.clock.now,
        config: { silentRenew: true, silentRenewUrl: `${APP}/silent-renew` },
        features: [withCheckAuthOnStartup(), withSilentRenewIframe()],
      });
      expect(h.auth.ready()).toBe(true);
      expect(h.auth.isAuthenticated()).toBe(false);
      expect(first.op.requests.length).toBe(requests);
      // The pending transaction of the parent is untouched.
      expect(window.location.search).toBe('?code=abc&state=xyz');
    } finally {
      framed.mockRestore();
    }
  });
});

describe('authInterceptor: relative URLs', () => {
  it('resolves them against document.baseURI, as HttpClient does', async () => {
    const base = document.createElement('base');
    base.href = `${APP}/shop/`;
    document.head.appendChild(base);
    const h = await setupAuth({ config: { secureRoutes: [`${APP}/shop/api/`] } });
    await signIn(h);
    const call = firstValueFrom(h.http.get('api/orders'));
    const sent = h.httpMock.expectOne('api/orders');
    expect(sent.request.headers.get('Authorization')).toBe(`Bearer ${h.auth.accessToken()}`);
    sent.flush({});
    await call;
  });
});

describe('OidcAuth: expiry and other tabs', () => {
  const original = (globalThis as { BroadcastChannel?: unknown }).BroadcastChannel;
  beforeEach(() => ((globalThis as { BroadcastChannel?: unknown }).BroadcastChannel = NodeBroadcastChannel));
  afterEach(() => ((globalThis as { BroadcastChannel?: unknown }).BroadcastChannel = original));

  it('a renewal that finishes after the service is destroyed succeeds, and arms no timer and posts to no tab', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const h = await setupAuth({ config: { silentRenew: true } });
    await signIn(h);
    const renewal = h.auth.refresh();
    h.auth.ngOnDestroy();
    // A closed channel throws when posted to: the renewal would fail after storing its tokens.
    await expect(renewal).resolves.toMatchObject({ idTokenClaims: { sub: 'alice' } });
    const tokens = h.op.count('token');
    // No renewal timer: ten minutes on, the destroyed service has asked for nothing.
    h.clock.now += 600;
    await jest.advanceTimersByTimeAsync(600_000);
    expect(h.op.count('token')).toBe(tokens);
  });

  it('a non-renewable token expiring here ends this session only: no logout is broadcast to tabs with their own storage', async () => {
    const other = new NodeBroadcastChannel('ngx-oidc.default');
    const heard: unknown[] = [];
    const marker = deferred();
    other.onmessage = (e: unknown) => {
      heard.push((e as { data: unknown }).data);
      // The sign-in's message, then the test's marker (below).
      if (heard.filter((m) => (m as { type?: string }).type === 'session').length === 2) marker.resolve();
    };
    // Fake clock before sign-in, which sets the expiry timer.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const h = await setupAuth({ config: { scope: 'openid profile', useRefreshToken: false } });
    await signIn(h);
    const ended = nextEvent(h.auth, 'SessionEnded');
    // The 300 s lifetime runs out.
    h.clock.now += 300;
    await jest.advanceTimersByTimeAsync(300_000);
    await ended;
    // A message this tab posts now arrives after any it posted before: once it is heard, so is any logout.
    h.auth.channel!.post({ type: 'session' });
    await marker.promise;
    other.close();
    expect(h.auth.isAuthenticated()).toBe(false);
    expect(heard).not.toContainEqual({ type: 'logout' });
  });
});
