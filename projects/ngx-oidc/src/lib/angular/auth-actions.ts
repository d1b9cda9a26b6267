import { isCallbackUrl } from '../core/callback';
import type { ResolvedOidcConfig } from '../core/config';
import { DEV, OidcError, isTransientError, toOidcError } from '../core/errors';
import { nextBackoff } from '../core/backoff';
import type { AuthSession, LoginResult, LogoutResult, OidcSession, SessionFlows } from '../core/session';
import * as sessionFlows from '../core/session-flows';
import type { UserInfo } from '../core/userinfo';
import { stepUpChallenge } from '../core/www-authenticate';
import type { InternalLoginOptions, LogoutOptions, OidcAuth } from './oidc-auth';

// The protocol steps (loadSessionFlows), and the session's browser ports (network, cross-tab lock)
// that only those steps use, load with this chunk; auth-context.ts hands the session ports that
// forward here.
export { httpBackendPort } from './http-port';
export { storageChange, webLockPort } from './tab-lock';

/** The protocol steps, for `loadSessionFlows` (session-flows-loader.ts). */
export const flows: SessionFlows = sessionFlows;

/**
 * What {@link OidcAuth} does only now and then: start a login, finish one,
 * renew (and wait after a transient failure), re-check a changed provider
 * session, load userinfo, log out. A lazy chunk, with the protocol steps
 * (session-flows.ts) in it: a returning user whose tokens are fresh never
 * loads it. OidcAuth keeps the state and the hot paths (start-up restore,
 * the signals, timers, tab sync); these functions act on it.
 */

type Auth = OidcAuth;

/** Failures that leave the session as it is: nothing was wrong with it, it just could not be renewed now or here. */
const KEEPS_SESSION: readonly string[] = ['NO_SESSION', 'NO_REFRESH_TOKEN', 'CONFIG_INVALID', 'STORAGE_UNAVAILABLE'];

/** The services whose iframe renewal has worked in this page: a later `RENEW_TIMEOUT` there is the network's, not blocked cookies. */
const iframeWorked = new WeakSet<Auth>();

/** The parameters of an authorization response, scrubbed from the address bar after a callback. */
const CALLBACK_PARAMS = ['code', 'state', 'iss', 'session_state', 'error', 'error_description', 'error_uri'];

/** Starts a login: sends the browser to the provider (via PAR when configured). */
export async function login(auth: Auth, options: InternalLoginOptions): Promise<void> {
  const { session } = await auth.ctx();
  const returnUrl = options.returnUrl ?? auth.currentAppUrl();
  try {
    // The options are BeginLoginOptions as they are: prompt, customParams, acrValues, maxAge, stepUp.
    const url = await session.beginLogin({ ...options, ...(returnUrl !== undefined ? { returnUrl } : {}) });
    auth.emit({ type: 'LoginStarted' });
    auth.redirect(url);
  } catch (e) {
    throw auth.fail(e);
  }
}

/** Finishes a login from the redirect URL; a failure never touches a session that already exists. */
export async function finishLogin(auth: Auth, url: string): Promise<LoginResult> {
  const { session } = await auth.ctx();
  scrubAddressBar(auth);
  try {
    const result = await session.finishLogin(url);
    loggedIn(auth, result.session);
    return result;
  } catch (e) {
    // A replayed or forged response never touches a session that already exists.
    const stored = session.restore();
    auth.setSession(stored);
    auth.loginFailed = stored === null;
    throw auth.fail(e);
  } finally {
    auth.markReady();
  }
}

/** A login finished (by redirect or popup): the signals, the events and the other tabs follow. */
export function loggedIn(auth: Auth, session: AuthSession): void {
  auth.loginFailed = false;
  received(auth, session, 'TokenReceived');
}

/**
 * New tokens, from a login or a renewal: the error and any wait after a failed
 * renewal clear (a popup sign-in during that wait too), the signals and the other tabs follow.
 */
function received(auth: Auth, session: AuthSession, type: 'TokenReceived' | 'TokenRenewed'): void {
  auth.iframeBackoff = null;
  auth.retryAt = undefined;
  auth.errorState.set(null);
  auth.renewalPhase.set(null);
  auth.setSession(session);
  auth.emit({ type });
  auth.channel?.post({ type: 'session' });
}

/** Removes the authorization response from the address bar (no code or state in history). */
function scrubAddressBar(auth: Auth): void {
  if (!auth.isBrowser) return;
  const history = auth.document.defaultView?.history;
  const url = new URL(auth.document.location.href);
  if (!history || !CALLBACK_PARAMS.some((p) => url.searchParams.has(p))) return;
  for (const p of CALLBACK_PARAMS) url.searchParams.delete(p);
  history.replaceState(history.state, '', url.toString());
}

