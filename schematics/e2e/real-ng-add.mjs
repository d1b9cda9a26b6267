#!/usr/bin/env node
// The real test of `ng add ngx-oidc`, as a user runs it:
//   1. pack the built library (dist/ngx-oidc, with its schematics) with npm pack;
//   2. create an app in a temp folder with the workspace's own Angular CLI
//      (ng new --defaults: standalone, zoneless; npm install from the registry);
//   3. ng add <tarball> --authority=http://127.0.0.1:4400 --client-id=spa --defaults;
//   4. check the files it wrote, and that a second run changes nothing;
//   5. ng build must succeed;
//   6. add a route behind autoLoginGuard, ng build, and sign in to the built app
//      against the e2e provider in Chromium.
//
// Needs `npm run build` and the schematics build (node schematics/build.mjs)
// first. Slow (ng new installs a few hundred packages): every step has a time
// limit. Usage: node schematics/e2e/real-ng-add.mjs [--keep] [--verbose]
//   --keep      keep the temp folder even when the test passes
//   --verbose   stream the commands' output instead of only logging it
// Environment: REAL_NG_ADD_AUTHORITY, REAL_NG_ADD_CLIENT_ID, REAL_NG_ADD_DIST.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const workspace = join(here, '..', '..');
// REAL_NG_ADD_DIST: pack another folder than dist/ngx-oidc (a staged copy of the package, for example).
const dist = process.env.REAL_NG_ADD_DIST ?? join(workspace, 'dist', 'ngx-oidc');
const workspaceNg = join(workspace, 'node_modules', '@angular', 'cli', 'bin', 'ng.js');
const keep = process.argv.includes('--keep');
const verbose = process.argv.includes('--verbose');

const AUTHORITY = process.env.REAL_NG_ADD_AUTHORITY ?? 'http://127.0.0.1:4400';
const CLIENT_ID = process.env.REAL_NG_ADD_CLIENT_ID ?? 'spa';
const MINUTE = 60_000;
/** Time limits per step; the whole run stays under their sum (about 25 minutes at worst). */
const LIMITS = { pack: 2 * MINUTE, new: 12 * MINUTE, add: 6 * MINUTE, rerun: 2 * MINUTE, build: 5 * MINUTE };

const env = { ...process.env, NG_CLI_ANALYTICS: 'false', NG_FORCE_TTY: 'false', CI: 'true', FORCE_COLOR: '0', npm_config_fund: 'false', npm_config_audit: 'false' };

class StepError extends Error {}

function fail(message) {
  throw new StepError(message);
}

function check(condition, message) {
  if (!condition) fail(message);
}

let log; // the log file of this run, in the temp folder
let logPath;

