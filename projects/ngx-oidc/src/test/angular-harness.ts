/**
 * TestBed set-up for the Angular layer: the real providers, guards and
 * interceptor over the fake provider, with a controllable clock and the
 * browser redirects captured instead of followed. Not published.
 */
import { HttpClient, type HttpInterceptorFn, type HttpRequest, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, type TestRequest, provideHttpClientTesting } from '@angular/common/http/testing';
import { ApplicationInitStatus, type EnvironmentProviders, Injectable, type Provider, inject, provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { type Routes, Router, provideRouter } from '@angular/router';
import { Observable, Subject, filter, firstValueFrom, lastValueFrom, take } from 'rxjs';
import type { AuthEvent } from '../lib/angular/events';
import type { OidcConfig } from '../lib/core/config';
import { authInterceptor } from '../lib/angular/interceptor';
import { type InternalLoginOptions, OidcAuth } from '../lib/angular/oidc-auth';
import { type AuthFeature, provideAuth, withCheckAuthOnStartup, withConfig } from '../lib/angular/provide-auth';
import { provideAuthTestingBackend } from 'ngx-oidc/testing';
import { FakeProvider, type FakeProviderOptions } from './fake-provider';
import { elementInPage } from './helpers';

/** The app's origin in jsdom. */
export const APP = 'http://localhost';
/** A secure API origin and a foreign one. */
export const API = 'https://api.example.test';

/** Options for {@link setupAuth}. */
export interface HarnessOptions {
  readonly config?: Partial<OidcConfig>;
  readonly op?: FakeProviderOptions;
  /** Features besides `withConfig` (default: `withCheckAuthOnStartup()`). */
  readonly features?: AuthFeature[];
  readonly routes?: Routes;
  readonly providers?: (Provider | EnvironmentProviders)[];
  /** Start the clock here (seconds). */
  readonly now?: number;
  /** An existing provider (to share between "tabs"). */
  readonly provider?: FakeProvider;
  /** Run the app initializers (default true). */
  readonly initialize?: boolean;
}

/**
 * The requests the app's HttpClient hands to its backend (HttpTestingController),
 * as they go. A request that waits for a renewal, a DPoP proof or a step-up
 * reaches the backend only at the end of an async chain, with real WebCrypto on
 * the way: {@link sentRequests} awaits that moment instead of polling for it.
 */
@Injectable({ providedIn: 'root' })
export class SentRequests {
  /** Each request, once the backend has it. */
  readonly sent$ = new Subject<HttpRequest<unknown>>();
}

/** The last interceptor of the test apps: tells {@link SentRequests} of each request the backend receives. */
export const recordSentRequests: HttpInterceptorFn = (req, next) => {
  const sent = inject(SentRequests);
  return new Observable((subscriber) => {
    // HttpTestingController holds the request once subscribed to: report it after that.
    const subscription = next(req).subscribe(subscriber);
    sent.sent$.next(req);
    return subscription;
  });
};

/** Which requests a test waits for: the URL with its query (as HttpTestingController matches a string), or a predicate. */
export type RequestMatch = string | ((req: HttpRequest<unknown>) => boolean);

/**
 * Takes the `count` requests matching `match` from HttpTestingController, as
 * `match()` does, once that many have been sent: at once when they are there,
 * else when the last of them is sent (see {@link SentRequests}; the app must
 * have {@link recordSentRequests}, as {@link setupAuth} gives it).
 */
export async function sentRequests(httpMock: HttpTestingController, match: RequestMatch, count: number): Promise<TestRequest[]> {
  const matches = typeof match === 'string' ? (req: HttpRequest<unknown>) => req.urlWithParams === match : match;
  const taken = httpMock.match(matches);
  if (taken.length < count) {
    await lastValueFrom(TestBed.inject(SentRequests).sent$.pipe(filter(matches), take(count - taken.length)));
    taken.push(...httpMock.match(matches));
  }
  return taken;
}

/** The one request matching `match`, once it is sent (see {@link sentRequests}); fails when more than one is. */
export async function sentRequest(httpMock: HttpTestingController, match: RequestMatch): Promise<TestRequest> {
  const found = await sentRequests(httpMock, match, 1);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/**
 * The next event of `type` on `auth.events$`. Call it before what causes the
 * event: the promise subscribes at once and settles when the event comes.
 */
export function nextEvent<T extends AuthEvent['type']>(auth: { readonly events$: Observable<AuthEvent> }, type: T): Promise<Extract<AuthEvent, { type: T }>> {
  return firstValueFrom(auth.events$.pipe(filter((e): e is Extract<AuthEvent, { type: T }> => e.type === type)));
}

/**
 * The silent-renew iframe, once the library has put it in the page with its
 * `prompt=none` request (signed with real WebCrypto first): awaited with
 * {@link elementInPage}, not polled. Its timeout is armed from then on.
 */
export function renewIframe(): Promise<HTMLIFrameElement> {
  return elementInPage<HTMLIFrameElement>('iframe[title="ngx-oidc silent renew"][src]');
}

/** Puts the jsdom address bar on `path` (an app URL, or a full URL on the app's origin). */
export function setLocation(path: string): void {
  window.history.replaceState(null, '', path);
}

/** A test app: TestBed with the library, the fake provider and handles on both. */
export async function setupAuth(options: HarnessOptions = {}) {
  const clock = { now: options.now ?? 1_700_000_000 };
  const op = options.provider ?? (await FakeProvider.create({ now: () => clock.now, ...options.op }));
  const redirects: string[] = [];
  const config: OidcConfig = {
    authority: op.issuer,
    clientId: op.clientId,
    redirectUrl: `${APP}/callback`,
    postLogoutRedirectUri: `${APP}/`,
    scope: 'openid profile offline_access',
    useRefreshToken: true,
    secureRoutes: [`${API}/`],
    logLevel: 'none',
    ...options.config,
  };
  TestBed.configureTestingModule({
    providers: [
      provideZonelessChangeDetection(),
      provideHttpClient(withInterceptors([authInterceptor(), recordSentRequests])),
      provideHttpClientTesting(),
      provideRouter(options.routes ?? []),
      provideAuth(withConfig(config), ...(options.features ?? [withCheckAuthOnStartup()])),
      provideAuthTestingBackend({ fetchJson: op.fetchJson, redirect: (url) => redirects.push(url), now: () => clock.now }),
      ...(options.providers ?? []),
    ],
  });
  // The app initializers (config load, start-up check) run as in a real app start.
  if (options.initialize !== false) await TestBed.inject(ApplicationInitStatus).donePromise;
  const auth = TestBed.inject(OidcAuth);
  return {
    op,
    clock,
    redirects,
    config,
    auth,
    router: TestBed.inject(Router),
    http: TestBed.inject(HttpClient),
    httpMock: TestBed.inject(HttpTestingController),
    /** Follows the last redirect to the provider and returns the callback URL it answers with. */
    async providerAnswer(authorizeOptions: Parameters<FakeProvider['authorize']>[1] = {}): Promise<string> {
      const url = redirects.at(-1);
      if (!url) throw new Error('no redirect to the provider happened');
      return op.authorize(url, authorizeOptions);
    },
  };
}

/**
 * Signs a user in through the real flow: `login()`, the provider's answer,
 * then `checkAuth()` on the callback URL, as the app initializer would.
 */
export async function signIn(h: Awaited<ReturnType<typeof setupAuth>>, returnUrl = '/orders'): Promise<void> {
  await h.auth.login({ returnUrl });
  setLocation(await h.providerAnswer());
  await h.auth.checkAuth();
  setLocation('/');
}

/** What the fake provider is told at a login: the user, a denial, the sign-in time. */
export type AuthorizeOptions = Parameters<FakeProvider['authorize']>[1];

/**
 * A stand-in for `AUTH_POPUP_LOGIN`: the popup's round trip without a window
 * (popup-login.spec.ts covers the window), with the real login steps, answered
 * by the fake provider as `answer()` says; records each login's options in `calls`.
 */
export function popupRoundTrip(op: () => FakeProvider, answer: () => AuthorizeOptions, calls: InternalLoginOptions[]) {
  return async (auth: OidcAuth, options: InternalLoginOptions) => {
    calls.push(options);
    const { session } = await auth.ctx();
    try {
      const { url } = await (await session.preload()).beginLogin(session, options);
      const result = await session.finishLogin(await op().authorize(url, answer()));
      (await auth.actions()).loggedIn(auth, result.session);
      return result;
    } catch (e) {
      throw auth.fail(e);
    }
  };
}
