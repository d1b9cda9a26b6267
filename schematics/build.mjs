// Builds the ng add collection into dist/ngx-oidc/schematics: tsc (CommonJS),
// then copies collection.json, every schema.json and the files/ templates.
// Run it after the library build (ng-packagr empties dist/ngx-oidc first):
//   node schematics/build.mjs
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const workspace = join(here, '..');
const out = join(workspace, 'dist', 'ngx-oidc', 'schematics');
const require = createRequire(import.meta.url);

function fail(message) {
  console.error(`build:schematics: ${message}`);
  process.exit(1);
}

if (!existsSync(join(workspace, 'dist', 'ngx-oidc', 'package.json'))) {
  console.warn('build:schematics: dist/ngx-oidc/package.json is missing; run the library build first (npm run build), or the package will lack it.');
}

rmSync(out, { recursive: true, force: true });
const tsc = require.resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.json')], { stdio: 'inherit' });
if (compiled.status !== 0) fail('tsc failed');

/** Every path below `dir` (relative to `here`), skipping what never ships. */
function walk(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'e2e' || name === 'testing') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...walk(path));
    else found.push(relative(here, path));
  }
  return found;
}

const assets = walk(here).filter(
  (path) => path === 'collection.json' || /(^|[\\/])schema\.json$/.test(path) || path.split(/[\\/]/).includes('files'),
);
for (const path of assets) {
  mkdirSync(dirname(join(out, path)), { recursive: true });
  cpSync(join(here, path), join(out, path));
}
// The library's package.json says "type": "module"; the collection is CommonJS.
writeFileSync(join(out, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
// ng-packagr's .npmignore drops every nested package.json from the tarball; this one must ship.
const npmignore = join(workspace, 'dist', 'ngx-oidc', '.npmignore');
const keepMarker = '!schematics/package.json';
if (existsSync(npmignore) && !readFileSync(npmignore, 'utf8').split('\n').includes(keepMarker)) {
  writeFileSync(npmignore, `${readFileSync(npmignore, 'utf8').trimEnd()}\n# The ng add collection is CommonJS inside a "type": "module" package.\n${keepMarker}\n`);
}

// Smoke check: the factory the collection names loads and is a function.
const collection = require(join(out, 'collection.json'));
for (const [name, entry] of Object.entries(collection.schematics)) {
  const [file, symbol] = entry.factory.split('#');
  const factory = require(join(out, file))[symbol];
  if (typeof factory !== 'function') fail(`schematic "${name}": ${entry.factory} is not a function`);
  if (!existsSync(join(out, entry.schema))) fail(`schematic "${name}": ${entry.schema} missing`);
}
console.log(`build:schematics: ${relative(workspace, out)} (${assets.length} assets copied)`);
