import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, type JWK } from 'jose';
import type { Page, Request } from '@playwright/test';
import { API_ORIGIN, APP, IDP, expect, signIn, storedSession, test, tokenRequests, useFlow, watchProvider } from './fixtures';

// DPoP (RFC 9449) against the real provider (client spa-dpop: dpop_bound_access_tokens,
// nonces required) and the demo API (oauth4webapi's validateJwtAccessToken, plus its own
// nonce and jti replay checks). The sample app has withDPoP(); the dpop flow's config turns it on.

const API_ME = `${API_ORIGIN}/api/me`;

interface Sent {
  readonly url: string;
  readonly authorization?: string;
  readonly proof?: string;
  readonly status?: number;
  readonly wwwAuthenticate?: string;
  readonly dpopNonce?: string;
}

/** Every request the page sends to `origin`, with its DPoP proof and the answer's status and DPoP headers. */
function watchProofs(page: Page, origin: string): Sent[] {
  const sent: Sent[] = [];
  const index = new Map<Request, number>();
  page.on('request', (req) => {
    if (!req.url().startsWith(origin) || req.method() === 'OPTIONS') return;
    const h = req.headers();
    index.set(req, sent.length);
    sent.push({ url: req.url(), ...(h['authorization'] ? { authorization: h['authorization'] } : {}), ...(h['dpop'] ? { proof: h['dpop'] } : {}) });
  });
  page.on('response', async (res) => {
    const i = index.get(res.request());
    if (i === undefined) return;
    const h = await res.allHeaders();
    sent[i] = {
      ...sent[i]!,
      status: res.status(),
      ...(h['www-authenticate'] ? { wwwAuthenticate: h['www-authenticate'] } : {}),
      ...(h['dpop-nonce'] ? { dpopNonce: h['dpop-nonce'] } : {}),
    };
  });
  return sent;
}

/** The thumbprint (RFC 7638) of the key that signed `proof`. */
async function keyOf(proof: string | undefined): Promise<string> {
  const { jwk } = decodeProtectedHeader(proof ?? '');
  return calculateJwkThumbprint(jwk as JWK);
}

/** How many DPoP keys the app keeps in IndexedDB (the library's `ngx-oidc-dpop` database). */
function storedKeys(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('ngx-oidc-dpop', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('keys');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const keys = open.result.transaction('keys', 'readonly').objectStore('keys').getAllKeys();
          keys.onsuccess = () => {
            open.result.close();
            resolve(keys.result.map(String));
          };
          keys.onerror = () => reject(keys.error);
        };
      }),
  );
}

async function callApi(page: Page, sent: Sent[], expectedRequests: number): Promise<void> {
  const before = sent.filter((s) => s.url === API_ME).length;
  await page.getByTestId('call-api').click();
  await expect(page.getByTestId('api-result')).toContainText('DPoP-bound access token');
  await expect.poll(() => sent.filter((s) => s.url === API_ME && s.status !== undefined).length).toBe(before + expectedRequests);
}

