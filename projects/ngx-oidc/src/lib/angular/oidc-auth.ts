import { HttpBackend } from '@angular/common/http';
import { DOCUMENT, EnvironmentInjector, Injectable, NgZone, OnDestroy, PLATFORM_ID, computed, inject, signal } from '@angular/core';
import { isPlatformBrowser } from '@angular/common';
import { Router } from '@angular/router';
import { BehaviorSubject, Subject, distinctUntilChanged, map } from 'rxjs';
import type { RenewalBackoff } from '../core/renewal-backoff';
import { isCallbackUrl } from '../core/callback';
import { type OidcConfig, type ResolvedOidcConfig, resolveConfig, suggestConfigKey, unknownConfigKeys } from '../core/config';
import { OidcError, isOidcError, toOidcError } from '../core/errors';
import type { ProviderMetadata } from '../core/discovery';
import type { StandardClaims } from '../core/claims';
import type { IdTokenClaims } from '../core/id-token';
import { type AuthSession, type LoginResult, type LogoutResult, OidcSession, preloadSessionFlows } from '../core/session';
import { MemoryStorage, Store, createStorage } from '../core/storage';
import { defaultTransactionStorage } from '../core/transaction';
import type { UserInfo } from '../core/userinfo';
import type { AuthEvent } from './events';
import { httpBackendPort } from './http-port';
import { RenewalTimer } from './renewal-timer';
import { TabChannel, storageChange, webLockPort } from './tab-sync';
import {
  AUTH_CHECK_SESSION,
  AUTH_CLOCK,
  AUTH_CONFIG_LOADER,
  AUTH_DPOP,
  type DPoPHttpPort,
  AUTH_FETCH,
  AUTH_IFRAME_RENEW,
  AUTH_PAR,
  AUTH_POPUP_LOGIN,
  AUTH_RANDOM,
  AUTH_REDIRECT,
  AUTH_STORAGE,
} from './tokens';
import type { StepUpHandler } from './step-up';
import type { RenewFallbackFactory } from './renew-fallback';
import { lazy } from '../core/lazy';

/**
 * The signed-in user: the ID token claims, merged with userinfo when loaded,
 * with the standard claims typed (OIDC Core 5.1) and the app's own claims
 * `TClaims` (see {@link injectAuth}).
 */
export type AuthUser<TClaims extends object = {}> = IdTokenClaims & StandardClaims & Partial<UserInfo> & Partial<TClaims>;

/** Options for {@link OidcAuth.login}. */
export interface LoginOptions {
  /** Extra authorization request parameters for this login. */
  readonly customParams?: Readonly<Record<string, string | number | boolean>>;
  /** Where to go after login (an app URL such as `/orders/7`). Default: the current route. */
  readonly returnUrl?: string;
  /** `prompt`, such as `login` to force the provider to ask again. */
  readonly prompt?: string;
  /**
   * `acr_values` (OIDC Core 3.1.2.1): the sign-in strengths asked for, space-separated, in order of
   * preference. The ID token's `acr` must then be one of them, else the login fails with
   * `ID_TOKEN_ACR_MISMATCH` (an `acr_values` in `customParams` is sent as is and not checked).
   */
  readonly acrValues?: string;
  /** `max_age` in seconds for this login, instead of the config's `maxAge`: the ID token's `auth_time` is then checked. */
  readonly maxAge?: number;
}

/** Options for {@link OidcAuth.loginWithPopup}. */
export interface PopupLoginOptions {
  /** Extra authorization request parameters for this login. */
  readonly customParams?: Readonly<Record<string, string | number | boolean>>;
  /** `prompt`, such as `login` to force the provider to ask again, or `select_account`. */
  readonly prompt?: string;
  /** The `window.open` features of the popup. Default: 500 × 640 pixels, centred on the app's window. */
  readonly windowFeatures?: string;
  /**
   * `acr_values` (OIDC Core 3.1.2.1): the sign-in strengths asked for, space-separated, in order of
   * preference. The ID token's `acr` must then be one of them, else the login fails with
   * `ID_TOKEN_ACR_MISMATCH` (an `acr_values` in `customParams` is sent as is and not checked).
   */
  readonly acrValues?: string;
  /** `max_age` in seconds for this login, instead of the config's `maxAge`: the ID token's `auth_time` is then checked. */
  readonly maxAge?: number;
}

