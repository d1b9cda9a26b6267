// Renders bench results as BENCHMARKS.md.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH } from './paths.mjs';

// The bundle goals, in bytes gzip added over the baseline (budget.json, the one place they are written).
const { goals: GOALS } = JSON.parse(readFileSync(join(BENCH, 'budget.json'), 'utf8'));
const PEERS = ['auth-oidc-client', 'oauth2-oidc'];
/** The interceptor ratio the DPoP app aims at (issue 10: one ES256 signature per request). */
const DPOP_INTERCEPTOR_GOAL = 1.1;

const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;
const signed = (bytes) => `${bytes >= 0 ? '+' : ''}${kB(bytes)}`;
const LABELS = {
  baseline: 'baseline (router + HttpClient)',
  'ngx-oidc': 'ngx-oidc, refresh tokens',
  'ngx-oidc-dpop': 'ngx-oidc, refresh tokens + withDPoP()',
  'ngx-oidc-full': 'ngx-oidc, every feature (PAR, iframe renew, check session, userinfo)',
  'auth-oidc-client': 'angular-auth-oidc-client',
  'auth-oidc-client-server': 'angular-auth-oidc-client, checkAuthIncludingServer()',
  'oauth2-oidc': 'angular-oauth2-oidc',
};

// A row of results.bundle; rows from before the initial/total split (only
// `raw`, `gzip` and their deltas, all JS) still render, with the initial unknown.
function bundleRow(r) {
  if (r.total) return r;
  return { name: r.name, total: { raw: r.raw, gzip: r.gzip }, added: { totalRaw: r.deltaRaw, totalGzip: r.deltaGzip } };
}

function bundleSection(rows) {
  if (!rows) return '_Not run._\n';
  const na = (v, f) => (v === undefined ? 'n/a' : f(v));
  const lines = [
    '| app | initial raw | initial gzip | total raw | total gzip | added initial raw | added initial gzip | added total raw | added total gzip | JS files (initial + lazy) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows.map(bundleRow)) {
    const files = r.initialFiles ? `${r.initialFiles.length} + ${r.lazyFiles.length}` : 'n/a';
    lines.push(
      `| ${LABELS[r.name] ?? r.name} | ${na(r.initial?.raw, kB)} | ${na(r.initial?.gzip, kB)} | ${kB(r.total.raw)} | ${kB(r.total.gzip)} | ${na(r.added.initialRaw, signed)} | ${na(r.added.initialGzip, signed)} | ${signed(r.added.totalRaw)} | ${signed(r.added.totalGzip)} | ${files} |`,
    );
  }
  const dpop = dpopBundleDelta(rows);
  const dpopText = dpop
    ? `\nWhat \`withDPoP()\` adds: the DPoP app minus the refresh-token app (the same app plus \`withDPoP()\` from \`ngx-oidc/dpop\`, as the provider's \`spa-dpop\` client): ${signed(dpop.initialGzip)} gzip (${signed(dpop.initialRaw)} raw) initial, ${signed(dpop.totalGzip)} gzip (${signed(dpop.totalRaw)} raw) total.\n`
    : '';
  return `${lines.join('\n')}\n${dpopText}`;
}

/** The bytes the DPoP app has over the refresh-token app of the same run (what withDPoP() adds), or undefined. */
function dpopBundleDelta(rows) {
  const all = rows.map(bundleRow);
  const app = all.find((r) => r.name === 'ngx-oidc');
  const dpop = all.find((r) => r.name === 'ngx-oidc-dpop');
  if (!app?.initial || !dpop?.initial) return undefined;
  return {
    initialRaw: dpop.initial.raw - app.initial.raw,
    initialGzip: dpop.initial.gzip - app.initial.gzip,
    totalRaw: dpop.total.raw - app.total.raw,
    totalGzip: dpop.total.gzip - app.total.gzip,
  };
}

