import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { Routes } from '@angular/router';
import type { OidcConfig } from '../core/config';
import { APP, type HarnessOptions, renewIframe, setLocation, setupAuth, signIn, popupRoundTrip, type AuthorizeOptions } from '../../test/angular-harness';
import type { FakeProvider } from '../../test/fake-provider';
import { useFakeClock } from '../../test/helpers';
import type { AuthEvent, AuthEventType } from './events';
import type { InternalLoginOptions } from './oidc-auth';
import { type AuthFeature, withCheckAuthOnStartup, withPopupLogin, withSilentRenewIframe } from './provide-auth';
import { SILENT_RENEW_MESSAGE } from './silent-renew';
import { AUTH_POPUP_LOGIN, AUTH_RANDOM } from './tokens';

@Component({ template: '' })
class Page {}

const routes: Routes = [
  { path: '', component: Page },
  { path: 'orders', component: Page },
];

const SILENT_RENEW_PAGE = `${APP}/silent-renew.html`;
const GUARD_KEY = 'ngx-oidc.default.renew-fallback';

/** A session without refresh token, renewed by iframe. */
const IFRAME_CONFIG: Partial<OidcConfig> = {
  scope: 'openid profile',
  useRefreshToken: false,
  silentRenew: true,
  silentRenewUrl: SILENT_RENEW_PAGE,
  popupRedirectUrl: `${APP}/popup-callback.html`,
};

const IFRAME_FEATURES: AuthFeature[] = [withCheckAuthOnStartup(), withSilentRenewIframe()];

/**
 * Waits until the renewal in flight, if any, can only be moved on by time: its
 * iframe is in the page (its timeout armed), or it has settled. Its request is
 * signed with real WebCrypto, which the fake clock does not drive: time must not
 * move on before, or the timeout would start later on the fake clock.
 */
async function renewalWaitsOnTime(h: { auth: { renewing: Promise<unknown> | undefined } }): Promise<void> {
  const renewal = h.auth.renewing;
  if (renewal) await Promise.race([renewIframe(), renewal.then(() => undefined, () => undefined)]);
}

/** Moves the app's clock and the fake timers on by `ms` together, then lets a renewal that started reach its iframe. */
async function elapse(h: { clock: { now: number }; auth: { renewing: Promise<unknown> | undefined } }, ms: number): Promise<void> {
  h.clock.now += ms / 1000;
  await jest.advanceTimersByTimeAsync(ms);
  await renewalWaitsOnTime(h);
}

/** The silent-renew page's message, as its iframe posts it. */
function answer(iframe: HTMLIFrameElement, url: string): void {
  window.dispatchEvent(new MessageEvent('message', { origin: window.location.origin, source: iframe.contentWindow, data: { type: SILENT_RENEW_MESSAGE, url } }));
}

/** The provider's answer to the `prompt=none` request of `iframe`: an OAuth `error` (OIDC Core 3.1.2.6). */
function answerError(op: FakeProvider, iframe: HTMLIFrameElement, error: string): void {
  const callback = new URL(SILENT_RENEW_PAGE);
  callback.searchParams.set('error', error);
  callback.searchParams.set('state', new URL(iframe.src).searchParams.get('state')!);
  callback.searchParams.set('iss', op.issuer);
  answer(iframe, callback.toString());
}

type Authorize = AuthorizeOptions;


interface AppOptions extends Pick<HarnessOptions, 'provider' | 'now' | 'providers'> {
  readonly fallback?: OidcConfig['silentRenewFallback'];
  readonly config?: Partial<OidcConfig>;
  readonly features?: AuthFeature[];
  /** Stand the popup in with the round trip above (default: no popup login). */
  readonly popup?: boolean;
}

