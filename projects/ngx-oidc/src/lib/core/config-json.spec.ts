import { resolveConfig } from './config';
import { checkJsonConfig } from './config-json';

const BASE = { authority: 'https://op.example.test', clientId: 'spa', redirectUrl: 'https://app.example.test/callback' };
/** What a server answers: the JSON text, parsed. */
const fromJson = (extra: object): unknown => JSON.parse(JSON.stringify({ ...BASE, ...extra }));

describe('checkJsonConfig (a config loaded as JSON)', () => {
  it.each([
    ['configId', 123],
    ['postLoginRoute', ['/home']],
    ['unauthorizedRoute', 42],
    ['postLogoutRedirectUri', 'logged-out'],
    ['silentRenewUrl', 'silent-renew.html'],
    ['popupRedirectUrl', 7],
    ['idTokenSigningAlgs', 'RS256'],
    ['trustedAudiences', 'api'],
    ['trustedAudiences', ['api', 1]],
    ['customParamsAuthRequest', 'audience=api'],
    ['authWellknownEndpoints', ['https://op.example.test/token']],
    ['resource', 42],
    ['resource', ['https://api.example.test', {}]],
  ])('refuses %s = %j with CONFIG_INVALID naming the key', (key, value) => {
    expect(() => checkJsonConfig(fromJson({ [key]: value }))).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', cause: { key, actual: value } }));
  });

  it.each([null, [], 'config', 42])('refuses %j as a config', (json) => {
    expect(() => checkJsonConfig(json)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('takes null as "not set": the defaults apply, and no key is sent as "null"', () => {
    const json = fromJson({ postLogoutRedirectUri: null, configId: null, idTokenSigningAlgs: null, trustedAudiences: null, resource: null, postLoginRoute: null });
    const resolved = resolveConfig(checkJsonConfig(json));
    expect(resolved.postLogoutRedirectUri).toBeUndefined();
    expect(resolved.resource).toBeUndefined();
    expect(resolved).toMatchObject({ configId: 'default', postLoginRoute: '/', trustedAudiences: [] });
    expect(resolved.idTokenSigningAlgs).toContain('RS256');
  });

  it('passes well-typed values through as they are', () => {
    const json = fromJson({
      configId: 'partner',
      postLogoutRedirectUri: 'https://app.example.test/',
      idTokenSigningAlgs: ['ES256'],
      trustedAudiences: ['api'],
      customParamsAuthRequest: { audience: 'api' },
      resource: ['https://api.example.test'],
    });
    expect(checkJsonConfig(json)).toEqual(json);
  });
});
