// `npm start`: builds the sample app, then runs the demo stack on loopback:
// the identity provider, the API and the app. Nothing to configure.
//   npm start                      refresh tokens (default)
//   npm start -- --flow=iframe     silent renew by iframe, no refresh tokens
//   npm start -- --flow=par        pushed authorization requests
//   npm start -- --flow=short      refresh tokens, 10-second access tokens
//   npm start -- --flow=dpop       refresh tokens, DPoP-bound tokens (RFC 9449)
//   npm start -- --flow=partner    two providers signed in side by side (withMultipleConfigs())
// or DEMO_FLOW=iframe npm start. Ctrl-C stops everything.
//   npm start -- --app-origin=http://localhost:4300   (or DEMO_APP_ORIGINS, comma-separated)
// lets another app (your own, served on that origin) sign in at the demo
// provider and call the demo API too.
import { spawnSync } from 'node:child_process';
import { FLOWS } from '../e2e/app-server.mjs';
import { USERS } from '../e2e/idp/provider.mjs';
import { startStack } from '../e2e/stack.mjs';

const arg = process.argv.find((a) => a.startsWith('--flow='));
const flow = arg ? arg.slice('--flow='.length) : (process.env.DEMO_FLOW ?? 'refresh');
if (!FLOWS.includes(flow)) {
  console.error(`Unknown flow "${flow}". Use one of: ${FLOWS.join(', ')}.`);
  process.exit(2);
}

/** `--app-origin=` flags and DEMO_APP_ORIGINS: origins only (scheme, host, port), http(s). */
function extraOrigins() {
  const given = [
    ...process.argv.filter((a) => a.startsWith('--app-origin=')).map((a) => a.slice('--app-origin='.length)),
    ...(process.env.DEMO_APP_ORIGINS ?? '').split(','),
  ].map((o) => o.trim()).filter((o) => o !== '');
  return given.map((value) => {
    let url;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== value.replace(/\/$/, '')) {
      console.error(`--app-origin "${value}" is not an origin: use scheme, host and port only, such as http://localhost:4300.`);
      process.exit(2);
    }
    return url.origin;
  });
}
const appOrigins = extraOrigins();

console.log('Building the sample app…');
const build = spawnSync(process.execPath, ['node_modules/@angular/cli/bin/ng.js', 'build', 'sample-app'], {
  stdio: 'inherit',
  env: { ...process.env, NG_CLI_ANALYTICS: 'false' },
});
if (build.status !== 0) process.exit(build.status ?? 1);

const stack = await startStack({ flow, extraAppOrigins: appOrigins, log: (line) => console.error(line) });
console.log(`
  ngx-oidc demo (${flow} flow) is running:

    app        ${stack.app.url}
    provider   ${stack.idp.issuer}
    API        ${stack.api.url}
${stack.partner ? `    partner    ${stack.partner.idp.issuer} (provider), ${stack.partner.api.url} (API)${flow === 'partner' ? '' : ': used by --flow=partner'}
` : ''}
${appOrigins
  .map(
    (o) => `  Also allowed to sign in: ${o} (config: authority ${stack.idp.issuer}, clientId 'spa',
    redirectUrl '${o}/callback', scope 'openid profile offline_access api', secureRoutes ['${stack.api.url.replace(/me$/, '')}'])\n`,
  )
  .join('')}
  Sign in as ${Object.entries(USERS)
    .map(([name, u]) => `${name} / ${u.password}`)
    .join('  or  ')}.
  Press Ctrl-C to stop.
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping the demo…');
    stack.close().then(() => process.exit(0));
  });
}