/** A signed-in app on `/orders` whose session is renewed by iframe, with its events recorded. */
async function app(options: AppOptions = {}) {
  const calls: InternalLoginOptions[] = [];
  let popupAnswer: Authorize = {};
  let provider: FakeProvider | undefined;
  const h = await setupAuth({
    routes,
    config: { ...IFRAME_CONFIG, ...(options.fallback ? { silentRenewFallback: options.fallback } : {}), ...options.config },
    features: options.features ?? IFRAME_FEATURES,
    providers: [
      ...(options.popup ? [{ provide: AUTH_POPUP_LOGIN, useValue: popupRoundTrip(() => provider!, () => popupAnswer, calls) }] : []),
      ...(options.providers ?? []),
    ],
    ...(options.provider ? { provider: options.provider } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  });
  provider = h.op;
  await signIn(h, '/orders');
  await h.router.navigateByUrl('/orders');
  const events: AuthEvent[] = [];
  h.auth.events$.subscribe((e) => events.push(e));
  const types = (): AuthEventType[] => events.map((e) => e.type);
  /** Starts a renewal and answers its iframe with `error`; resolves to the renewal's rejection. */
  const failRenewal = async (error = 'login_required'): Promise<unknown> => {
    const renewal = h.auth.refresh();
    answerError(h.op, await renewIframe(), error);
    return renewal.then(
      () => {
        throw new Error('expected the renewal to fail');
      },
      (e: unknown) => e,
    );
  };
  /** Starts a renewal whose iframe never answers and runs the fake clock through its timeout; resolves to the renewal's rejection. */
  const timeOutRenewal = async (): Promise<unknown> => {
    const renewal = h.auth.refresh().then(
      () => {
        throw new Error('expected the renewal to time out');
      },
      (e: unknown) => e,
    );
    await renewIframe();
    await jest.advanceTimersByTimeAsync(h.auth.config()!.silentRenewTimeoutInSeconds * 1000);
    return renewal;
  };
  return { ...h, calls, events, types, failRenewal, timeOutRenewal, popupAnswer: (a: Authorize) => (popupAnswer = a) };
}

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe("silentRenewFallback: 'none' (the default)", () => {
  it('ends the session on login_required as before: no RenewInteractionRequired, no popup, no redirect', async () => {
    const h = await app({ popup: true });
    expect(h.auth.config()?.silentRenewFallback).toBe('none');
    await expect(h.failRenewal()).resolves.toMatchObject({ code: 'LOGIN_REQUIRED' });
    expect(h.types()).toEqual(['RenewFailed', 'SessionEnded', 'Error']);
    expect(h.auth.isAuthenticated()).toBe(false);
    expect(h.calls).toEqual([]);
    expect(h.redirects).toHaveLength(1);
  });
});

describe("silentRenewFallback: 'event'", () => {
  it.each([
    ['login_required', 'LOGIN_REQUIRED'],
    ['interaction_required', 'AUTHORIZATION_ERROR'],
    ['consent_required', 'AUTHORIZATION_ERROR'],
    ['account_selection_required', 'AUTHORIZATION_ERROR'],
  ])('on %s: the session ends as before, then RenewInteractionRequired comes last, once', async (oauthError, code) => {
    const h = await app({ fallback: 'event' });
    await expect(h.failRenewal(oauthError)).resolves.toMatchObject({ code, oauthError });
    expect(h.types()).toEqual(['RenewFailed', 'SessionEnded', 'Error', 'RenewInteractionRequired']);
    expect(h.events.at(-1)).toMatchObject({ type: 'RenewInteractionRequired', error: { code, oauthError } });
    expect(h.auth.isAuthenticated()).toBe(false);
    expect(h.auth.error()).toMatchObject({ code });
    expect(sessionStorage.getItem('ngx-oidc.default.session')).toBeNull();
    expect(h.redirects).toHaveLength(1);
    expect(sessionStorage.getItem(GUARD_KEY)).toBeNull();
  });

  it('a timeout at the first try keeps the session retrying, reports it once, and the retries only back off (fake clock, 2 minutes)', async () => {
    const h = await app({ fallback: 'event', config: { silentRenewTimeoutInSeconds: 1 }, providers: [{ provide: AUTH_RANDOM, useValue: () => 0 }] });
    useFakeClock();
    await expect(h.timeOutRenewal()).resolves.toMatchObject({ code: 'RENEW_TIMEOUT', cause: { attempt: 1 } });
    expect(h.types()).toEqual(['RenewFailed', 'RenewRetryScheduled', 'Error', 'RenewInteractionRequired']);
    expect(h.auth.status()).toBe('retrying');
    // The retry timer goes on as before: 2.5, 5, 10, 20, 40 s after each one-second timeout, without jitter.
    // Half-second steps: the 1 s timeouts and the back-off delays all end on one, so no timer is due
    // inside a step, and each renewal's timeout starts when its retry was due.
    for (let step = 0; step < 240; step++) await elapse(h, 500);
    expect(h.types().filter((t) => t === 'RenewRetryScheduled')).toHaveLength(6);
    expect(h.types().filter((t) => t === 'RenewInteractionRequired')).toHaveLength(1);
    expect(h.types()).not.toContain('SessionEnded');
    expect(h.auth.isAuthenticated()).toBe(true);
    expect(h.redirects).toHaveLength(1);
  });
});

describe("silentRenewFallback: 'popup'", () => {
  it('renews the session by a popup sign-in of the same user, without prompt, when the iframe gets login_required', async () => {
    const h = await app({ fallback: 'popup', popup: true });
    const before = h.auth.session()!;
    h.clock.now += 5;
    const renewal = h.auth.refresh();
    answerError(h.op, await renewIframe(), 'login_required');
    const renewed = await renewal;

    expect(h.calls).toEqual([{ stepUp: true }]);
    expect(renewed.idTokenClaims.sub).toBe('alice');
    expect(renewed.accessToken).not.toBe(before.accessToken);
    expect(h.auth.session()).toEqual(renewed);
    expect(h.auth.status()).toBe('authenticated');
    expect(h.auth.error()).toBeNull();
    expect(h.types()).toEqual(['TokenReceived', 'TokenRenewed']);
    expect(h.redirects).toHaveLength(1);
  });

  it('ends the session when another user signs in in the popup (ID_TOKEN_REFRESH_MISMATCH), then asks for the user', async () => {
    const h = await app({ fallback: 'popup', popup: true });
    h.popupAnswer({ sub: 'mallory' });
    await expect(h.failRenewal()).resolves.toMatchObject({ code: 'LOGIN_REQUIRED' });
    expect(h.events.filter((e) => e.type === 'Error').map((e) => (e as { error: { code: string } }).error.code)).toEqual([
      'ID_TOKEN_REFRESH_MISMATCH',
      'LOGIN_REQUIRED',
    ]);
    expect(h.types().slice(-3)).toEqual(['SessionEnded', 'Error', 'RenewInteractionRequired']);
    expect(h.auth.user()).toBeNull();
  });

  it('with the real popup login, a timer-driven renewal is POPUP_BLOCKED: reported, then RenewInteractionRequired as in event mode', async () => {
    const h = await app({ fallback: 'popup', features: [...IFRAME_FEATURES, withPopupLogin()] });
    const open = jest.spyOn(window, 'open').mockReturnValue(null);
    await expect(h.failRenewal()).resolves.toMatchObject({ code: 'LOGIN_REQUIRED' });

    expect(open).toHaveBeenCalledTimes(1);
    expect(h.types()).toEqual(['Error', 'RenewFailed', 'SessionEnded', 'Error', 'RenewInteractionRequired']);
    expect(h.events[0]).toMatchObject({ type: 'Error', error: { code: 'POPUP_BLOCKED' } });
    expect(h.events.at(-1)).toMatchObject({ type: 'RenewInteractionRequired', error: { code: 'LOGIN_REQUIRED' } });
    expect(h.auth.error()).toMatchObject({ code: 'LOGIN_REQUIRED' });
    expect(h.auth.isAuthenticated()).toBe(false);
    // No pending login is left behind.
    expect(Object.keys(sessionStorage).filter((k) => k.startsWith('ngx-oidc.default.tx.'))).toEqual([]);
  });

  it('needs withPopupLogin(): without it, start-up fails with CONFIG_INVALID naming the key', async () => {
    await expect(setupAuth({ config: { ...IFRAME_CONFIG, silentRenewFallback: 'popup' }, features: IFRAME_FEATURES })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('withPopupLogin()'),
      cause: { key: 'silentRenewFallback' },
    });
  });
});

