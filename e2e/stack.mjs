// Starts the whole demo stack on loopback: the provider, the API, the recorder
// and the sample app server. Used by `npm start` and by the e2e suite.
import { fileURLToPath } from 'node:url';
import { startApi, startRecorder } from './api/server.mjs';
import { startAppServer } from './app-server.mjs';
import { createFaultHook } from './idp/faults.mjs';
import { startIdp } from './idp/provider.mjs';

export const APP_ROOT = fileURLToPath(new URL('../dist/sample-app/browser/', import.meta.url));

/**
 * Default ports; the e2e suite uses the same ones, so stop `npm start` before `npm test`.
 * `faults` is the provider's fault-injection control port, open only in the e2e suite.
 */
export const PORTS = { app: 4200, idp: 4400, api: 4401, recorder: 4402, faults: 4403, partnerIdp: 4404, partnerApi: 4405 };

/**
 * Starts the stack. `faults: true` (the e2e suite only) puts the fault hook in
 * front of the provider and opens its control server on `ports.faults`.
 * `extraAppOrigins` are other apps' origins (`http://localhost:4300`) that may
 * sign in too: the provider registers their `/callback` and `/` redirect URIs
 * and the API answers them (CORS). With `ports.partnerIdp` and
 * `ports.partnerApi` (the default ports have them), a second provider and its
 * own API start too: the partner of the `partner` flow (several providers at once).
 */
export async function startStack({ flow = 'refresh', ports = PORTS, accessTokenTtl, log, faults = false, extraAppOrigins = [] } = {}) {
  const started = [];
  try {
    const issuer = `http://127.0.0.1:${ports.idp}`;
    const appOrigins = [`http://127.0.0.1:${ports.app}`, `http://localhost:${ports.app}`, ...extraAppOrigins];
    const hook = faults ? createFaultHook({ appOrigins, log }) : undefined;
    const faultControl = hook ? await hook.listen(ports.faults ?? PORTS.faults) : undefined;
    if (faultControl) started.push(faultControl);
    const idp = await startIdp({ port: ports.idp, appOrigins, apiOrigin: `http://127.0.0.1:${ports.api}`, accessTokenTtl, log, faults: hook });
    started.push(idp);
    const api = await startApi({ port: ports.api, issuer, appOrigins });
    started.push(api);
    const recorder = await startRecorder({ port: ports.recorder });
    started.push(recorder);
    let partner;
    if (ports.partnerIdp !== undefined && ports.partnerApi !== undefined) {
      const partnerApiOrigin = `http://127.0.0.1:${ports.partnerApi}`;
      const partnerIdp = await startIdp({ port: ports.partnerIdp, appOrigins, apiOrigin: partnerApiOrigin, accessTokenTtl, log });
      started.push(partnerIdp);
      const partnerApi = await startApi({ port: ports.partnerApi, issuer: partnerIdp.issuer, appOrigins });
      started.push(partnerApi);
      partner = { idp: partnerIdp, api: partnerApi };
    }
    const app = await startAppServer({
      port: ports.app,
      root: APP_ROOT,
      flow,
      issuer,
      apiOrigin: `http://127.0.0.1:${ports.api}`,
      ...(partner ? { partner: { issuer: partner.idp.issuer, apiOrigin: partner.api.audience } } : {}),
    });
    started.push(app);
    return { idp, api, recorder, app, partner, faults: faultControl, close: () => Promise.all(started.map((s) => s.close())) };
  } catch (e) {
    await Promise.all(started.map((s) => s.close()));
    throw e;
  }
}
