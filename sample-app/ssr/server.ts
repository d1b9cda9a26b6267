// The sample app's Node server: Angular's SSR engine behind express, on
// loopback. It serves the built browser files and the app's auth-config.json
// (the app loads it at start-up, on the server as in the browser), and
// renders every other route per request.
//
//   PORT=4210 ISSUER=http://127.0.0.1:4400 node dist/sample-app-ssr/server/server.mjs
//
// Env: PORT (4210), HOST (127.0.0.1), FLOW (refresh; see e2e/app-server.mjs),
// ISSUER (http://127.0.0.1:4400), API_ORIGIN (http://127.0.0.1:4401). The
// provider must accept this server's origin as a redirect URI.
import { AngularNodeAppEngine, createNodeRequestHandler, isMainModule, writeResponseToNodeResponse } from '@angular/ssr/node';
import express from 'express';
import { join } from 'node:path';
import { demoConfig } from '../../e2e/app-server.mjs';

const browserDistFolder = join(import.meta.dirname, '../browser');
const env = (name: string, fallback: string): string => process.env[name] || fallback;

const app = express();
const angularApp = new AngularNodeAppEngine();

// The same auth config the static demo server gives, for this server's own origin
// (also answered to the build's route extraction, which boots the app).
app.get('/auth-config.json', (req, res) => {
  const apiOrigin = env('API_ORIGIN', 'http://127.0.0.1:4401');
  const config = demoConfig(env('FLOW', 'refresh'), {
    appOrigin: `${req.protocol}://${req.host}`,
    issuer: env('ISSUER', 'http://127.0.0.1:4400'),
    apiOrigin,
    apiUrl: `${apiOrigin}/api/me`,
  });
  res.set('cache-control', 'no-store').json(config);
});

app.use(express.static(browserDistFolder, { maxAge: '1h', index: false, redirect: false }));

app.use((req, res, next) => {
  angularApp
    .handle(req)
    .then((response) => (response ? writeResponseToNodeResponse(response, res) : next()))
    .catch(next);
});

if (isMainModule(import.meta.url)) {
  const port = Number(env('PORT', '4210'));
  const host = env('HOST', '127.0.0.1');
  app.listen(port, host, (error) => {
    if (error) throw error;
    console.log(`sample-app-ssr listening on http://${host}:${port}`);
  });
}

/** The request handler for the Angular CLI (dev server, build-time route extraction). */
export const reqHandler = createNodeRequestHandler(app);
