import {
  HTTP_INTERCEPTORS,
  HttpClient,
  HttpContext,
  HttpErrorResponse,
  provideHttpClient,
  withInterceptors,
  withInterceptorsFromDi,
} from '@angular/common/http';
import { HttpTestingController, type TestRequest, provideHttpClientTesting } from '@angular/common/http/testing';
import { ApplicationInitStatus, Component, PLATFORM_ID, provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { NavigationCancel, NavigationEnd, NavigationError, NavigationStart, type Routes, Router, provideRouter } from '@angular/router';
import { filter, firstValueFrom, map } from 'rxjs';
import { API, APP, recordSentRequests, sentRequest, sentRequests, setLocation, setupAuth, signIn } from '../../test/angular-harness';
import { FakeProvider } from '../../test/fake-provider';
import type { OidcConfig } from '../core/config';
import { AuthInterceptor, NAVIGATE_ON_AUTH_ERROR, SKIP_AUTH } from './interceptor';
import { OidcAuth } from './oidc-auth';
import { provideAuth, withCheckAuthOnStartup, withConfig } from './provide-auth';
import { provideAuthTestingBackend } from 'ngx-oidc/testing';

@Component({ template: '' })
class Page {}

const routes: Routes = [
  { path: '', component: Page },
  { path: 'unauthorized', component: Page },
  { path: 'forbidden', component: Page },
];

const ORDERS = `${API}/orders`;

type Harness = Awaited<ReturnType<typeof setupAuth>>;

/** An app that asked for navigation on 401/403 (`navigateOnHttpError: true`), unless `config` says otherwise. */
async function app(config: Partial<OidcConfig> = {}): Promise<Harness> {
  const h = await setupAuth({ routes, config: { logLevel: 'none', navigateOnHttpError: true, ...config } });
  await h.router.navigateByUrl('/');
  return h;
}

async function signedIn(config: Partial<OidcConfig> = {}): Promise<Harness> {
  const h = await app(config);
  await signIn(h);
  return h;
}

/** The next request to `url`, once the interceptor has sent it on (after a renewal, maybe). */
function nextRequest(h: Harness, url: string): Promise<TestRequest> {
  return sentRequest(h.httpMock, url);
}

/** The router's URL once its next navigation has ended (ask before what navigates). */
function navigationEnd(router: Router): Promise<string> {
  const ended = (e: unknown) => e instanceof NavigationEnd || e instanceof NavigationCancel || e instanceof NavigationError;
  return firstValueFrom(router.events.pipe(filter(ended), map(() => router.url)));
}

/**
 * The URLs the router starts to navigate to from now on. `navigateByUrl` starts
 * a navigation synchronously, and the interceptor calls it before it passes the
 * error on: once the caller has the error, every navigation it caused is here.
 */
function navigationsStarted(router: Router): string[] {
  const started: string[] = [];
  router.events.pipe(filter((e) => e instanceof NavigationStart)).subscribe((e) => started.push(e.url));
  return started;
}

/** A GET through the app's HttpClient, as a promise (subscribed now). */
function get(h: Harness, url: string, context?: HttpContext, headers?: Record<string, string>): Promise<unknown> {
  return firstValueFrom(h.http.get(url, { ...(context ? { context } : {}), ...(headers ? { headers } : {}) }));
}

/** Puts the clock at the point where the access token needs renewing (`renewTimeBeforeTokenExpiresInSeconds` = 30). */
function expire(h: Harness): void {
  const expiresAt = h.auth.session()?.accessTokenExpiresAt;
  if (expiresAt === null || expiresAt === undefined) throw new Error('no expiring session');
  h.clock.now = expiresAt - 30;
}

const UNAUTHORIZED = { status: 401, statusText: 'Unauthorized' };

describe('authInterceptor: which requests get the token', () => {
  it('attaches the access token to a secure route', async () => {
    const h = await signedIn();
    const response = get(h, ORDERS);

    const req = h.httpMock.expectOne(ORDERS);
    expect(req.request.headers.get('Authorization')).toBe(`Bearer ${h.auth.accessToken()}`);
    expect(h.auth.accessToken()).toMatch(/^at-/);
    req.flush({ orders: [] });
    await expect(response).resolves.toEqual({ orders: [] });
    h.httpMock.verify();
  });

  it('attaches nothing when signed out', async () => {
    const h = await app();
    const response = get(h, ORDERS);

    const req = await nextRequest(h, ORDERS);
    expect(req.request.headers.has('Authorization')).toBe(false);
    req.flush({});
    await response;
    expect(h.op.requests).toEqual([]);
  });

  it.each([
    ['another origin', 'https://other.test/orders'],
    ['the app itself', `${APP}/assets/data.json`],
    ['a host that starts with the API host', `${API}.evil.test/x`],
    ['the API URL in a query', `https://evil.test/?u=${API}/`],
    ['the API host as user info', `https://api.example.test@evil.test/`],
    ['another scheme', 'http://api.example.test/orders'],
    ['another port', 'https://api.example.test:8443/orders'],
  ])('attaches nothing to %s (%s)', async (_, url) => {
    const h = await signedIn();
    const response = get(h, url);

    const req = await nextRequest(h, url);
    expect(req.request.headers.has('Authorization')).toBe(false);
    req.flush({});
    await response;
    h.httpMock.verify();
  });

  it('never overwrites an Authorization header the request already has', async () => {
    const h = await signedIn();
    const response = get(h, ORDERS, undefined, { Authorization: 'Basic dXNlcjpwdw==' });

    const req = await nextRequest(h, ORDERS);
    expect(req.request.headers.getAll('Authorization')).toEqual(['Basic dXNlcjpwdw==']);
    req.flush({});
    await response;
  });

  it('attaches nothing to a request with SKIP_AUTH', async () => {
    const h = await signedIn();
    const response = get(h, ORDERS, new HttpContext().set(SKIP_AUTH, true));

    const req = await nextRequest(h, ORDERS);
    expect(req.request.headers.has('Authorization')).toBe(false);
    req.flush({});
    await response;
  });
});

describe('authInterceptor: expiring tokens', () => {
  it('waits for one refresh and sends the new token', async () => {
    const h = await signedIn();
    const oldToken = h.auth.accessToken();
    const tokens = h.op.count('token');
    expire(h);

    const response = get(h, ORDERS);
    const req = await nextRequest(h, ORDERS);

    expect(h.op.count('token')).toBe(tokens + 1);
    const newToken = h.auth.accessToken();
    expect(newToken).not.toBe(oldToken);
    expect(req.request.headers.get('Authorization')).toBe(`Bearer ${newToken}`);
    req.flush({ ok: true });
    await expect(response).resolves.toEqual({ ok: true });
  });

  it('shares one refresh between 50 concurrent requests', async () => {
    const h = await signedIn();
    const oldToken = h.auth.accessToken();
    const tokens = h.op.count('token');
    expire(h);

    const responses = Array.from({ length: 50 }, (_, i) => get(h, `${ORDERS}/${i}`));
    const seen = await sentRequests(h.httpMock, (r) => r.url.startsWith(`${ORDERS}/`), 50);

    expect(seen).toHaveLength(50);
    expect(h.op.count('token')).toBe(tokens + 1);
    const newToken = h.auth.accessToken();
    expect(newToken).not.toBe(oldToken);
    expect(new Set(seen.map((r) => r.request.headers.get('Authorization')))).toEqual(new Set([`Bearer ${newToken}`]));
    seen.forEach((r) => r.flush({}));
    await Promise.all(responses);
    h.httpMock.verify();
  });
});

describe('authInterceptor: 401 and 403', () => {
  it('on a 401, refreshes once and retries once with the new token', async () => {
    const h = await signedIn();
    const oldToken = h.auth.accessToken();
    const tokens = h.op.count('token');
    const response = get(h, ORDERS);

    const first = h.httpMock.expectOne(ORDERS);
    expect(first.request.headers.get('Authorization')).toBe(`Bearer ${oldToken}`);
    first.flush({ error: 'invalid_token' }, UNAUTHORIZED);

    const retry = await nextRequest(h, ORDERS);
    expect(h.op.count('token')).toBe(tokens + 1);
    const newToken = h.auth.accessToken();
    expect(newToken).not.toBe(oldToken);
    expect(retry.request.headers.get('Authorization')).toBe(`Bearer ${newToken}`);
    retry.flush({ ok: true });

    await expect(response).resolves.toEqual({ ok: true });
    expect(h.router.url).toBe('/');
    h.httpMock.verify();
  });

  it('on a 401 for a token renewed meanwhile, retries with the current token without another refresh', async () => {
    const h = await signedIn();
    const oldToken = h.auth.accessToken();
    const tokens = h.op.count('token');
    const a = get(h, `${ORDERS}/a`);
    const b = get(h, `${ORDERS}/b`);
    const firstA = h.httpMock.expectOne(`${ORDERS}/a`);
    const firstB = h.httpMock.expectOne(`${ORDERS}/b`);
    expect(firstB.request.headers.get('Authorization')).toBe(`Bearer ${oldToken}`);

    firstA.flush(null, UNAUTHORIZED);
    (await nextRequest(h, `${ORDERS}/a`)).flush({ a: true });
    await expect(a).resolves.toEqual({ a: true });
    const newToken = h.auth.accessToken();
    expect(newToken).not.toBe(oldToken);

    // The second request's 401 arrives after the renewal: its token was the old one.
    firstB.flush(null, UNAUTHORIZED);
    const retryB = await nextRequest(h, `${ORDERS}/b`);
    expect(retryB.request.headers.get('Authorization')).toBe(`Bearer ${newToken}`);
    retryB.flush({ b: true });

    await expect(b).resolves.toEqual({ b: true });
    expect(h.op.count('token')).toBe(tokens + 1);
    h.httpMock.verify();
  });

  it('on a second 401, routes to unauthorizedRoute and errors, without a third request', async () => {
    const h = await signedIn();
    const tokens = h.op.count('token');
    const response = get(h, ORDERS);
    const landed = navigationEnd(h.router);

    h.httpMock.expectOne(ORDERS).flush(null, UNAUTHORIZED);
    (await nextRequest(h, ORDERS)).flush(null, UNAUTHORIZED);

    await expect(response).rejects.toMatchObject({ status: 401 });
    expect(await landed).toBe('/unauthorized');
    expect(h.op.count('token')).toBe(tokens + 1);
    h.httpMock.verify();
  });

  it('on a 401 whose refresh is refused, routes to unauthorizedRoute and errors without a retry', async () => {
    const h = await signedIn();
    h.op.override('token', { status: 400, headers: { 'content-type': 'application/json' }, body: '{"error":"invalid_grant"}' });
    const response = get(h, ORDERS);
    const landed = navigationEnd(h.router);

    h.httpMock.expectOne(ORDERS).flush(null, UNAUTHORIZED);

    const error: unknown = await response.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpErrorResponse);
    expect((error as HttpErrorResponse).status).toBe(401);
    expect(await landed).toBe('/unauthorized');
    expect(h.auth.isAuthenticated()).toBe(false);
    h.httpMock.verify();
  });

  it('on a 401 while signed out, routes to unauthorizedRoute without a refresh or retry', async () => {
    const h = await app();
    const response = get(h, ORDERS);
    const landed = navigationEnd(h.router);

    (await nextRequest(h, ORDERS)).flush(null, UNAUTHORIZED);

    await expect(response).rejects.toMatchObject({ status: 401 });
    expect(await landed).toBe('/unauthorized');
    expect(h.op.count('token')).toBe(0);
    h.httpMock.verify();
  });

  it('on a 403, routes to forbiddenRoute and errors, without a refresh', async () => {
    const h = await signedIn();
    const tokens = h.op.count('token');
    const response = get(h, ORDERS);
    const landed = navigationEnd(h.router);

    h.httpMock.expectOne(ORDERS).flush(null, { status: 403, statusText: 'Forbidden' });

    await expect(response).rejects.toMatchObject({ status: 403 });
    expect(await landed).toBe('/forbidden');
    expect(h.op.count('token')).toBe(tokens);
    expect(h.auth.isAuthenticated()).toBe(true);
    h.httpMock.verify();
  });

  it.each([401, 403])('passes a %p from a URL that is not a secure route through, without routing', async (status) => {
    const h = await signedIn();
    const tokens = h.op.count('token');
    const url = 'https://other.test/orders';
    const started = navigationsStarted(h.router);
    const response = get(h, url);

    (await nextRequest(h, url)).flush(null, { status, statusText: 'Nope' });

    await expect(response).rejects.toMatchObject({ status });
    expect(started).toEqual([]);
    expect(h.router.url).toBe('/');
    expect(h.op.count('token')).toBe(tokens);
    h.httpMock.verify();
  });

  it('passes other errors from a secure route through, without routing or refreshing', async () => {
    const h = await signedIn();
    const tokens = h.op.count('token');
    const started = navigationsStarted(h.router);
    const response = get(h, ORDERS);

    h.httpMock.expectOne(ORDERS).flush(null, { status: 500, statusText: 'Server Error' });

    await expect(response).rejects.toMatchObject({ status: 500 });
    expect(started).toEqual([]);
    expect(h.router.url).toBe('/');
    expect(h.op.count('token')).toBe(tokens);
  });
});