describe("silentRenewFallback: 'redirect'", () => {
  it('ends the session, then sends the browser to sign in again and back to the current route', async () => {
    const h = await app({ fallback: 'redirect' });
    await expect(h.failRenewal()).resolves.toMatchObject({ code: 'LOGIN_REQUIRED' });

    expect(h.types()).toEqual(['RenewFailed', 'SessionEnded', 'Error', 'LoginStarted']);
    expect(h.redirects).toHaveLength(2);
    const request = new URL(h.redirects[1]!);
    expect(request.searchParams.get('prompt')).toBeNull();
    expect(request.searchParams.get('redirect_uri')).toBe(`${APP}/callback`);
    expect(Number(sessionStorage.getItem(GUARD_KEY))).toBe(h.clock.now);
    // Back from the provider, first-party there: signed in again, on the route the user was on.
    setLocation(await h.providerAnswer());
    await expect(h.auth.handleCallback()).resolves.toMatchObject({ returnUrl: '/orders', session: { idTokenClaims: { sub: 'alice' } } });
    expect(h.auth.isAuthenticated()).toBe(true);
  });

  it('never loops: within 60 s of the last fallback redirect in this tab it only asks for the user; after 61 s it redirects again', async () => {
    const before = await app({ fallback: 'redirect' });
    await before.failRenewal();
    expect(before.redirects).toHaveLength(2);
    // Back from the provider: a new page in the same tab (sessionStorage kept), and the iframe fails again.
    TestBed.resetTestingModule();
    const again = await app({ fallback: 'redirect', provider: before.op, now: before.clock.now + 30 });
    await again.failRenewal();
    expect(again.redirects).toHaveLength(1);
    expect(again.types()).toEqual(['RenewFailed', 'SessionEnded', 'Error', 'RenewInteractionRequired']);
    expect(Number(sessionStorage.getItem(GUARD_KEY))).toBe(before.clock.now);

    TestBed.resetTestingModule();
    const later = await app({ fallback: 'redirect', provider: before.op, now: before.clock.now + 61 });
    await later.failRenewal();
    expect(later.redirects).toHaveLength(2);
    expect(later.types()).not.toContain('RenewInteractionRequired');
  });

  it('reads garbage, or a time still to come, where the last redirect is remembered as none', async () => {
    for (const stored of ['not a time', '', `${2 * 1_700_000_000}`]) {
      sessionStorage.setItem(GUARD_KEY, stored);
      const h = await app({ fallback: 'redirect' });
      await h.failRenewal();
      expect(h.redirects).toHaveLength(2);
      TestBed.resetTestingModule();
      sessionStorage.clear();
    }
  });

  it('starts nothing more while its redirect is on its way', async () => {
    const h = await app({ fallback: 'redirect', config: { silentRenewTimeoutInSeconds: 5 } });
    useFakeClock();
    // A timeout at the first try: the session is kept (and retried) while the browser leaves.
    await expect(h.timeOutRenewal()).resolves.toMatchObject({ code: 'RENEW_TIMEOUT' });
    expect(h.redirects).toHaveLength(2);
    expect(h.auth.isAuthenticated()).toBe(true);
    sessionStorage.removeItem(GUARD_KEY);
    // Past the back-off, another renewal fails in this page before it is gone: no second redirect, no event.
    h.clock.now += 10;
    await expect(h.failRenewal()).resolves.toMatchObject({ code: 'LOGIN_REQUIRED' });
    expect(h.redirects).toHaveLength(2);
    expect(h.types()).not.toContain('RenewInteractionRequired');
  });

  it('never redirects inside a frame (such as the silent-renew iframe): it asks for the user instead', async () => {
    const h = await app({ fallback: 'redirect' });
    jest.spyOn(window, 'parent', 'get').mockReturnValue({} as Window);
    await h.failRenewal();
    expect(h.redirects).toHaveLength(1);
    expect(h.types().at(-1)).toBe('RenewInteractionRequired');
    expect(sessionStorage.getItem(GUARD_KEY)).toBeNull();
  });
});

