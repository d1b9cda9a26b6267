/**
 * TestBed set-up for the Angular layer: the real providers, guards and
 * interceptor over the fake provider, with a controllable clock and the
 * browser redirects captured instead of followed. Not published.
 */
import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ApplicationInitStatus, type EnvironmentProviders, type Provider, provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { type Routes, Router, provideRouter } from '@angular/router';
import type { OidcConfig } from '../lib/core/config';
import { authInterceptor } from '../lib/angular/interceptor';
import { type InternalLoginOptions, OidcAuth } from '../lib/angular/oidc-auth';
import { type AuthFeature, provideAuth, withCheckAuthOnStartup, withConfig } from '../lib/angular/provide-auth';
import { provideAuthTestingBackend } from 'ngx-oidc/testing';
import { FakeProvider, type FakeProviderOptions } from './fake-provider';

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
      provideHttpClient(withInterceptors([authInterceptor()])),
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
