import { CompactSign, SignJWT } from 'jose';
import { type FakeAlg, FakeProvider } from '../../test/fake-provider';
import { base64url } from './random';
import { MemoryStorage, Store } from './storage';
import { type IdTokenClaims, type IdTokenExpectations, allowedIdTokenAlgs, validateIdToken } from './id-token';
import { type KeyResolver, jwksKeyResolver } from './jwks';

const NOW = 1_700_000_000;
const NONCE = 'n-0S6_WzA2Mj';

async function setup(alg: FakeAlg = 'RS256') {
  let now = NOW;
  const op = await FakeProvider.create({ alg, now: () => now });
  const keys: KeyResolver = jwksKeyResolver({
    jwksUri: op.metadata().jwks_uri,
    fetchJson: op.fetchJson,
    store: new Store(new MemoryStorage(), 'test'),
    now: () => now,
    ttlSeconds: 3600,
  });
  const expected: IdTokenExpectations = {
    issuer: op.issuer,
    clientId: op.clientId,
    algorithms: ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'],
    now: NOW,
    clockSkewSeconds: 60,
    maxIatOffsetSeconds: 120,
    nonce: NONCE,
  };
  const token = (claims: Record<string, unknown> = {}) => op.sign(op.claims({ nonce: NONCE, ...claims }));
  return { op, keys, expected, token, advance: (s: number) => (now += s) };
}

/** Builds `header.payload.signature` by hand, for tokens jose refuses to make. */
function handMade(header: object, payload: object, signature = ''): string {
  const enc = (o: object) => base64url(new TextEncoder().encode(JSON.stringify(o)));
  return `${enc(header)}.${enc(payload)}.${signature}`;
}

