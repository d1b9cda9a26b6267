// The bundle budget in npm test: builds the baseline and the refresh-token
// ngx-oidc app and fails when the gzip bytes ngx-oidc adds exceed either budget
// in budget.json: the initial JavaScript (what a page loads before the app
// runs) and the total (lazy chunks included). Bytes, not time: deterministic.
// Runs the tests of the initial/lazy classification first (lib/chunks.test.mjs)
// and counts them in the same "N passed, N failed" line. Needs dist/ngx-oidc (npm run build).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bundleLine, bundleTable } from './lib/bundle.mjs';
import { runCases } from './lib/chunks.test.mjs';
import { BENCH } from './lib/paths.mjs';

let { passed, failed } = runCases();
console.log(`bundle budget: classification tests ${passed} passed, ${failed} failed`);

const { goals, maxInitialDeltaGzipBytes, maxTotalDeltaGzipBytes } = JSON.parse(readFileSync(join(BENCH, 'budget.json'), 'utf8'));
const [base, app] = bundleTable(['baseline', 'ngx-oidc']);
console.log(bundleLine(base));
console.log(bundleLine(app));
for (const [what, key, measured, budget, goal] of [
  ['initial', 'maxInitialDeltaGzipBytes', app.added.initialGzip, maxInitialDeltaGzipBytes, goals.initialDeltaGzipBytes],
  ['total', 'maxTotalDeltaGzipBytes', app.added.totalGzip, maxTotalDeltaGzipBytes, goals.totalDeltaGzipBytes],
]) {
  const ok = Number.isInteger(budget) && measured <= budget;
  if (ok) passed++;
  else failed++;
  console.log(`bundle budget, ${what}: ngx-oidc adds ${measured} B gzip over the baseline; budget ${budget} B (goal ${goal} B) — ${ok ? 'ok' : 'OVER BUDGET'}`);
  // The rule in budget.json: once a goal is reached, its budget goes down to it and stays there.
  if (measured <= goal && budget > goal) console.log(`bundle budget, ${what}: the goal is reached; lower ${key} in budget.json to at most ${goal} B`);
}

// Error sentences are for development builds (DEV in core/errors.ts): the production app must carry
// none of the library's, only their codes. Every sentence written `DEV && '...'` in the sources is
// looked for (up to its first interpolation) in every file the app emitted.
const libDir = join(BENCH, '..', 'projects', 'ngx-oidc', 'src', 'lib');
const sentences = readdirSync(libDir, { recursive: true })
  .filter((f) => String(f).endsWith('.ts') && !String(f).endsWith('.spec.ts'))
  .flatMap((f) => [...readFileSync(join(libDir, String(f)), 'utf8').matchAll(/DEV &&\s*\(?\s*['"`]([^'"`$]{16,})/g)].map((m) => m[1]));
const appDir = join(BENCH, 'dist', 'ngx-oidc', 'browser');
const shipped = readdirSync(appDir)
  .filter((f) => f.endsWith('.js'))
  .map((f) => readFileSync(join(appDir, f), 'utf8'))
  .join('\n');
const leaked = sentences.filter((sentence) => shipped.includes(sentence));
const sentencesOk = sentences.length > 50 && leaked.length === 0 && shipped.includes('STATE_MISMATCH');
if (sentencesOk) passed++;
else failed++;
console.log(
  `bundle budget, error sentences: ${sentences.length} in the sources, ${leaked.length} in the production app${leaked.length ? ` (${leaked.slice(0, 3).join(' | ')})` : ''}; codes kept: ${shipped.includes('STATE_MISMATCH')} — ${sentencesOk ? 'ok' : 'FAILED'}`,
);
console.log(`budget: ${passed} passed, ${failed} failed`);
if (failed) process.exitCode = 1;