/** One renewal (OidcAuth shares it between callers): refresh token, else iframe; see {@link OidcAuth.refresh}. */
export async function renew(auth: Auth, force: boolean, retryNow: boolean, retrying: boolean): Promise<AuthSession> {
  const { config, session } = await auth.ctx();
  if (!auth.isBrowser) throw new OidcError(DEV && 'There is no session on the server', 'NO_SESSION');
  const current = session.restore();
  if (current) auth.renewalPhase.set('renewing');
  try {
    let renewed: AuthSession;
    if (!current) {
      throw new OidcError(DEV && 'There is no session to renew', 'NO_SESSION');
    } else if (current.refreshToken !== undefined) {
      renewed = await session.refresh({ force, retryNow });
    } else if (config.silentRenew && config.silentRenewUrl && auth.isBrowser) {
      renewed = await renewByIframe(auth, session, config, retryNow);
    } else {
      throw new OidcError(DEV && 'The session cannot be renewed: no refresh token and no silent renew', 'NO_REFRESH_TOKEN');
    }
    received(auth, renewed, 'TokenRenewed');
    return renewed;
  } catch (e) {
    const error = toOidcError(e);
    // The iframe needs the user (third-party cookies blocked?): `silentRenewFallback`, from withSilentRenewIframe().
    const fallback = current && current.refreshToken === undefined ? auth.renewFallback?.(auth, session, error, iframeWorked.has(auth)) : null;
    const rescued = await fallback?.rescue();
    if (rescued) {
      received(auth, rescued, 'TokenRenewed');
      return rescued;
    }
    try {
      if (current && isTransientError(error)) throw renewalDeferred(auth, error, retrying);
      auth.renewalPhase.set(null);
      auth.emit({ type: 'RenewFailed', error });
      if (current && !KEEPS_SESSION.includes(error.code)) endSession(auth, session, current, error);
      else auth.setSession(session.restore());
      throw auth.fail(error);
    } finally {
      await fallback?.settle();
    }
  }
}

async function renewByIframe(auth: Auth, session: OidcSession, config: ResolvedOidcConfig, retryNow: boolean): Promise<AuthSession> {
  if (!auth.iframeRenew) {
    throw new OidcError(DEV && 'Silent renew by iframe is configured but not enabled: add withSilentRenewIframe()', 'CONFIG_INVALID', {
      key: 'silentRenewUrl',
    });
  }
  const backoff = auth.iframeBackoff;
  if (backoff && !retryNow && auth.now() < backoff.retryAt) {
    throw new OidcError(DEV && 'Renewal is waiting after a failure', backoff.code, { retryAt: Math.round(backoff.retryAt * 1000), deferred: true });
  }
  try {
    const renewed = (await auth.iframeRenew(session, auth.document, config)).session;
    iframeWorked.add(auth);
    return renewed;
  } catch (e) {
    const error = toOidcError(e);
    const next = nextBackoff(backoff, error, {
      now: auth.now(),
      policy: { initialDelaySeconds: config.renewRetryInitialDelayInSeconds, maxDelaySeconds: config.renewRetryMaxDelayInSeconds },
      random: auth.random,
    });
    auth.iframeBackoff = next;
    if (!next) throw error;
    throw new OidcError(error.message, error.code, { ...error.cause, retryAt: Math.round(next.retryAt * 1000), attempt: next.attempt });
  }
}

/** A transient failure: keep the session, schedule the retry (once per new `retryAt`), report it. */
function renewalDeferred(auth: Auth, error: OidcError, wasRetrying: boolean): OidcError {
  const initialDelayMs = (auth.loaded?.config.renewRetryInitialDelayInSeconds ?? 5) * 1000;
  // Every transient failure comes with its retry time; should one not, the first back-off step
  // still applies, so the due-time timer can never fire again at once (a loop).
  const retryAt = typeof error.cause?.retryAt === 'number' ? error.cause.retryAt : auth.now() * 1000 + initialDelayMs;
  auth.renewalPhase.set('retrying');
  wakeOnReturn(auth);
  const isNew = retryAt !== auth.retryAt;
  auth.retryAt = retryAt;
  auth.setSession(auth.loaded?.session.restore() ?? auth.sessionState());
  // A call that only met the stored back-off of an earlier failure reports nothing new.
  if (isNew || !wasRetrying) {
    auth.emit({ type: 'RenewFailed', error });
    auth.emit({ type: 'RenewRetryScheduled', error, retryAt });
    return auth.fail(error);
  }
  return error;
}

/**
 * While a renewal waits after a failure, the browser coming back online or
 * the tab becoming visible again retries at once (listening from the first
 * wait on, outside Angular's zone, until `OidcAuth.ngOnDestroy`).
 */
function wakeOnReturn(auth: Auth): void {
  const view = auth.isBrowser ? auth.document.defaultView : null;
  if (!view || auth.stopWaking) return;
  const retryNow = () => auth.renewalPhase() === 'retrying' && auth.renewIfDue(true).catch(() => undefined);
  const onVisible = () => view.document.visibilityState === 'visible' && retryNow();
  auth.zone.runOutsideAngular(() => {
    view.addEventListener('online', retryNow);
    view.document.addEventListener('visibilitychange', onVisible);
  });
  auth.stopWaking = () => {
    view.removeEventListener('online', retryNow);
    view.document.removeEventListener('visibilitychange', onVisible);
  };
}

/**
 * Ends the session after a definitive failure: removes it from storage only
 * if it is still `expected` (another tab may have renewed it meanwhile), and
 * reports it once.
 */
