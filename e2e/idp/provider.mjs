// The demo and e2e OpenID Provider: oidc-provider on loopback, with our own
// login and consent pages, demo users, keys generated at start, and the
// features ngx-oidc uses (PAR, revocation, introspection, RP-initiated logout,
// userinfo, RFC 9207 iss, JWT access tokens for the API via resource indicators,
// DPoP with nonces (RFC 9449) for the `spa-dpop` client), and step-up (RFC 9470):
// a password sign-in is `acr` urn:ngx-oidc:pwd; `acr_values` urn:ngx-oidc:mfa asks
// the signed-in user for a one-time code, and the access token carries the `acr`.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { interactionPolicy } from 'oidc-provider';
import { renderConsent, renderLogin, renderLoggedOut, renderLogout, renderError, renderOneTimeCode } from './pages.mjs';

/**
 * Rewrites the provider's cookies to `SameSite=None; Secure`, so that they go
 * with cross-site requests (iframes). Koa refuses to set Secure cookies on
 * plain http itself; browsers accept them from http://localhost.
 */
function sendCookiesCrossSite(res) {
  const setHeader = res.setHeader.bind(res);
  const crossSite = (cookie) => `${String(cookie).replace(/;\s*samesite=[a-z]+/i, '').replace(/;\s*secure/i, '')}; samesite=none; secure`;
  res.setHeader = (name, value) =>
    setHeader(name, String(name).toLowerCase() === 'set-cookie' ? [].concat(value).map(crossSite) : value);
}

/** Demo users: printed by `npm start`. */
export const USERS = {
  alice: { password: 'wonderland', name: 'Alice Liddell', given_name: 'Alice', family_name: 'Liddell', email: 'alice@example.test' },
  bob: { password: 'builder', name: 'Bob Builder', given_name: 'Bob', family_name: 'Builder', email: 'bob@example.test' },
};

/** The sign-in strengths (`acr`) the provider asserts: a password, or a password and a one-time code. */
export const ACR = { password: 'urn:ngx-oidc:pwd', mfa: 'urn:ngx-oidc:mfa' };

/** The demo's one-time code (a real provider would send it, or use an authenticator). */
export const ONE_TIME_CODE = '246810';

/**
 * The interaction policy: the provider's own, plus a step-up check. A request
 * whose `acr_values` asks for MFA from a user signed in with a password alone
 * shows the login prompt again, where the user gives the one-time code.
 */
function stepUpPolicy() {
  const policy = interactionPolicy.base();
  policy.get('login').checks.add(
    new interactionPolicy.Check('acr_step_up', 'a stronger sign-in is required', (ctx) => {
      const asked = String(ctx.oidc.params.acr_values ?? '').split(' ');
      return asked.includes(ACR.mfa) && ctx.oidc.session.acr !== ACR.mfa ? interactionPolicy.Check.REQUEST_PROMPT : interactionPolicy.Check.NO_NEED_TO_PROMPT;
    }),
  );
  return policy;
}

/** A confidential client the tests use to ask the introspection endpoint. */
export const INTROSPECTOR = { client_id: 'e2e-introspector', client_secret: 'introspector-secret-for-tests-only' };