/** Runs a command with a time limit; resolves to its output, rejects with its tail on failure. */
function run(step, command, args, { cwd, limit }) {
  const started = Date.now();
  log.write(`\n$ (${relative(workspace, cwd) || '.'}) ${command} ${args.join(' ')}\n`);
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout stops npm and everything it started (and nothing else).
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk) => {
      const text = chunk.toString();
      output += text;
      log.write(text);
      if (verbose) process.stdout.write(text);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      reject(new StepError(`${step}: no result after ${limit / 1000} s; stopped.\n${tail(output)}`));
    }, limit);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new StepError(`${step}: could not start ${command}: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (code === 0) {
        console.log(`  ok  ${step} (${seconds} s)`);
        resolve(output);
      } else {
        reject(new StepError(`${step}: exit code ${code} after ${seconds} s.\n${tail(output)}`));
      }
    });
  });
}

function lstatExists(path) {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function tail(output, lines = 40) {
  return output.trimEnd().split('\n').slice(-lines).map((l) => `      | ${l}`).join('\n');
}

/** Hashes of every file under `dir` (except node_modules, .angular and dist), to compare two states. */
function fingerprint(dir) {
  const files = new Map();
  const walk = (current) => {
    for (const name of readdirSync(current)) {
      if (name === 'node_modules' || name === '.angular' || name === 'dist') continue;
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  };
  walk(dir);
  return files;
}

function diff(before, after) {
  return [...new Set([...before.keys(), ...after.keys()])].filter((f) => before.get(f) !== after.get(f)).sort();
}

// ---------------------------------------------------------------------------
// Sign in to the generated app against the e2e provider: the provider of
// e2e/idp on AUTHORITY, the built app served on APP_PORT, Debian's Chromium
// through the provider's pages, then the app must hold a validated session.
// ---------------------------------------------------------------------------
const APP_PORT = 4300;
const SIGN_IN_ROUTE = "  { path: 'signin', canActivate: [autoLoginGuard], children: [] },";

/** Adds a route behind autoLoginGuard, as a user would, so the test has a page that starts a login. */
function addSignInRoute(appDir) {
  const routesPath = join(appDir, 'src', 'app', 'app.routes.ts');
  const routes = readFileSync(routesPath, 'utf8');
  const marker = 'export const routes: Routes = [';
  check(routes.includes(marker), 'app.routes.ts has no `export const routes: Routes = [` to add a route to');
  writeFileSync(
    routesPath,
    `import { autoLoginGuard } from 'ngx-oidc';\n${routes.replace(marker, `${marker}\n${SIGN_IN_ROUTE}`)}`,
  );
}

async function loginAgainstE2eProvider({ appDist, authority, clientId }) {
  const { startIdp } = await import('../../e2e/idp/provider.mjs');
  const { startAppServer } = await import('../../e2e/app-server.mjs');
  const { chromium } = await import('@playwright/test');
  const port = Number(new URL(authority).port);
  const appOrigin = `http://127.0.0.1:${APP_PORT}`;
  const closers = [];
  try {
    const idp = await startIdp({ port, appOrigins: [appOrigin] });
    closers.push(() => idp.close());
    const server = await startAppServer({ port: APP_PORT, root: appDist, issuer: authority });
    closers.push(() => server.close());
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    closers.push(() => browser.close());
    const page = await browser.newPage();
    await page.goto(`${appOrigin}/signin`);
    await page.getByTestId('idp-login').fill('alice', { timeout: 20_000 });
    await page.getByTestId('idp-password').fill('wonderland');
    await page.getByTestId('idp-submit').click();
    await page.getByTestId('idp-allow').click();
    await page.waitForURL(`${appOrigin}/signin`, { timeout: 20_000 });
    const session = await page.evaluate(() => JSON.parse(sessionStorage.getItem('ngx-oidc.default.session') ?? 'null'));
    check(session?.idTokenClaims?.sub === 'alice', 'after the login the app holds no session for alice');
    check(session.idTokenClaims.aud === clientId, `the session's ID token is not for ${clientId}`);
    check(!new URL(page.url()).searchParams.has('code'), 'the code is still in the address bar');
    return { status: 'passed' };
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
}

async function main() {
  // Preflight: the package must be built, schematics included, and declare them.
  check(existsSync(join(dist, 'package.json')), `dist/ngx-oidc is missing: run \`npm run build\` first.`);
  check(
    existsSync(join(dist, 'schematics', 'collection.json')),
    'dist/ngx-oidc/schematics is missing: build the schematics after the library (`node schematics/build.mjs`, or `npm run build:schematics`).',
  );
  const pkg = JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8'));
  check(
    pkg.schematics === './schematics/collection.json',
    `dist/ngx-oidc/package.json has no "schematics": "./schematics/collection.json" (add it to projects/ngx-oidc/package.json and rebuild).`,
  );
  check(existsSync(workspaceNg), `The workspace's Angular CLI is missing (${relative(workspace, workspaceNg)}): run npm install.`);

  const temp = mkdtempSync(join(tmpdir(), 'ngx-oidc-real-ng-add-'));
  logPath = join(temp, 'real-ng-add.log');
  log = createWriteStream(logPath);
  console.log(`real-ng-add: working in ${temp} (log: ${logPath})`);
  let passed = false;
  try {
    const packed = await run('npm pack', 'npm', ['pack', '--pack-destination', temp, '--json'], { cwd: dist, limit: LIMITS.pack });
    const manifest = JSON.parse(packed.slice(packed.indexOf('[')))[0];
    const tarball = join(temp, manifest?.filename ?? '');
    check(manifest?.filename && existsSync(tarball), `npm pack produced no tarball in ${temp}`);
    const shipped = new Set((manifest.files ?? []).map((f) => f.path));
    for (const file of ['schematics/collection.json', 'schematics/ng-add/index.js', 'schematics/ng-add/schema.json', 'schematics/package.json']) {
      check(shipped.has(file), `the tarball lacks ${file}${file.endsWith('package.json') ? ' (dist/ngx-oidc/.npmignore drops it: run the schematics build after the library build)' : ''}`);
    }

    // The workspace's own CLI refuses `ng new` because it finds /work/main/angular.json by
    // searching up from its own folder (not only from the cwd). Run the same files through a
    // symlinked node_modules outside the workspace, with symlinks preserved, so it does not.
    const cliHost = join(temp, 'cli');
    mkdirSync(cliHost);
    symlinkSync(join(workspace, 'node_modules'), join(cliHost, 'node_modules'), 'dir');
    const hostedNg = join(cliHost, relative(workspace, workspaceNg));
    await run(
      'ng new demo',
      process.execPath,
      ['--preserve-symlinks', '--preserve-symlinks-main', hostedNg, 'new', 'demo', '--defaults', '--skip-git', '--package-manager=npm', '--style=css', '--ssr=false', '--zoneless', '--ai-config=none', '--interactive=false'],
      { cwd: temp, limit: LIMITS.new },
    );
    const app = join(temp, 'demo');
    // From here on, the app's own CLI, as `ng` in that folder would be.
    const ng = join(app, 'node_modules', '@angular', 'cli', 'bin', 'ng.js');
    check(existsSync(ng), 'ng new did not install @angular/cli in the app');

    const added = await run(
      'ng add <tarball>',
      process.execPath,
      [ng, 'add', tarball, `--authority=${AUTHORITY}`, `--client-id=${CLIENT_ID}`, '--defaults', '--skip-confirmation', '--interactive=false'],
      { cwd: app, limit: LIMITS.add },
    );
    check(added.includes('ngx-oidc set up in project "demo"'), 'ng add did not report the setup');

    const read = (path) => readFileSync(join(app, path), 'utf8');
    const appPkg = JSON.parse(read('package.json'));
    check(appPkg.dependencies?.['ngx-oidc'], 'package.json: ngx-oidc is not in dependencies');
    const authConfig = read('src/app/auth/auth.config.ts');
    check(authConfig.includes(`authority: '${AUTHORITY}'`) && authConfig.includes(`clientId: '${CLIENT_ID}'`), 'auth.config.ts lacks the authority or client id');
    const appConfig = read('src/app/app.config.ts');
    for (const expected of ['provideHttpClient(withInterceptors([authInterceptor()]))', 'provideAuth(withConfig(authConfig), withCheckAuthOnStartup())']) {
      check(appConfig.includes(expected), `app.config.ts lacks ${expected}`);
    }
    check(read('src/app/app.routes.ts').includes("{ path: 'callback', canActivate: [authCallbackGuard], children: [] }"), 'app.routes.ts lacks the callback route');
    console.log('  ok  generated files');

    // A second run of the collection, through the installed package, changes nothing.
    const before = fingerprint(app);
    const rerun = await run(
      'ng generate ngx-oidc:ng-add (second run)',
      process.execPath,
      [ng, 'generate', 'ngx-oidc:ng-add', `--authority=${AUTHORITY}`, `--client-id=${CLIENT_ID}`, '--defaults', '--interactive=false'],
      { cwd: app, limit: LIMITS.rerun },
    );
    const changed = diff(before, fingerprint(app));
    check(changed.length === 0, `the second run changed ${changed.join(', ')}`);
    check(rerun.includes('nothing to change'), 'the second run did not say that nothing changed');

    addSignInRoute(app);
    await run('ng build', process.execPath, [ng, 'build'], { cwd: app, limit: LIMITS.build });
    const appDist = join(app, 'dist', 'demo', 'browser');
    check(existsSync(join(appDist, 'index.html')), 'ng build wrote no dist/demo/browser/index.html');

    await loginAgainstE2eProvider({ appDist, authority: AUTHORITY, clientId: CLIENT_ID });
    console.log('  ok  login against the e2e provider');
    passed = true;
  } finally {
    await new Promise((resolve) => log.end(resolve));
    // The symlink first, on its own: removing the folder must never reach the workspace's node_modules.
    const link = join(temp, 'cli', 'node_modules');
    if (lstatExists(link)) unlinkSync(link);
    if (passed && !keep) rmSync(temp, { recursive: true, force: true });
    else console.log(`real-ng-add: ${passed ? 'kept' : 'left for inspection'}: ${temp}`);
  }
}

const started = Date.now();
try {
  await main();
  console.log(`real-ng-add: 1 passed, 0 failed (${((Date.now() - started) / 1000).toFixed(0)} s)`);
} catch (e) {
  console.error(e instanceof StepError ? `  FAIL ${e.message}` : e);
  console.log(`real-ng-add: 0 passed, 1 failed (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  process.exitCode = 1;
}
