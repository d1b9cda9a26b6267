// Start-up: for a returning user (a valid session stored), the requests to the
// provider and the ms from navigation to authenticated; for a login callback,
// the provider requests made and the ms from the callback URL to authenticated;
// for a returning user whose access token has expired, whether the library
// refreshed it before it said signed in, with the same two numbers; and, for
// scale, when the baseline app (no auth library) shows a callback URL.
// Median of RUNS runs per library (EXPIRED_RUNS for the expired session).
import { IDP, appAuthenticated, appUrl, median, newContext, signIn, watchProvider } from './stack.mjs';

const RUNS = 10;
const LIBRARIES = ['ngx-oidc', 'auth-oidc-client', 'oauth2-oidc'];
const EXPIRED_RUNS = 5;
/**
 * The apps of the expired-session runs: each library as in the other runs, and
 * angular-auth-oidc-client once more with the start-up check that asks the
 * provider when the stored tokens do not pass (its checkAuthIncludingServer()),
 * switched on after the sign-in (`reopen`: settings for the app's return only;
 * with no session at all, that check keeps its guard from starting a login).
 */
const EXPIRED_CASES = [
  ...LIBRARIES.map((name) => ({ key: name, app: name, reopen: {} })),
  { key: 'auth-oidc-client-server', app: 'auth-oidc-client', reopen: { 'bench.aaocCheck': 'server' } },
];
/** How long an app whose session expired may take to say signed in before the run counts it as signed out. */
const EXPIRED_BOUND_MS = 5000;

/**
 * The provider requests of the runs, as the paths the most runs made (with
 * the token grant: `/token (refresh_token)`), e.g. `/jwks, /token (authorization_code)`.
 */
function commonPaths(runs) {
  const tally = new Map();
  for (const paths of runs) {
    const key = [...paths].sort().join(', ');
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  return [...tally].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}

/** A provider request as `commonPaths` lists it. */
const describe = (r) => (r.path === '/token' ? `/token (${new URLSearchParams(r.post).get('grant_type')})` : r.path);

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
  const paths = [];
  for (let i = 0; i < RUNS; i++) {
    const seen = watchProvider(page);
    const authenticated = appAuthenticated(page);
    await page.goto(`${appUrl(name)}/`);
    await authenticated;
    ms.push(await authenticatedAt(page));
    await page.waitForTimeout(300); // requests made right after still count
    requests.push(seen.length);
    paths.push(seen.map(describe));
    page.removeAllListeners('request');
  }
  await context.close();
  return { ms: median(ms), requests: median(requests), maxRequests: Math.max(...requests), paths: commonPaths(paths) };
}

async function loginCallback(browser, name) {
  const ms = [];
  const requests = [];
  const paths = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await newContext(browser, name);
    const page = await context.newPage();
    let afterCallback = null;
    page.on('request', (req) => {
      if (req.isNavigationRequest() && req.url().startsWith(`${appUrl(name)}/callback`)) afterCallback = [];
      else if (afterCallback && req.url().startsWith(IDP)) afterCallback.push(describe({ path: new URL(req.url()).pathname, post: req.postData() ?? '' }));
    });
    await signIn(page, name);
    ms.push(await authenticatedAt(page));
    await page.waitForTimeout(300);
    requests.push(afterCallback?.length ?? NaN);
    paths.push(afterCallback ?? []);
    await context.close();
  }
  return { ms: median(ms), requests: median(requests), maxRequests: Math.max(...requests), paths: commonPaths(paths) };
}

/**
 * The floor under every login callback above: the baseline app (no auth
 * library) opening a callback URL, in a new context after one visit, as the
 * callback runs do, until its root component is in the page. A mutation
 * observer added before the page's scripts notes that moment (it reads one
 * selector per batch of DOM changes).
 */
async function baselineShown(browser) {
  const ms = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await newContext(browser, 'baseline');
    await context.addInitScript(() => {
      new MutationObserver((_, observer) => {
        if (!document.querySelector('[data-testid=auth-state]')) return;
        window.__shownAt = performance.now();
        observer.disconnect();
      }).observe(document, { childList: true, subtree: true });
    });
    const page = await context.newPage();
    await page.goto(`${appUrl('baseline')}/`);
    await page.goto(`${appUrl('baseline')}/callback?code=bench&state=bench`);
    await page.waitForFunction(() => window.__shownAt !== undefined);
    ms.push(await page.evaluate(() => window.__shownAt));
    await context.close();
  }
  return median(ms);
}

