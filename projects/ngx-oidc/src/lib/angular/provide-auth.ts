import { HttpClient } from '@angular/common/http';
import {
  type EnvironmentProviders,
  Injector,
  type Provider,
  inject,
  makeEnvironmentProviders,
  provideAppInitializer,
  runInInjectionContext,
} from '@angular/core';
import { firstValueFrom, timeout } from 'rxjs';
import { checkJsonConfig } from '../core/config-json';
import type { OidcConfig } from '../core/config';
import { DEV, OidcError } from '../core/errors';
import type { AuthStorage } from '../core/storage';
import { startCheckSession } from './check-session';
import { OidcAuth } from './oidc-auth';
import { pushedAuthorizationUrl } from '../core/par';
import { renewInIframe } from './silent-renew';
import { loginInPopup } from './popup-login';
import { type StepUpOptions, stepUpHandler } from './step-up';
import { useRenewFallback } from './renew-fallback';
import { startPeers } from './multiple-configs';
import {
  AUTH_CHECK_SESSION,
  AUTH_CONFIG_LOADER,
  AUTH_IFRAME_RENEW,
  AUTH_PAR,
  AUTH_POPUP_LOGIN,
  AUTH_STORAGE,
  type AuthConfigLoader,
} from './tokens';

/**
 * The kinds of {@link AuthFeature}, one per `with…` function. An object
 * rather than a TypeScript enum (which would ship every name twice); each
 * kind is a type too, as in `AuthFeature<AuthFeatureKind.DPoP>`.
 */
export const AuthFeatureKind = {
  /** `withConfig()`. */
  Config: 0,
  /** `withHttpConfigLoader()`. */
  HttpConfigLoader: 1,
  /** `withConfigLoader()`. */
  ConfigLoader: 2,
  /** `withCheckAuthOnStartup()`. */
  CheckAuthOnStartup: 3,
  /** `withStorage()`. */
  Storage: 4,
  /** `withCheckSession()`. */
  CheckSession: 5,
  /** `withPushedAuthorizationRequests()`. */
  PushedAuthorizationRequests: 6,
  /** `withSilentRenewIframe()`. */
  SilentRenewIframe: 7,
  /** `withDPoP()`, from `ngx-oidc/dpop`. */
  DPoP: 8,
  /** `withPopupLogin()`. */
  PopupLogin: 9,
  /** `withStepUp()`. */
  StepUp: 10,
  /** `withMultipleConfigs()`. */
  MultipleConfigs: 11,
} as const;

/** One of the {@link AuthFeatureKind} values. */
export type AuthFeatureKind = (typeof AuthFeatureKind)[keyof typeof AuthFeatureKind];

/** Each kind as a type, for `AuthFeature<AuthFeatureKind.DPoP>`. */
export declare namespace AuthFeatureKind {
  /** `withConfig()`. */
  type Config = typeof AuthFeatureKind.Config;
  /** `withHttpConfigLoader()`. */
  type HttpConfigLoader = typeof AuthFeatureKind.HttpConfigLoader;
  /** `withConfigLoader()`. */
  type ConfigLoader = typeof AuthFeatureKind.ConfigLoader;
  /** `withCheckAuthOnStartup()`. */
  type CheckAuthOnStartup = typeof AuthFeatureKind.CheckAuthOnStartup;
  /** `withStorage()`. */
  type Storage = typeof AuthFeatureKind.Storage;
  /** `withCheckSession()`. */
  type CheckSession = typeof AuthFeatureKind.CheckSession;
  /** `withPushedAuthorizationRequests()`. */
  type PushedAuthorizationRequests = typeof AuthFeatureKind.PushedAuthorizationRequests;
  /** `withSilentRenewIframe()`. */
  type SilentRenewIframe = typeof AuthFeatureKind.SilentRenewIframe;
  /** `withDPoP()`, from `ngx-oidc/dpop`. */
  type DPoP = typeof AuthFeatureKind.DPoP;
  /** `withPopupLogin()`. */
  type PopupLogin = typeof AuthFeatureKind.PopupLogin;
  /** `withStepUp()`. */
  type StepUp = typeof AuthFeatureKind.StepUp;
  /** `withMultipleConfigs()`. */
  type MultipleConfigs = typeof AuthFeatureKind.MultipleConfigs;
}

