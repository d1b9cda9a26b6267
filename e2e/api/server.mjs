// The demo resource API: verifies the access token with oauth4webapi's
// validateJwtAccessToken (RFC 9068 JWT access tokens: signature against the
// provider's JWKS, typ, iss, aud, exp; and for DPoP-bound tokens, RFC 9449 7:
// the proof's signature, htm, htu, iat, ath and cnf.jkt), then checks what
// that function leaves to the server: the scope, the proof's jti against
// replay and the server's own DPoP nonce. Answers JSON; 401 with
// WWW-Authenticate otherwise (RFC 6750 3, RFC 9449 7.1). `/api/payments` wants
// a sign-in with MFA: a token without that `acr` gets the RFC 9470 step-up challenge. Plus a recorder on
// another origin that keeps the headers it receives, to prove tokens never go there.
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { decodeJwt } from 'jose';
import { allowInsecureRequests, validateJwtAccessToken } from 'oauth4webapi';

function cors(res, origins, origin) {
  if (origin && origins.includes(origin)) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'origin');
    res.setHeader('access-control-allow-headers', 'authorization, content-type, dpop');
    res.setHeader('access-control-allow-methods', 'GET, OPTIONS');
    // The app must read the DPoP nonce and the challenge to answer use_dpop_nonce (RFC 9449 9).
    res.setHeader('access-control-expose-headers', 'dpop-nonce, www-authenticate');
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

/** The `acr` `/api/payments` demands (the demo provider's password-plus-code sign-in). */
export const PAYMENTS_ACR = 'urn:ngx-oidc:mfa';

/** Proof algorithms the API accepts (the library signs with ES256 unless told otherwise). */
const DPOP_ALGS = 'ES256 PS256 RS256 EdDSA';

/**
 * The API's DPoP nonces (RFC 9449 9): an HMAC of the current five-minute
 * window, so they change over time without state; the previous window's
 * nonce is still accepted, so a nonce handed out just before a change works.
 */
function dpopNonces(now = () => Date.now()) {
  const secret = randomBytes(32);
  const windowOf = (offset) => createHmac('sha256', secret).update(String(Math.floor(now() / 300_000) + offset)).digest('base64url');
  return { current: () => windowOf(0), accepts: (nonce) => nonce === windowOf(0) || nonce === windowOf(-1) };
}

/**
 * Proof `jti`s seen in the last ten minutes (RFC 9449 11.1): a replayed
 * proof is refused. Bounded, so that a flood cannot grow it without limit.
 */
function jtiCache(now = () => Date.now(), ttlMs = 600_000, max = 10_000) {
  const seen = new Map();
  return {
    /** Records `jti`; false when it was seen already. */
    add(jti) {
      const t = now();
      for (const [key, at] of seen) {
        if (t - at < ttlMs && seen.size < max) break;
        seen.delete(key);
      }
      if (seen.has(jti)) return false;
      seen.set(jti, t);
      return true;
    },
  };
}

/**
 * The API on 127.0.0.1:`port`: `GET /api/me` (and `/api/orders`) answers the caller's identity
 * from a valid access token with scope `api` (Bearer, or DPoP-bound with a
 * valid proof carrying the API's nonce); `GET /api/health` needs none.
 * `counts()` (also `GET /api/__counts`) tells how the protected requests ended.
 */
