import { Injectable, OnDestroy, computed, inject } from '@angular/core';
import { distinctUntilChanged, map } from 'rxjs';
import type { ResolvedOidcConfig } from '../core/config';
import { DEV, OidcError } from '../core/errors';
import type { ProviderMetadata } from '../core/discovery';
import type { AuthSession, LoginResult, LogoutResult } from '../core/session';
import type { UserInfo } from '../core/userinfo';
import { loadActions } from './actions-chunk';
import type { AuthStatus, AuthUser, LoginOptions, LogoutOptions, PopupLoginOptions } from './auth-options';
import { type AuthContext, loadContext } from './auth-context';
import { AuthState } from './auth-state';
import { preloadProtocolCode, settleStartUp } from './start-up';
import { canRenewByIframe, renewShared, scheduleRenewal } from './renewal-schedule';

// The shapes of the API live in auth-options.ts; imported from here too.
export type { AuthStatus, AuthUser, InternalLoginOptions, LoginOptions, LogoutOptions, PopupLoginOptions } from './auth-options';

/**
 * The app's view of the session: signals first, observables beside them, and
 * the actions (login, logout, refresh). Provided by `provideAuth` or
 * `AuthModule.forRoot`; inject it anywhere.
 *
 * On the server it never touches `window`, `document` or storage: it is
 * `ready` and unauthenticated, and starts no timer or redirect.
 */
@Injectable()
export class OidcAuth<TClaims extends object = {}> extends AuthState implements OnDestroy {
  private context: Promise<AuthContext> | undefined;
  private checking: Promise<boolean> | undefined;
  private rechecking: Promise<void> | undefined;

  /** True once the start-up check has settled: guards and templates wait for it. */
  readonly ready = this.readyState.asReadonly();
  /** The resolved config, once loaded. */
  readonly config = this.configState.asReadonly();
  /** The current session, or `null`. */
  readonly session = this.sessionState.asReadonly();
  /** True while a session with an access token exists. */
  readonly isAuthenticated = computed(() => this.sessionState() !== null);
  /** The user's claims (ID token, merged with userinfo when loaded), or `null`. */
  readonly user = computed<AuthUser<TClaims> | null>(() => {
    const s = this.sessionState();
    // Userinfo is the fresher source for profile claims; `sub` is always the ID token's (they are checked equal).
    return s ? ({ ...s.idTokenClaims, ...s.userInfo, sub: s.idTokenClaims.sub } as AuthUser<TClaims>) : null;
  });
  /** The access token, or `null`. */
  readonly accessToken = computed(() => this.sessionState()?.accessToken ?? null);
  /** The raw ID token, or `null`. */
  readonly idToken = computed(() => this.sessionState()?.idToken ?? null);
  /** The last failure, or `null`; cleared by a successful login or renewal. */
  readonly error = this.errorState.asReadonly();
  /** Where the session stands: see {@link AuthStatus}. */
  readonly status = computed<AuthStatus>(() => {
    if (!this.readyState()) return 'loading';
    if (!this.sessionState()) return 'unauthenticated';
    return this.renewalPhase() ?? 'authenticated';
  });

  /** Everything that happens to the session, as a typed union. */
  readonly events$ = this.eventSubject.asObservable();
  /** {@link isAuthenticated} as an observable. */
  readonly isAuthenticated$ = this.select((s) => s.session !== null);
  /** {@link user} as an observable. */
  readonly user$ = this.select(() => this.user());
  /** {@link accessToken} as an observable. */
  readonly accessToken$ = this.select((s) => s.session?.accessToken ?? null);
  /** {@link ready} as an observable. */
  readonly ready$ = this.select((s) => s.ready);

  /**
   * Loads and validates the config (once). Run by the app initializer that
   * `provideAuth` registers; rejects with `CONFIG_INVALID` naming the key.
   */
  loadConfig(): Promise<ResolvedOidcConfig> {
    return this.ctx().then((c) => c.config);
  }

  /** @internal The config and the session machine, loaded once (see auth-context.ts). */
  ctx(): Promise<AuthContext> {
    this.context ??= loadContext(this);
    return this.context;
  }

  /**
   * Settles the start-up state: finishes a login when the page is the
   * redirect URL, else restores a stored session (renewing it first when its
   * access token is expiring). Concurrent calls share one run. Resolves to
   * whether the user is authenticated; never rejects for a failed login (see
   * {@link error}).
   */
  checkAuth(): Promise<boolean> {
    this.checking ??= settleStartUp(this).finally(() => (this.checking = undefined));
    return this.checking;
  }

