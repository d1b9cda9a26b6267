import { FakeProvider } from '../../test/fake-provider';
import {
  type AuthorizationRequest,
  PROTECTED_AUTHORIZATION_PARAMS,
  appendCustomParams,
  appendResource,
  authorizationParams,
  authorizationUrl,
} from './authorize';
import { parseCallbackUrl } from './authorization-response';
import { OidcError } from './errors';
import { createPkcePair } from './pkce';
import { caught } from '../../test/helpers';

/** The error `fn` throws; fails the test when it does not throw. */

const base: AuthorizationRequest = {
  clientId: 'spa',
  redirectUri: 'https://app.example.test/callback',
  scope: 'openid profile',
  state: 'state-1',
  nonce: 'nonce-1',
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
};

describe('authorizationParams', () => {
  it('builds a code flow request with PKCE S256 and nothing optional', () => {
    const p = authorizationParams(base);
    expect([...p]).toEqual([
      ['client_id', 'spa'],
      ['redirect_uri', 'https://app.example.test/callback'],
      ['response_type', 'code'],
      ['scope', 'openid profile'],
      ['state', 'state-1'],
      ['nonce', 'nonce-1'],
      ['code_challenge', base.codeChallenge],
      ['code_challenge_method', 'S256'],
    ]);
  });

  it('adds prompt, max_age and one resource parameter per value', () => {
    const p = authorizationParams({
      ...base,
      prompt: 'login consent',
      maxAge: 0,
      resource: ['https://api.example.test/', 'https://other.example.test/v1'],
    });
    expect(p.get('prompt')).toBe('login consent');
    expect(p.get('max_age')).toBe('0');
    expect(p.getAll('resource')).toEqual(['https://api.example.test/', 'https://other.example.test/v1']);
  });

  it('accepts a single resource as a string', () => {
    expect(authorizationParams({ ...base, resource: 'https://api.example.test/' }).getAll('resource')).toEqual([
      'https://api.example.test/',
    ]);
  });

  it.each([-1, 1.5, Number.NaN])('refuses max_age %p', (maxAge) => {
    expect(caught(() => authorizationParams({ ...base, maxAge }))).toMatchObject({ code: 'CONFIG_INVALID', cause: { key: 'maxAge' } });
  });

  it.each(['/relative', 'https://api.example.test/#frag', 'https://api.example.test/#', 'not a uri'])('refuses resource %p', (resource) => {
    expect(caught(() => authorizationParams({ ...base, resource }))).toMatchObject({ code: 'CONFIG_INVALID', cause: { key: 'resource' } });
  });

  it('refuses a resource list holding a non-string (JSON config)', () => {
    const resource = ['https://api.example.test/', 42] as unknown as string[];
    expect(caught(() => authorizationParams({ ...base, resource }))).toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it.each(['clientId', 'redirectUri', 'scope', 'state', 'nonce', 'codeChallenge'] as const)('refuses an empty %s', (key) => {
    expect(caught(() => authorizationParams({ ...base, [key]: '' }))).toMatchObject({ code: 'CONFIG_INVALID', cause: { key } });
  });

  it('appends custom parameters as strings', () => {
    const p = authorizationParams({ ...base, customParams: { ui_locales: 'de', acr_values: 'mfa', display: 'page', n: 3, flag: true } });
    expect(p.get('ui_locales')).toBe('de');
    expect(p.get('n')).toBe('3');
    expect(p.get('flag')).toBe('true');
    expect(p.get('acr_values')).toBe('mfa');
  });

  it.each([...PROTECTED_AUTHORIZATION_PARAMS])('refuses a custom parameter that sets %s, naming it', (name) => {
    const e = caught(() => authorizationParams({ ...base, customParams: { [name]: 'x' } }));
    expect(e).toBeInstanceOf(OidcError);
    expect(e).toMatchObject({ code: 'CONFIG_INVALID', cause: { key: name } });
    expect((e as OidcError).message).toContain(name);
  });

  it('protects exactly the protocol parameters', () => {
    expect([...PROTECTED_AUTHORIZATION_PARAMS].sort()).toEqual(
      ['client_id', 'code_challenge', 'code_challenge_method', 'dpop_jkt', 'max_age', 'nonce', 'redirect_uri', 'request', 'request_uri', 'response_mode', 'response_type', 'scope', 'state'],
    );
    expect(Object.isFrozen(PROTECTED_AUTHORIZATION_PARAMS)).toBe(true);
  });

  it.each([{ nested: true }, null, Number.POSITIVE_INFINITY, undefined])('refuses a custom value %p that has no string form', (value) => {
    const customParams = { odd: value } as unknown as Record<string, string>;
    expect(caught(() => authorizationParams({ ...base, customParams }))).toMatchObject({ code: 'CONFIG_INVALID', cause: { key: 'odd' } });
  });

  it('lets explicit prompt, id_token_hint and resource win over custom parameters of the same name', () => {
    const p = authorizationParams({
      ...base,
      prompt: 'none',
      idTokenHint: 'the.id.token',
      resource: 'https://api.example.test/',
      customParams: { prompt: 'login', id_token_hint: 'other', resource: 'https://evil.example.test/' },
    });
    expect(p.getAll('prompt')).toEqual(['none']);
    expect(p.getAll('id_token_hint')).toEqual(['the.id.token']);
    expect(p.getAll('resource')).toEqual(['https://api.example.test/']);
  });

  it.each([
    ['max_age', 5],
    ['response_mode', 'fragment'],
  ])('refuses %s as a custom parameter: max_age must go through maxAge (auth_time check), only query responses are handled', (name, value) => {
    expect(caught(() => authorizationParams({ ...base, maxAge: 60, customParams: { [name]: value } }))).toMatchObject({
      code: 'CONFIG_INVALID',
      cause: { key: name },
    });
  });

  it('takes prompt from custom parameters when no explicit prompt is given', () => {
    expect(authorizationParams({ ...base, customParams: { prompt: 'login' } }).get('prompt')).toBe('login');
  });
});

describe('appendCustomParams / appendResource', () => {
  it('does nothing without custom parameters or resources', () => {
    const p = new URLSearchParams('a=1');
    appendCustomParams(p, undefined, []);
    appendResource(p, undefined);
    expect(p.toString()).toBe('a=1');
  });
});

describe('authorizationUrl', () => {
  it('puts the parameters in the endpoint query', () => {
    const url = new URL(authorizationUrl('https://op.example.test/authorize', authorizationParams(base)));
    expect(url.origin + url.pathname).toBe('https://op.example.test/authorize');
    expect(url.searchParams.get('state')).toBe('state-1');
    expect(url.searchParams.get('scope')).toBe('openid profile');
  });

  it('keeps a query the endpoint already has (RFC 6749 3.1)', () => {
    const url = new URL(authorizationUrl('https://op.example.test/authorize?p=B2C_1_signin&x=1', authorizationParams(base)));
    expect(url.searchParams.get('p')).toBe('B2C_1_signin');
    expect(url.searchParams.get('x')).toBe('1');
    expect(url.searchParams.get('client_id')).toBe('spa');
  });

  it('lets the parameters replace duplicates in the endpoint query, keeping repeated values', () => {
    const params = new URLSearchParams([
      ['client_id', 'spa'],
      ['resource', 'https://a.example.test/'],
      ['resource', 'https://b.example.test/'],
    ]);
    const url = new URL(authorizationUrl('https://op.example.test/authorize?client_id=evil&resource=https%3A%2F%2Fevil.example.test%2F', params));
    expect(url.searchParams.getAll('client_id')).toEqual(['spa']);
    expect(url.searchParams.getAll('resource')).toEqual(['https://a.example.test/', 'https://b.example.test/']);
  });

  it('drops a fragment from the endpoint (RFC 6749 3.1)', () => {
    expect(authorizationUrl('https://op.example.test/authorize#x', new URLSearchParams({ a: 'b' }))).toBe('https://op.example.test/authorize?a=b');
  });

  it('refuses an endpoint that is not an absolute URL', () => {
    expect(caught(() => authorizationUrl('/authorize', new URLSearchParams()))).toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('produces a URL a real provider accepts, with real PKCE', async () => {
    const op = await FakeProvider.create();
    const pkce = await createPkcePair();
    const url = authorizationUrl(
      op.metadata().authorization_endpoint,
      authorizationParams({ ...base, codeChallenge: pkce.codeChallenge, customParams: { ui_locales: 'fr' } }),
    );
    const callback = parseCallbackUrl(await op.authorize(url));
    expect(callback.state).toBe('state-1');
    expect(callback.code).toEqual(expect.stringMatching(/^code-/));
    expect(callback.iss).toBe(op.issuer);
  });
});
