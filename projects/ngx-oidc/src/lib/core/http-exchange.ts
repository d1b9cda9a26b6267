import { DEV, OidcError, type OidcErrorCode } from './errors';
import { type FetchJson, type JsonObject, type OidcHttpRequest, type OidcHttpResponse, isJsonObject } from './http';

/*
 * Building the requests the protocol steps send and checking their answers.
 * Only the protocol steps (a lazy chunk) use these; the port's shapes and what
 * start-up needs (isSecureUrl, isJsonObject) stay in http.ts, so that a
 * returning user's page does not load them.
 */

/** Builds a `GET` request that accepts JSON. */
export function getRequest(url: string, headers: Record<string, string> = {}): OidcHttpRequest {
  return { url, method: 'GET', headers: { Accept: 'application/json', ...headers } };
}

/** Builds a form `POST` (RFC 6749 3.2: `application/x-www-form-urlencoded`). */
export function formPost(url: string, params: URLSearchParams, headers: Record<string, string> = {}): OidcHttpRequest {
  return {
    url,
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: params.toString(),
  };
}

/**
 * Sends through the port; a rejection (provider down, CORS, offline) becomes
 * `NETWORK_ERROR`, and an {@link OidcError} passes through unchanged.
 */
export async function send(fetchJson: FetchJson, request: OidcHttpRequest): Promise<OidcHttpResponse> {
  try {
    return await fetchJson(request);
  } catch (e) {
    if (e instanceof OidcError) throw e;
    throw new OidcError(DEV && `No answer from ${request.url}`, 'NETWORK_ERROR', { url: request.url, reason: e });
  }
}

/**
 * The seconds an answer asks the client to wait before trying again
 * (`Retry-After`, RFC 9110 10.2.3: delay seconds or an HTTP date), or
 * `undefined` when it says nothing usable.
 * @param nowMs - now, in milliseconds since the epoch (for the date form).
 */
export function retryAfterSeconds(res: OidcHttpResponse, nowMs: number = Date.now()): number | undefined {
  const value = res.headers['retry-after']?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** What an error cause may say about an answer: never its body, which can hold tokens. */
function answerEvidence(res: OidcHttpResponse): { status: number; contentType?: string; retryAfter?: number } {
  const contentType = res.headers['content-type'];
  const retryAfter = retryAfterSeconds(res);
  return {
    status: res.status,
    ...(contentType !== undefined ? { contentType } : {}),
    ...(retryAfter !== undefined ? { retryAfter } : {}),
  };
}

/**
 * Parses a body that must be a JSON object. HTML error pages, empty bodies and
 * arrays all become `INVALID_RESPONSE` (or `code`).
 */
export function parseJsonObject(res: OidcHttpResponse, what: string, code: OidcErrorCode = 'INVALID_RESPONSE'): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body);
  } catch {
    // The body stays out of the cause: a broken token response can still hold tokens, and errors get logged.
    throw new OidcError(DEV && `${what}: the answer is not JSON`, code, answerEvidence(res));
  }
  if (!isJsonObject(parsed)) {
    // Only the type goes in the cause: the value may hold tokens, and errors get logged.
    throw new OidcError(DEV && `${what}: the answer is not a JSON object`, code, {
      status: res.status,
      actual: Array.isArray(parsed) ? 'array' : parsed === null ? 'null' : typeof parsed,
    });
  }
  return parsed;
}

/**
 * Reads an OAuth 2.0 error response (RFC 6749 5.2) when the body is one:
 * a JSON object with a string `error`. Returns `undefined` otherwise.
 */
export function readOAuthError(res: OidcHttpResponse): { error: string; error_description?: string; error_uri?: string } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body);
  } catch {
    return undefined;
  }
  if (!isJsonObject(parsed) || typeof parsed['error'] !== 'string') return undefined;
  const description = parsed['error_description'];
  const uri = parsed['error_uri'];
  return {
    error: parsed['error'],
    ...(typeof description === 'string' ? { error_description: description } : {}),
    ...(typeof uri === 'string' ? { error_uri: uri } : {}),
  };
}

/**
 * Throws for a non-success answer: an OAuth error body becomes `oauthCode`
 * with the provider's `error` in the cause; anything else becomes `HTTP_ERROR`.
 * @param okStatuses - the statuses that count as success (default 200).
 */
export function expectStatus(
  res: OidcHttpResponse,
  what: string,
  oauthCode: OidcErrorCode,
  okStatuses: readonly number[] = [200],
): void {
  if (okStatuses.includes(res.status)) return;
  const oauth = readOAuthError(res);
  if (oauth) {
    throw new OidcError(DEV && `${what}: ${oauth.error}${oauth.error_description ? ` (${oauth.error_description})` : ''}`, oauthCode, {
      ...oauth,
      ...answerEvidence(res),
    });
  }
  throw new OidcError(DEV && `${what}: unexpected HTTP status ${res.status}`, 'HTTP_ERROR', answerEvidence(res));
}

/**
 * A port that gives every request at most `timeoutMs`: then the request is
 * aborted (its `signal` fires) and the call rejects with `TIMEOUT`, so a
 * provider that never answers cannot hold a lock or a shared renewal forever.
 */
export function withTimeout(fetchJson: FetchJson, timeoutMs: number): FetchJson {
  return (request) => {
    const controller = new AbortController();
    const outer = request.signal;
    const onOuterAbort = () => controller.abort(outer?.reason);
    if (outer?.aborted) onOuterAbort();
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new OidcError(DEV && `No answer from ${request.url} within ${timeoutMs} ms`, 'TIMEOUT', { url: request.url, expected: timeoutMs }));
      }, timeoutMs);
    });
    const answer = fetchJson({ ...request, signal: controller.signal });
    // The loser of the race must not surface as an unhandled rejection.
    answer.catch(() => undefined);
    return Promise.race([answer, expired]).finally(() => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    });
  };
}

/**
 * The request and answer helpers of http-exchange.ts as one value, lent to a step that must not import this
 * module: the PAR step (par.ts), which start-up code references through
 * withPushedAuthorizationRequests().
 */
export interface HttpTools {
  /** `send`: through the port, a rejection as `NETWORK_ERROR`. */
  readonly send: typeof send;
  /** `formPost`: a form `POST` request. */
  readonly formPost: typeof formPost;
  /** `expectStatus`: throws for a non-success answer. */
  readonly expectStatus: typeof expectStatus;
  /** `parseJsonObject`: the body as a JSON object, or throws. */
  readonly parseJsonObject: typeof parseJsonObject;
}

/** The {@link HttpTools} of this module. */
export const httpTools: HttpTools = { send, formPost, expectStatus, parseJsonObject };
