import { authorizationParams, authorizationUrl } from './authorize';
import { type RenewalBackoff, backoffError, isRenewalBackoff, nextBackoff } from './backoff';
import { parseCallbackUrl, validateCallback } from './callback';
import type { ResolvedOidcConfig } from './config';
import { type ProviderMetadata, loadDiscovery } from './discovery';
import { OidcError, isOidcError, isTransientError, toOidcError } from './errors';
import { type FetchJson, isJsonObject, send, withTimeout } from './http';
import { type IdTokenClaims, allowedIdTokenAlgs, readHeader, validateIdToken } from './id-token';
import { type KeyResolver, jwksKeyResolver } from './jwks';
import { logoutUrl, revokeAll } from './logout';
import { type pushedAuthorizationUrl, shouldUsePar } from './par';
import { createPkcePair } from './pkce';
import { randomString } from './random';
import { type AuthStorage, Store } from './storage';
import { type LoginTransaction, LogoutStateStore, TransactionStore, defaultTransactionStorage } from './transaction';
import { type TokenSet, authorizationCodeGrantRequest, processTokenResponse, refreshTokenGrantRequest } from './token';
import { type UserInfo, fetchUserInfo } from './userinfo';

/**
 * The session state machine: it ties the protocol steps together (restore,
 * begin login, finish the callback, refresh, logout) over the network port
 * and a storage. Framework-free; the Angular layer drives it.
 *
 * Nothing is written until every check of a step has passed, so a failure
 * leaves the previous state as it was: never half a session.
 */

/** A signed-in session, as stored. */
export interface AuthSession {
  /** The raw ID token (used as `id_token_hint` at logout). */
  readonly idToken: string;
  /** The validated claims of the current ID token. */
  readonly idTokenClaims: IdTokenClaims;
  /** The access token for the APIs. */
  readonly accessToken: string;
  /** When the access token expires, seconds since the epoch; `null` when the provider did not say. */
  readonly accessTokenExpiresAt: number | null;
  /** When the access token was received, seconds since the epoch (its lifetime bounds the renewal lead). */
  readonly accessTokenReceivedAt?: number;
  /** The refresh token, when the provider issued one. */
  readonly refreshToken?: string;
  /** The granted scope, when the provider said. */
  readonly scope?: string;
  /** Userinfo claims, when loaded. */
  readonly userInfo?: UserInfo;
  /** OIDC Session Management `session_state`, when the provider sent one. */
  readonly sessionState?: string;
}

export { type LoginTransaction, isLoginTransaction } from './transaction';

/**
 * Runs `task` while holding a named lock shared by every tab (Web Locks), or
 * directly. `task` learns whether it had to wait for another holder.
 */
export type LockPort = <T>(name: string, task: (contended: boolean) => Promise<T>) => Promise<T>;

/** What the session needs from its host. */
export interface SessionDeps {
  /** The network port. */
  readonly fetchJson: FetchJson;
  /** Where the session and the caches are kept. */
  readonly storage: AuthStorage;
  /**
   * Where pending logins are kept across the redirect: sessionStorage by
   * default, whatever `storage` is; `null` when none is usable (a login then
   * fails with `STORAGE_UNAVAILABLE` before it redirects).
   */
  readonly transactionStorage?: AuthStorage | null;
  /** A number in [0, 1) for the back-off jitter. Default `Math.random`. */
  readonly random?: () => number;
  /** Now in seconds since the epoch. Default: the system clock. */
  readonly now?: () => number;
  /**
   * The PAR step (`pushedAuthorizationUrl` from par.ts). Optional so that apps
   * without PAR do not ship it; a login that needs PAR fails with
   * `CONFIG_INVALID` without it.
   */
  readonly pushedAuthorization?: typeof pushedAuthorizationUrl;
  /** A cross-tab lock for refreshes. Default: none (single tab). */
  readonly lock?: LockPort;
  /**
   * Resolves when another tab's write to the stored session becomes visible
   * here, or after `timeoutMs`. Browsers propagate shared storage between tabs
   * asynchronously, so a tab that waited for the refresh lock uses it before
   * concluding that nobody renewed. Default: none.
   */
  readonly sessionChanged?: (timeoutMs: number) => Promise<void>;
}

