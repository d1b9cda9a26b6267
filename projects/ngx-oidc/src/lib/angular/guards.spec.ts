import { Component, PLATFORM_ID } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { NavigationStart, type Routes } from '@angular/router';
import type { FetchJson } from '../core/http';
import { AuthStorage } from '../core/storage';
import { type HarnessOptions, setLocation, setupAuth, signIn } from '../../test/angular-harness';
import type { FakeProvider } from '../../test/fake-provider';
import { deferred } from '../../test/helpers';
import { authCallbackGuard, authGuard, autoLoginGuard, isSafeReturnUrl } from './guards';
import { withCheckAuthOnStartup, withStorage } from './provide-auth';
import { AUTH_FETCH } from './tokens';

@Component({ template: '' })
class Page {}

const routes: Routes = [
  { path: 'callback', canActivate: [authCallbackGuard], children: [] },
  { path: '', component: Page },
  { path: 'home', component: Page },
  { path: 'orders', component: Page },
  { path: 'unauthorized', component: Page },
  { path: 'forbidden', component: Page },
  { path: 'protected', canActivate: [autoLoginGuard], component: Page },
  { path: 'protected/:id', canActivate: [autoLoginGuard], component: Page },
  { path: 'area', canActivateChild: [autoLoginGuard], children: [{ path: 'inner/:id', component: Page }] },
  { path: 'shop', children: [{ path: 'cart/:id', canMatch: [autoLoginGuard], component: Page }] },
  { path: 'checked', canActivate: [authGuard], component: Page },
  { path: 'checked-match', canMatch: [authGuard], component: Page },
  { path: '**', component: Page },
];

type Harness = Awaited<ReturnType<typeof setupAuth>>;

/** A test app with the routes above; `postLoginRoute` is `/home` so a fallback is told apart from "no navigation". */
function app(options: HarnessOptions = {}): Promise<Harness> {
  return setupAuth({ routes, ...options, config: { postLoginRoute: '/home', logLevel: 'none', ...options.config } });
}