/** @internal What a login the library starts itself adds to the app's options. */
export interface InternalLoginOptions extends LoginOptions, PopupLoginOptions {
  /** A step-up (`withStepUp()`): the new sign-in must be the signed-in user's. */
  readonly stepUp?: boolean;
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

/**
 * Where the session stands, for an app to show:
 * - `loading`: the start-up check has not settled yet;
 * - `authenticated`: signed in, tokens fresh or renewable;
 * - `renewing`: a renewal is on its way;
 * - `retrying`: a renewal failed for a transient reason (provider down, 5xx,
 *   429, timeout, offline); the session is kept and a retry is scheduled with
 *   back-off (sooner when the browser comes back online or the tab becomes
 *   visible). The access token may have expired meanwhile;
 * - `unauthenticated`: no session.
 */
export type AuthStatus = 'loading' | 'authenticated' | 'renewing' | 'retrying' | 'unauthenticated';

/** A URL with an authorization response in its query (`state` with `code` or `error`), before the config says where callbacks land. */
function looksLikeCallback(href: string): boolean {
  const query = href.split('#')[0]!.split('?')[1] ?? '';
  return /(^|&)state=/.test(query) && /(^|&)(code|error)=/.test(query);
}



/** The rarely needed actions: a lazy chunk (see auth-actions.ts). */
const loadActions = lazy(() => import('./auth-actions'));

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
export class OidcAuth<TClaims extends object = {}> implements OnDestroy {
  private readonly loader = inject(AUTH_CONFIG_LOADER);
  private readonly customStorage = inject(AUTH_STORAGE);
  private readonly fetchOverride = inject(AUTH_FETCH);
  private readonly backend = inject(HttpBackend);
  /** @internal */
  readonly now = inject(AUTH_CLOCK);
  /** @internal */
  readonly redirect = inject(AUTH_REDIRECT);
  private readonly pushedAuthorization = inject(AUTH_PAR);
  /** @internal */
  readonly iframeRenew = inject(AUTH_IFRAME_RENEW);
  private readonly checkSessionEnabled = inject(AUTH_CHECK_SESSION);
  /** @internal */
  readonly popupLogin = inject(AUTH_POPUP_LOGIN);
  /** @internal The step-up of `withStepUp()`, set by its initializer (a field, not a token: apps without it pay nothing). */
  declare stepUpHandler: StepUpHandler | undefined;
  /** @internal Every service of the app, the default first, when it has several configs (see `provideAuth`); else unset. */
  declare peers: OidcAuth[] | undefined;
  /** @internal With several configs (set with {@link peers}): the service whose pending login the response at a URL answers. */
  declare callbackOwner: ((url: string) => OidcAuth) | undefined;
  /** @internal Set by `withMultipleConfigs()`: starts the services of the configs after the first. */
  declare startPeers: ((main: OidcAuth, configs: readonly OidcConfig[]) => Promise<void>) | undefined;
  /** @internal `silentRenewFallback`, set by `withSilentRenewIframe()` (a field, not a token: apps without it pay nothing). */
  declare renewFallback: RenewFallbackFactory | undefined;
  private readonly dpop = inject(AUTH_DPOP);
  /** @internal The DPoP port of the loaded config (`withDPoP()` and `useDPoP`): the interceptor sends bound tokens with it. */
  dpopPort: DPoPHttpPort | undefined;
  /** @internal */
  readonly random = inject(AUTH_RANDOM);
  /** @internal */
  readonly document = inject(DOCUMENT);
  private readonly zone = inject(NgZone);
  /** @internal */
  readonly injector = inject(EnvironmentInjector);
  /** @internal */
  readonly isBrowser = isPlatformBrowser(inject(PLATFORM_ID));
  /** @internal False on the server (SSR), where the library stays inert. */
  readonly inBrowser = this.isBrowser;