describe('silentRenewFallback leaves other failures as they were', () => {
  it('a session with a refresh token never falls back, even when the token endpoint says interaction_required', async () => {
    const h = await setupAuth({
      routes,
      config: { silentRenew: true, silentRenewUrl: SILENT_RENEW_PAGE, silentRenewFallback: 'redirect' },
      features: IFRAME_FEATURES,
    });
    await signIn(h);
    expect(h.auth.session()?.refreshToken).toEqual(expect.any(String));
    const events: AuthEventType[] = [];
    h.auth.events$.subscribe((e) => events.push(e.type));
    h.op.override('token', { status: 400, headers: { 'content-type': 'application/json' }, body: '{"error":"interaction_required"}' });
    await expect(h.auth.refresh()).rejects.toMatchObject({ oauthError: 'interaction_required' });
    expect(events).toEqual(['RenewFailed', 'SessionEnded', 'Error']);
    expect(h.redirects).toHaveLength(1);
    expect(document.querySelector('iframe')).toBeNull();
  });

  it('transient iframe failures (temporarily_unavailable) keep the session and back off, with no fallback', async () => {
    const h = await app({ fallback: 'redirect', popup: true });
    await expect(h.failRenewal('temporarily_unavailable')).resolves.toMatchObject({ code: 'AUTHORIZATION_ERROR', cause: { retryAt: expect.any(Number) } });
    expect(h.types()).toEqual(['RenewFailed', 'RenewRetryScheduled', 'Error']);
    expect(h.auth.status()).toBe('retrying');
    expect(h.calls).toEqual([]);
    expect(h.redirects).toHaveLength(1);
  });

  it('a timeout in a page where an iframe renewal has worked is the network: it backs off, with no fallback', async () => {
    const h = await app({ fallback: 'redirect', config: { silentRenewTimeoutInSeconds: 5 } });
    useFakeClock();
    const renewal = h.auth.refresh();
    const iframe = await renewIframe();
    answer(iframe, await h.op.authorize(iframe.src));
    await renewal;
    await expect(h.timeOutRenewal()).resolves.toMatchObject({ code: 'RENEW_TIMEOUT', cause: { attempt: 1 } });
    expect(h.auth.status()).toBe('retrying');
    expect(h.types()).not.toContain('RenewInteractionRequired');
    expect(h.redirects).toHaveLength(1);
  });

  it('a timeout at a retry (not the first try) backs off, with no fallback', async () => {
    const h = await app({ fallback: 'event', config: { silentRenewTimeoutInSeconds: 5 } });
    useFakeClock();
    await expect(h.timeOutRenewal()).resolves.toMatchObject({ code: 'RENEW_TIMEOUT', cause: { attempt: 1 } });
    h.clock.now += 10;
    await expect(h.timeOutRenewal()).resolves.toMatchObject({ code: 'RENEW_TIMEOUT', cause: { attempt: 2 } });
    expect(h.types().filter((t) => t === 'RenewInteractionRequired')).toHaveLength(1);
    expect(h.types().filter((t) => t === 'RenewRetryScheduled')).toHaveLength(2);
  });

  it('another user in the iframe (ID_TOKEN_REFRESH_MISMATCH) ends the session with no fallback', async () => {
    const h = await app({ fallback: 'redirect' });
    const renewal = h.auth.refresh();
    const iframe = await renewIframe();
    answer(iframe, await h.op.authorize(iframe.src, { sub: 'mallory' }));
    await expect(renewal).rejects.toMatchObject({ code: 'ID_TOKEN_REFRESH_MISMATCH' });
    expect(h.types()).toEqual(['RenewFailed', 'SessionEnded', 'Error']);
    expect(h.redirects).toHaveLength(1);
  });
});
