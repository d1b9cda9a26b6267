// Runs the demo provider alone: `node e2e/idp/cli.mjs [--port 4400]`.
import { USERS, startIdp } from './provider.mjs';

const port = Number(process.env.IDP_PORT ?? 4400);
const idp = await startIdp({ port, log: (line) => console.error(line) });
console.log(`identity provider on ${idp.issuer} (users: ${Object.keys(USERS).join(', ')})`);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => idp.close().then(() => process.exit(0)));
