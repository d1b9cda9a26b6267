import { OidcError } from './errors';
import { isSecureUrl } from './http';
import type { StorageKind } from './storage';
import type { ProviderMetadata } from './discovery';

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
  /** The first wait before a renewal that failed transiently (network, 5xx, 429, timeout) is tried again; it doubles, with jitter, after each failure. `Retry-After` wins. Default `5` seconds. */
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

/** The ID token algorithms accepted by default: asymmetric only (never `none` or HS*). */
export const DEFAULT_ID_TOKEN_ALGS: readonly string[] = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
];

const DEFAULTS = {
  scope: 'openid profile',
  responseType: 'code',
  configId: 'default',
  useRefreshToken: false,
  silentRenew: false,
  silentRenewTimeoutInSeconds: 20,
  silentRenewFallback: 'none',
  popupTimeoutInSeconds: 300,
  renewTimeBeforeTokenExpiresInSeconds: 30,
  usePushedAuthorizationRequests: false,
  useDPoP: true,
  customParamsAuthRequest: {},
  customParamsRefreshTokenRequest: {},
  customParamsEndSessionRequest: {},
  ignoreNonceAfterRefresh: false,
  maxIdTokenIatOffsetAllowedInSeconds: 120,
  clockSkewInSeconds: 60,
  trustedAudiences: [],
  idTokenSigningAlgs: [...DEFAULT_ID_TOKEN_ALGS],
  autoUserInfo: false,
  startCheckSession: false,
  postLoginRoute: '/',
  navigateOnHttpError: false,
  forbiddenRoute: '/forbidden',
  unauthorizedRoute: '/unauthorized',
  logLevel: 'warn',
  secureRoutes: [],
  storage: 'sessionStorage',
  discoveryCacheSeconds: 3600,
  transactionTimeoutInSeconds: 600,
  httpTimeoutInSeconds: 10,
  renewRetryInitialDelayInSeconds: 5,
  renewRetryMaxDelayInSeconds: 300,
} as const satisfies Omit<ResolvedOidcConfig, 'authority' | 'clientId' | 'redirectUrl'>;

/** The keys whose value is one of a few names, with the names. */
const NAME_KEYS = {
  logLevel: ['debug', 'warn', 'error', 'none'],
  storage: ['sessionStorage', 'localStorage', 'memory'],
  silentRenewFallback: ['none', 'event', 'popup', 'redirect'],
} as const;

const BOOLEAN_KEYS = [
  'useRefreshToken', 'silentRenew', 'usePushedAuthorizationRequests', 'useDPoP', 'ignoreNonceAfterRefresh', 'autoUserInfo', 'startCheckSession',
] as const;
const NUMBER_KEYS = [
  'silentRenewTimeoutInSeconds', 'popupTimeoutInSeconds', 'renewTimeBeforeTokenExpiresInSeconds', 'maxIdTokenIatOffsetAllowedInSeconds',
  'clockSkewInSeconds', 'discoveryCacheSeconds', 'transactionTimeoutInSeconds', 'httpTimeoutInSeconds',
  'renewRetryInitialDelayInSeconds', 'renewRetryMaxDelayInSeconds',
] as const;

/**
 * Authorization parameters the library must own besides the protocol ones:
 * `max_age` (set through the `maxAge` key, so that `auth_time` is checked,
 * OIDC Core 3.1.2.1) and `response_mode` (only query responses are handled).
 */
const CONFIG_OWNED_AUTH_PARAMS: Readonly<Record<string, keyof OidcConfig | undefined>> = { max_age: 'maxAge', response_mode: undefined };

function invalid(key: keyof OidcConfig, message: string, actual?: unknown): OidcError {
  return new OidcError(`ngx-oidc config "${key}": ${message}`, 'CONFIG_INVALID', { key, actual });
}

function isAbsoluteUrl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks a config and fills in the defaults. Throws `CONFIG_INVALID` naming
 * the key at fault, or `INSECURE_URL` for an authority that is not https off
 * loopback (RFC 6749 3.1; RFC 9700 2.6).
 */
