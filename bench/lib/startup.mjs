// Start-up: for a returning user (a valid session stored), the requests to the
// provider and the ms from navigation to authenticated; for a login callback,
// the provider requests made and the ms from the callback URL to authenticated.
// Median of RUNS runs per library.
import { IDP, appAuthenticated, appUrl, median, newContext, signIn, watchProvider } from './stack.mjs';

const RUNS = 10;
const LIBRARIES = ['ngx-oidc', 'auth-oidc-client', 'oauth2-oidc'];

/** When the app said it was signed in (it has, once `signIn` or `appAuthenticated` resolved), ms from navigation start. */
function authenticatedAt(page) {
  return page.evaluate(() => window.__bench.authenticatedAt);
}

async function returningUser(browser, name) {
  const context = await newContext(browser, name);
  const page = await context.newPage();
  await signIn(page, name);
  const ms = [];
  const requests = [];
  for (let i = 0; i < RUNS; i++) {
    const seen = watchProvider(page);
    const authenticated = appAuthenticated(page);
    await page.goto(`${appUrl(name)}/`);
    await authenticated;
    ms.push(await authenticatedAt(page));
    await page.waitForTimeout(300); // requests made right after still count
    requests.push(seen.length);
    page.removeAllListeners('request');
  }
  await context.close();
  return { ms: median(ms), requests: median(requests), maxRequests: Math.max(...requests) };
}

async function loginCallback(browser, name) {
  const ms = [];
  const requests = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await newContext(browser, name);
    const page = await context.newPage();
    let afterCallback = null;
    page.on('request', (req) => {
      if (req.isNavigationRequest() && req.url().startsWith(`${appUrl(name)}/callback`)) afterCallback = [];
      else if (afterCallback && req.url().startsWith(IDP)) afterCallback.push(new URL(req.url()).pathname);
    });
    await signIn(page, name);
    ms.push(await authenticatedAt(page));
    await page.waitForTimeout(300);
    requests.push(afterCallback?.length ?? NaN);
    await context.close();
  }
  return { ms: median(ms), requests: median(requests), maxRequests: Math.max(...requests) };
}

export async function startupTable(browser) {
  const rows = [];
  for (const name of LIBRARIES) {
    const returning = await returningUser(browser, name);
    const callback = await loginCallback(browser, name);
    rows.push({ name, returning, callback });
    console.log(`startup ${name}: returning ${returning.requests} req / ${returning.ms.toFixed(0)} ms; callback ${callback.requests} req / ${callback.ms.toFixed(0)} ms`);
  }
  return { runs: RUNS, rows };
}