/** The app-relative part (path, query, fragment) of a URL on the app's origin. */
function appPath(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}${u.hash}`;
}

/** The browser lands on the provider's answer: the address bar shows it and the router navigates to it. */
async function landOnCallback(h: Harness, callbackUrl: string): Promise<boolean> {
  setLocation(callbackUrl);
  return h.router.navigateByUrl(appPath(callbackUrl));
}

/** A full page load on `url`: a new app over the same provider, clock and storage (its start-up check awaited unless `initialize: false`). */
async function reloadOn(h: Harness, url: string, options: HarnessOptions = {}): Promise<Harness> {
  TestBed.resetTestingModule();
  setLocation(url);
  const next = await app({ provider: h.op, now: h.clock.now, ...options });
  // The fake provider's clock is the first app's: keep one time for both.
  Object.defineProperty(next.clock, 'now', { get: () => h.clock.now, set: (v: number) => (h.clock.now = v) });
  return next;
}

/** The provider's port behind a gate: every request waits until `open()`; `reached` resolves when the first one waits there. */
function gatedProvider(op: FakeProvider): { fetchJson: FetchJson; reached: Promise<void>; open: () => void } {
  const gate = deferred();
  const reached = deferred();
  return {
    fetchJson: async (req) => {
      reached.resolve();
      await gate.promise;
      return op.fetchJson(req);
    },
    reached: reached.promise,
    open: () => gate.resolve(),
  };
}

/** What sessionStorage holds now. */
function snapshotStorage(): [string, string][] {
  return Array.from({ length: sessionStorage.length }, (_, i) => sessionStorage.key(i)!).map((k) => [k, sessionStorage.getItem(k)!]);
}

describe('isSafeReturnUrl', () => {
  it.each(['/', '/orders', '/orders/7?tab=items#top', '/a/b%2Fc'])('accepts the app URL %p', (url) => {
    expect(isSafeReturnUrl(url)).toBe(true);
  });

  it.each([
    ['//evil.test'],
    ['/\\evil.test'],
    ['https://evil.test'],
    ['javascript:alert(1)'],
    ['orders'],
    [''],
    ['/\t/evil.test'],
    ['/\n/evil.test'],
    [undefined],
  ])('rejects %j', (url) => {
    expect(isSafeReturnUrl(url)).toBe(false);
  });
});

describe('authCallbackGuard', () => {
  it('finishes the login and navigates to the stored return URL, replacing the callback entry', async () => {
    const h = await app();
    await h.router.navigateByUrl('/');
    await h.auth.login({ returnUrl: '/orders' });
    const callback = await h.providerAnswer();

    expect(await landOnCallback(h, callback)).toBe(true);

    expect(h.router.url).toBe('/orders');
    // replaceUrl: the callback URL (with code and state) is not left in history.
    expect(h.router.lastSuccessfulNavigation()?.extras.replaceUrl).toBe(true);
    expect(window.location.search).toBe('');
    expect(h.auth.isAuthenticated()).toBe(true);
    expect(h.auth.error()).toBeNull();
    expect(h.op.count('token')).toBe(1);
  });

  it('falls back to postLoginRoute when no return URL was stored', async () => {
    const h = await app();
    // Before the router's first navigation there is no current route to return to.
    await h.auth.login();
    await landOnCallback(h, await h.providerAnswer());
    expect(h.router.url).toBe('/home');
    expect(h.auth.isAuthenticated()).toBe(true);
  });

  it.each(['//evil.test', '/\\evil.test', 'https://evil.test', '/\t/evil.test'])(
    'falls back to postLoginRoute for the unsafe return URL %j',
    async (returnUrl) => {
      const h = await app();
      await h.router.navigateByUrl('/');
      await h.auth.login({ returnUrl });
      await landOnCallback(h, await h.providerAnswer());
      expect(h.router.url).toBe('/home');
      expect(h.router.lastSuccessfulNavigation()?.extras.replaceUrl).toBe(true);
      expect(h.auth.isAuthenticated()).toBe(true);
    },
  );

  it('routes to unauthorizedRoute on a tampered state, without exchanging the code', async () => {
    const h = await app();
    await h.router.navigateByUrl('/');
    await h.auth.login({ returnUrl: '/orders' });
    const callback = new URL(await h.providerAnswer());
    callback.searchParams.set('state', 'forged-state');

    await landOnCallback(h, callback.toString());

    expect(h.router.url).toBe('/unauthorized');
    expect(h.auth.error()?.code).toBe('STATE_MISMATCH');
    expect(h.auth.isAuthenticated()).toBe(false);
    expect(h.auth.lastLoginFailed()).toBe(true);
    expect(h.op.count('token')).toBe(0);
  });

  it('routes to unauthorizedRoute when the user denies the request at the provider', async () => {
    const h = await app();
    await h.router.navigateByUrl('/');
    await h.auth.login({ returnUrl: '/orders' });

    await landOnCallback(h, await h.providerAnswer({ deny: true }));

    expect(h.router.url).toBe('/unauthorized');
    expect(h.auth.error()).toMatchObject({ code: 'AUTHORIZATION_ERROR', oauthError: 'access_denied' });
    expect(h.auth.isAuthenticated()).toBe(false);
    expect(h.op.count('token')).toBe(0);
  });

  it('takes the result of the start-up check: the code is exchanged once and the return URL is kept', async () => {
    const first = await app({ features: [] });
    await first.auth.login({ returnUrl: '/orders' });
    const callback = await first.providerAnswer();

    // The browser comes back on the callback URL: the start-up check finishes the
    // login and scrubs the address bar, then the router's first navigation runs the guard.
    const h = await reloadOn(first, callback);
    expect(h.auth.isAuthenticated()).toBe(true);
    expect(window.location.search).toBe('');
    await h.router.navigateByUrl(appPath(window.location.href));

    expect(h.router.url).toBe('/orders');
    expect(h.op.count('token')).toBe(1);
    expect(h.auth.error()).toBeNull();
    expect(h.auth.lastLoginFailed()).toBe(false);
    expect(h.auth.isAuthenticated()).toBe(true);
  });

  it('makes no second token request when the callback URL is navigated to again', async () => {
    const h = await app();
    await h.router.navigateByUrl('/');
    await h.auth.login({ returnUrl: '/orders' });
    const callback = await h.providerAnswer();
    await landOnCallback(h, callback);
    await h.router.navigateByUrl('/home');

    await landOnCallback(h, callback);

    expect(h.op.count('token')).toBe(1);
    expect(h.router.url).toBe('/orders');
    expect(h.auth.isAuthenticated()).toBe(true);
  });

  it('makes no second token request when the page is reloaded on the callback URL', async () => {
    const first = await app();
    await first.router.navigateByUrl('/');
    await first.auth.login({ returnUrl: '/orders' });
    const callback = await first.providerAnswer();
    await landOnCallback(first, callback);
    expect(first.op.count('token')).toBe(1);

    const h = await reloadOn(first, callback);
    await h.router.navigateByUrl(appPath(window.location.href));

    expect(h.op.count('token')).toBe(1);
    // Wherever the guard lands agrees with the session state.
    expect(h.router.url).toBe(h.auth.isAuthenticated() ? '/home' : '/unauthorized');
  });
  it('without a start-up check, a reload of the scrubbed callback URL restores the session before it decides', async () => {
    const first = await app({ features: [] });
    await first.auth.login({ returnUrl: '/orders' });
    await landOnCallback(first, await first.providerAnswer());
    expect(first.router.url).toBe('/orders');

    const h = await reloadOn(first, '/callback', { features: [] });
    await h.router.navigateByUrl('/callback');
    expect(h.router.url).toBe('/home');
    expect(h.auth.isAuthenticated()).toBe(true);
    expect(h.op.count('token')).toBe(1);
  });
});

describe('autoLoginGuard', () => {
  it('lets a signed-in user through', async () => {
    const h = await app();
    await signIn(h);
    const redirects = h.redirects.length;

    expect(await h.router.navigateByUrl('/protected')).toBe(true);

    expect(h.router.url).toBe('/protected');
    expect(h.redirects.length).toBe(redirects);
  });

  it('sends a signed-out user to the provider and back to the target URL', async () => {
    const h = await app();
    await h.router.navigateByUrl('/');

    expect(await h.router.navigateByUrl('/protected/7?tab=items#top')).toBe(false);

    expect(h.router.url).toBe('/');
    expect(h.redirects).toHaveLength(1);
    const authorize = new URL(h.redirects[0]!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${h.op.issuer}/authorize`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');

    await landOnCallback(h, await h.providerAnswer());
    expect(h.router.url).toBe('/protected/7?tab=items#top');
    expect(h.auth.isAuthenticated()).toBe(true);
  });

  it('renews a stored session with its refresh token instead of sending the user to the provider', async () => {
    const h = await app();
    await signIn(h);
    const stored = snapshotStorage();
    const oldToken = h.auth.accessToken();
    // Another tab (a shared storage) signed in while this page was signed out; its access token has since expired.
    h.auth.logoutLocal();
    stored.forEach(([key, value]) => sessionStorage.setItem(key, value));
    h.clock.now += 301;
    expect(h.auth.isAuthenticated()).toBe(false);
    expect(h.auth.canRenew()).toBe(true);
    const tokens = h.op.count('token');
    const redirects = h.redirects.length;

    expect(await h.router.navigateByUrl('/protected')).toBe(true);

    expect(h.router.url).toBe('/protected');
    expect(h.op.count('token')).toBe(tokens + 1);
    expect(h.redirects.length).toBe(redirects);
    expect(h.auth.isAuthenticated()).toBe(true);
    expect(h.auth.accessToken()).not.toBe(oldToken);
  });

  it('starts a login when the stored session cannot be renewed any more', async () => {
    const h = await app();
    await signIn(h);
    const stored = snapshotStorage();
    h.auth.logoutLocal();
    stored.forEach(([key, value]) => sessionStorage.setItem(key, value));
    h.clock.now += 301;
    h.op.override('token', { status: 400, headers: { 'content-type': 'application/json' }, body: '{"error":"invalid_grant"}' });
    const redirects = h.redirects.length;

    expect(await h.router.navigateByUrl('/protected')).toBe(false);

    expect(h.redirects.length).toBe(redirects + 1);
    expect(h.auth.isAuthenticated()).toBe(false);
  });

  it('does not send the user round again after a failed login in this page', async () => {
    const h = await app();
    await h.router.navigateByUrl('/');
    expect(await h.router.navigateByUrl('/protected')).toBe(false);
    expect(h.redirects).toHaveLength(1);
    await landOnCallback(h, await h.providerAnswer({ deny: true }));
    expect(h.router.url).toBe('/unauthorized');
    expect(h.auth.lastLoginFailed()).toBe(true);
    await h.router.navigateByUrl('/home');

    await h.router.navigateByUrl('/protected');

    expect(h.router.url).toBe('/unauthorized');
    expect(h.redirects).toHaveLength(1);
  });

  it('stops, instead of looping, after a failed login when unauthorizedRoute is the guarded route itself', async () => {
    // As `ng add` sets it (unauthorizedRoute '/') in an app whose home page has the guard.
    const h = await app({ config: { unauthorizedRoute: '/protected' } });
    await h.router.navigateByUrl('/');
    await h.router.navigateByUrl('/protected');
    let navigations = 0;
    // A loop is cut short (the router stops), so that the test fails instead of hanging.
    h.router.events.subscribe((e) => e instanceof NavigationStart && ++navigations > 10 && h.router.dispose());
    await landOnCallback(h, await h.providerAnswer({ deny: true }));
    expect(h.auth.lastLoginFailed()).toBe(true);
    // The callback's redirect to /protected is refused by the guard there, once.
    expect(navigations).toBe(2);
    expect(await h.router.navigateByUrl('/protected')).toBe(false);
    expect(h.redirects).toHaveLength(1);
  });

  it('waits for the start-up check before deciding', async () => {
    const first = await app({ features: [] });
    await first.auth.login({ returnUrl: '/orders' });
    const callback = await first.providerAnswer();

    // A page load on the callback URL whose start-up check is still exchanging the code:
    // until it has finished, the user looks signed out.
    const gate = gatedProvider(first.op);
    const h = await reloadOn(first, callback, { initialize: false, providers: [{ provide: AUTH_FETCH, useValue: gate.fetchJson }] });
    let decided = false;
    const navigation = h.router.navigateByUrl('/protected').finally(() => (decided = true));
    // The guard's start-up check is at the provider, held there.
    await gate.reached;
    expect(h.auth.ready()).toBe(false);
    expect(h.auth.isAuthenticated()).toBe(false);
    expect(decided).toBe(false);
    expect(h.redirects).toEqual([]);

    gate.open();

    expect(await navigation).toBe(true);
    expect(h.router.url).toBe('/protected');
    expect(h.redirects).toEqual([]);
    expect(h.op.count('token')).toBe(1);
  });

  it('on a page load, renews an expired stored session instead of redirecting', async () => {
    const first = await app();
    await signIn(first);
    const oldToken = first.auth.accessToken();
    const tokens = first.op.count('token');
    first.clock.now += 301;

    const h = await reloadOn(first, '/', { initialize: false });
    expect(await h.router.navigateByUrl('/protected')).toBe(true);

    expect(h.router.url).toBe('/protected');
    expect(h.redirects).toEqual([]);
    expect(h.op.count('token')).toBe(tokens + 1);
    expect(h.auth.accessToken()).not.toBe(oldToken);
  });

  describe('as canActivateChild', () => {
    it('lets a signed-in user through', async () => {
      const h = await app();
      await signIn(h);
      expect(await h.router.navigateByUrl('/area/inner/3')).toBe(true);
      expect(h.router.url).toBe('/area/inner/3');
    });

    it('sends a signed-out user to the provider and back to the child URL', async () => {
      const h = await app();
      await h.router.navigateByUrl('/');
      expect(await h.router.navigateByUrl('/area/inner/3?q=1')).toBe(false);
      expect(h.redirects).toHaveLength(1);

      await landOnCallback(h, await h.providerAnswer());
      expect(h.router.url).toBe('/area/inner/3?q=1');
    });
  });

  describe('as canMatch', () => {
    it('lets a signed-in user through', async () => {
      const h = await app();
      await signIn(h);
      expect(await h.router.navigateByUrl('/shop/cart/5')).toBe(true);
      expect(h.router.url).toBe('/shop/cart/5');
      expect(h.router.routerState.snapshot.root.firstChild?.firstChild?.routeConfig?.path).toBe('cart/:id');
    });

    it('sends a signed-out user to the provider and back to the full URL of a nested route', async () => {
      const h = await app();
      await h.router.navigateByUrl('/');
      await h.router.navigateByUrl('/shop/cart/5?coupon=x');
      expect(h.redirects).toHaveLength(1);
      expect(h.auth.isAuthenticated()).toBe(false);

      await landOnCallback(h, await h.providerAnswer());
      expect(h.router.url).toBe('/shop/cart/5?coupon=x');
    });
  });
});

