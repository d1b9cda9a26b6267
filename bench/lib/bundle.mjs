// Bundle sizes: builds the bench apps (production, esbuild builder) and sums
// the raw and gzip (level 9) bytes of their JavaScript twice: the initial
// JavaScript (what a page loads before the app runs: the index.html scripts
// and everything they import statically, see chunks.mjs) and the total (every
// .js file emitted, lazy chunks included).
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { classifyChunks, importGraphFromMetafile, scriptsInIndexHtml } from './chunks.mjs';
import { BENCH, ROOT } from './paths.mjs';

/** Builds one bench app into bench/dist/<name>/browser, with esbuild's metafile as bench/dist/<name>/stats.json. */
export function buildApp(name) {
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules/@angular/cli/bin/ng.js'), 'build', name, '--stats-json'], {
    cwd: BENCH,
    encoding: 'utf8',
    env: { ...process.env, NG_CLI_ANALYTICS: 'false', CI: 'true' },
  });
  if (result.status !== 0) throw new Error(`ng build ${name} failed:\n${result.stdout}\n${result.stderr}`);
}

function sizes(dir, files) {
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const bytes = readFileSync(join(dir, file));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { raw, gzip, files: files.length };
}

/**
 * Initial and total JavaScript of a built app in `distDir` (default
 * bench/dist/<name>): `{ initial: { raw, gzip, files }, total: { raw, gzip, files }, initialFiles, lazyFiles }`.
 */
export function measureApp(name, distDir = join(BENCH, 'dist', name)) {
  const dir = join(distDir, 'browser');
  const files = readdirSync(dir).filter((f) => /\.[cm]?js$/.test(f)).sort();
  const { entries, preloads } = scriptsInIndexHtml(readFileSync(join(dir, 'index.html'), 'utf8'));
  const graph = importGraphFromMetafile(JSON.parse(readFileSync(join(distDir, 'stats.json'), 'utf8')));
  const { initial, lazy } = classifyChunks({ files, entries, graph });
  // The builder preloads (some of) the same chunks; one outside initial means the two disagree.
  for (const p of preloads) if (!initial.includes(p)) throw new Error(`bundle ${name}: index.html preloads ${p}, which the import graph says is lazy`);
  return { initial: sizes(dir, initial), total: sizes(dir, files), initialFiles: initial, lazyFiles: lazy };
}

/** Builds and measures `names`; the first one is the baseline the deltas (`added`) are taken against. */
export function bundleTable(names) {
  const rows = names.map((name) => {
    buildApp(name);
    return { name, ...measureApp(name) };
  });
  const base = rows[0];
  return rows.map((r) => ({
    ...r,
    added: {
      initialRaw: r.initial.raw - base.initial.raw,
      initialGzip: r.initial.gzip - base.initial.gzip,
      totalRaw: r.total.raw - base.total.raw,
      totalGzip: r.total.gzip - base.total.gzip,
    },
  }));
}

const plus = (n) => `${n >= 0 ? '+' : ''}${n}`;

/** One line per row, for the logs. */
export function bundleLine(r) {
  return `bundle ${r.name}: initial ${r.initial.gzip} B gzip (${plus(r.added.initialGzip)}), ${r.initial.raw} B raw (${plus(r.added.initialRaw)}), ${r.initial.files} file(s); total ${r.total.gzip} B gzip (${plus(r.added.totalGzip)}), ${r.total.raw} B raw (${plus(r.added.totalRaw)}), ${r.total.files} file(s)`;
}
