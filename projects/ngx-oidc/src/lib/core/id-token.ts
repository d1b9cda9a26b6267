import { type JWK, compactVerify, decodeProtectedHeader } from 'jose';
import { DEV, OidcError } from './errors';
import { type JsonObject, isJsonObject } from './http';
import type { KeyResolver } from './jwks';
import { base64url, sha } from './random';

/**
 * ID token validation: every check of OIDC Core 3.1.3.7 for the code flow, and
 * the rules of 12.2 for ID tokens returned by a refresh.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 */

/** The claims of a validated ID token. */
export interface IdTokenClaims extends JsonObject {
  /** Issuer. */
  readonly iss: string;
  /** Subject: the user. */
  readonly sub: string;
  /** Audience(s). */
  readonly aud: string | readonly string[];
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
  /** Issued at, seconds since the epoch. */
  readonly iat: number;
  /** The nonce of the authorization request. */
  readonly nonce?: string;
  /** When the user authenticated. */
  readonly auth_time?: number;
  /** Authentication Context Class Reference: how strongly the user signed in (OIDC Core 2). */
  readonly acr?: string;
  /** Authorized party. */
  readonly azp?: string;
  /** Access token hash. */
  readonly at_hash?: string;
}

/** Never accepted for ID tokens of a public client: no signature, or a symmetric one (OIDC Core 10.1). */
function isForbiddenAlg(alg: string): boolean {
  return alg === 'none' || /^HS\d+$/.test(alg);
}

/**
 * The algorithms an ID token may use: those configured that the provider also
 * advertises, never `none` or HS* (OIDC Core 3.1.3.7 (6)-(8)).
 */
export function allowedIdTokenAlgs(configured: readonly string[], advertised: readonly string[]): string[] {
  return configured.filter((alg) => advertised.includes(alg) && !isForbiddenAlg(alg));
}

/** What an ID token must match. */
export interface IdTokenExpectations {
  /** The issuer from discovery. */
  readonly issuer: string;
  /** This client's id. */
  readonly clientId: string;
  /** The allowed `alg` values, from {@link allowedIdTokenAlgs}. */
  readonly algorithms: readonly string[];
  /** Now, seconds since the epoch. */
  readonly now: number;
  /** Tolerance on `exp` and `auth_time`, seconds. */
  readonly clockSkewSeconds: number;
  /** How far `iat` may be from now, seconds. */
  readonly maxIatOffsetSeconds: number;
  /** The nonce sent in the authorization request; required at login. */
  readonly nonce?: string;
  /** `max_age` when it was sent: `auth_time` becomes required (OIDC Core 3.1.2.1). */
  readonly maxAge?: number;
  /** The `acr_values` the login asked for (a step-up): `acr` must be one of them (OIDC Core 3.1.3.7 (12)). */
  readonly acrValues?: readonly string[];
  /** The access token issued with the ID token, to check `at_hash` when present. */
  readonly accessToken?: string;
  /** Audiences besides the client that are trusted. */
  readonly trustedAudiences?: readonly string[];
  /** On refresh: the claims of the first ID token of the session (OIDC Core 12.2). */
  readonly previous?: IdTokenClaims;
  /** On refresh: do not compare `nonce` with the first ID token. */
  readonly ignoreNonceAfterRefresh?: boolean;
}

function fail(message: string | false, code: ConstructorParameters<typeof OidcError>[1], cause?: Record<string, unknown>): never {
  throw new OidcError(message, code, cause);
}

/**
 * Validates an ID token and returns its claims. Signature first, with the
 * provider's keys, then each claim check. Throws an {@link OidcError} whose code
 * names the failed check.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 */
export async function validateIdToken(
  idToken: string,
  getKeys: KeyResolver,
  expected: IdTokenExpectations,
): Promise<IdTokenClaims> {
  const { alg, kid } = readHeader(idToken);
  // OIDC Core 3.1.3.7 (6)-(8): the alg must be an allowed asymmetric algorithm.
  if (isForbiddenAlg(alg) || !expected.algorithms.includes(alg)) {
    fail(DEV && `ID token alg ${alg} is not allowed`, 'ID_TOKEN_ALG_NOT_ALLOWED', { expected: expected.algorithms, actual: alg });
  }
  const hint = kid === undefined ? { alg } : { alg, kid };
  let verified = await verifyWithAny(idToken, alg, await getKeys(hint));
  // Key rotation without a kid: every cached key failed, so ask once for fresh keys.
  if (!verified && kid === undefined) verified = await verifyWithAny(idToken, alg, await getKeys(hint, { refresh: true }));
  // OIDC Core 3.1.3.7 (6): the signature must verify with the issuer's key.
  if (!verified) fail(DEV && 'ID token signature does not verify', 'ID_TOKEN_SIGNATURE_INVALID', { alg, kid });

  const claims = parseClaims(verified.payload);
  checkClaims(claims, expected);
  await checkAtHash(claims, alg, verified.jwk, expected.accessToken);
  if (expected.previous) checkRefreshed(claims, expected.previous, expected.ignoreNonceAfterRefresh ?? false);
  return claims;
}

