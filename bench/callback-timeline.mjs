#!/usr/bin/env node
// Where a login callback's time goes, for one app of the bench (default
// ngx-oidc): three sign-ins against the bench stack, each printing when the
// app was authenticated, the resources the callback page loaded (scripts, the
// provider's JWKS and token endpoints: start and end, ms from navigation
// start) and the page's performance marks. Not a benchmark (no medians, not in
// BENCHMARKS.md): a look inside one, e.g. with temporary performance.mark()
// calls in the library. Needs the bench apps built (npm run bench, or
// node bench/attribute.mjs <app> --build).
//   node bench/callback-timeline.mjs [app]
import { newContext, signIn, startBenchStack } from './lib/stack.mjs';
const name = process.argv[2] ?? 'ngx-oidc';
const stack = await startBenchStack();
try {
  for (let run = 0; run < 3; run++) {
    const context = await newContext(stack.browser, name);
    const page = await context.newPage();
    await signIn(page, name);
    const t = await page.evaluate(() => ({
      auth: window.__bench.authenticatedAt,
      nav: performance.getEntriesByType('navigation').map((e) => ({ resp: e.responseEnd, dcl: e.domContentLoadedEventEnd })),
      res: performance.getEntriesByType('resource').map((e) => ({ n: e.name.replace(/^https?:\/\/[^/]+/, ''), s: Math.round(e.startTime), e: Math.round(e.responseEnd), ini: e.initiatorType })),
      marks: performance.getEntriesByType('mark').map((m) => ({ n: m.name, t: Math.round(m.startTime) })),
    }));
    console.log(`run ${run}: authenticated at ${t.auth.toFixed(0)} ms; navigation responseEnd ${t.nav[0].resp.toFixed(0)} dcl ${t.nav[0].dcl.toFixed(0)}`);
    for (const r of t.res) console.log(`   ${String(r.s).padStart(4)} -> ${String(r.e).padStart(4)}  ${r.ini.padEnd(8)} ${r.n}`);
    for (const m of t.marks) console.log(`   mark ${m.t} ${m.n}`);
    await context.close();
  }
} finally {
  await stack.close();
}
