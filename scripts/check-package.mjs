// Checks the built library in dist/ngx-oidc: Angular Package Format, side-effect
// free, jose left as a dependency (not bundled), every entry present.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const dist = new URL('../dist/ngx-oidc/', import.meta.url).pathname;
const problems = [];
const pkg = JSON.parse(readFileSync(`${dist}package.json`, 'utf8'));

if (pkg.sideEffects !== false) problems.push('package.json: sideEffects must be false');
if (pkg.type !== 'module') problems.push('package.json: type must be module');
const root = pkg.exports?.['.'];
for (const key of ['types', 'default']) {
  if (!root?.[key] || !existsSync(`${dist}${root[key]}`)) problems.push(`exports["."].${key} missing or absent on disk`);
}
if (!pkg.dependencies?.jose) problems.push('jose must be a dependency');
for (const page of ['silent-renew.html', 'popup-callback.html']) if (!existsSync(`${dist}${page}`)) problems.push(`${page} must ship with the package`);
for (const file of ['README.md', 'LICENSE']) if (!existsSync(`${dist}${file}`)) problems.push(`${file} must ship with the package`);
if (pkg.schematics !== './schematics/collection.json' || !existsSync(`${dist}schematics/collection.json`)) {
  problems.push('the ng add collection must ship in schematics/ and be declared in "schematics"');
}
if (pkg['ng-add']?.save !== 'dependencies') problems.push('"ng-add": { "save": "dependencies" } is missing');
const schematicsPkg = `${dist}schematics/package.json`;
if (!existsSync(schematicsPkg) || JSON.parse(readFileSync(schematicsPkg, 'utf8')).type !== 'commonjs') {
  problems.push('schematics/package.json must mark the collection as CommonJS');
}
for (const peer of ['@angular/core', '@angular/common', '@angular/router', 'rxjs']) {
  if (!pkg.peerDependencies?.[peer]) problems.push(`peer dependency ${peer} missing`);
}
if (root?.default && existsSync(`${dist}${root.default}`)) {
  // The entry re-exports a main chunk; the protocol steps and the verification are lazy chunks beside it.
  const dir = dirname(`${dist}${root.default}`);
  const chunks = readdirSync(dir).filter((f) => f.endsWith('.mjs')).map((f) => ({ name: f, code: readFileSync(join(dir, f), 'utf8') }));
  const importers = chunks.filter((c) => /from 'jose'/.test(c.code));
  if (importers.length === 0) problems.push('jose should be imported, not bundled');
  if (chunks.some((c) => /\bfunction compactVerify\b|\bjwsVerify\b/.test(c.code))) problems.push('jose code is bundled into the package');
  // A returning user must not load jose: only a dynamically imported chunk, or the
  // ngx-oidc/dpop entry point (which only DPoP apps import), may import it.
  for (const c of importers) {
    const lazy = chunks.some((other) => other.code.includes(`import('./${c.name}')`));
    if (!lazy && c.name !== 'ngx-oidc-dpop.mjs') problems.push(`${c.name} imports jose but is not a lazy chunk`);
  }
}
for (const entry of ['./dpop', './testing', './dev-mode']) {
  const exported = pkg.exports?.[entry];
  for (const key of ['types', 'default']) {
    if (!exported?.[key] || !existsSync(`${dist}${exported[key]}`)) problems.push(`exports["${entry}"].${key} missing or absent on disk`);
  }
}
// ngx-oidc/dev-mode declares DEV (see its index.ts): its module must import nothing, or bundlers
// could no longer inline DEV, and production builds would keep every error sentence.
const devMode = pkg.exports?.['./dev-mode']?.default;
if (devMode && existsSync(`${dist}${devMode}`) && /^\s*import\b/m.test(readFileSync(`${dist}${devMode}`, 'utf8'))) {
  problems.push('the ngx-oidc/dev-mode module must not import anything');
}

if (problems.length > 0) {
  console.error(`dist/ngx-oidc is not a valid package:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`dist/ngx-oidc: ${pkg.name}@${pkg.version}, Angular Package Format, side-effect free`);
