import { FakeProvider } from '../../test/fake-provider';
import { authorizationParams, authorizationUrl } from './authorize';
import { parseCallbackUrl, validateCallback } from './authorization-response';
import { type CallbackParams, isCallbackUrl, responseParams } from './callback';
import { OidcError } from './errors';
import { createPkcePair } from './pkce';
import { randomString } from './random';
import { caught } from '../../test/helpers';

const redirectUrl = 'https://app.example.test/callback';

/** A real login at the fake provider; returns the callback URL and what the client expects. */
async function login(op: FakeProvider, options: { deny?: boolean } = {}) {
  const state = randomString();
  const pkce = await createPkcePair();
  const url = authorizationUrl(
    op.metadata().authorization_endpoint,
    authorizationParams({ clientId: op.clientId, redirectUri: redirectUrl, scope: 'openid', state, nonce: randomString(), codeChallenge: pkce.codeChallenge }),
  );
  const callbackUrl = await op.authorize(url, options);
  return { callbackUrl, expected: { state, issuer: op.issuer, issParameterSupported: op.metadata().authorization_response_iss_parameter_supported === true } };
}

describe('parseCallbackUrl', () => {
  it('reads the response from the query', () => {
    expect(parseCallbackUrl('https://app.example.test/callback?code=c1&state=s1&iss=https%3A%2F%2Fop.example.test&session_state=ss')).toEqual({
      code: 'c1',
      state: 's1',
      iss: 'https://op.example.test',
      session_state: 'ss',
    });
  });

  it('reads an error response', () => {
    expect(parseCallbackUrl('https://app.example.test/callback?error=access_denied&error_description=no+way&error_uri=https%3A%2F%2Fop%2Fe&state=s1')).toEqual({
      error: 'access_denied',
      error_description: 'no way',
      error_uri: 'https://op/e',
      state: 's1',
    });
  });

  it('reads the fragment when the query has neither code nor error', () => {
    expect(parseCallbackUrl('https://app.example.test/callback?lang=en#code=c1&state=s1')).toEqual({ code: 'c1', state: 's1' });
  });

  it('prefers the query when it has the response', () => {
    expect(parseCallbackUrl('https://app.example.test/callback?code=q&state=qs#code=f&state=fs')).toEqual({ code: 'q', state: 'qs' });
  });

  it('returns the query parameters when neither part has a response', () => {
    expect(parseCallbackUrl('https://app.example.test/callback?state=s1#/route')).toEqual({ state: 's1' });
  });

  it('ignores the app’s own parameters, even repeated', () => {
    expect(parseCallbackUrl('https://app.example.test/callback?tab=a&tab=b&code=c1&state=s1')).toEqual({ code: 'c1', state: 's1' });
  });

  it.each(['code', 'state', 'iss', 'error', 'session_state'])('refuses a repeated %s (RFC 6749 3.1)', (name) => {
    const url = `https://app.example.test/callback?code=c1&state=s1&error=e&iss=i&session_state=x&${name}=again`;
    expect(caught(() => parseCallbackUrl(url))).toMatchObject({ code: 'CALLBACK_INVALID', cause: { key: name } });
  });

  it('refuses a repeated parameter in the fragment', () => {
    expect(caught(() => parseCallbackUrl('https://app.example.test/callback#code=c1&state=a&state=b'))).toMatchObject({ code: 'CALLBACK_INVALID' });
  });

  it.each(['', 'not a url', '/callback?code=c&state=s'])('refuses the unparseable URL %p', (url) => {
    const e = caught(() => parseCallbackUrl(url));
    expect(e).toBeInstanceOf(OidcError);
    expect(e).toMatchObject({ code: 'CALLBACK_INVALID' });
  });
});

describe('responseParams', () => {
  it('reads the query, or the fragment when only it holds the response, and gives undefined for a URL that does not parse', () => {
    expect(responseParams('https://app.example.test/cb?code=c&state=s')?.get('state')).toBe('s');
    expect(responseParams('https://app.example.test/cb?lang=en#code=c&state=f')?.get('state')).toBe('f');
    // A query with the response wins over a fragment (response_mode=query).
    expect(responseParams('https://app.example.test/cb?error=access_denied&state=q#state=f')?.get('state')).toBe('q');
    expect(responseParams('not a url')).toBeUndefined();
  });
});