async function signingKeys() {
  const keys = [];
  for (const alg of ['RS256', 'ES256']) {
    const { privateKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = await exportJWK(privateKey);
    keys.push({ ...jwk, alg, use: 'sig', kid: `${alg.toLowerCase()}-${randomBytes(4).toString('hex')}` });
  }
  return { keys };
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 10_000) req.destroy(new Error('form too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

/**
 * Starts the provider. `appOrigins` are the origins of apps allowed to sign in
 * (redirect URIs are derived from them), `apiOrigin` the resource server.
 * `accessTokenTtl` is the access token lifetime in seconds for the `spa*`
 * clients; `spa-short` always gets `shortAccessTokenTtl`. `faults` is the
 * e2e suite's fault hook (`createFaultHook` in faults.mjs), in front of
 * everything the provider serves; without it the provider is left alone.
 * `host` names the provider in its issuer (it always listens on 127.0.0.1):
 * `localhost` makes it another site than an app on 127.0.0.1, so the
 * browser treats its cookies in the app's iframes as third-party. Then
 * `crossSiteCookies` sends them `SameSite=None; Secure`, as providers that
 * support iframe renewal do (browsers accept Secure cookies from
 * http://localhost), so that an iframe gets them unless third-party cookies
 * are blocked.
 */
export async function startIdp({
  port = 4400,
  appOrigins = ['http://127.0.0.1:4200', 'http://localhost:4200'],
  apiOrigin = 'http://127.0.0.1:4401',
  accessTokenTtl = 300,
  shortAccessTokenTtl = 10,
  log = () => undefined,
  faults,
  host = '127.0.0.1',
  crossSiteCookies = false,
} = {}) {
  const issuer = `http://${host}:${port}`;
  const callbacks = (path) => appOrigins.map((o) => `${o}${path}`);
  const publicClient = (client_id, extra = {}) => ({
    client_id,
    token_endpoint_auth_method: 'none',
    application_type: 'web',
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token'],
    // The app's callback route, and the popup page of loginWithPopup() (the package's popup-callback.html).
    redirect_uris: [...callbacks('/callback'), ...callbacks('/popup-callback.html')],
    post_logout_redirect_uris: callbacks('/'),
    ...extra,
  });
  const apiAudience = apiOrigin;

  const provider = new Provider(issuer, {
    clients: [
      publicClient('spa'),
      publicClient('spa-short'),
      publicClient('spa-iframe', {
        grant_types: ['authorization_code'],
        // The static page the library ships, or the app's own route (SilentRenewComponent).
        redirect_uris: [...callbacks('/callback'), ...callbacks('/popup-callback.html'), ...callbacks('/silent-renew.html'), ...callbacks('/silent-renew')],
      }),
      publicClient('spa-par', { require_pushed_authorization_requests: true }),
      // RFC 9449: this client's tokens must be DPoP-bound (a request without a proof is refused).
      publicClient('spa-dpop', { dpop_bound_access_tokens: true }),
      { ...INTROSPECTOR, grant_types: [], response_types: [], redirect_uris: [], token_endpoint_auth_method: 'client_secret_post' },
    ],
    jwks: await signingKeys(),
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name'],
      email: ['email', 'email_verified'],
    },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    // The profile claims go in the ID token too, so the app shows the name without userinfo.
    conformIdTokenClaims: false,
    findAccount: (_ctx, sub) => {
      const user = USERS[sub];
      if (!user) return undefined;
      const { password: _password, ...claims } = user;
      return { accountId: sub, claims: () => ({ sub, ...claims, email_verified: true }) };
    },
    ttl: {
      // The API's resource server info decides (10 s for spa-short); the rest get accessTokenTtl.
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? accessTokenTtl,
      IdToken: 3600,
      RefreshToken: 24 * 3600,
      Grant: 24 * 3600,
      Session: 24 * 3600,
      Interaction: 600,
      AuthorizationCode: 60,
    },
    interactions: { policy: stepUpPolicy(), url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    acrValues: [ACR.password, ACR.mfa],
    // RFC 9470 6 / RFC 9068 2.2.1: the access token says how and when the user signed in, so the
    // API can ask for a step-up. Both come from the code or refresh token the grant redeems.
    extraTokenClaims: (ctx, token) => {
      if (token.kind !== 'AccessToken') return undefined;
      const source = ctx?.oidc?.entities?.AuthorizationCode ?? ctx?.oidc?.entities?.RefreshToken;
      return source?.acr ? { acr: source.acr, auth_time: source.authTime } : undefined;
    },
    // Clients allowed the refresh_token grant get one (the provider would otherwise want
    // offline_access with prompt=consent on every login).
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    features: {
      devInteractions: { enabled: false },
      // A client may revoke or introspect only its own tokens (the provider's default, set here so
      // that it does not warn at every logout that the policy was left unset).
      revocation: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
      introspection: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => client.clientId === INTROSPECTOR.client_id || token.clientId === client.clientId,
      },
      // RFC 9449: proofs at the token, PAR and userinfo endpoints; every proof must carry a
      // provider nonce (section 8), so a client's first token request is answered use_dpop_nonce.
      dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true },
      pushedAuthorizationRequests: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Every access token is a JWT for the API, so the API can verify it with the JWKS.
        defaultResource: () => apiAudience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resourceIndicator, client) => {
          if (resourceIndicator !== apiAudience) throw new Provider.errors.InvalidTarget();
          return {
            scope: 'api',
            audience: apiAudience,
            accessTokenFormat: 'jwt',
            accessTokenTTL: client.clientId === 'spa-short' ? shortAccessTokenTtl : accessTokenTtl,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.body = renderLogout(form);
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.body = renderLoggedOut();
        },
      },
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = renderError(out);
    },
  });
  provider.on('server_error', (_ctx, err) => log(`idp server_error: ${err.stack ?? err}`));

  const handle = provider.callback();
  const interaction = async (req, res) => {
    const url = new URL(req.url, issuer);
    const [, , uid, action] = url.pathname.split('/');
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction mismatch');
    const { prompt, params } = details;
    const client = await provider.Client.find(String(params.client_id));
    const send = (html) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
    };
    // A signed-in user asked for MFA (acr_values): the one-time code, not the password again.
    const stepUp = prompt.name === 'login' && prompt.reasons.includes('acr_step_up') && details.session?.accountId !== undefined;
    if (req.method === 'GET') {
      if (stepUp) return send(renderOneTimeCode({ uid, clientId: client?.clientId, user: details.session.accountId, code: ONE_TIME_CODE }));
      if (prompt.name === 'login') return send(renderLogin({ uid, clientId: client?.clientId }));
      return send(renderConsent({ uid, clientId: client?.clientId, scope: String(params.scope ?? ''), user: details.session?.accountId }));
    }
    const form = await readForm(req);
    if (action === 'login') {
      const login = form.get('login') ?? '';
      const user = USERS[login];
      if (!user || user.password !== form.get('password')) {
        return send(renderLogin({ uid, clientId: client?.clientId, error: 'Unknown user or wrong password.', login }));
      }
      return provider.interactionFinished(req, res, { login: { accountId: login, acr: ACR.password, amr: ['pwd'] } }, { mergeWithLastSubmission: false });
    }
    if (action === 'otp' && stepUp) {
      const user = details.session.accountId;
      if (form.get('code') !== ONE_TIME_CODE) {
        return send(renderOneTimeCode({ uid, clientId: client?.clientId, user, code: ONE_TIME_CODE, error: 'Wrong code.' }));
      }
      return provider.interactionFinished(req, res, { login: { accountId: user, acr: ACR.mfa, amr: ['pwd', 'otp'] } }, { mergeWithLastSubmission: false });
    }
    if (action === 'confirm') {
      const { accountId } = details.session;
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId, clientId: String(params.client_id) });
      const missing = prompt.details;
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: details.grantId ? {} : { grantId } }, { mergeWithLastSubmission: true });
    }
    if (action === 'abort') {
      return provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'The user denied the request' },
        { mergeWithLastSubmission: false },
      );
    }
    res.writeHead(404).end();
  };

  const serve = (req, res) => {
    if (crossSiteCookies) sendCookiesCrossSite(res);
    if (req.url?.startsWith('/interaction/')) {
      interaction(req, res).catch((err) => {
        log(`idp interaction error: ${err.stack ?? err}`);
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
        res.end(renderError({ error: 'invalid_request', error_description: 'This sign-in page has expired. Go back to the app and sign in again.' }));
      });
      return;
    }
    handle(req, res);
  };
  const server = createServer(faults ? (req, res) => faults.intercept(req, res, () => serve(req, res)) : serve);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    issuer,
    provider,
    close: () => {
      const closed = new Promise((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    },
  };
}
