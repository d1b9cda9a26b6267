import { EmbeddedJWK, calculateJwkThumbprint, decodeProtectedHeader, jwtVerify } from 'jose';
import { MemoryDPoPKeyStore } from './dpop-keys';
import {
  type DPoPAlg,
  DPoPNonces,
  chooseDPoPAlg,
  dpopPort,
  createDPoPProof,
  dpopHtu,
  dpopThumbprint,
  generateDPoPKey,
  needsDPoPNonce,
  publicJwk,
} from './dpop';
import { createHash } from 'node:crypto';
import { type OidcHttpRequest, type OidcHttpResponse, OidcError } from 'ngx-oidc';

const NOW = 1_700_000_000;

describe('chooseDPoPAlg (RFC 9449 5.1)', () => {
  it('takes ES256 by default and when listed, else the first listed one it can sign with', () => {
    expect(chooseDPoPAlg()).toBe('ES256');
    expect(chooseDPoPAlg(['RS256', 'ES256'])).toBe('ES256');
    expect(chooseDPoPAlg(['HS256', 'PS256', 'RS256'])).toBe('PS256');
  });

  it('refuses a provider that lists none it can sign with', () => {
    expect(() => chooseDPoPAlg(['HS256', 'none'])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

describe('DPoP keys', () => {
  it.each<DPoPAlg>(['ES256', 'ES384', 'PS256', 'RS256', 'Ed25519'])('makes a %s pair whose private key cannot be exported', async (alg) => {
    const key = await generateDPoPKey(alg);
    expect(key.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('jwk', key.privateKey)).rejects.toBeDefined();
    const jwk = await publicJwk(key);
    expect(jwk).not.toHaveProperty('d');
    expect(Object.keys(jwk).sort()).toEqual(jwk.kty === 'RSA' ? ['e', 'kty', 'n'] : jwk.kty === 'EC' ? ['crv', 'kty', 'x', 'y'] : ['crv', 'kty', 'x']);
  });

  it('has the RFC 7638 SHA-256 thumbprint of its public key', async () => {
    const key = await generateDPoPKey();
    expect(await dpopThumbprint(key)).toBe(await calculateJwkThumbprint(await publicJwk(key), 'sha256'));
  });

  it('are kept per config id, and removed', async () => {
    const store = new MemoryDPoPKeyStore();
    const key = await generateDPoPKey();
    await store.save('default', key);
    expect(await store.load('default')).toBe(key);
    expect(await store.load('partner')).toBeNull();
    await store.remove('default');
    expect(await store.load('default')).toBeNull();
  });
});

describe('createDPoPProof (RFC 9449 4.2)', () => {
  it('signs a dpop+jwt with the public jwk, jti, htm, htu without query or fragment, and iat', async () => {
    const key = await generateDPoPKey();
    const proof = await createDPoPProof(key, { method: 'post', url: 'https://op.example.test/token?x=1#frag', now: NOW + 0.7 });
    const header = decodeProtectedHeader(proof);
    expect(header).toEqual({ typ: 'dpop+jwt', alg: 'ES256', jwk: await publicJwk(key) });
    // Verifies with the key in its own header, as a server does (RFC 9449 4.3 (6)).
    const { payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', currentDate: new Date(NOW * 1000) });
    expect(payload).toEqual({ jti: expect.stringMatching(/^[\w-]{22}$/), htm: 'POST', htu: 'https://op.example.test/token', iat: NOW });
  });

  it('adds nonce and ath (base64url SHA-256 of the access token) when they apply', async () => {
    const key = await generateDPoPKey('PS256');
    const proof = await createDPoPProof(key, { method: 'GET', url: 'https://api.example.test/orders', nonce: 'n-1', accessToken: 'at-123', now: NOW });
    const { payload } = await jwtVerify(proof, EmbeddedJWK, { currentDate: new Date(NOW * 1000) });
    expect(payload).toMatchObject({ nonce: 'n-1', ath: createHash('sha256').update('at-123').digest('base64url'), htm: 'GET' });
  });

  it('never repeats a jti', async () => {
    const key = await generateDPoPKey();
    const jtis = new Set<unknown>();
    for (let i = 0; i < 20; i++) {
      const proof = await createDPoPProof(key, { method: 'GET', url: 'https://api.example.test/', now: NOW });
      jtis.add((await jwtVerify(proof, EmbeddedJWK, { currentDate: new Date(NOW * 1000) })).payload.jti);
    }
    expect(jtis.size).toBe(20);
  });

  it('takes scheme, host and path as the htu', () => {
    expect(dpopHtu('https://API.example.test:443/a/b?c=d#e')).toBe('https://api.example.test/a/b');
  });
});

describe('DPoP nonces (RFC 9449 8, 9)', () => {
  const answer = (status: number, body: string, headers: Record<string, string> = {}) => ({ status, body, headers });

  it('recognises a nonce demand from the authorization server and from a resource server', () => {
    expect(needsDPoPNonce(answer(400, '{"error":"use_dpop_nonce"}', { 'dpop-nonce': 'n' }))).toBe(true);
    expect(needsDPoPNonce(answer(401, '', { 'www-authenticate': 'DPoP error="use_dpop_nonce", error_description="fresh one"' }))).toBe(true);
    expect(needsDPoPNonce(answer(400, '{"error":"invalid_grant"}'))).toBe(false);
    expect(needsDPoPNonce(answer(401, '', { 'www-authenticate': 'DPoP error="invalid_token"' }))).toBe(false);
    expect(needsDPoPNonce(answer(401, '', { 'www-authenticate': 'Bearer error="use_dpop_nonce"' }))).toBe(false);
    // RFC 9110 11.6.1, 11.2: the DPoP challenge after another one, and the error as a token.
    expect(needsDPoPNonce(answer(401, '', { 'www-authenticate': 'Bearer realm="api", DPoP algs="ES256", error="use_dpop_nonce"' }))).toBe(true);
    expect(needsDPoPNonce(answer(401, '', { 'www-authenticate': 'DPoP error=use_dpop_nonce' }))).toBe(true);
    expect(needsDPoPNonce(answer(401, '', { 'www-authenticate': 'DPoPx error="use_dpop_nonce"' }))).toBe(false);
  });

  it('keeps the latest nonce per origin, and refuses malformed ones', () => {
    const nonces = new DPoPNonces();
    nonces.remember('https://op.example.test/token', { 'dpop-nonce': 'first' });
    nonces.remember('https://op.example.test/par', { 'dpop-nonce': 'second' });
    nonces.remember('https://api.example.test/orders', { 'dpop-nonce': 'api' });
    nonces.remember('https://api.example.test/orders', { 'dpop-nonce': 'bad "quote"' });
    nonces.remember('https://api.example.test/orders', {});
    expect(nonces.get('https://op.example.test/anything')).toBe('second');
    expect(nonces.get('https://api.example.test/x')).toBe('api');
    nonces.clear();
    expect(nonces.get('https://op.example.test/token')).toBeUndefined();
  });
});

describe('dpopPort: token_type (RFC 9449 5)', () => {
  const port = (allowBearer: boolean) => dpopPort({ store: new MemoryDPoPKeyStore(), configId: 'default', now: () => NOW, allowBearer });

  it('takes DPoP in any case, and refuses an unbound Bearer with DPOP_NOT_BOUND unless allowed', () => {
    expect(port(false).tokenType('dpop')).toBe('DPoP');
    expect(() => port(false).tokenType('Bearer')).toThrow(expect.objectContaining({ code: 'DPOP_NOT_BOUND' }));
    expect(port(true).tokenType('Bearer')).toBe('Bearer');
    expect(() => port(true).tokenType('mac')).toThrow(expect.objectContaining({ code: 'TOKEN_RESPONSE_INVALID' }));
  });
});

describe('dpopPort: drop (logout)', () => {
  it('deletes the key, and settles after a second when the key store does not answer', async () => {
    const store = new MemoryDPoPKeyStore();
    const port = dpopPort({ store, configId: 'default', now: () => NOW, allowBearer: false });
    await port.thumbprint();
    expect(await store.load('default')).not.toBeNull();
    await port.drop();
    expect(await store.load('default')).toBeNull();

    // A store that never answers (a blocked IndexedDB): the logout's redirect waits one second, no more.
    const stuck = new MemoryDPoPKeyStore();
    stuck.remove = () => new Promise<void>(() => undefined);
    const hanging = dpopPort({ store: stuck, configId: 'default', now: () => NOW, allowBearer: false });
    jest.useFakeTimers();
    try {
      let settled = false;
      const dropped = hanging.drop().then(() => (settled = true));
      await jest.advanceTimersByTimeAsync(999);
      expect(settled).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await dropped;
      expect(settled).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('dpopPort: a key store that hangs or fails', () => {
  const ok: OidcHttpResponse = { status: 200, headers: {}, body: '{}' };

  it('gives up on a store that does not answer after five seconds (a transient TIMEOUT, nothing sent), and asks it again next time', async () => {
    const store = new MemoryDPoPKeyStore();
    const load = store.load.bind(store);
    store.load = () => new Promise(() => undefined);
    const sent: OidcHttpRequest[] = [];
    const port = dpopPort({ store, configId: 'default', now: () => NOW }).port(async (req) => (sent.push(req), ok));
    const request: OidcHttpRequest = { url: 'https://op.example.test/token', method: 'POST', headers: {} };
    jest.useFakeTimers();
    try {
      const first = port(request);
      const outcome = first.catch((e: unknown) => e);
      await jest.advanceTimersByTimeAsync(5000);
      expect(await outcome).toMatchObject({ code: 'TIMEOUT' });
      expect(sent).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
    // The store answers again: the next request is proved and sent.
    store.load = load;
    await expect(port(request)).resolves.toBe(ok);
    expect(sent[0]?.headers['DPoP']).toMatch(/^ey/);
  });

  it('reports a store that fails as STORAGE_UNAVAILABLE, an OidcError, with the failure as its reason', async () => {
    const store = new MemoryDPoPKeyStore();
    const failure = new DOMException('The operation failed for reasons unrelated to the database itself', 'UnknownError');
    store.save = () => Promise.reject(failure);
    const port = dpopPort({ store, configId: 'default', now: () => NOW });
    await expect(port.rotate()).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE', cause: { reason: failure } });
    await expect(port.proof({ method: 'GET', url: 'https://api.example.test/' })).rejects.toBeInstanceOf(OidcError);
  });
});
