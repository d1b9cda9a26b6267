// The demo resource API: verifies the bearer token with jose against the
// provider's JWKS (iss, aud, exp, scope) and answers JSON; 401 with
// WWW-Authenticate otherwise (RFC 6750 3). Plus a recorder on another origin
// that keeps the headers it receives, to prove tokens never go there.
import { createServer } from 'node:http';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';

function cors(res, origins, origin) {
  if (origin && origins.includes(origin)) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'origin');
    res.setHeader('access-control-allow-headers', 'authorization, content-type');
    res.setHeader('access-control-allow-methods', 'GET, OPTIONS');
  }
}

function json(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

function closer(server) {
  return () => {
    const closed = new Promise((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    return closed;
  };
}

/**
 * The API on 127.0.0.1:`port`: `GET /api/me` answers the caller's identity
 * from a valid access token with scope `api`; `GET /api/health` needs none.
 */
export async function startApi({ port = 4401, issuer = 'http://127.0.0.1:4400', appOrigins = ['http://127.0.0.1:4200', 'http://localhost:4200'] } = {}) {
  const audience = `http://127.0.0.1:${port}`;
  const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`), { cooldownDuration: 1000 });
  const challenge = (error, description) => ({
    'www-authenticate': `Bearer realm="demo-api"${error ? `, error="${error}", error_description="${description}"` : ''}`,
  });
  let served = 0;
  const server = createServer(async (req, res) => {
    cors(res, appOrigins, req.headers.origin);
    if (req.method === 'OPTIONS') return res.writeHead(204).end();
    const path = new URL(req.url, audience).pathname;
    if (path === '/api/health') return json(res, 200, { ok: true });
    // For the interceptor benchmark: answers at once, saying whether a bearer token came.
    if (path === '/api/ping') return json(res, 200, { auth: (req.headers.authorization ?? '').startsWith('Bearer ') });
    if (path !== '/api/me') return json(res, 404, { error: 'not_found' });
    const auth = req.headers.authorization ?? '';
    // RFC 6750 3.1: no credentials means a bare challenge.
    if (!auth.startsWith('Bearer ')) return json(res, 401, { error: 'unauthorized' }, challenge());
    try {
      const { payload } = await jwtVerify(auth.slice(7), jwks, { issuer, audience, algorithms: ['RS256', 'ES256'] });
      const scopes = String(payload.scope ?? '').split(' ');
      if (!scopes.includes('api')) {
        return json(res, 403, { error: 'insufficient_scope' }, challenge('insufficient_scope', 'scope api required'));
      }
      served += 1;
      return json(res, 200, {
        sub: payload.sub,
        client_id: payload.client_id,
        scope: payload.scope,
        expires_at: payload.exp,
        message: `Hello ${payload.sub}, the API verified your access token.`,
        served,
      });
    } catch (e) {
      const description = e instanceof errors.JWTExpired ? 'the access token expired' : 'the access token is invalid';
      return json(res, 401, { error: 'invalid_token' }, challenge('invalid_token', description));
    }
  });
  await listen(server, port);
  return { url: `${audience}/api/me`, audience, close: closer(server) };
}

/**
 * Another origin that records every request's headers: the e2e suite calls it
 * from the app to prove the access token never goes outside `secureRoutes`.
 */
export async function startRecorder({ port = 4402 } = {}) {
  const records = [];
  const server = createServer((req, res) => {
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', '*');
    if (req.method === 'OPTIONS') return res.writeHead(204).end();
    if (req.url === '/__records') return json(res, 200, records);
    if (records.length < 1000) records.push({ method: req.method, url: req.url, headers: req.headers });
    return json(res, 200, { recorded: true });
  });
  await listen(server, port);
  return { url: `http://127.0.0.1:${port}`, records, close: closer(server) };
}