describe('validateIdToken: signature and algorithm (OIDC Core 3.1.3.7 (6)-(8))', () => {
  it.each<FakeAlg>(['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'])('accepts a token signed with %s', async (alg) => {
    const { keys, expected, token } = await setup(alg);
    const claims = await validateIdToken(await token(), keys, expected);
    expect(claims.sub).toBe('alice');
    expect(claims.nonce).toBe(NONCE);
  });

  it('rejects alg none', async () => {
    const { op, keys, expected } = await setup();
    const jwt = handMade({ alg: 'none' }, op.claims({ nonce: NONCE }));
    await expect(validateIdToken(jwt, keys, expected)).rejects.toMatchObject({ code: 'ID_TOKEN_ALG_NOT_ALLOWED' });
  });

  it('rejects HS256 even when it is listed as allowed', async () => {
    const { op, keys, expected } = await setup();
    const secret = new TextEncoder().encode('a-shared-secret-of-thirty-two-bytes!');
    const jwt = await new SignJWT(op.claims({ nonce: NONCE })).setProtectedHeader({ alg: 'HS256' }).sign(secret);
    await expect(validateIdToken(jwt, keys, { ...expected, algorithms: ['HS256', 'RS256'] })).rejects.toMatchObject({
      code: 'ID_TOKEN_ALG_NOT_ALLOWED',
    });
  });

  it('rejects an asymmetric alg that is not allowed', async () => {
    const { keys, expected, token } = await setup('ES256');
    await expect(validateIdToken(await token(), keys, { ...expected, algorithms: ['RS256'] })).rejects.toMatchObject({
      code: 'ID_TOKEN_ALG_NOT_ALLOWED',
      cause: { actual: 'ES256' },
    });
  });

  it('rejects a flipped signature', async () => {
    const { keys, expected, token } = await setup();
    const jwt = await token();
    const last = jwt.at(-2) === 'A' ? 'B' : 'A';
    const flipped = `${jwt.slice(0, -2)}${last}${jwt.slice(-1)}`;
    await expect(validateIdToken(flipped, keys, expected)).rejects.toMatchObject({ code: 'ID_TOKEN_SIGNATURE_INVALID' });
  });

  it('rejects a payload changed after signing', async () => {
    const { op, keys, expected, token } = await setup();
    const [header, , signature] = (await token()).split('.');
    const forged = base64url(new TextEncoder().encode(JSON.stringify(op.claims({ nonce: NONCE, sub: 'mallory' }))));
    await expect(validateIdToken(`${header}.${forged}.${signature}`, keys, expected)).rejects.toMatchObject({
      code: 'ID_TOKEN_SIGNATURE_INVALID',
    });
  });

  it('rejects a token signed by a key the provider does not publish', async () => {
    const { op, keys, expected } = await setup();
    const stranger = await FakeProvider.generateKey('RS256');
    const jwt = await op.sign(op.claims({ nonce: NONCE }), { key: { ...stranger, kid: op.keys[0]!.kid } });
    await expect(validateIdToken(jwt, keys, expected)).rejects.toMatchObject({ code: 'ID_TOKEN_SIGNATURE_INVALID' });
  });

  it('accepts a token without kid by trying every fitting key', async () => {
    const { op, keys, expected } = await setup();
    const signer = op.keys[0]!;
    await op.rotateKeys('RS256', true); // JWKS now has two RSA keys; the new one comes first
    op.keys = [op.keys[0]!, signer];
    const jwt = await op.sign(op.claims({ nonce: NONCE }), { key: signer, omitKid: true });
    await expect(validateIdToken(jwt, keys, expected)).resolves.toMatchObject({ sub: 'alice' });
  });

  it('follows a key rotation: an unknown kid refetches the JWKS once', async () => {
    const { op, keys, expected, token, advance } = await setup();
    await validateIdToken(await token(), keys, expected);
    advance(60);
    await op.rotateKeys();
    await expect(validateIdToken(await token({ iat: NOW + 60, exp: NOW + 360 }), keys, { ...expected, now: NOW + 60 }))
      .resolves.toMatchObject({ sub: 'alice' });
    expect(op.count('jwks')).toBe(2);
  });

  it('follows a key rotation for tokens without kid', async () => {
    const { op, keys, expected, token, advance } = await setup();
    await validateIdToken(await token(), keys, expected);
    advance(60);
    await op.rotateKeys();
    const jwt = await op.sign(op.claims({ nonce: NONCE, iat: NOW + 60, exp: NOW + 360 }), { omitKid: true });
    await expect(validateIdToken(jwt, keys, { ...expected, now: NOW + 60 })).resolves.toMatchObject({ sub: 'alice' });
    expect(op.count('jwks')).toBe(2);
  });

  it.each([
    ['not a JWT', 'abc'],
    ['an encrypted token (5 parts)', 'a.b.c.d.e'],
    ['a header that is not base64url JSON', '!!!.e30.sig'],
    ['a header without alg', handMade({ typ: 'JWT' }, {})],
    ['a kid that is not a string', handMade({ alg: 'RS256', kid: 7 }, {})],
  ])('rejects %s as malformed', async (_name, jwt) => {
    const { keys, expected } = await setup();
    await expect(validateIdToken(jwt, keys, expected)).rejects.toMatchObject({ code: 'ID_TOKEN_MALFORMED' });
  });

  it('rejects a signed payload that is not a JSON object', async () => {
    const { op, keys, expected } = await setup();
    const key = op.keys[0]!;
    for (const payload of ['not json', '[1,2]']) {
      const jwt = await new CompactSign(new TextEncoder().encode(payload))
        .setProtectedHeader({ alg: 'RS256', kid: key.kid })
        .sign(key.privateKey);
      await expect(validateIdToken(jwt, keys, expected)).rejects.toMatchObject({ code: 'ID_TOKEN_MALFORMED' });
    }
  });
});

