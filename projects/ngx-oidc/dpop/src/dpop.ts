import type { JWK } from 'jose';
import {
  type DPoPPort,
  type OidcHttpResponse,
  OidcError,
  ɵlazy as lazy,
} from 'ngx-oidc';
import { ɵDEV as DEV } from 'ngx-oidc/dev-mode';
import type { DPoPKeyStore } from './dpop-keys';

/**
 * jose (JWK export, thumbprints, signing), loaded on first use: it is not in
 * the JavaScript an app needs before it renders, and a DPoP session starts
 * loading it as soon as its port is made (see {@link dpopPort}).
 */
const loadJose = lazy(() => import('./jose-sign'));

/**
 * DPoP (RFC 9449): proofs of possession of a key the page cannot export, so
 * that a stolen access or refresh token is useless without it. One function
 * per step: pick the algorithm, make the key, prove possession, remember the
 * server's nonces. The `ngx-oidc/dpop` entry point: apps that do not import
 * `withDPoP()` never load it.
 * @see https://www.rfc-editor.org/rfc/rfc9449
 */

/** How long a logout waits for the key's deletion before the page may leave. */
const KEY_DELETION_WAIT_MS = 1000;

/** How long loading or saving the key may take: a key store that does not answer (a stuck IndexedDB) must not hold a proof, and with it the refresh lock of every tab, for ever. */
const KEY_STORE_TIMEOUT_MS = 5000;

/**
 * `operation` on the key store, bounded: a store that fails is `STORAGE_UNAVAILABLE`,
 * one that does not answer in {@link KEY_STORE_TIMEOUT_MS} is a transient `TIMEOUT`.
 */
function keyStoreCall<T>(operation: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OidcError(DEV && 'The DPoP key store did not answer', 'TIMEOUT', { expected: KEY_STORE_TIMEOUT_MS })), KEY_STORE_TIMEOUT_MS);
  });
  const done = Promise.resolve()
    .then(operation)
    .catch((e: unknown) => {
      throw e instanceof OidcError ? e : new OidcError(DEV && 'The DPoP key store failed', 'STORAGE_UNAVAILABLE', { reason: e });
    });
  return Promise.race([done, late]).finally(() => clearTimeout(timer));
}

/** The proof algorithms supported here (RFC 9449 4.2: asymmetric, never `none`). */
export type DPoPAlg = 'ES256' | 'ES384' | 'PS256' | 'RS256' | 'Ed25519';

const SUPPORTED: readonly DPoPAlg[] = ['ES256', 'ES384', 'PS256', 'RS256', 'Ed25519'];

/** A DPoP key pair from WebCrypto; the private key is not extractable. */
export interface DPoPKey {
  /** The algorithm the proofs are signed with. */
  readonly alg: DPoPAlg;
  /** Signs the proofs; cannot be exported. */
  readonly privateKey: CryptoKey;
  /** Goes in each proof's `jwk` header. */
  readonly publicKey: CryptoKey;
}

/**
 * The algorithm to sign proofs with: ES256 unless the provider lists
 * `dpop_signing_alg_values_supported` without it, then the first listed one
 * supported here. A provider that lists none of them is `CONFIG_INVALID`.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5.1
 */
export function chooseDPoPAlg(supported?: readonly string[]): DPoPAlg {
  if (!supported || supported.length === 0 || supported.includes('ES256')) return 'ES256';
  const alg = supported.find((a): a is DPoPAlg => SUPPORTED.includes(a as DPoPAlg));
  if (!alg) throw new OidcError(DEV && 'The provider supports no DPoP algorithm this library can sign with', 'CONFIG_INVALID', { actual: supported });
  return alg;
}

function keyParams(alg: DPoPAlg): RsaHashedKeyGenParams | EcKeyGenParams | { name: 'Ed25519' } {
  switch (alg) {
    case 'ES256':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'ES384':
      return { name: 'ECDSA', namedCurve: 'P-384' };
    case 'Ed25519':
      return { name: 'Ed25519' };
    default:
      return {
        name: alg === 'PS256' ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      };
  }
}

/**
 * A new key pair for `alg`, its private half not extractable: a script on the
 * page can use it while the page lives, but never copy it (RFC 9449 2, 11.4).
 */
export async function generateDPoPKey(alg: DPoPAlg = 'ES256'): Promise<DPoPKey> {
  const pair = (await crypto.subtle.generateKey(keyParams(alg), false, ['sign', 'verify'])) as CryptoKeyPair;
  return { alg, privateKey: pair.privateKey, publicKey: pair.publicKey };
}

