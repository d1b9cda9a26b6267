import { Component, PLATFORM_ID, inject } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { BroadcastChannel as NodeBroadcastChannel } from 'node:worker_threads';
import type { AuthEvent } from './events';
import { OidcAuth } from './oidc-auth';
import { MemoryStorage } from '../core/storage';
import { withCheckAuthOnStartup, withStorage } from './provide-auth';
import { APP, nextEvent, setLocation, setupAuth, signIn } from '../../test/angular-harness';
import { deferred, useFakeClock } from '../../test/helpers';

/** Collects the events the service emits from now on. */
function record(auth: OidcAuth): AuthEvent['type'][] {
  const types: AuthEvent['type'][] = [];
  auth.events$.subscribe((e) => types.push(e.type));
  return types;
}

/** Moves the app's clock and jest's fake timers on by `seconds` together. */
async function elapse(h: { clock: { now: number } }, seconds: number): Promise<void> {
  h.clock.now += seconds;
  await jest.advanceTimersByTimeAsync(seconds * 1000);
}

describe('OidcAuth: start-up and login', () => {
  it('is ready and signed out when nothing is stored, without any provider request', async () => {
    const h = await setupAuth();
    expect(h.auth.ready()).toBe(true);
    expect(h.auth.isAuthenticated()).toBe(false);
    expect(h.auth.user()).toBeNull();
    expect(h.auth.accessToken()).toBeNull();
    expect(h.op.requests).toEqual([]);
  });

  it('logs in through the provider and finishes the callback in the start-up check', async () => {
    const h = await setupAuth();
    const events = record(h.auth);
    await h.auth.login({ returnUrl: '/orders' });
    expect(new URL(h.redirects[0]!).origin).toBe(h.op.issuer);
    setLocation(await h.providerAnswer());
    await expect(h.auth.checkAuth()).resolves.toBe(true);
    expect(h.auth.isAuthenticated()).toBe(true);
    expect(h.auth.user()?.sub).toBe('alice');
    expect(h.auth.accessToken()).toMatch(/^at-/);
    expect(h.auth.idToken()?.split('.')).toHaveLength(3);
    expect(events).toEqual(['LoginStarted', 'CheckAuthStarted', 'TokenReceived', 'CheckAuthFinished']);
    // The authorization response is gone from the address bar.
    expect(window.location.href).toBe(`${APP}/callback`);
  });

  it('restores a stored session at start-up with zero requests to the provider', async () => {
    const first = await setupAuth();
    await signIn(first);
    const requests = first.op.requests.length;
    TestBed.resetTestingModule();
    const second = await setupAuth({ provider: first.op });
    expect(second.auth.isAuthenticated()).toBe(true);
    expect(second.auth.user()?.sub).toBe('alice');
    expect(first.op.requests.length).toBe(requests);
  });

  it('renews an expiring stored session before the app starts', async () => {
    const first = await setupAuth();
    await signIn(first);
    TestBed.resetTestingModule();
    first.clock.now += 290;
    const second = await setupAuth({ provider: first.op, now: first.clock.now });
    expect(second.auth.isAuthenticated()).toBe(true);
    expect(first.op.count('token')).toBe(2);
    expect(second.auth.session()?.accessTokenExpiresAt).toBe(first.clock.now + 300);
  });

  it('reports a failed callback as an error, stays signed out, and emits it', async () => {
    const h = await setupAuth();
    const events = record(h.auth);
    await h.auth.login();
    setLocation(await h.providerAnswer({ deny: true }));
    await expect(h.auth.checkAuth()).resolves.toBe(false);
    expect(h.auth.error()).toMatchObject({ code: 'AUTHORIZATION_ERROR', oauthError: 'access_denied' });
    expect(h.auth.lastLoginFailed()).toBe(true);
    expect(events).toContain('Error');
    expect(h.auth.ready()).toBe(true);
  });

  it('keeps an existing session when a forged callback arrives', async () => {
    const h = await setupAuth();
    await signIn(h);
    const before = h.auth.accessToken();
    await h.auth.login();
    const forged = new URL(await h.providerAnswer());
    forged.searchParams.set('state', 'forged');
    await expect(h.auth.handleCallback(forged.toString())).rejects.toMatchObject({ code: 'STATE_MISMATCH' });
    expect(h.auth.accessToken()).toBe(before);
    expect(h.auth.lastLoginFailed()).toBe(false);
    expect(h.auth.error()?.code).toBe('STATE_MISMATCH');
  });

  it('treats a reload of the scrubbed callback page as no response, without reporting a failure', async () => {
    const h = await setupAuth();
    setLocation('/callback');
    await expect(h.auth.handleCallback()).rejects.toMatchObject({ code: 'CALLBACK_INVALID' });
    expect(h.auth.error()).toBeNull();
    expect(h.auth.lastLoginFailed()).toBe(false);
  });

  it('keeps an expired session whose renewal failed for now (provider down), retrying, and recovers', async () => {
    const first = await setupAuth();
    await signIn(first);
    TestBed.resetTestingModule();
    first.clock.now += 400;
    first.op.override('token', () => Promise.reject(new TypeError('Failed to fetch')), true);
    const second = await setupAuth({ provider: first.op, now: first.clock.now });
    expect(second.auth.isAuthenticated()).toBe(true);
    expect(second.auth.status()).toBe('retrying');
    expect(second.auth.error()?.code).toBe('NETWORK_ERROR');
    expect(second.auth.canRenew()).toBe(true);
    // Within the back-off nobody asks the provider; once it has passed, the renewal goes through.
    const tokenRequests = second.op.count('token');
    await expect(second.auth.refresh()).rejects.toMatchObject({ code: 'NETWORK_ERROR', cause: { deferred: true } });
    expect(second.op.count('token')).toBe(tokenRequests);
    second.clock.now += 10;
    await expect(second.auth.refresh()).resolves.toMatchObject({ idTokenClaims: { sub: 'alice' } });
    expect(second.auth.status()).toBe('authenticated');
    expect(second.auth.error()).toBeNull();
  });

  it('adds userinfo to the user when autoUserInfo is on, and on demand', async () => {
    const h = await setupAuth({ config: { autoUserInfo: true } });
    await signIn(h);
    expect(h.auth.user()).toMatchObject({ sub: 'alice', name: 'Alice Example', email: 'alice@example.test' });
    h.op.userInfoClaims = { name: 'Alice Renamed' };
    await h.auth.loadUserInfo();
    expect(h.auth.user()?.['name']).toBe('Alice Renamed');
  });

  it('exposes the state as observables too', async () => {
    const h = await setupAuth();
    const seen: boolean[] = [];
    h.auth.isAuthenticated$.subscribe((v) => seen.push(v));
    TestBed.tick();
    await signIn(h);
    TestBed.tick();
    expect(seen).toEqual([false, true]);
  });
});

