import { DOCUMENT, DestroyRef, NgZone, PLATFORM_ID, inject } from '@angular/core';
import { isPlatformBrowser } from '@angular/common';
import type { OidcAuth } from './oidc-auth';

/**
 * OpenID Connect Session Management 1.0: the RP polls the provider's
 * check-session iframe with `client_id session_state` and learns when the
 * user's session at the provider changed (signed out elsewhere, another user).
 * @see https://openid.net/specs/openid-connect-session-1_0.html#RPiframe
 */

/** How often the provider's iframe is asked, in milliseconds. */
export const CHECK_SESSION_INTERVAL_MS = 3000;

/**
 * Starts polling whenever a session with a `session_state` exists and the
 * provider has a `check_session_iframe` (at once when the start-up check is
 * already over, and again with each new session or `session_state`); stops
 * as soon as there is no session any more, whatever ended it (logout,
 * `SessionEnded`, another tab). A
 * `changed` answer stops polling and asks {@link OidcAuth.recheckSession} for
 * a `prompt=none` re-authentication (Session Management 3.1; never the
 * refresh token, which cannot update `session_state`); polling starts again
 * with the new `session_state` once it succeeds. A re-check that could not
 * run (its lazy code did not load: reported as a `NETWORK_ERROR` `Error`
 * event) decides nothing: polling resumes after
 * {@link CHECK_SESSION_INTERVAL_MS} with the same `session_state`, so the
 * provider's next `changed` tries again. Runs in the browser only, outside
 * Angular's zone. Called in an injection context by `withCheckSession()`;
 * does nothing unless the config sets `startCheckSession`.
 */
export function startCheckSession(auth: OidcAuth): void {
  const document = inject(DOCUMENT);
  const zone = inject(NgZone);
  const destroyRef = inject(DestroyRef);
  if (!isPlatformBrowser(inject(PLATFORM_ID))) return;

  let stop: (() => void) | undefined;
  let resume: ReturnType<typeof setTimeout> | undefined;
  // Each (re)start supersedes the previous one, also while its metadata is still loading.
  let generation = 0;
  const halt = () => {
    generation += 1;
    clearTimeout(resume);
    resume = undefined;
    stop?.();
    stop = undefined;
  };
  const restart = () => {
    halt();
    const mine = generation;
    const config = auth.config();
    const sessionState = auth.session()?.sessionState;
    if (!config?.startCheckSession || !sessionState) return;
    void auth.providerMetadata().then((metadata) => {
      if (mine !== generation || !metadata.check_session_iframe) return;
      stop = zone.runOutsideAngular(() =>
        poll(document, metadata.check_session_iframe!, `${config.clientId} ${sessionState}`, () => {
          halt();
          const asked = generation;
          auth.recheckSession().catch(() => {
            // recheckSession() reported it (the lazy code did not load: a NETWORK_ERROR). Nothing was decided,
            // so poll again after the interval (no sooner: the provider would answer `changed` at once).
            if (asked === generation) resume = zone.runOutsideAngular(() => setTimeout(restart, CHECK_SESSION_INTERVAL_MS));
          });
        }),
      );
    }, () => undefined);
  };

  // A new session, or a new session_state (another tab's iframe renewal, shared storage), polls afresh.
  const restartOn: readonly string[] = ['CheckAuthFinished', 'TokenReceived', 'TokenRenewed', 'SessionChangedInOtherTab'];
  const subscription = auth.events$.subscribe((event) => restartOn.includes(event.type) && restart());
  const ended = auth.isAuthenticated$.subscribe((authenticated) => {
    // Polling asks about the session held here: none any more (logout, SessionEnded, another tab), nothing to ask.
    if (!authenticated) halt();
  });
  destroyRef.onDestroy(() => {
    subscription.unsubscribe();
    ended.unsubscribe();
    halt();
  });
  // Set up after the start-up check finished (the other configs' services, whose configs load
  // first): its CheckAuthFinished is gone, so start from the session as it is.
  if (auth.ready()) restart();
}

/** Loads the check-session iframe and polls it; returns a function that stops and removes it. */
function poll(document: Document, iframeUrl: string, message: string, onChanged: () => void): () => void {
  const view = document.defaultView;
  if (!view) return () => undefined;
  const opOrigin = new URL(iframeUrl).origin;
  const iframe = document.createElement('iframe');
  iframe.setAttribute('aria-hidden', 'true');
  iframe.title = 'ngx-oidc check session';
  iframe.style.display = 'none';
  iframe.src = iframeUrl;
  let timer: ReturnType<typeof setInterval> | undefined;

  const onMessage = (event: MessageEvent<unknown>) => {
    // Session Management 3.2: only the provider's origin, only our iframe.
    if (event.origin !== opOrigin || event.source !== iframe.contentWindow) return;
    if (event.data === 'changed') onChanged();
    else if (event.data === 'error') stop();
  };
  const stop = () => {
    clearInterval(timer);
    view.removeEventListener('message', onMessage);
    iframe.remove();
  };
  view.addEventListener('message', onMessage);
  iframe.addEventListener('load', () => {
    const ask = () => iframe.contentWindow?.postMessage(message, opOrigin);
    ask();
    // The provider's page may load again inside the iframe: one timer, whose handle stop() clears.
    clearInterval(timer);
    timer = setInterval(ask, CHECK_SESSION_INTERVAL_MS);
  });
  document.body.appendChild(iframe);
  return stop;
}