describe('authGuard', () => {
  it('lets a signed-in user through', async () => {
    const h = await app();
    await signIn(h);
    expect(await h.router.navigateByUrl('/checked')).toBe(true);
    expect(h.router.url).toBe('/checked');
  });

  it('routes a signed-out user to unauthorizedRoute without going to the provider', async () => {
    const h = await app();
    await h.router.navigateByUrl('/');
    await h.router.navigateByUrl('/checked');
    expect(h.router.url).toBe('/unauthorized');
    expect(h.redirects).toEqual([]);
    expect(h.op.requests).toEqual([]);
  });

  it('works as canMatch', async () => {
    const h = await app();
    await h.router.navigateByUrl('/');
    await h.router.navigateByUrl('/checked-match');
    expect(h.router.url).toBe('/unauthorized');
    expect(h.redirects).toEqual([]);

    await signIn(h);
    expect(await h.router.navigateByUrl('/checked-match')).toBe(true);
    expect(h.router.url).toBe('/checked-match');
  });

  it('waits for the start-up check before deciding', async () => {
    const first = await app({ features: [] });
    await first.auth.login();
    const callback = await first.providerAnswer();
    const gate = gatedProvider(first.op);
    const h = await reloadOn(first, callback, { initialize: false, providers: [{ provide: AUTH_FETCH, useValue: gate.fetchJson }] });
    const navigation = h.router.navigateByUrl('/checked');
    // The guard's start-up check is at the provider, held there.
    await gate.reached;
    expect(h.auth.ready()).toBe(false);

    gate.open();

    expect(await navigation).toBe(true);
    expect(h.router.url).toBe('/checked');
  });
});

