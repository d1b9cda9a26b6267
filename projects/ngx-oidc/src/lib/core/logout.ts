import { endSessionUrl } from './end-session';
import { type OidcError, toOidcError } from './errors';
import type { FetchJson } from './http';
import { withTimeout } from './http-exchange';
import type { ProviderMetadata } from './discovery';
import { revokeToken } from './revocation';
import type { CustomParams } from './authorize';

/**
 * The provider's side of a logout, after the local session is already gone:
 * best-effort revocation of the tokens (RFC 7009), then the RP-initiated
 * logout URL (RP-Initiated Logout 1.0). Nothing here can keep a user signed in.
 */

/** How long a revocation may take at logout: the user is waiting for the end-session redirect. */
export const REVOCATION_TIMEOUT_MS = 3000;

/** The tokens of the ended session that can be revoked. */
export interface RevocableTokens {
  readonly accessToken: string;
  readonly refreshToken?: string;
}

/**
 * True when a public client can use the revocation endpoint: a provider that
 * lists its client authentication methods must list `none` (RFC 8414 2,
 * `revocation_endpoint_auth_methods_supported`; absent means unknown, so try).
 */
export function revocationAllowsPublicClients(metadata: ProviderMetadata): boolean {
  const methods = metadata.revocation_endpoint_auth_methods_supported;
  return !Array.isArray(methods) || methods.includes('none');
}

/**
 * Revokes the refresh and access tokens in parallel, each with a short
 * timeout and `keepalive` (so the requests survive the end-session redirect).
 * Resolves to the failures; never rejects.
 */
export async function revokeAll(
  metadata: ProviderMetadata,
  clientId: string,
  tokens: RevocableTokens,
  fetchJson: FetchJson,
  timeoutMs: number = REVOCATION_TIMEOUT_MS,
): Promise<OidcError[]> {
  const endpoint = metadata.revocation_endpoint;
  if (!endpoint || !revocationAllowsPublicClients(metadata)) return [];
  const port = withTimeout((request) => fetchJson({ ...request, keepalive: true }), timeoutMs);
  // RFC 7009 2.1: the refresh token's revocation may take its access tokens with it; both are sent anyway.
  const list = [
    ...(tokens.refreshToken ? [{ token: tokens.refreshToken, tokenTypeHint: 'refresh_token' as const }] : []),
    { token: tokens.accessToken, tokenTypeHint: 'access_token' as const },
  ];
  const results = await Promise.allSettled(list.map((t) => revokeToken(endpoint, { clientId, ...t }, port)));
  return results.flatMap((r, i) => {
    if (r.status === 'fulfilled') return [];
    const error = toOidcError(r.reason);
    // RFC 7009 2.2.1: a provider that cannot revoke access tokens (a JWT, say) answers
    // unsupported_token_type; the token just expires. Nothing failed that the app could act on.
    return list[i]?.tokenTypeHint === 'access_token' && error.oauthError === 'unsupported_token_type' ? [] : [error];
  });
}

/** The RP-initiated logout URL, or `null` when the provider has no end-session endpoint. */
export function logoutUrl(
  metadata: ProviderMetadata,
  p: { clientId: string; idTokenHint?: string; postLogoutRedirectUri?: string; state?: string; customParams?: CustomParams },
): string | null {
  if (!metadata.end_session_endpoint) return null;
  return endSessionUrl(metadata.end_session_endpoint, {
    clientId: p.clientId,
    ...(p.idTokenHint !== undefined ? { idTokenHint: p.idTokenHint } : {}),
    ...(p.postLogoutRedirectUri !== undefined ? { postLogoutRedirectUri: p.postLogoutRedirectUri } : {}),
    ...(p.state !== undefined ? { state: p.state } : {}),
    ...(p.customParams !== undefined ? { customParams: p.customParams } : {}),
  });
}