describe('OidcAuth: renewal', () => {
  afterEach(() => jest.useRealTimers());

  it('shares one token request among concurrent refreshes', async () => {
    const h = await setupAuth();
    await signIn(h);
    const sessions = await Promise.all(Array.from({ length: 50 }, () => h.auth.refresh()));
    expect(h.op.count('token')).toBe(2);
    expect(new Set(sessions.map((s) => s.accessToken)).size).toBe(1);
    expect(h.auth.accessToken()).toBe(sessions[0]!.accessToken);
  });

  it('hands out a renewed token when the current one is expiring', async () => {
    const h = await setupAuth();
    await signIn(h);
    const old = h.auth.accessToken();
    expect(await h.auth.getValidAccessToken()).toBe(old);
    h.clock.now += 280;
    const fresh = await h.auth.getValidAccessToken();
    expect(fresh).not.toBe(old);
    expect(h.auth.accessToken()).toBe(fresh);
  });

  it('ends the session when the refresh token is refused, emitting RenewFailed, SessionEnded and Error', async () => {
    const h = await setupAuth();
    await signIn(h);
    const events = record(h.auth);
    h.op.override('token', { status: 400, body: '{"error":"invalid_grant"}' });
    await expect(h.auth.refresh()).rejects.toMatchObject({ code: 'TOKEN_ERROR' });
    expect(h.auth.isAuthenticated()).toBe(false);
    expect(h.auth.status()).toBe('unauthenticated');
    expect(events).toEqual(['RenewFailed', 'SessionEnded', 'Error']);
    h.clock.now += 400;
    expect(await h.auth.getValidAccessToken()).toBeNull();
  });

  it('cannot renew without a refresh token or silent renew', async () => {
    const h = await setupAuth({ config: { scope: 'openid profile', useRefreshToken: false } });
    await signIn(h);
    expect(h.auth.canRenew()).toBe(false);
    await expect(h.auth.refresh()).rejects.toMatchObject({ code: 'NO_REFRESH_TOKEN' });
    expect(h.auth.isAuthenticated()).toBe(true);
  });

  it('renews ahead of expiry on a timer with silentRenew, and clears the timer on logout', async () => {
    // Before sign-in, which sets the renewal timer.
    useFakeClock();
    const h = await setupAuth({ config: { silentRenew: true } });
    await signIn(h);
    const tokens = h.op.count('token');
    const renewed = nextEvent(h.auth, 'TokenRenewed');
    // Due 30 s (renewTimeBeforeTokenExpiresInSeconds) before the end of the 300 s lifetime.
    await elapse(h, 270);
    await renewed;
    expect(h.op.count('token')).toBe(tokens + 1);
    h.auth.logoutLocal();
    const events = record(h.auth);
    // Past the renewed token's own due time and expiry: no timer is left to act.
    await elapse(h, 300);
    expect(h.op.count('token')).toBe(tokens + 1);
    expect(events).toEqual([]);
  });

  it('ends a session that cannot be renewed when its access token expires', async () => {
    // Before sign-in, which sets the expiry timer.
    useFakeClock();
    const h = await setupAuth({ config: { scope: 'openid profile', useRefreshToken: false } });
    await signIn(h);
    const events = record(h.auth);
    const ended = nextEvent(h.auth, 'SessionEnded');
    // The 300 s lifetime runs out.
    await elapse(h, 300);
    await ended;
    expect(h.auth.isAuthenticated()).toBe(false);
    expect(events).toEqual(['SessionEnded']);
  });
});

