import { FakeProvider } from '../../test/fake-provider';
import { authorizationParams, authorizationUrl } from './authorize';
import { validateCallback } from './authorization-response';
import { parseCallbackUrl } from './authorization-response';
import { OidcError } from './errors';
import { send } from './http-exchange';
import { createPkcePair } from './pkce';
import { randomString } from './random';
import { revokeToken } from './revocation';
import { authorizationCodeGrantRequest, processTokenResponse } from './token';
import { fetchUserInfo, processUserInfoResponse, userInfoRequest } from './userinfo';
import { caught, answer } from '../../test/helpers';

const redirectUri = 'https://app.example.test/callback';

/** Signs `sub` in at a fresh fake provider and returns a real access token. */
async function signedIn(sub = 'alice') {
  const op = await FakeProvider.create();
  const state = randomString();
  const pkce = await createPkcePair();
  const url = authorizationUrl(
    op.metadata().authorization_endpoint,
    authorizationParams({ clientId: op.clientId, redirectUri, scope: 'openid', state, nonce: randomString(), codeChallenge: pkce.codeChallenge }),
  );
  const { code } = validateCallback(parseCallbackUrl(await op.authorize(url, { sub })), { state, issuer: op.issuer, issParameterSupported: true });
  const tokenRes = await send(
    op.fetchJson,
    authorizationCodeGrantRequest(op.metadata().token_endpoint, { clientId: op.clientId, code, redirectUri, codeVerifier: pkce.codeVerifier }),
  );
  const { accessToken } = processTokenResponse(tokenRes, { now: 0 });
  return { op, accessToken, endpoint: op.metadata().userinfo_endpoint! };
}

describe('userInfoRequest', () => {
  it('is a GET with the token in the Authorization header only (RFC 6750 2.1)', () => {
    const req = userInfoRequest('https://op.example.test/userinfo', 'at-1');
    expect(req).toEqual({
      url: 'https://op.example.test/userinfo',
      method: 'GET',
      headers: { Accept: 'application/json', Authorization: 'Bearer at-1' },
    });
    expect(req.url).not.toContain('at-1');
    expect(req.body).toBeUndefined();
  });
});