  /** @internal */
  readonly sessionState = signal<AuthSession | null>(null);
  private readonly readyState = signal(false);
  private readonly configState = signal<ResolvedOidcConfig | null>(null);
  /** @internal */
  readonly errorState = signal<OidcError | null>(null);
  /** @internal */
  readonly renewalPhase = signal<'renewing' | 'retrying' | null>(null);
  private readonly eventSubject = new Subject<AuthEvent>();

  private context: Promise<Context> | undefined;
  /** @internal */
  loaded: Context | undefined;
  private checking: Promise<boolean> | undefined;
  private renewing: Promise<AuthSession> | undefined;
  private readonly callbacks = new Map<string, Promise<LoginResult>>();
  private lastCallback: Promise<LoginResult> | undefined;
  private readonly timer: RenewalTimer;
  /** @internal When the next renewal attempt is due after a transient failure, ms since the epoch. */
  retryAt: number | undefined;
  /** @internal The back-off of iframe renewals (refresh-token renewals keep theirs in storage, shared by tabs). */
  iframeBackoff: RenewalBackoff | null = null;
  private rechecking: Promise<void> | undefined;
  /** @internal */
  channel: TabChannel | undefined;
  /** @internal */
  loginFailed = false;
  /** This app runs inside the silent-renew iframe: it only hands the response to its parent. */
  private inRenewFrame = false;

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

  constructor() {
    const view = this.isBrowser ? this.document.defaultView : null;
    this.timer = new RenewalTimer(this.zone, view, () => this.retryEarly());
  }

  /**
   * Loads and validates the config (once). Run by the app initializer that
   * `provideAuth` registers; rejects with `CONFIG_INVALID` naming the key.
   */
  loadConfig(): Promise<ResolvedOidcConfig> {
    return this.ctx().then((c) => c.config);
  }

