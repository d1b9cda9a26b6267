// The step runner shared by the tests that build real apps (schematics/e2e/real-ng-add.mjs,
// scripts/angular-versions.mjs): a command in its own process group, with a time limit,
// its output kept in the run's log.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A step failed: its message says which and why; anything else is a bug in the test. */
export class StepError extends Error {}

/** The last `lines` lines of `output`, indented for a failure message. */
export function tail(output, lines = 40) {
  return output.trimEnd().split('\n').slice(-lines).map((l) => `      | ${l}`).join('\n');
}

/**
 * Runs `command` in its own process group (a timeout stops npm and everything it
 * started, and nothing else), writing its output to `log` (and stdout when
 * `verbose`). Resolves to `{ output, ms }` on exit code 0; rejects with a
 * {@link StepError} carrying the output's tail otherwise or after `limit` ms.
 * `running` (a Set), when given, holds the process group's id while it runs.
 */
export function runCommand(step, command, args, { cwd, env, limit, log, verbose = false, running }) {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running?.add(child.pid);
    let output = '';
    const collect = (chunk) => {
      const text = chunk.toString();
      output += text;
      log.write(text);
      if (verbose) process.stdout.write(text);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
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
      running?.delete(child.pid);
      reject(new StepError(`${step}: could not start ${command}: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      running?.delete(child.pid);
      const ms = Date.now() - started;
      if (code === 0) resolve({ output, ms });
      else reject(new StepError(`${step}: exit code ${code} after ${(ms / 1000).toFixed(1)} s.\n${tail(output)}`));
    });
  });
}

/**
 * Adds a page behind autoLoginGuard to a generated app, as a user of the
 * library would: writes `src/app/<file>.ts` (`source`, exporting `component`)
 * and puts a route `path` to it first in `app.routes.ts`.
 */
export function addGuardedRoute(appDir, { file, source, component, path }) {
  writeFileSync(join(appDir, 'src', 'app', `${file}.ts`), source);
  const routesPath = join(appDir, 'src', 'app', 'app.routes.ts');
  const routes = readFileSync(routesPath, 'utf8');
  const marker = 'export const routes: Routes = [';
  if (!routes.includes(marker)) throw new StepError('app.routes.ts has no `export const routes: Routes = [` to add a route to');
  const route = `  { path: '${path}', canActivate: [autoLoginGuard], component: ${component} },`;
  writeFileSync(routesPath, `import { autoLoginGuard } from 'ngx-oidc';\nimport { ${component} } from './${file}';\n${routes.replace(marker, `${marker}\n${route}`)}`);
}
