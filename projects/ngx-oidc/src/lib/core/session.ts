import type { ResolvedOidcConfig } from './config';
import type { ProviderMetadata } from './discovery';
import { DEV, OidcError } from './errors';
import type { FetchJson } from './http';
import { type RenewalBackoff, isRenewalBackoff } from './renewal-backoff';
import { Store } from './storage';
import { LogoutStateStore, TransactionStore, defaultTransactionStorage } from './transaction';
import type { UserInfo } from './userinfo';

/**
 * The session state machine: it ties the protocol steps together (restore,
 * begin login, finish the callback, refresh, logout) over the network port
 * and a storage. Framework-free; the Angular layer drives it.
 *
 * Nothing is written until every check of a step has passed, so a failure
 * leaves the previous state as it was: never half a session.
 */

// The shapes the session works with (stored session, ports, options, results): session-types.ts.
export {
  type AuthSession,
  type BeginLoginOptions,
  type LockPort,
  type LoginResult,
  type LoginTransaction,
  type LogoutResult,
  type SessionDeps,
  type SessionFlows,
  isAuthSession,
} from './session-types';
import {
  type AuthSession,
  type BeginLoginOptions,
  type LockPort,
  type LoginResult,
  type LogoutResult,
  type SessionDeps,
  type SessionFlows,
  isAuthSession,
} from './session-types';

const runDirectly: LockPort = (_name, task) => task(false);

/**
 * One provider's session for one client. Create one per config.
 *
 * What a returning user needs (the stored session, whether it is due for
 * renewal) is here; the protocol steps (login, callback, refresh, userinfo,
 * logout) are in `session-flows.ts`, loaded on first use through
 * {@link SessionDeps.flows}, so an app whose user is already signed in does
 * not download them at start-up.
 *
 * @example
 * ```ts
 * const session = new OidcSession(resolveConfig(cfg), {
 *   fetchJson: fetchPort(),
 *   storage: createStorage('sessionStorage'),
 *   flows: loadSessionFlows,
 * });
 * location.assign(await session.beginLogin());            // on the login button
 * const { session: s } = await session.finishLogin(location.href); // on the redirect page
 * ```
 */
export class OidcSession {
  /** @internal The namespaced store over the storage. */
  readonly store: Store;
  /** @internal The pending logins, by `state`. */
  readonly transactions: TransactionStore;
  /** @internal The `state` of the last RP-initiated logout, until the browser is back. */
  readonly logoutStates: LogoutStateStore;
  /** @internal Now, in seconds since the epoch. */
  readonly now: () => number;
  /** @internal The cross-tab lock. */
  readonly lock: LockPort;
  /** @internal The network port, with `httpTimeoutInSeconds` on every request. */
  readonly fetchJson: FetchJson;
  private inflightRefresh: Promise<AuthSession> | undefined;

  /**
   * @param config - a config from `resolveConfig`.
   * @param deps - the network port, the storage, and optionally a clock and a lock.
   */
  constructor(
    readonly config: ResolvedOidcConfig,
    /** @internal */ readonly deps: SessionDeps,
  ) {
    this.store = new Store(deps.storage, config.configId);
    const txStorage = deps.transactionStorage === undefined ? defaultTransactionStorage() : deps.transactionStorage;
    this.transactions = new TransactionStore(txStorage, config.configId, config.transactionTimeoutInSeconds);
    this.logoutStates = new LogoutStateStore(txStorage, config.configId);
    this.now = deps.now ?? (() => Date.now() / 1000);
    this.lock = deps.lock ?? runDirectly;
    // Only the protocol steps send requests: the timeout's code loads with them (http-exchange.ts).
    const timeoutMs = config.httpTimeoutInSeconds * 1000;
    this.fetchJson = async (request) => (await deps.flows()).withTimeout(deps.fetchJson, timeoutMs)(request);
  }

  /**
   * @internal Loads the protocol steps ({@link SessionDeps.flows}); called without waiting,
   * it starts the load early, as soon as a callback URL or a due renewal is seen.
   */
  preload(): Promise<SessionFlows> {
    return this.deps.flows();
  }

