import { OidcError } from './errors';
import { type FetchJson, type OidcHttpRequest, type OidcHttpResponse, fetchPort, isJsonObject, isLoopbackHost, isSecureUrl } from './http';
import { expectStatus, formPost, getRequest, parseJsonObject, readOAuthError, retryAfterSeconds, send, withTimeout } from './http-exchange';
import { caught } from '../../test/helpers';

/** jsdom has `Headers` but no `Response`: the part of `Response` that a port reads, the rest unsupported. */
class TextResponse implements Response {
  readonly headers: Headers;
  readonly ok: boolean;
  readonly redirected = false;
  readonly statusText = '';
  readonly type: ResponseType = 'basic';
  readonly url = '';
  readonly body = null;
  bodyUsed = false;

  constructor(
    private readonly text_: string,
    readonly status = 200,
    headers: Record<string, string> = {},
  ) {
    this.headers = new Headers(headers);
    this.ok = status >= 200 && status < 300;
  }

  async text(): Promise<string> {
    this.bodyUsed = true;
    return this.text_;
  }

  json(): Promise<unknown> {
    return this.text().then((t) => JSON.parse(t));
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return Promise.reject(new Error('not supported'));
  }

  blob(): Promise<Blob> {
    return Promise.reject(new Error('not supported'));
  }

  bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return Promise.reject(new Error('not supported'));
  }

  formData(): Promise<FormData> {
    return Promise.reject(new Error('not supported'));
  }

  clone(): Response {
    return new TextResponse(this.text_, this.status);
  }
}

interface FetchCall {
  readonly input: RequestInfo | URL;
  readonly init: RequestInit | undefined;
}

/** A `fetch` that records its calls and answers with `answer`. */
function recordingFetch(answer: () => Promise<Response>): { fetchFn: typeof fetch; calls: FetchCall[] } {
  const calls: FetchCall[] = [];
  const fetchFn: typeof fetch = (input, init) => {
    calls.push({ input, init });
    return answer();
  };
  return { fetchFn, calls };
}

function response(status: number, body: string, headers: Record<string, string> = {}): OidcHttpResponse {
  return { status, headers, body };
}

const HTML_PAGE = `<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>${'x'.repeat(400)}</body></html>`;

describe('fetchPort', () => {
  it('sends the request with fetch, without credentials or redirects', async () => {
    const { fetchFn, calls } = recordingFetch(async () => new TextResponse('{"ok":true}'));
    const port = fetchPort(fetchFn);
    const params = new URLSearchParams({ grant_type: 'authorization_code', code: 'abc' });
    await port(formPost('https://op.example.test/token', params));
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.input).toBe('https://op.example.test/token');
    expect(call.init).toMatchObject({
      method: 'POST',
      body: params.toString(),
      credentials: 'omit',
      redirect: 'error',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
    });
  });

  it('hands back status, lower-case headers and the body text', async () => {
    const body = '{"error":"invalid_grant"}';
    const { fetchFn } = recordingFetch(async () => new TextResponse(body, 400, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }));
    const answer = await fetchPort(fetchFn)(getRequest('https://op.example.test/token'));
    expect(answer).toEqual({
      status: 400,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      body,
    });
  });

  it('rejects when fetch rejects, which send() turns into NETWORK_ERROR', async () => {
    const failure = new TypeError('Failed to fetch');
    const { fetchFn } = recordingFetch(() => Promise.reject(failure));
    const port = fetchPort(fetchFn);
    const request = getRequest('https://op.example.test/jwks');
    await expect(port(request)).rejects.toBe(failure);
    await expect(send(port, request)).rejects.toMatchObject({
      code: 'NETWORK_ERROR',
      cause: { url: 'https://op.example.test/jwks', reason: failure },
    });
  });

  describe('by default', () => {
    const g = globalThis as { fetch?: typeof fetch };
    const saved = Object.getOwnPropertyDescriptor(g, 'fetch');
    afterEach(() => {
      if (saved) Object.defineProperty(g, 'fetch', saved);
      else delete g.fetch;
    });

    it('uses the global fetch at call time, not when the port is made', async () => {
      const port = fetchPort();
      const { fetchFn, calls } = recordingFetch(async () => new TextResponse('{}', 200));
      g.fetch = fetchFn;
      await expect(port(getRequest('https://op.example.test/jwks'))).resolves.toEqual({ status: 200, headers: {}, body: '{}' });
      expect(calls).toHaveLength(1);
      expect(calls[0]!.input).toBe('https://op.example.test/jwks');
    });
  });
});