describe('authInterceptor: navigation on 401 and 403 only when asked for', () => {
  const FORBIDDEN = { status: 403, statusText: 'Forbidden' };

  it('by default a 403 (a background call) fails the call and leaves the user where they are', async () => {
    const h = await signedIn({ navigateOnHttpError: false });
    const started = navigationsStarted(h.router);
    const response = get(h, ORDERS);
    h.httpMock.expectOne(ORDERS).flush(null, FORBIDDEN);
    await expect(response).rejects.toMatchObject({ status: 403 });
    expect(started).toEqual([]);
    expect(h.router.url).toBe('/');
  });

  it('with a list, only requests under a listed prefix navigate', async () => {
    const h = await signedIn({ navigateOnHttpError: [`${API}/admin/`] });
    const started = navigationsStarted(h.router);
    const quiet = get(h, ORDERS);
    h.httpMock.expectOne(ORDERS).flush(null, FORBIDDEN);
    await expect(quiet).rejects.toMatchObject({ status: 403 });
    expect(started).toEqual([]);
    expect(h.router.url).toBe('/');
    const admin = get(h, `${API}/admin/users`);
    const landed = navigationEnd(h.router);
    h.httpMock.expectOne(`${API}/admin/users`).flush(null, FORBIDDEN);
    await expect(admin).rejects.toMatchObject({ status: 403 });
    expect(await landed).toBe('/forbidden');
  });

  it("a request's NAVIGATE_ON_AUTH_ERROR context wins over the config: false keeps the user in place", async () => {
    const h = await signedIn({ navigateOnHttpError: true });
    const started = navigationsStarted(h.router);
    const quiet = get(h, ORDERS, new HttpContext().set(NAVIGATE_ON_AUTH_ERROR, false));
    h.httpMock.expectOne(ORDERS).flush(null, FORBIDDEN);
    await expect(quiet).rejects.toMatchObject({ status: 403 });
    expect(started).toEqual([]);
    expect(h.router.url).toBe('/');
  });

  it("a request's NAVIGATE_ON_AUTH_ERROR context wins over the config: true navigates", async () => {
    const off = await signedIn({ navigateOnHttpError: false });
    const loud = get(off, ORDERS, new HttpContext().set(NAVIGATE_ON_AUTH_ERROR, true));
    const landed = navigationEnd(off.router);
    off.httpMock.expectOne(ORDERS).flush(null, FORBIDDEN);
    await expect(loud).rejects.toMatchObject({ status: 403 });
    expect(await landed).toBe('/forbidden');
  });
});

