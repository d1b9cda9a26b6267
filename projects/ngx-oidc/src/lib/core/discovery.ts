import { DEV, OidcError } from './errors';
import { type FetchJson, isSecureUrl } from './http';
import { getRequest, parseJsonObject, send, expectStatus } from './http-exchange';
import type { Store } from './storage';

/**
 * OpenID Provider metadata, the fields this library reads.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 */
export interface ProviderMetadata {
  /** The issuer identifier; equals the configured authority exactly. */
  readonly issuer: string;
  /** Authorization endpoint (OIDC Core 3.1.2). */
  readonly authorization_endpoint: string;
  /** Token endpoint (OIDC Core 3.1.3). */
  readonly token_endpoint: string;
  /** The provider's signing keys. */
  readonly jwks_uri: string;
  /** Response types the provider supports. */
  readonly response_types_supported: readonly string[];
  /** Subject identifier types. */
  readonly subject_types_supported: readonly string[];
  /** Algorithms the provider may sign ID tokens with. */
  readonly id_token_signing_alg_values_supported: readonly string[];
  /** UserInfo endpoint (OIDC Core 5.3). */
  readonly userinfo_endpoint?: string;
  /** RP-Initiated Logout endpoint. */
  readonly end_session_endpoint?: string;
  /** Session Management check-session iframe. */
  readonly check_session_iframe?: string;
  /** Token revocation endpoint (RFC 7009). */
  readonly revocation_endpoint?: string;
  /** Client authentication methods the revocation endpoint accepts (RFC 8414 2); `none` admits public clients. */
  readonly revocation_endpoint_auth_methods_supported?: readonly string[];
  /** Token introspection endpoint (RFC 7662); not used by the client itself. */
  readonly introspection_endpoint?: string;
  /** Pushed authorization request endpoint (RFC 9126). */
  readonly pushed_authorization_request_endpoint?: string;
  /** The provider accepts authorization requests only by PAR (RFC 9126 5). */
  readonly require_pushed_authorization_requests?: boolean;
  /** The provider puts `iss` in authorization responses (RFC 9207 3). */
  readonly authorization_response_iss_parameter_supported?: boolean;
  /** PKCE methods the provider supports (RFC 8414 2). */
  readonly code_challenge_methods_supported?: readonly string[];
  /** Algorithms the provider accepts for DPoP proofs (RFC 9449 5.1). */
  readonly dpop_signing_alg_values_supported?: readonly string[];
  /** Scopes the provider supports. */
  readonly scopes_supported?: readonly string[];
}

/** The discovery document as cached: the metadata and when it was fetched. */
export interface CachedDiscovery {
  /** The authority it was fetched for; another authority ignores it. */
  readonly authority: string;
  /** Seconds since the epoch. */
  readonly fetchedAt: number;
  /** The validated metadata. */
  readonly metadata: ProviderMetadata;
}

const REQUIRED_URLS = ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const;
const OPTIONAL_URLS = [
  'userinfo_endpoint',
  'end_session_endpoint',
  'check_session_iframe',
  'revocation_endpoint',
  'introspection_endpoint',
  'pushed_authorization_request_endpoint',
] as const;
const REQUIRED_LISTS = [
  'response_types_supported',
  'subject_types_supported',
  'id_token_signing_alg_values_supported',
] as const;
/** Lists the library reads when the provider has them (RFC 9449 5.1, RFC 8414 2). */
const OPTIONAL_LISTS = ['dpop_signing_alg_values_supported', 'revocation_endpoint_auth_methods_supported'] as const;

/**
 * The discovery URL for an issuer. A terminating `/` is removed before
 * `/.well-known/openid-configuration` is appended (OIDC Discovery 4).
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationRequest
 */
