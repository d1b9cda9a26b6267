import { type CustomParams, appendCustomParams, authorizationUrl } from './authorize';

/**
 * What goes into an RP-initiated logout request.
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export interface EndSessionRequest {
  /** The registered client id. */
  clientId: string;
  /** The last ID token, so the provider knows whose session ends. */
  idTokenHint?: string;
  /** Where to come back to; must be registered at the provider. */
  postLogoutRedirectUri?: string;
  /** Echoed back to `postLogoutRedirectUri`. */
  state?: string;
  /** Preferred languages for the logout page, space-separated BCP 47 tags. */
  uiLocales?: string;
  /** Extra parameters (such as `logout_hint`); they cannot set {@link END_SESSION_PARAMS}. */
  customParams?: CustomParams;
}

/**
 * Parameters the library sets itself in a logout request; custom parameters
 * that try to set one are refused with `CONFIG_INVALID`.
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export const END_SESSION_PARAMS: readonly string[] = Object.freeze([
  'id_token_hint',
  'client_id',
  'post_logout_redirect_uri',
  'state',
  'ui_locales',
]);

/**
 * The URL to send the browser to for logout: the end-session endpoint with
 * the request in its query (an existing query in the endpoint is kept).
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function endSessionUrl(endpoint: string, req: EndSessionRequest): string {
  const params = new URLSearchParams();
  // RP-Initiated Logout 2: id_token_hint is recommended; client_id identifies the RP.
  if (req.idTokenHint !== undefined) params.set('id_token_hint', req.idTokenHint);
  params.set('client_id', req.clientId);
  // RP-Initiated Logout 2: post_logout_redirect_uri, state and ui_locales are optional.
  if (req.postLogoutRedirectUri !== undefined) params.set('post_logout_redirect_uri', req.postLogoutRedirectUri);
  if (req.state !== undefined) params.set('state', req.state);
  if (req.uiLocales !== undefined) params.set('ui_locales', req.uiLocales);
  appendCustomParams(params, req.customParams, END_SESSION_PARAMS);
  // RFC 6749 3.1 applies by analogy: the endpoint's own query is kept.
  return authorizationUrl(endpoint, params);
}
