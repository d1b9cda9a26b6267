import { Component, DOCUMENT, OnInit, inject } from '@angular/core';
import { responseParams } from '../core/callback';
import type { ResolvedOidcConfig } from '../core/config';
import { DEV, OidcError } from '../core/errors';
import type { LoginResult } from '../core/session';
import type { OidcAuth, PopupLoginOptions } from './oidc-auth';

/**
 * Sign-in in a popup window: the app's page stays as it is. The opener opens
 * the window inside the user's click, sends it to the authorization endpoint
 * with `popupRedirectUrl` as the redirect URI, and waits for the page there to
 * hand the response URL back; the login is then finished here, in the opener,
 * whose sessionStorage holds the pending login (the popup's sessionStorage is
 * a copy taken when it opened, before the login began).
 *
 * The answer comes by `postMessage` (only from this origin and only from the
 * window opened here) and on a BroadcastChannel (only this origin's pages can
 * post on it): the second way still works when the provider's
 * `Cross-Origin-Opener-Policy` cut the popup off from this window.
 */

/** The `type` of the message the popup page sends back. */
export const POPUP_MESSAGE = 'ngx-oidc:popup';

/** The BroadcastChannel the popup page also posts on (the `state` in the URL tells the logins apart). */
export const POPUP_CHANNEL = 'ngx-oidc:popup';

/** The message the popup page sends back to the app. */
export interface PopupMessage {
  /** Always {@link POPUP_MESSAGE}. */
  readonly type: typeof POPUP_MESSAGE;
  /** The full URL of the popup page, with the authorization response. */
  readonly url: string;
}

function isPopupMessage(data: unknown): data is PopupMessage {
  const m = data as Partial<PopupMessage> | null;
  return typeof m === 'object' && m !== null && m.type === POPUP_MESSAGE && typeof m.url === 'string';
}

/** How often the opener looks whether the popup is still open, in ms. */
const POLL_MS = 500;

/**
 * How long an answer on its way still wins once the popup is seen closed, in
 * ms: the popup page posts its answer and closes itself at once, so the
 * closing may be seen before the message arrives.
 */
const CLOSED_GRACE_MS = 1000;

/**
 * Signs in in a popup (see {@link OidcAuth.loginWithPopup}). Opens the window
 * at once, before anything is awaited: browsers allow `window.open` only while
 * the page handles the user's click. Then, asynchronously: starts the login
 * with `popupRedirectUrl`, sends the popup to the provider, waits for the
 * answer, and finishes the login in this window. Every failure is reported
 * (`Error` event, `auth.error()`), removes the pending login and closes the
 * popup; a session that existed before is kept.
 */
export function loginInPopup(auth: OidcAuth, options: PopupLoginOptions & { readonly stepUp?: boolean }): Promise<LoginResult> {
  const view = auth.isBrowser ? auth.document.defaultView : null;
  let popup: Window | null = null;
  try {
    // HTML 7.2.2.1 (window.open): without the user's activation a browser may block it, and returns null.
    popup = view?.open('about:blank', '_blank', options.windowFeatures ?? centredFeatures(view)) ?? null;
  } catch {
    popup = null;
  }
  return runInPopup(auth, view, popup, options);
}

