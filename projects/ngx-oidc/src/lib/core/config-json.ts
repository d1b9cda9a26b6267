import { invalid, isAbsoluteUrl } from './config';
import type { OidcConfig } from './config-types';
import { DEV, OidcError } from './errors';
import { isJsonObject } from './http';

/*
 * A config that comes as JSON (`withHttpConfigLoader`, or a custom loader):
 * the compiler never saw it. `resolveConfig` checks what the library cannot
 * run without; this checks the rest of the shapes, so that a mistyped value
 * fails start-up naming its key instead of failing a login later (an alg list
 * that is a string) or quietly doing the wrong thing (an audience spread into
 * letters, `post_logout_redirect_uri=null`). Only the loaders run it: a config
 * written in TypeScript is checked by the compiler, and apps with one do not
 * ship this.
 */

/** Keys whose value is a string. */
const STRINGS = ['configId', 'postLoginRoute', 'forbiddenRoute', 'unauthorizedRoute'] as const;
/** Keys whose value is an absolute URL. */
const URLS = ['postLogoutRedirectUri', 'silentRenewUrl', 'popupRedirectUrl'] as const;
/** Keys whose value is a list of strings. */
const STRING_LISTS = ['idTokenSigningAlgs', 'trustedAudiences'] as const;
/** Keys whose value is a JSON object. */
const OBJECTS = ['customParamsAuthRequest', 'customParamsRefreshTokenRequest', 'customParamsEndSessionRequest', 'authWellknownEndpoints'] as const;

const isString = (value: unknown): value is string => typeof value === 'string';

/**
 * Checks a config loaded as JSON and returns it without its `null` values (a
 * server that writes unset keys as `null` means "not set", so the defaults
 * apply). Throws `CONFIG_INVALID` naming the first key whose value has the
 * wrong shape. `resolveConfig` runs after it, with its own checks.
 */
export function checkJsonConfig(json: unknown): OidcConfig {
  if (!isJsonObject(json)) throw new OidcError(DEV && 'ngx-oidc config: must be a JSON object', 'CONFIG_INVALID', { actual: json });
  const config = Object.fromEntries(Object.entries(json).filter(([, value]) => value !== null)) as Record<string, unknown>;
  const has = (key: string) => config[key] !== undefined;
  for (const key of STRINGS) if (has(key) && !isString(config[key])) throw invalid(key, DEV && 'must be a string value', config[key]);
  for (const key of URLS) {
    const value = config[key];
    if (has(key) && !(isString(value) && isAbsoluteUrl(value))) throw invalid(key, DEV && 'must be an absolute URL', value);
  }
  for (const key of STRING_LISTS) {
    const value = config[key];
    if (has(key) && !(Array.isArray(value) && value.every(isString))) throw invalid(key, DEV && 'must be a list of strings', value);
  }
  for (const key of OBJECTS) {
    const value = config[key];
    if (has(key) && !isJsonObject(value)) throw invalid(key, DEV && 'must be an object', value);
  }
  // RFC 8707 2: one resource URI or several.
  const resource = config['resource'];
  if (has('resource') && !(isString(resource) || (Array.isArray(resource) && resource.every(isString)))) {
    throw invalid('resource', DEV && 'must be a URI or a list of URIs', resource);
  }
  return config as unknown as OidcConfig;
}
