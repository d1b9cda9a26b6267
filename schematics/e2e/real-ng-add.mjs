#!/usr/bin/env node
// The real test of `ng add ngx-oidc`, as a user runs it, in two apps made by
// `ng new`: a static one (--ssr=false) and a server-rendered one (--ssr).
//   1. pack the built library (dist/ngx-oidc, with its schematics) with npm pack (once);
//   2. per app: create it in a temp folder with the workspace's own Angular CLI
//      (ng new --defaults: standalone, zoneless; npm install from the registry);
//   3. ng add <tarball> --authority=http://127.0.0.1:4400 --client-id=spa --defaults;
//   4. check the files it wrote (in the SSR app: the callback's server route,
//      RenderMode.Client), and that a second run changes nothing;
//   5. (static app) write the Vitest example of docs/testing.md (a component, and a
//      spec using provideAuthTesting from ngx-oidc/testing) and run ng test --watch=false;
//   6. add a page behind autoLoginGuard that shows the user, ng build;
//   7. serve the build on 127.0.0.1 (the static files, or the SSR app's own
//      Node server, dist/demo-ssr/server/server.mjs) and sign in to it against
//      the e2e provider in Chromium; the protected page must show the user.
//
// Needs `npm run build` and the schematics build (node schematics/build.mjs)
// first. Slow (each ng new installs a few hundred packages; both apps share the
// npm cache): every step has a time limit. The apps run one after the other.
// Usage: node schematics/e2e/real-ng-add.mjs [--static | --ssr] [--keep] [--verbose]
//   --static    only the static app (ng new --ssr=false)
//   --ssr       only the server-rendered app (ng new --ssr)
//   --keep      keep the temp folder even when the test passes
//   --verbose   stream the commands' output instead of only logging it
// Environment: REAL_NG_ADD_AUTHORITY (default http://127.0.0.1:4400; the e2e provider
// listens on its port, so another port there keeps the test off 4400),
// REAL_NG_ADD_CLIENT_ID, REAL_NG_ADD_DIST.
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
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StepError, addGuardedRoute, runCommand, tail } from '../../scripts/lib/steps.mjs';

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
/** Time limits per step; a run of both apps stays under their sum (about an hour at worst, half per app). */
const LIMITS = {
  pack: 2 * MINUTE,
  new: 12 * MINUTE,
  add: 6 * MINUTE,
  rerun: 2 * MINUTE,
  test: 5 * MINUTE,
  build: 8 * MINUTE,
  serve: 1 * MINUTE,
  login: 2 * MINUTE,
};

/**
 * The apps, in the order they run. `port`: where the build is served, on
 * 127.0.0.1 (the provider registers that origin's redirect URIs).
 */
const VARIANTS = [
  { id: 'static', name: 'demo', ssr: false, port: 4300 },
  { id: 'ssr', name: 'demo-ssr', ssr: true, port: 4310 },
];
const selected = VARIANTS.filter((v) => !process.argv.includes(v.id === 'ssr' ? '--static' : '--ssr'));

const env = { ...process.env, NG_CLI_ANALYTICS: 'false', NG_FORCE_TTY: 'false', CI: 'true', FORCE_COLOR: '0', npm_config_fund: 'false', npm_config_audit: 'false' };

function fail(message) {
  throw new StepError(message);
}

function check(condition, message) {
  if (!condition) fail(message);
}

let log; // the log file of this run, in the temp folder
let logPath;
/** The app the steps belong to (`static` or `ssr`; none for the shared npm pack), and how long each step took. */
let current = null;
const timings = [];

function passed(step, started) {
  const seconds = (Date.now() - started) / 1000;
  timings.push({ variant: current, step, seconds });
  console.log(`  ok  ${current ? `[${current}] ` : ''}${step} (${seconds.toFixed(1)} s)`);
}

/** Runs a command with a time limit; resolves to its output, rejects with its tail on failure. */
async function run(step, command, args, { cwd, limit, env: stepEnv = env }) {
  const started = Date.now();
  log.write(`\n$ (${relative(workspace, cwd) || '.'}) ${command} ${args.join(' ')}\n`);
  const { output } = await runCommand(step, command, args, { cwd, env: stepEnv, limit, log, verbose });
  passed(step, started);
  return output;
}

