// Checks the built library in dist/ngx-oidc: Angular Package Format, side-effect
// free, jose left as a dependency (not bundled), every entry present.
import { existsSync, readFileSync } from 'node:fs';

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
if (!existsSync(`${dist}silent-renew.html`)) problems.push('silent-renew.html must ship with the package');
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
  const code = readFileSync(`${dist}${root.default}`, 'utf8');
  if (!/from 'jose'/.test(code)) problems.push('jose should be imported, not bundled');
}

if (problems.length > 0) {
  console.error(`dist/ngx-oidc is not a valid package:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`dist/ngx-oidc: ${pkg.name}@${pkg.version}, Angular Package Format, side-effect free`);