function endSession(auth: Auth, session: OidcSession, expected: AuthSession, error: OidcError): void {
  session.discard(expected);
  const stored = session.restore();
  if (stored) {
    auth.setSession(stored);
    return;
  }
  auth.retryAt = undefined;
  auth.renewalPhase.set(null);
  if (auth.sessionState() === null) return;
  auth.setSession(null);
  auth.emit({ type: 'SessionEnded', error });
  auth.channel?.post({ type: 'session' });
}

/** A `changed` check-session answer: re-check by `prompt=none` (see {@link OidcAuth.recheckSession}). */
export async function recheck(auth: Auth): Promise<void> {
  const { config, session } = await auth.ctx();
  const current = session.restore();
  auth.emit({ type: 'CheckSessionChanged' });
  if (!current) return;
  if (!auth.iframeRenew || !config.silentRenewUrl) {
    endSession(
      auth,
      session,
      current,
      auth.fail(new OidcError(DEV && 'The provider session changed; without silent renew by iframe it cannot be re-checked', 'SESSION_CHANGED')),
    );
    return;
  }
  try {
    received(auth, (await auth.iframeRenew(session, auth.document, config)).session, 'TokenRenewed');
  } catch (e) {
    const error = auth.fail(e);
    // Transient: keep the session (polling resumes with the next renewal); else it is over.
    if (!isTransientError(error)) endSession(auth, session, current, error);
  }
}

/** Loads userinfo and merges it into the session (see {@link OidcAuth.loadUserInfo}). */
export async function loadUserInfo(auth: Auth): Promise<UserInfo> {
  const { session } = await auth.ctx();
  if (!auth.isBrowser) throw new OidcError(DEV && 'There is no session on the server', 'NO_SESSION');
  try {
    const info = await session.loadUserInfo();
    auth.setSession(session.restore());
    return info;
  } catch (e) {
    throw auth.fail(e);
  }
}

/**
 * A secure route answered 401 to a request sent with `sent`: the token to
 * retry it with once, `null` to fail it as it is, or a rejection (the
 * renewal failed) to fail it and route to `unauthorizedRoute` when asked.
 * - RFC 9470 3, `insufficient_user_authentication`: the API wants a stronger
 *   or more recent sign-in, which no renewal gives. Reported
 *   (`StepUpRequired`) and, with `withStepUp()`, met by signing in again.
 * - Otherwise (RFC 6750 3.1, `invalid_token`): a renewal. A token renewed
 *   since the request was sent (for another request's 401) is used as it is.
 */
export async function tokenFor401(auth: Auth, url: string, header: string, sent: string | null): Promise<string | null> {
  if (sent && header.includes('insufficient_user_authentication')) {
    const challenge = stepUpChallenge(header);
    if (challenge) {
      auth.emit({ type: 'StepUpRequired', url, ...challenge });
      return auth.stepUpHandler ? auth.stepUpHandler(auth, challenge) : null;
    }
  }
  const current = auth.accessToken();
  if (current && current !== sent && !auth.needsRenewal()) return current;
  return (await auth.refresh()).accessToken;
}

/** Local logout first, then revocation and the end-session redirect (see {@link OidcAuth.logout}). */
export async function logout(auth: Auth, options: LogoutOptions): Promise<LogoutResult> {
  const { session } = await auth.ctx();
  if (!auth.isBrowser) return { endSessionUrl: null, errors: [] };
  const ended = session.restore();
  const dropped = session.logoutLocal();
  auth.ended();
  const result = await session.endProviderSession(ended, options);
  for (const error of result.errors) auth.fail(error);
  // Leaving the page could abort the DPoP key's deletion in IndexedDB: it finishes first.
  await dropped;
  if (result.endSessionUrl && auth.isBrowser) auth.redirect(result.endSessionUrl);
  return result;
}

/**
 * Finishes the login whose response is at `url` (see `OidcAuth.handleCallback`),
 * once: later calls for the same URL, or for the scrubbed address bar, share
 * the first result. With several configs, the one whose login it answers does it.
 */
export function finishCallbackOnce(auth: OidcAuth, url: string): Promise<LoginResult> {
  const owner = auth.callbackOwner?.(url) ?? auth;
  if (owner !== auth) return owner.handleCallback(url);
  let result = auth.callbacks.get(url);
  if (!result) {
    const { redirectUrl } = auth.loaded?.config ?? {};
    const isResponse = redirectUrl === undefined || isCallbackUrl(url, redirectUrl);
    if (!isResponse) {
      // The address bar was already scrubbed by the start-up check: reuse its result (with several
      // configs, callbackOwner sent a scrubbed URL to the config whose callback it was).
      if (auth.lastCallback) return auth.lastCallback;
      // A reload of the scrubbed callback page: nothing to finish, and no failure to report.
      return Promise.reject(new OidcError(DEV && 'The URL holds no authorization response', 'CALLBACK_INVALID'));
    }
    result = finishLogin(auth, url);
    auth.callbacks.set(url, result);
    auth.lastCallback = result;
  }
  return result;
}
