#!/usr/bin/env node
// Where a bench app's bytes come from: for each source file of ngx-oidc (and
// the other packages), the bytes esbuild put in the initial chunks and in the
// lazy ones (raw, minified: esbuild's bytesInOutput; gzip does not split per
// file). Reads bench/dist/<app>/stats.json as written by `npm run bench` or
// `npm run test:budget`; builds the app first with --build.
//   node bench/attribute.mjs [app=ngx-oidc] [--build] [--all]
// --all lists every input, not only ngx-oidc's sources and the package totals.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from './lib/bundle.mjs';
import { classifyChunks, importGraphFromMetafile, normalizePath, scriptsInIndexHtml } from './lib/chunks.mjs';
import { BENCH } from './lib/paths.mjs';

const app = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'ngx-oidc';
if (process.argv.includes('--build')) buildApp(app);
const distDir = join(BENCH, 'dist', app);
const dir = join(distDir, 'browser');
const metafile = JSON.parse(readFileSync(join(distDir, 'stats.json'), 'utf8'));
const files = readdirSync(dir).filter((f) => /\.[cm]?js$/.test(f));
const { entries } = scriptsInIndexHtml(readFileSync(join(dir, 'index.html'), 'utf8'));
const { initial } = classifyChunks({ files, entries, graph: importGraphFromMetafile(metafile) });
const isInitial = new Set(initial);

/** The package an input belongs to (`ngx-oidc` for the library, whether from dist or source). */
function packageOf(input) {
  if (/(^|\/)(dist\/ngx-oidc|projects\/ngx-oidc)\//.test(input)) return 'ngx-oidc';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return m ? m[1] : '(app)';
}

const rows = new Map();
for (const [out, output] of Object.entries(metafile.outputs)) {
  if (!/\.[cm]?js$/.test(out)) continue;
  const where = isInitial.has(normalizePath(out)) ? 'initial' : 'lazy';
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs ?? {})) {
    const row = rows.get(input) ?? { input, pkg: packageOf(input), initial: 0, lazy: 0 };
    row[where] += bytesInOutput;
    rows.set(input, row);
  }
}
const all = [...rows.values()].filter((r) => r.initial + r.lazy > 0);
const byPackage = new Map();
for (const r of all) {
  const p = byPackage.get(r.pkg) ?? { initial: 0, lazy: 0 };
  p.initial += r.initial;
  p.lazy += r.lazy;
  byPackage.set(r.pkg, p);
}
const pad = (s, n) => String(s).padStart(n);
console.log(`${app}: raw minified bytes per input (initial / lazy)\n`);
console.log('package'.padEnd(40), pad('initial', 9), pad('lazy', 9));
for (const [pkg, p] of [...byPackage].sort((a, b) => b[1].initial - a[1].initial)) console.log(pkg.padEnd(40), pad(p.initial, 9), pad(p.lazy, 9));
const shown = process.argv.includes('--all') ? all : all.filter((r) => r.pkg === 'ngx-oidc');
console.log(`\n${process.argv.includes('--all') ? 'every input' : 'ngx-oidc sources'}`.padEnd(41), pad('initial', 9), pad('lazy', 9));
for (const r of shown.sort((a, b) => b.initial - a.initial || b.lazy - a.lazy)) {
  const name = r.input.replace(/^.*?(dist\/ngx-oidc\/|projects\/ngx-oidc\/|node_modules\/)/, '');
  console.log(name.padEnd(40), pad(r.initial, 9), pad(r.lazy, 9));
}
