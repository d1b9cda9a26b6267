// Refresh under concurrency: three tabs share a session (localStorage) with
// 10-second access tokens. The tabs "sleep" (their clocks pause, as on a
// closed laptop) until the access token has expired, then wake together and
// each sends 50 concurrent API requests. Counted: token-endpoint refresh
// requests, invalid_grant answers (a rotated refresh token used twice), and the
// API answers. angular-auth-oidc-client runs with and without its lock.
import { API, IDP, appUrl, newContext, signIn } from './stack.mjs';

const TABS = 3;
const REQUESTS = 50;
const CASES = [
  { label: 'ngx-oidc', app: 'ngx-oidc', settings: {} },
  { label: 'angular-auth-oidc-client (lock on)', app: 'auth-oidc-client', settings: { 'bench.aaocLock': 'on' } },
  { label: 'angular-auth-oidc-client (lock off)', app: 'auth-oidc-client', settings: { 'bench.aaocLock': 'off' } },
  { label: 'angular-oauth2-oidc', app: 'oauth2-oidc', settings: {} },
];

async function runCase(browser, { label, app, settings }) {
  const context = await newContext(browser, app, { 'bench.clientId': 'spa-short', ...settings });
  await context.clock.install();
  const first = await context.newPage();
  await signIn(first, app);
  const tabs = [first];
  for (let i = 1; i < TABS; i++) {
    const tab = await context.newPage();
    await tab.goto(`${appUrl(app)}/`);
    await tab.getByTestId('auth-state').filter({ hasText: /^authenticated$/ }).waitFor({ timeout: 20_000 });
    tabs.push(tab);
  }
  // Sleep: every tab's clock stops; the 10 s access token expires for real meanwhile.
  const pausedAt = Date.now() + 500;
  await context.clock.pauseAt(pausedAt);
  await new Promise((r) => setTimeout(r, 11_500));

  const refreshes = [];
  context.on('request', (req) => {
    if (req.url() === `${IDP}/token` && (req.postData() ?? '').includes('grant_type=refresh_token')) refreshes.push(req);
  });
  const invalidGrants = [];
  context.on('response', async (res) => {
    if (res.url() !== `${IDP}/token` || !(res.request().postData() ?? '').includes('grant_type=refresh_token')) return;
    const body = await res.text().catch(() => '');
    if (body.includes('invalid_grant')) invalidGrants.push(body);
  });
  // Wake: time jumps to now, due timers fire once, and each tab fires its requests.
  await context.clock.fastForward(Date.now() - pausedAt);
  await context.clock.resume();
  const results = await Promise.all(
    tabs.map((tab) => tab.evaluate(([url, n]) => window.__bench.runRequests(url, n, true), [`${API}/api/me`, REQUESTS])),
  );
  await new Promise((r) => setTimeout(r, 3000)); // late refreshes still count
  const statuses = results.flatMap((r) => r.statuses);
  const row = {
    label,
    refreshRequests: refreshes.length,
    invalidGrant: invalidGrants.length,
    ok: statuses.filter((s) => s === 200).length,
    unauthorized: statuses.filter((s) => s === 401).length,
    other: statuses.filter((s) => s !== 200 && s !== 401).length,
    signedInAfter: (await Promise.all(tabs.map((t) => t.getByTestId('auth-state').textContent()))).filter((s) => s === 'authenticated').length,
  };
  await context.close();
  console.log(`concurrency ${label}: ${row.refreshRequests} refresh requests, ${row.invalidGrant} invalid_grant, ${row.ok}/${statuses.length} API 200`);
  return row;
}

export async function concurrencyTable(browser) {
  const rows = [];
  for (const c of CASES) rows.push(await runCase(browser, c));
  return { tabs: TABS, requests: REQUESTS, rows };
}
