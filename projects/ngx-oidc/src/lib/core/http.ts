
/** A request the core asks the network port to send. Bodies are form-encoded (RFC 6749 3.2). */
export interface OidcHttpRequest {
  /** Absolute URL. */
  readonly url: string;
  /** `GET` for discovery, JWKS and userinfo; `POST` for token, PAR and revocation. */
  readonly method: 'GET' | 'POST';
  /** Request headers; `Accept` and, for bodies, `Content-Type` are set by the core. */
  readonly headers: Readonly<Record<string, string>>;
  /** `application/x-www-form-urlencoded` body, for `POST`. */
  readonly body?: string;
  /** Aborts the request (the session's timeout); a port rejects once it fires. */
  readonly signal?: AbortSignal;
  /** Lets the request outlive the page (revocation at logout, before the end-session redirect). */
  readonly keepalive?: boolean;
}

/** The answer the port hands back: status, headers (names lower-cased) and the body as text. */
export interface OidcHttpResponse {
  /** HTTP status code. */
  readonly status: number;
  /** Response headers with lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as text; the core parses and checks it. */
  readonly body: string;
}

/**
 * The core's only way to the network. The Angular layer plugs in HttpClient;
 * tests plug in a fake provider; {@link fetchPort} adapts `fetch`.
 * It resolves for every HTTP status and rejects only when no answer came.
 */
export type FetchJson = (request: OidcHttpRequest) => Promise<OidcHttpResponse>;

/**
 * A {@link FetchJson} port over the Fetch API.
 * @param fetchFn - the `fetch` to use; `globalThis.fetch` by default.
 */
export function fetchPort(fetchFn: typeof fetch = (input, init) => globalThis.fetch(input, init)): FetchJson {
  return async (request) => {
    const res = await fetchFn(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      credentials: 'omit',
      redirect: 'error',
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.keepalive ? { keepalive: true } : {}),
    });
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
    return { status: res.status, headers, body: await res.text() };
  };
}

/** A JSON object: what every OIDC and OAuth endpoint answers with. */
export type JsonObject = { readonly [key: string]: unknown };

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Loopback hosts, where plain http is allowed (RFC 8252 7.3, RFC 9700 2.6). */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * True when `url` is absolute and https, or http on a loopback host.
 * OAuth endpoints need TLS (RFC 6749 3.1, 3.2; OIDC Discovery 3).
 */
export function isSecureUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname));
}
