import { HttpBackend } from '@angular/common/http';
import { DOCUMENT, Injectable, Injector, NgZone, OnDestroy, PLATFORM_ID, computed, inject, signal } from '@angular/core';
import { isPlatformBrowser } from '@angular/common';
import { Router } from '@angular/router';
import { BehaviorSubject, Subject, distinctUntilChanged, map } from 'rxjs';
import { isCallbackUrl } from '../core/callback';
import { type ResolvedOidcConfig, resolveConfig } from '../core/config';
import { OidcError, isOidcError, toOidcError } from '../core/errors';
import type { ProviderMetadata } from '../core/discovery';
import type { IdTokenClaims } from '../core/id-token';
import { type AuthSession, type LoginResult, type LogoutResult, OidcSession } from '../core/session';
import { MemoryStorage, Store, createStorage } from '../core/storage';
import type { UserInfo } from '../core/userinfo';
import type { AuthEvent } from './events';
import { httpBackendPort } from './http-port';
import { TabChannel, storageChange, webLockPort } from './tab-sync';
import { AUTH_CLOCK, AUTH_CONFIG_LOADER, AUTH_FETCH, AUTH_IFRAME_RENEW, AUTH_PAR, AUTH_REDIRECT, AUTH_STORAGE } from './tokens';

/** The signed-in user: the ID token claims, merged with userinfo when loaded. */
export type AuthUser = IdTokenClaims & Partial<UserInfo>;

/** Options for {@link OidcAuth.login}. */
export interface LoginOptions {
  /** Extra authorization request parameters for this login. */
  readonly customParams?: Readonly<Record<string, string | number | boolean>>;
  /** Where to go after login (an app URL such as `/orders/7`). Default: the current route. */
  readonly returnUrl?: string;
  /** `prompt`, such as `login` to force the provider to ask again. */
  readonly prompt?: string;
}

/** Options for {@link OidcAuth.logout}. */
export interface LogoutOptions {
  /** Overrides `postLogoutRedirectUri` for this logout. */
  readonly postLogoutRedirectUri?: string;
  /** A `state` the provider hands back to the post-logout page. */
  readonly state?: string;
  /** Revoke the refresh and access tokens first. Default `true`. */
  readonly revoke?: boolean;
}

/** OAuth errors from a `prompt=none` request that mean the user must sign in again (OIDC Core 3.1.2.6). */
const INTERACTION_ERRORS = ['login_required', 'interaction_required', 'consent_required', 'account_selection_required'];

const MAX_TIMEOUT_MS = 2_147_483_647;

/** The parameters of an authorization response, scrubbed from the address bar after a callback. */
const CALLBACK_PARAMS = ['code', 'state', 'iss', 'session_state', 'error', 'error_description', 'error_uri'];


interface Context {
  readonly config: ResolvedOidcConfig;
  readonly session: OidcSession;
}

/**
 * The app's view of the session: signals first, observables beside them, and
 * the actions (login, logout, refresh). Provided by `provideAuth` or
 * `AuthModule.forRoot`; inject it anywhere.
 *
 * On the server it never touches `window`, `document` or storage: it is
 * `ready` and unauthenticated, and starts no timer or redirect.
 */
@Injectable()
export class OidcAuth implements OnDestroy {
  private readonly loader = inject(AUTH_CONFIG_LOADER);
  private readonly customStorage = inject(AUTH_STORAGE);
  private readonly fetchOverride = inject(AUTH_FETCH);
  private readonly backend = inject(HttpBackend);
  private readonly now = inject(AUTH_CLOCK);
  private readonly redirect = inject(AUTH_REDIRECT);
  private readonly pushedAuthorization = inject(AUTH_PAR);
  private readonly iframeRenew = inject(AUTH_IFRAME_RENEW);
  private readonly document = inject(DOCUMENT);
  private readonly zone = inject(NgZone);
  private readonly injector = inject(Injector);
  private readonly isBrowser = isPlatformBrowser(inject(PLATFORM_ID));

  private readonly sessionState = signal<AuthSession | null>(null);
  private readonly readyState = signal(false);
  private readonly configState = signal<ResolvedOidcConfig | null>(null);
  private readonly errorState = signal<OidcError | null>(null);
  private readonly eventSubject = new Subject<AuthEvent>();

  private context: Promise<Context> | undefined;
  private loaded: Context | undefined;
  private checking: Promise<boolean> | undefined;
  private renewing: Promise<AuthSession> | undefined;
  private readonly callbacks = new Map<string, Promise<LoginResult>>();
  private lastCallback: Promise<LoginResult> | undefined;
  private renewTimer: ReturnType<typeof setTimeout> | undefined;
  private channel: TabChannel | undefined;
  private loginFailed = false;