describe('getRequest', () => {
  it('builds a GET that accepts JSON, with no body', () => {
    const request = getRequest('https://op.example.test/jwks');
    expect(request).toEqual({ url: 'https://op.example.test/jwks', method: 'GET', headers: { Accept: 'application/json' } });
    expect(request.body).toBeUndefined();
  });

  it('adds extra headers', () => {
    expect(getRequest('https://op.example.test/userinfo', { Authorization: 'Bearer at' }).headers).toEqual({
      Accept: 'application/json',
      Authorization: 'Bearer at',
    });
  });
});

describe('formPost', () => {
  it('builds a form-encoded POST (RFC 6749 3.2)', () => {
    const params = new URLSearchParams({ scope: 'openid profile', redirect_uri: 'https://app.example.test/cb?x=1&y=2' });
    const request = formPost('https://op.example.test/token', params, { DPoP: 'proof' });
    expect(request.method).toBe('POST');
    expect(request.headers).toEqual({
      Accept: 'application/json',
      'Content-Type': 'application/x-www-form-urlencoded',
      DPoP: 'proof',
    });
    const decoded = new URLSearchParams(request.body);
    expect(decoded.get('scope')).toBe('openid profile');
    expect(decoded.get('redirect_uri')).toBe('https://app.example.test/cb?x=1&y=2');
    expect(request.body).not.toContain(' ');
    expect(request.body).not.toContain('?');
  });
});

describe('send', () => {
  const request = getRequest('https://op.example.test/.well-known/openid-configuration');

  it('returns the answer unchanged, whatever its status', async () => {
    const answer = response(503, 'down');
    const port: FetchJson = async () => answer;
    await expect(send(port, request)).resolves.toBe(answer);
  });

  it('passes the request to the port', async () => {
    const seen: OidcHttpRequest[] = [];
    const port: FetchJson = async (req) => {
      seen.push(req);
      return response(200, '{}');
    };
    await send(port, request);
    expect(seen).toEqual([request]);
  });

  it('wraps a rejection as NETWORK_ERROR with the reason', async () => {
    const failure = new TypeError('Failed to fetch');
    const port: FetchJson = () => Promise.reject(failure);
    const p = send(port, request);
    await expect(p).rejects.toBeInstanceOf(OidcError);
    await expect(p).rejects.toMatchObject({ code: 'NETWORK_ERROR', cause: { url: request.url, reason: failure } });
  });

  it('wraps a synchronous throw and a non-Error rejection too', async () => {
    const throwing: FetchJson = () => {
      throw new Error('port exploded');
    };
    await expect(send(throwing, request)).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    const rejectingString: FetchJson = () => Promise.reject('offline');
    await expect(send(rejectingString, request)).rejects.toMatchObject({ code: 'NETWORK_ERROR', cause: { reason: 'offline' } });
  });

  it('passes an OidcError through unchanged', async () => {
    const original = new OidcError('renew timed out', 'RENEW_TIMEOUT');
    const port: FetchJson = () => Promise.reject(original);
    await expect(send(port, request)).rejects.toBe(original);
  });
});