  /** @internal The rarely needed actions (login, callback, renewal, logout...): a lazy chunk, loaded once. */
  actions(): Promise<typeof import('./auth-actions')> {
    preloadProtocolCode();
    // A chunk that cannot load (offline, a redeployed app) is a reported NETWORK_ERROR, tried again next time.
    return loadActions().catch((e: unknown) => {
      throw this.fail(e);
    });
  }

  /** Resolves once {@link ready} (running {@link checkAuth} if nothing has), to whether the user is authenticated. */
  whenReady(): Promise<boolean> {
    return this.readyState() ? Promise.resolve(this.isAuthenticated()) : this.checkAuth();
  }

  /**
   * The service of the config `configId`, for an app with several configs
   * (`provideAuth(withConfig(a), withConfig({ ...b, configId: 'partner' }))`);
   * `injectAuth('partner')` is the same in an injection context. Available once
   * the configs are loaded (after the app initializers); fails with
   * `CONFIG_INVALID` for an id that no loaded config has.
   */
  forConfig(configId: string): OidcAuth<TClaims> {
    const found = (this.peers ?? [this]).find((peer) => peer.config()?.configId === configId);
    if (!found) throw new OidcError(DEV && `ngx-oidc: no config "${configId}" is loaded`, 'CONFIG_INVALID', { key: 'configId', actual: configId });
    return found as OidcAuth<TClaims>;
  }

  /**
   * Finishes a login from the redirect URL (default: the current one), then
   * scrubs `code` and `state` from the address bar. The same response is
   * handled once: later calls (the guard after the start-up check, a double
   * navigation, the scrubbed URL) share the first result, so a code is never
   * exchanged twice.
   */
  handleCallback(url: string = this.document.location.href): Promise<LoginResult> {
    // On the server the pending login is out of reach (it is in the browser): the browser finishes it.
    if (!this.isBrowser) return Promise.reject(new OidcError(DEV && 'Callbacks are finished in the browser, not on the server', 'CALLBACK_INVALID'));
    return this.actions().then((a) => a.finishCallbackOnce(this, url));
  }

  /** True when the last login in this page failed: guards route to `unauthorizedRoute` instead of starting another. */
  lastLoginFailed(): boolean {
    return this.loginFailed;
  }

  /**
   * Starts a login: sends the browser to the provider (via PAR when
   * configured). Does nothing on the server.
   */
  async login(options: LoginOptions = {}): Promise<void> {
    if (!this.isBrowser) return;
    return (await this.actions()).login(this, options);
  }

  /**
   * Signs in in a popup window, without leaving the page; needs
   * `withPopupLogin()` and `popupRedirectUrl`. Call it in a click handler,
   * before any `await`: browsers open a window only while the page handles the
   * user's click. Resolves once the login is finished in this window (the
   * signals, the events and the other tabs follow, as after a redirect login);
   * rejects, with an `Error` event, with `POPUP_BLOCKED`, `POPUP_CLOSED`,
   * `POPUP_TIMEOUT`, `AUTHORIZATION_ERROR` (such as `access_denied`) or any
   * login failure, leaving no pending login and the previous session as it was.
   */
  loginWithPopup(options: PopupLoginOptions = {}): Promise<LoginResult> {
    // The feature opens the window at once, inside the user's click.
    return this.popupLogin
      ? this.popupLogin(this, options)
      : Promise.reject(this.fail(new OidcError(DEV && 'loginWithPopup() needs withPopupLogin()', 'CONFIG_INVALID')));
  }

  /**
   * Renews the tokens: with the refresh token when there is one, else by a
   * hidden iframe (`prompt=none`) when `silentRenew` is set. Single flight:
   * every caller (interceptor, guards, timer) shares one renewal.
   *
   * A transient failure (provider down, 5xx, 429, timeout) keeps the session:
   * {@link status} becomes `retrying` and a retry is scheduled with back-off
   * (`Retry-After` first); the tabs sharing the session wait for the same
   * retry. A definitive failure (`invalid_grant`, a failed check,
   * `login_required`) ends the session once, with a `SessionEnded` event.
   */
  refresh(): Promise<AuthSession> {
    return renewShared(this, true);
  }

  /** @internal Renews when due: for timers, the interceptor and start-up (see {@link refresh}). */
  renewIfDue(retryNow = false): Promise<AuthSession> {
    return renewShared(this, false, retryNow);
  }

  /**
   * @internal The check-session iframe said `changed` (used by `withCheckSession`).
   * Re-checks with a `prompt=none` request (OIDC Session Management 1.0, 3.1),
   * never with the refresh token: the same user keeps the session, with the
   * new `session_state`; another user, or `login_required`, ends it. Without
   * iframe renew the session ends at once. One re-check at a time.
   */
  recheckSession(): Promise<void> {
    this.rechecking ??= this.actions()
      .then((a) => a.recheck(this))
      .finally(() => (this.rechecking = undefined));
    return this.rechecking;
  }

