// Interceptor cost: COUNT sequential HttpClient GETs to a loopback endpoint in
// Chromium, without an interceptor (the baseline app) and with each library's,
// tokens attached. After a warm-up, ROUNDS interleaved rounds; the median per
// app, and its ratio to the no-interceptor median.
import { API, appUrl, median, newContext, signIn } from './stack.mjs';

const COUNT = 2000;
const ROUNDS = 7;
const WARM_UP = 200;
const APPS = ['baseline', 'ngx-oidc', 'auth-oidc-client', 'oauth2-oidc'];

export async function interceptorTable(browser) {
  const pages = {};
  const contexts = [];
  for (const name of APPS) {
    const context = await newContext(browser, name);
    contexts.push(context);
    const page = await context.newPage();
    if (name === 'baseline') await page.goto(`${appUrl(name)}/`);
    else await signIn(page, name);
    await page.waitForFunction(() => window.__bench != null);
    pages[name] = page;
  }
  // A warm-up per app (JIT, connection pool), not counted.
  for (const name of APPS) await pages[name].evaluate(([url, count]) => window.__bench.runRequests(url, count, false), [`${API}/api/ping`, WARM_UP]);
  const runs = Object.fromEntries(APPS.map((n) => [n, []]));
  const withToken = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of APPS) {
      const result = await pages[name].evaluate(([url, count]) => window.__bench.runRequests(url, count, false), [`${API}/api/ping`, COUNT]);
      if (result.statuses.some((s) => s !== 200)) throw new Error(`interceptor bench: ${name} got non-200 answers`);
      runs[name].push(result.ms);
      withToken[name] = result.withToken;
    }
  }
  await Promise.all(contexts.map((c) => c.close()));
  const base = median(runs.baseline);
  const rows = APPS.map((name) => ({ name, ms: median(runs[name]), ratio: median(runs[name]) / base, withToken: withToken[name] }));
  for (const r of rows) console.log(`interceptor ${r.name}: ${r.ms.toFixed(0)} ms (x${r.ratio.toFixed(3)}), ${r.withToken}/${COUNT} with token`);
  return { count: COUNT, rounds: ROUNDS, rows };
}