  /** True once the start-up check has settled: guards and templates wait for it. */
  readonly ready = this.readyState.asReadonly();
  /** The resolved config, once loaded. */
  readonly config = this.configState.asReadonly();
  /** The current session, or `null`. */
  readonly session = this.sessionState.asReadonly();
  /** True while a session with an access token exists. */
  readonly isAuthenticated = computed(() => this.sessionState() !== null);
  /** The user's claims (ID token, merged with userinfo when loaded), or `null`. */
  readonly user = computed<AuthUser | null>(() => {
    const s = this.sessionState();
    // Userinfo is the fresher source for profile claims; `sub` is always the ID token's (they are checked equal).
    return s ? ({ ...s.idTokenClaims, ...s.userInfo, sub: s.idTokenClaims.sub } as AuthUser) : null;
  });
  /** The access token, or `null`. */
  readonly accessToken = computed(() => this.sessionState()?.accessToken ?? null);
  /** The raw ID token, or `null`. */
  readonly idToken = computed(() => this.sessionState()?.idToken ?? null);
  /** The last failure, or `null`; cleared by a successful login. */
  readonly error = this.errorState.asReadonly();

  /** Everything that happens to the session, as a typed union. */
  readonly events$ = this.eventSubject.asObservable();
  /** The state for the observables below: updated with the signals, emitting at once. */
  private readonly snapshot = new BehaviorSubject<{ session: AuthSession | null; ready: boolean }>({ session: null, ready: false });
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

  private ctx(): Promise<Context> {
    this.context ??= (async () => {
      let config: ResolvedOidcConfig;
      try {
        config = resolveConfig(await this.loader());
      } catch (e) {
        const error = isOidcError(e) ? e : new OidcError(`ngx-oidc: the config could not be loaded`, 'CONFIG_INVALID', { reason: e });
        this.fail(error);
        throw error;
      }
      const storage = this.customStorage ?? (this.isBrowser ? createStorage(config.storage) : new MemoryStorage());
      const view = this.document.defaultView;
      const sessionKey = new Store(storage, config.configId).keyOf('session');
      const session = new OidcSession(config, {
        fetchJson: this.fetchOverride ?? httpBackendPort(this.backend),
        storage,
        now: this.now,
        ...(this.pushedAuthorization ? { pushedAuthorization: this.pushedAuthorization } : {}),
        ...(this.isBrowser && view
          ? { lock: webLockPort(), sessionChanged: (timeoutMs: number) => storageChange(view, sessionKey, timeoutMs) }
          : {}),
      });
      this.loaded = { config, session };
      this.configState.set(config);
      this.emit({ type: 'ConfigLoaded', config });
      if (this.isBrowser) this.listenToOtherTabs(config);
      return this.loaded;
    })();
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
    this.checking ??= this.runCheckAuth().finally(() => (this.checking = undefined));
    return this.checking;
  }

  /** Resolves once {@link ready} (running {@link checkAuth} if nothing has), to whether the user is authenticated. */
  whenReady(): Promise<boolean> {
    return this.readyState() ? Promise.resolve(this.isAuthenticated()) : this.checkAuth();
  }

  private async runCheckAuth(): Promise<boolean> {
    const { session } = await this.ctx();
    if (!this.isBrowser) {
      this.markReady();
      return false;
    }
    this.emit({ type: 'CheckAuthStarted' });
    const href = this.document.location.href;
    if (isCallbackUrl(href, session.config.redirectUrl)) {
      await this.handleCallback(href).catch(() => undefined);
    } else {
      const stored = session.restore();
      this.setSession(stored);
      if (stored && session.needsRenewal(stored)) {
        await this.renewIfDue().catch(() => undefined);
        // Renewal failed for now (provider unreachable): an expired token is no session,
        // but storage keeps it, so a guard or a later refresh can still renew it.
        const current = this.sessionState();
        if (current && session.isExpired(current)) this.setSession(null);
      }
    }
    this.markReady();
    this.emit({ type: 'CheckAuthFinished', isAuthenticated: this.isAuthenticated() });
    return this.isAuthenticated();
  }

  /**
   * Finishes a login from the redirect URL (default: the current one), then
   * scrubs `code` and `state` from the address bar. The same response is
   * handled once: later calls (the guard after the start-up check, a double
   * navigation, the scrubbed URL) share the first result, so a code is never
   * exchanged twice.
   */
  handleCallback(url: string = this.document.location.href): Promise<LoginResult> {
    let result = this.callbacks.get(url);
    if (!result) {
      const { redirectUrl } = this.loaded?.config ?? {};
      const isResponse = redirectUrl === undefined || isCallbackUrl(url, redirectUrl);
      if (!isResponse) {
        // The address bar was already scrubbed by the start-up check: reuse its result.
        if (this.lastCallback) return this.lastCallback;
        // A reload of the scrubbed callback page: nothing to finish, and no failure to report.
        return Promise.reject(new OidcError('The URL holds no authorization response', 'CALLBACK_INVALID'));
      }
      result = this.finishLogin(url);
      this.callbacks.set(url, result);
      this.lastCallback = result;
    }
    return result;
  }