  /**
   * The access token for an API call: renewed first when it has expired or
   * expires within `renewTimeBeforeTokenExpiresInSeconds`. `null` when signed out.
   */
  async getValidAccessToken(): Promise<string | null> {
    const current = this.sessionState();
    const loaded = this.loaded;
    if (!current || !loaded) return null;
    if (!loaded.session.needsRenewal(current)) return current.accessToken;
    try {
      return (await this.renewIfDue()).accessToken;
    } catch {
      const after = this.sessionState();
      return after && !loaded.session.isExpired(after) ? after.accessToken : null;
    }
  }

  /** The provider metadata (discovery, cached). */
  async providerMetadata(): Promise<ProviderMetadata> {
    return (await this.ctx()).session.metadata();
  }

  /** True when a stored session can be renewed without the login page (a refresh token, or iframe renew). */
  canRenew(): boolean {
    const loaded = this.loaded;
    const stored = this.isBrowser ? loaded?.session.restore() : null;
    if (!loaded || !stored) return false;
    return stored.refreshToken !== undefined || canRenewByIframe(this, loaded.config);
  }

  /** True when the current access token is expiring: the interceptor then waits for {@link getValidAccessToken}. */
  needsRenewal(): boolean {
    const current = this.sessionState();
    return !!current && !!this.loaded && this.loaded.session.needsRenewal(current);
  }

  /** Loads userinfo with the access token and merges it into {@link user}. */
  async loadUserInfo(): Promise<UserInfo> {
    return (await this.actions()).loadUserInfo(this);
  }

  /**
   * Logs out, local first: the session, signals, timers and the other tabs
   * are cleared before any request, so a provider that is down or hangs can
   * neither keep the user signed in nor let the interceptor send the token.
   * Then, best effort: the refresh and access tokens are revoked (RFC 7009)
   * in parallel with a short timeout, and the browser goes to the provider's
   * end-session endpoint (RP-Initiated Logout) with a fresh `state`.
   */
  async logout(options: LogoutOptions = {}): Promise<LogoutResult> {
    return (await this.actions()).logout(this, options);
  }

  /** @internal For `AuthTestingController.emitError` (`ngx-oidc/testing`): reports `error` as the library does. */
  ɵreport(error: OidcError): void {
    this.fail(error);
  }

  /**
   * Forgets the session here and in every tab, without asking the provider.
   * The session is gone at once (signals, `LoggedOut`); the promise settles,
   * never rejecting, once the DPoP key is deleted too (`withDPoP()`), or
   * after a second if its store does not answer: await it before the page
   * navigates away, or the browser may abort the deletion.
   */
  logoutLocal(): Promise<void> {
    const dropped = this.loaded?.session.logoutLocal() ?? Promise.resolve();
    this.ended();
    return dropped;
  }

  /** @internal */
  ended(): void {
    this.retryAt = undefined;
    this.iframeBackoff = null;
    this.renewalPhase.set(null);
    this.setSession(null);
    this.channel?.post({ type: 'logout' });
    this.emit({ type: 'LoggedOut' });
  }

  /** Stops timers and the tab channel, for good: work still in flight (a renewal) arms nothing again. */
  ngOnDestroy(): void {
    this.destroyed = true;
    this.timer.clear();
    this.stopWaking?.();
    this.channel?.close();
    this.channel = undefined;
    this.eventSubject.complete();
    this.snapshot.complete();
  }

  /** @internal */
  setSession(session: AuthSession | null): void {
    this.sessionState.set(session);
    this.snapshot.next({ session, ready: this.readyState() });
    scheduleRenewal(this, session);
  }

  private select<T>(project: (state: { session: AuthSession | null; ready: boolean }) => T) {
    return this.snapshot.pipe(map(project), distinctUntilChanged());
  }
}

/**
 * {@link OidcAuth} with the app's own claims typed: `TClaims` names the claims
 * your provider adds (each optional on `user()`, since no token is checked
 * for them). Call it in an injection context, like `inject()`. With several
 * configs, `configId` picks one (see {@link OidcAuth.forConfig}); without it,
 * the default (first) config's service.
 *
 * @example
 * ```ts
 * const auth = injectAuth<{ tenant: string; roles: string[] }>();
 * auth.user()?.tenant; auth.user()?.email;
 * const partner = injectAuth('partner');
 * ```
 */
export function injectAuth<TClaims extends object = {}>(configId?: string): OidcAuth<TClaims> {
  const auth = inject<OidcAuth<TClaims>>(OidcAuth);
  return configId === undefined ? auth : auth.forConfig(configId);
}
