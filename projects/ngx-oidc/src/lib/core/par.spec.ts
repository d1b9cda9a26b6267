import { FakeProvider } from '../../test/fake-provider';
import { authorizationParams } from './authorize';
import { validateCallback } from './authorization-response';
import { parseCallbackUrl } from './authorization-response';
import type { ProviderMetadata } from './discovery';
import { shouldUsePar } from './authorize';
import { httpTools } from './http-exchange';
import { parAuthorizationUrl, parRequest, processParResponse, pushAuthorizationRequest } from './par';
import { createPkcePair } from './pkce';
import { authorizationCodeGrantRequest, processTokenResponse } from './token';
import { answer, caught } from '../../test/helpers';

const redirectUri = 'https://app.example.test/callback';

async function setup(options: Parameters<typeof FakeProvider.create>[0] = {}) {
  const op = await FakeProvider.create(options);
  const pkce = await createPkcePair();
  const params = authorizationParams({
    clientId: op.clientId,
    redirectUri,
    scope: 'openid offline_access',
    state: 'par-state',
    nonce: 'par-nonce',
    codeChallenge: pkce.codeChallenge,
  });
  return { op, pkce, params, meta: op.metadata(), endpoint: op.metadata().pushed_authorization_request_endpoint! };
}

describe('shouldUsePar', () => {
  it('is off when neither the app nor the provider asks for it', async () => {
    const { meta } = await setup();
    expect(shouldUsePar(meta, false)).toBe(false);
  });

  it('is on when configured', async () => {
    const { meta } = await setup();
    expect(shouldUsePar(meta, true)).toBe(true);
  });

  it('is on when the provider requires it (RFC 9126 5), even when not configured', async () => {
    const { meta } = await setup({ requirePar: true });
    expect(shouldUsePar(meta, false)).toBe(true);
  });

  it('is off without a PAR endpoint when nobody asks for it', async () => {
    const { meta } = await setup();
    const { pushed_authorization_request_endpoint: _, ...rest } = meta;
    expect(shouldUsePar(rest as ProviderMetadata, false)).toBe(false);
  });

  it('refuses a configured PAR when the provider has no PAR endpoint', async () => {
    const { meta } = await setup();
    const { pushed_authorization_request_endpoint: _, ...rest } = meta;
    expect(caught(() => shouldUsePar(rest as ProviderMetadata, true))).toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('refuses a required PAR when the provider has no PAR endpoint', async () => {
    const { meta } = await setup({ requirePar: true });
    const { pushed_authorization_request_endpoint: _, ...rest } = meta;
    expect(caught(() => shouldUsePar(rest as ProviderMetadata, false))).toMatchObject({ code: 'CONFIG_INVALID', cause: { required: true } });
  });
});

describe('parRequest', () => {
  it('is a form POST of the authorization parameters', async () => {
    const { params, endpoint } = await setup();
    const req = parRequest(endpoint, params, httpTools);
    expect(req).toMatchObject({ method: 'POST', url: endpoint, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(req.body).toBe(params.toString());
    expect(new URLSearchParams(req.body).get('code_challenge_method')).toBe('S256');
  });

  it('refuses parameters that contain request_uri (RFC 9126 2.1)', async () => {
    const { endpoint } = await setup();
    expect(caught(() => parRequest(endpoint, new URLSearchParams({ request_uri: 'urn:x' }), httpTools))).toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('pushAuthorizationRequest against the fake provider', () => {
  it('pushes, redirects with only client_id and request_uri, and the code works', async () => {
    const { op, pkce, params, meta, endpoint } = await setup({ requirePar: true });
    const { requestUri, expiresIn } = await pushAuthorizationRequest(endpoint, params, op.fetchJson, httpTools);
    expect(requestUri).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect(expiresIn).toBe(60);
    expect(op.count('par')).toBe(1);

    const url = new URL(parAuthorizationUrl(meta.authorization_endpoint, op.clientId, requestUri));
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    expect(url.searchParams.get('client_id')).toBe(op.clientId);

    const callback = parseCallbackUrl(await op.authorize(url.toString()));
    const { code } = validateCallback(callback, { state: 'par-state', issuer: op.issuer, issParameterSupported: true });
    const tokenRes = await op.fetchJson(
      authorizationCodeGrantRequest(meta.token_endpoint, { clientId: op.clientId, code, redirectUri, codeVerifier: pkce.codeVerifier }),
    );
    expect(processTokenResponse(tokenRes, { now: 0 }).accessToken).toMatch(/^at-/);
  });

  it('keeps a query the authorization endpoint already has', () => {
    const url = new URL(parAuthorizationUrl('https://op.example.test/authorize?tenant=a', 'spa', 'urn:x'));
    expect(url.searchParams.get('tenant')).toBe('a');
    expect(url.searchParams.get('request_uri')).toBe('urn:x');
  });

  it('reports the provider refusing the client as PAR_ERROR with its error', async () => {
    const { op, endpoint } = await setup();
    const params = new URLSearchParams({ client_id: 'unknown' });
    await expect(pushAuthorizationRequest(endpoint, params, op.fetchJson, httpTools)).rejects.toMatchObject({
      code: 'PAR_ERROR',
      oauthError: 'invalid_client',
      cause: { status: 401 },
    });
  });

  it('reports no answer as NETWORK_ERROR', async () => {
    const { op, params, endpoint } = await setup();
    op.override('par', () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(pushAuthorizationRequest(endpoint, params, op.fetchJson, httpTools)).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
  });

  it('reports a 500 HTML page as HTTP_ERROR', async () => {
    const { op, params, endpoint } = await setup();
    op.override('par', { status: 500, headers: { 'content-type': 'text/html' }, body: '<html>oops</html>' });
    await expect(pushAuthorizationRequest(endpoint, params, op.fetchJson, httpTools)).rejects.toMatchObject({ code: 'HTTP_ERROR', cause: { status: 500 } });
  });
});

describe('processParResponse', () => {
  it('accepts 201 with request_uri and expires_in', () => {
    expect(processParResponse(answer(201, { request_uri: 'urn:a', expires_in: 90 }), httpTools)).toEqual({ requestUri: 'urn:a', expiresIn: 90 });
  });

  it('accepts 200 too', () => {
    expect(processParResponse(answer(200, { request_uri: 'urn:a', expires_in: 90 }), httpTools)).toEqual({ requestUri: 'urn:a', expiresIn: 90 });
  });

  it('reports an OAuth error body as PAR_ERROR', () => {
    expect(caught(() => processParResponse(answer(400, { error: 'invalid_request', error_description: 'bad scope' }), httpTools))).toMatchObject({
      code: 'PAR_ERROR',
      oauthError: 'invalid_request',
      cause: { error_description: 'bad scope', status: 400 },
    });
  });

  it.each([
    ['a 302', answer(302, '')],
    ['a 204', answer(204, '')],
    ['a 429 without an OAuth body', answer(429, 'slow down')],
  ])('reports %s as HTTP_ERROR', (_, r) => {
    expect(caught(() => processParResponse(r, httpTools))).toMatchObject({ code: 'HTTP_ERROR' });
  });

  it.each([
    ['HTML', answer(201, '<html></html>')],
    ['an empty body', answer(201, '')],
    ['an array', answer(201, [{ request_uri: 'urn:a', expires_in: 60 }])],
    ['null', answer(201, 'null')],
    ['no request_uri', answer(201, { expires_in: 60 })],
    ['a numeric request_uri', answer(201, { request_uri: 7, expires_in: 60 })],
    ['an empty request_uri', answer(201, { request_uri: '', expires_in: 60 })],
    ['no expires_in', answer(201, { request_uri: 'urn:a' })],
    ['a string expires_in', answer(201, { request_uri: 'urn:a', expires_in: '60' })],
    ['a zero expires_in', answer(201, { request_uri: 'urn:a', expires_in: 0 })],
    ['a negative expires_in', answer(201, { request_uri: 'urn:a', expires_in: -5 })],
  ])('reports %s as INVALID_RESPONSE', (_, r) => {
    expect(caught(() => processParResponse(r, httpTools))).toMatchObject({ code: 'INVALID_RESPONSE' });
  });
});
