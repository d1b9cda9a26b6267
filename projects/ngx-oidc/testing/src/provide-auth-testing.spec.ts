import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component, type EnvironmentProviders, provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { type AuthEvent, OidcAuth, authInterceptor, autoLoginGuard, injectAuth } from 'ngx-oidc';
import { filter, firstValueFrom } from 'rxjs';
import { AuthTestingController, type AuthTestingOptions, TESTING_AUTHORITY, provideAuthTesting } from './provide-auth-testing';

// A host app's view of the kit: a component that shows the user, a route behind
// autoLoginGuard, and API calls through the interceptor, with no provider at all.

interface AppClaims {
  readonly tenant: string;
}

@Component({ selector: 'app-profile', template: `{{ auth.user()?.name ?? 'nobody' }} / {{ auth.user()?.tenant ?? '-' }}` })
class Profile {
  readonly auth = injectAuth<AppClaims>();
}

@Component({ template: 'orders' })
class Orders {}

async function setup(options: AuthTestingOptions) {
  TestBed.configureTestingModule({
    providers: [
      provideZonelessChangeDetection(),
      provideRouter([{ path: 'orders', canActivate: [autoLoginGuard], component: Orders }]),
      provideHttpClient(withInterceptors([authInterceptor()])),
      provideHttpClientTesting(),
      provideAuthTesting(options),
    ],
  });
  const controller = TestBed.inject(AuthTestingController);
  await controller.whenReady();
  const events: AuthEvent[] = [];
  TestBed.inject(OidcAuth).events$.subscribe((e) => events.push(e));
  return { controller, auth: TestBed.inject(OidcAuth), http: TestBed.inject(HttpClient), httpMock: TestBed.inject(HttpTestingController), events };
}

async function render() {
  const fixture = TestBed.createComponent(Profile);
  await fixture.whenStable();
  return (fixture.nativeElement as HTMLElement).textContent?.trim();
}