/** The end of each refresh-token grant the page made (performance timeline, the same clock as `authenticatedAt`). */
function refreshEnds(page) {
  return page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((e) => e.name.endsWith('/token') && e.initiatorType !== 'navigation')
      .map((e) => e.responseEnd),
  );
}

/**
 * Returning users whose access token has expired: each library signs in with
 * the provider's `spa-short` client (10-second access tokens), leaves the app,
 * and comes back once the token has expired in real time (the provider's clock
 * is real, so the browser's cannot be moved instead). The libraries share each
 * round's wait. Per run: whether the app said signed in within
 * EXPIRED_BOUND_MS, whether a refresh grant had ended by then, the provider
 * requests until 300 ms after, and the ms from navigation to signed in.
 */
async function expiredUsers(browser) {
  const runs = Object.fromEntries(EXPIRED_CASES.map((c) => [c.key, []]));
  for (let round = 0; round < EXPIRED_RUNS; round++) {
    const pages = new Map();
    for (const c of EXPIRED_CASES) {
      const context = await newContext(browser, c.app, { 'bench.clientId': 'spa-short' });
      const page = await context.newPage();
      await signIn(page, c.app);
      await page.evaluate((entries) => entries.forEach(([k, v]) => localStorage.setItem(k, v)), Object.entries(c.reopen));
      await page.goto('about:blank'); // no timer of the app's runs while the token expires
      pages.set(c, page);
    }
    await new Promise((r) => setTimeout(r, 11_000)); // one bounded wait: the 10 s access tokens expire
    for (const [{ key: name, app }, page] of pages) {
      const seen = watchProvider(page);
      const authenticated = appAuthenticated(page, EXPIRED_BOUND_MS).then(() => true, () => false);
      await page.goto(`${appUrl(app)}/`);
      const signedIn = await authenticated;
      const at = signedIn ? await authenticatedAt(page) : null;
      await page.waitForTimeout(300);
      const refreshed = (await refreshEnds(page)).some((end) => at !== null && end <= at);
      runs[name].push({ signedIn, refreshedFirst: refreshed, ms: at, requests: seen.length, paths: seen.map(describe) });
      await page.context().close();
    }
  }
  return Object.fromEntries(
    Object.entries(runs).map(([name, r]) => {
      const signedIn = r.filter((x) => x.signedIn);
      return [
        name,
        {
          signedIn: signedIn.length,
          refreshedFirst: r.filter((x) => x.refreshedFirst).length,
          ms: signedIn.length ? median(signedIn.map((x) => x.ms)) : null,
          requests: median(r.map((x) => x.requests)),
          maxRequests: Math.max(...r.map((x) => x.requests)),
          paths: commonPaths(r.map((x) => x.paths)),
        },
      ];
    }),
  );
}

export async function startupTable(browser) {
  const rows = [];
  for (const name of LIBRARIES) {
    const returning = await returningUser(browser, name);
    const callback = await loginCallback(browser, name);
    rows.push({ name, returning, callback });
    console.log(`startup ${name}: returning ${returning.requests} req / ${returning.ms.toFixed(0)} ms; callback ${callback.requests} req / ${callback.ms.toFixed(0)} ms`);
  }
  const baselineMs = await baselineShown(browser);
  console.log(`startup baseline: callback URL shown at ${baselineMs.toFixed(0)} ms`);
  const expired = await expiredUsers(browser);
  const expiredRows = EXPIRED_CASES.map(({ key }) => ({ name: key, ...expired[key] }));
  for (const e of expiredRows) {
    console.log(`startup ${e.name}, expired: signed in ${e.signedIn}/${EXPIRED_RUNS}, refreshed first ${e.refreshedFirst}, ${e.requests} req, ${e.ms === null ? '-' : e.ms.toFixed(0)} ms`);
  }
  return { runs: RUNS, expiredRuns: EXPIRED_RUNS, expiredBoundMs: EXPIRED_BOUND_MS, rows, baselineMs, expiredRows };
}