/** Runs an in-process step with a time limit; its resources are closed by the caller's cleanup, even after a timeout. */
async function timed(step, limit, body) {
  const started = Date.now();
  let timer;
  const timeout = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new StepError(`${step}: no result after ${limit / 1000} s; stopped.`)), limit);
  });
  try {
    const result = await Promise.race([body(), timeout]);
    passed(step, started);
    return result;
  } catch (e) {
    if (e instanceof StepError) throw e.message.startsWith(`${step}:`) ? e : new StepError(`${step}: ${e.message}`);
    throw new StepError(`${step}: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    clearTimeout(timer);
  }
}

function lstatExists(path) {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
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
// The app's edits a user would make: a page behind autoLoginGuard that shows
// who is signed in, and (SSR app) its Node server on loopback.
// ---------------------------------------------------------------------------
const PROFILE = `import { Component, inject } from '@angular/core';
import { OidcAuth } from 'ngx-oidc';

/** The page behind autoLoginGuard (added by the real test of ng add): who is signed in. */
@Component({
  selector: 'app-profile',
  template: \`<p data-testid="profile">Signed in as {{ auth.user()?.sub ?? 'nobody' }}</p>\`,
})
export class Profile {
  protected readonly auth = inject(OidcAuth);
}
`;


/**
 * The Vitest example of docs/testing.md, as the files it names: each ```ts block
 * of its "With Vitest" section that starts with `// src/...` is written to that
 * path, as it is. The docs show what the real test runs, so they cannot drift.
 */
function vitestExample() {
  const docs = join(workspace, 'docs', 'testing.md');
  const section = /^## With Vitest.*$([\s\S]*?)^## /m.exec(readFileSync(docs, 'utf8'))?.[1];
  check(section, 'docs/testing.md has no "## With Vitest" section');
  const files = [...section.matchAll(/^```ts\n(\/\/ (src\/\S+\.ts)\n[\s\S]*?)^```$/gm)].map(([, text, path]) => ({ path, text }));
  check(files.some((f) => f.path.endsWith('.spec.ts')), 'docs/testing.md: the "With Vitest" section has no ```ts block starting with `// src/....spec.ts`');
  return files;
}

/**
 * Tests the testing kit where users use it: the app's own `ng test` (Angular 21:
 * @angular/build:unit-test, Vitest in jsdom, no browser) runs the docs' spec,
 * which uses provideAuthTesting from ngx-oidc/testing, next to the app's own specs.
 */
async function testWithTestingKit(app, name) {
  const angularJson = JSON.parse(readFileSync(join(app, 'angular.json'), 'utf8'));
  const target = angularJson.projects?.[name]?.architect?.test;
  check(target?.builder === '@angular/build:unit-test', `angular.json: the test target's builder is ${target?.builder ?? 'missing'}, not @angular/build:unit-test`);
  const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
  for (const dep of ['vitest', 'jsdom']) check(pkg.devDependencies?.[dep], `package.json: ng new did not add ${dep} to devDependencies`);
  const files = vitestExample();
  for (const { path, text } of files) {
    check(!existsSync(join(app, path)), `${path} already exists in the app`);
    writeFileSync(join(app, path), text);
  }
  const ng = join(app, 'node_modules', '@angular', 'cli', 'bin', 'ng.js');
  // Vitest colors its report whenever FORCE_COLOR is set, even to 0: NO_COLOR instead, for a readable failure.
  const { FORCE_COLOR: _color, ...plain } = env;
  const tested = await run('ng test (ngx-oidc/testing, Vitest)', process.execPath, [ng, 'test', '--watch=false'], {
    cwd: app,
    limit: LIMITS.test,
    env: { ...plain, NO_COLOR: '1' },
  });
  // A failing test already fails the step (exit code 1). The report must also show
  // the docs' spec with all its tests (none filtered out or skipped).
  const output = tested.replace(/\x1b\[[0-9;]*m/g, '');
  for (const { path, text } of files.filter((f) => f.path.endsWith('.spec.ts'))) {
    const count = text.match(/^\s*it\(/gm)?.length ?? 0;
    check(output.includes(`${path} (${count} tests)`), `ng test did not report ${path} with its ${count} tests`);
  }
  const summary = /Tests\s+(\d+) passed \((\d+)\)/.exec(output);
  check(summary && summary[1] === summary[2], `ng test: not every test passed (${summary?.[0] ?? 'no summary'})`);
}

/**
 * The server.ts of `ng new --ssr` listens on every interface (`app.listen(port, ...)`,
 * PORT only): bind it to HOST, 127.0.0.1 by default, as a deployment behind a proxy would.
 */
function listenOnLoopback(appDir) {
  const serverPath = join(appDir, 'src', 'server.ts');
  const server = readFileSync(serverPath, 'utf8');
  const listen = /app\.listen\(port,\s*\(error\)\s*=>/;
  check(listen.test(server), 'src/server.ts has no `app.listen(port, (error) => ...)` to bind to 127.0.0.1');
  writeFileSync(serverPath, server.replace(listen, "app.listen(Number(port), process.env['HOST'] || '127.0.0.1', (error) =>"));
}

// ---------------------------------------------------------------------------
// Serving the build on 127.0.0.1: the static files (e2e/app-server.mjs), or
// the SSR app's own Node server. Each returns { origin, close, errors() }.
// ---------------------------------------------------------------------------
async function serveStatic(appDist, port) {
  const { startAppServer } = await import('../../e2e/app-server.mjs');
  const server = await startAppServer({ port, root: appDist, issuer: AUTHORITY });
  return { origin: `http://127.0.0.1:${port}`, close: () => server.close(), errors: () => '' };
}

/** Starts `node dist/<app>/server/server.mjs` (PORT, HOST=127.0.0.1) and resolves once it listens. */
function serveSsr(serverMjs, port, cwd) {
  const origin = `http://127.0.0.1:${port}`;
  log.write(`\n$ (${relative(workspace, cwd)}) PORT=${port} HOST=127.0.0.1 NG_ALLOWED_HOSTS=127.0.0.1 node ${relative(cwd, serverMjs)}\n`);
  // NG_ALLOWED_HOSTS: without it Angular refuses to render for the Host 127.0.0.1 and falls back to the client-side page.
  const child = spawn(process.execPath, [serverMjs], {
    cwd,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', NG_ALLOWED_HOSTS: '127.0.0.1' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  const exited = new Promise((resolve) => child.once('close', resolve));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      await exited;
    }
  };
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      const text = chunk.toString();
      output += text;
      log.write(`[server] ${text}`);
      if (output.includes('listening on')) resolve({ origin, close, errors: () => errors });
    });
    child.stderr.on('data', (chunk) => {
      const text = chunk.toString();
      errors += text;
      log.write(`[server:err] ${text}`);
    });
    child.once('error', (e) => reject(new Error(`could not start the server: ${e.message}`)));
    exited.then((code) => reject(new Error(`the server exited (${code}) before listening:\n${tail(output + errors)}`)));
  });
}

/**
 * What the SSR app's server answers, before any browser: the protected page is
 * prerendered (the guards let it through on the server, so it shows no user),
 * and /callback with a code is the client-side page, rendered by nobody on the server.
 */
async function checkServerRendering(origin) {
  const get = async (path) => {
    const res = await fetch(`${origin}${path}`, { redirect: 'manual' });
    const html = await res.text();
    check(res.status === 200, `GET ${path}: status ${res.status}, not 200`);
    return html;
  };
  const signin = await get('/signin');
  check(signin.includes('ng-server-context="ssg"'), 'GET /signin: not the prerendered page (no ng-server-context="ssg")');
  check(signin.includes('Signed in as nobody'), 'GET /signin: the prerendered page does not show "Signed in as nobody"');
  const callback = await get('/callback?code=x&state=y');
  check(callback.includes('<app-root'), 'GET /callback?code&state: no <app-root> in the page');
  check(!callback.includes('ng-server-context'), 'GET /callback?code&state: rendered on the server (ng-server-context); the callback must be RenderMode.Client');
}

// ---------------------------------------------------------------------------
// Sign in to the served app against the e2e provider: the provider of e2e/idp
// on AUTHORITY (registering the app's origin), Debian's Chromium through the
// provider's pages, then the app must hold a validated session and the
// protected page show the user, also after a reload.
// ---------------------------------------------------------------------------
async function loginAgainstE2eProvider({ origin, clientId, cleanup }) {
  const { chromium } = await import('@playwright/test');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  cleanup.push(() => browser.close());
  const page = await browser.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') log.write(`[browser:error] ${message.text()}\n`);
  });
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) log.write(`[browser:navigated] ${frame.url()}\n`);
  });
  await page.goto(`${origin}/signin`);
  await page.getByTestId('idp-login').fill('alice', { timeout: 20_000 });
  await page.getByTestId('idp-password').fill('wonderland');
  await page.getByTestId('idp-submit').click();
  await page.getByTestId('idp-allow').click();
  await page.waitForURL(`${origin}/signin`, { timeout: 20_000 });
  const session = await page.evaluate(() => JSON.parse(sessionStorage.getItem('ngx-oidc.default.session') ?? 'null'));
  check(session?.idTokenClaims?.sub === 'alice', 'after the login the app holds no session for alice');
  check(session.idTokenClaims.aud === clientId, `the session's ID token is not for ${clientId}`);
  check(!new URL(page.url()).searchParams.has('code'), 'the code is still in the address bar');
  const profile = page.getByTestId('profile').filter({ hasText: 'Signed in as alice' });
  await profile.waitFor({ timeout: 20_000 });
  // A full load of the protected page (in the SSR app: prerendered without the user, then hydrated) shows the user too.
  await page.reload();
  await profile.waitFor({ timeout: 20_000 });
  check(pageErrors.length === 0, `uncaught errors in the page: ${pageErrors.join('; ')}`);
}

