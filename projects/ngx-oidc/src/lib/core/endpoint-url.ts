import { DEV, OidcError } from './errors';

/**
 * The URL to send the browser to: the endpoint with `params` in its query.
 * A query already in the endpoint is kept (RFC 6749 3.1), except for names
 * that `params` sets, which `params` replaces.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1
 */
export function authorizationUrl(authorizationEndpoint: string, params: URLSearchParams): string {
  let url: URL;
  try {
    url = new URL(authorizationEndpoint);
  } catch {
    throw new OidcError(DEV && 'The endpoint is not an absolute URL', 'CONFIG_INVALID', { actual: authorizationEndpoint });
  }
  // RFC 6749 3.1: the endpoint URI may have a query, which must be retained.
  for (const name of new Set(params.keys())) url.searchParams.delete(name);
  for (const [name, value] of params) url.searchParams.append(name, value);
  // RFC 6749 3.1: the endpoint URI must not include a fragment.
  url.hash = '';
  return url.toString();
}
