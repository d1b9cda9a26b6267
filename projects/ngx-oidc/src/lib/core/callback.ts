/**
 * The authorization response parameters this library reads, as they came.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthResponse
 */
export interface CallbackParams {
  /** The authorization code (success). */
  code?: string;
  /** The `state` sent in the request, echoed back. */
  state?: string;
  /** The issuer of the response (RFC 9207). */
  iss?: string;
  /** The OAuth error code (failure), such as `access_denied`. */
  error?: string;
  /** Human-readable error text from the provider. */
  error_description?: string;
  /** A page about the error. */
  error_uri?: string;
  /** OIDC Session Management: the session state for the check-session iframe. */
  session_state?: string;
}

/** The response parameters read from a callback URL; other parameters belong to the app. */

function fragmentParams(url: URL): URLSearchParams {
  return new URLSearchParams(url.hash.slice(1));
}

/** The query when it carries a response, else the fragment when it does, else the query. */
function responseSource(url: URL): URLSearchParams {
  const hasResponse = (p: URLSearchParams): boolean => p.has('code') || p.has('error');
  if (hasResponse(url.searchParams)) return url.searchParams;
  const fragment = fragmentParams(url);
  return hasResponse(fragment) ? fragment : url.searchParams;
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * The authorization response's parameters in `url` (its query, or its
 * fragment when only that holds a `code` or an `error`), or `undefined` when
 * `url` does not parse. Not checked: see `parseCallbackUrl`.
 */
export function responseParams(url: string): URLSearchParams | undefined {
  const parsed = parseUrl(url);
  return parsed && responseSource(parsed);
}

/**
 * Whether `url` is the provider's redirect back to `redirectUrl`: same origin
 * and path, with `state` and either `code` or `error`. Never throws.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2
 */
export function isCallbackUrl(url: string, redirectUrl: string): boolean {
  const actual = parseUrl(url);
  const expected = parseUrl(redirectUrl);
  if (!actual || !expected) return false;
  // RFC 6749 3.1.2: the response goes to the registered redirection endpoint; compare exactly.
  if (actual.origin !== expected.origin || actual.pathname !== expected.pathname) return false;
  const source = responseSource(actual);
  return source.has('state') && (source.has('code') || source.has('error'));
}