export function resolveConfig(config: OidcConfig): ResolvedOidcConfig {
  for (const key of ['authority', 'clientId', 'redirectUrl'] as const) {
    const value: unknown = config?.[key];
    if (typeof value !== 'string' || value.trim() === '') throw invalid(key, 'is required');
  }
  if (!isAbsoluteUrl(config.authority)) throw invalid('authority', 'must be an absolute URL', config.authority);
  if (!isSecureUrl(config.authority)) {
    throw new OidcError(
      `ngx-oidc config "authority": must use https (http only on localhost or 127.0.0.1)`,
      'INSECURE_URL',
      { key: 'authority', actual: config.authority },
    );
  }
  if (!isAbsoluteUrl(config.redirectUrl)) throw invalid('redirectUrl', 'must be an absolute URL', config.redirectUrl);
  if (config.responseType !== undefined && config.responseType !== 'code') {
    throw invalid('responseType', "only 'code' is supported", config.responseType);
  }
  const { usePushedAuthorisationRequests: britishPar, ...given } = stripUndefined(config);
  if (britishPar !== undefined && given.usePushedAuthorizationRequests !== undefined && britishPar !== given.usePushedAuthorizationRequests) {
    throw invalid('usePushedAuthorizationRequests', 'disagrees with usePushedAuthorisationRequests: set only one', britishPar);
  }
  // A fresh copy of the defaults: resolved configs must not share (and mutate) the default arrays and objects.
  const resolved: ResolvedOidcConfig = {
    ...structuredClone(DEFAULTS),
    ...(britishPar !== undefined ? { usePushedAuthorizationRequests: britishPar } : {}),
    ...given,
    authority: config.authority,
    clientId: config.clientId,
    redirectUrl: config.redirectUrl,
  };
  // OIDC Core 3.1.2.1: the openid scope value is required.
  if (typeof resolved.scope !== 'string' || !resolved.scope.split(' ').includes('openid')) {
    throw invalid('scope', "must contain 'openid'", resolved.scope);
  }
  for (const [key, names] of Object.entries(NAME_KEYS) as [keyof typeof NAME_KEYS, readonly string[]][]) {
    if (!names.includes(resolved[key])) throw invalid(key, `must be one of '${names.join("', '")}'`, resolved[key]);
  }
  if (!/^[A-Za-z0-9_-]+$/.test(resolved.configId)) throw invalid('configId', 'must be letters, digits, - or _', resolved.configId);
  if (!Array.isArray(resolved.secureRoutes)) throw invalid('secureRoutes', 'must be a list of URLs', resolved.secureRoutes);
  for (const route of resolved.secureRoutes) {
    // A path on the app's own origin ('/api/'), resolved against the document base URL when matched.
    if (typeof route === 'string' && isOriginPath(route)) continue;
    if (typeof route !== 'string' || !isAbsoluteUrl(route)) throw invalid('secureRoutes', "entries must be absolute URLs or paths such as '/api/'", route);
    // RFC 6750 5.3: bearer tokens only over TLS (loopback excepted for local development).
    if (!isSecureUrl(route)) {
      throw new OidcError(`ngx-oidc config "secureRoutes": ${route} must use https`, 'INSECURE_URL', { key: 'secureRoutes', actual: route });
    }
  }
  // Values from JSON are checked for their type: "false" must not count as true.
  for (const key of BOOLEAN_KEYS) {
    if (typeof resolved[key] !== 'boolean') throw invalid(key, 'must be true or false', resolved[key]);
  }
  for (const key of NUMBER_KEYS) {
    const value: unknown = resolved[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalid(key, 'must be a number of seconds, 0 or more', value);
  }
  if (resolved.maxAge !== undefined && (typeof resolved.maxAge !== 'number' || !(resolved.maxAge >= 0))) {
    throw invalid('maxAge', 'must be a number of seconds, 0 or more', resolved.maxAge);
  }
  const navigate: unknown = resolved.navigateOnHttpError;
  if (typeof navigate !== 'boolean' && !(Array.isArray(navigate) && navigate.every((r) => typeof r === 'string' && (isOriginPath(r) || isAbsoluteUrl(r))))) {
    throw invalid('navigateOnHttpError', "must be true, false or a list of URLs or paths such as '/api/'", navigate);
  }
  for (const [name, key] of Object.entries(CONFIG_OWNED_AUTH_PARAMS)) {
    if (isPlainObject(resolved.customParamsAuthRequest) && name in resolved.customParamsAuthRequest) {
      throw invalid('customParamsAuthRequest', key ? `cannot set ${name}: use the "${key}" key` : `cannot set ${name}: only query responses are supported`, name);
    }
  }
  if (resolved.httpTimeoutInSeconds <= 0) throw invalid('httpTimeoutInSeconds', 'must be more than 0', resolved.httpTimeoutInSeconds);
  if (resolved.renewRetryMaxDelayInSeconds < resolved.renewRetryInitialDelayInSeconds) {
    throw invalid('renewRetryMaxDelayInSeconds', 'must be at least renewRetryInitialDelayInSeconds', resolved.renewRetryMaxDelayInSeconds);
  }
  if (resolved.silentRenew && !resolved.useRefreshToken && !resolved.silentRenewUrl) {
    throw invalid('silentRenewUrl', 'is required for silent renew without refresh tokens');
  }
  return resolved;
}

/**
 * The keys of `config` that {@link OidcConfig} does not have: usually a typo
 * or a key of another library, which would otherwise be ignored in silence.
 * The Angular layer warns about them in development builds (so production
 * builds drop this function).
 */
export function unknownConfigKeys(config: object): string[] {
  const known = knownConfigKeys();
  return Object.keys(config).filter((key) => !known.includes(key));
}

/**
 * The key a misspelt `key` most likely meant: the same letters in another
 * case, or `Uri` and `Url` swapped (the names follow angular-auth-oidc-client:
 * `redirectUrl` but `postLogoutRedirectUri`). For the development warning.
 */
export function suggestConfigKey(key: string): string | undefined {
  const fold = (k: string) => k.toLowerCase().replace(/uri/g, 'url');
  return knownConfigKeys().find((k) => fold(k) === fold(key));
}

function knownConfigKeys(): string[] {
  // Every key of OidcConfig: the compiler checks that none is missing.
  const others: Readonly<Record<Exclude<keyof OidcConfig, keyof typeof DEFAULTS>, true>> = {
    authority: true, clientId: true, redirectUrl: true, postLogoutRedirectUri: true, silentRenewUrl: true, popupRedirectUrl: true, maxAge: true,
    authWellknownEndpoints: true, resource: true, usePushedAuthorisationRequests: true,
  };
  return [...Object.keys(DEFAULTS), ...Object.keys(others)];
}

/** A path on the app's own origin: one leading `/`, not `//` or `/\\` (which browsers read as another host). */
function isOriginPath(value: string): boolean {
  return value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
