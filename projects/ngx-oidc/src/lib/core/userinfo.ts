import { DEV, OidcError } from './errors';
import { parseChallenges } from './www-authenticate';
import type { FetchJson, JsonObject, OidcHttpRequest, OidcHttpResponse } from './http';
import { getRequest, parseJsonObject, readOAuthError, send } from './http-exchange';

/**
 * The claims from the UserInfo endpoint; `sub` is always there and equals the ID token's.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoResponse
 */
export type UserInfo = JsonObject & {
  /** The subject: the same user as the ID token's `sub` (checked). */
  readonly sub: string;
};

/**
 * The UserInfo request: a GET with the access token in the `Authorization`
 * header, never in the query (RFC 6750 2.1, 2.3).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoRequest
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export function userInfoRequest(endpoint: string, accessToken: string, scheme: 'Bearer' | 'DPoP' = 'Bearer'): OidcHttpRequest {
  // RFC 9449 7.1: a DPoP-bound token goes with the DPoP scheme (and a proof, added by the DPoP port).
  return getRequest(endpoint, { Authorization: `${scheme} ${accessToken}` });
}

function userInfoError(res: OidcHttpResponse): OidcError {
  const challenge = res.headers['www-authenticate'];
  // RFC 6750 3: the error comes in the WWW-Authenticate challenge; some providers send a JSON body instead.
  const params = challenge === undefined ? undefined : parseChallenges(challenge).find((c) => c.params['error'] !== undefined)?.params;
  const oauth = params ? { error: params['error']!, error_description: params['error_description'] } : readOAuthError(res);
  return new OidcError(DEV && `UserInfo: HTTP ${res.status}${oauth ? ` (${oauth.error})` : ''}`, 'USERINFO_ERROR', {
    status: res.status,
    ...(challenge !== undefined ? { www_authenticate: challenge } : {}),
    ...(oauth ? { error: oauth.error } : {}),
    ...(oauth?.error_description !== undefined ? { error_description: oauth.error_description } : {}),
  });
}

/**
 * Checks the UserInfo answer: 200, a JSON object (signed or encrypted
 * `application/jwt` answers are not supported), and `sub` equal to the ID token's.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoResponse
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoError
 */
export function processUserInfoResponse(res: OidcHttpResponse, expectedSub: string): UserInfo {
  // OIDC Core 5.3.3, RFC 6750 3.1: failures are 401/403 with a WWW-Authenticate challenge.
  if (res.status !== 200) throw userInfoError(res);
  // OIDC Core 5.3.2: a signed or encrypted answer is application/jwt; this library reads JSON only.
  const contentType = (res.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (contentType === 'application/jwt') {
    throw new OidcError(DEV && 'UserInfo: signed or encrypted (application/jwt) responses are not supported; register the client for plain JSON userinfo', 'INVALID_RESPONSE', {
      status: res.status,
      actual: contentType,
    });
  }
  const claims = parseJsonObject(res, 'UserInfo');
  // OIDC Core 5.3.2: sub must exactly match the ID token's sub, else the response must not be used.
  if (expectedSub === '' || claims['sub'] !== expectedSub) {
    throw new OidcError(DEV && 'UserInfo: sub does not match the ID token', 'USERINFO_SUB_MISMATCH', {
      expected: expectedSub,
      actual: claims['sub'],
    });
  }
  return claims as UserInfo;
}

/**
 * Fetches the user's claims and checks them.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
 */
export async function fetchUserInfo(
  endpoint: string,
  accessToken: string,
  expectedSub: string,
  fetchJson: FetchJson,
  scheme: 'Bearer' | 'DPoP' = 'Bearer',
): Promise<UserInfo> {
  return processUserInfoResponse(await send(fetchJson, userInfoRequest(endpoint, accessToken, scheme)), expectedSub);
}
