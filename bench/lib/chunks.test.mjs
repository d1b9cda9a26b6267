// Tests of chunks.mjs, plain node:assert. bench/budget.mjs runs them (so they
// are part of npm test) and counts them in its "N passed, N failed" line;
// `node bench/lib/chunks.test.mjs` runs them alone.
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { classifyChunks, importGraphFromMetafile, scriptsInIndexHtml } from './chunks.mjs';

// What Angular 21's application builder writes for a split app: the entry as a
// module script, the chunks it imports statically as modulepreload links.
const INDEX_HTML = `<!doctype html>
<html lang="en" data-beasties-container>
  <head>
    <base href="/">
  <link rel="modulepreload" href="chunk-SHARED01.js"><link rel="modulepreload" href="chunk-SHARED02.js"></head>
  <body>
    <bench-root></bench-root>
  <script src="polyfills-AAAAAAAA.js" type="module"></script><script src="main-BBBBBBBB.js" type="module"></script></body>
</html>`;

// An esbuild metafile (stats.json) for that app: main imports two shared chunks
// statically, one of which imports a third; the library's lazy part is reached
// only through import(), and imports a shared chunk (still initial) and a chunk
// of its own (lazy, even though its importer's import is static).
const METAFILE = {
  inputs: {},
  outputs: {
    'polyfills-AAAAAAAA.js': { bytes: 10, imports: [], entryPoint: 'polyfills' },
    'main-BBBBBBBB.js': {
      bytes: 100,
      entryPoint: 'apps/x/main.ts',
      imports: [
        { path: 'chunk-SHARED01.js', kind: 'import-statement' },
        { path: 'chunk-SHARED02.js', kind: 'import-statement' },
        { path: 'chunk-LAZYCORE.js', kind: 'dynamic-import' },
        { path: '@angular/common/locales/fr', kind: 'import-statement', external: true },
      ],
    },
    'chunk-SHARED01.js': { bytes: 10, imports: [{ path: 'chunk-SHARED03.js', kind: 'import-statement' }] },
    'chunk-SHARED02.js': { bytes: 10, imports: [] },
    'chunk-SHARED03.js': { bytes: 10, imports: [] },
    'chunk-LAZYCORE.js': {
      bytes: 50,
      entryPoint: 'projects/ngx-oidc/src/lib/lazy.ts',
      imports: [
        { path: 'chunk-SHARED02.js', kind: 'import-statement' },
        { path: 'chunk-LAZYDEP1.js', kind: 'import-statement' },
        { path: 'chunk-LAZYCORE.js', kind: 'dynamic-import' },
      ],
    },
    'chunk-LAZYDEP1.js': { bytes: 5, imports: [] },
    'styles-CCCCCCCC.css': { bytes: 1, imports: [{ path: 'font.woff2', kind: 'url-token' }] },
  },
};
const FILES = Object.keys(METAFILE.outputs).filter((f) => f.endsWith('.js'));