describe('provideAuthTesting: a host app tested without a provider', () => {
  it('starts signed in with the given claims, typed with the app claims', async () => {
    const { auth } = await setup({ user: { name: 'Alice', email: 'alice@example.com', tenant: 'acme' } });
    expect(auth.isAuthenticated()).toBe(true);
    expect(auth.user()).toMatchObject({ sub: 'test-user', name: 'Alice', email: 'alice@example.com', iss: TESTING_AUTHORITY, aud: 'test-client' });
    expect(await render()).toBe('Alice / acme');
  });

  it('starts signed out without a user, and the guard then asks to log in (recorded, not followed)', async () => {
    const { auth, controller } = await setup({});
    expect(auth.isAuthenticated()).toBe(false);
    expect(await render()).toBe('nobody / -');
    const router = TestBed.inject(Router);
    expect(await router.navigateByUrl('/orders')).toBe(false);
    expect(controller.redirects).toHaveLength(1);
    const authorize = new URL(controller.redirects[0]!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${TESTING_AUTHORITY}/authorize`);
    expect(authorize.searchParams.get('client_id')).toBe('test-client');
  });

  it('lets the guard through when signed in', async () => {
    await setup({ user: { name: 'Alice' } });
    const router = TestBed.inject(Router);
    expect(await router.navigateByUrl('/orders')).toBe(true);
    expect(router.url).toBe('/orders');
  });

  it('attaches the access token to same-origin calls by default, and never to other origins', async () => {
    const { http, httpMock } = await setup({ user: { name: 'Alice' }, accessToken: 'token-1' });
    const own = firstValueFrom(http.get('/api/orders'));
    const ownRequest = httpMock.expectOne('/api/orders');
    expect(ownRequest.request.headers.get('Authorization')).toBe('Bearer token-1');
    const other = firstValueFrom(http.get('https://elsewhere.example.com/data'));
    const otherRequest = httpMock.expectOne('https://elsewhere.example.com/data');
    expect(otherRequest.request.headers.has('Authorization')).toBe(false);
    ownRequest.flush({ mine: true });
    otherRequest.flush({});
    await expect(own).resolves.toEqual({ mine: true });
    await other;
  });

  it('follows config overrides such as secureRoutes', async () => {
    const { http, httpMock } = await setup({ user: {}, config: { secureRoutes: ['https://api.example.com/'] } });
    const own = firstValueFrom(http.get('/api/orders'));
    const ownRequest = httpMock.expectOne('/api/orders');
    expect(ownRequest.request.headers.has('Authorization')).toBe(false);
    const api = firstValueFrom(http.get('https://api.example.com/v1'));
    const apiRequest = httpMock.expectOne('https://api.example.com/v1');
    expect(apiRequest.request.headers.get('Authorization')).toBe('Bearer test-access-token');
    ownRequest.flush({});
    apiRequest.flush({});
    await Promise.all([own, api]);
  });
});

describe('AuthTestingController', () => {
  it('signs in, switches users and signs out, with the events an app sees', async () => {
    const { controller, auth, events } = await setup({});
    await controller.signIn({ sub: 'u1', name: 'Bob' }, 'bob-token');
    expect(auth.user()?.name).toBe('Bob');
    expect(auth.accessToken()).toBe('bob-token');
    expect(await render()).toBe('Bob / -');
    await controller.signIn({ sub: 'u2', name: 'Carol' });
    expect(auth.user()).toMatchObject({ sub: 'u2', name: 'Carol' });
    expect(auth.accessToken()).toBe('test-access-token');
    await controller.signOut();
    expect(auth.isAuthenticated()).toBe(false);
    expect(events.map((e) => e.type)).toContain('LoggedOut');
  });

  it('signs in as a finished login does: a previous error clears and TokenReceived is emitted', async () => {
    const { controller, auth, events } = await setup({});
    controller.emitError('TOKEN_ERROR');
    const before = events.length;
    await controller.signIn({ name: 'Bob' });
    expect(auth.error()).toBeNull();
    expect(auth.user()?.name).toBe('Bob');
    expect(events.slice(before)).toEqual([{ type: 'TokenReceived' }]);
  });

  it('expires the access token: with nothing to renew it, the session ends (SessionEnded, LOGIN_REQUIRED) and stays ended', async () => {
    const { controller, auth, events } = await setup({ user: { name: 'Alice' } });
    const before = events.length;
    await controller.expireAccessToken();
    expect(auth.isAuthenticated()).toBe(false);
    expect(auth.accessToken()).toBeNull();
    expect(events.slice(before)).toEqual([{ type: 'SessionEnded', error: expect.objectContaining({ code: 'LOGIN_REQUIRED', cause: { reason: 'expired' } }) }]);
    expect(auth.error()).toBeNull();
    // The expired session is gone from storage too: a later check finds nothing to renew.
    expect(await auth.checkAuth()).toBe(false);
    expect(events.map((e) => e.type)).not.toContain('RenewFailed');
  });

  it('expires the access token exactly as the expiry timer of the library ends a session that cannot be renewed', async () => {
    const outcome = async (auth: OidcAuth, events: AuthEvent[], from: number) => ({
      events: events.slice(from).map((e) => (e.type === 'SessionEnded' ? { type: e.type, code: e.error.code, message: e.error.message, cause: e.error.cause } : { type: e.type })),
      error: auth.error(),
      session: auth.session(),
      afterCheck: await auth.checkAuth(),
      eventsAfterCheck: events.slice(from).map((e) => e.type),
    });
    // The real timer: a token that expires while the app runs (no refresh token, no iframe renew).
    const real = await setup({ accessTokenLifetimeInSeconds: 0 });
    const ended = firstValueFrom(real.auth.events$.pipe(filter((e) => e.type === 'SessionEnded')));
    await real.controller.signIn({ name: 'Alice' });
    const realFrom = real.events.length;
    await ended;
    const byTimer = await outcome(real.auth, real.events, realFrom);
    TestBed.resetTestingModule();

    const kit = await setup({ user: { name: 'Alice' } });
    const kitFrom = kit.events.length;
    await kit.controller.expireAccessToken();
    expect(await outcome(kit.auth, kit.events, kitFrom)).toEqual(byTimer);
    expect(byTimer.events).toEqual([{ type: 'SessionEnded', code: 'LOGIN_REQUIRED', message: 'The access token expired', cause: { reason: 'expired' } }]);
  });

  it('reports a typed error through auth.error() and an Error event', async () => {
    const { controller, auth, events } = await setup({ user: { name: 'Alice' } });
    const error = controller.emitError('TOKEN_ERROR', 'the provider said no');
    expect(auth.error()).toBe(error);
    expect(auth.error()).toMatchObject({ code: 'TOKEN_ERROR', message: 'the provider said no' });
    expect(events.at(-1)).toEqual({ type: 'Error', error });
    expect(auth.isAuthenticated()).toBe(true);
  });

  it('records the end-session redirect of logout() and makes no other request', async () => {
    const { controller, auth } = await setup({ user: { name: 'Alice' }, config: { postLogoutRedirectUri: 'http://localhost/' } });
    await auth.logout({ revoke: false });
    expect(auth.isAuthenticated()).toBe(false);
    const endSession = new URL(controller.redirects.at(-1)!);
    expect(`${endSession.origin}${endSession.pathname}`).toBe(`${TESTING_AUTHORITY}/logout`);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe('http://localhost/');
  });

  it('answers loginWithPopup() without a window: the queued user signs in, or the queued failure is reported', async () => {
    const { auth, controller, events } = await setup({});
    controller.failPopup('POPUP_BLOCKED');
    await expect(auth.loginWithPopup({ prompt: 'login' })).rejects.toMatchObject({ code: 'POPUP_BLOCKED' });
    expect(auth.isAuthenticated()).toBe(false);
    expect(auth.error()).toMatchObject({ code: 'POPUP_BLOCKED' });
    controller.answerPopup({ name: 'Bob', tenant: 'acme' });
    await expect(auth.loginWithPopup({ acrValues: 'urn:mfa' })).resolves.toMatchObject({ session: { idTokenClaims: { name: 'Bob' } } });
    expect(auth.user()).toMatchObject({ name: 'Bob', tenant: 'acme' });
    expect(await render()).toBe('Bob / acme');
    expect(controller.popupLogins).toEqual([{ prompt: 'login' }, { acrValues: 'urn:mfa' }]);
    expect(events.map((e) => e.type)).toContain('Error');
  });

  it('ends a successful popup login as the library does: a previous popup failure clears and TokenReceived is emitted', async () => {
    const { auth, controller, events } = await setup({});
    controller.failPopup('POPUP_CLOSED');
    await expect(auth.loginWithPopup()).rejects.toMatchObject({ code: 'POPUP_CLOSED' });
    expect(auth.error()).toMatchObject({ code: 'POPUP_CLOSED' });
    const before = events.length;
    controller.answerPopup({ name: 'Bob' });
    await auth.loginWithPopup();
    expect(auth.error()).toBeNull();
    expect(auth.user()?.name).toBe('Bob');
    expect(events.slice(before).map((e) => e.type)).not.toContain('Error');
    expect(events.at(-1)).toEqual({ type: 'TokenReceived' });
  });
});

describe('provideAuthTesting: one providers value, several TestBed configurations', () => {
  // As in a spec file that builds its providers once, at the top, for every test.
  async function start(providers: EnvironmentProviders) {
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({ providers: [provideZonelessChangeDetection(), provideRouter([]), providers] });
    const controller = TestBed.inject(AuthTestingController);
    await controller.whenReady();
    return { controller, auth: TestBed.inject(OidcAuth) };
  }

  it('starts each configuration signed out with user: null, whoever the one before signed in', async () => {
    const providers = provideAuthTesting({ user: null });
    const first = await start(providers);
    await first.controller.signIn({ name: 'Bob' });
    expect(first.auth.isAuthenticated()).toBe(true);

    const second = await start(providers);
    expect(second.auth.isAuthenticated()).toBe(false);
    expect(second.auth.user()).toBeNull();
  });

  it('records the redirects of each configuration only', async () => {
    const providers = provideAuthTesting({ user: { name: 'Alice' } });
    const first = await start(providers);
    await first.auth.login();
    await first.auth.logout({ revoke: false });
    expect(first.controller.redirects).toHaveLength(2);

    const second = await start(providers);
    expect(second.auth.user()?.name).toBe('Alice');
    expect(second.controller.redirects).toEqual([]);
    await second.auth.login();
    expect(second.controller.redirects).toHaveLength(1);
    expect(first.controller.redirects).toHaveLength(2);
  });

  it('answers the popup logins of each configuration with its own queue', async () => {
    const providers = provideAuthTesting();
    const first = await start(providers);
    await first.auth.loginWithPopup({ prompt: 'login' });
    first.controller.failPopup('POPUP_BLOCKED');
    expect(first.controller.popupLogins).toEqual([{ prompt: 'login' }]);

    const second = await start(providers);
    expect(second.controller.popupLogins).toEqual([]);
    await expect(second.auth.loginWithPopup()).resolves.toMatchObject({ session: { idTokenClaims: { sub: 'test-user' } } });
    expect(second.auth.error()).toBeNull();
  });
});
