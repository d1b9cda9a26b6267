import { DEV, OidcError } from './errors';
import { isJsonObject, isSecureUrl } from './http';

// The shape of a config (every key, documented) is in config-types.ts; this file fills in the
// defaults and validates.
export type { LogLevel, OidcConfig, ResolvedOidcConfig } from './config-types';
import type { OidcConfig, ResolvedOidcConfig } from './config-types';

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

/** @internal `CONFIG_INVALID` naming `key` (config-json.ts too). */
export function invalid(key: keyof OidcConfig, message: string | false, actual?: unknown): OidcError {
  return new OidcError(DEV && `ngx-oidc config "${key}": ${message}`, 'CONFIG_INVALID', { key, actual });
}

/** @internal True for an absolute URL (config-json.ts too). */
export function isAbsoluteUrl(value: string): boolean {
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
    if (typeof value !== 'string' || value.trim() === '') throw invalid(key, DEV && 'is required');
  }
  if (!isAbsoluteUrl(config.authority)) throw invalid('authority', DEV && 'must be an absolute URL', config.authority);
  if (!isSecureUrl(config.authority)) {
    throw new OidcError(
      DEV && `ngx-oidc config "authority": must use https (http only on localhost or 127.0.0.1)`,
      'INSECURE_URL',
      { key: 'authority', actual: config.authority },
    );
  }
  if (!isAbsoluteUrl(config.redirectUrl)) throw invalid('redirectUrl', DEV && 'must be an absolute URL', config.redirectUrl);
  if (config.responseType !== undefined && config.responseType !== 'code') {
    throw invalid('responseType', DEV && "only 'code' is supported", config.responseType);
  }
  const { usePushedAuthorisationRequests: britishPar, ...given } = stripUndefined(config);
  if (britishPar !== undefined && given.usePushedAuthorizationRequests !== undefined && britishPar !== given.usePushedAuthorizationRequests) {
    throw invalid('usePushedAuthorizationRequests', DEV && 'disagrees with usePushedAuthorisationRequests: set only one', britishPar);
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
    throw invalid('scope', DEV && "must contain 'openid'", resolved.scope);
  }
  for (const [key, names] of Object.entries(NAME_KEYS) as [keyof typeof NAME_KEYS, readonly string[]][]) {
    if (!names.includes(resolved[key])) throw invalid(key, DEV && `must be one of '${names.join("', '")}'`, resolved[key]);
  }
  if (!/^[A-Za-z0-9_-]+$/.test(resolved.configId)) throw invalid('configId', DEV && 'must be letters, digits, - or _', resolved.configId);
  if (!Array.isArray(resolved.secureRoutes)) throw invalid('secureRoutes', DEV && 'must be a list of URLs', resolved.secureRoutes);
  for (const route of resolved.secureRoutes) {
    // A path on the app's own origin ('/api/'), resolved against the document base URL when matched.
    if (typeof route === 'string' && isOriginPath(route)) continue;
    if (typeof route !== 'string' || !isAbsoluteUrl(route)) throw invalid('secureRoutes', DEV && "entries must be absolute URLs or paths such as '/api/'", route);
    // RFC 6750 5.3: bearer tokens only over TLS (loopback excepted for local development).
    if (!isSecureUrl(route)) {
      throw new OidcError(DEV && `ngx-oidc config "secureRoutes": ${route} must use https`, 'INSECURE_URL', { key: 'secureRoutes', actual: route });
    }
  }
  // Values from JSON are checked for their type: "false" must not count as true.
  for (const key of BOOLEAN_KEYS) {
    if (typeof resolved[key] !== 'boolean') throw invalid(key, DEV && 'must be true or false', resolved[key]);
  }
  for (const key of NUMBER_KEYS) {
    const value: unknown = resolved[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalid(key, DEV && 'must be a number of seconds, 0 or more', value);
  }
  if (resolved.maxAge !== undefined && (typeof resolved.maxAge !== 'number' || !(resolved.maxAge >= 0))) {
    throw invalid('maxAge', DEV && 'must be a number of seconds, 0 or more', resolved.maxAge);
  }
  const navigate: unknown = resolved.navigateOnHttpError;
  if (typeof navigate !== 'boolean' && !(Array.isArray(navigate) && navigate.every((r) => typeof r === 'string' && (isOriginPath(r) || isAbsoluteUrl(r))))) {
    throw invalid('navigateOnHttpError', DEV && "must be true, false or a list of URLs or paths such as '/api/'", navigate);
  }
  for (const [name, key] of Object.entries(CONFIG_OWNED_AUTH_PARAMS)) {
    if (isJsonObject(resolved.customParamsAuthRequest) && name in resolved.customParamsAuthRequest) {
      throw invalid('customParamsAuthRequest', DEV && (key ? `cannot set ${name}: use the "${key}" key` : `cannot set ${name}: only query responses are supported`), name);
    }
  }
  // No timeout, or no wait between renewal attempts (a loop against a provider that is down), is never meant.
  for (const key of ['httpTimeoutInSeconds', 'renewRetryInitialDelayInSeconds'] as const) {
    if (resolved[key] <= 0) throw invalid(key, DEV && 'must be more than 0', resolved[key]);
  }
  if (resolved.renewRetryMaxDelayInSeconds < resolved.renewRetryInitialDelayInSeconds) {
    throw invalid('renewRetryMaxDelayInSeconds', DEV && 'must be at least renewRetryInitialDelayInSeconds', resolved.renewRetryMaxDelayInSeconds);
  }
  if (resolved.silentRenew && !resolved.useRefreshToken && !resolved.silentRenewUrl) {
    throw invalid('silentRenewUrl', DEV && 'is required for silent renew without refresh tokens');
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

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
