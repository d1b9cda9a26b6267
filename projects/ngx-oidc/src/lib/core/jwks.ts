import type { JWK } from 'jose';
import { DEV, OidcError } from './errors';
import { type FetchJson, isJsonObject } from './http';
import { expectStatus, getRequest, parseJsonObject, send } from './http-exchange';
import type { Store } from './storage';

/**
 * The provider's signing keys: fetching the JWKS, choosing the keys that can
 * verify a given JWS header, and refetching once when a key is unknown.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RotateSigKeys
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 */

/** The part of a JWS protected header that picks a key. */
export interface KeyHint {
  /** The signature algorithm. */
  readonly alg: string;
  /** The key id, when the provider set one. */
  readonly kid?: string;
}

/**
 * Finds the keys that may verify a signature: called with `refresh: true` to
 * ask for a fresh JWKS (rate limited) after every cached key failed.
 */
export type KeyResolver = (hint: KeyHint, options?: { refresh?: boolean }) => Promise<readonly JWK[]>;

/** The JWKS as cached: the keys and when they were fetched. */
export interface CachedJwks {
  /** The `jwks_uri` they came from. */
  readonly uri: string;
  /** Seconds since the epoch. */
  readonly fetchedAt: number;
  /** The keys. */
  readonly keys: readonly JWK[];
}

/** The key type and curve each JWS algorithm needs (RFC 7518 3.1, RFC 8037 3.1). */
function keyTypeFor(alg: string): { kty: string; crv?: readonly string[] } | undefined {
  if (/^(RS|PS)(256|384|512)$/.test(alg)) return { kty: 'RSA' };
  if (alg === 'ES256') return { kty: 'EC', crv: ['P-256'] };
  if (alg === 'ES384') return { kty: 'EC', crv: ['P-384'] };
  if (alg === 'ES512') return { kty: 'EC', crv: ['P-521'] };
  if (alg === 'EdDSA') return { kty: 'OKP', crv: ['Ed25519', 'Ed448'] };
  if (alg === 'Ed25519') return { kty: 'OKP', crv: ['Ed25519'] };
  return undefined;
}

/**
 * The keys of `keys` that can verify a JWS with this header, in JWKS order.
 * A key is skipped when its `use` is not `sig` (RFC 7517 4.2: `enc` keys never
 * verify), its `key_ops` lack `verify` (4.3), its `alg` differs (4.4), its type or
 * curve does not fit `alg`, or, when the header names a `kid`, its `kid` differs
 * (RFC 7515 4.1.4). Without a `kid` every fitting key is a candidate.
 */
export function selectVerificationKeys(keys: readonly JWK[], hint: KeyHint): JWK[] {
  const type = keyTypeFor(hint.alg);
  if (!type) return [];
  return keys.filter(
    (jwk) =>
      jwk.kty === type.kty &&
      (type.crv === undefined || (typeof jwk.crv === 'string' && type.crv.includes(jwk.crv))) &&
      (jwk.use === undefined || jwk.use === 'sig') &&
      (jwk.key_ops === undefined || jwk.key_ops.includes('verify')) &&
      (jwk.alg === undefined || jwk.alg === hint.alg) &&
      (hint.kid === undefined || jwk.kid === hint.kid),
  );
}

/** The members key selection reads, when present, have their RFC 7517 4 types: strings, and `key_ops` a list of strings. */
function isWellTypedKey(key: unknown): boolean {
  if (!isJsonObject(key) || typeof key['kty'] !== 'string') return false;
  const ops = key['key_ops'];
  return ['use', 'alg', 'kid', 'crv'].every((m) => key[m] === undefined || typeof key[m] === 'string') &&
    (ops === undefined || (Array.isArray(ops) && ops.every((op) => typeof op === 'string')));
}

/**
 * Checks a JWKS document (RFC 7517 5): an object whose `keys` is an array of
 * objects each with a string `kty` (and `use`, `alg`, `kid`, `crv`, `key_ops`
 * of their types when present). Keys with private parts are refused.
 */
export function parseJwks(document: unknown): JWK[] {
  const keys = isJsonObject(document) ? document['keys'] : undefined;
  if (!Array.isArray(keys) || !keys.every(isWellTypedKey)) {
    throw new OidcError(DEV && 'JWKS is not a JSON Web Key Set', 'JWKS_INVALID', { actual: document });
  }
  // RFC 7517 9.2: a public JWKS must not carry private key material.
  if (keys.some((k) => 'd' in k)) throw new OidcError(DEV && 'JWKS carries a private key', 'JWKS_INVALID');
  return keys as JWK[];
}

/** Fetches and parses the JWKS at `jwksUri`. */
export async function fetchJwks(jwksUri: string, fetchJson: FetchJson): Promise<JWK[]> {
  const res = await send(fetchJson, getRequest(jwksUri, { Accept: 'application/jwk-set+json, application/json' }));
  expectStatus(res, 'JWKS', 'HTTP_ERROR');
  return parseJwks(parseJsonObject(res, 'JWKS', 'JWKS_INVALID'));
}

