import type { JWK } from 'jose';
import { FakeProvider } from '../../test/fake-provider';
import { MemoryStorage, Store } from './storage';
import { fetchJwks, jwksKeyResolver, parseJwks, selectVerificationKeys } from './jwks';

const rsa: JWK = { kty: 'RSA', kid: 'r1', n: 'x', e: 'AQAB' };
const ec256: JWK = { kty: 'EC', crv: 'P-256', kid: 'e1', x: 'x', y: 'y' };
const ed: JWK = { kty: 'OKP', crv: 'Ed25519', kid: 'o1', x: 'x' };

describe('selectVerificationKeys', () => {
  it('matches the key type and curve the alg needs', () => {
    const keys = [rsa, ec256, ed];
    expect(selectVerificationKeys(keys, { alg: 'RS256' })).toEqual([rsa]);
    expect(selectVerificationKeys(keys, { alg: 'PS384' })).toEqual([rsa]);
    expect(selectVerificationKeys(keys, { alg: 'ES256' })).toEqual([ec256]);
    expect(selectVerificationKeys(keys, { alg: 'ES384' })).toEqual([]);
    expect(selectVerificationKeys(keys, { alg: 'EdDSA' })).toEqual([ed]);
    expect(selectVerificationKeys(keys, { alg: 'Ed25519' })).toEqual([ed]);
  });

  it('selects by kid when the header has one, else every fitting key', () => {
    const other = { ...rsa, kid: 'r2' };
    expect(selectVerificationKeys([rsa, other], { alg: 'RS256', kid: 'r2' })).toEqual([other]);
    expect(selectVerificationKeys([rsa, other], { alg: 'RS256', kid: 'unknown' })).toEqual([]);
    expect(selectVerificationKeys([rsa, other], { alg: 'RS256' })).toEqual([rsa, other]);
  });

  it('ignores encryption keys, keys without verify and keys bound to another alg', () => {
    const enc = { ...rsa, kid: 'enc', use: 'enc' };
    const sig = { ...rsa, kid: 'sig', use: 'sig' };
    const signOnly = { ...rsa, kid: 'ops', key_ops: ['sign'] };
    const verify = { ...rsa, kid: 'ops2', key_ops: ['verify'] };
    const ps = { ...rsa, kid: 'ps', alg: 'PS256' };
    expect(selectVerificationKeys([enc, sig, signOnly, verify, ps], { alg: 'RS256' })).toEqual([sig, verify]);
    expect(selectVerificationKeys([ps], { alg: 'PS256' })).toEqual([ps]);
  });

  it('finds nothing for symmetric, none or unknown algorithms', () => {
    const oct: JWK = { kty: 'oct', k: 'c2VjcmV0' };
    for (const alg of ['HS256', 'none', 'XY123']) expect(selectVerificationKeys([rsa, oct], { alg })).toEqual([]);
  });
});

describe('parseJwks', () => {
  it('accepts a key set', () => {
    expect(parseJwks({ keys: [rsa, ec256] })).toEqual([rsa, ec256]);
    expect(parseJwks({ keys: [] })).toEqual([]);
  });

  it.each([
    ['not an object', 'keys'],
    ['no keys', {}],
    ['keys not an array', { keys: {} }],
    ['a key without kty', { keys: [{ n: 'x' }] }],
    ['a key that is not an object', { keys: ['x'] }],
    ['a private key', { keys: [{ ...rsa, d: 'secret' }] }],
    ['key_ops that is not a list', { keys: [{ ...rsa, key_ops: null }] }],
    ['key_ops with a non-string', { keys: [{ ...rsa, key_ops: ['verify', 1] }] }],
    ['a use that is not a string', { keys: [{ ...rsa, use: ['sig'] }] }],
    ['an alg that is not a string', { keys: [{ ...rsa, alg: 256 }] }],
    ['a kid that is not a string', { keys: [{ ...rsa, kid: {} }] }],
    ['a crv that is not a string', { keys: [{ ...ec256, crv: null }] }],
  ])('rejects %s', (_name, document) => {
    expect(() => parseJwks(document)).toThrow(expect.objectContaining({ code: 'JWKS_INVALID' }));
  });
});

describe('fetchJwks', () => {
  it('fetches the provider keys', async () => {
    const op = await FakeProvider.create();
    const keys = await fetchJwks(op.metadata().jwks_uri, op.fetchJson);
    expect(keys.map((k) => k.kid)).toEqual([op.keys[0]!.kid]);
  });

  it('rejects an HTML page, a server error and an unreachable provider', async () => {
    const op = await FakeProvider.create();
    const uri = op.metadata().jwks_uri;
    op.override('jwks', { status: 200, body: '<html>Sign in</html>' }, true);
    await expect(fetchJwks(uri, op.fetchJson)).rejects.toMatchObject({ code: 'JWKS_INVALID' });
    op.override('jwks', { status: 500, body: '<html>oops</html>' }, true);
    await expect(fetchJwks(uri, op.fetchJson)).rejects.toMatchObject({ code: 'HTTP_ERROR', cause: { status: 500 } });
    op.override('jwks', () => Promise.reject(new TypeError('Failed to fetch')), true);
    await expect(fetchJwks(uri, op.fetchJson)).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
  });
});

