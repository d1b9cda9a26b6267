import { type FetchJson, type OidcHttpRequest, type OidcHttpResponse } from './http';
import { expectStatus, formPost, send } from './http-exchange';

/**
 * What to revoke: the token, and optionally a hint of its type.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
export interface RevocationParams {
  /** The registered client id (a public client authenticates by `client_id` alone). */
  clientId: string;
  /** The access or refresh token to revoke. */
  token: string;
  /** Helps the provider find the token faster (RFC 7009 2.1). */
  tokenTypeHint?: 'access_token' | 'refresh_token';
}

/**
 * The revocation request: a form POST with `token`, `token_type_hint` and `client_id`.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
export function revocationRequest(endpoint: string, p: RevocationParams): OidcHttpRequest {
  const params = new URLSearchParams();
  // RFC 7009 2.1: token is required, token_type_hint optional; client_id identifies a public client.
  params.set('token', p.token);
  if (p.tokenTypeHint !== undefined) params.set('token_type_hint', p.tokenTypeHint);
  params.set('client_id', p.clientId);
  return formPost(endpoint, params);
}

/**
 * Checks the revocation answer: 200 means revoked, or the token was already
 * invalid (RFC 7009 2.2). An OAuth error body is `REVOCATION_ERROR`; any other
 * status is `HTTP_ERROR`.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.2
 */
export function processRevocationResponse(res: OidcHttpResponse): void {
  // RFC 7009 2.2: success is 200 and the body is ignored; 2.2.1: errors follow RFC 6749 5.2.
  expectStatus(res, 'Token revocation', 'REVOCATION_ERROR');
}

/**
 * Revokes a token at the provider.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2
 */
export async function revokeToken(endpoint: string, p: RevocationParams, fetchJson: FetchJson): Promise<void> {
  processRevocationResponse(await send(fetchJson, revocationRequest(endpoint, p)));
}
