import { FakeProvider } from '../../test/fake-provider';
import { authorizationParams, authorizationUrl } from './authorize';
import { validateCallback } from './authorization-response';
import { parseCallbackUrl } from './authorization-response';
import { OidcError } from './errors';
import { send } from './http-exchange';
import { createPkcePair } from './pkce';
import { randomString } from './random';
import { processRevocationResponse, revocationRequest, revokeToken } from './revocation';
import { type TokenSet, authorizationCodeGrantRequest, processTokenResponse, refreshTokenGrantRequest } from './token';
import { caught, answer } from '../../test/helpers';

const redirectUri = 'https://app.example.test/callback';

async function signedIn(): Promise<{ op: FakeProvider; tokens: TokenSet; endpoint: string }> {
  const op = await FakeProvider.create();
  const state = randomString();
  const pkce = await createPkcePair();
  const url = authorizationUrl(
    op.metadata().authorization_endpoint,
    authorizationParams({ clientId: op.clientId, redirectUri, scope: 'openid offline_access', state, nonce: randomString(), codeChallenge: pkce.codeChallenge }),
  );
  const { code } = validateCallback(parseCallbackUrl(await op.authorize(url)), { state, issuer: op.issuer, issParameterSupported: true });
  const tokenRes = await send(
    op.fetchJson,
    authorizationCodeGrantRequest(op.metadata().token_endpoint, { clientId: op.clientId, code, redirectUri, codeVerifier: pkce.codeVerifier }),
  );
  return { op, tokens: processTokenResponse(tokenRes, { now: 0 }), endpoint: op.metadata().revocation_endpoint! };
}

describe('revocationRequest', () => {
  it('is a form POST with token, token_type_hint and client_id', () => {
    const req = revocationRequest('https://op.example.test/revoke', { clientId: 'spa', token: 'rt-1', tokenTypeHint: 'refresh_token' });
    expect(req).toMatchObject({ method: 'POST', url: 'https://op.example.test/revoke', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({ token: 'rt-1', token_type_hint: 'refresh_token', client_id: 'spa' });
  });

  it('leaves the hint out when none is given', () => {
    const req = revocationRequest('https://op.example.test/revoke', { clientId: 'spa', token: 'at-1' });
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({ token: 'at-1', client_id: 'spa' });
  });
});

describe('revokeToken against the fake provider', () => {
  it('revokes a refresh token so it can no longer be used', async () => {
    const { op, tokens, endpoint } = await signedIn();
    await expect(revokeToken(endpoint, { clientId: op.clientId, token: tokens.refreshToken!, tokenTypeHint: 'refresh_token' }, op.fetchJson)).resolves.toBeUndefined();
    expect(op.revoked).toEqual([tokens.refreshToken]);
    const refreshed = send(op.fetchJson, refreshTokenGrantRequest(op.metadata().token_endpoint, { clientId: op.clientId, refreshToken: tokens.refreshToken! }));
    await expect(refreshed.then((r) => processTokenResponse(r, { now: 0 }))).rejects.toMatchObject({ code: 'TOKEN_ERROR', oauthError: 'invalid_grant' });
  });

  it('reports an unsupported_token_type answer as REVOCATION_ERROR (RFC 7009 2.2.1)', async () => {
    const { op, tokens, endpoint } = await signedIn();
    op.override('revocation', answer(400, { error: 'unsupported_token_type' }));
    const p = revokeToken(endpoint, { clientId: op.clientId, token: tokens.accessToken }, op.fetchJson);
    await expect(p).rejects.toBeInstanceOf(OidcError);
    await expect(p).rejects.toMatchObject({ code: 'REVOCATION_ERROR', oauthError: 'unsupported_token_type', cause: { status: 400 } });
  });

  it('reports a 503 HTML page as HTTP_ERROR', async () => {
    const { op, tokens, endpoint } = await signedIn();
    op.override('revocation', answer(503, '<html>busy</html>', { 'content-type': 'text/html', 'retry-after': '5' }));
    await expect(revokeToken(endpoint, { clientId: op.clientId, token: tokens.accessToken }, op.fetchJson)).rejects.toMatchObject({
      code: 'HTTP_ERROR',
      cause: { status: 503 },
    });
  });

  it('reports no answer as NETWORK_ERROR', async () => {
    const { op, tokens, endpoint } = await signedIn();
    op.override('revocation', () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(revokeToken(endpoint, { clientId: op.clientId, token: tokens.accessToken }, op.fetchJson)).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
  });
});

describe('processRevocationResponse', () => {
  it.each([
    ['an empty body', answer(200, '')],
    ['an HTML body (the body is ignored)', answer(200, '<html>ok</html>', { 'content-type': 'text/html' })],
    ['a JSON body', answer(200, {})],
  ])('accepts 200 with %s (RFC 7009 2.2)', (_, r) => {
    expect(processRevocationResponse(r)).toBeUndefined();
  });

  it('reports an OAuth error body as REVOCATION_ERROR', () => {
    expect(caught(() => processRevocationResponse(answer(401, { error: 'invalid_client' })))).toMatchObject({ code: 'REVOCATION_ERROR', oauthError: 'invalid_client' });
  });

  it.each([
    ['a 204', answer(204, '')],
    ['a 500 with an empty body', answer(500, '')],
    ['a 404 HTML page', answer(404, '<html></html>')],
  ])('reports %s as HTTP_ERROR', (_, r) => {
    expect(caught(() => processRevocationResponse(r))).toMatchObject({ code: 'HTTP_ERROR' });
  });
});
