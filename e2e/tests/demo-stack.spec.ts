import { expect, test } from './fixtures';
import { startStack } from '../stack.mjs';

// `npm start -- --app-origin=http://localhost:4630` (scripts/start.mjs): another app may sign
// in at the demo provider and call the demo API. A stack of its own, on other ports.

const OTHER_APP = 'http://localhost:4630';
const PORTS = { app: 4620, idp: 4621, api: 4622, recorder: 4623 };

/** The provider's answer to an authorization request with `redirectUri` (not followed). */
async function authorize(issuer: string, redirectUri: string): Promise<Response> {
  const url = new URL(`${issuer}/auth`);
  const params = {
    client_id: 'spa',
    response_type: 'code',
    scope: 'openid api',
    redirect_uri: redirectUri,
    state: 'state-1',
    nonce: 'nonce-1',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  };
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return fetch(url, { redirect: 'manual' });
}

test('17. the demo stack registers another app origin: its callback is accepted and the API answers it (CORS)', async () => {
  const stack = await startStack({ ports: PORTS, extraAppOrigins: [OTHER_APP] });
  try {
    const accepted = await authorize(stack.idp.issuer, `${OTHER_APP}/callback`);
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get('location')).toMatch(/^\/interaction\//);
    // An origin that was not given stays refused.
    const refused = await authorize(stack.idp.issuer, 'http://localhost:4631/callback');
    expect(refused.status).toBe(400);

    const preflight = await fetch(stack.api.url, {
      method: 'OPTIONS',
      headers: { origin: OTHER_APP, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(OTHER_APP);
    const stranger = await fetch(stack.api.url, { method: 'OPTIONS', headers: { origin: 'http://localhost:4631', 'access-control-request-method': 'GET' } });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  } finally {
    await stack.close();
  }
});
