import { Component, DOCUMENT, OnInit, inject } from '@angular/core';
import type { ResolvedOidcConfig } from '../core/config';
import { DEV, OidcError } from '../core/errors';
import type { LoginResult, OidcSession } from '../core/session';

/**
 * Silent renew without refresh tokens: a hidden iframe loads the authorization
 * URL with `prompt=none` (OIDC Core 3.1.2.1) and its redirect page posts the
 * response URL back to this window.
 */

/** The message the silent-renew page posts to its parent. */
export const SILENT_RENEW_MESSAGE = 'ngx-oidc:silent-renew';

/** The shape of that message. */
export interface SilentRenewMessage {
  /** Always {@link SILENT_RENEW_MESSAGE}. */
  readonly type: typeof SILENT_RENEW_MESSAGE;
  /** The full redirect URL, with the authorization response. */
  readonly url: string;
}

function isSilentRenewMessage(data: unknown): data is SilentRenewMessage {
  const m = data as Partial<SilentRenewMessage> | null;
  return typeof m === 'object' && m !== null && m.type === SILENT_RENEW_MESSAGE && typeof m.url === 'string';
}

/**
 * Renews by iframe: starts a `prompt=none` login to `silentRenewUrl`, waits for
 * the page there to post its URL (only from this app's origin and that iframe's
 * window), then finishes the login through the core. Ends with `RENEW_TIMEOUT`
 * after `silentRenewTimeoutInSeconds`; `login_required` surfaces as
 * `LOGIN_REQUIRED`. The iframe is removed in every case.
 */
export async function renewInIframe(session: OidcSession, document: Document, config: ResolvedOidcConfig): Promise<LoginResult> {
  const view = document.defaultView;
  if (!view || !config.silentRenewUrl) throw new OidcError(DEV && 'Silent renew needs a browser and silentRenewUrl', 'CONFIG_INVALID', { key: 'silentRenewUrl' });
  const url = await session.beginLogin({ prompt: 'none', redirectUri: config.silentRenewUrl, renew: true });
  const iframe = document.createElement('iframe');
  iframe.setAttribute('aria-hidden', 'true');
  iframe.title = 'ngx-oidc silent renew';
  iframe.style.display = 'none';

  let onMessage: ((event: MessageEvent<unknown>) => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const response = new Promise<string>((resolve, reject) => {
    onMessage = (event) => {
      // Only this app's own origin, and only the iframe we opened, may answer.
      if (event.origin !== view.location.origin || event.source !== iframe.contentWindow) return;
      if (isSilentRenewMessage(event.data)) resolve(event.data.url);
    };
    view.addEventListener('message', onMessage);
    timer = setTimeout(
      () => reject(new OidcError(DEV && 'Silent renew did not answer in time', 'RENEW_TIMEOUT', { expected: config.silentRenewTimeoutInSeconds })),
      config.silentRenewTimeoutInSeconds * 1000,
    );
  });
  try {
    document.body.appendChild(iframe);
    iframe.src = url;
    const callbackUrl = await response;
    return await session.finishLogin(callbackUrl);
  } catch (e) {
    if (e instanceof OidcError && e.code === 'AUTHORIZATION_ERROR' && e.oauthError === 'login_required') {
      throw new OidcError(DEV && 'The provider asks the user to sign in again', 'LOGIN_REQUIRED', { ...e.cause, reason: e });
    }
    throw e;
  } finally {
    clearTimeout(timer);
    if (onMessage) view.removeEventListener('message', onMessage);
    iframe.remove();
  }
}

/**
 * Posts this page's URL to the parent window: the redirect target of an iframe
 * renew. Call it from the page at `silentRenewUrl` (the shipped
 * `silent-renew.html` does the same without Angular).
 */
export function postSilentRenewResult(view: Window): void {
  if (view.parent === view) return;
  const message: SilentRenewMessage = { type: SILENT_RENEW_MESSAGE, url: view.location.href };
  view.parent.postMessage(message, view.location.origin);
}

/**
 * A route component for `silentRenewUrl`, for apps that prefer a route to the
 * static `silent-renew.html`: it posts the authorization response to the parent.
 *
 * @example
 * ```ts
 * { path: 'silent-renew', component: SilentRenewComponent }
 * ```
 */
@Component({ selector: 'oidc-silent-renew', template: '' })
export class SilentRenewComponent implements OnInit {
  private readonly document = inject(DOCUMENT);

  /** Posts the URL once the route is shown. */
  ngOnInit(): void {
    const view = this.document.defaultView;
    if (view) postSilentRenewResult(view);
  }
}