const exportedJwks = new WeakMap<CryptoKey, JWK>();

/** The public key as a JWK with its required members only (RFC 7638 3.2). */
export async function publicJwk(key: DPoPKey): Promise<JWK> {
  // Every proof carries it: exported once per key, not once per request.
  let jwk = exportedJwks.get(key.publicKey);
  if (!jwk) {
    const { kty, crv, x, y, n, e } = await (await loadJose()).exportJWK(key.publicKey);
    jwk = Object.fromEntries(Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined)) as JWK;
    exportedJwks.set(key.publicKey, jwk);
  }
  return { ...jwk };
}

/**
 * The key's JWK SHA-256 thumbprint (RFC 7638): the `dpop_jkt` of the
 * authorization request (RFC 9449 10) and the `cnf.jkt` of bound tokens (6.1).
 */
export async function dpopThumbprint(key: DPoPKey): Promise<string> {
  const jwk = await publicJwk(key);
  return (await loadJose()).calculateJwkThumbprint(jwk, 'sha256');
}

/**
 * The `htu` of a proof: the request URL without query and fragment
 * (RFC 9449 4.2, 4.3 (9)).
 */
export function dpopHtu(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

/** What a proof is for. */
export interface DPoPProofRequest {
  /** The HTTP method (`htm`). */
  readonly method: string;
  /** The request URL; query and fragment are dropped (`htu`). */
  readonly url: string;
  /** The server's last nonce, when it gave one (RFC 9449 8, 9). */
  readonly nonce?: string;
  /** For a resource request: the access token, hashed into `ath` (RFC 9449 4.2). */
  readonly accessToken?: string;
  /** Now, in seconds since the epoch (`iat`). */
  readonly now: number;
}

/**
 * A DPoP proof JWT (RFC 9449 4.2): header `typ: dpop+jwt`, `alg`, the public
 * `jwk`; claims `jti` (fresh), `htm`, `htu`, `iat`, and `nonce` and `ath`
 * when they apply.
 */
export async function createDPoPProof(key: DPoPKey, request: DPoPProofRequest): Promise<string> {
  const [{ SignJWT, base64url }, jwk] = await Promise.all([loadJose(), publicJwk(key)]);
  const claims: Record<string, string | number> = {
    // RFC 9449 4.2: a unique identifier for the proof, here 128 random bits.
    jti: base64url.encode(crypto.getRandomValues(new Uint8Array(16))),
    htm: request.method.toUpperCase(),
    htu: dpopHtu(request.url),
    iat: Math.floor(request.now),
  };
  if (request.nonce !== undefined) claims['nonce'] = request.nonce;
  // RFC 9449 4.2: ath is the base64url SHA-256 of the ASCII access token.
  if (request.accessToken !== undefined) {
    claims['ath'] = base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(request.accessToken))));
  }
  return new SignJWT(claims).setProtectedHeader({ typ: 'dpop+jwt', alg: key.alg, jwk }).sign(key.privateKey);
}

/**
 * True when a server refused a request only for want of a fresh nonce: the
 * authorization server with the OAuth error `use_dpop_nonce` (RFC 9449 8),
 * the resource server with a 401 `WWW-Authenticate: DPoP error="use_dpop_nonce"` (9).
 */
export function needsDPoPNonce(res: OidcHttpResponse): boolean {
  if (res.status === 400 && oauthErrorOf(res.body) === 'use_dpop_nonce') return true;
  // A DPoP challenge anywhere in the header (RFC 9110 11.6.1 allows several, in any order), and the
  // error as a quoted string or a token (11.2).
  const challenge = res.headers['www-authenticate'] ?? '';
  return res.status === 401 && /(^|,)\s*DPoP(\s|,|$)/i.test(challenge) && /\berror\s*=\s*("use_dpop_nonce"|use_dpop_nonce\b)/.test(challenge);
}

/** The OAuth `error` of a JSON error body (RFC 6749 5.2), if the body is one. */
function oauthErrorOf(body: string): unknown {
  try {
    return (JSON.parse(body) as { error?: unknown } | null)?.error;
  } catch {
    return undefined;
  }
}

/**
 * The nonces servers gave, one per origin, updated from every `DPoP-Nonce`
 * response header (RFC 9449 8.2, 9).
 */
export class DPoPNonces {
  private readonly byOrigin = new Map<string, string>();

