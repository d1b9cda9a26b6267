// Serves the built sample app on loopback, like a production web server would:
// static files, index.html for app routes, and the auth-config.json of the
// chosen flow (the app loads it at start-up; the server decides what it holds).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

/** The flows the demo offers, each a provider client. */
export const FLOWS = ['refresh', 'iframe', 'par', 'short', 'dpop', 'partner'];

/** The partner provider and API of the `partner` flow (e2e/stack.mjs starts them). */
export const PARTNER = { issuer: 'http://127.0.0.1:4404', apiOrigin: 'http://127.0.0.1:4405' };

/**
 * The auth config for a flow: the library's own keys, plus `apiUrl` for the app.
 * `refresh` (default): refresh tokens with rotation. `short`: the same with
 * 10-second access tokens. `iframe`: no refresh tokens, renews by a hidden
 * iframe. `par`: pushed authorization requests. `dpop`: refresh tokens with
 * DPoP-bound tokens (RFC 9449); the other flows send Bearer tokens.
 * `partner`: two configs at once (withMultipleConfigs()), `refresh`'s and the
 * partner provider's (`configId: 'partner'`), each with its own API.
 */
export function demoConfig(flow, { appOrigin, issuer, apiUrl, apiOrigin, partner = PARTNER }) {
  const base = {
    authority: issuer,
    redirectUrl: `${appOrigin}/callback`,
    postLogoutRedirectUri: `${appOrigin}/`,
    // Where the popup of loginWithPopup() comes back: the package's static page.
    popupRedirectUrl: `${appOrigin}/popup-callback.html`,
    secureRoutes: [`${apiOrigin}/api/`],
    // localStorage shares the session between tabs (the demo shows tab sync); the library's default is sessionStorage.
    storage: 'localStorage',
    logLevel: 'debug',
    // The sample app has withDPoP(); only the dpop flow's client is set up for it at the provider.
    useDPoP: flow === 'dpop',
    apiUrl,
  };
  switch (flow) {
    case 'iframe':
      return {
        ...base,
        clientId: 'spa-iframe',
        scope: 'openid profile email api',
        useRefreshToken: false,
        silentRenew: true,
        silentRenewUrl: `${appOrigin}/silent-renew.html`,
      };
    case 'par':
      return { ...base, clientId: 'spa-par', scope: 'openid profile email offline_access api', useRefreshToken: true, silentRenew: true, usePushedAuthorizationRequests: true };
    case 'short':
      return { ...base, clientId: 'spa-short', scope: 'openid profile email offline_access api', useRefreshToken: true, silentRenew: true };
    case 'dpop':
      return { ...base, clientId: 'spa-dpop', scope: 'openid profile email offline_access api', useRefreshToken: true, silentRenew: true };
    case 'refresh':
      return { ...base, clientId: 'spa', scope: 'openid profile email offline_access api', useRefreshToken: true, silentRenew: true };
    case 'partner':
      return [
        demoConfig('refresh', { appOrigin, issuer, apiUrl, apiOrigin }),
        {
          ...demoConfig('refresh', { appOrigin, issuer: partner.issuer, apiOrigin: partner.apiOrigin, apiUrl: `${partner.apiOrigin}/api/me` }),
          configId: 'partner',
        },
      ];
    default:
      throw new Error(`unknown flow "${flow}": use one of ${FLOWS.join(', ')}`);
  }
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * Starts the app server on 127.0.0.1:`port`, serving `root` (dist/sample-app/browser).
 * `overrides` are config keys served on top of the flow's (a test's own server,
 * where routing auth-config.json in the browser is not an option).
 */
export async function startAppServer({ port = 4200, root, flow = 'refresh', issuer = 'http://127.0.0.1:4400', apiOrigin = 'http://127.0.0.1:4401', partner = PARTNER, overrides = {} }) {
  const appOrigin = `http://127.0.0.1:${port}`;
  const configs = demoConfig(flow, { appOrigin, issuer, apiOrigin, apiUrl: `${apiOrigin}/api/me`, partner });
  const config = JSON.stringify(Array.isArray(configs) ? configs : { ...configs, ...overrides }, null, 2);
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, appOrigin).pathname);
    if (path === '/auth-config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return res.end(config);
    }
    const file = normalize(join(root, path));
    const inside = file.startsWith(normalize(root)) && extname(file) !== '';
    try {
      const body = await readFile(inside ? file : join(root, 'index.html'));
      const type = inside ? (TYPES[extname(file)] ?? 'application/octet-stream') : TYPES['.html'];
      res.writeHead(200, { 'content-type': type, 'cache-control': inside && !file.endsWith('.html') ? 'max-age=3600' : 'no-cache' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: appOrigin,
    close: () => {
      const closed = new Promise((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    },
  };
}
