/**
 * An in-test OpenID Provider: real keys (jose), real signed tokens, and an
 * authorization server that enforces PKCE, single-use codes and refresh token
 * rotation. It answers through the core's {@link FetchJson} port, so tests run
 * the real protocol steps without a network. Not part of the published library.
 */
import {
  type CryptoKey,
  EmbeddedJWK,
  type JWK,
  type JWTPayload,
  SignJWT,
  calculateJwkThumbprint,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  jwtVerify,
} from 'jose';
import type { FetchJson, OidcHttpRequest, OidcHttpResponse } from '../lib/core/http';
import type { ProviderMetadata } from '../lib/core/discovery';

/** Signing algorithms the fake provider can use. */
export type FakeAlg = 'RS256' | 'PS256' | 'ES256' | 'ES384' | 'EdDSA';

/** A signing key of the fake provider. */
export interface FakeKey {
  readonly alg: FakeAlg;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

/** Endpoint names, for overrides and request counts. */
export type FakeRoute = 'discovery' | 'jwks' | 'token' | 'userinfo' | 'revocation' | 'par' | 'introspection';

/** A canned answer or a function of the request. */
export type FakeAnswer = Partial<OidcHttpResponse> | ((req: OidcHttpRequest) => Partial<OidcHttpResponse> | Promise<Partial<OidcHttpResponse>>);

/** Options for {@link FakeProvider.create}. */
export interface FakeProviderOptions {
  issuer?: string;
  clientId?: string;
  alg?: FakeAlg;
  /** Access token lifetime in seconds (default 300); `null` omits `expires_in`. */
  accessTokenTtl?: number | null;
  /** Issue a new refresh token on each refresh (default true). */
  rotateRefreshTokens?: boolean;
  /** Put `iss` in authorization responses and advertise it (RFC 9207; default true). */
  issParameter?: boolean;
  /** Advertise `require_pushed_authorization_requests` (default false). */
  requirePar?: boolean;
  /** The clock, in seconds; shared with the client under test. */
  now?: () => number;
}

interface CodeGrant {
  /** The `dpop_jkt` of the authorization request (RFC 9449 10). */
  dpopJkt?: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce?: string;
  scope: string;
  sub: string;
  authTime: number;
  used: boolean;
}

interface RefreshGrant {
  /** The key the refresh token is bound to (RFC 9449 5). */
  jkt?: string;
  sub: string;
  scope: string;
  nonce?: string;
  authTime: number;
  active: boolean;
}

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

async function sha256b64url(input: string): Promise<string> {
  return b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(input))));
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): OidcHttpResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

function oauthError(error: string, description?: string, status = 400): OidcHttpResponse {
  return json(status, { error, ...(description ? { error_description: description } : {}) });
}

let serial = 0;
function opaque(prefix: string): string {
  serial += 1;
  return `${prefix}-${serial}-${Math.random().toString(36).slice(2)}`;
}

