import { type CustomParams, appendCustomParams, appendResource } from './authorize';
import { DEV, OidcError } from './errors';
import { type JsonObject, type OidcHttpRequest, type OidcHttpResponse } from './http';
import { expectStatus, formPost, parseJsonObject } from './http-exchange';

/**
 * The tokens from a token response, checked. Times are in seconds since the epoch.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export interface TokenSet {
  /** The access token, for `Authorization: Bearer`. */
  readonly accessToken: string;
  /** `Bearer`, or `DPoP` when the request carried a DPoP proof and the provider bound the token (RFC 9449 5). */
  readonly tokenType: 'Bearer' | 'DPoP';
  /** When the access token expires; `null` when the provider sent no `expires_in`. */
  readonly expiresAt: number | null;
  /** The ID token, still to be validated (OIDC Core 3.1.3.7). */
  readonly idToken?: string;
  /** The refresh token: the new one, else the one that was used (RFC 6749 6). */
  readonly refreshToken?: string;
  /** The granted scope, when the provider said. */
  readonly scope?: string;
}

/** Parameters the caller's custom refresh parameters cannot set. */
const PROTECTED_TOKEN_PARAMS: readonly string[] = [
  'grant_type',
  'client_id',
  'refresh_token',
  'code',
  'code_verifier',
  'redirect_uri',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
];

/**
 * The authorization code grant for a public client: `client_id` in the body,
 * no secret, the PKCE `code_verifier`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.5
 */
export function authorizationCodeGrantRequest(
  tokenEndpoint: string,
  p: { clientId: string; code: string; redirectUri: string; codeVerifier: string; resource?: string | string[] },
): OidcHttpRequest {
  const params = new URLSearchParams();
  // RFC 6749 4.1.3: grant_type, code, redirect_uri (as in the request) and, for a public client, client_id.
  params.set('grant_type', 'authorization_code');
  params.set('code', p.code);
  params.set('redirect_uri', p.redirectUri);
  params.set('client_id', p.clientId);
  // RFC 7636 4.5: the verifier that matches the challenge.
  params.set('code_verifier', p.codeVerifier);
  // RFC 8707 2.2: the resource(s) the access token is for.
  appendResource(params, p.resource);
  return formPost(tokenEndpoint, params);
}

/**
 * The refresh token grant for a public client. Custom parameters cannot set
 * the grant's own parameters; `scope` and `resource` given as fields win.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export function refreshTokenGrantRequest(
  tokenEndpoint: string,
  p: { clientId: string; refreshToken: string; scope?: string; resource?: string | string[]; customParams?: CustomParams },
): OidcHttpRequest {
  const params = new URLSearchParams();
  // RFC 6749 6: grant_type, refresh_token, optional scope; client_id identifies a public client.
  params.set('grant_type', 'refresh_token');
  params.set('refresh_token', p.refreshToken);
  params.set('client_id', p.clientId);
  const explicit: string[] = [];
  if (p.scope !== undefined) {
    params.set('scope', p.scope);
    explicit.push('scope');
  }
  if (p.resource !== undefined) {
    appendResource(params, p.resource);
    explicit.push('resource');
  }
  appendCustomParams(params, p.customParams, PROTECTED_TOKEN_PARAMS, explicit);
  return formPost(tokenEndpoint, params);
}

function invalid(message: string | false, key: string, actual: unknown): OidcError {
  return new OidcError(DEV && `Token response: ${message}`, 'TOKEN_RESPONSE_INVALID', { key, actual });
}

/** A non-empty string member, or undefined when absent; anything else is refused. */
function optionalString(body: JsonObject, key: string): string | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw invalid(DEV && `${key} is not a non-empty string`, key, value);
  return value;
}

/**
 * Checks a token endpoint answer (code or refresh grant) and returns the
 * {@link TokenSet}. An OAuth error body is `TOKEN_ERROR` with the provider's
 * `error` in the cause; a malformed success is `TOKEN_RESPONSE_INVALID`.
 * When no new refresh token is issued, `previousRefreshToken` is kept.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function processTokenResponse(
  res: OidcHttpResponse,
  o: { now: number; previousRefreshToken?: string; tokenType?: (tokenType: unknown) => TokenSet['tokenType'] },
): TokenSet {
  // RFC 6749 5.2: errors are 400 (or 401) with an OAuth error body; 5.1: success is 200.
  expectStatus(res, 'Token endpoint', 'TOKEN_ERROR');
  const body = parseJsonObject(res, 'Token endpoint');
  // RFC 6749 5.1: access_token is required.
  const accessToken = body['access_token'];
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw invalid(DEV && 'access_token is missing or not a string', 'access_token', accessToken);
  }
  // RFC 6749 5.1, 7.1: token_type is required and case-insensitive; Bearer (RFC 6750) unless the
  // request was sent with DPoP, whose port decides (RFC 9449 5).
  const rawType = body['token_type'];
  let tokenType: TokenSet['tokenType'] = 'Bearer';
  if (o.tokenType) tokenType = o.tokenType(rawType);
  else if (typeof rawType !== 'string' || rawType.toLowerCase() !== 'bearer') throw invalid(DEV && 'token_type is not Bearer', 'token_type', rawType);
  // RFC 6749 5.1: expires_in is the lifetime in seconds, recommended but optional.
  const expiresIn = body['expires_in'];
  if (expiresIn !== undefined && (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0)) {
    throw invalid(DEV && 'expires_in is not a positive number', 'expires_in', expiresIn);
  }
  // OIDC Core 3.1.3.3: id_token is a string (validated as a JWT later).
  const idToken = optionalString(body, 'id_token');
  // RFC 6749 5.1: refresh_token and scope are strings when present.
  const refreshToken = optionalString(body, 'refresh_token') ?? o.previousRefreshToken;
  const scope = body['scope'];
  if (scope !== undefined && typeof scope !== 'string') throw invalid(DEV && 'scope is not a string', 'scope', scope);
  return {
    accessToken,
    tokenType,
    expiresAt: expiresIn === undefined ? null : o.now + expiresIn,
    ...(idToken !== undefined ? { idToken } : {}),
    // RFC 6749 6: without a new refresh token, the client keeps the one it used.
    ...(refreshToken !== undefined ? { refreshToken } : {}),
    ...(scope !== undefined ? { scope } : {}),
  };
}