describe('validateIdToken: claims (OIDC Core 3.1.3.7)', () => {
  it.each([
    ['wrong iss', { iss: 'https://evil.example.test' }, 'ID_TOKEN_ISS_MISMATCH'],
    ['iss with a trailing slash', { iss: 'https://op.example.test/' }, 'ID_TOKEN_ISS_MISMATCH'],
    ['missing iss', { iss: undefined }, 'ID_TOKEN_ISS_MISMATCH'],
    ['missing sub', { sub: undefined }, 'ID_TOKEN_SUB_MISSING'],
    ['empty sub', { sub: '' }, 'ID_TOKEN_SUB_MISSING'],
    ['aud of another client', { aud: 'other' }, 'ID_TOKEN_AUD_MISMATCH'],
    ['missing aud', { aud: undefined }, 'ID_TOKEN_AUD_MISMATCH'],
    ['aud with a foreign extra audience', { aud: ['spa', 'evil'], azp: 'spa' }, 'ID_TOKEN_AUD_MISMATCH'],
    ['several audiences without azp', { aud: ['spa', 'api'] }, 'ID_TOKEN_AZP_MISMATCH'],
    ['azp of another client', { azp: 'other' }, 'ID_TOKEN_AZP_MISMATCH'],
    ['exp in the past beyond skew', { exp: NOW - 61 }, 'ID_TOKEN_EXPIRED'],
    ['missing exp', { exp: undefined }, 'ID_TOKEN_EXPIRED'],
    ['exp as a string', { exp: String(NOW + 300) }, 'ID_TOKEN_EXPIRED'],
    ['missing iat', { iat: undefined }, 'ID_TOKEN_IAT_INVALID'],
    ['iat too far in the future', { iat: NOW + 121 }, 'ID_TOKEN_IAT_INVALID'],
    ['iat too old', { iat: NOW - 121 }, 'ID_TOKEN_IAT_INVALID'],
    ['a stale nonce', { nonce: 'an-earlier-nonce' }, 'ID_TOKEN_NONCE_MISMATCH'],
    ['missing nonce', { nonce: undefined }, 'ID_TOKEN_NONCE_MISMATCH'],
    ['auth_time that is not a number', { auth_time: 'yesterday' }, 'ID_TOKEN_AUTH_TIME_INVALID'],
  ])('rejects %s', async (_name, claims, code) => {
    const { keys, expected, token } = await setup();
    await expect(validateIdToken(await token(claims), keys, { ...expected, trustedAudiences: ['api'] })).rejects.toMatchObject({ code });
  });

  it('accepts exp within the clock skew, and trusted extra audiences with azp', async () => {
    const { keys, expected, token } = await setup();
    await expect(validateIdToken(await token({ exp: NOW - 30 }), keys, expected)).resolves.toMatchObject({ exp: NOW - 30 });
    await expect(
      validateIdToken(await token({ aud: ['spa', 'api'], azp: 'spa' }), keys, { ...expected, trustedAudiences: ['api'] }),
    ).resolves.toMatchObject({ azp: 'spa' });
  });

  it('rejects when no nonce was expected at login', async () => {
    const { keys, expected, token } = await setup();
    const { nonce: _dropped, ...withoutNonce } = expected;
    await expect(validateIdToken(await token(), keys, withoutNonce)).rejects.toMatchObject({ code: 'ID_TOKEN_NONCE_MISMATCH' });
  });

  it('requires a recent auth_time when max_age was sent (3.1.3.7 (13))', async () => {
    const { keys, expected, token } = await setup();
    const withMaxAge = { ...expected, maxAge: 300 };
    await expect(validateIdToken(await token({ auth_time: NOW - 100 }), keys, withMaxAge)).resolves.toMatchObject({ auth_time: NOW - 100 });
    await expect(validateIdToken(await token(), keys, withMaxAge)).rejects.toMatchObject({ code: 'ID_TOKEN_AUTH_TIME_INVALID' });
    await expect(validateIdToken(await token({ auth_time: NOW - 361 }), keys, withMaxAge)).rejects.toMatchObject({
      code: 'ID_TOKEN_AUTH_TIME_INVALID',
    });
  });
});

describe('validateIdToken: acr asked for with acr_values (OIDC Core 3.1.3.7 (12), RFC 9470 4)', () => {
  it('accepts an acr among the values asked for', async () => {
    const { keys, expected, token } = await setup();
    const asked = { ...expected, acrValues: ['urn:pwd+otp', 'urn:hardware-key'] };
    await expect(validateIdToken(await token({ acr: 'urn:hardware-key' }), keys, asked)).resolves.toMatchObject({ acr: 'urn:hardware-key' });
  });

  it.each([
    ['a weaker acr', { acr: 'urn:pwd' }],
    ['no acr', {}],
    ['an acr that is not a string', { acr: ['urn:hardware-key'] }],
  ])('rejects %s', async (_name, claims) => {
    const { keys, expected, token } = await setup();
    await expect(validateIdToken(await token(claims), keys, { ...expected, acrValues: ['urn:hardware-key'] })).rejects.toMatchObject({
      code: 'ID_TOKEN_ACR_MISMATCH',
      cause: { expected: ['urn:hardware-key'] },
    });
  });

  it('does not look at acr when none was asked for', async () => {
    const { keys, expected, token } = await setup();
    await expect(validateIdToken(await token({ acr: 'urn:pwd' }), keys, expected)).resolves.toMatchObject({ acr: 'urn:pwd' });
  });
});