describe('isCallbackUrl', () => {
  it('recognises the provider’s redirect', async () => {
    const op = await FakeProvider.create();
    const { callbackUrl } = await login(op);
    expect(isCallbackUrl(callbackUrl, redirectUrl)).toBe(true);
  });

  it('recognises an error redirect', async () => {
    const op = await FakeProvider.create();
    const { callbackUrl } = await login(op, { deny: true });
    expect(isCallbackUrl(callbackUrl, redirectUrl)).toBe(true);
  });

  it('recognises a response in the fragment', () => {
    expect(isCallbackUrl('https://app.example.test/callback#code=c&state=s', redirectUrl)).toBe(true);
  });

  it('ignores the redirect URL’s own query and a default port', () => {
    expect(isCallbackUrl('https://APP.example.test:443/callback?code=c&state=s', `${redirectUrl}?x=1`)).toBe(true);
  });

  it.each([
    ['another host that starts alike', 'https://app.example.test.evil.test/callback?code=c&state=s'],
    ['a user-info trick', 'https://app.example.test@evil.test/callback?code=c&state=s'],
    ['another scheme', 'http://app.example.test/callback?code=c&state=s'],
    ['another port', 'https://app.example.test:8443/callback?code=c&state=s'],
    ['a longer path', 'https://app.example.test/callback-evil?code=c&state=s'],
    ['a sub-path', 'https://app.example.test/callback/x?code=c&state=s'],
    ['a trailing slash', 'https://app.example.test/callback/?code=c&state=s'],
    ['another path case', 'https://app.example.test/Callback?code=c&state=s'],
    ['no state', 'https://app.example.test/callback?code=c'],
    ['neither code nor error', 'https://app.example.test/callback?state=s'],
    ['the response only in the path', 'https://app.example.test/callback/code=c&state=s'],
    ['an unparseable URL', 'callback?code=c&state=s'],
  ])('refuses %s', (_, url) => {
    expect(isCallbackUrl(url, redirectUrl)).toBe(false);
  });

  it('is false when the redirect URL itself does not parse', () => {
    expect(isCallbackUrl('https://app.example.test/callback?code=c&state=s', '/callback')).toBe(false);
  });
});

