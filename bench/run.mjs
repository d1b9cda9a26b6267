// `npm run bench`: every benchmark in one run, on this machine, written to
// BENCHMARKS.md. Builds the library and the bench apps, installs the peer
// libraries into bench/node_modules (they are the bench's dependencies only),
// and drives Debian's Chromium against the demo provider and API on loopback.
//   node bench/run.mjs [--only=bundle,startup,interceptor,concurrency]
//   node bench/run.mjs --report   (re-render BENCHMARKS.md from bench/results.json)
// A subset run keeps the previous results (bench/results.json) of the benches it
// does not run, with the run they come from in `carried`, so BENCHMARKS.md keeps
// every table and says which ones are older.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { bundleLine, bundleTable } from './lib/bundle.mjs';
import { concurrencyTable } from './lib/concurrency.mjs';
import { interceptorTable } from './lib/interceptor.mjs';
import { BENCH, ROOT } from './lib/paths.mjs';
import { startBenchStack } from './lib/stack.mjs';
import { startupTable } from './lib/startup.mjs';
import { renderReport } from './lib/report.mjs';

// --report: render BENCHMARKS.md again from bench/results.json, without measuring.
if (process.argv.includes('--report')) {
  const saved = JSON.parse(readFileSync(join(BENCH, 'results.json'), 'utf8'));
  writeFileSync(join(ROOT, 'BENCHMARKS.md'), renderReport(saved));
  console.log('bench: rendered BENCHMARKS.md from bench/results.json');
  process.exit(0);
}

const SECTIONS = ['bundle', 'startup', 'interceptor', 'concurrency'];
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
for (const name of only ?? []) if (!SECTIONS.includes(name)) throw new Error(`bench: unknown benchmark "${name}" in --only (${SECTIONS.join(', ')})`);
const wanted = (name) => !only || only.includes(name);

/** The apps built for the browser benchmarks (each is served on its own origin, bench/lib/stack.mjs). */
const BROWSER_APPS = ['baseline', 'ngx-oidc', 'ngx-oidc-dpop', 'auth-oidc-client', 'oauth2-oidc'];
/** The bundle table: the first is the baseline the deltas are taken against. */
const BUNDLE_APPS = ['baseline', 'ngx-oidc', 'ngx-oidc-dpop', 'ngx-oidc-full', 'auth-oidc-client', 'oauth2-oidc'];

/** The results of the previous run, if any, for the benches a subset run leaves out. */
function previousResults() {
  try {
    return JSON.parse(readFileSync(join(BENCH, 'results.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

function sh(command, args, cwd = ROOT) {
  const r = spawnSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, NG_CLI_ANALYTICS: 'false' } });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed`);
}

const version = (pkgJson) => JSON.parse(readFileSync(pkgJson, 'utf8')).version;

// The peers are pinned in bench/package.json; --legacy-peer-deps keeps npm from
// installing a second Angular next to the workspace's.
if (!existsSync(join(BENCH, 'node_modules/angular-auth-oidc-client')) || !existsSync(join(BENCH, 'node_modules/angular-oauth2-oidc'))) {
  sh('npm', ['install', '--no-audit', '--no-fund', '--legacy-peer-deps'], BENCH);
}
sh('bash', ['e2e/ensure-chromium.sh']);
sh('npm', ['run', 'build']);

const results = { started: new Date().toISOString() };
const previous = only ? previousResults() : undefined;
if (wanted('bundle')) {
  results.bundle = bundleTable(BUNDLE_APPS);
  for (const r of results.bundle) console.log(bundleLine(r));
} else {
  // The browser benchmarks need the apps built all the same.
  const { buildApp } = await import('./lib/bundle.mjs');
  for (const name of BROWSER_APPS) buildApp(name);
}

let chromiumVersion = 'not run';
if (wanted('startup') || wanted('interceptor') || wanted('concurrency')) {
  const stack = await startBenchStack();
  try {
    chromiumVersion = stack.browser.version();
    if (wanted('startup')) results.startup = await startupTable(stack.browser);
    if (wanted('interceptor')) results.interceptor = await interceptorTable(stack.browser);
    if (wanted('concurrency')) results.concurrency = await concurrencyTable(stack.browser);
  } finally {
    await stack.close();
  }
}

// Benches not run this time: the previous results, marked with the run they come from.
const carried = {};
for (const name of SECTIONS) {
  if (wanted(name) || !previous?.[name]) continue;
  results[name] = previous[name];
  carried[name] = previous.carried?.[name] ?? previous.started;
}
if (Object.keys(carried).length) {
  results.carried = carried;
  console.log(`bench: kept the previous results of ${Object.entries(carried).map(([k, v]) => `${k} (run of ${v})`).join(', ')}`);
}
// No browser bench this time: the Chromium of the run the browser tables come from.
if (chromiumVersion === 'not run' && previous?.environment?.chromium && ['startup', 'interceptor', 'concurrency'].some((n) => carried[n])) {
  chromiumVersion = previous.environment.chromium;
}

results.environment = {
  cpu: `${cpus()[0]?.model ?? 'unknown'} (${cpus().length} cores)`,
  memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
  os: `${process.platform} ${release()}`,
  node: process.version,
  chromium: chromiumVersion,
  packages: {
    'ngx-oidc': version(join(ROOT, 'projects/ngx-oidc/package.json')),
    '@angular/core': version(join(ROOT, 'node_modules/@angular/core/package.json')),
    '@angular/build': version(join(ROOT, 'node_modules/@angular/build/package.json')),
    jose: version(join(ROOT, 'node_modules/jose/package.json')),
    'angular-auth-oidc-client': version(join(BENCH, 'node_modules/angular-auth-oidc-client/package.json')),
    'angular-oauth2-oidc': version(join(BENCH, 'node_modules/angular-oauth2-oidc/package.json')),
    'oidc-provider': version(join(ROOT, 'node_modules/oidc-provider/package.json')),
  },
};
writeFileSync(join(BENCH, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(ROOT, 'BENCHMARKS.md'), renderReport(results));
console.log('bench: wrote BENCHMARKS.md and bench/results.json');