describe('withTimeout', () => {
  afterEach(() => jest.useRealTimers());

  it('fails a request that never answers with TIMEOUT and aborts it', async () => {
    jest.useFakeTimers();
    let signal: AbortSignal | undefined;
    const hanging: FetchJson = (request) => {
      signal = request.signal;
      return new Promise(() => undefined);
    };
    const answer = send(withTimeout(hanging, 10_000), getRequest('https://op.example.test/token'));
    const settled = expect(answer).rejects.toMatchObject({ code: 'TIMEOUT', cause: { url: 'https://op.example.test/token', expected: 10_000 } });
    jest.advanceTimersByTime(9_999);
    expect(signal?.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    await settled;
    expect(signal?.aborted).toBe(true);
  });

  it('passes an answer through and leaves no timer behind', async () => {
    jest.useFakeTimers();
    const quick: FetchJson = async () => ({ status: 200, headers: {}, body: '{}' });
    await expect(withTimeout(quick, 10_000)(getRequest('https://op.example.test/a'))).resolves.toMatchObject({ status: 200 });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('passes the caller abort on to the port', async () => {
    let inner: AbortSignal | undefined;
    const port: FetchJson = (request) => {
      inner = request.signal;
      return new Promise((_, reject) => request.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    };
    const outer = new AbortController();
    const answer = withTimeout(port, 10_000)({ ...getRequest('https://op.example.test/a'), signal: outer.signal });
    outer.abort();
    await expect(answer).rejects.toThrow('aborted');
    expect(inner?.aborted).toBe(true);
  });
});

describe('isJsonObject', () => {
  it('accepts plain objects', () => {
    expect(isJsonObject({})).toBe(true);
    expect(isJsonObject({ a: 1 })).toBe(true);
  });

  it('rejects null, arrays and primitives', () => {
    for (const value of [null, undefined, [], [{}], 'x', 1, true]) expect(isJsonObject(value)).toBe(false);
  });
});

describe('parseJsonObject', () => {
  it('returns a JSON object', () => {
    expect(parseJsonObject(response(200, '{"issuer":"https://op.example.test","n":1}'), 'Discovery')).toEqual({
      issuer: 'https://op.example.test',
      n: 1,
    });
  });

  it('rejects an HTML page as INVALID_RESPONSE, keeping the status but never the body', () => {
    const error = caught(() => parseJsonObject({ ...response(502, HTML_PAGE), headers: { 'content-type': 'text/html' } }, 'Token endpoint'));
    expect(error).toBeInstanceOf(OidcError);
    expect(error).toMatchObject({
      code: 'INVALID_RESPONSE',
      message: expect.stringContaining('Token endpoint'),
      cause: { status: 502, contentType: 'text/html' },
    });
    expect(JSON.stringify((error as OidcError).cause)).not.toContain('<html');
  });

  it('keeps a token-bearing body that is not JSON out of the error', () => {
    const body = 'access_token=secret-at&refresh_token=secret-rt';
    const error = caught(() => parseJsonObject(response(200, body), 'Token endpoint')) as OidcError;
    expect(error.code).toBe('INVALID_RESPONSE');
    expect(JSON.stringify(error.cause)).not.toContain('secret');
    expect(error.message).not.toContain('secret');
  });

  it('rejects an empty body', () => {
    expect(caught(() => parseJsonObject(response(200, ''), 'Userinfo'))).toMatchObject({ code: 'INVALID_RESPONSE' });
  });

  it.each([
    ['an array', '[{"access_token":"secret"}]', 'array'],
    ['null', 'null', 'null'],
    ['a string', '"hello"', 'string'],
    ['a number', '42', 'number'],
  ])('rejects %s, naming only its type (values may hold tokens)', (_, body, parsed) => {
    expect(caught(() => parseJsonObject(response(200, body), 'JWKS'))).toMatchObject({
      code: 'INVALID_RESPONSE',
      cause: { status: 200, actual: parsed },
    });
  });

  it('uses the given code for both kinds of failure', () => {
    expect(caught(() => parseJsonObject(response(200, '<html>'), 'Discovery', 'DISCOVERY_INVALID'))).toMatchObject({
      code: 'DISCOVERY_INVALID',
    });
    expect(caught(() => parseJsonObject(response(200, '[]'), 'Discovery', 'DISCOVERY_INVALID'))).toMatchObject({
      code: 'DISCOVERY_INVALID',
    });
  });
});

describe('readOAuthError', () => {
  it('reads error, error_description and error_uri (RFC 6749 5.2)', () => {
    const body = JSON.stringify({
      error: 'invalid_grant',
      error_description: 'code expired',
      error_uri: 'https://op.example.test/errors/invalid_grant',
      extra: 'dropped',
    });
    expect(readOAuthError(response(400, body))).toEqual({
      error: 'invalid_grant',
      error_description: 'code expired',
      error_uri: 'https://op.example.test/errors/invalid_grant',
    });
  });

  it('reads a bare error and drops non-string details', () => {
    const body = JSON.stringify({ error: 'invalid_client', error_description: 42, error_uri: { href: 'x' } });
    expect(readOAuthError(response(401, body))).toEqual({ error: 'invalid_client' });
  });

  it.each([
    ['HTML', HTML_PAGE],
    ['an empty body', ''],
    ['an array', '[{"error":"invalid_grant"}]'],
    ['null', 'null'],
    ['a non-string error', '{"error":400}'],
    ['no error', '{"error_description":"something"}'],
  ])('returns undefined for %s', (_, body) => {
    expect(readOAuthError(response(400, body))).toBeUndefined();
  });
});

describe('expectStatus', () => {
  it('accepts 200 by default', () => {
    expect(() => expectStatus(response(200, '{}'), 'Token endpoint', 'TOKEN_ERROR')).not.toThrow();
  });

  it('accepts the given statuses only', () => {
    expect(() => expectStatus(response(201, '{}'), 'PAR', 'PAR_ERROR', [200, 201])).not.toThrow();
    expect(caught(() => expectStatus(response(201, '{}'), 'PAR', 'PAR_ERROR'))).toMatchObject({ code: 'HTTP_ERROR', cause: { status: 201 } });
    expect(caught(() => expectStatus(response(200, '{}'), 'PAR', 'PAR_ERROR', [201]))).toMatchObject({ code: 'HTTP_ERROR', cause: { status: 200 } });
  });

  it('turns an OAuth error body into the given code, with the provider error in the cause', () => {
    const body = JSON.stringify({ error: 'invalid_grant', error_description: 'code already used' });
    const error = caught(() => expectStatus(response(400, body), 'Token endpoint', 'TOKEN_ERROR'));
    expect(error).toBeInstanceOf(OidcError);
    expect(error).toMatchObject({
      code: 'TOKEN_ERROR',
      oauthError: 'invalid_grant',
      cause: { error: 'invalid_grant', error_description: 'code already used', status: 400 },
    });
    const message = (error as OidcError).message;
    expect(message).toContain('Token endpoint');
    expect(message).toContain('invalid_grant');
    expect(message).toContain('code already used');
  });

  it('words an OAuth error without description without a trailing note', () => {
    const error = caught(() => expectStatus(response(401, '{"error":"invalid_client"}'), 'PAR', 'PAR_ERROR'));
    expect(error).toMatchObject({ code: 'PAR_ERROR', cause: { error: 'invalid_client', status: 401 } });
    expect((error as OidcError).message).toBe('PAR: invalid_client');
  });

  it('turns an HTML 500 into HTTP_ERROR with the status, without the body', () => {
    const error = caught(() => expectStatus(response(500, HTML_PAGE), 'Token endpoint', 'TOKEN_ERROR'));
    expect(error).toBeInstanceOf(OidcError);
    expect(error).toMatchObject({ code: 'HTTP_ERROR', cause: { status: 500 } });
    expect(JSON.stringify((error as OidcError).cause)).not.toContain('<html');
    expect((error as OidcError).oauthError).toBeUndefined();
  });

  it('reads Retry-After (seconds or an HTTP date) into the cause of a 503 or 429', () => {
    const now = Date.parse('2026-11-30T10:00:00Z');
    const busy = { ...response(503, HTML_PAGE), headers: { 'retry-after': '120' } };
    expect(retryAfterSeconds(busy, now)).toBe(120);
    expect(caught(() => expectStatus(busy, 'Token endpoint', 'TOKEN_ERROR'))).toMatchObject({ code: 'HTTP_ERROR', cause: { status: 503, retryAfter: 120 } });
    expect(retryAfterSeconds({ ...busy, headers: { 'retry-after': 'Mon, 30 Nov 2026 10:01:30 GMT' } }, now)).toBe(90);
    expect(retryAfterSeconds({ ...busy, headers: { 'retry-after': 'soon' } }, now)).toBeUndefined();
    expect(retryAfterSeconds(response(503, ''), now)).toBeUndefined();
    const limited = { ...response(429, '{"error":"slow_down"}'), headers: { 'retry-after': '7' } };
    expect(caught(() => expectStatus(limited, 'Token endpoint', 'TOKEN_ERROR'))).toMatchObject({ code: 'TOKEN_ERROR', cause: { status: 429, retryAfter: 7 } });
  });
});

describe('isLoopbackHost', () => {
  it.each(['localhost', '127.0.0.1', '127.0.0.2', '127.255.255.255', '[::1]'])('accepts %s', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['example.com', 'localhost.evil.test', '127.0.0.1.evil.test', 'evil127.0.0.1', '128.0.0.1', '10.0.0.1', '::1x', ''])(
    'rejects %j',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );
});

describe('isSecureUrl', () => {
  it.each([
    'https://op.example.test',
    'https://op.example.test/realms/demo/token?x=1',
    'http://localhost',
    'http://localhost:4200/callback',
    'http://LOCALHOST:4200/',
    'http://127.0.0.1:4400',
    'http://127.0.0.1:4400/token',
    'http://[::1]',
    'http://[::1]:8080/jwks',
  ])('accepts %s', (url) => {
    expect(isSecureUrl(url)).toBe(true);
  });

  it.each([
    'http://example.com',
    'http://op.example.test/token',
    'http://localhost.evil.test',
    'http://127.0.0.1.evil.test',
    'http://localhost@evil.test/',
    'http://10.0.0.1/',
    'ftp://127.0.0.1/',
    'ws://localhost/',
    'javascript:alert(1)',
    'garbage',
    'https://',
    '',
    '/token',
    '//op.example.test/token',
    'op.example.test/token',
  ])('rejects %j', (url) => {
    expect(isSecureUrl(url)).toBe(false);
  });
});
