// Which emitted JavaScript a page loads before the app runs ("initial") and
// which only when the code calls import() ("lazy"). Pure functions, tested by
// chunks.test.mjs (run by bench/budget.mjs, so part of npm test).
//
// Initial = the scripts index.html loads (<script src>) plus every chunk they
// import statically, transitively: an ES module does not run until all of its
// static imports are fetched and evaluated, so those bytes are on every page
// load, whoever the user is. The builder's own <link rel="modulepreload"> list
// is a subset of this (Angular caps it at 10 links), so it is a cross-check,
// not the source. The import graph comes from esbuild's metafile
// (`ng build --stats-json` writes it as stats.json).

/** A chunk reference as written in HTML or in the metafile, as a file name relative to the browser output directory. */
export function normalizePath(ref) {
  return ref.replace(/[?#].*$/, '').replace(/^(?:\.\/|\/)+/, '');
}

function attr(tag, name) {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, 'i').exec(tag);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

/**
 * The scripts an index.html loads (`<script src>`, module or classic, in order)
 * and the chunks it preloads (`<link rel="modulepreload" href>`).
 */
export function scriptsInIndexHtml(html) {
  const entries = [];
  const preloads = [];
  for (const [tag] of html.matchAll(/<script\b[^>]*>/gi)) {
    const src = attr(tag, 'src');
    if (src !== undefined) entries.push(normalizePath(src));
  }
  for (const [tag] of html.matchAll(/<link\b[^>]*>/gi)) {
    const rel = (attr(tag, 'rel') ?? '').toLowerCase().split(/\s+/);
    const href = attr(tag, 'href');
    if (rel.includes('modulepreload') && href !== undefined) preloads.push(normalizePath(href));
  }
  return { entries, preloads };
}

/**
 * The imports between emitted JavaScript chunks, from an esbuild metafile:
 * `{ [file]: { static: [file...], dynamic: [file...] } }`. `import-statement`
 * (and a bundled `require-call`) is static: it runs before the importer;
 * `dynamic-import` is import(), fetched when called. External imports and
 * CSS (`import-rule`, `url-token`) are not emitted JS and are left out.
 */
export function importGraphFromMetafile(metafile) {
  const graph = {};
  for (const [path, output] of Object.entries(metafile.outputs ?? {})) {
    if (!/\.[cm]?js$/.test(path)) continue;
    const node = { static: [], dynamic: [] };
    for (const imp of output.imports ?? []) {
      if (imp.external) continue;
      if (imp.kind === 'import-statement' || imp.kind === 'require-call') node.static.push(normalizePath(imp.path));
      else if (imp.kind === 'dynamic-import') node.dynamic.push(normalizePath(imp.path));
    }
    graph[normalizePath(path)] = node;
  }
  return graph;
}

/**
 * Splits `files` (every .js file emitted) into `initial` (the `entries`, plus
 * everything they import statically, transitively, through `graph`) and
 * `lazy` (the rest: reachable only through import()). Both keep the order of
 * `files`. Throws when the inputs disagree (an entry, a graph node or a static
 * import that is not an emitted file), rather than misclassify.
 */
export function classifyChunks({ files, entries, graph }) {
  const emitted = new Set(files);
  const jsEntries = entries.filter((e) => /\.[cm]?js$/.test(e));
  if (jsEntries.length === 0) throw new Error('classifyChunks: no JavaScript entry point');
  for (const e of jsEntries) if (!emitted.has(e)) throw new Error(`classifyChunks: entry ${e} is not an emitted file`);
  for (const node of Object.keys(graph)) if (!emitted.has(node)) throw new Error(`classifyChunks: ${node} is in the import graph but not emitted (stale stats.json?)`);
  for (const f of files) if (!graph[f]) throw new Error(`classifyChunks: ${f} is emitted but not in the import graph (stale stats.json?)`);

  const initial = new Set();
  const queue = [...jsEntries];
  while (queue.length) {
    const file = queue.pop();
    if (initial.has(file)) continue;
    initial.add(file);
    for (const dep of graph[file].static) {
      if (!emitted.has(dep)) throw new Error(`classifyChunks: ${file} imports ${dep}, which is not emitted`);
      queue.push(dep);
    }
  }
  return { initial: files.filter((f) => initial.has(f)), lazy: files.filter((f) => !initial.has(f)) };
}