function bundleTargets(rows) {
  const all = rows.map(bundleRow);
  const app = all.find((r) => r.name === 'ngx-oidc');
  if (!app) return [];
  const B = (bytes) => `${kB(bytes)} (${bytes} B)`;
  const out = [];
  const initial = app.added.initialGzip;
  if (initial !== undefined) {
    const goal = GOALS.initialDeltaGzipBytes;
    out.push(`- Bundle, initial: ngx-oidc's refresh-token app adds ${B(initial)} gzip to the JavaScript a page loads before the app runs (target: at most 10 kB = ${goal} B) — ${initial <= goal ? 'met' : `missed by ${initial - goal} B`}.`);
  }
  // Total: at most the goal, and below the smallest peer measured in the same run.
  const total = app.added.totalGzip;
  const goal = GOALS.totalDeltaGzipBytes;
  const peer = all.filter((r) => PEERS.includes(r.name)).sort((x, y) => x.added.totalGzip - y.added.totalGzip)[0];
  const missed = [];
  if (total > goal) missed.push(`${total - goal} B over ${goal} B`);
  if (peer && total >= peer.added.totalGzip) missed.push(`${total - peer.added.totalGzip} B over ${LABELS[peer.name]}`);
  const peerText = peer ? `, below the smallest peer: ${LABELS[peer.name]} adds ${B(peer.added.totalGzip)}` : '';
  out.push(`- Bundle, total: with its lazy chunks it adds ${B(total)} gzip (target: at most 15.8 kB = ${goal} B${peerText}) — ${missed.length ? `missed: ${missed.join('; ')}` : 'met'}.`);
  const dpop = dpopBundleDelta(rows);
  if (dpop) out.push(`- Bundle, DPoP: \`withDPoP()\` adds ${B(dpop.initialGzip)} gzip initial and ${B(dpop.totalGzip)} gzip total to the refresh-token app (no target; an app without it is held by the budget in \`npm test\`).`);
  return out;
}

function startupSection(s) {
  if (!s) return '_Not run._\n';
  const lines = [
    '| library | returning user: provider requests | returning user: ms to authenticated | login callback: provider requests | login callback: ms to authenticated |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const r of s.rows) {
    lines.push(`| ${LABELS[r.name] ?? r.name} | ${r.returning.requests} (max ${r.returning.maxRequests}) | ${r.returning.ms.toFixed(0)} | ${r.callback.requests} (max ${r.callback.maxRequests}) | ${r.callback.ms.toFixed(0)} |`);
  }
  return `Median of ${s.runs} runs each.\n\n${lines.join('\n')}\n${baselineLine(s)}${requestList(s)}${expiredTable(s)}`;
}

/** When the app without an auth library showed the callback URL: the part of every callback time that is the app's own start (results from before it was measured have none). */
function baselineLine(s) {
  if (s.baselineMs === undefined) return '';
  return `
For scale: the baseline app, with no auth library, shows the same callback URL
(its root component is in the page) at ${s.baselineMs.toFixed(0)} ms, median of ${s.runs} runs, each in a new
context after one visit, as above. That much of every login callback is the
app's own start, before any library can act on the response.
`;
}

/** Which provider requests each library made (the set the most runs made); results from before they were recorded have none. */
function requestList(s) {
  if (!s.rows.every((r) => r.callback.paths !== undefined)) return '';
  const none = (p) => (p === '' ? 'none' : p);
  const lines = s.rows.map(
    (r) =>
      `- ${LABELS[r.name] ?? r.name}: returning user ${none(r.returning.paths)}; login callback ${none(r.callback.paths)}.`,
  );
  for (const e of s.expiredRows ?? []) lines.push(`- ${LABELS[e.name] ?? e.name}, expired access token: ${none(e.paths)}.`);
  return `\nThe provider requests, by path (the set most runs made):\n\n${lines.join('\n')}\n`;
}

/** The returning users whose access token had expired (results from before it was measured have none). */
function expiredTable(s) {
  if (!s.expiredRows) return '';
  const lines = [
    '| library | said signed in (runs) | refreshed before it said so (runs) | provider requests | ms to signed in |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const e of s.expiredRows) {
    lines.push(`| ${LABELS[e.name] ?? e.name} | ${e.signedIn} / ${s.expiredRuns} | ${e.refreshedFirst} / ${s.expiredRuns} | ${e.requests} (max ${e.maxRequests}) | ${e.ms === null ? '—' : e.ms.toFixed(0)} |`);
  }
  return `
Returning user whose access token has expired (10-second tokens, the app
reopened after 11 s; the refresh token is still valid): a library should
refresh the token before it says the user is signed in. "Said signed in"
counts the runs where the app did within ${s.expiredBoundMs / 1000} s of the navigation; the ms
are the median of those runs. ${s.expiredRuns} runs each (see the caveats below).

${lines.join('\n')}
`;
}