describe('validateIdToken: at_hash (OIDC Core 3.2.2.9)', () => {
  it.each<FakeAlg>(['RS256', 'ES384', 'EdDSA'])('accepts the right at_hash under %s and rejects another', async (alg) => {
    const { keys, expected, token } = await setup(alg);
    const atHash = await FakeProvider.atHash('access-token-1', alg);
    const jwt = await token({ at_hash: atHash });
    await expect(validateIdToken(jwt, keys, { ...expected, accessToken: 'access-token-1' })).resolves.toMatchObject({ at_hash: atHash });
    await expect(validateIdToken(jwt, keys, { ...expected, accessToken: 'access-token-2' })).rejects.toMatchObject({
      code: 'ID_TOKEN_AT_HASH_MISMATCH',
    });
  });

  it('skips at_hash when absent', async () => {
    const { keys, expected, token } = await setup();
    await expect(validateIdToken(await token(), keys, { ...expected, accessToken: 'any' })).resolves.toMatchObject({ sub: 'alice' });
  });
});

describe('validateIdToken: after a refresh (OIDC Core 12.2)', () => {
  async function refreshSetup() {
    const s = await setup();
    const first = (await validateIdToken(await s.token({ auth_time: NOW - 10 }), s.keys, s.expected)) as IdTokenClaims;
    const { nonce: _n, ...refreshExpected } = s.expected;
    return { ...s, first, refreshExpected: { ...refreshExpected, previous: first } };
  }

  it('accepts the same iss, sub, aud and auth_time, with or without the first nonce', async () => {
    const { op, keys, refreshExpected } = await refreshSetup();
    const withNonce = await op.sign(op.claims({ auth_time: NOW - 10, nonce: NONCE }));
    const withoutNonce = await op.sign(op.claims({ auth_time: NOW - 10 }));
    await expect(validateIdToken(withNonce, keys, refreshExpected)).resolves.toMatchObject({ sub: 'alice' });
    await expect(validateIdToken(withoutNonce, keys, refreshExpected)).resolves.toMatchObject({ sub: 'alice' });
  });

  it.each([
    ['another sub', { sub: 'mallory' }],
    ['another aud', { aud: ['spa', 'api'], azp: 'spa' }],
    ['a changed auth_time', { auth_time: NOW }],
  ])('rejects %s', async (_name, claims) => {
    const { op, keys, refreshExpected } = await refreshSetup();
    const jwt = await op.sign(op.claims({ auth_time: NOW - 10, ...claims }));
    await expect(validateIdToken(jwt, keys, { ...refreshExpected, trustedAudiences: ['api'] })).rejects.toMatchObject({
      code: 'ID_TOKEN_REFRESH_MISMATCH',
    });
  });

  it('rejects another nonce unless ignoreNonceAfterRefresh', async () => {
    const { op, keys, refreshExpected } = await refreshSetup();
    const jwt = await op.sign(op.claims({ auth_time: NOW - 10, nonce: 'another' }));
    await expect(validateIdToken(jwt, keys, refreshExpected)).rejects.toMatchObject({ code: 'ID_TOKEN_NONCE_MISMATCH' });
    await expect(validateIdToken(jwt, keys, { ...refreshExpected, ignoreNonceAfterRefresh: true })).resolves.toMatchObject({
      nonce: 'another',
    });
  });
});

describe('allowedIdTokenAlgs', () => {
  it('keeps the configured algorithms the provider advertises, never none or HS*', () => {
    expect(allowedIdTokenAlgs(['RS256', 'ES256', 'HS256', 'none'], ['RS256', 'HS256', 'none'])).toEqual(['RS256']);
    expect(allowedIdTokenAlgs(['PS256'], ['RS256'])).toEqual([]);
  });
});
