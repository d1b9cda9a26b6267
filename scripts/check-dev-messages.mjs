// Error sentences are for development builds only: every OidcError the library
// makes is written `new OidcError(DEV && 'sentence', CODE, cause)` (see DEV in
// ngx-oidc/dev-mode), so that production builds drop the sentence and keep the
// code and the cause. This finds sentences written without `DEV &&`, which would
// ship in every production bundle. Run by `npm test`; exits non-zero and lists them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The main entry point and ngx-oidc/dpop (the testing entry point serves tests only).
const dirs = ['../projects/ngx-oidc/src/lib/', '../projects/ngx-oidc/dpop/src/'].map((d) => new URL(d, import.meta.url).pathname);
// A string or template literal as the first argument, straight after the opening parenthesis.
const bare = /new OidcError\(\s*['`]/g;
const offences = [];

for (const file of dirs.flatMap((dir) => readdirSync(dir, { recursive: true }).map((name) => join(dir, String(name))))) {
  if (!file.endsWith('.ts') || file.endsWith('.spec.ts')) continue;
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(bare)) {
    const line = text.slice(0, match.index).split('\n').length;
    offences.push(`${file}:${line}: ${text.split('\n')[line - 1].trim()}`);
  }
}

if (offences.length > 0) {
  console.error(`OidcError sentences must be written DEV && '...' (production builds drop them):\n${offences.join('\n')}`);
  process.exit(1);
}
console.log('error sentences: development builds only');
