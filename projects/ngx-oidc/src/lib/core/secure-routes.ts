import { isSecureUrl } from './http';

/**
 * Which request URLs get the access token: those under a `secureRoutes` entry,
 * compared by origin (scheme, host and port, exactly) and by path on a segment
 * boundary. `https://api.example.com` never matches
 * `https://api.example.com.evil.test`, and `https://api.example.com/v1` does not
 * match `https://api.example.com/v10`.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-5.3 (do not send bearer tokens to other parties)
 * @see https://www.rfc-editor.org/rfc/rfc6454#section-5 (origin comparison)
 */

function parse(url: string, base?: string): URL | undefined {
  try {
    return new URL(url, base);
  } catch {
    return undefined;
  }
}

/** True when `path` is `prefix` or lies below it on a `/` boundary. */
function isUnderPath(path: string, prefix: string): boolean {
  if (prefix === '' || prefix === '/') return true;
  const base = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  return path === base || path.startsWith(`${base}/`);
}

/** Parsed `secureRoutes` entries: the interceptor asks on every request, so each entry is parsed once (per base URL for paths). */
const parsedRoutes = new Map<string, URL | undefined>();

/**
 * An entry as a URL: absolute entries as they are; a path (`/api/`) on the
 * page's origin, from `baseUrl`, and only when that origin uses TLS or is
 * loopback (RFC 6750 5.3).
 */
function parseRoute(route: string, baseUrl: string | undefined): URL | undefined {
  const isPath = route.startsWith('/');
  const key = isPath ? `${baseUrl ?? ''} ${route}` : route;
  if (!parsedRoutes.has(key)) {
    if (parsedRoutes.size > 256) parsedRoutes.clear();
    const url = isPath ? (baseUrl === undefined ? undefined : parse(route, baseUrl)) : parse(route);
    parsedRoutes.set(key, url && (!isPath || isSecureUrl(url.href)) ? url : undefined);
  }
  return parsedRoutes.get(key);
}

/**
 * The `secureRoutes` entry `url` falls under, or `undefined`.
 * @param url - the request URL; a relative one is resolved against `baseUrl`.
 * @param secureRoutes - URL prefixes from the config: absolute, or paths on the page's origin.
 * @param baseUrl - the document base URL, for relative request URLs and path entries.
 */
export function matchSecureRoute(url: string, secureRoutes: readonly string[], baseUrl?: string): string | undefined {
  const target = parse(url, baseUrl);
  if (!target || (target.protocol !== 'https:' && target.protocol !== 'http:')) return undefined;
  // Credentials in the URL make the authority ambiguous to people: never send a token there.
  if (target.username || target.password) return undefined;
  return secureRoutes.find((route) => {
    const prefix = parseRoute(route, baseUrl);
    return !!prefix && prefix.origin === target.origin && isUnderPath(target.pathname, prefix.pathname);
  });
}

/**
 * True when `url` falls under a `secureRoutes` entry: an absolute entry needs
 * the same origin and a path on a segment boundary; a path entry (`/api/`) is
 * resolved against `baseUrl` (the document base URL) first.
 */
export function isSecureRoute(url: string, secureRoutes: readonly string[], baseUrl?: string): boolean {
  return matchSecureRoute(url, secureRoutes, baseUrl) !== undefined;
}
