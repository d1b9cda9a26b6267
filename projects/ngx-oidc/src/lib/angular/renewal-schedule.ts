import type { ResolvedOidcConfig } from '../core/config';
import { DEV, OidcError } from '../core/errors';
import type { AuthSession } from '../core/session';
import type { OidcAuth } from './oidc-auth';

/*
 * When a session renews: the timers ahead of expiry (or at the retry time after
 * a transient failure), and one shared renewal at a time.
 */

/**
 * With `silentRenew`, renews ahead of expiry (or at the retry time after a
 * transient failure); without it, ends a session that can no longer be
 * renewed on demand when its access token expires.
 */
export function scheduleRenewal(auth: OidcAuth, session: AuthSession | null): void {
  auth.timer.clear();
  const loaded = auth.loaded;
  if (!session || !loaded || !auth.isBrowser || auth.inRenewFrame || auth.destroyed) return;
  const { config } = loaded;
  const renewable = session.refreshToken !== undefined || canRenewByIframe(auth, config);
  if (auth.retryAt !== undefined && renewable) {
    // Waiting after a transient failure: the next attempt, whatever the expiry says.
    auth.timer.schedule(auth.retryAt - auth.now() * 1000, () => auth.renewIfDue().catch(() => undefined));
    return;
  }
  if (session.accessTokenExpiresAt === null) return;
  const renewAhead = config.silentRenew && renewable;
  const at = renewAhead ? loaded.session.renewalDueAt(session)! : session.accessTokenExpiresAt;
  auth.timer.schedule((at - auth.now()) * 1000, () => {
    if (renewAhead) {
      auth.renewIfDue().catch(() => undefined);
    } else if (!renewable) {
      // Expired and not renewable: over here. Other tabs see the same expiry themselves;
      // only a session still stored as this one is removed (compare and delete).
      loaded.session.discard(session);
      auth.setSession(loaded.session.restore());
      if (!auth.sessionState()) auth.emit({ type: 'SessionEnded', error: new OidcError(DEV && 'The access token expired', 'LOGIN_REQUIRED', { reason: 'expired' }) });
    }
  });
}

/** True when renewal by iframe is configured and provided (`withSilentRenewIframe()`). */
export function canRenewByIframe(auth: OidcAuth, config: ResolvedOidcConfig): boolean {
  return config.silentRenew && !!config.silentRenewUrl && !!auth.iframeRenew;
}

/**
 * One renewal at a time (see `OidcAuth.refresh`): every caller (interceptor,
 * guards, timers) shares it; `renewing` shows at once, while its code loads.
 */
export function renewShared(auth: OidcAuth, force: boolean, retryNow = false): Promise<AuthSession> {
  if (!auth.renewing) {
    // `renewing` shows at once, while the code of the renewal loads.
    const before = auth.renewalPhase();
    if (auth.isBrowser && auth.loaded?.session.restore()) auth.renewalPhase.set('renewing');
    auth.renewing = auth.actions()
      .catch((error: OidcError) => {
        // The renewal's code did not load (offline, a redeployed app): transient, as a provider
        // that is down, so the session waits for a retry instead of outliving its token.
        const session = auth.renewalPhase() && auth.loaded!.session.restore();
        auth.renewalPhase.set(session ? 'retrying' : before);
        if (session) {
          const retryAt = (auth.retryAt = (auth.now() + auth.loaded!.config.renewRetryInitialDelayInSeconds) * 1000);
          auth.emit({ type: 'RenewFailed', error });
          auth.emit({ type: 'RenewRetryScheduled', error, retryAt });
          scheduleRenewal(auth, session);
        }
        throw error;
      })
      .then((a) => a.renew(auth, force, retryNow, before === 'retrying'))
      .finally(() => (auth.renewing = undefined));
  }
  return auth.renewing;
}