describe('OidcAuth: logout', () => {
  it('revokes the tokens, forgets the session and sends the browser to end the provider session', async () => {
    const h = await setupAuth();
    await signIn(h);
    const { refreshToken, accessToken, idToken } = h.auth.session()!;
    const events = record(h.auth);
    await h.auth.logout();
    expect(h.op.revoked).toEqual([refreshToken, accessToken]);
    expect(h.auth.isAuthenticated()).toBe(false);
    const end = new URL(h.redirects.at(-1)!);
    expect(end.searchParams.get('id_token_hint')).toBe(idToken);
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${APP}/`);
    expect(events).toEqual(['LoggedOut']);
  });

  it('logs out locally even when revocation fails, emitting the errors', async () => {
    const h = await setupAuth();
    await signIn(h);
    const events = record(h.auth);
    h.op.override('revocation', { status: 500, body: '<html>down</html>' });
    await h.auth.logout();
    expect(h.auth.isAuthenticated()).toBe(false);
    expect(events).toEqual(['LoggedOut', 'Error', 'Error']);
  });

  it('logoutLocal asks nothing of the provider', async () => {
    const h = await setupAuth();
    await signIn(h);
    const requests = h.op.requests.length;
    h.auth.logoutLocal();
    expect(h.auth.isAuthenticated()).toBe(false);
    expect(h.op.requests.length).toBe(requests);
  });
});

describe('OidcAuth: other tabs', () => {
  const original = (globalThis as { BroadcastChannel?: unknown }).BroadcastChannel;
  beforeEach(() => ((globalThis as { BroadcastChannel?: unknown }).BroadcastChannel = NodeBroadcastChannel));
  afterEach(() => ((globalThis as { BroadcastChannel?: unknown }).BroadcastChannel = original));

  it('tells other tabs of a login and of a logout', async () => {
    const other = new NodeBroadcastChannel('ngx-oidc.default');
    const heard: unknown[] = [];
    const both = deferred();
    other.onmessage = (e: unknown) => {
      heard.push((e as { data: unknown }).data);
      if (heard.length === 2) both.resolve();
    };
    const h = await setupAuth();
    await signIn(h);
    h.auth.logoutLocal();
    await both.promise;
    other.close();
    expect(heard).toEqual([{ type: 'session' }, { type: 'logout' }]);
  });

  it('follows a logout and a renewal made in another tab', async () => {
    const h = await setupAuth({ config: { storage: 'localStorage' } });
    await signIn(h);
    const events = record(h.auth);
    const other = new NodeBroadcastChannel('ngx-oidc.default');
    // The other tab renewed: shared storage now holds its tokens.
    const key = 'ngx-oidc.default.session';
    const stored = JSON.parse(localStorage.getItem(key)!) as Record<string, unknown>;
    localStorage.setItem(key, JSON.stringify({ ...stored, accessToken: 'renewed-elsewhere' }));
    const changed = nextEvent(h.auth, 'SessionChangedInOtherTab');
    other.postMessage({ type: 'session' });
    await changed;
    expect(h.auth.accessToken()).toBe('renewed-elsewhere');
    const loggedOut = nextEvent(h.auth, 'LoggedOut');
    // Messages arrive in order: the garbage is handled (and ignored) before the logout is.
    other.postMessage({ type: 'garbage' });
    other.postMessage({ type: 'logout' });
    await loggedOut;
    other.close();
    expect(h.auth.isAuthenticated()).toBe(false);
    expect(localStorage.getItem(key)).toBeNull();
    expect(events).toEqual(['SessionChangedInOtherTab', 'LoggedOut']);
  });
});

describe('OidcAuth: zoneless rendering', () => {
  @Component({ template: `{{ auth.user()?.sub ?? 'nobody' }}` })
  class WhoAmI {
    readonly auth = inject(OidcAuth);
  }

  it('updates a template when the user signs in, without zone.js', async () => {
    const h = await setupAuth();
    const fixture = TestBed.createComponent(WhoAmI);
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent).toBe('nobody');
    await signIn(h);
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent).toBe('alice');
  });
});

describe('OidcAuth: on the server', () => {
  it('is ready and signed out, touches no storage, makes no request and never redirects', async () => {
    sessionStorage.setItem('ngx-oidc.default.session', 'left by the browser');
    const getItem = jest.spyOn(Storage.prototype, 'getItem');
    const setItem = jest.spyOn(Storage.prototype, 'setItem');
    const h = await setupAuth({ providers: [{ provide: PLATFORM_ID, useValue: 'server' }], features: [withCheckAuthOnStartup()] });
    await h.auth.login();
    expect(h.auth.ready()).toBe(true);
    expect(h.auth.isAuthenticated()).toBe(false);
    expect(h.redirects).toEqual([]);
    expect(h.op.requests).toEqual([]);
    expect(getItem).not.toHaveBeenCalled();
    expect(setItem).not.toHaveBeenCalled();
    expect(h.auth.canRenew()).toBe(false);
    getItem.mockRestore();
    setItem.mockRestore();
  });

  it('finishes no callback, renews nothing, sends nothing at logout, logs nothing, and never touches a custom storage', async () => {
    const touched: string[] = [];
    const custom = new (class extends MemoryStorage {
      override read(key: string) {
        touched.push(key);
        return super.read(key);
      }
    })();
    const warn = jest.spyOn(console, 'warn');
    setLocation('/callback?code=abc&state=xyz');
    const h = await setupAuth({
      config: { logLevel: 'warn' },
      providers: [{ provide: PLATFORM_ID, useValue: 'server' }],
      features: [withCheckAuthOnStartup(), withStorage(custom)],
    });
    await expect(h.auth.handleCallback()).rejects.toMatchObject({ code: 'CALLBACK_INVALID' });
    await expect(h.auth.refresh()).rejects.toMatchObject({ code: 'NO_SESSION' });
    await expect(h.auth.loadUserInfo()).rejects.toMatchObject({ code: 'NO_SESSION' });
    await expect(h.auth.logout()).resolves.toEqual({ endSessionUrl: null, errors: [] });
    expect(h.op.requests).toEqual([]);
    expect(h.redirects).toEqual([]);
    expect(touched).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });
});