function interceptorSection(s) {
  if (!s) return '_Not run._\n';
  const lines = [
    '| app | ms for the run (median) | ratio to no interceptor | median of per-round ratios (min–max) | requests that carried a token | Authorization sent |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
  ];
  const paired = (r) =>
    r.pairedRatio === undefined ? 'n/a' : `${r.pairedRatio.toFixed(3)}${r.pairedRange && r.name !== 'baseline' ? ` (${r.pairedRange[0].toFixed(2)}–${r.pairedRange[1].toFixed(2)})` : ''}`;
  const load = s.load
    ? ` The machine's 1-minute load average (${s.load.cores} cores) at the start of each round and at the end: ${s.load.oneMinute.map((l) => l.toFixed(2)).join(', ')}; other work on it makes the rounds differ.`
    : '';
  const scheme = (r) => (r.scheme === undefined ? 'n/a' : r.scheme === 'none' ? 'none' : r.proofAlg ? `${r.scheme} + proof (${r.proofAlg})` : r.scheme);
  for (const r of s.rows) lines.push(`| ${LABELS[r.name] ?? r.name} | ${r.ms.toFixed(0)} | ${r.ratio.toFixed(3)} | ${paired(r)} | ${r.withToken} / ${s.count} | ${scheme(r)} |`);
  const checked = s.warmUp
    ? ` The headers the browser sent were read during the warm-up (${s.warmUp} requests per app) and in ${s.checkedAfter} more after the timed rounds, never during them: each app sent the scheme shown on every request (the DPoP app a new DPoP proof on each), or the run would have failed.`
    : '';
  return `${s.count} sequential GETs, ${s.rounds} interleaved rounds after a warm-up; the ratio moves by a few percent between runs on this machine when it is quiet, by far more when other work runs on it (see the load average below). The ratio is the app's median over the baseline's; the per-round ratios are each round's time over the baseline's in the same round (the two ran one after the other, under the same load), and their median.${checked}${load}\n\n${lines.join('\n')}\n`;
}