export function discoveryUrl(authority: string): string {
  return `${authority.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

function isStringList(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/**
 * Checks a discovery document against the configured authority and returns it
 * as {@link ProviderMetadata}, with `overrides` applied on top (the issuer
 * cannot be overridden). Pure: no network.
 *
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 */
export function validateDiscovery(
  authority: string,
  document: unknown,
  overrides: Partial<ProviderMetadata> = {},
): ProviderMetadata {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new OidcError(DEV && 'Discovery document is not a JSON object', 'DISCOVERY_INVALID', { actual: document });
  }
  const doc: Record<string, unknown> = { ...document, ...overrides, issuer: (document as { issuer?: unknown }).issuer };
  // OIDC Discovery 4.3: the issuer MUST be identical to the URL the document was fetched for.
  if (doc['issuer'] !== authority) {
    throw new OidcError(DEV && 'Discovery issuer does not equal the configured authority', 'DISCOVERY_ISSUER_MISMATCH', {
      expected: authority,
      actual: doc['issuer'],
    });
  }
  // OIDC Discovery 3: these endpoints are REQUIRED (token_endpoint for the code flow).
  for (const key of REQUIRED_URLS) {
    if (typeof doc[key] !== 'string') {
      throw new OidcError(DEV && `Discovery document lacks ${key}`, 'DISCOVERY_INVALID', { key });
    }
  }
  for (const key of REQUIRED_LISTS) {
    if (!isStringList(doc[key])) {
      throw new OidcError(DEV && `Discovery document lacks ${key}`, 'DISCOVERY_INVALID', { key });
    }
  }
  for (const key of OPTIONAL_LISTS) {
    if (doc[key] !== undefined && !isStringList(doc[key])) {
      throw new OidcError(DEV && `Discovery ${key} is not a list of strings`, 'DISCOVERY_INVALID', { key, actual: doc[key] });
    }
  }
  // OIDC Discovery 3, RFC 6749 3.1/3.2: endpoints use TLS (loopback excepted for local development).
  for (const key of [...REQUIRED_URLS, ...OPTIONAL_URLS]) {
    const value = doc[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !isSecureUrl(value)) {
      throw new OidcError(DEV && `Discovery ${key} is not an https URL`, 'INSECURE_URL', { key, actual: value });
    }
  }
  for (const key of ['require_pushed_authorization_requests', 'authorization_response_iss_parameter_supported']) {
    if (doc[key] !== undefined && typeof doc[key] !== 'boolean') {
      throw new OidcError(DEV && `Discovery ${key} is not a boolean`, 'DISCOVERY_INVALID', { key, actual: doc[key] });
    }
  }
  return doc as unknown as ProviderMetadata;
}

/**
 * Fetches and validates the discovery document.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationRequest
 */
export async function fetchDiscovery(
  authority: string,
  fetchJson: FetchJson,
  overrides?: Partial<ProviderMetadata>,
): Promise<ProviderMetadata> {
  const res = await send(fetchJson, getRequest(discoveryUrl(authority)));
  expectStatus(res, 'Discovery', 'HTTP_ERROR');
  return validateDiscovery(authority, parseJsonObject(res, 'Discovery', 'DISCOVERY_INVALID'), overrides);
}

/** Options for {@link loadDiscovery}. */
export interface LoadDiscoveryOptions {
  /** The network port. */
  readonly fetchJson: FetchJson;
  /** Where the document is cached. */
  readonly store: Store;
  /** Now, in seconds since the epoch. */
  readonly now: number;
  /** Cache lifetime in seconds; `0` disables the cache. */
  readonly ttlSeconds: number;
  /** Endpoints that replace or complete discovery's. */
  readonly overrides?: Partial<ProviderMetadata>;
}

function isCachedDiscovery(value: unknown): value is CachedDiscovery {
  const v = value as Partial<CachedDiscovery> | null;
  return typeof v === 'object' && v !== null && typeof v.authority === 'string' &&
    typeof v.fetchedAt === 'number' && typeof v.metadata === 'object' && v.metadata !== null;
}

/**
 * The provider metadata from the cache when fresh, else from the network (and
 * cached). A returning user thus starts without a round trip. The cached copy
 * is validated again, so a tampered cache is refused and refetched.
 */
export async function loadDiscovery(authority: string, options: LoadDiscoveryOptions): Promise<ProviderMetadata> {
  const { store, now, ttlSeconds, overrides } = options;
  const cached = store.get('discovery', isCachedDiscovery);
  if (cached && cached.authority === authority && now - cached.fetchedAt >= 0 && now - cached.fetchedAt < ttlSeconds) {
    try {
      return validateDiscovery(authority, cached.metadata, overrides);
    } catch {
      store.remove('discovery');
    }
  }
  const metadata = await fetchDiscovery(authority, options.fetchJson, overrides);
  if (ttlSeconds > 0) store.set('discovery', { authority, fetchedAt: now, metadata } satisfies CachedDiscovery);
  return metadata;
}