  /** @internal */
  ctx(): Promise<Context> {
    this.context ??= (async () => {
      let config: ResolvedOidcConfig;
      // Several configs (several providers): this service takes the first, the others get services of their own.
      let others: readonly OidcConfig[] = [];
      try {
        const [raw, ...rest] = ([] as OidcConfig[]).concat(await this.loader()) as [OidcConfig, ...OidcConfig[]];
        others = rest;
        if (rest.length && !this.startPeers) throw new OidcError('ngx-oidc: several configs need withMultipleConfigs()', 'CONFIG_INVALID', { key: 'configId' });
        config = resolveConfig(raw);
        // Development builds only (the production build drops this block): a misspelt key would be ignored in silence.
        if ((typeof ngDevMode === 'undefined' || ngDevMode) && (config.logLevel === 'warn' || config.logLevel === 'debug')) {
          for (const key of unknownConfigKeys(raw)) {
            const meant = suggestConfigKey(key);
            console.warn(`ngx-oidc: unknown config key "${key}" is ignored${meant ? `; did you mean "${meant}"?` : ''}`);
          }
        }
        if (config.startCheckSession && !this.checkSessionEnabled) {
          throw new OidcError('ngx-oidc config "startCheckSession": needs withCheckSession() (or its AuthModule feature)', 'CONFIG_INVALID', {
            key: 'startCheckSession',
          });
        }
      } catch (e) {
        const error = isOidcError(e) ? e : new OidcError(`ngx-oidc: the config could not be loaded`, 'CONFIG_INVALID', { reason: e });
        this.fail(error);
        throw error;
      }
      // On the server nothing is read or written: not even a custom storage.
      const storage = this.isBrowser ? (this.customStorage ?? createStorage(config.storage)) : new MemoryStorage();
      const view = this.document.defaultView;
      const sessionKey = new Store(storage, config.configId).keyOf('session');
      const session = new OidcSession(config, {
        fetchJson: this.fetchOverride ?? httpBackendPort(this.backend),
        storage,
        // Pending logins survive the redirect in sessionStorage, whatever the token storage.
        transactionStorage: this.isBrowser ? defaultTransactionStorage() : null,
        random: this.random,
        now: this.now,
        ...(this.isBrowser && this.dpop && config.useDPoP ? { dpop: (this.dpopPort = this.dpop.port(config.configId, this.now)) } : {}),
        ...(this.pushedAuthorization ? { pushedAuthorization: this.pushedAuthorization } : {}),
        ...(this.isBrowser && view
          ? { lock: webLockPort(), sessionChanged: (timeoutMs: number) => storageChange(view, sessionKey, timeoutMs) }
          : {}),
      });
      this.loaded = { config, session };
      this.configState.set(config);
      this.emit({ type: 'ConfigLoaded', config });
      this.inRenewFrame = this.isBrowser && this.isSilentRenewFrame(config);
      if (this.isBrowser && !this.inRenewFrame) this.listenToOtherTabs(config);
      if (others.length) await this.startPeers!(this, others).catch((e: unknown) => Promise.reject(this.fail(e)));
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

  /** @internal The rarely needed actions (login, callback, renewal, logout...): a lazy chunk, loaded once. */
  actions(): Promise<typeof import('./auth-actions')> {
    this.preloadActions();
    // A chunk that cannot load (offline, a redeployed app) is a reported NETWORK_ERROR, tried again next time.
    return loadActions().catch((e: unknown) => {
      throw this.fail(e);
    });
  }

  /** Starts loading the actions and, beside them, the protocol steps; reports nothing. */
  private preloadActions(): void {
    void loadActions().catch(() => undefined);
    void preloadSessionFlows().catch(() => undefined);
  }

  /** Resolves once {@link ready} (running {@link checkAuth} if nothing has), to whether the user is authenticated. */
  whenReady(): Promise<boolean> {
    return this.readyState() ? Promise.resolve(this.isAuthenticated()) : this.checkAuth();
  }

  private async runCheckAuth(): Promise<boolean> {
    // A callback is on its way: the protocol code (a lazy chunk) loads while the config does.
    // So does the action that finishes it (with the protocol steps beside it): neither waits for the config.
    if (this.isBrowser && looksLikeCallback(this.document.location.href)) this.preloadActions();
    const { session } = await this.ctx();
    // On the server nothing is read or processed; inside the silent-renew iframe the
    // page only hands the response to its parent (no session, timer or tab sync here).
    if (!this.isBrowser || this.inRenewFrame) {
      this.markReady();
      return false;
    }
    this.emit({ type: 'CheckAuthStarted' });
    const href = this.document.location.href;
    // Several configs may share one callback route: the pending login's state says whose it is.
    if (isCallbackUrl(href, session.config.redirectUrl) && (this.callbackOwner?.(href) ?? this) === this) {
      await this.handleCallback(href).catch(() => undefined);
    } else {
      this.scrubLogoutState(session);
      const stored = session.restore();
      this.setSession(stored);
      if (stored && session.needsRenewal(stored)) {
        void session.preload().catch(() => undefined);
        await this.renewIfDue().catch(() => undefined);
        // A session that cannot be renewed at all is over once expired; one whose renewal
        // failed for now (provider down) is kept while its retry is scheduled.
        const current = this.sessionState();
        if (current && session.isExpired(current) && this.renewalPhase() !== 'retrying') this.setSession(null);
      }
    }
    this.markReady();
    this.emit({ type: 'CheckAuthFinished', isAuthenticated: this.isAuthenticated() });
    // The default service settles the others too (each reports its own events).
    if (this.peers?.[0] === this) await Promise.all(this.peers.slice(1).map((peer) => peer.checkAuth()));
    return this.isAuthenticated();
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
    if (!found) throw new OidcError(`ngx-oidc: no config "${configId}" is loaded`, 'CONFIG_INVALID', { key: 'configId', actual: configId });
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
    if (!this.isBrowser) return Promise.reject(new OidcError('Callbacks are finished in the browser, not on the server', 'CALLBACK_INVALID'));
    const owner = this.callbackOwner?.(url) ?? this;
    if (owner !== this) return owner.handleCallback(url);
    let result = this.callbacks.get(url);
    if (!result) {
      const { redirectUrl } = this.loaded?.config ?? {};
      const isResponse = redirectUrl === undefined || isCallbackUrl(url, redirectUrl);
      if (!isResponse) {
        // The address bar was already scrubbed by the start-up check (of this config, or another's): reuse its result.
        const last = this.lastCallback ?? this.peers?.find((peer) => peer.lastCallback)?.lastCallback;
        if (last) return last;
        // A reload of the scrubbed callback page: nothing to finish, and no failure to report.
        return Promise.reject(new OidcError('The URL holds no authorization response', 'CALLBACK_INVALID'));
      }
      result = this.actions().then((a) => a.finishLogin(this, url));
      this.callbacks.set(url, result);
      this.lastCallback = result;
    }
    return result;
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
      : Promise.reject(this.fail(new OidcError('loginWithPopup() needs withPopupLogin()', 'CONFIG_INVALID')));
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
    return this.renewShared(true);
  }

  /** Renews when due: for timers, the interceptor and start-up (see {@link refresh}). */
  private renewIfDue(retryNow = false): Promise<AuthSession> {
    return this.renewShared(false, retryNow);
  }

  private renewShared(force: boolean, retryNow = false): Promise<AuthSession> {
    if (!this.renewing) {
      // `renewing` shows at once, while the code of the renewal loads.
      const before = this.renewalPhase();
      if (this.isBrowser && this.loaded?.session.restore()) this.renewalPhase.set('renewing');
      this.renewing = this.actions()
        .catch((e: unknown) => {
          this.renewalPhase.set(before);
          throw e;
        })
        .then((a) => a.renew(this, force, retryNow, before === 'retrying'))
        .finally(() => (this.renewing = undefined));
    }
    return this.renewing;
  }

  /** The browser is back online, or the tab visible again: a waiting renewal tries now. */
  private retryEarly(): void {
    if (this.renewalPhase() !== 'retrying') return;
    this.renewIfDue(true).catch(() => undefined);
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
    return stored.refreshToken !== undefined || this.canRenewByIframe(loaded.config);
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

  /** Forgets the session here and in every tab, without asking the provider. */
  logoutLocal(): void {
    void this.loaded?.session.logoutLocal();
    this.ended();
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

  /** Stops timers and the tab channel. */
  ngOnDestroy(): void {
    this.timer.close();
    this.channel?.close();
    this.eventSubject.complete();
    this.snapshot.complete();
  }

  /** @internal */
  setSession(session: AuthSession | null): void {
    this.sessionState.set(session);
    this.snapshot.next({ session, ready: this.readyState() });
    this.scheduleRenewal(session);
  }

  /** @internal */
  markReady(): void {
    this.readyState.set(true);
    this.snapshot.next({ session: this.sessionState(), ready: true });
  }

  private select<T>(project: (state: { session: AuthSession | null; ready: boolean }) => T) {
    return this.snapshot.pipe(map(project), distinctUntilChanged());
  }

  /** @internal */
  fail(e: unknown): OidcError {
    const error = toOidcError(e);
    this.errorState.set(error);
    this.emit({ type: 'Error', error });
    const level = this.loaded?.config.logLevel ?? 'warn';
    if (level === 'error') console.error(`ngx-oidc: ${error.code}: ${error.message}`);
    else if (level !== 'none') console.warn(`ngx-oidc: ${error.code}: ${error.message}`);
    return error;
  }

  /** @internal */
  emit(event: AuthEvent): void {
    if (this.loaded?.config.logLevel === 'debug') console.debug('ngx-oidc:', event.type);
    this.eventSubject.next(event);
  }

  /**
   * With `silentRenew`, renews ahead of expiry (or at the retry time after a
   * transient failure); without it, ends a session that can no longer be
   * renewed on demand when its access token expires.
   */
  private scheduleRenewal(session: AuthSession | null): void {
    this.timer.clear();
    const loaded = this.loaded;
    if (!session || !loaded || !this.isBrowser || this.inRenewFrame) return;
    const { config } = loaded;
    const renewable = session.refreshToken !== undefined || this.canRenewByIframe(config);
    if (this.retryAt !== undefined && renewable) {
      // Waiting after a transient failure: the next attempt, whatever the expiry says.
      this.timer.schedule(this.retryAt - this.now() * 1000, () => this.renewIfDue().catch(() => undefined));
      return;
    }
    if (session.accessTokenExpiresAt === null) return;
    const renewAhead = config.silentRenew && renewable;
    const at = renewAhead ? loaded.session.renewalDueAt(session)! : session.accessTokenExpiresAt;
    this.timer.schedule((at - this.now()) * 1000, () => {
      if (renewAhead) {
        this.renewIfDue().catch(() => undefined);
      } else if (!renewable) {
        // Expired and not renewable: over here. Other tabs see the same expiry themselves;
        // only a session still stored as this one is removed (compare and delete).
        loaded.session.discard(session);
        this.setSession(loaded.session.restore());
        if (!this.sessionState()) this.emit({ type: 'SessionEnded', error: new OidcError('The access token expired', 'LOGIN_REQUIRED', { reason: 'expired' }) });
      }
    });
  }

  private canRenewByIframe(config: ResolvedOidcConfig): boolean {
    return config.silentRenew && !!config.silentRenewUrl && !!this.iframeRenew;
  }

  private listenToOtherTabs(config: ResolvedOidcConfig): void {
    this.channel = new TabChannel(`ngx-oidc.${config.configId}`);
    this.channel.listen((message) => {
      if (message.type === 'logout') {
        void this.loaded?.session.logoutLocal();
        this.retryAt = undefined;
        this.renewalPhase.set(null);
        this.setSession(null);
        this.emit({ type: 'LoggedOut' });
      } else {
        // Shared storage (localStorage) holds the other tab's new tokens; per-tab storage keeps its own.
        const stored = this.loaded?.session.restore() ?? null;
        if (!stored || !this.loaded?.session.needsRenewal(stored)) {
          // The other tab renewed (or ended) the shared session: nothing is waiting here any more.
          this.retryAt = undefined;
          this.renewalPhase.set(null);
        }
        this.setSession(stored);
        this.emit({ type: 'SessionChangedInOtherTab' });
      }
    });
  }

  /** True when this page is the silent-renew redirect target inside its iframe. */
  private isSilentRenewFrame(config: ResolvedOidcConfig): boolean {
    const view = this.document.defaultView;
    if (!view || !config.silentRenewUrl) return false;
    let framed: boolean;
    try {
      framed = view.parent !== view;
    } catch {
      framed = true;
    }
    return framed && isCallbackUrl(this.document.location.href, config.silentRenewUrl);
  }

  /** Back from an RP-initiated logout with the `state` this tab sent: take it off the address bar. */
  private scrubLogoutState(session: OidcSession): void {
    const history = this.document.defaultView?.history;
    const url = new URL(this.document.location.href);
    if (!history || !session.logoutStates.take(url.searchParams.get('state'))) return;
    url.searchParams.delete('state');
    history.replaceState(history.state, '', url.toString());
  }

  /** @internal */
  currentAppUrl(): string | undefined {
    const router = this.injector.get(Router, null);
    return router && router.navigated ? router.url : undefined;
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