  private async finishLogin(url: string): Promise<LoginResult> {
    const { session } = await this.ctx();
    this.scrubAddressBar();
    try {
      const result = await session.finishLogin(url);
      this.loginFailed = false;
      this.errorState.set(null);
      this.setSession(result.session);
      this.emit({ type: 'TokenReceived' });
      this.channel?.post({ type: 'session' });
      return result;
    } catch (e) {
      // A replayed or forged response never touches a session that already exists.
      const stored = session.restore();
      this.setSession(stored);
      this.loginFailed = stored === null;
      throw this.fail(e);
    } finally {
      this.markReady();
    }
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
    const { session } = await this.ctx();
    const returnUrl = options.returnUrl ?? this.currentAppUrl();
    try {
      const url = await session.beginLogin({
        ...(options.prompt !== undefined ? { prompt: options.prompt } : {}),
        ...(options.customParams !== undefined ? { customParams: options.customParams } : {}),
        ...(returnUrl !== undefined ? { returnUrl } : {}),
      });
      this.emit({ type: 'LoginStarted' });
      this.redirect(url);
    } catch (e) {
      throw this.fail(e);
    }
  }

  /**
   * Renews the tokens: with the refresh token when there is one, else by a
   * hidden iframe (`prompt=none`) when `silentRenew` is set. Single flight:
   * every caller (interceptor, guards, timer) shares one renewal.
   * A provider that wants the user to sign in again ends the session.
   */
  refresh(): Promise<AuthSession> {
    return this.renewShared(true);
  }

  /** Renews when due: for timers, the interceptor and start-up (see {@link refresh}). */
  private renewIfDue(): Promise<AuthSession> {
    return this.renewShared(false);
  }

