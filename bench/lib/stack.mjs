// The servers the browser benchmarks run against, all on loopback: the demo
// provider, the API (with /api/ping), and one static server per bench app,
// each on its own origin (so their storages never mix).
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { startApi } from '../../e2e/api/server.mjs';
import { startAppServer } from '../../e2e/app-server.mjs';
import { startIdp } from '../../e2e/idp/provider.mjs';
import { BENCH } from './paths.mjs';

/**
 * The apps the browser benchmarks drive, and their ports. Every origin here is
 * registered at the provider (redirect URIs of each client, `spa-dpop`
 * included) and allowed by the API's CORS.
 */
export const APPS = {
  baseline: 4500,
  'ngx-oidc': 4510,
  'ngx-oidc-dpop': 4540,
  'auth-oidc-client': 4520,
  'oauth2-oidc': 4530,
};

export const IDP = 'http://127.0.0.1:4400';
export const API = 'http://127.0.0.1:4401';

export const appUrl = (name) => `http://127.0.0.1:${APPS[name]}`;

export async function startBenchStack() {
  const origins = Object.keys(APPS).map(appUrl);
  const closers = [];
  try {
    const idp = await startIdp({ port: 4400, appOrigins: origins, apiOrigin: API });
    closers.push(idp.close);
    const api = await startApi({ port: 4401, issuer: IDP, appOrigins: origins });
    closers.push(api.close);
    for (const [name, port] of Object.entries(APPS)) {
      const server = await startAppServer({ port, root: join(BENCH, 'dist', name, 'browser'), issuer: IDP, apiOrigin: API });
      closers.push(server.close);
    }
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
    closers.push(() => browser.close());
    return { browser, close: () => Promise.all(closers.reverse().map((c) => c().catch(() => undefined))) };
  } catch (e) {
    await Promise.all(closers.map((c) => c().catch(() => undefined)));
    throw e;
  }
}

/** A fresh browser context for `name` with the bench settings in its localStorage. */
export async function newContext(browser, name, settings = {}) {
  const context = await browser.newContext();
  await context.addInitScript(
    ([origin, entries]) => {
      if (location.origin !== origin) return;
      for (const [k, v] of entries) localStorage.setItem(k, v);
    },
    [appUrl(name), Object.entries(settings)],
  );
  return context;
}

/**
 * Resolves when the app says it is signed in (`markAuthenticated` in
 * apps/shared/bench-hooks.ts logs it), without running anything in the page
 * meanwhile: polling it would put the runner's injected script on the app's
 * main thread while it signs in.
 */
export function appAuthenticated(page, timeout = 20_000) {
  return page.waitForEvent('console', { predicate: (m) => m.text() === 'bench:authenticated', timeout });
}

/** Signs in through the provider's pages from /protected and waits for the app to say so. */
export async function signIn(page, name) {
  await page.goto(`${appUrl(name)}/protected`);
  await page.getByTestId('idp-login').fill('alice');
  await page.getByTestId('idp-password').fill('wonderland');
  await page.getByTestId('idp-submit').click();
  const authenticated = appAuthenticated(page);
  await page.getByTestId('idp-allow').click();
  await authenticated;
  await page.getByTestId('auth-state').filter({ hasText: /^authenticated$/ }).waitFor({ timeout: 20_000 });
}

/** Records the requests a page (or context) sends to the provider. */
export function watchProvider(target) {
  const seen = [];
  target.on('request', (req) => {
    if (req.url().startsWith(IDP)) seen.push({ at: Date.now(), path: new URL(req.url()).pathname, post: req.postData() ?? '', method: req.method() });
  });
  return seen;
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
