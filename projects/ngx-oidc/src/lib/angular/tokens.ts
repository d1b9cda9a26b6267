import { DOCUMENT, InjectionToken, inject } from '@angular/core';
import { DEV } from '../core/errors';
import type { OidcConfig } from '../core/config';
import type { FetchJson } from '../core/http';
import type { pushedAuthorizationUrl } from '../core/par';
import type { AuthStorage } from '../core/storage';
import type { HttpEvent, HttpHandlerFn, HttpRequest } from '@angular/common/http';
import type { Observable } from 'rxjs';
import type { DPoPPort } from '../core/dpop-port';
import type { renewInIframe } from './silent-renew';
import type { loginInPopup } from './popup-login';

/**
 * Produces the config at start-up (static, over HTTP, or custom), or several
 * configs for an app that signs in to several providers at once: the first is
 * the default one (`inject(OidcAuth)`), each other has its own `configId`
 * (`injectAuth('partner')`).
 */
export type AuthConfigLoader = () => OidcConfig | readonly OidcConfig[] | Promise<OidcConfig | readonly OidcConfig[]>;

/**
 * The config sources, a multi provider: one per `withConfig`,
 * `withHttpConfigLoader` or `withConfigLoader`. The app's configs are what
 * they produce, in their order.
 */
export const AUTH_CONFIG_LOADER = new InjectionToken<readonly AuthConfigLoader[]>(DEV ? 'ngx-oidc AUTH_CONFIG_LOADER' : '');

/**
 * A custom {@link AuthStorage}. When none is provided, the config key `storage`
 * picks sessionStorage (default), localStorage or memory.
 */
export const AUTH_STORAGE = new InjectionToken<AuthStorage | null>(DEV ? 'ngx-oidc AUTH_STORAGE' : '', { factory: () => null });

/**
 * The network port the core uses. Defaults to HttpClient's backend (so app
 * interceptors never see the library's own requests); tests swap in a fake provider.
 */
export const AUTH_FETCH = new InjectionToken<FetchJson | null>(DEV ? 'ngx-oidc AUTH_FETCH' : '', { factory: () => null });

/** The clock, in seconds since the epoch. Overridable for tests. */
export const AUTH_CLOCK = new InjectionToken<() => number>(DEV ? 'ngx-oidc AUTH_CLOCK' : '', { factory: () => () => Date.now() / 1000 });

/** Sends the browser to the provider (login, logout). Overridable for tests and hybrid apps. */
export const AUTH_REDIRECT = new InjectionToken<(url: string) => void>(DEV ? 'ngx-oidc AUTH_REDIRECT' : '', {
  factory: () => {
    const document = inject(DOCUMENT);
    return (url: string) => document.location.assign(url);
  },
});

/** The PAR step, provided by `withPushedAuthorizationRequests()`; absent, PAR code is not in the bundle. */
export const AUTH_PAR = new InjectionToken<typeof pushedAuthorizationUrl | null>(DEV ? 'ngx-oidc AUTH_PAR' : '', { factory: () => null });

/** The iframe renewer, provided by `withSilentRenewIframe()`; absent, iframe code is not in the bundle. */
export const AUTH_IFRAME_RENEW = new InjectionToken<typeof renewInIframe | null>(DEV ? 'ngx-oidc AUTH_IFRAME_RENEW' : '', { factory: () => null });

/** Popup sign-in, provided by `withPopupLogin()`; absent, no popup code is in the bundle and `loginWithPopup()` fails with `CONFIG_INVALID`. */
export const AUTH_POPUP_LOGIN = new InjectionToken<typeof loginInPopup | null>(DEV ? 'ngx-oidc AUTH_POPUP_LOGIN' : '', { factory: () => null });

/** Set by `withCheckSession()`: the config may then turn on `startCheckSession`. */
export const AUTH_CHECK_SESSION = new InjectionToken<boolean>(DEV ? 'ngx-oidc AUTH_CHECK_SESSION' : '', { factory: () => false });

/** A number in [0, 1) for the renewal back-off jitter. Overridable for tests. */
export const AUTH_RANDOM = new InjectionToken<() => number>(DEV ? 'ngx-oidc AUTH_RANDOM' : '', { factory: () => Math.random });

/** A config's DPoP port (`SessionDeps.dpop`), with the interceptor's way to send a bound token. */
export interface DPoPHttpPort extends DPoPPort {
  /** Sends `req` to a secure route with `Authorization: DPoP` and a proof for its URL (resolved against `base`). */
  send(req: HttpRequest<unknown>, base: string, token: string, next: HttpHandlerFn): Observable<HttpEvent<unknown>>;
}

/** What `withDPoP()` (from `ngx-oidc/dpop`) provides: see {@link AUTH_DPOP}. */
export interface DPoPFeature {
  /** The port of one config id. */
  port(configId: string, now: () => number): DPoPHttpPort;
}

/** DPoP, provided by `withDPoP()` from `ngx-oidc/dpop`; absent, no DPoP code is in the bundle. */
export const AUTH_DPOP = new InjectionToken<DPoPFeature | null>(DEV ? 'ngx-oidc AUTH_DPOP' : '', { factory: () => null });
