/** Small helpers shared by the unit tests. Not published. */
import type { OidcHttpResponse } from '../lib/core/http';

/** The error `fn` throws; fails the test when it does not throw. */
export function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

/**
 * An HTTP answer as the network port hands it over: a string body is sent as
 * it is, anything else as JSON (with a JSON content type unless `headers` says otherwise).
 */
export function answer(status: number, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): OidcHttpResponse {
  return { status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}