  /** The last nonce of `url`'s origin, if any. */
  get(url: string): string | undefined {
    return this.byOrigin.get(new URL(url).origin);
  }

  /** Keeps the `DPoP-Nonce` header of an answer from `url`, when it has one. */
  remember(url: string, headers: Readonly<Record<string, string>>): void {
    const nonce = headers['dpop-nonce'];
    // RFC 9449 8.1: the nonce is a non-empty string of NQCHAR.
    if (nonce && /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(nonce)) this.byOrigin.set(new URL(url).origin, nonce);
  }

  /** Forgets every nonce (a new key, a logout). */
  clear(): void {
    this.byOrigin.clear();
  }
}

/** Options for {@link dpopPort}. */
export interface DPoPPortOptions {
  /** Where the key of each config id is kept (IndexedDB in a browser). */
  readonly store: DPoPKeyStore;
  /** The config id the key belongs to. */
  readonly configId: string;
  /** Now, in seconds since the epoch. */
  readonly now: () => number;
  /** Accept unbound (`Bearer`) tokens. Default `false`: they are refused with `DPOP_NOT_BOUND`. */
  readonly allowBearer?: boolean;
}

/** A {@link DPoPPort} over a key store: one key per config id, shared by the tabs that share the store. */
export function dpopPort(options: DPoPPortOptions): DPoPPort {
  const { store, configId, now } = options;
  // The first proof (the API call a returning user makes, or a login) should not wait for jose.
  void loadJose().catch(() => undefined);
  const nonces = new DPoPNonces();
  let current: Promise<DPoPKey> | undefined;

  const make = async (supportedAlgs?: readonly string[]): Promise<DPoPKey> => {
    const key = await generateDPoPKey(chooseDPoPAlg(supportedAlgs));
    await keyStoreCall(() => store.save(configId, key));
    return key;
  };
  const key = (supportedAlgs?: readonly string[]): Promise<DPoPKey> => {
    const loading = (current ??= keyStoreCall(() => store.load(configId)).then((stored) => stored ?? make(supportedAlgs)));
    // A failed or timed-out load is not kept: the next proof asks the store again.
    loading.catch(() => current === loading && (current = undefined));
    return loading;
  };

  const proof = async (request: { readonly method: string; readonly url: string }, accessToken?: string): Promise<string> => {
    const nonce = nonces.get(request.url);
    return createDPoPProof(await key(), {
      method: request.method,
      url: request.url,
      now: now(),
      ...(nonce !== undefined ? { nonce } : {}),
      ...(accessToken !== undefined ? { accessToken } : {}),
    });
  };

  return {
    rotate: async (supportedAlgs) => {
      nonces.clear();
      const made = (current = make(supportedAlgs));
      made.catch(() => current === made && (current = undefined));
      return dpopThumbprint(await made);
    },
    thumbprint: async (supportedAlgs) => dpopThumbprint(await key(supportedAlgs)),
    port: (fetchJson, accessToken) => async (request) => {
      const attempt = async (): Promise<OidcHttpResponse> => {
        const res = await fetchJson({ ...request, headers: { ...request.headers, DPoP: await proof(request, accessToken) } });
        nonces.remember(request.url, res.headers);
        return res;
      };
      const first = await attempt();
      // RFC 9449 8: one retry with the nonce the server just gave; a second refusal stands.
      return needsDPoPNonce(first) && first.headers['dpop-nonce'] ? attempt() : first;
    },
    proof,
    remember: (url, headers) => nonces.remember(url, headers),
    tokenType: (tokenType) => {
      const type = typeof tokenType === 'string' ? tokenType.toLowerCase() : '';
      if (type === 'dpop') return 'DPoP';
      if (type === 'bearer' && options.allowBearer) return 'Bearer';
      if (type === 'bearer') {
        throw new OidcError(DEV && 'Token response: DPoP was used but the token is not bound (token_type Bearer)', 'DPOP_NOT_BOUND', { key: 'token_type', actual: tokenType });
      }
      throw new OidcError(DEV && 'Token response: token_type is neither DPoP nor Bearer', 'TOKEN_RESPONSE_INVALID', { key: 'token_type', actual: tokenType });
    },
    drop: () => {
      current = undefined;
      nonces.clear();
      // A store that does not answer must not hold the logout's redirect for long.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const cap = new Promise<void>((resolve) => (timer = setTimeout(resolve, KEY_DELETION_WAIT_MS)));
      return Promise.race([store.remove(configId), cap]).finally(() => clearTimeout(timer));
    },
  };
}