describe('authInterceptor on the server (SSR)', () => {
  it('passes secure-route requests through untouched: no token, no renewal, no navigation on a 401 or 403', async () => {
    const h = await setupAuth({ routes, config: { logLevel: 'none' }, providers: [{ provide: PLATFORM_ID, useValue: 'server' }] });
    const started = navigationsStarted(h.router);
    for (const status of [UNAUTHORIZED, { status: 403, statusText: 'Forbidden' }]) {
      const response = get(h, ORDERS);
      const sent = h.httpMock.expectOne(ORDERS);
      expect(sent.request.headers.has('Authorization')).toBe(false);
      sent.flush(null, status);
      await expect(response).rejects.toMatchObject({ status: status.status });
    }
    expect(started).toEqual([]);
    expect(h.router.url).toBe('/');
    expect(h.op.requests).toEqual([]);
  });
});

describe('AuthInterceptor (HTTP_INTERCEPTORS)', () => {
  it('attaches the token, retries a 401 once, and leaves other origins alone', async () => {
    const clock = { now: 1_700_000_000 };
    const op = await FakeProvider.create({ now: () => clock.now });
    const redirects: string[] = [];
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideHttpClient(withInterceptorsFromDi(), withInterceptors([recordSentRequests])),
        { provide: HTTP_INTERCEPTORS, useClass: AuthInterceptor, multi: true },
        provideHttpClientTesting(),
        provideRouter(routes),
        provideAuth(
          withConfig({
            authority: op.issuer,
            clientId: op.clientId,
            redirectUrl: `${APP}/callback`,
            scope: 'openid offline_access',
            useRefreshToken: true,
            secureRoutes: [`${API}/`],
            logLevel: 'none',
          }),
          withCheckAuthOnStartup(),
        ),
        provideAuthTestingBackend({ fetchJson: op.fetchJson, redirect: (url) => redirects.push(url), now: () => clock.now }),
      ],
    });
    await TestBed.inject(ApplicationInitStatus).donePromise;
    const auth = TestBed.inject(OidcAuth);
    const http = TestBed.inject(HttpClient);
    const httpMock = TestBed.inject(HttpTestingController);
    await auth.login();
    setLocation(await op.authorize(redirects[0]!));
    await auth.checkAuth();
    const oldToken = auth.accessToken();
    expect(oldToken).toMatch(/^at-/);

    const response = firstValueFrom(http.get(ORDERS));
    const first = httpMock.expectOne(ORDERS);
    expect(first.request.headers.get('Authorization')).toBe(`Bearer ${oldToken}`);
    first.flush(null, UNAUTHORIZED);
    const retry = await sentRequest(httpMock, ORDERS);
    expect(retry.request.headers.get('Authorization')).toBe(`Bearer ${auth.accessToken()}`);
    expect(auth.accessToken()).not.toBe(oldToken);
    retry.flush({ ok: true });
    await expect(response).resolves.toEqual({ ok: true });

    const foreign = firstValueFrom(http.get('https://other.test/x'));
    const other = httpMock.expectOne('https://other.test/x');
    expect(other.request.headers.has('Authorization')).toBe(false);
    other.flush({});
    await foreign;
    expect(TestBed.inject(Router).url).toBe('/');
    httpMock.verify();
  });
});