describe('fetchUserInfo against the fake provider', () => {
  it('returns the claims for a real access token', async () => {
    const { op, accessToken, endpoint } = await signedIn('alice');
    await expect(fetchUserInfo(endpoint, accessToken, 'alice', op.fetchJson)).resolves.toEqual({
      sub: 'alice',
      name: 'Alice Example',
      email: 'alice@example.test',
    });
    expect(op.requests.at(-1)?.headers['Authorization']).toBe(`Bearer ${accessToken}`);
  });

  it('refuses claims about another user (OIDC Core 5.3.2)', async () => {
    const { op, accessToken, endpoint } = await signedIn('mallory');
    await expect(fetchUserInfo(endpoint, accessToken, 'alice', op.fetchJson)).rejects.toMatchObject({
      code: 'USERINFO_SUB_MISMATCH',
      cause: { expected: 'alice', actual: 'mallory' },
    });
  });

  it('reports a revoked token as USERINFO_ERROR with the challenge’s error (RFC 6750 3)', async () => {
    const { op, accessToken, endpoint } = await signedIn();
    await revokeToken(op.metadata().revocation_endpoint!, { clientId: op.clientId, token: accessToken, tokenTypeHint: 'access_token' }, op.fetchJson);
    const p = fetchUserInfo(endpoint, accessToken, 'alice', op.fetchJson);
    await expect(p).rejects.toBeInstanceOf(OidcError);
    await expect(p).rejects.toMatchObject({
      code: 'USERINFO_ERROR',
      oauthError: 'invalid_token',
      cause: { status: 401, www_authenticate: 'Bearer error="invalid_token"' },
    });
  });

  it('reports no answer as NETWORK_ERROR', async () => {
    const { op, accessToken, endpoint } = await signedIn();
    op.override('userinfo', () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(fetchUserInfo(endpoint, accessToken, 'alice', op.fetchJson)).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
  });

  it('refuses a signed userinfo JWT with a clear INVALID_RESPONSE', async () => {
    const { op, accessToken, endpoint } = await signedIn();
    const jwt = await op.sign(op.claims());
    op.override('userinfo', { status: 200, headers: { 'content-type': 'application/jwt; charset=utf-8' }, body: jwt });
    const p = fetchUserInfo(endpoint, accessToken, 'alice', op.fetchJson);
    await expect(p).rejects.toMatchObject({ code: 'INVALID_RESPONSE', message: expect.stringContaining('application/jwt') });
  });
});

describe('processUserInfoResponse', () => {
  it('accepts a JSON object with the expected sub', () => {
    expect(processUserInfoResponse(answer(200, { sub: 'alice', email_verified: true }), 'alice')).toEqual({ sub: 'alice', email_verified: true });
  });

  it('accepts a JSON content type with parameters, and a missing content type', () => {
    expect(processUserInfoResponse(answer(200, { sub: 'a' }, { 'content-type': 'application/json; charset=utf-8' }), 'a').sub).toBe('a');
    expect(processUserInfoResponse(answer(200, { sub: 'a' }, {}), 'a').sub).toBe('a');
  });

  it.each([
    ['no sub', { name: 'x' }],
    ['a numeric sub', { sub: 1 }],
    ['another sub', { sub: 'bob' }],
    ['a sub differing in case', { sub: 'Alice' }],
  ])('refuses %s with USERINFO_SUB_MISMATCH', (_, body) => {
    expect(caught(() => processUserInfoResponse(answer(200, body), 'alice'))).toMatchObject({ code: 'USERINFO_SUB_MISMATCH' });
  });

  it('refuses an empty sub even when an empty one is expected', () => {
    expect(caught(() => processUserInfoResponse(answer(200, { sub: '' }), ''))).toMatchObject({ code: 'USERINFO_SUB_MISMATCH' });
  });

  it.each([
    ['HTML', answer(200, '<html></html>', { 'content-type': 'text/html' })],
    ['an empty body', answer(200, '')],
    ['an array', answer(200, [{ sub: 'alice' }])],
    ['null', answer(200, 'null')],
    ['a JWT sent as APPLICATION/JWT', answer(200, 'a.b.c', { 'content-type': 'APPLICATION/JWT' })],
  ])('reports %s as INVALID_RESPONSE', (_, r) => {
    expect(caught(() => processUserInfoResponse(r, 'alice'))).toMatchObject({ code: 'INVALID_RESPONSE' });
  });

  it('reads an unquoted error and a quoted, escaped error_description from the challenge', () => {
    const header = 'Bearer realm="api", error=insufficient_scope, error_description="needs \\"openid\\"", scope="openid"';
    const e = caught(() => processUserInfoResponse(answer(403, '', { 'www-authenticate': header }), 'alice'));
    expect(e).toMatchObject({
      code: 'USERINFO_ERROR',
      cause: { status: 403, error: 'insufficient_scope', error_description: 'needs "openid"', www_authenticate: header },
    });
  });

  it('falls back to an OAuth error body when the challenge has no error', () => {
    const e = caught(() =>
      processUserInfoResponse(answer(401, { error: 'invalid_token', error_description: 'expired' }, { 'www-authenticate': 'Bearer realm="op"' }), 'alice'),
    );
    expect(e).toMatchObject({ code: 'USERINFO_ERROR', cause: { status: 401, error: 'invalid_token', error_description: 'expired' } });
  });

  it('reports a 500 HTML page as USERINFO_ERROR with the status and no error', () => {
    const e = caught(() => processUserInfoResponse(answer(500, '<html></html>', { 'content-type': 'text/html' }), 'alice'));
    expect(e).toMatchObject({ code: 'USERINFO_ERROR', cause: { status: 500 } });
    expect((e as OidcError).cause).not.toHaveProperty('error');
    expect((e as OidcError).cause).not.toHaveProperty('www_authenticate');
  });

  it('does not mistake error_description for error', () => {
    const e = caught(() => processUserInfoResponse(answer(401, '', { 'www-authenticate': 'Bearer error_description="x"' }), 'alice'));
    expect((e as OidcError).cause).not.toHaveProperty('error');
  });
});