/** The fake provider. Create with {@link FakeProvider.create}. */
export class FakeProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly now: () => number;
  accessTokenTtl: number | null;
  rotateRefreshTokens: boolean;
  issParameter: boolean;
  /** Metadata fields to add or replace in the discovery document. */
  metadataOverrides: Record<string, unknown> = {};
  /** Claims added to every ID token the token endpoint issues. */
  idTokenExtraClaims: JWTPayload = {};
  /** Userinfo claims beyond `sub`. */
  userInfoClaims: Record<string, unknown> = { name: 'Alice Example', email: 'alice@example.test' };
  /** Every request received, in order. */
  readonly requests: OidcHttpRequest[] = [];
  /** Keys served in the JWKS; the first signs. */
  keys: FakeKey[];
  /** Tokens revoked through the revocation endpoint. */
  readonly revoked: string[] = [];
  /** DPoP (RFC 9449): when set, proofs at the token endpoint must carry this nonce. */
  dpopNonce: string | undefined;
  /** DPoP: bind tokens to the proof's key and answer `token_type: DPoP` (false: answer Bearer anyway). */
  dpopBindsTokens = true;
  /** DPoP: the thumbprints of the keys whose proofs the token endpoint accepted, in order. */
  readonly dpopKeys: string[] = [];
  private readonly dpopJtis = new Set<string>();

  private readonly overrides = new Map<FakeRoute, { answer: FakeAnswer; once: boolean }[]>();
  private readonly arrivals: { route: FakeRoute; count: number; arrived: () => void }[] = [];
  private readonly codes = new Map<string, CodeGrant>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  private readonly accessTokens = new Map<string, { sub: string; active: boolean; jkt?: string }>();
  private readonly parRequests = new Map<string, URLSearchParams>();

  private constructor(options: Required<Omit<FakeProviderOptions, 'alg' | 'requirePar'>> & { requirePar: boolean }, key: FakeKey) {
    this.issuer = options.issuer;
    this.clientId = options.clientId;
    this.now = options.now;
    this.accessTokenTtl = options.accessTokenTtl;
    this.rotateRefreshTokens = options.rotateRefreshTokens;
    this.issParameter = options.issParameter;
    this.keys = [key];
    if (options.requirePar) this.metadataOverrides['require_pushed_authorization_requests'] = true;
  }

  /** A provider with one fresh signing key. */
  static async create(options: FakeProviderOptions = {}): Promise<FakeProvider> {
    const key = await FakeProvider.generateKey(options.alg ?? 'RS256');
    return new FakeProvider(
      {
        issuer: options.issuer ?? 'https://op.example.test',
        clientId: options.clientId ?? 'spa',
        accessTokenTtl: options.accessTokenTtl === undefined ? 300 : options.accessTokenTtl,
        rotateRefreshTokens: options.rotateRefreshTokens ?? true,
        issParameter: options.issParameter ?? true,
        requirePar: options.requirePar ?? false,
        now: options.now ?? (() => Math.floor(Date.now() / 1000)),
      },
      key,
    );
  }

  /** A new key pair with a thumbprint `kid`. */
  static async generateKey(alg: FakeAlg): Promise<FakeKey> {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    return { alg, kid, privateKey, publicJwk: { ...publicJwk, kid, alg, use: 'sig' } };
  }

  /** Replaces the signing key (key rotation); the old key is dropped from the JWKS unless `keepOld`. */
  async rotateKeys(alg: FakeAlg = this.keys[0]!.alg, keepOld = false): Promise<FakeKey> {
    const key = await FakeProvider.generateKey(alg);
    this.keys = keepOld ? [key, ...this.keys] : [key];
    return key;
  }

  /** The discovery document. */
  metadata(): ProviderMetadata {
    const i = this.issuer;
    return {
      issuer: i,
      authorization_endpoint: `${i}/authorize`,
      token_endpoint: `${i}/token`,
      jwks_uri: `${i}/jwks`,
      userinfo_endpoint: `${i}/userinfo`,
      end_session_endpoint: `${i}/session/end`,
      revocation_endpoint: `${i}/token/revocation`,
      introspection_endpoint: `${i}/token/introspection`,
      pushed_authorization_request_endpoint: `${i}/request`,
      check_session_iframe: `${i}/session/check`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: this.issParameter,
      ...this.metadataOverrides,
    } as ProviderMetadata;
  }

  /** Answers `route` with `answer` from now on (or only for the next request with `once`). */
  override(route: FakeRoute, answer: FakeAnswer, once = false): void {
    const list = this.overrides.get(route) ?? [];
    list.push({ answer, once });
    this.overrides.set(route, list);
  }

  /** Removes every override. */
  clearOverrides(): void {
    this.overrides.clear();
  }

  /** How many requests went to `route`. */
  count(route: FakeRoute): number {
    return this.requests.filter((r) => this.routeOf(r.url) === route).length;
  }

  /**
   * Resolves once `count` requests in all have gone to `route` (at once when
   * they have): a test awaits the moment a request reaches the provider
   * instead of polling {@link count}.
   */
  received(route: FakeRoute, count = 1): Promise<void> {
    if (this.count(route) >= count) return Promise.resolve();
    return new Promise((arrived) => this.arrivals.push({ route, count, arrived }));
  }

  /** Default ID token claims for `sub`, valid now. */
  claims(overrides: JWTPayload = {}): JWTPayload {
    const now = this.now();
    return { iss: this.issuer, aud: this.clientId, sub: 'alice', iat: now, exp: now + 300, ...overrides };
  }

  /**
   * Signs `payload` as a JWT. `header` can set any protected header (even
   * `alg: 'none'` is produced by hand); `key` picks another key.
   */
  async sign(payload: JWTPayload, options: { key?: FakeKey; header?: Record<string, unknown>; omitKid?: boolean } = {}): Promise<string> {
    const key = options.key ?? this.keys[0]!;
    const header = { alg: key.alg, typ: 'JWT', ...(options.omitKid ? {} : { kid: key.kid }), ...options.header };
    return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key.privateKey);
  }

  /** `at_hash` for an access token under `alg` (OIDC Core 3.1.3.6). */
  static async atHash(accessToken: string, alg: FakeAlg = 'RS256'): Promise<string> {
    const bits = alg === 'ES384' ? 384 : alg === 'EdDSA' ? 512 : 256;
    const digest = new Uint8Array(await crypto.subtle.digest(`SHA-${bits}`, new TextEncoder().encode(accessToken)));
    return b64url(digest.slice(0, digest.length / 2));
  }

  /**
   * The provider's side of an authorization request: the user `sub` signs in
   * (or `deny`s) and the browser is sent back. Returns the callback URL.
   * Accepts a full authorization URL or a PAR redirect with `request_uri`.
   */
  async authorize(authorizationUrl: string, options: { sub?: string; deny?: boolean; authTime?: number } = {}): Promise<string> {
    const url = new URL(authorizationUrl);
    let params = url.searchParams;
    const requestUri = params.get('request_uri');
    if (requestUri) {
      const pushed = this.parRequests.get(requestUri);
      if (!pushed) throw new Error(`fake provider: unknown request_uri ${requestUri}`);
      this.parRequests.delete(requestUri);
      params = pushed;
    }
    const redirectUri = params.get('redirect_uri');
    if (!redirectUri) throw new Error('fake provider: no redirect_uri');
    const back = new URL(redirectUri);
    const state = params.get('state');
    if (state !== null) back.searchParams.set('state', state);
    if (this.issParameter) back.searchParams.set('iss', this.issuer);
    if (options.deny) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user denied the request');
      return back.toString();
    }
    if (params.get('code_challenge_method') !== 'S256' || !params.get('code_challenge')) {
      throw new Error('fake provider: PKCE S256 required');
    }
    const code = opaque('code');
    this.codes.set(code, {
      ...(params.get('dpop_jkt') ? { dpopJkt: params.get('dpop_jkt')! } : {}),
      clientId: params.get('client_id') ?? '',
      redirectUri,
      codeChallenge: params.get('code_challenge')!,
      ...(params.get('nonce') ? { nonce: params.get('nonce')! } : {}),
      scope: params.get('scope') ?? '',
      sub: options.sub ?? 'alice',
      authTime: options.authTime ?? this.now(),
      used: false,
    });
    back.searchParams.set('code', code);
    return back.toString();
  }

  /** The network port: give it to the code under test. */
  readonly fetchJson: FetchJson = async (req) => {
    this.requests.push(req);
    const route = this.routeOf(req.url);
    for (const waiter of this.arrivals.filter((w) => w.route === route && this.count(w.route) >= w.count)) {
      this.arrivals.splice(this.arrivals.indexOf(waiter), 1);
      waiter.arrived();
    }
    if (!route) return json(404, { error: 'not_found' });
    const list = this.overrides.get(route);
    const override = list?.[0];
    if (override) {
      if (override.once) list.shift();
      const partial = typeof override.answer === 'function' ? await override.answer(req) : override.answer;
      return { status: 200, headers: {}, body: '', ...partial };
    }
    return this.handle(route, req);
  };

  private routeOf(url: string): FakeRoute | undefined {
    const path = url.startsWith(this.issuer) ? url.slice(this.issuer.length).split('?')[0] : undefined;
    const routes: Record<string, FakeRoute> = {
      '/.well-known/openid-configuration': 'discovery',
      '/jwks': 'jwks',
      '/token': 'token',
      '/userinfo': 'userinfo',
      '/token/revocation': 'revocation',
      '/token/introspection': 'introspection',
      '/request': 'par',
    };
    return path === undefined ? undefined : routes[path];
  }

  private async handle(route: FakeRoute, req: OidcHttpRequest): Promise<OidcHttpResponse> {
    const form = new URLSearchParams(req.body ?? '');
    switch (route) {
      case 'discovery':
        return json(200, this.metadata());
      case 'jwks':
        return json(200, { keys: this.keys.map((k) => k.publicJwk) });
      case 'token':
        return this.token(form, req);
      case 'userinfo':
        return this.userinfo(req);
      case 'revocation':
        return this.revoke(form);
      case 'introspection':
        return this.introspect(form);
      case 'par':
        return this.par(form);
    }
  }

  /**
   * Checks a DPoP proof as an authorization server does (RFC 9449 4.3): a
   * `dpop+jwt` signed by the key in its header, for this method and URL,
   * fresh, never replayed, with the current nonce when one is demanded.
   * Returns the key's thumbprint, or an error answer.
   */
  private async checkProof(req: OidcHttpRequest): Promise<{ jkt?: string; error?: OidcHttpResponse }> {
    const proof = req.headers['DPoP'] ?? req.headers['dpop'];
    if (proof === undefined) return {};
    const bad = (description: string) => ({ error: oauthError('invalid_dpop_proof', description) });
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', currentDate: new Date(this.now() * 1000) }));
    } catch {
      return bad('the proof does not verify');
    }
    if (payload['htm'] !== req.method || payload['htu'] !== req.url.split('?')[0]) return bad('htm or htu do not match');
    if (typeof payload.iat !== 'number' || Math.abs(payload.iat - this.now()) > 60) return bad('iat is not recent');
    if (typeof payload.jti !== 'string' || this.dpopJtis.has(payload.jti)) return bad('jti missing or replayed');
    this.dpopJtis.add(payload.jti);
    // RFC 9449 4.3 (11): at a resource, ath is the hash of the access token sent with the proof.
    const auth = req.headers['Authorization'] ?? '';
    if (auth.startsWith('DPoP ') && payload['ath'] !== (await sha256b64url(auth.slice(5)))) return bad('ath does not match');
    if (this.dpopNonce !== undefined && payload['nonce'] !== this.dpopNonce) {
      return { error: { ...oauthError('use_dpop_nonce', 'a nonce is required'), headers: { 'content-type': 'application/json', 'dpop-nonce': this.dpopNonce } } };
    }
    const jkt = await calculateJwkThumbprint(decodeProtectedHeader(proof).jwk as JWK, 'sha256');
    this.dpopKeys.push(jkt);
    return { jkt };
  }

  private async token(form: URLSearchParams, req: OidcHttpRequest): Promise<OidcHttpResponse> {
    if (form.get('client_id') !== this.clientId) return oauthError('invalid_client', 'unknown client', 401);
    const { jkt, error } = await this.checkProof(req);
    if (error) return error;
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      const grant = this.codes.get(form.get('code') ?? '');
      if (!grant) return oauthError('invalid_grant', 'unknown code');
      // A reused code is refused (RFC 6749 4.1.2).
      if (grant.used) return oauthError('invalid_grant', 'code already used');
      grant.used = true;
      if (grant.redirectUri !== form.get('redirect_uri')) return oauthError('invalid_grant', 'redirect_uri mismatch');
      const verifier = form.get('code_verifier');
      if (!verifier || (await sha256b64url(verifier)) !== grant.codeChallenge) {
        return oauthError('invalid_grant', 'PKCE verification failed');
      }
      // RFC 9449 10: a code bound by dpop_jkt is redeemed only with a proof of that key.
      if (grant.dpopJkt !== undefined && grant.dpopJkt !== jkt) return oauthError('invalid_grant', 'dpop_jkt mismatch');
      return this.issue(grant.sub, grant.scope, grant.authTime, grant.nonce, undefined, jkt);
    }
    if (grantType === 'refresh_token') {
      const token = form.get('refresh_token') ?? '';
      const grant = this.refreshTokens.get(token);
      if (!grant || !grant.active) return oauthError('invalid_grant', 'refresh token invalid or reused');
      // RFC 9449 5: a public client's bound refresh token needs a proof of the same key.
      if (grant.jkt !== undefined && grant.jkt !== jkt) return oauthError('invalid_grant', 'refresh token bound to another key');
      if (this.rotateRefreshTokens) grant.active = false;
      return this.issue(grant.sub, grant.scope, grant.authTime, grant.nonce, this.rotateRefreshTokens ? undefined : token, jkt);
    }
    return oauthError('unsupported_grant_type');
  }

  private async issue(sub: string, scope: string, authTime: number, nonce?: string, keepRefreshToken?: string, jkt?: string): Promise<OidcHttpResponse> {
    const accessToken = opaque('at');
    const bound = jkt !== undefined && this.dpopBindsTokens ? jkt : undefined;
    this.accessTokens.set(accessToken, { sub, active: true, ...(bound ? { jkt: bound } : {}) });
    const idToken = await this.sign(
      this.claims({
        sub,
        auth_time: authTime,
        at_hash: await FakeProvider.atHash(accessToken, this.keys[0]!.alg),
        ...(nonce ? { nonce } : {}),
        ...this.idTokenExtraClaims,
      }),
    );
    const body: Record<string, unknown> = { access_token: accessToken, token_type: bound ? 'DPoP' : 'Bearer', id_token: idToken, scope };
    if (this.accessTokenTtl !== null) body['expires_in'] = this.accessTokenTtl;
    if (scope.split(' ').includes('offline_access') && !keepRefreshToken) {
      const refreshToken = opaque('rt');
      this.refreshTokens.set(refreshToken, { sub, scope, authTime, ...(nonce ? { nonce } : {}), ...(bound ? { jkt: bound } : {}), active: true });
      body['refresh_token'] = refreshToken;
    }
    return json(200, body, { 'cache-control': 'no-store', ...(this.dpopNonce !== undefined ? { 'dpop-nonce': this.dpopNonce } : {}) });
  }

  private async userinfo(req: OidcHttpRequest): Promise<OidcHttpResponse> {
    const auth = req.headers['Authorization'] ?? req.headers['authorization'] ?? '';
    const [scheme, token = ''] = auth.split(' ');
    const grant = this.accessTokens.get(token);
    const refused = (challenge: string): OidcHttpResponse => ({ status: 401, headers: { 'www-authenticate': challenge }, body: '' });
    if (!grant || !grant.active) return refused('Bearer error="invalid_token"');
    // RFC 9449 7.1: a bound token only with the DPoP scheme and a proof of its key.
    if (grant.jkt !== undefined) {
      if (scheme !== 'DPoP') return refused('DPoP error="invalid_token"');
      const { jkt, error } = await this.checkProof(req);
      if (error || jkt !== grant.jkt) return refused('DPoP error="invalid_dpop_proof"');
    } else if (scheme !== 'Bearer') {
      return refused('Bearer error="invalid_token"');
    }
    return json(200, { sub: grant.sub, ...this.userInfoClaims });
  }

  private revoke(form: URLSearchParams): OidcHttpResponse {
    const token = form.get('token') ?? '';
    this.revoked.push(token);
    const refresh = this.refreshTokens.get(token);
    if (refresh) refresh.active = false;
    const access = this.accessTokens.get(token);
    if (access) access.active = false;
    return { status: 200, headers: {}, body: '' };
  }

  private introspect(form: URLSearchParams): OidcHttpResponse {
    const token = form.get('token') ?? '';
    const active = this.refreshTokens.get(token)?.active ?? this.accessTokens.get(token)?.active ?? false;
    return json(200, { active });
  }

  private par(form: URLSearchParams): OidcHttpResponse {
    if (form.get('client_id') !== this.clientId) return oauthError('invalid_client', 'unknown client', 401);
    if (form.has('request_uri')) return oauthError('invalid_request', 'request_uri not allowed in PAR');
    const requestUri = `urn:ietf:params:oauth:request_uri:${opaque('par')}`;
    this.parRequests.set(requestUri, form);
    return json(201, { request_uri: requestUri, expires_in: 60 });
  }
}