describe('validateCallback', () => {
  it('returns the code of a real response (state and RFC 9207 iss match)', async () => {
    const op = await FakeProvider.create();
    const { callbackUrl, expected } = await login(op);
    const params = parseCallbackUrl(callbackUrl);
    expect(expected.issParameterSupported).toBe(true);
    expect(validateCallback(params, expected)).toEqual({ code: params.code });
  });

  it('returns session_state when the provider sent one', () => {
    const params: CallbackParams = { code: 'c', state: 's', session_state: 'abc.salt' };
    expect(validateCallback(params, { state: 's', issuer: 'https://op', issParameterSupported: false })).toEqual({ code: 'c', sessionState: 'abc.salt' });
  });

  it('refuses a tampered state with STATE_MISMATCH, showing only the actual value', async () => {
    const op = await FakeProvider.create();
    const { callbackUrl, expected } = await login(op);
    const tampered = parseCallbackUrl(callbackUrl.replace(`state=${expected.state}`, 'state=forged'));
    const e = caught(() => validateCallback(tampered, expected));
    expect(e).toMatchObject({ code: 'STATE_MISMATCH', cause: { actual: 'forged' } });
    expect((e as OidcError).cause).not.toHaveProperty('expected');
  });

  it('refuses a replayed response from an earlier login', async () => {
    const op = await FakeProvider.create();
    const first = await login(op);
    const second = await login(op);
    expect(caught(() => validateCallback(parseCallbackUrl(first.callbackUrl), second.expected))).toMatchObject({ code: 'STATE_MISMATCH' });
  });

  it('refuses a response without state', () => {
    expect(caught(() => validateCallback({ code: 'c' }, { state: 's', issuer: 'https://op', issParameterSupported: false }))).toMatchObject({
      code: 'STATE_MISMATCH',
    });
  });

  it('refuses any response when nothing is pending (empty expected state)', () => {
    expect(caught(() => validateCallback({ code: 'c', state: '' }, { state: '', issuer: 'https://op', issParameterSupported: false }))).toMatchObject({
      code: 'STATE_MISMATCH',
    });
  });

  it('refuses a state that differs only in case', () => {
    expect(caught(() => validateCallback({ code: 'c', state: 'ABC' }, { state: 'abc', issuer: 'https://op', issParameterSupported: false }))).toMatchObject({
      code: 'STATE_MISMATCH',
    });
  });

  it('checks state before iss', () => {
    expect(caught(() => validateCallback({ code: 'c', state: 'x', iss: 'https://evil' }, { state: 's', issuer: 'https://op', issParameterSupported: true }))).toMatchObject({
      code: 'STATE_MISMATCH',
    });
  });

  it('refuses a wrong iss (RFC 9207 2.4: mix-up attack)', async () => {
    const op = await FakeProvider.create();
    const { callbackUrl, expected } = await login(op);
    const mixedUp = parseCallbackUrl(callbackUrl.replace(encodeURIComponent(op.issuer), encodeURIComponent('https://evil.example.test')));
    expect(mixedUp.iss).toBe('https://evil.example.test');
    expect(caught(() => validateCallback(mixedUp, expected))).toMatchObject({
      code: 'ISS_MISMATCH',
      cause: { expected: op.issuer, actual: 'https://evil.example.test' },
    });
  });

  it('refuses an iss with a trailing slash the issuer lacks', () => {
    expect(caught(() => validateCallback({ code: 'c', state: 's', iss: 'https://op/' }, { state: 's', issuer: 'https://op', issParameterSupported: true }))).toMatchObject({
      code: 'ISS_MISMATCH',
    });
  });

  it('refuses a missing iss when the provider advertises it', async () => {
    const op = await FakeProvider.create();
    const { callbackUrl, expected } = await login(op);
    const { iss: _, ...withoutIss } = parseCallbackUrl(callbackUrl);
    expect(caught(() => validateCallback(withoutIss, expected))).toMatchObject({ code: 'ISS_MISMATCH', cause: { actual: undefined } });
  });

  it('accepts a missing iss when the provider does not advertise it', async () => {
    const op = await FakeProvider.create({ issParameter: false });
    const { callbackUrl, expected } = await login(op);
    const params = parseCallbackUrl(callbackUrl);
    expect(params.iss).toBeUndefined();
    expect(expected.issParameterSupported).toBe(false);
    expect(validateCallback(params, expected).code).toBe(params.code);
  });

  it('checks an iss that is present even when the provider does not advertise it', () => {
    expect(caught(() => validateCallback({ code: 'c', state: 's', iss: 'https://evil' }, { state: 's', issuer: 'https://op', issParameterSupported: false }))).toMatchObject({
      code: 'ISS_MISMATCH',
    });
    expect(validateCallback({ code: 'c', state: 's', iss: 'https://op' }, { state: 's', issuer: 'https://op', issParameterSupported: false })).toEqual({ code: 'c' });
  });

  it('reports the provider’s error as AUTHORIZATION_ERROR with its details', async () => {
    const op = await FakeProvider.create();
    const { callbackUrl, expected } = await login(op, { deny: true });
    const e = caught(() => validateCallback(parseCallbackUrl(callbackUrl), expected));
    expect(e).toMatchObject({
      code: 'AUTHORIZATION_ERROR',
      oauthError: 'access_denied',
      cause: { error: 'access_denied', error_description: 'The user denied the request' },
    });
    expect((e as OidcError).cause).not.toHaveProperty('error_uri');
  });

  it('puts error_uri in the cause and reports an error without description', () => {
    const e = caught(() => validateCallback({ state: 's', error: 'login_required', error_uri: 'https://op/help' }, { state: 's', issuer: 'https://op', issParameterSupported: false }));
    expect(e).toMatchObject({ code: 'AUTHORIZATION_ERROR', cause: { error: 'login_required', error_uri: 'https://op/help' } });
    expect((e as OidcError).message).toContain('login_required');
  });

  it('checks iss before the error (an error from a mixed-up provider is not trusted)', () => {
    expect(caught(() => validateCallback({ state: 's', error: 'access_denied', iss: 'https://evil' }, { state: 's', issuer: 'https://op', issParameterSupported: true }))).toMatchObject({
      code: 'ISS_MISMATCH',
    });
  });

  it('checks state before the error', () => {
    expect(caught(() => validateCallback({ state: 'x', error: 'access_denied' }, { state: 's', issuer: 'https://op', issParameterSupported: false }))).toMatchObject({
      code: 'STATE_MISMATCH',
    });
  });

  it.each([
    ['no code', { state: 's' }],
    ['an empty code', { state: 's', code: '' }],
  ])('refuses a response with %s', (_, params) => {
    expect(caught(() => validateCallback(params, { state: 's', issuer: 'https://op', issParameterSupported: false }))).toMatchObject({
      code: 'CALLBACK_INVALID',
    });
  });
});