/** Options for {@link jwksKeyResolver}. */
export interface JwksResolverOptions {
  /** The provider's `jwks_uri`. */
  readonly jwksUri: string;
  /** The network port. */
  readonly fetchJson: FetchJson;
  /** Where the JWKS is cached. */
  readonly store: Store;
  /** Now, in seconds since the epoch. */
  readonly now: () => number;
  /** How long a fetched JWKS is used before it is fetched again. */
  readonly ttlSeconds: number;
  /** The least time between two fetches, so unknown `kid`s cannot flood the provider. Default 30 s. */
  readonly refetchCooldownSeconds?: number;
}

/** What the JWKS cache needs: {@link JwksResolverOptions} without the refetch cooldown. */
type JwksCacheOptions = Pick<JwksResolverOptions, 'jwksUri' | 'fetchJson' | 'store' | 'now' | 'ttlSeconds'>;

/** The cached keys while they are fresh: from this `jwks_uri`, younger than `ttlSeconds`; with their age. */
function cachedKeys(options: JwksCacheOptions): { keys: readonly JWK[] | undefined; age: number | undefined } {
  const { jwksUri, store, now, ttlSeconds } = options;
  const cached = store.get('jwks', isCachedJwks);
  const age = cached && cached.uri === jwksUri ? now() - cached.fetchedAt : undefined;
  const fresh = age !== undefined && age >= 0 && age < ttlSeconds;
  return { keys: fresh ? parseCachedKeys(cached!, store) : undefined, age };
}

/** Fetches the JWKS and caches it. */
async function fetchAndCache(options: JwksCacheOptions): Promise<readonly JWK[]> {
  const { jwksUri, store, now } = options;
  const keys = await fetchJwks(jwksUri, options.fetchJson);
  store.set('jwks', { uri: jwksUri, fetchedAt: now(), keys } satisfies CachedJwks);
  return keys;
}

/**
 * Makes sure a fresh JWKS is cached: a request only when none is, or the
 * cached one is older than `ttlSeconds` or from another `jwks_uri`. A callback
 * starts this in parallel with its token request.
 */
export async function freshJwks(options: JwksCacheOptions): Promise<void> {
  if (!cachedKeys(options).keys) await fetchAndCache(options);
}

function isCachedJwks(value: unknown): value is CachedJwks {
  return isJsonObject(value) && typeof value['uri'] === 'string' && typeof value['fetchedAt'] === 'number' &&
    Array.isArray(value['keys']);
}

/**
 * A {@link KeyResolver} over the provider's JWKS, cached in `store`. When no
 * cached key fits (an unknown `kid`: the provider rotated its keys), or every
 * cached key failed (`refresh`), it fetches the JWKS once more (OIDC Core
 * 10.1.1): at most once per cooldown for each `kid` not in the cached set, so
 * a rotation right after a fetch is still picked up, and at most once per
 * cooldown otherwise.
 */
export function jwksKeyResolver(options: JwksResolverOptions): KeyResolver {
  const { now } = options;
  const cooldown = options.refetchCooldownSeconds ?? 30;
  // When the JWKS was last fetched because of each unseen kid: one refetch per kid per cooldown.
  const triedKids = new Map<string, number>();

  /** May the JWKS be fetched again now? A kid never seen gets its own chance, even right after a fetch. */
  const mayRefetch = (keys: readonly JWK[], age: number, hint: KeyHint): boolean => {
    const unseenKid = hint.kid !== undefined && !keys.some((k) => k.kid === hint.kid);
    if (!unseenKid) return age >= cooldown;
    const last = triedKids.get(hint.kid!);
    if (last !== undefined && now() - last < cooldown) return false;
    if (triedKids.size >= 32) triedKids.clear();
    triedKids.set(hint.kid!, now());
    return true;
  };

  return async (hint, { refresh = false } = {}) => {
    const { keys, age } = cachedKeys(options);
    if (keys && !refresh) {
      const fit = selectVerificationKeys(keys, hint);
      if (fit.length > 0) return fit;
    }
    // Key rotation (OIDC Core 10.1.1): refetch, rate limited per unseen kid, else per fetch.
    if (keys && age !== undefined && !mayRefetch(keys, age, hint)) {
      if (refresh) return [];
      throw noMatchingKey(hint);
    }
    const fit = selectVerificationKeys(await fetchAndCache(options), hint);
    if (fit.length === 0 && !refresh) throw noMatchingKey(hint);
    return fit;
  };
}

function parseCachedKeys(cached: CachedJwks, store: Store): readonly JWK[] | undefined {
  try {
    return parseJwks({ keys: cached.keys });
  } catch {
    store.remove('jwks');
    return undefined;
  }
}

function noMatchingKey(hint: KeyHint): OidcError {
  return new OidcError(DEV && 'No key in the provider JWKS fits the token header', 'JWKS_NO_MATCHING_KEY', {
    alg: hint.alg,
    kid: hint.kid,
  });
}