  /** The provider metadata, from the cache when fresh (no round trip for a returning user). */
  async metadata(): Promise<ProviderMetadata> {
    return (await this.preload()).loadMetadata(this);
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
   * Compares with what {@link restore} gives (so a refresh token stored
   * before `useRefreshToken` was turned off does not count). Returns whether
   * it removed it.
   */
  discard(expected: Pick<AuthSession, 'accessToken' | 'refreshToken'>): boolean {
    const stored = this.restore();
    if (!stored || stored.accessToken !== expected.accessToken || stored.refreshToken !== expected.refreshToken) return false;
    this.store.remove('session');
    this.store.remove('renewal');
    return true;
  }

  /** @internal The stored renewal back-off (shared with the tabs that share the session), or `null`. */
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
   * transaction (in sessionStorage, under its `state`), and returns the URL to
   * send the browser to. With PAR (RFC 9126), the parameters are pushed first
   * and the URL carries only `client_id` and `request_uri`. Fails with
   * `STORAGE_UNAVAILABLE`, before any request, when no Web Storage can keep
   * the transaction across the redirect.
   */
  async beginLogin(options: BeginLoginOptions = {}): Promise<string> {
    // Before any request: a login whose transaction cannot survive the redirect must not start.
    this.transactions.requireStorage();
    return (await (await this.preload()).beginLogin(this, options)).url;
  }

  /**
   * Finishes a login from the redirect URL: checks state (single use) and the
   * RFC 9207 `iss`, exchanges the code (fetching the JWKS and loading the
   * verification code meanwhile), validates the ID token, optionally loads
   * userinfo, then stores the session. On any failure nothing is stored and
   * the transaction is gone, so a reload or a replay cannot exchange a code twice.
   */
  async finishLogin(callbackUrl: string): Promise<LoginResult> {
    return (await this.preload()).finishLogin(this, callbackUrl);
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
      const flows = this.preload();
      this.inflightRefresh = this.lock(this.lockName(), async (contended) => (await flows).refreshLocked(this, seen, force, retryNow, contended)).finally(() => {
        this.inflightRefresh = undefined;
      });
    }
    return this.inflightRefresh;
  }

  private lockName(): string {
    return `ngx-oidc.${this.config.configId}.refresh`;
  }

  /**
   * Loads userinfo with the current access token, checks its `sub` (OIDC Core
   * 5.3.2), and merges it into the session as stored when the answer comes,
   * under the renewal lock: a refresh that rotated the tokens meanwhile is kept.
   */
  async loadUserInfo(): Promise<UserInfo> {
    const current = this.restore();
    if (!current) throw new OidcError(DEV && 'There is no session', 'NO_SESSION');
    const userInfo = await (await this.preload()).fetchSessionUserInfo(this, current);
    return this.lock(this.lockName(), async () => {
      const latest = this.restore();
      // The user signed out, or another user signed in, while userinfo loaded.
      if (!latest || latest.idTokenClaims.sub !== current.idTokenClaims.sub) throw new OidcError(DEV && 'The session ended while userinfo loaded', 'NO_SESSION');
      this.store.set('session', { ...latest, userInfo });
      return userInfo;
    });
  }

  /**
   * Logs out: the local session goes first, synchronously, so a failing
   * provider never keeps the user signed in; see {@link endProviderSession}
   * for the provider's side.
   */
  async logout(options: { postLogoutRedirectUri?: string; state?: string; revoke?: boolean } = {}): Promise<LogoutResult> {
    const session = this.restore();
    const dropped = this.logoutLocal();
    const result = await this.endProviderSession(session, options);
    await dropped;
    return result;
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
    return (await this.preload()).endProviderSession(this, ended, options);
  }

  /**
   * Forgets the session and its renewal back-off (and the DPoP key), without
   * asking the provider. The session is gone at once; the promise settles
   * (never rejects) once the DPoP key is deleted too, or after a second if
   * its store does not answer: wait for it before the page navigates away,
   * or the browser may abort the deletion.
   */
  logoutLocal(): Promise<void> {
    this.store.remove('session');
    this.store.remove('renewal');
    // The key the tokens were bound to goes with them (RFC 9449 2); the port waits a second at most.
    return this.deps.dpop?.drop().catch(() => undefined) ?? Promise.resolve();
  }
}
