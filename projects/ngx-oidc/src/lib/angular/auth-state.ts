import { HttpBackend } from '@angular/common/http';
import { DOCUMENT, EnvironmentInjector, NgZone, PLATFORM_ID, inject, signal } from '@angular/core';
import { isPlatformBrowser } from '@angular/common';
import { Router } from '@angular/router';
import { BehaviorSubject, Subject } from 'rxjs';
import type { OidcConfig, ResolvedOidcConfig } from '../core/config';
import { type OidcError, toOidcError } from '../core/errors';
import type { RenewalBackoff } from '../core/renewal-backoff';
import type { AuthSession, LoginResult } from '../core/session';
import type { AuthContext } from './auth-context';
import type { AuthEvent } from './events';
import type { OidcAuth } from './oidc-auth';
import { RenewalTimer } from './renewal-timer';
import type { RenewFallbackFactory } from './renew-fallback';
import type { StepUpHandler } from './step-up';
import type { TabChannel } from './tab-sync';
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

/**
 * @internal What {@link OidcAuth} and its parts (start-up.ts, auth-context.ts,
 * renewal-schedule.ts, tab-sync.ts, the lazy auth-actions.ts, the features)
 * share: the ports from DI, the hooks the features set, the state behind the
 * signals, and how a failure or an event is reported. OidcAuth, the public
 * API, extends it; nothing else does.
 */
export abstract class AuthState {
  /** @internal */
  readonly loaders = inject(AUTH_CONFIG_LOADER);
  /** @internal */
  readonly customStorage = inject(AUTH_STORAGE);
  /** @internal */
  readonly fetchOverride = inject(AUTH_FETCH);
  /** @internal */
  readonly backend = inject(HttpBackend);
  /** @internal */
  readonly now = inject(AUTH_CLOCK);
  /** @internal */
  readonly redirect = inject(AUTH_REDIRECT);
  /** @internal */
  readonly pushedAuthorization = inject(AUTH_PAR);
  /** @internal */
  readonly iframeRenew = inject(AUTH_IFRAME_RENEW);
  /** @internal */
  readonly checkSessionEnabled = inject(AUTH_CHECK_SESSION);
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
  /** @internal */
  readonly dpop = inject(AUTH_DPOP);
  /** @internal The DPoP port of the loaded config (`withDPoP()` and `useDPoP`): the interceptor sends bound tokens with it. */
  dpopPort: DPoPHttpPort | undefined;
  /** @internal */
  readonly random = inject(AUTH_RANDOM);
  /** @internal */
  readonly document = inject(DOCUMENT);
  /** @internal */
  readonly zone = inject(NgZone);
  /** @internal */
  readonly injector = inject(EnvironmentInjector);
  /** @internal False on the server (SSR), where the library stays inert. */
  readonly isBrowser = isPlatformBrowser(inject(PLATFORM_ID));
  /** @internal */
  readonly timer = new RenewalTimer(this.zone);

  /** @internal */
  readonly sessionState = signal<AuthSession | null>(null);
  /** @internal */
  readonly readyState = signal(false);
  /** @internal */
  readonly configState = signal<ResolvedOidcConfig | null>(null);
  /** @internal */
  readonly errorState = signal<OidcError | null>(null);
  /** @internal */
  readonly renewalPhase = signal<'renewing' | 'retrying' | null>(null);
  /** @internal Every event, for `events$`. */
  readonly eventSubject = new Subject<AuthEvent>();
  /** @internal The state behind the observables of OidcAuth: updated with the signals, emitting at once. */
  readonly snapshot = new BehaviorSubject<{ session: AuthSession | null; ready: boolean }>({ session: null, ready: false });

  /** @internal */
  loaded: AuthContext | undefined;
  /** @internal The renewal on its way, shared by every caller. */
  renewing: Promise<AuthSession> | undefined;
  /** @internal The callbacks handled in this page, by URL: each is finished once. */
  readonly callbacks = new Map<string, Promise<LoginResult>>();
  /** @internal The last of them, for the guard after the start-up check scrubbed the address bar. */
  lastCallback: Promise<LoginResult> | undefined;
  /** @internal Stops the early wake-ups of a waiting renewal (set by the first one, see auth-actions.ts). */
  stopWaking: (() => void) | undefined;
  /** @internal When the next renewal attempt is due after a transient failure, ms since the epoch. */
  retryAt: number | undefined;
  /** @internal The back-off of iframe renewals (refresh-token renewals keep theirs in storage, shared by tabs). */
  iframeBackoff: RenewalBackoff | null = null;
  /** @internal */
  channel: TabChannel | undefined;
  /** @internal */
  loginFailed = false;
  /** @internal This app runs inside the silent-renew iframe: it only hands the response to its parent. */
  inRenewFrame = false;
  /** @internal Set by `ngOnDestroy`: no timer is armed again. */
  declare destroyed: boolean | undefined;

  /** @internal */
  markReady(): void {
    this.readyState.set(true);
    this.snapshot.next({ session: this.sessionState(), ready: true });
  }

  /** @internal */
  fail(e: unknown): OidcError {
    const error = toOidcError(e);
    this.errorState.set(error);
    this.emit({ type: 'Error', error });
    const level = this.loaded?.config.logLevel ?? 'warn';
    // In production builds the message is the code (see DEV): said once.
    const line = `ngx-oidc: ${error.code}${error.message === error.code ? '' : `: ${error.message}`}`;
    if (level === 'error') console.error(line);
    else if (level !== 'none') console.warn(line);
    return error;
  }

  /** @internal */
  emit(event: AuthEvent): void {
    if (this.loaded?.config.logLevel === 'debug') console.debug('ngx-oidc:', event.type);
    this.eventSubject.next(event);
  }

  /** @internal */
  currentAppUrl(): string | undefined {
    const router = this.injector.get(Router, null);
    return router && router.navigated ? router.url : undefined;
  }
}