async function runInPopup(
  auth: OidcAuth,
  view: Window | null,
  popup: Window | null,
  options: PopupLoginOptions & { readonly stepUp?: boolean },
): Promise<LoginResult> {
  if (!view || !popup) {
    // Nothing started yet: no pending login, no request.
    throw auth.fail(new OidcError(DEV && 'The browser blocked the sign-in popup: call loginWithPopup() in a click handler, before any await', 'POPUP_BLOCKED'));
  }
  // The lazy chunk (the login's steps, and what finishes a login here) loads meanwhile.
  const actions = auth.actions();
  actions.catch(() => undefined);
  let context: Awaited<ReturnType<OidcAuth['ctx']>>;
  try {
    context = await auth.ctx();
  } catch (e) {
    // ctx() reported the config failure already.
    closePopup(popup);
    throw e;
  }
  let loaded: Awaited<ReturnType<OidcAuth['actions']>>;
  try {
    // Before anything starts: a chunk that cannot load must leave no pending login, nor a session the signals do not show.
    loaded = await actions;
  } catch (e) {
    // actions() reported the chunk that did not load (NETWORK_ERROR) already: once, with this error.
    closePopup(popup);
    throw e;
  }
  const { config, session } = context;
  let state: string | undefined;
  try {
    const redirectUri = popupRedirectUri(config, view);
    const flows = await session.preload();
    // Before any request: a login whose transaction cannot be kept must not start.
    session.transactions.requireStorage();
    const started = await flows.beginLogin(session, { ...options, redirectUri });
    state = started.state;
    if (popup.closed) throw closedError();
    const answer = awaitAnswer(view, popup, state, config.popupTimeoutInSeconds);
    let url: string;
    try {
      popup.location.replace(started.url);
      auth.emit({ type: 'LoginStarted' });
      url = await answer.url;
    } finally {
      answer.stop();
    }
    closePopup(popup);
    // RFC 6749 10.12 (via finishLogin): the state must pick the pending login of this window, used once.
    const result = await session.finishLogin(url);
    loaded.loggedIn(auth, result.session);
    return result;
  } catch (e) {
    // No pending login is left behind; finishLogin has taken it already when it ran.
    if (state !== undefined) session.transactions.remove(state);
    closePopup(popup);
    throw auth.fail(e);
  }
}

/** The redirect URI of a popup login: `popupRedirectUrl`, checked; `CONFIG_INVALID` naming it otherwise. */
function popupRedirectUri(config: ResolvedOidcConfig, view: Window): string {
  const page = config.popupRedirectUrl;
  const invalid = (message: string | false) => new OidcError(DEV && `ngx-oidc config "popupRedirectUrl": ${message}`, 'CONFIG_INVALID', { key: 'popupRedirectUrl', actual: page });
  let url: URL;
  try {
    url = new URL(page ?? '');
  } catch {
    throw invalid(DEV && 'loginWithPopup() needs the absolute URL of the popup page (popup-callback.html)');
  }
  // HTML 9.3.2: answers are accepted from this app's origin only, so the page must be on it.
  if (url.origin !== view.location.origin) throw invalid(DEV && `must be on the app's origin, ${view.location.origin}`);
  const callback = new URL(config.redirectUrl);
  // RFC 6749 3.1.2: the same endpoint would run the app's callback inside the popup, which lacks the pending login.
  if (url.origin === callback.origin && url.pathname === callback.pathname) throw invalid(DEV && 'must be another page than redirectUrl');
  return page!;
}

function closedError(): OidcError {
  return new OidcError(DEV && 'The sign-in popup was closed before the provider answered', 'POPUP_CLOSED');
}

/** The answer of one popup login, and how to stop listening. */
interface Answer {
  /** The popup page's URL; rejects with `POPUP_CLOSED` or `POPUP_TIMEOUT`. */
  readonly url: Promise<string>;
  /** Removes the listeners and timers. */
  stop(): void;
}

/**
 * Waits for the popup page's answer to the request of `state`.
 *
 * The opener polls `popup.closed` to notice a user who closes the popup. With
 * a provider that sends `Cross-Origin-Opener-Policy`, the navigation to it
 * cuts the popup off from this window, which then reads `closed === true` at
 * once although the user is signing in: the answer comes over the
 * BroadcastChannel. The two cases look the same here; they are told apart by
 * whether the popup was ever seen open at the provider (its location no longer
 * readable from here). Seen there, then closed: the user closed it, and after
 * a short grace (for an answer already on its way) the login fails with
 * `POPUP_CLOSED`. Closed without ever being seen there: cut off, so only the
 * answer or `popupTimeoutInSeconds` settles it.
 */