function concurrencySection(s) {
  if (!s) return '_Not run._\n';
  const lines = [
    '| library | token refresh requests | invalid_grant | API 200 | API 401 | other | tabs signed in after |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of s.rows) lines.push(`| ${r.label} | ${r.refreshRequests} | ${r.invalidGrant} | ${r.ok} | ${r.unauthorized} | ${r.other} | ${r.signedInAfter} / ${s.tabs} |`);
  return `${s.tabs} tabs, ${s.requests} concurrent API requests each, right after the access token expired.\n\n${lines.join('\n')}\n`;
}

function targets(results) {
  const out = results.bundle ? bundleTargets(results.bundle) : [];
  const start = results.startup?.rows.find((r) => r.name === 'ngx-oidc');
  if (start) out.push(`- Start-up for a returning user: ${start.returning.requests} requests to the provider (target: 0) — ${start.returning.maxRequests === 0 ? 'met' : 'missed'}.`);
  const peer = results.startup?.rows.find((r) => r.name === 'auth-oidc-client');
  if (start && peer) {
    const ratio = start.callback.ms / peer.callback.ms;
    const floor = results.startup.baselineMs === undefined ? '' : `; the baseline app alone shows the callback URL at ${results.startup.baselineMs.toFixed(0)} ms`;
    out.push(`- Login callback: ${start.callback.ms.toFixed(0)} ms to signed in, ${ratio.toFixed(2)} of ${LABELS[peer.name]}'s ${peer.callback.ms.toFixed(0)} ms in the same run (target: at most 0.5${floor}) — ${ratio <= 0.5 ? 'met' : 'missed'}.`);
  }
  const icp = results.interceptor?.rows.find((r) => r.name === 'ngx-oidc');
  if (icp) out.push(`- Interceptor: ${((icp.ratio - 1) * 100).toFixed(1)}% over no interceptor (target: within 2%) — ${icp.ratio <= 1.02 ? 'met' : 'missed'}.`);
  const dpop = results.interceptor?.rows.find((r) => r.name === 'ngx-oidc-dpop');
  if (dpop) out.push(`- Interceptor with DPoP: ratio ${dpop.ratio.toFixed(3)} to no interceptor (target: at most ${DPOP_INTERCEPTOR_GOAL.toFixed(2)}, one ES256 signature per request) — ${dpop.ratio <= DPOP_INTERCEPTOR_GOAL ? 'met' : 'missed'}.`);
  const conc = results.concurrency?.rows.find((r) => r.label === 'ngx-oidc');
  if (conc) out.push(`- Concurrency: ${conc.refreshRequests} token request(s), ${conc.invalidGrant} invalid_grant (target: exactly 1 and 0) — ${conc.refreshRequests === 1 && conc.invalidGrant === 0 ? 'met' : 'missed'}.`);
  return out.join('\n');
}

/** The line under a section's heading when its results come from an earlier run than this one. */
function carriedNote(results, name) {
  const from = results.carried?.[name];
  return from ? `_Not re-run in the run of ${results.started}: these results are from the run of ${from} (bench/results.json)._\n\n` : '';
}

export function renderReport(results) {
  const env = results.environment;
  const carried = Object.entries(results.carried ?? {});
  const carriedText = carried.length
    ? ` That run measured only part of the benches (\`--only\`); ${carried.map(([name, from]) => `${name} is from the run of ${from}`).join(', ')}, as marked under each heading.`
    : '';
  const packages = Object.entries(env.packages).map(([k, v]) => `${k} ${v}`).join(', ');
  return `# Benchmarks

ngx-oidc against the two Angular peers, side by side, in one run on one
machine. Re-run with \`npm run bench\` (it rewrites this file and
\`bench/results.json\`). Generated ${results.started}.${carriedText}

Machine: ${env.cpu}, ${env.memory}, ${env.os}. Node ${env.node}, Chromium ${env.chromium}.
Packages: ${packages}.

## Targets

${targets(results)}

## 1. Bundle

Minimal production apps (\`ng build\`, esbuild builder, zoneless) that differ
only in the auth library: the baseline has the router and HttpClient; each
library app adds code flow with refresh tokens, an auto-login guard, the
callback handling and the library's interceptor (\`bench/apps/\`). The
\`withDPoP()\` row is the refresh-token app plus \`withDPoP()\` (and the client
id \`spa-dpop\`), nothing else (\`bench/apps/ngx-oidc-dpop\`), so its difference
to that app is what DPoP adds.
Raw and gzip (level 9, each file on its own, summed); kB = 1000 bytes.

- Initial: the JavaScript a page loads before the app runs, so on every visit,
  a returning user's included: the scripts in \`index.html\` and every chunk
  they import statically, transitively (an ES module runs only once all its
  static imports have loaded), from esbuild's metafile (\`ng build
  --stats-json\`), checked against the builder's \`modulepreload\` links.
- Total: every \`.js\` file emitted, the lazy chunks (reached only through
  \`import()\`, loaded when the app first needs them) included.
- Added: over the baseline.

${carriedNote(results, 'bundle')}${bundleSection(results.bundle)}
## 2. Start-up

In Chromium against the demo provider. Returning user: a valid session is
stored; a navigation to the app, until the app knows the user is signed in
(\`performance.now()\`, so from navigation start), and the requests it sent to
the provider meanwhile (and 300 ms after). Login callback: from the
provider's redirect to the callback URL until signed in, and the provider
requests made after that redirect. The app reports the moment itself (and
logs it); the runner waits for that log line instead of polling the page, so
that none of its own script runs in the page while the app signs in.

${carriedNote(results, 'startup')}${startupSection(results.startup)}
## 3. Interceptor cost

HttpClient GETs to a loopback endpoint, one after another, in Chromium: the
baseline app has no interceptor; each library app attaches its token (the
endpoint answers at once, without verifying, and reports whether a token came,
Bearer or DPoP). The \`withDPoP()\` app sends its DPoP-bound token as
\`Authorization: DPoP\` with a new proof per request (an ES256 signature with
WebCrypto and the token's hash, RFC 9449 7), in the same interleaved rounds.

${carriedNote(results, 'interceptor')}${interceptorSection(results.interceptor)}
## 4. Refresh under concurrency

Three tabs share one session in localStorage, with 10-second access tokens.
Their clocks pause (a sleeping laptop) until the token has expired at the
provider, then all wake at once and each sends 50 concurrent requests to the
API, which verifies every token. A rotated refresh token used twice gets
\`invalid_grant\`.

${carriedNote(results, 'concurrency')}${concurrencySection(results.concurrency)}
## Method and caveats

- Every app uses localStorage for tokens so that tabs share them, and each
  app has its own origin, so their storages never mix.
- A session whose access token expired while the app was closed (start-up,
  second table): ngx-oidc refreshes it in its start-up check, loading the
  protocol code as soon as it sees the renewal is due, and says signed in
  once the new tokens passed every check. angular-auth-oidc-client's start-up
  check (\`checkAuth\`, from \`withAppInitializerAuthCheck()\`, as in the other
  rows) finds the tokens expired and leaves the user signed out, without a
  request. Its \`checkAuthIncludingServer()\` asks the provider when the
  stored tokens do not pass: it is a row of its own (the bench app switches
  its start-up check by a setting, \`bench.aaocCheck\`, as it switches its
  lock; that switch adds about 70 B gzip to its bundle), and refreshes.
  angular-oauth2-oidc counts an access token as valid until ten minutes
  after it expired (its default \`clockSkewInSec\` allowance), so it says
  signed in at once, holding the expired token, without a refresh.
- angular-oauth2-oidc does not verify ID token signatures unless the
  separate \`angular-oauth2-oidc-jwks\` package is added; the bench app runs
  without it, as its smallest setup. ngx-oidc and angular-auth-oidc-client
  verify signatures. Of ngx-oidc's bundle bytes, about 4 kB gzip is jose's
  signature verification, in a lazy chunk: loaded at a login callback or a
  token renewal, not by a returning user's page while its tokens are valid.
- angular-oauth2-oidc fetches discovery and the JWKS on every start (its
  documented \`loadDiscoveryDocumentAndTryLogin()\`), which is why it makes
  requests for a returning user; angular-auth-oidc-client keeps discovery in
  storage; ngx-oidc caches discovery and the JWKS for an hour.
- Each peer needed one setting for this provider: angular-auth-oidc-client
  runs with \`ignoreNonceAfterRefresh: true\` (the provider repeats the first
  nonce in refreshed ID tokens, which it otherwise rejects; ngx-oidc compares
  them, as OIDC Core 12.2 allows) and \`autoUserInfo: false\` (like ngx-oidc's
  default); angular-oauth2-oidc asks for the scope without \`offline_access\`
  (it sends \`scope\` on every refresh, and the provider drops
  \`offline_access\` from logins without \`prompt=consent\`, so the refresh
  would fail with \`invalid_scope\`). The grants and tokens are the same for all.
- In the concurrency run, neither peer's interceptor renews an expired token:
  both send what is stored, so the API answers 401 unless their timers, which
  fire as the clocks resume, renewed before the requests left. That is a
  race, and it has gone both ways between runs.
  angular-auth-oidc-client's \`useRefreshTokenLock\` (default off)
  serialises its timer refreshes across tabs with Web Locks.
- angular-oauth2-oidc has no route guard; its app has the usual few-line one.
- The DPoP rows: \`bench/apps/ngx-oidc-dpop\` signs in as the provider's
  \`spa-dpop\` client, whose tokens must be DPoP-bound and whose proofs must
  carry a provider nonce (its first token request is answered
  \`use_dpop_nonce\` and retried); its key pair is made at login and kept in
  IndexedDB. The ping does not ask for a nonce, so there is no retry in the
  timed requests. It is in the bundle table and the interceptor run only, not
  in start-up or concurrency. \`withDPoP()\` loads jose's signing lazily (its
  own chunk, which starts loading as soon as a DPoP session's port is made,
  after the app has rendered), so what it adds to the initial JavaScript is
  its own code only.
- Timings are of this machine in this run; compare within a table, not
  across runs.
`;
}
