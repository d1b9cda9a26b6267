// Test-only fault injection for the demo provider: a hook in front of
// oidc-provider that counts every request per path (and per grant type on
// /token) and, when a test asks for it, answers 503 with Retry-After, hangs,
// resets the connection or answers an HTML page instead of the provider, or
// lets the provider answer with a Cross-Origin-Opener-Policy header added.
// Tests drive it over HTTP on its own loopback port (see e2e/README.md);
// only the e2e suite's global setup starts it, never `npm start`.
import { createServer } from 'node:http';

/** What a fault does to a matching request. */
export const FAULT_MODES = ['unavailable', 'hang', 'reset', 'garbage', 'coop'];

const FORM_LIMIT = 56 * 1024;
const LOG_LIMIT = 2000;
const GARBAGE = '<!doctype html><html><head><title>Welcome</title></head><body><h1>It works!</h1><p>This is not the provider.</p></body></html>';

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > FORM_LIMIT) req.destroy(new Error('form too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function bump(table, key) {
  table[key] = (table[key] ?? 0) + 1;
}

function emptyCounts() {
  return { paths: {}, grants: {}, preflights: {}, faulted: {}, requests: [] };
}

/** Checks and normalises one rule from a test. */
function parseRule(input, id) {
  if (typeof input !== 'object' || input === null) throw new Error('a fault is an object');
  const paths = Array.isArray(input.path) ? input.path : [input.path];
  if (paths.length === 0 || !paths.every((p) => typeof p === 'string' && p.startsWith('/'))) {
    throw new Error('fault "path" must be a path such as "/token" (or a prefix such as "/interaction/*"), or a list of them');
  }
  if (!FAULT_MODES.includes(input.mode)) throw new Error(`fault "mode" must be one of ${FAULT_MODES.join(', ')}`);
  const when = input.when ?? {};
  if (typeof when !== 'object' || when === null) throw new Error('fault "when" must be an object');
  const times = input.times ?? null;
  if (times !== null && !(Number.isInteger(times) && times > 0)) throw new Error('fault "times" must be a positive integer');
  const retryAfter = input.retryAfter === undefined ? 30 : input.retryAfter;
  if (retryAfter !== null && !(Number.isInteger(retryAfter) && retryAfter >= 0)) throw new Error('fault "retryAfter" must be whole seconds or null');
  const status = input.status ?? 503;
  if (!(Number.isInteger(status) && status >= 400 && status <= 599)) throw new Error('fault "status" must be 4xx or 5xx');
  return {
    id,
    paths,
    mode: input.mode,
    status,
    retryAfter,
    remaining: times,
    when: {
      method: typeof when.method === 'string' ? when.method.toUpperCase() : undefined,
      form: { ...(when.form ?? {}), ...(when.grantType !== undefined ? { grant_type: when.grantType } : {}) },
      query: { ...(when.query ?? {}) },
    },
  };
}

function matches(rule, request) {
  // A path ending in `*` is a prefix ("/interaction/*": every sign-in page).
  if (!rule.paths.some((p) => (p.endsWith('*') ? request.path.startsWith(p.slice(0, -1)) : p === request.path))) return false;
  if (rule.remaining !== null && rule.remaining <= 0) return false;
  if (rule.when.method && rule.when.method !== request.method) return false;
  for (const [key, value] of Object.entries(rule.when.form)) if (request.form.get(key) !== String(value)) return false;
  for (const [key, value] of Object.entries(rule.when.query)) if (request.query.get(key) !== String(value)) return false;
  return true;
}

/**
 * The hook. `intercept(req, res, pass)` sits in the provider's request handler
 * in front of oidc-provider (`pass()` hands the request on); `listen(port)`
 * starts the control server the tests talk to.
 *
 * CORS: preflights (OPTIONS) always pass to the provider and are counted apart.
 * A faulted answer carries `Access-Control-Allow-Origin` for the app's origin
 * (the provider itself echoes allowed origins) and exposes `Retry-After`, which
 * is not a CORS-safelisted header: without it the app could not read it.
 */
export function createFaultHook({ appOrigins, log = () => undefined }) {
  let rules = [];
  let nextId = 1;
  let counts = emptyCounts();
  /** Requests held open by `hang` faults: released (destroyed) when faults are cleared. */
  const hung = new Set();

  const releaseHung = () => {
    for (const res of hung) res.destroy();
    hung.clear();
  };

  const corsHeaders = (req) => {
    const origin = req.headers.origin;
    if (!origin || !appOrigins.includes(origin)) return {};
    return {
      'access-control-allow-origin': origin,
      'access-control-expose-headers': 'Retry-After, WWW-Authenticate',
      vary: 'Origin',
    };
  };

  const apply = (rule, req, res) => {
    switch (rule.mode) {
      case 'unavailable': {
        const headers = { ...corsHeaders(req), 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' };
        if (rule.retryAfter !== null) headers['retry-after'] = String(rule.retryAfter);
        res.writeHead(rule.status, headers);
        res.end('Service Unavailable (e2e fault)');
        return;
      }
      case 'garbage':
        res.writeHead(200, { ...corsHeaders(req), 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(GARBAGE);
        return;
      case 'reset':
        // An RST where the platform can, so the browser sees a reset, not an empty answer.
        if (typeof req.socket.resetAndDestroy === 'function') req.socket.resetAndDestroy();
        else req.socket.destroy();
        return;
      case 'hang':
        hung.add(res);
        res.on('close', () => hung.delete(res));
        return;
    }
  };

  const handle = async (req, res, pass) => {
    const url = new URL(req.url ?? '/', 'http://provider.invalid');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    if (method === 'OPTIONS') {
      bump(counts.preflights, path);
      return pass();
    }
    let form = new URLSearchParams();
    const isForm = method === 'POST' && /^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '');
    if (isForm && !path.startsWith('/interaction/')) {
      const body = await readBody(req);
      form = new URLSearchParams(body);
      // oidc-provider reads an already consumed body from req.body (shared/selective_body.js).
      req.body = body;
    }
    const request = { method, path, query: url.searchParams, form };
    const rule = rules.find((r) => matches(r, request));
    bump(counts.paths, path);
    const grantType = path === '/token' ? (form.get('grant_type') ?? '') : undefined;
    if (grantType !== undefined) bump(counts.grants, grantType);
    if (rule) {
      bump(counts.faulted, path);
      if (rule.remaining !== null) rule.remaining -= 1;
    }
    if (counts.requests.length < LOG_LIMIT) {
      counts.requests.push({
        method,
        path,
        ...(grantType !== undefined ? { grantType } : {}),
        ...(form.has('token_type_hint') ? { tokenTypeHint: form.get('token_type_hint') } : {}),
        ...(url.searchParams.has('prompt') ? { prompt: url.searchParams.get('prompt') } : {}),
        ...(url.searchParams.has('redirect_uri') ? { redirectUri: url.searchParams.get('redirect_uri') } : {}),
        ...(rule ? { fault: rule.mode } : {}),
        at: Date.now(),
      });
    }
    if (rule?.mode === 'coop') {
      // The provider answers, with COOP: a popup that navigates here is cut off from its opener.
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      return pass();
    }
    if (rule) return apply(rule, req, res);
    return pass();
  };

  /** The hook in the provider's request handler. */
  const intercept = (req, res, pass) => {
    handle(req, res, pass).catch((err) => {
      log(`idp fault hook: ${err.stack ?? err}`);
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('bad request');
    });
  };

  const json = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  const control = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://control.invalid').pathname;
    try {
      if (path === '/faults' && req.method === 'GET') return json(res, 200, rules);
      if (path === '/faults' && req.method === 'POST') {
        const body = JSON.parse((await readBody(req)) || 'null');
        const added = (Array.isArray(body) ? body : [body]).map((input) => parseRule(input, nextId++));
        rules = [...rules, ...added];
        return json(res, 201, { ids: added.map((r) => r.id) });
      }
      if (path === '/faults' && req.method === 'DELETE') {
        rules = [];
        releaseHung();
        return json(res, 200, { cleared: true });
      }
      if (path === '/counts' && req.method === 'GET') return json(res, 200, counts);
      if (path === '/reset' && req.method === 'POST') {
        rules = [];
        releaseHung();
        counts = emptyCounts();
        return json(res, 200, { reset: true });
      }
      return json(res, 404, { error: 'not_found' });
    } catch (e) {
      return json(res, 400, { error: 'invalid_request', error_description: String(e instanceof Error ? e.message : e) });
    }
  });

  return {
    intercept,
    /** Starts the control server on 127.0.0.1:`port`. */
    listen: (port) =>
      new Promise((resolve, reject) => {
        control.once('error', reject);
        control.listen(port, '127.0.0.1', () =>
          resolve({
            url: `http://127.0.0.1:${port}`,
            close: () => {
              releaseHung();
              const closed = new Promise((done) => control.close(() => done()));
              control.closeAllConnections();
              return closed;
            },
          }),
        );
      }),
  };
}
