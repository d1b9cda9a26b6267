import { DEV, OidcError } from '../core/errors';
import type { AuthSession, OidcSession } from '../core/session';
import type { OidcAuth } from './oidc-auth';
import { redirectOnce } from './redirect-once';

/*
 * `silentRenewFallback`, used by `withSilentRenewIframe()`: what a renewal by
 * iframe does when it needs the user. A browser that blocks third-party
 * cookies sends the hidden iframe to the provider without the provider's
 * session cookie: the provider answers `prompt=none` with `login_required`
 * (or another error of OIDC Core 3.1.2.6), or shows its login page in the
 * iframe, which then never answers (`RENEW_TIMEOUT`). A popup or a top-level
 * redirect is first-party at the provider and still has the cookie.
 *
 * Never a loop: a timeout counts only at the first try in a page where no
 * iframe renewal has worked (later ones back off as before), a popup is
 * tried once per failed renewal, and a redirect is not started again within
 * a minute of the last one in this tab, nor while one is on its way.
 */

/** @internal What `renew()` does around an iframe renewal that needs the user. */
export interface RenewFallback {
  /** Before the failure is reported: the session a popup sign-in renewed (`'popup'` mode), else `null`. */
  rescue(): Promise<AuthSession | null>;
  /** Once it is reported: the redirect login (`'redirect'` mode), else the `RenewInteractionRequired` event. */
  settle(): Promise<void>;
}

/**
 * @internal The fallback for a failed iframe renewal of a session without
 * refresh token, or `null` when none applies; `iframeWorked`: an iframe
 * renewal has worked in this page.
 */
export type RenewFallbackFactory = (auth: OidcAuth, session: OidcSession, error: OidcError, iframeWorked: boolean) => RenewFallback | null;

/** OIDC Core 3.1.2.6: the answers to `prompt=none` that mean the user has to take part. */
const INTERACTION_ERRORS: readonly (string | undefined)[] = ['login_required', 'interaction_required', 'consent_required', 'account_selection_required'];

/** True when `error` says the iframe cannot renew without the user (see `silentRenewFallback`). */
function needsUser(error: OidcError, iframeWorked: boolean): boolean {
  if (INTERACTION_ERRORS.includes(error.oauthError)) return true;
  // A provider that shows its login page in the iframe never answers: a timeout at the first try
  // (no back-off running), in a page where no iframe renewal has worked, may be that. Later ones
  // are the network's, and back off as before.
  return error.code === 'RENEW_TIMEOUT' && error.cause?.['attempt'] === 1 && !iframeWorked;
}

/** True when this page is the top window: a redirect in a frame (the silent-renew iframe, an embed) would be invisible or refused. */
function isTopWindow(view: Window | null): boolean {
  try {
    return !!view && view.parent === view;
  } catch {
    return false;
  }
}

/**
 * @internal Run by `withSilentRenewIframe()` at start-up: puts the fallback on
 * `auth`, and fails start-up with `CONFIG_INVALID` when the config asks for
 * `'popup'` without `withPopupLogin()`.
 */
export async function useRenewFallback(auth: OidcAuth): Promise<void> {
  auth.renewFallback = renewFallback();
  const config = await auth.loadConfig();
  if (config.silentRenewFallback === 'popup' && !auth.popupLogin) {
    throw auth.fail(
      new OidcError(DEV && `ngx-oidc config "silentRenewFallback": 'popup' needs withPopupLogin()`, 'CONFIG_INVALID', {
        key: 'silentRenewFallback',
        actual: 'popup',
      }),
    );
  }
}

function renewFallback(): RenewFallbackFactory {
  // A fallback redirect is on its way: the page is going, nothing more starts here.
  const page = { leaving: false };
  return (auth, session, error, iframeWorked) => {
    const mode = session.config.silentRenewFallback;
    if (mode === 'none' || !auth.isBrowser || !needsUser(error, iframeWorked)) return null;
    return {
      async rescue() {
        if (mode !== 'popup' || !auth.popupLogin) return null;
        // The same user, as for a renewal. Its failures (most often POPUP_BLOCKED: no click to open it) are reported by the popup login.
        const result = await auth.popupLogin(auth, { stepUp: true }).catch(() => null);
        return result?.session ?? null;
      },
      async settle() {
        if (page.leaving || (mode === 'redirect' && (await redirect(auth, session, page)))) return;
        auth.emit({ type: 'RenewInteractionRequired', error });
      },
    };
  };
}

/** Starts the fallback redirect unless it would loop; true once the browser is on its way. */
async function redirect(auth: OidcAuth, session: OidcSession, page: { leaving: boolean }): Promise<boolean> {
  const storage = session.transactions.storage;
  if (!storage || !isTopWindow(auth.document.defaultView)) return false;
  // Back to the current route, at most once a minute per tab.
  page.leaving = (await redirectOnce(auth, storage, `ngx-oidc.${session.config.configId}.renew-fallback`, '', {})) === true;
  return page.leaving;
}
