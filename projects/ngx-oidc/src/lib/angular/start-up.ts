import { isCallbackUrl } from '../core/callback';
import type { ResolvedOidcConfig } from '../core/config';
import type { OidcSession } from '../core/session';
import { loadActions } from './actions-chunk';
import type { OidcAuth } from './oidc-auth';

/*
 * The start-up check (`OidcAuth.checkAuth`): finish a login when the page is
 * the callback, else restore the stored session, renewing it first when due.
 */

/** A URL with an authorization response in its query (`state` with `code` or `error`), before the config says where callbacks land. */
function looksLikeCallback(href: string): boolean {
  const query = href.split('#')[0]!.split('?')[1] ?? '';
  return /(^|&)state=/.test(query) && /(^|&)(code|error)=/.test(query);
}

/** Starts loading the lazy chunk (the actions and the protocol steps, what a callback needs); reports nothing. */
export function preloadProtocolCode(): void {
  void loadActions().catch(() => undefined);
}

/**
 * Settles where the session stands at start-up (see `OidcAuth.checkAuth`);
 * with several configs, the default service settles the others after itself.
 */
export async function settleStartUp(auth: OidcAuth): Promise<boolean> {
  // A callback is on its way: the lazy chunk (the action that finishes it, and the protocol steps)
  // loads while the config does.
  if (auth.isBrowser && looksLikeCallback(auth.document.location.href)) preloadProtocolCode();
  const { session } = await auth.ctx();
  // On the server nothing is read or processed; inside the silent-renew iframe the
  // page only hands the response to its parent (no session, timer or tab sync here).
  if (!auth.isBrowser || auth.inRenewFrame) {
    auth.markReady();
    return false;
  }
  auth.emit({ type: 'CheckAuthStarted' });
  const href = auth.document.location.href;
  // Several configs may share one callback route: the pending login's state says whose it is.
  if (isCallbackUrl(href, session.config.redirectUrl) && (auth.callbackOwner?.(href) ?? auth) === auth) {
    await auth.handleCallback(href).catch(() => undefined);
  } else {
    scrubLogoutState(auth, session);
    const stored = session.restore();
    auth.setSession(stored);
    if (stored && session.needsRenewal(stored)) {
      void session.preload().catch(() => undefined);
      await auth.renewIfDue().catch(() => undefined);
      // A session that cannot be renewed at all is over once expired; one whose renewal
      // failed for now (provider down) is kept while its retry is scheduled.
      const current = auth.sessionState();
      if (current && session.isExpired(current) && auth.renewalPhase() !== 'retrying') auth.setSession(null);
    }
  }
  auth.markReady();
  auth.emit({ type: 'CheckAuthFinished', isAuthenticated: auth.isAuthenticated() });
  // The default service settles the others too (each reports its own events).
  if (auth.peers?.[0] === auth) await Promise.all(auth.peers.slice(1).map((peer) => peer.checkAuth()));
  return auth.isAuthenticated();
}

/** True when this page is the silent-renew redirect target inside its iframe. */
export function isSilentRenewFrame(auth: OidcAuth, config: ResolvedOidcConfig): boolean {
  const view = auth.document.defaultView;
  if (!view || !config.silentRenewUrl) return false;
  let framed: boolean;
  try {
    framed = view.parent !== view;
  } catch {
    framed = true;
  }
  return framed && isCallbackUrl(auth.document.location.href, config.silentRenewUrl);
}

/** Back from an RP-initiated logout with the `state` this tab sent: take it off the address bar. */
function scrubLogoutState(auth: OidcAuth, session: OidcSession): void {
  const history = auth.document.defaultView?.history;
  const url = new URL(auth.document.location.href);
  if (!history || !session.logoutStates.take(url.searchParams.get('state'))) return;
  url.searchParams.delete('state');
  history.replaceState(history.state, '', url.toString());
}
