import { FakeProvider, type FakeProviderOptions } from '../../test/fake-provider';
import { authorizationParams, authorizationUrl } from './authorize';
import { validateCallback } from './authorization-response';
import { parseCallbackUrl } from './authorization-response';
import { OidcError } from './errors';
import { type OidcHttpRequest } from './http';
import { send } from './http-exchange';
import { createPkcePair } from './pkce';
import { randomString } from './random';
import { type TokenSet, authorizationCodeGrantRequest, processTokenResponse, refreshTokenGrantRequest } from './token';
import { answer, caught } from '../../test/helpers';

const NOW = 1_700_000_000;
const redirectUri = 'https://app.example.test/callback';

function form(req: OidcHttpRequest): URLSearchParams {
  return new URLSearchParams(req.body);
}

/** A real login at the fake provider: authorization URL, callback, checked code. */
async function login(op: FakeProvider, scope = 'openid profile offline_access') {
  const state = randomString();
  const pkce = await createPkcePair();
  const url = authorizationUrl(
    op.metadata().authorization_endpoint,
    authorizationParams({ clientId: op.clientId, redirectUri, scope, state, nonce: randomString(), codeChallenge: pkce.codeChallenge }),
  );
  const { code } = validateCallback(parseCallbackUrl(await op.authorize(url)), { state, issuer: op.issuer, issParameterSupported: true });
  return { code, codeVerifier: pkce.codeVerifier };
}

async function setup(options: FakeProviderOptions = {}) {
  const op = await FakeProvider.create({ now: () => NOW, ...options });
  const tokenEndpoint = op.metadata().token_endpoint;
  const exchange = async (code: string, codeVerifier: string, clientId = op.clientId): Promise<TokenSet> =>
    processTokenResponse(await send(op.fetchJson, authorizationCodeGrantRequest(tokenEndpoint, { clientId, code, redirectUri, codeVerifier })), {
      now: NOW,
    });
  const refresh = async (refreshToken: string): Promise<TokenSet> =>
    processTokenResponse(await send(op.fetchJson, refreshTokenGrantRequest(tokenEndpoint, { clientId: op.clientId, refreshToken })), {
      now: NOW + 10,
      previousRefreshToken: refreshToken,
    });
  return { op, tokenEndpoint, exchange, refresh };
}

