import type { ProviderMetadata } from './discovery';
import { toOidcError } from './errors';
import { logoutUrl, revokeAll } from './logout';
import { randomString } from './random';
import type { AuthSession, LogoutResult, OidcSession } from './session';
import { loadMetadata } from './session-steps';

/*
 * The provider's side of a logout: revocation and the end-session URL.
 * In the lazy chunk with the other protocol steps (see session-flows.ts).
 */

/**
 * The provider's side of a logout of `ended` (already removed locally):
 * revokes its refresh and access tokens (RFC 7009) in parallel, each with a
 * short timeout, when the provider lets public clients revoke; then returns
 * the RP-initiated logout URL with a fresh `state` (remembered, so the
 * return page can be recognised and scrubbed). Never rejects.
 */
export async function endProviderSession(
  s: OidcSession,
  ended: AuthSession | null,
  options: { postLogoutRedirectUri?: string; state?: string; revoke?: boolean } = {},
): Promise<LogoutResult> {
  let metadata: ProviderMetadata;
  try {
    metadata = await loadMetadata(s);
  } catch (e) {
    return { endSessionUrl: null, errors: [toOidcError(e)] };
  }
  const errors =
    ended && options.revoke !== false ? await revokeAll(metadata, s.config.clientId, ended, s.deps.fetchJson) : [];
  const postLogoutRedirectUri = options.postLogoutRedirectUri ?? s.config.postLogoutRedirectUri;
  const state = options.state ?? (metadata.end_session_endpoint && postLogoutRedirectUri !== undefined ? randomString() : undefined);
  let url: string | null;
  try {
    url = logoutUrl(metadata, {
      clientId: s.config.clientId,
      ...(ended ? { idTokenHint: ended.idToken } : {}),
      ...(postLogoutRedirectUri !== undefined ? { postLogoutRedirectUri } : {}),
      ...(state !== undefined ? { state } : {}),
      customParams: s.config.customParamsEndSessionRequest,
    });
  } catch (e) {
    return { endSessionUrl: null, errors: [...errors, toOidcError(e)] };
  }
  if (url && state !== undefined) s.logoutStates.save(state);
  return { endSessionUrl: url, errors };
}