/** Options for {@link OidcSession.beginLogin}. */
export interface BeginLoginOptions {
  /** `prompt` (OIDC Core 3.1.2.1), such as `login`, `consent` or `none`. */
  readonly prompt?: string;
  /** Extra authorization parameters, on top of `customParamsAuthRequest`. */
  readonly customParams?: Readonly<Record<string, string | number | boolean>>;
  /** Where to go after login. */
  readonly returnUrl?: string;
  /** Another redirect URI (the silent-renew page). */
  readonly redirectUri?: string;
  /** A renewal: the callback must be for the same user. */
  readonly renew?: boolean;
}

/** The outcome of {@link OidcSession.logout}. */
export interface LogoutResult {
  /** Where to send the browser to end the provider's session, or `null` when the provider has no end-session endpoint. */
  readonly endSessionUrl: string | null;
  /** Revocation or discovery failures; the local session is gone regardless. */
  readonly errors: readonly OidcError[];
}

/** The outcome of {@link OidcSession.finishLogin}. */
export interface LoginResult {
  /** The new session. */
  readonly session: AuthSession;
  /** The return URL stored when the login began. */
  readonly returnUrl?: string;
}

function isStringOrAbsent(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

/** Shape check for a stored session: anything else counts as absent. */
export function isAuthSession(value: unknown): value is AuthSession {
  if (!isJsonObject(value)) return false;
  const claims = value['idTokenClaims'];
  return (
    typeof value['idToken'] === 'string' &&
    typeof value['accessToken'] === 'string' &&
    (value['accessTokenExpiresAt'] === null || typeof value['accessTokenExpiresAt'] === 'number') &&
    (value['accessTokenReceivedAt'] === undefined || typeof value['accessTokenReceivedAt'] === 'number') &&
    isStringOrAbsent(value['refreshToken']) &&
    isStringOrAbsent(value['scope']) &&
    isStringOrAbsent(value['sessionState']) &&
    (value['userInfo'] === undefined || (isJsonObject(value['userInfo']) && typeof value['userInfo']['sub'] === 'string')) &&
    isJsonObject(claims) &&
    typeof claims['iss'] === 'string' &&
    typeof claims['sub'] === 'string' &&
    typeof claims['exp'] === 'number' &&
    typeof claims['iat'] === 'number'
  );
}


const runDirectly: LockPort = (_name, task) => task(false);

/** How long a tab that waited for the refresh lock waits for the other tab's write to show. */
const SESSION_PROPAGATION_WAIT_MS = 1000;

/**
 * One provider's session for one client. Create one per config.
 *
 * @example
 * ```ts
 * const session = new OidcSession(resolveConfig(cfg), { fetchJson: fetchPort(), storage: createStorage('sessionStorage') });
 * location.assign(await session.beginLogin());            // on the login button
 * const { session: s } = await session.finishLogin(location.href); // on the redirect page
 * ```
 */
export class OidcSession {
  /** The namespaced store over the storage. */
  readonly store: Store;
  /** The pending logins, by `state`. */
  readonly transactions: TransactionStore;
  /** The `state` of the last RP-initiated logout, until the browser is back. */
  readonly logoutStates: LogoutStateStore;
  private readonly now: () => number;
  private readonly lock: LockPort;
  /** The network port, with `httpTimeoutInSeconds` on every request. */
  private readonly fetchJson: FetchJson;
  private inflightRefresh: Promise<AuthSession> | undefined;
  private keyResolver: { readonly jwksUri: string; readonly resolve: KeyResolver } | undefined;

  /**
   * @param config - a config from `resolveConfig`.
   * @param deps - the network port, the storage, and optionally a clock and a lock.
   */
  constructor(
    readonly config: ResolvedOidcConfig,
    private readonly deps: SessionDeps,
  ) {
    this.store = new Store(deps.storage, config.configId);
    const txStorage = deps.transactionStorage === undefined ? defaultTransactionStorage() : deps.transactionStorage;
    this.transactions = new TransactionStore(txStorage, config.configId, config.transactionTimeoutInSeconds);
    this.logoutStates = new LogoutStateStore(txStorage, config.configId);
    this.now = deps.now ?? (() => Date.now() / 1000);
    this.lock = deps.lock ?? runDirectly;
    this.fetchJson = withTimeout(deps.fetchJson, config.httpTimeoutInSeconds * 1000);
  }

  /** The provider metadata, from the cache when fresh (no round trip for a returning user). */
  metadata(): Promise<ProviderMetadata> {
    return loadDiscovery(this.config.authority, {
      fetchJson: this.fetchJson,
      store: this.store,
      now: this.now(),
      ttlSeconds: this.config.discoveryCacheSeconds,
      ...(this.config.authWellknownEndpoints ? { overrides: this.config.authWellknownEndpoints } : {}),
    });
  }

  /**
   * The stored session, without any request; `null` when there is none, or
   * when the stored one is garbage or belongs to another issuer or client
   * (then it is removed).
   */
  restore(): AuthSession | null {
    const session = this.store.get('session', isAuthSession);
    if (!session) return null;
    const aud = session.idTokenClaims.aud;
    const forThisClient = typeof aud === 'string' ? aud === this.config.clientId : Array.isArray(aud) && aud.includes(this.config.clientId);
    if (session.idTokenClaims.iss !== this.config.authority || !forThisClient) {
      this.store.remove('session');
      return null;
    }
    // useRefreshToken: false means no refresh token is used, even one stored earlier.
    if (!this.config.useRefreshToken && session.refreshToken !== undefined) {
      const { refreshToken: _dropped, ...rest } = session;
      return rest;
    }
    return session;
  }

  /**
   * Removes the stored session only when it is still `expected` (same access
   * and refresh token): compare and delete, so that a session another tab has
   * just renewed in shared storage is never thrown away for an old failure.
   * Returns whether it removed it.
   */
  discard(expected: Pick<AuthSession, 'accessToken' | 'refreshToken'>): boolean {
    const stored = this.store.get('session', isAuthSession);
    if (!stored || stored.accessToken !== expected.accessToken || stored.refreshToken !== expected.refreshToken) return false;
    this.store.remove('session');
    this.store.remove('renewal');
    return true;
  }

  /** The stored renewal back-off (shared with the tabs that share the session), or `null`. */
  renewalBackoff(): RenewalBackoff | null {
    return this.store.get('renewal', isRenewalBackoff);
  }

  /**
   * When the access token is due for renewal (seconds since the epoch):
   * `renewTimeBeforeTokenExpiresInSeconds` before it expires, but never earlier
   * than half its lifetime, so short-lived tokens are not renewed on every use.
   * `null` when the provider gave no expiry.
   */
  renewalDueAt(session: AuthSession): number | null {
    const expiresAt = session.accessTokenExpiresAt;
    if (expiresAt === null) return null;
    const lifetime = session.accessTokenReceivedAt === undefined ? Infinity : expiresAt - session.accessTokenReceivedAt;
    return expiresAt - Math.min(this.config.renewTimeBeforeTokenExpiresInSeconds, lifetime / 2);
  }

  /** True when the access token is due for renewal (see {@link renewalDueAt}). */
  needsRenewal(session: AuthSession): boolean {
    const due = this.renewalDueAt(session);
    return due !== null && this.now() >= due;
  }

  /** True when the access token has expired. */
  isExpired(session: AuthSession): boolean {
    return session.accessTokenExpiresAt !== null && this.now() >= session.accessTokenExpiresAt;
  }

  /**
   * Starts a login: creates PKCE, state and nonce, stores them as a single-use
   * transaction, and returns the URL to send the browser to. With PAR (RFC
   * 9126), the parameters are pushed first and the URL carries only
   * `client_id` and `request_uri`.
   */
  async beginLogin(options: BeginLoginOptions = {}): Promise<string> {
    // Before any request: a login whose transaction cannot survive the redirect must not start.
    this.transactions.requireStorage();
    const metadata = await this.metadata();
    const pkce = await createPkcePair();
    const { config } = this;
    // OIDC Core 3.1.2.1: a prompt=none request names the signed-in user with id_token_hint.
    const idTokenHint = options.prompt === 'none' ? this.restore()?.idToken : undefined;
    const tx: LoginTransaction = {
      state: randomString(),
      nonce: randomString(),
      codeVerifier: pkce.codeVerifier,
      redirectUri: options.redirectUri ?? config.redirectUrl,
      createdAt: this.now(),
      ...(config.maxAge !== undefined ? { maxAge: config.maxAge } : {}),
      ...(options.returnUrl !== undefined ? { returnUrl: options.returnUrl } : {}),
      ...(options.renew ? { renew: true } : {}),
    };
    const params = authorizationParams({
      clientId: config.clientId,
      redirectUri: tx.redirectUri,
      scope: config.scope,
      state: tx.state,
      nonce: tx.nonce,
      codeChallenge: pkce.codeChallenge,
      ...(options.prompt !== undefined ? { prompt: options.prompt } : {}),
      ...(config.maxAge !== undefined ? { maxAge: config.maxAge } : {}),
      ...(config.resource !== undefined ? { resource: config.resource } : {}),
      ...(idTokenHint !== undefined ? { idTokenHint } : {}),
      customParams: { ...config.customParamsAuthRequest, ...options.customParams },
    });
    this.transactions.save(tx, this.now());
    try {
      if (shouldUsePar(metadata, config.usePushedAuthorisationRequests)) {
        const push = this.deps.pushedAuthorization;
        if (!push) {
          throw new OidcError(
            'Pushed Authorization Requests are required (by the config or by the provider) but not enabled: add withPushedAuthorizationRequests()',
            'CONFIG_INVALID',
            { key: 'usePushedAuthorisationRequests' },
          );
        }
        return await push(metadata, config.clientId, params, this.fetchJson);
      }
      return authorizationUrl(metadata.authorization_endpoint, params);
    } catch (e) {
      this.transactions.remove(tx.state);
      throw e;
    }
  }

  /**
   * Finishes a login from the redirect URL: checks state (single use) and the
   * RFC 9207 `iss`, exchanges the code, validates the ID token, optionally
   * loads userinfo, then stores the session. On any failure nothing is stored
   * and the transaction is gone, so a reload or a replay cannot exchange a code twice.
   */
  async finishLogin(callbackUrl: string): Promise<LoginResult> {
    const params = parseCallbackUrl(callbackUrl);
    // RFC 6749 10.12: the response's state picks its own transaction, which is removed
    // before anything else (single use); an unknown state finds and deletes nothing.
    const tx = this.transactions.take(params.state);
    if (!tx) throw new OidcError('No login is pending: state unknown or already used', 'STATE_MISMATCH', { actual: params.state });
    if (this.now() - tx.createdAt > this.config.transactionTimeoutInSeconds) {
      throw new OidcError('The login took too long; its state has expired', 'STATE_MISMATCH', { reason: 'expired' });
    }
    const metadata = await this.metadata();
    const { code, sessionState } = validateCallback(params, {
      state: tx.state,
      issuer: metadata.issuer,
      issParameterSupported: metadata.authorization_response_iss_parameter_supported === true,
    });
    const tokens = await this.tokenRequest(() =>
      authorizationCodeGrantRequest(metadata.token_endpoint, {
        clientId: this.config.clientId,
        code,
        redirectUri: tx.redirectUri,
        codeVerifier: tx.codeVerifier,
        ...(this.config.resource !== undefined ? { resource: this.config.resource } : {}),
      }),
    );
    // OIDC Core 3.1.3.3: the token response of an OpenID request contains an ID token.
    if (tokens.idToken === undefined) throw new OidcError('The token response has no id_token', 'TOKEN_RESPONSE_INVALID');
    const current = tx.renew ? this.restore() : null;
    // A renewal for a session that ended meanwhile (logout while the iframe ran) signs nobody in.
    if (tx.renew && !current) throw new OidcError('The session ended while it was being renewed', 'NO_SESSION');
    const claims = await validateIdToken(tokens.idToken, this.keys(metadata), {
      ...this.idTokenExpectations(metadata, tokens),
      nonce: tx.nonce,
      ...(tx.maxAge !== undefined ? { maxAge: tx.maxAge } : {}),
    });
    // OIDC Core 3.1.2.1 (prompt=none): a renewal must not switch the user.
    if (current && (claims.sub !== current.idTokenClaims.sub || claims.iss !== current.idTokenClaims.iss)) {
      throw new OidcError('The renewed session is for another user', 'ID_TOKEN_REFRESH_MISMATCH', {
        expected: current.idTokenClaims.sub,
        actual: claims.sub,
      });
    }
    let session: AuthSession = {
      idToken: tokens.idToken,
      idTokenClaims: claims,
      accessToken: tokens.accessToken,
      accessTokenExpiresAt: tokens.expiresAt,
      accessTokenReceivedAt: this.now(),
      ...(tokens.refreshToken !== undefined && this.config.useRefreshToken ? { refreshToken: tokens.refreshToken } : {}),
      ...(tokens.scope !== undefined ? { scope: tokens.scope } : {}),
      ...(sessionState !== undefined ? { sessionState } : {}),
    };
    if (this.config.autoUserInfo) session = await this.withUserInfo(session, metadata);
    this.store.set('session', session);
    this.store.remove('renewal');
    return { session, ...(tx.returnUrl !== undefined ? { returnUrl: tx.returnUrl } : {}) };
  }

  /**
   * Renews the tokens with the refresh token (RFC 6749 6). Single flight: calls
   * made while one is running share it. Under the cross-tab lock the stored
   * session is read again, so a refresh token another tab already rotated is
   * never sent twice: that tab's fresh tokens are used instead.
   *
   * Failures: a transient one (no answer, timeout, 5xx, 429) keeps the session
   * and stores a back-off shared by every tab of the session; until its
   * `retryAt` no tab asks the provider again, and the call rejects with the last
   * failure's code and `cause.retryAt` (milliseconds). A refused refresh token
   * (`invalid_grant`) ends the session, if it is still the one that was sent.
   *
   * @param options - `force: false` renews only when the access token is due
   *   (timers, the interceptor); the default renews in any case (the user asked,
   *   or an API refused the token), unless another tab just did.
   *   `retryNow: true` ignores a stored back-off (the browser came back online),
   *   unless the provider set it with `Retry-After`.
   */
  refresh(options: { force?: boolean; retryNow?: boolean } = {}): Promise<AuthSession> {
    if (!this.inflightRefresh) {
      const seen = this.restore()?.refreshToken;
      const force = options.force ?? true;
      const retryNow = options.retryNow ?? false;
      this.inflightRefresh = this.lock(this.lockName(), (contended) => this.refreshLocked(seen, force, retryNow, contended)).finally(() => {
        this.inflightRefresh = undefined;
      });
    }
    return this.inflightRefresh;
  }

  private lockName(): string {
    return `ngx-oidc.${this.config.configId}.refresh`;
  }

  private async refreshLocked(seenRefreshToken: string | undefined, force: boolean, retryNow: boolean, contended: boolean): Promise<AuthSession> {
    let current = this.restore();
    // Another tab held the lock, so it probably rotated the refresh token; its write may
    // still be on its way to this tab. Wait for it (bounded) before using the old token.
    if (contended && current?.refreshToken === seenRefreshToken && this.deps.sessionChanged) {
      await this.deps.sessionChanged(SESSION_PROPAGATION_WAIT_MS);
      current = this.restore();
    }
    if (!current) throw new OidcError('There is no session to refresh', 'NO_SESSION');
    // Not due (another tab may have renewed while this one waited for the lock): keep the tokens.
    if (!this.needsRenewal(current) && (!force || current.refreshToken !== seenRefreshToken)) return current;
    const refreshToken = current.refreshToken;
    if (refreshToken === undefined) throw new OidcError('The session has no refresh token', 'NO_REFRESH_TOKEN');
    // A back-off stored by any tab of this session: wait it out, together.
    const backoff = this.renewalBackoff();
    const waiting = backoff && backoff.refreshToken === refreshToken && this.now() < backoff.retryAt;
    if (waiting && (!retryNow || backoff.providerSet)) throw backoffError(backoff);
    let tokens: TokenSet;
    let metadata: ProviderMetadata;
    try {
      metadata = await this.metadata();
      await this.warmKeys(metadata, current.idToken);
      tokens = await this.tokenRequest(
        () =>
          refreshTokenGrantRequest(metadata.token_endpoint, {
            clientId: this.config.clientId,
            refreshToken,
            ...(this.config.resource !== undefined ? { resource: this.config.resource } : {}),
            customParams: this.config.customParamsRefreshTokenRequest,
          }),
        refreshToken,
      );
    } catch (e) {
      throw this.renewalFailed(toOidcError(e), current, backoff);
    }
    let claims = current.idTokenClaims;
    if (tokens.idToken !== undefined) {
      claims = await validateIdToken(tokens.idToken, this.keys(metadata), {
        ...this.idTokenExpectations(metadata, tokens),
        previous: current.idTokenClaims,
        ignoreNonceAfterRefresh: this.config.ignoreNonceAfterRefresh,
      }).catch((e: unknown) => {
        throw this.renewalFailed(toOidcError(e), current, backoff);
      });
    }
    // Logged out (or another tab changed the session) while the request ran: store nothing.
    if (this.restore()?.refreshToken !== refreshToken) throw new OidcError('The session changed while it was being renewed', 'NO_SESSION');
    const session: AuthSession = {
      ...current,
      idToken: tokens.idToken ?? current.idToken,
      idTokenClaims: claims,
      accessToken: tokens.accessToken,
      accessTokenExpiresAt: tokens.expiresAt,
      accessTokenReceivedAt: this.now(),
      ...(tokens.refreshToken !== undefined ? { refreshToken: tokens.refreshToken } : {}),
      ...(tokens.scope !== undefined ? { scope: tokens.scope } : {}),
    };
    this.store.set('session', session);
    this.store.remove('renewal');
    return session;
  }

  /**
   * Makes sure the keys to check the refreshed ID token can be had before the
   * refresh token is spent: a JWKS that cannot be fetched fails the renewal
   * here, transiently, instead of after the provider rotated the refresh
   * token (whose new value would then be lost). Costs no request while the
   * cached JWKS is fresh; anything but a transient failure is left to the
   * real check.
   */
  private async warmKeys(metadata: ProviderMetadata, idToken: string): Promise<void> {
    try {
      await this.keys(metadata)(readHeader(idToken));
    } catch (e) {
      if (isTransientError(e)) throw e;
    }
  }

  /**
   * Records a failed refresh: a transient failure stores the next back-off and
   * gets its `retryAt`; `invalid_grant` ends the session (compare and delete).
   */
  private renewalFailed(error: OidcError, sent: AuthSession, previous: RenewalBackoff | null): OidcError {
    // RFC 6749 5.2: invalid_grant means the refresh token is dead: so is the session,
    // unless another tab has stored a newer one meanwhile (no Web Locks).
    if (isOidcError(error, 'TOKEN_ERROR') && error.oauthError === 'invalid_grant') {
      this.discard(sent);
      return error;
    }
    const next = nextBackoff(previous, error, {
      now: this.now(),
      policy: { initialDelaySeconds: this.config.renewRetryInitialDelayInSeconds, maxDelaySeconds: this.config.renewRetryMaxDelayInSeconds },
      ...(sent.refreshToken !== undefined ? { refreshToken: sent.refreshToken } : {}),
      ...(this.deps.random ? { random: this.deps.random } : {}),
    });
    if (!next) return error;
    this.store.set('renewal', next);
    return new OidcError(error.message, error.code, { ...error.cause, retryAt: Math.round(next.retryAt * 1000), attempt: next.attempt });
  }

  /**
   * Loads userinfo with the current access token, checks its `sub` (OIDC Core
   * 5.3.2), and merges it into the session as stored when the answer comes,
   * under the renewal lock: a refresh that rotated the tokens meanwhile is kept.
   */
  async loadUserInfo(): Promise<UserInfo> {
    const current = this.restore();
    if (!current) throw new OidcError('There is no session', 'NO_SESSION');
    const { userInfo } = await this.withUserInfo(current, await this.metadata());
    return this.lock(this.lockName(), async () => {
      const latest = this.restore();
      // The user signed out, or another user signed in, while userinfo loaded.
      if (!latest || latest.idTokenClaims.sub !== current.idTokenClaims.sub) throw new OidcError('The session ended while userinfo loaded', 'NO_SESSION');
      this.store.set('session', { ...latest, userInfo });
      return userInfo!;
    });
  }

  /**
   * Logs out: the local session goes first, synchronously, so a failing
   * provider never keeps the user signed in; see {@link endProviderSession}
   * for the provider's side.
   */
  async logout(options: { postLogoutRedirectUri?: string; state?: string; revoke?: boolean } = {}): Promise<LogoutResult> {
    const session = this.restore();
    this.logoutLocal();
    return this.endProviderSession(session, options);
  }

  /**
   * The provider's side of a logout of `ended` (already removed locally):
   * revokes its refresh and access tokens (RFC 7009) in parallel, each with a
   * short timeout, when the provider lets public clients revoke; then returns
   * the RP-initiated logout URL with a fresh `state` (remembered, so the
   * return page can be recognised and scrubbed). Never rejects.
   */
  async endProviderSession(
    ended: AuthSession | null,
    options: { postLogoutRedirectUri?: string; state?: string; revoke?: boolean } = {},
  ): Promise<LogoutResult> {
    let metadata: ProviderMetadata;
    try {
      metadata = await this.metadata();
    } catch (e) {
      return { endSessionUrl: null, errors: [toOidcError(e)] };
    }
    const errors =
      ended && options.revoke !== false ? await revokeAll(metadata, this.config.clientId, ended, this.deps.fetchJson) : [];
    const postLogoutRedirectUri = options.postLogoutRedirectUri ?? this.config.postLogoutRedirectUri;
    const state = options.state ?? (metadata.end_session_endpoint && postLogoutRedirectUri !== undefined ? randomString() : undefined);
    let url: string | null;
    try {
      url = logoutUrl(metadata, {
        clientId: this.config.clientId,
        ...(ended ? { idTokenHint: ended.idToken } : {}),
        ...(postLogoutRedirectUri !== undefined ? { postLogoutRedirectUri } : {}),
        ...(state !== undefined ? { state } : {}),
        customParams: this.config.customParamsEndSessionRequest,
      });
    } catch (e) {
      return { endSessionUrl: null, errors: [...errors, toOidcError(e)] };
    }
    if (url && state !== undefined) this.logoutStates.save(state);
    return { endSessionUrl: url, errors };
  }

  /** Forgets the session and its renewal back-off, without asking the provider. */
  logoutLocal(): void {
    this.store.remove('session');
    this.store.remove('renewal');
  }

  private keys(metadata: ProviderMetadata): KeyResolver {
    // A new discovery document may name another jwks_uri: follow it.
    if (this.keyResolver?.jwksUri !== metadata.jwks_uri) {
      const resolve = jwksKeyResolver({
        jwksUri: metadata.jwks_uri,
        fetchJson: this.fetchJson,
        store: this.store,
        now: this.now,
        ttlSeconds: this.config.discoveryCacheSeconds,
      });
      this.keyResolver = { jwksUri: metadata.jwks_uri, resolve };
    }
    return this.keyResolver.resolve;
  }

  private idTokenExpectations(metadata: ProviderMetadata, tokens: TokenSet) {
    return {
      issuer: metadata.issuer,
      clientId: this.config.clientId,
      algorithms: allowedIdTokenAlgs(this.config.idTokenSigningAlgs, metadata.id_token_signing_alg_values_supported),
      now: this.now(),
      clockSkewSeconds: this.config.clockSkewInSeconds,
      maxIatOffsetSeconds: this.config.maxIdTokenIatOffsetAllowedInSeconds,
      accessToken: tokens.accessToken,
      trustedAudiences: this.config.trustedAudiences,
    };
  }

  private async tokenRequest(build: () => ReturnType<typeof authorizationCodeGrantRequest>, previousRefreshToken?: string): Promise<TokenSet> {
    const res = await send(this.fetchJson, build());
    return processTokenResponse(res, {
      now: this.now(),
      ...(previousRefreshToken !== undefined ? { previousRefreshToken } : {}),
    });
  }

  private async withUserInfo(session: AuthSession, metadata: ProviderMetadata): Promise<AuthSession> {
    if (!metadata.userinfo_endpoint) throw new OidcError('The provider has no userinfo endpoint', 'USERINFO_ERROR');
    const userInfo = await fetchUserInfo(metadata.userinfo_endpoint, session.accessToken, session.idTokenClaims.sub, this.fetchJson);
    return { ...session, userInfo };
  }
}