describe('authorizationCodeGrantRequest', () => {
  it('is a form POST with the code, redirect_uri, client_id and verifier, and no secret', () => {
    const req = authorizationCodeGrantRequest('https://op.example.test/token', {
      clientId: 'spa',
      code: 'c1',
      redirectUri,
      codeVerifier: 'v'.repeat(43),
    });
    expect(req).toMatchObject({ method: 'POST', url: 'https://op.example.test/token', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(Object.fromEntries(form(req))).toEqual({
      grant_type: 'authorization_code',
      code: 'c1',
      redirect_uri: redirectUri,
      client_id: 'spa',
      code_verifier: 'v'.repeat(43),
    });
    expect(Object.keys(req.headers).map((h) => h.toLowerCase())).not.toContain('authorization');
  });

  it('repeats resource per value (RFC 8707 2.2)', () => {
    const req = authorizationCodeGrantRequest('https://op.example.test/token', {
      clientId: 'spa',
      code: 'c1',
      redirectUri,
      codeVerifier: 'v'.repeat(43),
      resource: ['https://a.example.test/', 'https://b.example.test/'],
    });
    expect(form(req).getAll('resource')).toEqual(['https://a.example.test/', 'https://b.example.test/']);
  });

  it('refuses a resource that is not an absolute URI', () => {
    expect(
      caught(() => authorizationCodeGrantRequest('https://op/token', { clientId: 'spa', code: 'c', redirectUri, codeVerifier: 'v', resource: 'api' })),
    ).toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('refreshTokenGrantRequest', () => {
  it('is a form POST with grant_type, refresh_token and client_id only', () => {
    const req = refreshTokenGrantRequest('https://op.example.test/token', { clientId: 'spa', refreshToken: 'rt' });
    expect(req.method).toBe('POST');
    expect(Object.fromEntries(form(req))).toEqual({ grant_type: 'refresh_token', refresh_token: 'rt', client_id: 'spa' });
  });

  it('adds scope, resource and custom parameters', () => {
    const req = refreshTokenGrantRequest('https://op.example.test/token', {
      clientId: 'spa',
      refreshToken: 'rt',
      scope: 'openid api',
      resource: 'https://api.example.test/',
      customParams: { audience: 'api', n: 1, flag: false },
    });
    const f = form(req);
    expect(f.get('scope')).toBe('openid api');
    expect(f.getAll('resource')).toEqual(['https://api.example.test/']);
    expect(f.get('audience')).toBe('api');
    expect(f.get('n')).toBe('1');
    expect(f.get('flag')).toBe('false');
  });

  it('lets explicit scope and resource win over custom parameters', () => {
    const f = form(
      refreshTokenGrantRequest('https://op/token', {
        clientId: 'spa',
        refreshToken: 'rt',
        scope: 'openid',
        resource: 'https://api.example.test/',
        customParams: { scope: 'admin', resource: 'https://evil.example.test/' },
      }),
    );
    expect(f.getAll('scope')).toEqual(['openid']);
    expect(f.getAll('resource')).toEqual(['https://api.example.test/']);
  });

  it.each(['grant_type', 'client_id', 'refresh_token', 'code', 'code_verifier', 'redirect_uri', 'client_secret'])(
    'refuses a custom parameter that sets %s',
    (name) => {
      expect(caught(() => refreshTokenGrantRequest('https://op/token', { clientId: 'spa', refreshToken: 'rt', customParams: { [name]: 'x' } }))).toMatchObject({
        code: 'CONFIG_INVALID',
        cause: { key: name },
      });
    },
  );
});

describe('code exchange and refresh against the fake provider', () => {
  it('exchanges a real code for a checked TokenSet', async () => {
    const { op, exchange } = await setup();
    const { code, codeVerifier } = await login(op);
    const tokens = await exchange(code, codeVerifier);
    expect(tokens).toEqual({
      accessToken: expect.stringMatching(/^at-/),
      tokenType: 'Bearer',
      expiresAt: NOW + 300,
      idToken: expect.stringMatching(/^eyJ/),
      refreshToken: expect.stringMatching(/^rt-/),
      scope: 'openid profile offline_access',
    });
    expect(op.count('token')).toBe(1);
  });

  it('has no refresh token without offline_access', async () => {
    const { op, exchange } = await setup();
    const { code, codeVerifier } = await login(op, 'openid');
    const tokens = await exchange(code, codeVerifier);
    expect(tokens).not.toHaveProperty('refreshToken');
  });

  it('sets expiresAt to null when the provider sends no expires_in', async () => {
    const { op, exchange } = await setup({ accessTokenTtl: null });
    const { code, codeVerifier } = await login(op);
    expect((await exchange(code, codeVerifier)).expiresAt).toBeNull();
  });

  it('refuses a code used twice with TOKEN_ERROR invalid_grant', async () => {
    const { op, exchange } = await setup();
    const { code, codeVerifier } = await login(op);
    await exchange(code, codeVerifier);
    await expect(exchange(code, codeVerifier)).rejects.toMatchObject({ code: 'TOKEN_ERROR', oauthError: 'invalid_grant', cause: { status: 400 } });
  });

  it('refuses a wrong PKCE verifier with TOKEN_ERROR invalid_grant', async () => {
    const { op, exchange } = await setup();
    const { code } = await login(op);
    const other = await createPkcePair();
    await expect(exchange(code, other.codeVerifier)).rejects.toMatchObject({
      code: 'TOKEN_ERROR',
      oauthError: 'invalid_grant',
      cause: { error_description: 'PKCE verification failed' },
    });
  });

  it('reports an unknown client as TOKEN_ERROR invalid_client (401)', async () => {
    const { op, exchange } = await setup();
    const { code, codeVerifier } = await login(op);
    await expect(exchange(code, codeVerifier, 'other')).rejects.toMatchObject({ code: 'TOKEN_ERROR', oauthError: 'invalid_client', cause: { status: 401 } });
  });

  it('rotates refresh tokens and refuses a reused one', async () => {
    const { op, exchange, refresh } = await setup();
    const { code, codeVerifier } = await login(op);
    const first = await exchange(code, codeVerifier);
    const second = await refresh(first.refreshToken!);
    const third = await refresh(second.refreshToken!);
    expect(second.refreshToken).toMatch(/^rt-/);
    expect(third.refreshToken).toMatch(/^rt-/);
    expect(new Set([first.refreshToken, second.refreshToken, third.refreshToken]).size).toBe(3);
    expect(new Set([first.accessToken, second.accessToken, third.accessToken]).size).toBe(3);
    expect(third.expiresAt).toBe(NOW + 10 + 300);
    const reuse = refresh(first.refreshToken!);
    await expect(reuse).rejects.toBeInstanceOf(OidcError);
    await expect(reuse).rejects.toMatchObject({ code: 'TOKEN_ERROR', oauthError: 'invalid_grant' });
  });

  it('keeps the previous refresh token when the provider does not rotate (RFC 6749 6)', async () => {
    const { op, exchange, refresh } = await setup({ rotateRefreshTokens: false });
    const { code, codeVerifier } = await login(op);
    const first = await exchange(code, codeVerifier);
    const second = await refresh(first.refreshToken!);
    const third = await refresh(second.refreshToken!);
    expect(second.refreshToken).toBe(first.refreshToken);
    expect(third.refreshToken).toBe(first.refreshToken);
    expect(third.accessToken).not.toBe(second.accessToken);
    expect(form(op.requests.at(-1)!).get('refresh_token')).toBe(first.refreshToken);
  });

  it('reports no answer as NETWORK_ERROR', async () => {
    const { op, refresh } = await setup();
    op.override('token', () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(refresh('rt')).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
  });

  it('reports a 500 HTML page as HTTP_ERROR', async () => {
    const { op, refresh } = await setup();
    op.override('token', { status: 500, headers: { 'content-type': 'text/html' }, body: '<html><body>Internal error</body></html>' });
    await expect(refresh('rt')).rejects.toMatchObject({ code: 'HTTP_ERROR', cause: { status: 500 } });
  });

  it('reports a 200 HTML page (a proxy login page) as INVALID_RESPONSE', async () => {
    const { op, refresh } = await setup();
    op.override('token', { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>Sign in to the proxy</html>' });
    await expect(refresh('rt')).rejects.toMatchObject({ code: 'INVALID_RESPONSE' });
  });
});

describe('processTokenResponse', () => {
  const ok = { access_token: 'at', token_type: 'Bearer', expires_in: 60 };

  it('accepts a minimal Bearer response', () => {
    expect(processTokenResponse(answer(200, ok), { now: NOW })).toEqual({ accessToken: 'at', tokenType: 'Bearer', expiresAt: NOW + 60 });
  });

  it.each(['bearer', 'BEARER', 'BeArEr'])('accepts token_type %p case-insensitively (RFC 6749 5.1)', (tokenType) => {
    expect(processTokenResponse(answer(200, { ...ok, token_type: tokenType }), { now: NOW }).tokenType).toBe('Bearer');
  });

  it('keeps previousRefreshToken when none is issued, and prefers a new one', () => {
    expect(processTokenResponse(answer(200, ok), { now: NOW, previousRefreshToken: 'old' }).refreshToken).toBe('old');
    expect(processTokenResponse(answer(200, { ...ok, refresh_token: 'new' }), { now: NOW, previousRefreshToken: 'old' }).refreshToken).toBe('new');
  });

  it('reports an OAuth error body as TOKEN_ERROR with the provider’s error', () => {
    const e = caught(() => processTokenResponse(answer(400, { error: 'invalid_grant', error_description: 'expired' }), { now: NOW }));
    expect(e).toMatchObject({ code: 'TOKEN_ERROR', oauthError: 'invalid_grant', cause: { error_description: 'expired', status: 400 } });
  });

  it.each([
    ['a 500 HTML page', answer(500, '<html></html>')],
    ['a 503 with an empty body', answer(503, '')],
    ['a 400 whose error is not a string', answer(400, { error: 42 })],
    ['a 201 success', answer(201, ok)],
  ])('reports %s as HTTP_ERROR', (_, r) => {
    expect(caught(() => processTokenResponse(r, { now: NOW }))).toMatchObject({ code: 'HTTP_ERROR' });
  });

  it.each([
    ['HTML', answer(200, '<html></html>')],
    ['an empty body', answer(200, '')],
    ['an array', answer(200, [ok])],
    ['a JSON string', answer(200, '"at"')],
    ['null', answer(200, 'null')],
  ])('reports %s as INVALID_RESPONSE', (_, r) => {
    expect(caught(() => processTokenResponse(r, { now: NOW }))).toMatchObject({ code: 'INVALID_RESPONSE' });
  });

  it.each([
    ['no access_token', { token_type: 'Bearer' }],
    ['a numeric access_token', { ...ok, access_token: 123 }],
    ['an empty access_token', { ...ok, access_token: '' }],
    ['no token_type', { access_token: 'at' }],
    ['a DPoP token_type', { ...ok, token_type: 'DPoP' }],
    ['a MAC token_type', { ...ok, token_type: 'mac' }],
    ['a numeric token_type', { ...ok, token_type: 1 }],
    ['a string expires_in', { ...ok, expires_in: '3600' }],
    ['a zero expires_in', { ...ok, expires_in: 0 }],
    ['a negative expires_in', { ...ok, expires_in: -1 }],
    ['a null expires_in', { ...ok, expires_in: null }],
    ['a numeric id_token', { ...ok, id_token: 1 }],
    ['an empty id_token', { ...ok, id_token: '' }],
    ['an object refresh_token', { ...ok, refresh_token: { v: 1 } }],
    ['an empty refresh_token', { ...ok, refresh_token: '' }],
    ['a list scope', { ...ok, scope: ['openid'] }],
  ])('reports %s as TOKEN_RESPONSE_INVALID', (_, body) => {
    expect(caught(() => processTokenResponse(answer(200, body), { now: NOW }))).toMatchObject({ code: 'TOKEN_RESPONSE_INVALID' });
  });

  it('accepts optional members of the right types', () => {
    expect(processTokenResponse(answer(200, { ...ok, id_token: 'a.b.c', refresh_token: 'r', scope: '' }), { now: NOW })).toEqual({
      accessToken: 'at',
      tokenType: 'Bearer',
      expiresAt: NOW + 60,
      idToken: 'a.b.c',
      refreshToken: 'r',
      scope: '',
    });
  });
});

describe('processTokenResponse: token_type decided by a DPoP port (RFC 9449 5)', () => {
  const answer = (tokenType: string) => ({ status: 200, headers: {}, body: JSON.stringify({ access_token: 'at', token_type: tokenType, expires_in: 60 }) });

  it('hands token_type to the port, which may accept DPoP', () => {
    const seen: unknown[] = [];
    const set = processTokenResponse(answer('dpop'), { now: 0, tokenType: (t) => (seen.push(t), 'DPoP') });
    expect(set.tokenType).toBe('DPoP');
    expect(seen).toEqual(['dpop']);
  });

  it('refuses a DPoP token type when no proof was sent', () => {
    expect(caught(() => processTokenResponse(answer('DPoP'), { now: 0 }))).toMatchObject({ code: 'TOKEN_RESPONSE_INVALID' });
  });
});