/** The `alg` and `kid` of an ID token's protected header; `ID_TOKEN_MALFORMED` when it has none. */
export function readHeader(jwt: string): { alg: string; kid?: string } {
  // OIDC Core 3.1.3.7 (1): encrypted ID tokens (5 parts) are not supported; a JWS has 3.
  if (jwt.split('.').length !== 3) fail(DEV && 'ID token is not a compact JWS', 'ID_TOKEN_MALFORMED');
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(jwt);
  } catch (e) {
    fail(DEV && 'ID token header cannot be decoded', 'ID_TOKEN_MALFORMED', { reason: e });
  }
  const { alg, kid } = header;
  if (typeof alg !== 'string') fail(DEV && 'ID token header has no alg', 'ID_TOKEN_MALFORMED');
  if (kid !== undefined && typeof kid !== 'string') fail(DEV && 'ID token kid is not a string', 'ID_TOKEN_MALFORMED');
  return kid === undefined ? { alg } : { alg, kid };
}

async function verifyWithAny(jwt: string, alg: string, jwks: readonly JWK[]): Promise<{ payload: Uint8Array; jwk: JWK } | undefined> {
  for (const jwk of jwks) {
    try {
      // jose imports the JWK itself (and refuses one whose use, key_ops or alg do not fit, RFC 7517 4).
      const { payload } = await compactVerify(jwt, jwk, { algorithms: [alg] });
      return { payload, jwk };
    } catch {
      // Not this key (or not a usable key): try the next one.
    }
  }
  return undefined;
}

function parseClaims(payload: Uint8Array): IdTokenClaims {
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    fail(DEV && 'ID token payload is not JSON', 'ID_TOKEN_MALFORMED');
  }
  if (!isJsonObject(claims)) fail(DEV && 'ID token payload is not a JSON object', 'ID_TOKEN_MALFORMED');
  return claims as IdTokenClaims;
}

function audiences(aud: unknown): readonly string[] | undefined {
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === 'string')) return aud;
  return undefined;
}

function checkClaims(claims: IdTokenClaims, expected: IdTokenExpectations): void {
  const { now, clockSkewSeconds: skew } = expected;
  // OIDC Core 3.1.3.7 (2): iss must exactly match the issuer.
  if (claims.iss !== expected.issuer) {
    fail(DEV && 'ID token iss does not match the issuer', 'ID_TOKEN_ISS_MISMATCH', { expected: expected.issuer, actual: claims.iss });
  }
  // OIDC Core 2: sub is required, a non-empty string.
  if (typeof claims.sub !== 'string' || claims.sub === '') fail(DEV && 'ID token has no sub', 'ID_TOKEN_SUB_MISSING');
  // OIDC Core 3.1.3.7 (3): aud contains client_id, and no audience the client does not trust.
  const aud = audiences(claims.aud);
  const trusted = [expected.clientId, ...(expected.trustedAudiences ?? [])];
  if (!aud || !aud.includes(expected.clientId) || !aud.every((a) => trusted.includes(a))) {
    fail(DEV && 'ID token aud does not fit this client', 'ID_TOKEN_AUD_MISMATCH', { expected: expected.clientId, actual: claims.aud });
  }
  // OIDC Core 3.1.3.7 (4): with several audiences, azp is expected.
  if (aud.length > 1 && claims.azp === undefined) {
    fail(DEV && 'ID token with several audiences has no azp', 'ID_TOKEN_AZP_MISMATCH', { actual: claims.aud });
  }
  // OIDC Core 3.1.3.7 (5): when present, azp must be the client_id.
  if (claims.azp !== undefined && claims.azp !== expected.clientId) {
    fail(DEV && 'ID token azp is not this client', 'ID_TOKEN_AZP_MISMATCH', { expected: expected.clientId, actual: claims.azp });
  }
  // OIDC Core 3.1.3.7 (9): now must be before exp (with a small skew).
  if (typeof claims.exp !== 'number' || now >= claims.exp + skew) {
    fail(DEV && 'ID token is expired or has no exp', 'ID_TOKEN_EXPIRED', { expected: now, actual: claims.exp });
  }
  // OIDC Core 3.1.3.7 (10): iat is required and must not be too far from now.
  if (typeof claims.iat !== 'number' || Math.abs(now - claims.iat) > expected.maxIatOffsetSeconds) {
    fail(DEV && 'ID token iat is missing or too far from now', 'ID_TOKEN_IAT_INVALID', { expected: now, actual: claims.iat });
  }
  // OIDC Core 3.1.3.7 (11): the nonce must equal the one sent (login only; refresh in 12.2).
  if (!expected.previous && (expected.nonce === undefined || claims.nonce !== expected.nonce)) {
    fail(DEV && 'ID token nonce does not match the request', 'ID_TOKEN_NONCE_MISMATCH', { actual: claims.nonce });
  }
  // OIDC Core 3.1.3.7 (13): with max_age sent, auth_time is required and recent enough.
  if (claims.auth_time !== undefined && typeof claims.auth_time !== 'number') {
    fail(DEV && 'ID token auth_time is not a number', 'ID_TOKEN_AUTH_TIME_INVALID', { actual: claims.auth_time });
  }
  if (expected.maxAge !== undefined) {
    if (claims.auth_time === undefined || now - claims.auth_time > expected.maxAge + skew) {
      fail(DEV && 'ID token auth_time is missing or older than max_age', 'ID_TOKEN_AUTH_TIME_INVALID', {
        expected: expected.maxAge,
        actual: claims.auth_time,
      });
    }
  }
  // OIDC Core 3.1.3.7 (12), RFC 9470 4: the acr asked for must be the one asserted; a provider that
  // could not reach it (acr_values is a voluntary request, 3.1.2.1) fails the login instead of passing.
  if (expected.acrValues !== undefined && (typeof claims.acr !== 'string' || !expected.acrValues.includes(claims.acr))) {
    fail(DEV && 'ID token acr is not one of the requested acr_values', 'ID_TOKEN_ACR_MISMATCH', { expected: expected.acrValues, actual: claims.acr });
  }
}