  private renewShared(force: boolean): Promise<AuthSession> {
    this.renewing ??= this.renew(force).finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  private async renew(force: boolean): Promise<AuthSession> {
    const { config, session } = await this.ctx();
    try {
      const current = session.restore();
      if (!current) throw new OidcError('There is no session to renew', 'NO_SESSION');
      let renewed: AuthSession;
      if (current.refreshToken !== undefined) {
        renewed = await session.refresh({ force });
      } else if (config.silentRenew && config.silentRenewUrl && this.isBrowser) {
        if (!this.iframeRenew) {
          throw new OidcError('Silent renew by iframe is configured but not enabled: add withSilentRenewIframe()', 'CONFIG_INVALID', {
            key: 'silentRenewUrl',
          });
        }
        renewed = (await this.iframeRenew(session, this.document, config)).session;
      } else {
        throw new OidcError('The session cannot be renewed: no refresh token and no silent renew', 'NO_REFRESH_TOKEN');
      }
      this.setSession(renewed);
      this.emit({ type: 'TokenRenewed' });
      this.channel?.post({ type: 'session' });
      return renewed;
    } catch (e) {
      const error = toOidcError(e);
      this.emit({ type: 'RenewFailed', error });
      if (error.code === 'LOGIN_REQUIRED' || (error.code === 'AUTHORIZATION_ERROR' && INTERACTION_ERRORS.includes(error.oauthError ?? ''))) {
        session.logoutLocal();
      }
      // Whatever the core removed (a refused refresh token) is no session any more.
      this.setSession(session.restore());
      throw this.fail(error);
    }
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

  /** @internal Emits the check-session `changed` event (used by `withCheckSession`). */
  noteCheckSessionChanged(): void {
    this.emit({ type: 'CheckSessionChanged' });
  }

  /** True when a stored session can be renewed without the login page (a refresh token, or iframe renew). */
  canRenew(): boolean {
    const loaded = this.loaded;
    const stored = this.isBrowser ? loaded?.session.restore() : null;
    if (!loaded || !stored) return false;
    return stored.refreshToken !== undefined || this.canRenewByIframe(loaded.config);
  }

  /** True when the current access token is expiring: the interceptor then waits for {@link getValidAccessToken}. */
  needsRenewal(): boolean {
    const current = this.sessionState();
    return !!current && !!this.loaded && this.loaded.session.needsRenewal(current);
  }

  /** Loads userinfo with the access token and merges it into {@link user}. */
  async loadUserInfo(): Promise<UserInfo> {
    const { session } = await this.ctx();
    try {
      const info = await session.loadUserInfo();
      this.setSession(session.restore());
      return info;
    } catch (e) {
      throw this.fail(e);
    }
  }

  /**
   * Logs out: revokes the refresh and access tokens (RFC 7009) when the
   * provider can, forgets the session in every tab, then sends the browser to
   * the provider's end-session endpoint (RP-Initiated Logout) when it has one.
   */
  async logout(options: LogoutOptions = {}): Promise<LogoutResult> {
    const { session } = await this.ctx();
    const result = await session.logout(options);
    this.ended();
    for (const error of result.errors) this.fail(error);
    if (result.endSessionUrl && this.isBrowser) this.redirect(result.endSessionUrl);
    return result;
  }

  /** Forgets the session here and in every tab, without asking the provider. */
  logoutLocal(): void {
    this.loaded?.session.logoutLocal();
    this.ended();
  }

  private ended(): void {
    this.setSession(null);
    this.channel?.post({ type: 'logout' });
    this.emit({ type: 'LoggedOut' });
  }

  /** Stops timers and the tab channel. */
  ngOnDestroy(): void {
    this.clearRenewTimer();
    this.channel?.close();
    this.eventSubject.complete();
    this.snapshot.complete();
  }

  private setSession(session: AuthSession | null): void {
    this.sessionState.set(session);
    this.snapshot.next({ session, ready: this.readyState() });
    this.scheduleRenewal(session);
  }

  private markReady(): void {
    this.readyState.set(true);
    this.snapshot.next({ session: this.sessionState(), ready: true });
  }

  private select<T>(project: (state: { session: AuthSession | null; ready: boolean }) => T) {
    return this.snapshot.pipe(map(project), distinctUntilChanged());
  }

  private fail(e: unknown): OidcError {
    const error = toOidcError(e);
    this.errorState.set(error);
    this.emit({ type: 'Error', error });
    const level = this.loaded?.config.logLevel ?? 'warn';
    if (level !== 'none') console.warn(`ngx-oidc: ${error.code}: ${error.message}`);
    return error;
  }

  private emit(event: AuthEvent): void {
    if (this.loaded?.config.logLevel === 'debug') console.debug('ngx-oidc:', event.type);
    this.eventSubject.next(event);
  }

  private clearRenewTimer(): void {
    if (this.renewTimer !== undefined) clearTimeout(this.renewTimer);
    this.renewTimer = undefined;
  }

  /**
   * With `silentRenew`, renews ahead of expiry; without it, ends a session
   * that can no longer be renewed on demand when its access token expires.
   */
  private scheduleRenewal(session: AuthSession | null): void {
    this.clearRenewTimer();
    const loaded = this.loaded;
    if (!session || !loaded || !this.isBrowser || session.accessTokenExpiresAt === null) return;
    const { config } = loaded;
    const renewable = session.refreshToken !== undefined || this.canRenewByIframe(config);
    const renewAhead = config.silentRenew && renewable;
    const at = renewAhead ? loaded.session.renewalDueAt(session)! : session.accessTokenExpiresAt;
    const delay = Math.min(Math.max(0, (at - this.now()) * 1000), MAX_TIMEOUT_MS);
    // Outside Angular's zone, so a pending timer never keeps a zone app "unstable" (SSR, tests).
    this.renewTimer = this.zone.runOutsideAngular(() =>
      setTimeout(() => {
        this.renewTimer = undefined;
        if (renewAhead) {
          this.renewIfDue().catch(() => undefined);
        } else if (!renewable) {
          loaded.session.logoutLocal();
          this.ended();
        }
      }, delay),
    );
  }

  private canRenewByIframe(config: ResolvedOidcConfig): boolean {
    return config.silentRenew && !!config.silentRenewUrl && !!this.iframeRenew;
  }

  private listenToOtherTabs(config: ResolvedOidcConfig): void {
    this.channel = new TabChannel(`ngx-oidc.${config.configId}`);
    this.channel.listen((message) => {
      if (message.type === 'logout') {
        this.loaded?.session.logoutLocal();
        this.setSession(null);
        this.emit({ type: 'LoggedOut' });
      } else {
        // Shared storage (localStorage) holds the other tab's new tokens; per-tab storage keeps its own.
        this.setSession(this.loaded?.session.restore() ?? null);
        this.emit({ type: 'SessionChangedInOtherTab' });
      }
    });
  }

  /** Removes the authorization response from the address bar (no code or state in history). */
  private scrubAddressBar(): void {
    if (!this.isBrowser) return;
    const history = this.document.defaultView?.history;
    const url = new URL(this.document.location.href);
    if (!history || !CALLBACK_PARAMS.some((p) => url.searchParams.has(p))) return;
    for (const p of CALLBACK_PARAMS) url.searchParams.delete(p);
    history.replaceState(history.state, '', url.toString());
  }

  private currentAppUrl(): string | undefined {
    const router = this.injector.get(Router, null);
    return router && router.navigated ? router.url : undefined;
  }
}