/** A feature for {@link provideAuth}, made by a `with…` function. */
export interface AuthFeature<K extends AuthFeatureKind = AuthFeatureKind> {
  /** @internal */
  readonly ɵkind: K;
  /** @internal */
  readonly ɵproviders: readonly (Provider | EnvironmentProviders)[];
}

function authFeature<K extends AuthFeatureKind>(kind: K, providers: (Provider | EnvironmentProviders)[]): AuthFeature<K> {
  return { ɵkind: kind, ɵproviders: providers };
}

/** A loaded config (or several), checked as JSON: a loader's answer never met the compiler. */
function checkLoaded(loaded: OidcConfig | readonly OidcConfig[]): OidcConfig | OidcConfig[] {
  return Array.isArray(loaded) ? loaded.map(checkJsonConfig) : checkJsonConfig(loaded);
}

/** How long `withHttpConfigLoader` waits for the config: the default `httpTimeoutInSeconds`, since no config is loaded yet. */
const CONFIG_LOAD_TIMEOUT_MS = 10_000;

const CONFIG_KINDS: readonly AuthFeatureKind[] = [AuthFeatureKind.Config, AuthFeatureKind.HttpConfigLoader, AuthFeatureKind.ConfigLoader];

/**
 * Sets up ngx-oidc for a standalone app: the {@link OidcAuth} service and an
 * app initializer that loads and validates the config. Give it a config
 * source (`withConfig`, `withHttpConfigLoader` or `withConfigLoader`); an app
 * that signs in to several providers at once gives one per config (or a
 * source that produces several), each with its own `configId`: the first is
 * `inject(OidcAuth)`, the others `injectAuth('partner')`.
 *
 * @example
 * ```ts
 * provideAuth(withConfig({ authority, clientId, redirectUrl }), withCheckAuthOnStartup())
 * provideAuth(withConfig(ours), withConfig({ ...partner, configId: 'partner' }), withCheckAuthOnStartup())
 * ```
 */
export function provideAuth(...features: AuthFeature[]): EnvironmentProviders {
  if (!features.some((f) => CONFIG_KINDS.includes(f.ɵkind))) {
    throw new OidcError(DEV && 'provideAuth needs a config: withConfig, withHttpConfigLoader or withConfigLoader', 'CONFIG_INVALID');
  }
  return makeEnvironmentProviders([
    OidcAuth,
    provideAppInitializer(() => inject(OidcAuth).loadConfig()),
    ...features.flatMap((f) => f.ɵproviders),
  ]);
}

/** A static config; give one per config to sign in to several providers. */
export function withConfig(config: OidcConfig): AuthFeature<AuthFeatureKind.Config> {
  return authFeature(AuthFeatureKind.Config, [{ provide: AUTH_CONFIG_LOADER, useValue: () => config, multi: true }]);
}

/**
 * Loads the config over HTTP at start-up (for example `/auth-config.json`
 * served by the app's server), or an array of configs (several providers),
 * optionally mapped from the server's own shape;
 * `map` runs in an injection context, so it may `inject()` (to keep the app's
 * own keys, say). Needs `provideHttpClient()`. A failed load, or none within
 * 10 seconds, fails start-up with `CONFIG_INVALID`.
 */