export const cases = [
  [
    'scriptsInIndexHtml finds the module scripts in order and the modulepreload links',
    () => {
      assert.deepEqual(scriptsInIndexHtml(INDEX_HTML), {
        entries: ['polyfills-AAAAAAAA.js', 'main-BBBBBBBB.js'],
        preloads: ['chunk-SHARED01.js', 'chunk-SHARED02.js'],
      });
    },
  ],
  [
    'scriptsInIndexHtml takes any attribute order and quoting, classic scripts, and ignores inline scripts and other links',
    () => {
      const html = `<link href='/a.js' rel=modulepreload><link rel="stylesheet" href="styles.css"><link rel="preload" href="b.js">
        <script>window.x = 1</script><script type="module" src="./main.js?v=1"></script><script defer src=scripts.js></script>`;
      assert.deepEqual(scriptsInIndexHtml(html), { entries: ['main.js', 'scripts.js'], preloads: ['a.js'] });
    },
  ],
  [
    'importGraphFromMetafile keeps JS outputs, splits static from dynamic imports and drops externals',
    () => {
      const graph = importGraphFromMetafile(METAFILE);
      assert.deepEqual(Object.keys(graph), FILES);
      assert.deepEqual(graph['main-BBBBBBBB.js'], { static: ['chunk-SHARED01.js', 'chunk-SHARED02.js'], dynamic: ['chunk-LAZYCORE.js'] });
      assert.deepEqual(graph['chunk-LAZYCORE.js'], { static: ['chunk-SHARED02.js', 'chunk-LAZYDEP1.js'], dynamic: ['chunk-LAZYCORE.js'] });
    },
  ],
  [
    'classifyChunks: initial is the entries and their static imports, transitively; the rest is lazy',
    () => {
      const { entries } = scriptsInIndexHtml(INDEX_HTML);
      const result = classifyChunks({ files: FILES, entries, graph: importGraphFromMetafile(METAFILE) });
      assert.deepEqual(result, {
        initial: ['polyfills-AAAAAAAA.js', 'main-BBBBBBBB.js', 'chunk-SHARED01.js', 'chunk-SHARED02.js', 'chunk-SHARED03.js'],
        lazy: ['chunk-LAZYCORE.js', 'chunk-LAZYDEP1.js'],
      });
    },
  ],
  [
    'classifyChunks: a single bundle is all initial; the modulepreload links are within initial',
    () => {
      const graph = { 'main-X.js': { static: [], dynamic: [] } };
      assert.deepEqual(classifyChunks({ files: ['main-X.js'], entries: ['main-X.js'], graph }), { initial: ['main-X.js'], lazy: [] });
      const { entries, preloads } = scriptsInIndexHtml(INDEX_HTML);
      const { initial } = classifyChunks({ files: FILES, entries, graph: importGraphFromMetafile(METAFILE) });
      for (const p of preloads) assert.ok(initial.includes(p), p);
    },
  ],
  [
    'classifyChunks: a static import cycle terminates',
    () => {
      const graph = { 'main.js': { static: ['a.js'], dynamic: [] }, 'a.js': { static: ['main.js'], dynamic: ['b.js'] }, 'b.js': { static: ['a.js'], dynamic: [] } };
      assert.deepEqual(classifyChunks({ files: ['main.js', 'a.js', 'b.js'], entries: ['main.js'], graph }), { initial: ['main.js', 'a.js'], lazy: ['b.js'] });
    },
  ],
  [
    'classifyChunks refuses inputs that disagree (stale stats.json, missing entry)',
    () => {
      const graph = importGraphFromMetafile(METAFILE);
      assert.throws(() => classifyChunks({ files: FILES, entries: [], graph }), /no JavaScript entry/);
      assert.throws(() => classifyChunks({ files: FILES, entries: ['main-OTHER.js'], graph }), /main-OTHER\.js is not an emitted file/);
      assert.throws(() => classifyChunks({ files: [...FILES, 'chunk-NEW.js'], entries: ['main-BBBBBBBB.js'], graph }), /chunk-NEW\.js is emitted but not in the import graph/);
      assert.throws(() => classifyChunks({ files: FILES.filter((f) => f !== 'chunk-LAZYDEP1.js'), entries: ['main-BBBBBBBB.js'], graph }), /not emitted/);
    },
  ],
];

/** Runs `cases`; returns the counts and prints each failure. */
export function runCases(log = console.log) {
  let passed = 0;
  let failed = 0;
  for (const [name, fn] of cases) {
    try {
      fn();
      passed++;
    } catch (e) {
      failed++;
      log(`FAIL chunks: ${name}\n  ${String(e?.stack ?? e).split('\n').join('\n  ')}`);
    }
  }
  return { passed, failed };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { passed, failed } = runCases();
  console.log(`chunks: ${passed} passed, ${failed} failed`);
  if (failed) process.exitCode = 1;
}
