import type { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { EmbeddedJWK, jwtVerify } from 'jose';
import { firstValueFrom } from 'rxjs';
import { createHash } from 'node:crypto';
import { AUTH_DPOP, AuthModule, withCheckAuthOnStartup } from 'ngx-oidc';
import { API, sentRequest, setupAuth, signIn } from '../../src/test/angular-harness';
import { deferred } from '../../src/test/helpers';
import { MemoryDPoPKeyStore } from './dpop-keys';
import { withDPoP } from './with-dpop';

const ORDERS = `${API}/orders`;

async function dpopApp() {
  const keys = new MemoryDPoPKeyStore();
  const h = await setupAuth({ features: [withCheckAuthOnStartup(), withDPoP({ keyStore: keys })] });
  await signIn(h);
  return { ...h, keys };
}

async function claimsOf(proof: string | null, now: number) {
  return (await jwtVerify(proof ?? '', EmbeddedJWK, { typ: 'dpop+jwt', currentDate: new Date(now * 1000) })).payload;
}

/** The request to `url`, once the interceptor has sent it: the proof is signed asynchronously (real WebCrypto). */
const nextRequest = (h: { httpMock: HttpTestingController }, url: string) => sentRequest(h.httpMock, url);

type App = Awaited<ReturnType<typeof dpopApp>>;

/** Answers the request to ORDERS as a resource server that wants a DPoP nonce (RFC 9449 9). */
async function demandNonce(h: App, nonce: string): Promise<void> {
  (await nextRequest(h, ORDERS)).flush(null, {
    status: 401,
    statusText: 'Unauthorized',
    headers: { 'WWW-Authenticate': 'DPoP error="use_dpop_nonce"', 'DPoP-Nonce': nonce },
  });
}

/** The nonce in the proof of the app's next request to the API's origin. */
async function nonceOfNextRequest(h: App): Promise<unknown> {
  const next = firstValueFrom(h.http.get(`${API}/profile`));
  const sent = await nextRequest(h, `${API}/profile`);
  const { nonce } = await claimsOf(sent.request.headers.get('DPoP'), h.clock.now);
  sent.flush({});
  await next;
  return nonce;
}

describe('withDPoP(): bound tokens through the interceptor (RFC 9449 7)', () => {
  it('signs in with DPoP-bound tokens and sends them to secure routes with the DPoP scheme and a proof (htm, htu, ath)', async () => {
    const h = await dpopApp();
    expect(h.auth.session()?.tokenType).toBe('DPoP');
    const token = h.auth.accessToken()!;
    const response = firstValueFrom(h.http.get(`${ORDERS}?page=2`));
    const sent = await nextRequest(h, `${ORDERS}?page=2`);
    expect(sent.request.headers.get('Authorization')).toBe(`DPoP ${token}`);
    const claims = await claimsOf(sent.request.headers.get('DPoP'), h.clock.now);
    expect(claims).toMatchObject({ htm: 'GET', htu: ORDERS, ath: createHash('sha256').update(token).digest('base64url') });
    sent.flush({ ok: true });
    await expect(response).resolves.toEqual({ ok: true });
  });

  it('answers a resource server nonce demand with exactly one retry carrying the nonce', async () => {
    const h = await dpopApp();
    const response = firstValueFrom(h.http.get(ORDERS));
    await demandNonce(h, 'rs-nonce-1');
    const retry = await nextRequest(h, ORDERS);
    expect((await claimsOf(retry.request.headers.get('DPoP'), h.clock.now))['nonce']).toBe('rs-nonce-1');
    retry.flush({ ok: 'again' });
    await expect(response).resolves.toEqual({ ok: 'again' });
    // The nonce is remembered for the next request to that origin.
    expect(await nonceOfNextRequest(h)).toBe('rs-nonce-1');
  });

  it('keeps the nonce of a refused retry too: the next request carries the newest one', async () => {
    const h = await dpopApp();
    const response = firstValueFrom(h.http.get(ORDERS));
    await demandNonce(h, 'rs-nonce-1');
    (await nextRequest(h, ORDERS)).flush(null, { status: 403, statusText: 'Forbidden', headers: { 'DPoP-Nonce': 'rs-nonce-2' } });
    await expect(response).rejects.toMatchObject({ status: 403 });
    expect(await nonceOfNextRequest(h)).toBe('rs-nonce-2');
  });

  it('sends plain Bearer tokens when the provider did not bind them and allowBearer is set, and none to other origins', async () => {
    const h = await setupAuth({ features: [withCheckAuthOnStartup(), withDPoP({ keyStore: new MemoryDPoPKeyStore(), allowBearer: true })] });
    h.op.dpopBindsTokens = false;
    await signIn(h);
    expect(h.auth.session()?.tokenType).toBeUndefined();
    const response = firstValueFrom(h.http.get(ORDERS));
    const sent = await nextRequest(h, ORDERS);
    expect(sent.request.headers.get('Authorization')).toBe(`Bearer ${h.auth.accessToken()}`);
    expect(sent.request.headers.has('DPoP')).toBe(false);
    sent.flush({});
    await response;
    const foreign = firstValueFrom(h.http.get('https://other.example.test/x'));
    const other = h.httpMock.expectOne('https://other.example.test/x');
    expect(other.request.headers.has('Authorization')).toBe(false);
    expect(other.request.headers.has('DPoP')).toBe(false);
    other.flush({});
    await foreign;
  });

  it('leaves a config with useDPoP: false on Bearer tokens: no key, no proof, no dpop_jkt', async () => {
    const keys = new MemoryDPoPKeyStore();
    const h = await setupAuth({ config: { useDPoP: false }, features: [withCheckAuthOnStartup(), withDPoP({ keyStore: keys })] });
    await signIn(h);
    const authorize = h.redirects.find((url) => url.startsWith(h.op.issuer));
    expect(authorize && new URL(authorize).searchParams.has('client_id')).toBe(true);
    expect(new URL(authorize!).searchParams.has('dpop_jkt')).toBe(false);
    expect(h.op.dpopKeys).toEqual([]);
    expect(await keys.load('default')).toBeNull();
    expect(h.auth.session()?.tokenType).toBeUndefined();
    const response = firstValueFrom(h.http.get(ORDERS));
    const sent = h.httpMock.expectOne(ORDERS);
    expect(sent.request.headers.get('Authorization')).toBe(`Bearer ${h.auth.accessToken()}`);
    expect(sent.request.headers.has('DPoP')).toBe(false);
    sent.flush({});
    await response;
  });

  it('logout sends the browser away only once the key is deleted (leaving could abort the deletion)', async () => {
    const h = await dpopApp();
    const removing = deferred();
    const removal = deferred();
    const remove = jest.spyOn(h.keys, 'remove').mockImplementation(() => {
      removing.resolve();
      return removal.promise;
    });
    const before = h.redirects.length;
    // Fake timers: the port's cap on the wait for the deletion cannot run out meanwhile.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const done = h.auth.logout({ revoke: false });
      await removing.promise;
      // The rest of the logout (no revocation: no request, no crypto) is done once the microtasks have run.
      await jest.advanceTimersByTimeAsync(0);
      expect(remove).toHaveBeenCalledWith('default');
      expect(h.auth.isAuthenticated()).toBe(false);
      expect(h.redirects.length).toBe(before);
      removal.resolve();
      await done;
    } finally {
      jest.useRealTimers();
    }
    expect(h.redirects.length).toBe(before + 1);
    expect(h.redirects.at(-1)?.startsWith(`${h.op.issuer}/session/end?`)).toBe(true);
  });

  it('deletes the key at logout', async () => {
    const h = await dpopApp();
    expect(await h.keys.load('default')).not.toBeNull();
    const remove = jest.spyOn(h.keys, 'remove');
    h.auth.logoutLocal();
    // The deletion the logout started, joined.
    expect(remove).toHaveBeenCalledWith('default');
    await remove.mock.results[0]!.value;
    expect(await h.keys.load('default')).toBeNull();
  });

  it('logoutLocal signs out at once and settles once the key is deleted, so the app can wait before leaving', async () => {
    const h = await dpopApp();
    const removal = deferred();
    const remove = jest.spyOn(h.keys, 'remove').mockImplementation(() => removal.promise);
    // Fake timers: the port's cap on the wait for the deletion cannot run out meanwhile.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      let settled = false;
      const dropped = h.auth.logoutLocal().then(() => (settled = true));
      expect(h.auth.isAuthenticated()).toBe(false);
      expect(remove).toHaveBeenCalledWith('default');
      await jest.advanceTimersByTimeAsync(0);
      expect(settled).toBe(false);
      removal.resolve();
      await dropped;
      expect(settled).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('is off unless asked for, and NgModule apps add it as a feature', () => {
    TestBed.configureTestingModule({ providers: [] });
    expect(TestBed.inject(AUTH_DPOP)).toBeNull();
    TestBed.resetTestingModule();
    const config = { authority: 'https://op.example.test', clientId: 'spa', redirectUrl: 'https://app.example.test/cb' };
    TestBed.configureTestingModule({ imports: [AuthModule.forRoot({ config, features: [withDPoP()] })] });
    expect(TestBed.inject(AUTH_DPOP)).toEqual(expect.objectContaining({ port: expect.any(Function) }));
  });
});