export function withHttpConfigLoader(
  url: string,
  map: (json: unknown) => OidcConfig | readonly OidcConfig[] = (json) => json as OidcConfig,
): AuthFeature<AuthFeatureKind.HttpConfigLoader> {
  return authFeature(AuthFeatureKind.HttpConfigLoader, [
    {
      provide: AUTH_CONFIG_LOADER,
      multi: true,
      useFactory: (): AuthConfigLoader => {
        const http = inject(HttpClient);
        const injector = inject(Injector);
        return async () => {
          let json: unknown;
          try {
            // A server that never answers must not hold the app's start for ever (nor SSR's prerendering).
            json = await firstValueFrom(http.get<unknown>(url).pipe(timeout(CONFIG_LOAD_TIMEOUT_MS)));
          } catch (e) {
            throw new OidcError(DEV && `ngx-oidc: the config could not be loaded from ${url}`, 'CONFIG_INVALID', { url, reason: e });
          }
          return checkLoaded(runInInjectionContext(injector, () => map(json)));
        };
      },
    },
  ]);
}

/** A custom config source, run in an injection context (so it may `inject()`). */
export function withConfigLoader(factory: AuthConfigLoader): AuthFeature<AuthFeatureKind.ConfigLoader> {
  return authFeature(AuthFeatureKind.ConfigLoader, [
    {
      provide: AUTH_CONFIG_LOADER,
      multi: true,
      useFactory: (): AuthConfigLoader => {
        const injector = inject(Injector);
        return async () => checkLoaded(await runInInjectionContext(injector, factory));
      },
    },
  ]);
}

/**
 * An app initializer that settles the session before the first navigation:
 * finishes a login callback, or restores (and if needed renews) a stored session.
 */
export function withCheckAuthOnStartup(): AuthFeature<AuthFeatureKind.CheckAuthOnStartup> {
  return authFeature(AuthFeatureKind.CheckAuthOnStartup, [provideAppInitializer(() => inject(OidcAuth).checkAuth().then(() => undefined))]);
}

/** Keeps tokens in a custom {@link AuthStorage} instead of the config's `storage`. */
export function withStorage(storage: AuthStorage): AuthFeature<AuthFeatureKind.Storage> {
  return authFeature(AuthFeatureKind.Storage, [{ provide: AUTH_STORAGE, useValue: storage }]);
}

/**
 * OIDC Session Management: when the config sets `startCheckSession`, polls
 * the provider's check-session iframe once signed in; a `changed` answer is
 * re-checked with a `prompt=none` request through the silent-renew iframe
 * (add `withSilentRenewIframe()` and `silentRenewUrl`): the same user keeps the
 * session, another user or `login_required` ends it. Without this feature,
 * `startCheckSession: true` fails start-up with `CONFIG_INVALID`.
 * Only pulled into the bundle by apps that use it.
 */
export function withCheckSession(): AuthFeature<AuthFeatureKind.CheckSession> {
  return authFeature(AuthFeatureKind.CheckSession, [
    { provide: AUTH_CHECK_SESSION, useValue: true },
    provideAppInitializer(() => {
      const auth = inject(OidcAuth);
      const injector = inject(Injector);
      startCheckSession(auth);
      // The other configs' sessions too (several providers), once loaded; a failed load is reported by loadConfig().
      return auth.loadConfig().then(
        () => auth.peers?.forEach((peer) => peer !== auth && runInInjectionContext(injector, () => startCheckSession(peer))),
        () => undefined,
      );
    }),
  ]);
}

/**
 * Pushed Authorization Requests (RFC 9126): needed when the config sets
 * `usePushedAuthorizationRequests` or the provider requires PAR. A separate
 * feature so that apps without PAR do not ship its code.
 */
export function withPushedAuthorizationRequests(): AuthFeature<AuthFeatureKind.PushedAuthorizationRequests> {
  return authFeature(AuthFeatureKind.PushedAuthorizationRequests, [{ provide: AUTH_PAR, useValue: pushedAuthorizationUrl }]);
}

/**
 * Silent renew by a hidden iframe (`prompt=none`, OIDC Core 3.1.2.1), for
 * `silentRenew` without refresh tokens; the page at `silentRenewUrl` posts the
 * response back. When the iframe needs the user, as in browsers that block
 * third-party cookies, the config's `silentRenewFallback` says what follows:
 * nothing more than the end of the session (the default), a
 * `RenewInteractionRequired` event, a popup sign-in (`'popup'` needs
 * `withPopupLogin()`, else start-up fails with `CONFIG_INVALID`) or a login
 * redirect. A separate feature so that refresh-token apps do not ship it.
 */