function awaitAnswer(view: Window, popup: Window, state: string, timeoutSeconds: number): Answer {
  const cleanup: (() => void)[] = [];
  const url = new Promise<string>((resolve, reject) => {
    const accept = (data: unknown): void => {
      // RFC 6749 10.12: only the answer to this request; finishLogin checks it against the stored transaction.
      if (isPopupMessage(data) && stateOf(data.url) === state) resolve(data.url);
    };
    const onMessage = (event: MessageEvent<unknown>): void => {
      // HTML 9.3.2 (postMessage): only this app's origin, and only the window opened here.
      if (event.origin === view.location.origin && event.source === popup) accept(event.data);
    };
    view.addEventListener('message', onMessage);
    cleanup.push(() => view.removeEventListener('message', onMessage));
    if (typeof BroadcastChannel === 'function') {
      // HTML 9.5 (BroadcastChannel): only pages of this origin post on it; the way back when COOP cut the popup off.
      const channel = new BroadcastChannel(POPUP_CHANNEL);
      channel.onmessage = (event: MessageEvent<unknown>) => accept(event.data);
      cleanup.push(() => channel.close());
    }
    const timer = setTimeout(
      () => reject(new OidcError(DEV && 'The sign-in popup got no answer in time', 'POPUP_TIMEOUT', { expected: timeoutSeconds })),
      timeoutSeconds * 1000,
    );
    cleanup.push(() => clearTimeout(timer));
    let seenAtProvider = false;
    const poll = setInterval(() => {
      if (!popup.closed) {
        seenAtProvider ||= !isReadable(popup);
        return;
      }
      clearInterval(poll);
      // Cut off by COOP before it was seen at the provider: the answer (or the timeout) settles it.
      if (!seenAtProvider) return;
      const grace = setTimeout(() => reject(closedError()), CLOSED_GRACE_MS);
      cleanup.push(() => clearTimeout(grace));
    }, POLL_MS);
    cleanup.push(() => clearInterval(poll));
  });
  return { url, stop: () => cleanup.forEach((f) => f()) };
}

/** False while the popup shows another origin's page (the provider's): its location cannot be read then. */
function isReadable(popup: Window): boolean {
  try {
    return typeof popup.location.href === 'string';
  } catch {
    return false;
  }
}

/** The `state` of the response in `url`: which pending popup it answers (finishing the login checks the rest). */
function stateOf(url: string): string | undefined {
  return responseParams(url)?.get('state') ?? undefined;
}

function closePopup(popup: Window): void {
  try {
    if (!popup.closed) popup.close();
  } catch {
    // A popup cut off by COOP cannot be reached: its page closes itself.
  }
}

/** A 500 × 640 popup, centred on the app's window. */
function centredFeatures(view: Window): string {
  const width = 500;
  const height = 640;
  const left = Math.round(view.screenX + Math.max(0, view.outerWidth - width) / 2);
  const top = Math.round(view.screenY + Math.max(0, view.outerHeight - height) / 2);
  return `popup,width=${width},height=${height},left=${left},top=${top}`;
}

/**
 * Hands this page's URL (the provider's answer) back to the app that opened
 * the popup, then closes the popup: by `postMessage` to the opener, on this
 * origin only, and on a BroadcastChannel (same origin only) for when the
 * provider's COOP cut the popup off from its opener. Call it from the page at
 * `popupRedirectUrl` (the shipped `popup-callback.html` does the same without
 * Angular).
 */
export function postPopupResult(view: Window): void {
  const message: PopupMessage = { type: POPUP_MESSAGE, url: view.location.href };
  const opener = view.opener as Window | null;
  // HTML 9.3.2: the target origin is this page's own; another origin's window gets nothing.
  if (opener && opener !== view) opener.postMessage(message, view.location.origin);
  if (typeof BroadcastChannel === 'function') {
    const channel = new BroadcastChannel(POPUP_CHANNEL);
    channel.postMessage(message);
    channel.close();
  }
  view.close();
}

/**
 * A route component for `popupRedirectUrl`, for apps that prefer a route to
 * the static `popup-callback.html` (which is lighter: the app does not start
 * in the popup). It hands the authorization response back to the opener and
 * closes the popup.
 *
 * @example
 * ```ts
 * { path: 'popup-callback', component: PopupCallbackComponent }
 * ```
 */
@Component({ selector: 'oidc-popup-callback', template: '' })
export class PopupCallbackComponent implements OnInit {
  private readonly document = inject(DOCUMENT);

  /** Posts the URL once the route is shown. */
  ngOnInit(): void {
    const view = this.document.defaultView;
    if (view) postPopupResult(view);
  }
}