/**
 * When npm cannot install what `ng new` asked for (a registry mirror without
 * the @angular/ssr or @angular/platform-server release matching the newest
 * @angular/core and CLI: ERESOLVE, ETARGET), the app's @angular packages get
 * this workspace's versions, the ones the library is built and tested with,
 * and its overrides (@angular/build's optional peer @angular/ssr).
 */
const ANGULAR_TOOLING = ['@angular/cli', '@angular/build', '@angular/ssr'];

function pinAngular(appDir) {
  const own = JSON.parse(readFileSync(join(workspace, 'package.json'), 'utf8'));
  const path = join(appDir, 'package.json');
  const pkg = JSON.parse(readFileSync(path, 'utf8'));
  const pinned = [];
  for (const field of ['dependencies', 'devDependencies']) {
    for (const name of Object.keys(pkg[field] ?? {})) {
      if (!name.startsWith('@angular/')) continue;
      // The framework packages are released together, at @angular/core's version; the CLI's packages on their own.
      const version = own.devDependencies?.[name] ?? (ANGULAR_TOOLING.includes(name) ? undefined : own.devDependencies?.['@angular/core']);
      if (version) {
        pkg[field][name] = version;
        pinned.push(`${name}@${version}`);
      }
    }
  }
  if (own.overrides) pkg.overrides = { ...own.overrides, ...pkg.overrides };
  writeFileSync(path, `${JSON.stringify(pkg, null, 2)}\n`);
  log.write(`\n--- package.json of the app: pinned ${pinned.join(', ')}; overrides ${JSON.stringify(pkg.overrides)}\n`);
}