describe('on the server (SSR)', () => {
  /** A custom storage (used on the server too) that records every access. */
  class RecordingStorage extends AuthStorage {
    readonly accesses: string[] = [];
    override read(key: string): string | null {
      this.accesses.push(`read ${key}`);
      return null;
    }
    override write(key: string): void {
      this.accesses.push(`write ${key}`);
    }
    override remove(key: string): void {
      this.accesses.push(`remove ${key}`);
    }
  }

  async function serverApp(): Promise<Harness & { storage: RecordingStorage }> {
    const storage = new RecordingStorage();
    const h = await app({ providers: [{ provide: PLATFORM_ID, useValue: 'server' }], features: [withCheckAuthOnStartup(), withStorage(storage)] });
    return { ...h, storage };
  }

  /** Nothing happened: no redirect, no provider request, no storage access, no error. */
  function expectUntouched(h: Harness & { storage: RecordingStorage }): void {
    expect(h.redirects).toEqual([]);
    expect(h.op.requests).toEqual([]);
    expect(h.storage.accesses).toEqual([]);
    expect(h.auth.error()).toBeNull();
    expect(h.auth.lastLoginFailed()).toBe(false);
  }

  it('authCallbackGuard renders the callback route without processing the response', async () => {
    const h = await serverApp();
    const handleCallback = jest.spyOn(h.auth, 'handleCallback');

    expect(await h.router.navigateByUrl('/callback?code=abc&state=xyz')).toBe(true);

    // No STATE_MISMATCH and no redirect to unauthorizedRoute: the code is left for the browser.
    expect(h.router.url).toBe('/callback?code=abc&state=xyz');
    expect(handleCallback).not.toHaveBeenCalled();
    expectUntouched(h);
  });

  it.each(['/protected', '/protected/7?tab=items', '/area/inner/3', '/shop/cart/5?coupon=x'])(
    'autoLoginGuard renders %s without a login, a refresh or a redirect',
    async (url) => {
      const h = await serverApp();
      const login = jest.spyOn(h.auth, 'login');
      const refresh = jest.spyOn(h.auth, 'refresh');

      expect(await h.router.navigateByUrl(url)).toBe(true);

      expect(h.router.url).toBe(url);
      expect(login).not.toHaveBeenCalled();
      expect(refresh).not.toHaveBeenCalled();
      expectUntouched(h);
    },
  );

  it.each(['/checked', '/checked-match'])('authGuard renders %s instead of routing to unauthorizedRoute', async (url) => {
    const h = await serverApp();

    expect(await h.router.navigateByUrl(url)).toBe(true);

    expect(h.router.url).toBe(url);
    expectUntouched(h);
  });
});
