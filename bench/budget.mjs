// The bundle budget in npm test: builds the baseline and the refresh-token
// ngx-oidc app and fails when the gzip bytes ngx-oidc adds exceed the budget in
// budget.json. Bytes, not time: deterministic. Needs dist/ngx-oidc (npm run build).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleTable } from './lib/bundle.mjs';
import { BENCH } from './lib/paths.mjs';

const { maxDeltaGzipBytes } = JSON.parse(readFileSync(join(BENCH, 'budget.json'), 'utf8'));
const [, app] = bundleTable(['baseline', 'ngx-oidc']);
const ok = app.deltaGzip <= maxDeltaGzipBytes;
console.log(`bundle budget: ngx-oidc adds ${app.deltaGzip} B gzip (${app.deltaRaw} B raw) over the baseline; budget ${maxDeltaGzipBytes} B`);
console.log(`budget: ${ok ? 1 : 0} passed, ${ok ? 0 : 1} failed`);
if (!ok) process.exitCode = 1;