test.describe('DPoP (RFC 9449)', () => {
  test('d1. signs in with bound tokens; the provider and the API each demand a nonce once; a refresh keeps the key', async ({ page }) => {
    await useFlow(page, 'dpop');
    const seen = watchProvider(page);
    const toIdp = watchProofs(page, IDP);
    const toApi = watchProofs(page, API_ORIGIN);
    await signIn(page);
    await expect(page.getByTestId('token-binding')).toHaveText('DPoP-bound');

    // RFC 9449 10: the code is bound to the key by dpop_jkt.
    const jkt = seen.find((r) => r.url.pathname === '/auth')?.url.searchParams.get('dpop_jkt');
    expect(jkt).toMatch(/^[\w-]{43}$/);
    // RFC 9449 8: the first token request has no nonce, the provider answers use_dpop_nonce, one retry carries it.
    expect(tokenRequests(seen, 'authorization_code')).toHaveLength(2);
    const exchanges = toIdp.filter((s) => s.url === `${IDP}/token`);
    expect(exchanges.map((s) => s.status)).toEqual([400, 200]);
    expect(decodeJwt(exchanges[0]!.proof!)['nonce']).toBeUndefined();
    expect(decodeJwt(exchanges[1]!.proof!)['nonce']).toBe(exchanges[0]!.dpopNonce);
    for (const exchange of exchanges) expect(await keyOf(exchange.proof)).toBe(jkt);
    expect(decodeJwt(exchanges[1]!.proof!)).toMatchObject({ htm: 'POST', htu: `${IDP}/token` });

    const session = await storedSession(page);
    expect(session).toMatchObject({ tokenType: 'DPoP' });
    expect(decodeJwt(session!.accessToken)['cnf']).toEqual({ jkt });
    expect(await storedKeys(page)).toEqual(['default']);

    // RFC 9449 9: the API demands its own nonce once; the library retries once, then keeps it.
    await callApi(page, toApi, 2);
    const first = toApi.filter((s) => s.url === API_ME);
    expect(first.map((s) => s.status)).toEqual([401, 200]);
    expect(first[0]!.wwwAuthenticate).toContain('error="use_dpop_nonce"');
    expect(decodeJwt(first[1]!.proof!)['nonce']).toBe(first[0]!.dpopNonce);
    expect(first[1]!.authorization).toBe(`DPoP ${session!.accessToken}`);
    await callApi(page, toApi, 1);

    // A refresh: one request (the provider's nonce is remembered), signed by the same key.
    await page.getByTestId('refresh').click();
    await expect.poll(() => tokenRequests(seen, 'refresh_token').length).toBe(1);
    await expect.poll(async () => (await storedSession(page))?.accessToken).not.toBe(session!.accessToken);
    const refresh = toIdp.filter((s) => s.url === `${IDP}/token`).at(-1)!;
    expect(refresh.status).toBe(200);
    expect(await keyOf(refresh.proof)).toBe(jkt);
    const renewed = await storedSession(page);
    expect(renewed).toMatchObject({ tokenType: 'DPoP' });
    expect(decodeJwt(renewed!.accessToken)['cnf']).toEqual({ jkt });
    await callApi(page, toApi, 1);
    expect(toApi.filter((s) => s.url === API_ME).at(-1)!.authorization).toBe(`DPoP ${renewed!.accessToken}`);
  });

  test('d2. the API refuses the token as Bearer, a replayed proof and a proof for another URL; logout deletes the key', async ({ page }) => {
    await useFlow(page, 'dpop');
    const toApi = watchProofs(page, API_ORIGIN);
    await signIn(page);
    await callApi(page, toApi, 2);
    const accepted = toApi.filter((s) => s.url === API_ME && s.status === 200).at(-1)!;
    const token = accepted.authorization!.slice('DPoP '.length);

    const asBearer = await fetch(API_ME, { headers: { authorization: `Bearer ${token}` } });
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get('www-authenticate')).toMatch(/^DPoP /);

    const replayed = await fetch(API_ME, { headers: { authorization: accepted.authorization!, dpop: accepted.proof! } });
    expect(replayed.status).toBe(401);
    expect(replayed.headers.get('www-authenticate')).toContain('error="invalid_dpop_proof"');
    expect(replayed.headers.get('www-authenticate')).toContain('used before');

    // The proof that met use_dpop_nonce was never accepted, so only its URL is wrong at /api/orders.
    const unused = toApi.find((s) => s.url === API_ME && s.status === 401)!;
    const elsewhere = await fetch(`${API_ORIGIN}/api/orders`, { headers: { authorization: unused.authorization!, dpop: unused.proof! } });
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.headers.get('www-authenticate')).toContain('htu');

    expect(await storedKeys(page)).toEqual(['default']);
    await page.getByTestId('logout').click();
    await expect(page).toHaveURL(`${APP}/`);
    await expect(page.getByTestId('auth-state')).toHaveText('unauthenticated');
    expect(await storedKeys(page)).toEqual([]);
    expect(await storedSession(page)).toBeNull();
  });
});