/** One app: ng new, ng add, checks, second run, build, serve, sign in. */
async function runVariant(variant, { temp, tarball, hostedNg }) {
  current = variant.id;
  const { name } = variant;
  const app = join(temp, name);
  try {
    await run(
      `ng new ${name}`,
      process.execPath,
      [
        '--preserve-symlinks',
        '--preserve-symlinks-main',
        hostedNg,
        'new',
        name,
        '--defaults',
        '--skip-git',
        '--package-manager=npm',
        '--style=css',
        variant.ssr ? '--ssr' : '--ssr=false',
        '--zoneless',
        '--ai-config=none',
        '--interactive=false',
      ],
      { cwd: temp, limit: LIMITS.new },
    );
  } catch (e) {
    // The app's files are written before npm install runs; only the install failed.
    const code = e instanceof StepError ? /npm error code (ERESOLVE|ETARGET)/.exec(e.message)?.[1] : undefined;
    if (code === undefined || !existsSync(join(app, 'package.json'))) throw e;
    const seconds = Number(/after ([\d.]+) s/.exec(e.message)?.[1] ?? 0);
    timings.push({ variant: current, step: 'ng new (npm install failed)', seconds });
    console.log(
      `  --  [${variant.id}] ng new ${name}: npm install failed (${code}) after ${seconds.toFixed(1)} s: ` +
        `the registry lacks an Angular release the newest CLI asks for; installing with the workspace's @angular versions`,
    );
    pinAngular(app);
    await run(`npm install (@angular/* at the workspace's versions)`, 'npm', ['install'], { cwd: app, limit: LIMITS.new });
  }
  // From here on, the app's own CLI, as `ng` in that folder would be.
  const ng = join(app, 'node_modules', '@angular', 'cli', 'bin', 'ng.js');
  check(existsSync(ng), 'ng new did not install @angular/cli in the app');
  const read = (path) => readFileSync(join(app, path), 'utf8');
  if (variant.ssr) check(existsSync(join(app, 'src', 'app', 'app.routes.server.ts')), 'ng new --ssr wrote no src/app/app.routes.server.ts');

  const added = await run(
    'ng add <tarball>',
    process.execPath,
    [ng, 'add', tarball, `--authority=${AUTHORITY}`, `--client-id=${CLIENT_ID}`, '--defaults', '--skip-confirmation', '--interactive=false'],
    { cwd: app, limit: LIMITS.add },
  );
  check(added.includes(`ngx-oidc set up in project "${name}"`), 'ng add did not report the setup');

  const checked = Date.now();
  const appPkg = JSON.parse(read('package.json'));
  check(appPkg.dependencies?.['ngx-oidc'], 'package.json: ngx-oidc is not in dependencies');
  const authConfig = read('src/app/auth/auth.config.ts');
  check(authConfig.includes(`authority: '${AUTHORITY}'`) && authConfig.includes(`clientId: '${CLIENT_ID}'`), 'auth.config.ts lacks the authority or client id');
  const appConfig = read('src/app/app.config.ts');
  // In the SSR app, HttpClient over fetch (what Angular recommends with SSR, and what prerendering serves files to).
  const httpClient = `provideHttpClient(${variant.ssr ? 'withFetch(), ' : ''}withInterceptors([authInterceptor()]))`;
  for (const expected of [httpClient, 'provideAuth(withConfig(authConfig), withCheckAuthOnStartup())']) {
    check(appConfig.includes(expected), `app.config.ts lacks ${expected}`);
  }
  check(read('src/app/app.routes.ts').includes("{ path: 'callback', canActivate: [authCallbackGuard], children: [] }"), 'app.routes.ts lacks the callback route');
  if (variant.ssr) {
    const serverRoutes = read('src/app/app.routes.server.ts');
    log.write(`\n--- src/app/app.routes.server.ts after ng add\n${serverRoutes}---\n`);
    const entry = /\{\s*path:\s*['"]callback['"],\s*renderMode:\s*RenderMode\.Client,?\s*\}/.exec(serverRoutes);
    const wildcard = /path:\s*['"]\*\*['"]/.exec(serverRoutes);
    check(entry, "app.routes.server.ts lacks { path: 'callback', renderMode: RenderMode.Client }");
    check(wildcard && entry.index < wildcard.index, "app.routes.server.ts: the callback entry is not before the '**' entry");
    check(serverRoutes.includes('autoLoginGuard'), 'app.routes.server.ts lacks the comment on pages behind autoLoginGuard');
    check(added.includes('Server-side rendering: routes behind autoLoginGuard'), 'ng add did not print the note on server-rendered protected pages');
    check(appConfig.includes('provideClientHydration('), 'app.config.ts lost provideClientHydration');
  } else {
    check(!existsSync(join(app, 'src', 'app', 'app.routes.server.ts')), 'a static app got app.routes.server.ts');
  }
  passed('generated files', checked);

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

  if (!variant.ssr) await testWithTestingKit(app, name);

  // A page behind autoLoginGuard, as a user would add, that starts a login and shows the user.
  addGuardedRoute(app, { file: 'profile', source: PROFILE, component: 'Profile', path: 'signin' });
  if (variant.ssr) listenOnLoopback(app);
  // The SSR build also prerenders '/' and '/signin' (the '**' entry): the app, ngx-oidc included, boots in Node.
  await run('ng build', process.execPath, [ng, 'build'], { cwd: app, limit: LIMITS.build });
  const appDist = join(app, 'dist', name, 'browser');
  const serverMjs = join(app, 'dist', name, 'server', 'server.mjs');
  check(existsSync(join(appDist, variant.ssr ? 'index.csr.html' : 'index.html')), `ng build wrote no page in dist/${name}/browser`);
  if (variant.ssr) check(existsSync(serverMjs), `ng build wrote no dist/${name}/server/server.mjs`);

  const cleanup = [];
  try {
    const { startIdp } = await import('../../e2e/idp/provider.mjs');
    const origin = `http://127.0.0.1:${variant.port}`;
    const server = await timed(variant.ssr ? 'serve (node server.mjs)' : 'serve (static files)', LIMITS.serve, async () => {
      const idp = await startIdp({ port: Number(new URL(AUTHORITY).port), appOrigins: [origin] });
      cleanup.push(() => idp.close());
      const started = variant.ssr ? await serveSsr(serverMjs, variant.port, app) : await serveStatic(appDist, variant.port);
      cleanup.push(() => started.close());
      if (variant.ssr) await checkServerRendering(origin);
      return started;
    });
    await timed('login against the e2e provider', LIMITS.login, () => loginAgainstE2eProvider({ origin, clientId: CLIENT_ID, cleanup }));
    const serverErrors = server.errors();
    check(serverErrors === '', `the SSR server logged errors:\n${tail(serverErrors)}`);
  } finally {
    for (const close of cleanup.reverse()) await close().catch(() => undefined);
  }
}

/** Whether nothing listens on 127.0.0.1:`port` (checked up front: the servers start only after minutes of ng new). */
function portFree(port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

async function main() {
  // Preflight: the package must be built, schematics included, and declare them.
  check(selected.length > 0, 'pass --static or --ssr, not both (no flag: both apps)');
  const idpPort = Number(new URL(AUTHORITY).port);
  check(
    await portFree(idpPort),
    `port ${idpPort} on 127.0.0.1, where the e2e provider would listen (${AUTHORITY}), is in use: stop what uses it, or pick another port with REAL_NG_ADD_AUTHORITY=http://127.0.0.1:<port>`,
  );
  for (const variant of selected) check(await portFree(variant.port), `port ${variant.port} on 127.0.0.1, where the ${variant.id} app is served, is in use`);
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
  console.log(`real-ng-add: working in ${temp} (log: ${logPath}); apps: ${selected.map((v) => v.id).join(', ')}`);
  const results = [];
  try {
    const packed = await run('npm pack', 'npm', ['pack', '--pack-destination', temp, '--json'], { cwd: dist, limit: LIMITS.pack });
    const manifest = JSON.parse(packed.slice(packed.indexOf('[')))[0];
    const tarball = join(temp, manifest?.filename ?? '');
    check(manifest?.filename && existsSync(tarball), `npm pack produced no tarball in ${temp}`);
    const shipped = new Set((manifest.files ?? []).map((f) => f.path));
    for (const file of ['schematics/collection.json', 'schematics/ng-add/index.js', 'schematics/ng-add/server-routes.js', 'schematics/ng-add/schema.json', 'schematics/package.json']) {
      check(shipped.has(file), `the tarball lacks ${file}${file.endsWith('package.json') ? ' (dist/ngx-oidc/.npmignore drops it: run the schematics build after the library build)' : ''}`);
    }

    // The workspace's own CLI refuses `ng new` because it finds /work/main/angular.json by
    // searching up from its own folder (not only from the cwd). Run the same files through a
    // symlinked node_modules outside the workspace, with symlinks preserved, so it does not.
    const cliHost = join(temp, 'cli');
    mkdirSync(cliHost);
    symlinkSync(join(workspace, 'node_modules'), join(cliHost, 'node_modules'), 'dir');
    const hostedNg = join(cliHost, relative(workspace, workspaceNg));

    // Both apps install through the same npm cache (the user's, as `ng new` always does), so the
    // second downloads little. Not --prefer-offline: package documents cached at different times
    // disagree (an older @angular/platform-server against a newer @angular/common: ERESOLVE).
    for (const variant of selected) {
      try {
        await runVariant(variant, { temp, tarball, hostedNg });
        results.push({ variant: variant.id, passed: true });
      } catch (e) {
        console.error(e instanceof StepError ? `  FAIL [${variant.id}] ${e.message}` : e);
        results.push({ variant: variant.id, passed: false });
      }
    }
  } finally {
    current = null;
    await new Promise((resolve) => log.end(resolve));
    // The symlink first, on its own: removing the folder must never reach the workspace's node_modules.
    const link = join(temp, 'cli', 'node_modules');
    if (lstatExists(link)) unlinkSync(link);
    const allPassed = results.length === selected.length && results.every((r) => r.passed);
    if (allPassed && !keep) rmSync(temp, { recursive: true, force: true });
    else console.log(`real-ng-add: ${allPassed ? 'kept' : 'left for inspection'}: ${temp}`);
  }
  return results;
}

/** The time of each step, one column per app, in the order of a run. */
const STEP_ORDER = [/^npm pack/, /^ng new/, /^npm install/, /^ng add/, /^generated/, /^ng generate/, /^ng test/, /^ng build/, /^serve/, /^login/];
const rowOf = (step) => step.replace(/^ng new \S+$/, 'ng new').replace(/^serve \(.*\)$/, 'serve');
const rank = (row) => {
  const found = STEP_ORDER.findIndex((pattern) => pattern.test(row));
  return found === -1 ? STEP_ORDER.length : found;
};

function printTimings() {
  if (timings.length === 0) return;
  const columns = selected.map((v) => v.id);
  const rows = [...new Set(timings.map((t) => rowOf(t.step)))].sort((a, b) => rank(a) - rank(b));
  const cell = (variant, row) => {
    const found = timings.filter((t) => t.variant === variant && rowOf(t.step) === row);
    return found.length ? found.reduce((sum, t) => sum + t.seconds, 0).toFixed(1) : '-';
  };
  const width = Math.max(...rows.map((r) => r.length));
  console.log(`real-ng-add: seconds per step\n  ${'step'.padEnd(width)}  ${columns.map((c) => c.padStart(7)).join('  ')}`);
  for (const row of rows) {
    const shared = timings.find((t) => t.variant === null && rowOf(t.step) === row);
    const cells = shared ? [`${shared.seconds.toFixed(1).padStart(7)} (both)`] : columns.map((c) => cell(c, row).padStart(7));
    console.log(`  ${row.padEnd(width)}  ${cells.join('  ')}`);
  }
  const totals = columns.map((c) => timings.filter((t) => t.variant === c).reduce((sum, t) => sum + t.seconds, 0).toFixed(1).padStart(7));
  console.log(`  ${'total'.padEnd(width)}  ${totals.join('  ')}`);
}

const started = Date.now();
try {
  const results = await main();
  const ok = results.filter((r) => r.passed).length;
  const failed = selected.length - ok;
  printTimings();
  console.log(`real-ng-add: ${ok} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  if (failed > 0) process.exitCode = 1;
} catch (e) {
  console.error(e instanceof StepError ? `  FAIL ${e.message}` : e);
  printTimings();
  console.log(`real-ng-add: 0 passed, ${selected.length} failed (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  process.exitCode = 1;
}
