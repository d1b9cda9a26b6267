// core/ is framework-free: no Angular import, and nothing from the Angular layer.
// Run by `npm test`; exits non-zero and lists the offending lines.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const coreDir = new URL('../projects/ngx-oidc/src/lib/core/', import.meta.url).pathname;
const forbidden = /from\s+['"](@angular\/|rxjs|\.\.\/angular)/;
const offences = [];

for (const name of readdirSync(coreDir, { recursive: true })) {
  const file = join(coreDir, String(name));
  if (!file.endsWith('.ts')) continue;
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => forbidden.test(line) && offences.push(`${file}:${i + 1}: ${line.trim()}`));
}

if (offences.length > 0) {
  console.error(`core/ must not import Angular, rxjs or the Angular layer:\n${offences.join('\n')}`);
  process.exit(1);
}
console.log('core/ imports: framework-free');