export function withSilentRenewIframe(): AuthFeature<AuthFeatureKind.SilentRenewIframe> {
  return authFeature(AuthFeatureKind.SilentRenewIframe, [
    { provide: AUTH_IFRAME_RENEW, useValue: renewInIframe },
    provideAppInitializer(() => useRenewFallback(inject(OidcAuth))),
  ]);
}

/**
 * Sign-in in a popup window, `auth.loginWithPopup()`: the app's page stays as
 * it is. The popup comes back to `popupRedirectUrl` (the package's
 * `popup-callback.html`, or a route to `PopupCallbackComponent`), which hands
 * the answer back by `postMessage` and, when the provider's
 * `Cross-Origin-Opener-Policy` cut the popup off, by BroadcastChannel. A
 * separate feature so that apps without popups do not ship its code; without
 * it `loginWithPopup()` fails with `CONFIG_INVALID`.
 */
export function withPopupLogin(): AuthFeature<AuthFeatureKind.PopupLogin> {
  return authFeature(AuthFeatureKind.PopupLogin, [{ provide: AUTH_POPUP_LOGIN, useValue: loginInPopup }]);
}

/**
 * Step-up authentication (RFC 9470): when a secure route answers 401 with
 * `WWW-Authenticate: Bearer error="insufficient_user_authentication"` and the
 * `acr_values` and/or `max_age` it needs, the user signs in again with them,
 * as the same user; the new ID token's `acr` and `auth_time` are checked
 * against what was asked. In `'popup'` mode (with `withPopupLogin()`) the
 * refused request is then sent again once with the new token; in
 * `'redirect'` mode the user comes back to the current route. Without this
 * feature the demand is only reported, as a `StepUpRequired` event.
 * The API must expose `WWW-Authenticate` to the app by CORS.
 *
 * @example
 * ```ts
 * provideAuth(withConfig(config), withPopupLogin(), withStepUp({ mode: 'popup' }))
 * ```
 */
export function withStepUp(options: StepUpOptions = { mode: 'redirect' }): AuthFeature<AuthFeatureKind.StepUp> {
  return authFeature(AuthFeatureKind.StepUp, [
    provideAppInitializer(() => {
      inject(OidcAuth).stepUpHandler = stepUpHandler(options);
    }),
  ]);
}

/**
 * Several configs at once, to sign in to several providers (or tenants) at
 * the same time, each with its own session, storage, renewal, tab sync and
 * events under its `configId`. Give the configs as several config sources
 * (`withConfig(a), withConfig(b)`) or as one source that produces an array.
 * The first is the default, `inject(OidcAuth)`; reach the others with
 * `injectAuth('partner')` or `auth.forConfig('partner')`, and guard routes
 * with `autoLoginGuard('partner')`. One callback route serves them all: the
 * pending login's `state` says whose answer it is, and the answer's `iss`
 * must be that provider's (mix-up defence). The interceptor sends each
 * config's token to its own `secureRoutes`, which must not overlap (else
 * start-up fails with `CONFIG_INVALID`). Logging out of one keeps the others.
 * Without this feature, a second config fails start-up with `CONFIG_INVALID`.
 *
 * @example
 * ```ts
 * provideAuth(withConfig(ours), withConfig({ ...partner, configId: 'partner' }), withMultipleConfigs(), withCheckAuthOnStartup())
 * ```
 */
export function withMultipleConfigs(): AuthFeature<AuthFeatureKind.MultipleConfigs> {
  return authFeature(AuthFeatureKind.MultipleConfigs, [
    provideAppInitializer(() => {
      inject(OidcAuth).startPeers = startPeers;
    }),
  ]);
}
