// Interceptor cost: COUNT sequential HttpClient GETs to a loopback endpoint in
// Chromium, without an interceptor (the baseline app) and with each library's,
// tokens attached. After a warm-up, ROUNDS interleaved rounds; the median per
// app, and its ratio to the no-interceptor median (and the median of the
// per-round ratios, each round's time over the baseline's in that round).
//
// The endpoint only says whether a token came, so the runner also reads the
// request headers the browser sent, during the warm-up and in a short check
// after the timed rounds (never during them): every app must send the scheme
// of EXPECTED_SCHEME on every request, and the DPoP app a DPoP proof
// (typ dpop+jwt) on each, each proof a new one. Anything else fails the run.
import { availableParallelism, loadavg } from 'node:os';
import { API, appUrl, median, newContext, signIn } from './stack.mjs';

const COUNT = 2000;
const ROUNDS = 7;
const WARM_UP = 200;
const CHECK_AFTER = 20;
const APPS = ['baseline', 'ngx-oidc', 'ngx-oidc-dpop', 'auth-oidc-client', 'oauth2-oidc'];
/** The Authorization scheme each app must send to the ping (null: no Authorization header). */
const EXPECTED_SCHEME = { baseline: null, 'ngx-oidc': 'Bearer', 'ngx-oidc-dpop': 'DPoP', 'auth-oidc-client': 'Bearer', 'oauth2-oidc': 'Bearer' };
const PING = `${API}/api/ping`;

const run = (page, count) => page.evaluate(([url, n]) => window.__bench.runRequests(url, n, false), [PING, count]);

function jwtHeader(jws) {
  try {
    return JSON.parse(Buffer.from(jws.split('.')[0], 'base64url').toString('utf8'));
  } catch {
    return {};
  }
}

/**
 * Runs `count` requests on `page` and reads the headers of each GET to the ping:
 * `{ requests, schemes: { [scheme or 'none']: n }, proofs, distinctProofs, proofTypes, proofAlgs }`.
 */
async function runWatched(page, count) {
  const seen = [];
  const onRequest = (req) => {
    if (req.method() === 'GET' && req.url() === PING) seen.push(req.allHeaders());
  };
  page.on('request', onRequest);
  try {
    await run(page, count);
  } finally {
    page.off('request', onRequest);
  }
  const headers = await Promise.all(seen);
  const schemes = {};
  const proofs = [];
  for (const h of headers) {
    const scheme = h.authorization ? h.authorization.split(' ')[0] : 'none';
    schemes[scheme] = (schemes[scheme] ?? 0) + 1;
    if (h.dpop !== undefined) proofs.push(h.dpop);
  }
  const proofHeaders = proofs.map(jwtHeader);
  return {
    requests: headers.length,
    schemes,
    proofs: proofs.length,
    distinctProofs: new Set(proofs).size,
    proofTypes: [...new Set(proofHeaders.map((p) => p.typ))],
    proofAlgs: [...new Set(proofHeaders.map((p) => p.alg))],
  };
}

/** Fails the run unless `seen` (from runWatched, `count` requests) is what `name` must send. */
function checkHeaders(name, seen, count, when) {
  const expected = EXPECTED_SCHEME[name] ?? 'none';
  const fail = (why) => {
    throw new Error(`interceptor bench: ${name} ${when}: ${why} (saw ${JSON.stringify(seen)})`);
  };
  if (seen.requests !== count) fail(`${seen.requests} of ${count} requests observed`);
  if ((seen.schemes[expected] ?? 0) !== count) fail(`expected Authorization ${expected === 'none' ? 'absent' : expected} on every request`);
  if (expected === 'DPoP') {
    if (seen.proofs !== count) fail('a DPoP request without a DPoP proof header');
    if (seen.distinctProofs !== count) fail('a DPoP proof sent twice');
    if (seen.proofTypes.length !== 1 || seen.proofTypes[0] !== 'dpop+jwt') fail('a proof whose typ is not dpop+jwt');
  } else if (seen.proofs !== 0) {
    fail('a DPoP header from an app without DPoP');
  }
}

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
  // A warm-up per app (JIT, connection pool), not counted; its request headers are checked.
  const headers = {};
  for (const name of APPS) {
    headers[name] = await runWatched(pages[name], WARM_UP);
    checkHeaders(name, headers[name], WARM_UP, 'warm-up');
  }
  const runs = Object.fromEntries(APPS.map((n) => [n, []]));
  const withToken = {};
  // The machine's 1-minute load average at each round's start and at the end: how busy it was.
  const load = [];
  for (let round = 0; round < ROUNDS; round++) {
    load.push(loadavg()[0]);
    for (const name of APPS) {
      const result = await run(pages[name], COUNT);
      if (result.statuses.some((s) => s !== 200)) throw new Error(`interceptor bench: ${name} got non-200 answers`);
      runs[name].push(result.ms);
      withToken[name] = result.withToken;
    }
  }
  load.push(loadavg()[0]);
  // The same check once more after the timed rounds (a renewal meanwhile must not change the scheme).
  for (const name of APPS) checkHeaders(name, await runWatched(pages[name], CHECK_AFTER), CHECK_AFTER, 'after the timed rounds');
  await Promise.all(contexts.map((c) => c.close()));
  const base = median(runs.baseline);
  const perRound = (name) => runs[name].map((ms, i) => ms / runs.baseline[i]);
  const rows = APPS.map((name) => ({
    name,
    ms: median(runs[name]),
    ratio: median(runs[name]) / base,
    // Each round's time over the baseline's in the same round (run next to each other, under the
    // same load), the median of those: less moved by load that changes between rounds.
    pairedRatio: median(perRound(name)),
    pairedRange: [Math.min(...perRound(name)), Math.max(...perRound(name))],
    withToken: withToken[name],
    roundsMs: runs[name].map((ms) => Math.round(ms)),
    scheme: EXPECTED_SCHEME[name] ?? 'none',
    ...(headers[name].proofs ? { proofAlg: headers[name].proofAlgs.join(', ') } : {}),
  }));
  for (const r of rows) console.log(`interceptor ${r.name}: ${r.ms.toFixed(0)} ms (x${r.ratio.toFixed(3)}, per round x${r.pairedRatio.toFixed(3)}; rounds ${r.roundsMs.join(' ')}), ${r.withToken}/${COUNT} with token, Authorization ${r.scheme}${r.proofAlg ? `, DPoP proofs ${r.proofAlg}` : ''}`);
  console.log(`interceptor: load average ${load.map((l) => l.toFixed(2)).join(' ')}`);
  return { count: COUNT, rounds: ROUNDS, warmUp: WARM_UP, checkedAfter: CHECK_AFTER, load: { cores: availableParallelism(), oneMinute: load.map((l) => Math.round(l * 100) / 100) }, rows };
}
