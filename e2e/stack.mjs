// Starts the whole demo stack on loopback: the provider, the API, the recorder
// and the sample app server. Used by `npm start` and by the e2e suite.
import { fileURLToPath } from 'node:url';
import { startApi, startRecorder } from './api/server.mjs';
import { startAppServer } from './app-server.mjs';
import { startIdp } from './idp/provider.mjs';

export const APP_ROOT = fileURLToPath(new URL('../dist/sample-app/browser/', import.meta.url));

/** Default ports; the e2e suite uses the same ones, so stop `npm start` before `npm test`. */
export const PORTS = { app: 4200, idp: 4400, api: 4401, recorder: 4402 };

export async function startStack({ flow = 'refresh', ports = PORTS, accessTokenTtl, log } = {}) {
  const started = [];
  try {
    const issuer = `http://127.0.0.1:${ports.idp}`;
    const appOrigins = [`http://127.0.0.1:${ports.app}`, `http://localhost:${ports.app}`];
    const idp = await startIdp({ port: ports.idp, appOrigins, apiOrigin: `http://127.0.0.1:${ports.api}`, accessTokenTtl, log });
    started.push(idp);
    const api = await startApi({ port: ports.api, issuer, appOrigins });
    started.push(api);
    const recorder = await startRecorder({ port: ports.recorder });
    started.push(recorder);
    const app = await startAppServer({ port: ports.app, root: APP_ROOT, flow, issuer, apiOrigin: `http://127.0.0.1:${ports.api}` });
    started.push(app);
    return { idp, api, recorder, app, close: () => Promise.all(started.map((s) => s.close())) };
  } catch (e) {
    await Promise.all(started.map((s) => s.close()));
    throw e;
  }
}