describe('jwksKeyResolver', () => {
  async function setup() {
    let now = 1_000_000;
    const op = await FakeProvider.create({ now: () => now });
    const store = new Store(new MemoryStorage(), 'test');
    const resolve = jwksKeyResolver({
      jwksUri: op.metadata().jwks_uri,
      fetchJson: op.fetchJson,
      store,
      now: () => now,
      ttlSeconds: 3600,
      refetchCooldownSeconds: 30,
    });
    return { op, store, resolve, advance: (s: number) => (now += s) };
  }

  it('fetches once and then answers from the cache', async () => {
    const { op, resolve } = await setup();
    const kid = op.keys[0]!.kid;
    await resolve({ alg: 'RS256', kid });
    await resolve({ alg: 'RS256', kid });
    expect(op.count('jwks')).toBe(1);
  });

  it('refetches once for an unknown kid (key rotation)', async () => {
    const { op, resolve, advance } = await setup();
    await resolve({ alg: 'RS256', kid: op.keys[0]!.kid });
    advance(60);
    const fresh = await op.rotateKeys();
    const keys = await resolve({ alg: 'RS256', kid: fresh.kid });
    expect(keys.map((k) => k.kid)).toEqual([fresh.kid]);
    expect(op.count('jwks')).toBe(2);
  });

  it('picks up a key rotated seconds after a fetch: an unseen kid gets its own refetch', async () => {
    const { op, resolve, advance } = await setup();
    await resolve({ alg: 'RS256', kid: op.keys[0]!.kid });
    advance(5);
    const fresh = await op.rotateKeys();
    await expect(resolve({ alg: 'RS256', kid: fresh.kid })).resolves.toMatchObject([{ kid: fresh.kid }]);
    expect(op.count('jwks')).toBe(2);
  });

  it('rate limits refetches per unseen kid, and per fetch otherwise', async () => {
    const { op, resolve, advance } = await setup();
    await resolve({ alg: 'RS256', kid: op.keys[0]!.kid });
    await expect(resolve({ alg: 'RS256', kid: 'never-seen' })).rejects.toMatchObject({ code: 'JWKS_NO_MATCHING_KEY' });
    expect(op.count('jwks')).toBe(2);
    // The same unknown kid again within the cooldown: no request (a flood of forged kids cannot hammer the provider).
    await expect(resolve({ alg: 'RS256', kid: 'never-seen' })).rejects.toMatchObject({ code: 'JWKS_NO_MATCHING_KEY' });
    expect(op.count('jwks')).toBe(2);
    // A known kid whose signature failed: once per cooldown after the last fetch.
    await expect(resolve({ alg: 'RS256', kid: op.keys[0]!.kid }, { refresh: true })).resolves.toEqual([]);
    expect(op.count('jwks')).toBe(2);
    advance(31);
    await expect(resolve({ alg: 'RS256', kid: 'never-seen' })).rejects.toMatchObject({ code: 'JWKS_NO_MATCHING_KEY' });
    expect(op.count('jwks')).toBe(3);
  });

  it('an unknown kid after a refetch is still unknown', async () => {
    const { op, resolve } = await setup();
    await expect(resolve({ alg: 'RS256', kid: 'never-seen' })).rejects.toMatchObject({ code: 'JWKS_NO_MATCHING_KEY' });
    expect(op.count('jwks')).toBe(1);
  });

  it('refetches when asked to after the cooldown, and when the cache is older than its TTL', async () => {
    const { op, resolve, advance } = await setup();
    const kid = op.keys[0]!.kid;
    await resolve({ alg: 'RS256', kid });
    advance(31);
    await resolve({ alg: 'RS256', kid }, { refresh: true });
    expect(op.count('jwks')).toBe(2);
    advance(3600);
    await resolve({ alg: 'RS256', kid });
    expect(op.count('jwks')).toBe(3);
  });

  it('drops a tampered cache and fetches again', async () => {
    const { op, store, resolve } = await setup();
    const kid = op.keys[0]!.kid;
    await resolve({ alg: 'RS256', kid });
    store.storage.write(store.keyOf('jwks'), '{not json');
    await resolve({ alg: 'RS256', kid });
    store.set('jwks', { uri: op.metadata().jwks_uri, fetchedAt: 1_000_000, keys: [{ nokty: true }] });
    await resolve({ alg: 'RS256', kid });
    expect(op.count('jwks')).toBe(3);
  });
});