/** The hash size OIDC Core 3.1.3.6 uses for `at_hash`: the one of the signing alg. */
function hashBitsFor(alg: string, jwk: JWK): 256 | 384 | 512 | undefined {
  const size = /(256|384|512)$/.exec(alg)?.[1];
  if (size) return Number(size) as 256 | 384 | 512;
  // Ed25519 signs with SHA-512 (RFC 8032 5.1); Ed448 uses SHAKE256, which WebCrypto lacks.
  if ((alg === 'EdDSA' || alg === 'Ed25519') && jwk.crv === 'Ed25519') return 512;
  return undefined;
}

async function checkAtHash(claims: IdTokenClaims, alg: string, jwk: JWK, accessToken: string | undefined): Promise<void> {
  if (claims.at_hash === undefined || accessToken === undefined) return;
  // OIDC Core 3.2.2.9 / 3.1.3.8: at_hash = base64url(left half of hash(access_token)).
  const bits = hashBitsFor(alg, jwk);
  if (bits === undefined) fail(DEV && `at_hash cannot be checked for ${alg}`, 'ID_TOKEN_AT_HASH_MISMATCH', { alg });
  const digest = await sha(bits, accessToken);
  const expectedHash = base64url(digest.slice(0, digest.length / 2));
  if (claims.at_hash !== expectedHash) {
    fail(DEV && 'ID token at_hash does not match the access token', 'ID_TOKEN_AT_HASH_MISMATCH', { actual: claims.at_hash });
  }
}

function sameAudience(a: unknown, b: unknown): boolean {
  const x = audiences(a);
  const y = audiences(b);
  return !!x && !!y && x.length === y.length && x.every((v) => y.includes(v));
}

function checkRefreshed(claims: IdTokenClaims, previous: IdTokenClaims, ignoreNonce: boolean): void {
  // OIDC Core 12.2: iss, sub, aud (and azp) must be those of the first ID token.
  const same = claims.iss === previous.iss && claims.sub === previous.sub && sameAudience(claims.aud, previous.aud) &&
    claims.azp === previous.azp;
  if (!same) {
    fail(DEV && 'Refreshed ID token is for another issuer, subject or audience', 'ID_TOKEN_REFRESH_MISMATCH', {
      expected: { iss: previous.iss, sub: previous.sub, aud: previous.aud },
      actual: { iss: claims.iss, sub: claims.sub, aud: claims.aud },
    });
  }
  // OIDC Core 12.2: auth_time, when present, is still the time of the original authentication.
  if (claims.auth_time !== undefined && previous.auth_time !== undefined && claims.auth_time !== previous.auth_time) {
    fail(DEV && 'Refreshed ID token changed auth_time', 'ID_TOKEN_REFRESH_MISMATCH', {
      expected: previous.auth_time,
      actual: claims.auth_time,
    });
  }
  // OIDC Core 12.2: a nonce, if present, must be the first ID token's (unless ignoreNonceAfterRefresh).
  if (!ignoreNonce && claims.nonce !== undefined && claims.nonce !== previous.nonce) {
    fail(DEV && 'Refreshed ID token nonce differs from the first', 'ID_TOKEN_NONCE_MISMATCH', { actual: claims.nonce });
  }
}