export async function startApi({ port = 4401, issuer = 'http://127.0.0.1:4400', appOrigins = ['http://127.0.0.1:4200', 'http://localhost:4200'] } = {}) {
  const audience = `http://127.0.0.1:${port}`;
  const as = { issuer, jwks_uri: `${issuer}/jwks` };
  const nonces = dpopNonces();
  const jtis = jtiCache();
  const counts = {};
  const count = (outcome) => {
    counts[outcome] = (counts[outcome] ?? 0) + 1;
  };
  /** RFC 6750 3 / RFC 9449 7.1: the challenge of the scheme the client used. */
  const challenge = (scheme, error, description) => ({
    'www-authenticate':
      scheme === 'dpop'
        ? `DPoP algs="${DPOP_ALGS}"${error ? `, error="${error}", error_description="${description}"` : ''}`
        : `Bearer realm="demo-api"${error ? `, error="${error}", error_description="${description}"` : ''}`,
  });
  let served = 0;
  const server = createServer(async (req, res) => {
    cors(res, appOrigins, req.headers.origin);
    if (req.method === 'OPTIONS') return res.writeHead(204).end();
    const url = new URL(req.url, audience);
    const path = url.pathname;
    if (path === '/api/health') return json(res, 200, { ok: true });
    // For the interceptor benchmark: answers at once, saying whether a token (Bearer or DPoP) came.
    if (path === '/api/ping') return json(res, 200, { auth: /^(Bearer|DPoP) /.test(req.headers.authorization ?? '') });
    if (path === '/api/__counts') return json(res, 200, counts);
    // Protected routes: a proof signed for one must not work at another (htu, RFC 9449 4.3).
    if (path !== '/api/me' && path !== '/api/orders' && path !== '/api/payments') return json(res, 404, { error: 'not_found' });
    const auth = req.headers.authorization ?? '';
    const scheme = /^DPoP /i.test(auth) ? 'dpop' : 'bearer';
    // RFC 6750 3.1: no credentials means a bare challenge.
    if (!/^(Bearer|DPoP) /i.test(auth)) {
      count('no_token');
      return json(res, 401, { error: 'unauthorized' }, challenge('bearer'));
    }
    const request = new Request(url, { method: req.method, headers: Object.entries(req.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])) });
    let claims;
    try {
      claims = await validateJwtAccessToken(as, request, audience, { signingAlgorithms: ['RS256', 'ES256'], [allowInsecureRequests]: true });
    } catch (e) {
      // A token bound to a key (cnf.jkt) sent as Bearer, or a bad proof: the DPoP challenge (RFC 9449 7.1).
      const dpopProblem = scheme === 'dpop' || req.headers.dpop !== undefined || /DPoP|cnf|jkt/.test(String(e?.message));
      count(dpopProblem ? 'invalid_dpop' : 'invalid_token');
      const description = /"exp"|expired/i.test(String(e?.message)) ? 'the access token expired' : String(e?.message ?? 'invalid').replace(/"/g, "'");
      return json(res, 401, { error: 'invalid_token' }, challenge(dpopProblem ? 'dpop' : 'bearer', dpopProblem && scheme === 'dpop' ? 'invalid_dpop_proof' : 'invalid_token', description));
    }
    if (claims.cnf?.jkt !== undefined) {
      // What validateJwtAccessToken leaves to the server: the nonce (RFC 9449 9), then replay (11.1).
      const proof = decodeJwt(String(req.headers.dpop));
      if (typeof proof.nonce !== 'string' || !nonces.accepts(proof.nonce)) {
        count('use_dpop_nonce');
        return json(res, 401, { error: 'use_dpop_nonce' }, { ...challenge('dpop', 'use_dpop_nonce', 'a DPoP nonce from this server is required'), 'dpop-nonce': nonces.current() });
      }
      if (!jtis.add(String(proof.jti))) {
        count('replayed_proof');
        return json(res, 401, { error: 'invalid_dpop_proof' }, challenge('dpop', 'invalid_dpop_proof', 'the proof was used before'));
      }
      if (proof.nonce !== nonces.current()) res.setHeader('dpop-nonce', nonces.current());
    }
    const scopes = String(claims.scope ?? '').split(' ');
    if (!scopes.includes('api')) {
      count('insufficient_scope');
      return json(res, 403, { error: 'insufficient_scope' }, challenge(scheme, 'insufficient_scope', 'scope api required'));
    }
    if (path === '/api/payments' && claims.acr !== PAYMENTS_ACR) {
      // RFC 9470 3: the sign-in behind this token is not strong enough; say what would be.
      count('step_up');
      return json(res, 401, { error: 'insufficient_user_authentication' }, {
        'www-authenticate': `${scheme === 'dpop' ? 'DPoP' : 'Bearer'} error="insufficient_user_authentication", error_description="payments need a sign-in with a one-time code", acr_values="${PAYMENTS_ACR}"`,
      });
    }
    served += 1;
    count(claims.cnf?.jkt !== undefined ? 'ok_dpop' : 'ok_bearer');
    return json(res, 200, {
      sub: claims.sub,
      client_id: claims.client_id,
      scope: claims.scope,
      expires_at: claims.exp,
      token_type: claims.cnf?.jkt !== undefined ? 'DPoP' : 'Bearer',
      ...(claims.acr !== undefined ? { acr: claims.acr } : {}),
      message: `Hello ${claims.sub}, the API verified your ${claims.cnf?.jkt !== undefined ? 'DPoP-bound ' : ''}access token.`,
      served,
    });
  });
  await listen(server, port);
  return { url: `${audience}/api/me`, audience, counts: () => ({ ...counts }), close: closer(server) };
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
