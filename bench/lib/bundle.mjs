// Bundle sizes: builds the bench apps (production, esbuild builder) and sums
// the raw and gzip bytes of every JavaScript file each one emits.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BENCH, ROOT } from './paths.mjs';

/** Builds one bench app into bench/dist/<name>/browser. */
export function buildApp(name) {
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules/@angular/cli/bin/ng.js'), 'build', name], {
    cwd: BENCH,
    encoding: 'utf8',
    env: { ...process.env, NG_CLI_ANALYTICS: 'false', CI: 'true' },
  });
  if (result.status !== 0) throw new Error(`ng build ${name} failed:\n${result.stdout}\n${result.stderr}`);
}

/** Raw and gzip (level 9) bytes of all JS an app emits. */
export function measureApp(name) {
  const dir = join(BENCH, 'dist', name, 'browser');
  let raw = 0;
  let gzip = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const bytes = readFileSync(join(dir, file));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { raw, gzip };
}

/** Builds and measures `names`; the first one is the baseline the deltas are taken against. */
export function bundleTable(names) {
  const rows = names.map((name) => {
    buildApp(name);
    return { name, ...measureApp(name) };
  });
  const base = rows[0];
  return rows.map((r) => ({ ...r, deltaRaw: r.raw - base.raw, deltaGzip: r.gzip - base.gzip }));
}
