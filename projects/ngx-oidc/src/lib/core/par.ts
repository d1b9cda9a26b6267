import { authorizationUrl } from './endpoint-url';
import type { ProviderMetadata } from './discovery';
import { DEV, OidcError } from './errors';
import type { FetchJson, OidcHttpRequest, OidcHttpResponse } from './http';
import type { HttpTools } from './http-exchange';

// The PAR step is referenced by withPushedAuthorizationRequests(), which the app's start-up code
// holds; so it imports no protocol-step module and borrows their HTTP helpers (`http`) from its caller.

/**
 * What a successful pushed authorization request returns.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2.2
 */
export interface ParResult {
  /** The reference to the pushed request, for the authorization URL. */
  readonly requestUri: string;
  /** Seconds the reference stays valid. */
  readonly expiresIn: number;
}

/**
 * The PAR request: the authorization parameters as a form POST.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2.1
 */
export function parRequest(endpoint: string, params: URLSearchParams, http: HttpTools): OidcHttpRequest {
  // RFC 9126 2.1: request_uri must not be sent to the PAR endpoint.
  if (params.has('request_uri')) {
    throw new OidcError(DEV && 'A pushed authorization request cannot contain request_uri', 'CONFIG_INVALID', { key: 'request_uri' });
  }
  return http.formPost(endpoint, params);
}

/**
 * Checks the PAR endpoint's answer: 201 (200 tolerated) with a string
 * `request_uri` and a positive `expires_in`.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2.2
 */
export function processParResponse(res: OidcHttpResponse, http: HttpTools): ParResult {
  // RFC 9126 2.3: an error answer carries an OAuth error body (400, 401, 405, 413, 429).
  http.expectStatus(res, 'Pushed authorization request', 'PAR_ERROR', [201, 200]);
  const body = http.parseJsonObject(res, 'Pushed authorization request');
  const requestUri = body['request_uri'];
  const expiresIn = body['expires_in'];
  // RFC 9126 2.2: request_uri is a string.
  if (typeof requestUri !== 'string' || requestUri === '') {
    throw new OidcError(DEV && 'Pushed authorization request: the answer has no request_uri', 'INVALID_RESPONSE', {
      status: res.status,
      actual: requestUri,
    });
  }
  // RFC 9126 2.2: expires_in is a positive integer lifetime in seconds.
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new OidcError(DEV && 'Pushed authorization request: expires_in is not a positive number', 'INVALID_RESPONSE', {
      status: res.status,
      actual: expiresIn,
    });
  }
  return { requestUri, expiresIn };
}

/**
 * Sends the pushed authorization request and checks the answer.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2
 */
export async function pushAuthorizationRequest(endpoint: string, params: URLSearchParams, fetchJson: FetchJson, http: HttpTools): Promise<ParResult> {
  return processParResponse(await http.send(fetchJson, parRequest(endpoint, params, http)), http);
}

/**
 * The authorization URL after PAR: only `client_id` and `request_uri`.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-4
 */
export function parAuthorizationUrl(authorizationEndpoint: string, clientId: string, requestUri: string): string {
  // RFC 9126 4: the client sends client_id and request_uri, nothing else.
  return authorizationUrl(authorizationEndpoint, new URLSearchParams({ client_id: clientId, request_uri: requestUri }));
}

/**
 * The whole PAR step for a login: pushes `params` to the provider's PAR
 * endpoint and returns the authorization URL that carries only `client_id`
 * and `request_uri` (RFC 9126 4). Handed to the session as an optional step,
 * so apps that never use PAR do not ship it.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-4
 */
export async function pushedAuthorizationUrl(
  metadata: ProviderMetadata,
  clientId: string,
  params: URLSearchParams,
  fetchJson: FetchJson,
  http: HttpTools,
): Promise<string> {
  const endpoint = metadata.pushed_authorization_request_endpoint;
  if (!endpoint) {
    throw new OidcError(DEV && 'The provider has no pushed_authorization_request_endpoint', 'CONFIG_INVALID', { key: 'usePushedAuthorizationRequests' });
  }
  const { requestUri } = await pushAuthorizationRequest(endpoint, params, fetchJson, http);
  return parAuthorizationUrl(metadata.authorization_endpoint, clientId, requestUri);
}
