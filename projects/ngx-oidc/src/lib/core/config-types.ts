import type { StorageKind } from './storage';
import type { ProviderMetadata } from './discovery';

/*
 * The config an app gives (`OidcConfig`, every key documented) and the one the
 * library works with (`ResolvedOidcConfig`); defaults and validation are in config.ts.
 */

/**
 * How much the library logs: `debug` every event (`console.debug`) and every
 * failure (`console.warn`); `warn` failures (`console.warn`) and, in
 * development builds, unknown config keys; `error` failures only, with
 * `console.error`; `none` nothing.
 */
export type LogLevel = 'debug' | 'warn' | 'error' | 'none';

/**
 * The library's configuration. Only `authority`, `clientId` and `redirectUrl`
 * are required; every other key has the default given in its TSDoc. The object
 * is JSON-friendly so it can come from the app's server (`auth-config.json`).
 */
export interface OidcConfig {
  /** The issuer URL of the OpenID Provider, exactly as in its discovery document's `issuer`. */
  authority: string;
  /** The client id registered at the provider (a public client: no secret). */
  clientId: string;
  /** The redirect URI registered at the provider, where the callback route lives. */
  redirectUrl: string;
  /** Where the provider sends the user after logout. Default: none. */
  postLogoutRedirectUri?: string;
  /** Space-separated scopes. Default `'openid profile'`; must contain `openid`. */
  scope?: string;
  /** Only the code flow is supported. Default `'code'`. */
  responseType?: 'code';
  /** Names the config; namespaces its storage keys, tab-sync channel and DPoP key. Default `'default'`. */
  configId?: string;
  /** Renew with refresh tokens (many providers issue them only for the `offline_access` scope). Default `false`. */
  useRefreshToken?: boolean;
  /** Renew tokens before they expire (refresh token, else iframe). Default `false`. */
  silentRenew?: boolean;
  /** The page the silent-renew iframe loads (`silent-renew.html` or a route). Default: none. */
  silentRenewUrl?: string;
  /** How long an iframe renew may take. Default `20` seconds. */
  silentRenewTimeoutInSeconds?: number;
  /**
   * What happens when renewal by iframe needs the user, as it does in browsers that block
   * third-party cookies: the session has no refresh token, and the `prompt=none` iframe got
   * `login_required`, `interaction_required`, `consent_required` or `account_selection_required`
   * (OIDC Core 3.1.2.6), or timed out (`RENEW_TIMEOUT`) at the first try in a page where no iframe
   * renewal has worked yet. `'none'`: the session ends (a timeout keeps it and retries), as
   * always; `'event'`: the same, then a `RenewInteractionRequired` event, for the app to offer a
   * button that signs in again; `'popup'` (needs `withPopupLogin()`): first a popup sign-in of the
   * same user, which renews the session, and as `'event'` when it fails (browsers block a popup
   * not opened by a click); `'redirect'`: a login redirect back to the current route, at most
   * once a minute per tab, else as `'event'`. Used by `withSilentRenewIframe()`. Default `'none'`.
   */
  silentRenewFallback?: 'none' | 'event' | 'popup' | 'redirect';
  /**
   * The page the popup of `loginWithPopup()` is sent back to (needs `withPopupLogin()`): the
   * package's `popup-callback.html`, or a route to `PopupCallbackComponent`; an absolute URL on
   * the app's own origin, another page than `redirectUrl`. Register it as a redirect URI at the
   * provider. Checked when a popup login starts. Default: none (`loginWithPopup()` then fails
   * with `CONFIG_INVALID`).
   */
  popupRedirectUrl?: string;
  /** How long `loginWithPopup()` waits for the provider's answer before it closes the popup and fails with `POPUP_TIMEOUT`. Default `300` seconds. */
  popupTimeoutInSeconds?: number;
  /** Renew when the access token has fewer seconds than this left. Default `30`. */
  renewTimeBeforeTokenExpiresInSeconds?: number;
  /** Send the authorization request by PAR (RFC 9126); needs `withPushedAuthorizationRequests()`. Default `false`; on anyway when the provider requires it. */
  usePushedAuthorizationRequests?: boolean;
  /**
   * The British spelling of {@link OidcConfig.usePushedAuthorizationRequests}, still
   * accepted (configs written for angular-auth-oidc-client use it).
   * @deprecated Use `usePushedAuthorizationRequests`.
   */
  usePushedAuthorisationRequests?: boolean;
  /**
   * With `withDPoP()` (from `ngx-oidc/dpop`): bind this config's tokens to a
   * DPoP key (RFC 9449). `false` keeps Bearer tokens for this config, for
   * example for a provider without DPoP. Without `withDPoP()` it has no effect.
   * Default `true`.
   */
  useDPoP?: boolean;
  /** Extra parameters for the authorization request (cannot override protocol parameters). */
  customParamsAuthRequest?: Record<string, string | number | boolean>;
  /** Extra parameters for the refresh token request. */
  customParamsRefreshTokenRequest?: Record<string, string | number | boolean>;
  /** Extra parameters for the end-session request. */
  customParamsEndSessionRequest?: Record<string, string | number | boolean>;
  /** Accept a refreshed ID token whose `nonce` differs from the first one. Default `false`. */
  ignoreNonceAfterRefresh?: boolean;
  /** How far an ID token's `iat` may be from now. Default `120` seconds. */
  maxIdTokenIatOffsetAllowedInSeconds?: number;
  /** Clock skew tolerated on `exp` and `auth_time`. Default `60` seconds. */
  clockSkewInSeconds?: number;
  /** `max_age` for the authorization request; makes `auth_time` required (OIDC Core 3.1.2.1). */
  maxAge?: number;
  /** Audiences besides `clientId` that may appear in an ID token's `aud`. Default none. */
  trustedAudiences?: string[];
  /** ID token `alg` values accepted, within what the provider advertises. Default: RS, PS, ES families and EdDSA. */
  idTokenSigningAlgs?: string[];
  /** Load userinfo after login and merge it into the user. Default `false`. */
  autoUserInfo?: boolean;
  /** OIDC Session Management: poll the provider's check-session iframe. Default `false`. */
  startCheckSession?: boolean;
  /** Where to go after login when no return URL was stored. Default `'/'`. */
  postLoginRoute?: string;
  /** Where a 403 from a secure route leads, when `navigateOnHttpError` says so. Default `'/forbidden'`. */
  forbiddenRoute?: string;
  /** Where the guards send a user whose login failed, and where a 401 from a secure route leads when `navigateOnHttpError` says so. Default `'/unauthorized'`. */
  unauthorizedRoute?: string;
  /**
   * Whether a 401 or 403 from a secure route moves the user to
   * `unauthorizedRoute` / `forbiddenRoute`: `true` always, or a list of URL
   * prefixes (like `secureRoutes`) for the requests that may; the call fails
   * either way. A request's `NAVIGATE_ON_AUTH_ERROR` context wins. Default `false`.
   */
  navigateOnHttpError?: boolean | string[];
  /** How much to log. Default `'warn'`. */
  logLevel?: LogLevel;
  /** URL prefixes that get the access token: absolute (`https://api.example.com/v1/`) or paths on the app's own origin (`/api/`). Default none. */
  secureRoutes?: string[];
  /** Where tokens are kept. Default `'sessionStorage'`. */
  storage?: StorageKind;
  /** How long the discovery document and JWKS are cached. Default `3600` seconds. */
  discoveryCacheSeconds?: number;
  /** How long a started login may take before its state is refused. Default `600` seconds. */
  transactionTimeoutInSeconds?: number;
  /** Endpoints that replace or complete those from discovery. */
  authWellknownEndpoints?: Partial<ProviderMetadata>;
  /** Resource indicator(s) (RFC 8707) for the authorization and token requests. */
  resource?: string | string[];
  /** How long any request to the provider may take before it fails with `TIMEOUT`. Default `10` seconds. */
  httpTimeoutInSeconds?: number;
  /** The first wait before a renewal that failed transiently (network, 5xx, 429, timeout) is tried again; it doubles, with jitter, after each failure. `Retry-After` wins. More than 0; default `5` seconds. */
  renewRetryInitialDelayInSeconds?: number;
  /** The longest wait between two renewal attempts after transient failures. Default `300` seconds. */
  renewRetryMaxDelayInSeconds?: number;
}

/** An {@link OidcConfig} with every default filled in. */
export type ResolvedOidcConfig = Required<
  Omit<
    OidcConfig,
    'postLogoutRedirectUri' | 'silentRenewUrl' | 'popupRedirectUrl' | 'maxAge' | 'authWellknownEndpoints' | 'resource' | 'usePushedAuthorisationRequests'
  >
> &
  Pick<OidcConfig, 'postLogoutRedirectUri' | 'silentRenewUrl' | 'popupRedirectUrl' | 'maxAge' | 'authWellknownEndpoints' | 'resource'>;
