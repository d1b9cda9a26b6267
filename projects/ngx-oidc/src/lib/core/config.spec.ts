import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ID_TOKEN_ALGS, type OidcConfig, type ResolvedOidcConfig, resolveConfig, suggestConfigKey, unknownConfigKeys } from './config';
import { OidcError } from './errors';
import { caught } from '../../test/helpers';

const BASE: OidcConfig = {
  authority: 'https://op.example.test',
  clientId: 'spa',
  redirectUrl: 'https://app.example.test/callback',
};

/** The error resolveConfig throws for `config`; fails the test when it does not throw an OidcError. */
function rejection(config: unknown): OidcError {
  const error = caught(() => resolveConfig(config as OidcConfig));
  if (!(error instanceof OidcError)) throw new Error(`expected an OidcError, got ${String(error)}`);
  return error;
}

function expectConfigInvalid(config: unknown, key: string): void {
  const error = rejection(config);
  expect(error.code).toBe('CONFIG_INVALID');
  expect(error.message).toContain(`"${key}"`);
  expect(error.cause).toMatchObject({ key });
}

/**
 * The defaults as documented: each optional key's TSDoc in config.ts ends in
 * "Default `value`" (a JSON-ish literal) or "Default none". Parsed from the
 * source so that the docs and the code cannot drift apart.
 */
function documentedDefaults(): Map<string, unknown> {
  const source = readFileSync(join(__dirname, 'config-types.ts'), 'utf8');
  const body = source.slice(source.indexOf('export interface OidcConfig'), source.indexOf('export type ResolvedOidcConfig'));
  const defaults = new Map<string, unknown>();
  for (const match of body.matchAll(/\/\*\*(.*?)\*\/\s*(\w+)\?:\s*([^;]+);/g)) {
    const [, doc = '', key = '', type = ''] = match;
    const literal = /Default `([^`]+)`/.exec(doc);
    if (literal) defaults.set(key, JSON.parse(literal[1]!.replace(/^'(.*)'$/, '"$1"')));
    else if (/Default:? none\b/.test(doc)) defaults.set(key, type.trim().endsWith('[]') ? [] : undefined);
  }
  return defaults;
}

describe('resolveConfig', () => {
  describe('required keys', () => {
    it.each(['authority', 'clientId', 'redirectUrl'] as const)('names %s when it is missing', (key) => {
      const config: Partial<OidcConfig> = { ...BASE };
      delete config[key];
      expectConfigInvalid(config, key);
    });

    it.each(['authority', 'clientId', 'redirectUrl'] as const)('names %s when it is empty, blank or not a string', (key) => {
      for (const value of ['', '   ', 42, null, ['x']]) expectConfigInvalid({ ...BASE, [key]: value }, key);
    });

    it('rejects a missing config object', () => {
      expectConfigInvalid(undefined, 'authority');
      expectConfigInvalid(null, 'authority');
    });

    it('accepts a config with the three required keys', () => {
      const resolved = resolveConfig(BASE);
      expect(resolved.authority).toBe(BASE.authority);
      expect(resolved.clientId).toBe(BASE.clientId);
      expect(resolved.redirectUrl).toBe(BASE.redirectUrl);
    });
  });

  describe('authority', () => {
    it('must be an absolute URL', () => {
      expectConfigInvalid({ ...BASE, authority: 'op.example.test' }, 'authority');
      expectConfigInvalid({ ...BASE, authority: '/realms/demo' }, 'authority');
    });

    it.each(['http://op.example.test', 'http://localhost.evil.test', 'http://127.0.0.1.evil.test', 'ftp://op.example.test'])(
      'rejects %s as INSECURE_URL',
      (authority) => {
        const error = rejection({ ...BASE, authority });
        expect(error.code).toBe('INSECURE_URL');
        expect(error.message).toContain('"authority"');
        expect(error.cause).toMatchObject({ key: 'authority', actual: authority });
      },
    );

    it.each(['https://op.example.test/realms/demo', 'http://127.0.0.1', 'http://127.0.0.1:4400', 'http://localhost:8080', 'http://[::1]:8080'])(
      'accepts %s',
      (authority) => {
        expect(resolveConfig({ ...BASE, authority }).authority).toBe(authority);
      },
    );
  });

  describe('redirectUrl', () => {
    it('must be an absolute URL', () => {
      expectConfigInvalid({ ...BASE, redirectUrl: '/callback' }, 'redirectUrl');
    });

    it('accepts an absolute URL', () => {
      expect(resolveConfig({ ...BASE, redirectUrl: 'http://localhost:4200/callback' }).redirectUrl).toBe('http://localhost:4200/callback');
    });
  });

  describe('responseType', () => {
    it.each(['id_token', 'token', 'code id_token', ''])('rejects %j', (responseType) => {
      expectConfigInvalid({ ...BASE, responseType }, 'responseType');
    });

    it("accepts 'code'", () => {
      expect(resolveConfig({ ...BASE, responseType: 'code' }).responseType).toBe('code');
    });
  });

  describe('defaults', () => {
    it('fills in the documented defaults', () => {
      const resolved = resolveConfig(BASE);
      expect(resolved.scope).toBe('openid profile');
      expect(resolved.responseType).toBe('code');
      expect(resolved.configId).toBe('default');
      expect(resolved.storage).toBe('sessionStorage');
      expect(resolved.useRefreshToken).toBe(false);
      expect(resolved.silentRenew).toBe(false);
      expect(resolved.secureRoutes).toEqual([]);
      expect(resolved.postLogoutRedirectUri).toBeUndefined();
      expect(resolved.silentRenewUrl).toBeUndefined();
      expect(resolved.popupRedirectUrl).toBeUndefined();
      expect(resolved.popupTimeoutInSeconds).toBe(300);
    });

    it('matches the "Default ..." of every key documented in config-types.ts', () => {
      const documented = documentedDefaults();
      expect(documented.size).toBeGreaterThanOrEqual(24);
      const resolved: Record<string, unknown> = { ...resolveConfig(BASE) };
      for (const [key, value] of documented) expect({ key, value: resolved[key] }).toEqual({ key, value });
    });

    it('accepts only asymmetric ID token algorithms by default (never none or HS*)', () => {
      const algs = resolveConfig(BASE).idTokenSigningAlgs;
      expect(algs).toEqual([...DEFAULT_ID_TOKEN_ALGS]);
      expect(algs).toEqual(expect.arrayContaining(['RS256', 'PS256', 'ES256', 'EdDSA']));
      for (const alg of algs) expect(alg).not.toMatch(/^(none|HS\d+)$/i);
    });

    it('keeps the values given, and ignores keys set to undefined', () => {
      const resolved = resolveConfig({
        ...BASE,
        scope: 'openid profile offline_access',
        storage: 'memory',
        configId: 'second-op_2',
        useRefreshToken: true,
        discoveryCacheSeconds: 0,
        postLogoutRedirectUri: 'https://app.example.test/',
        logLevel: undefined,
        clockSkewInSeconds: undefined,
      });
      expect(resolved).toMatchObject({
        scope: 'openid profile offline_access',
        storage: 'memory',
        configId: 'second-op_2',
        useRefreshToken: true,
        discoveryCacheSeconds: 0,
        postLogoutRedirectUri: 'https://app.example.test/',
      });
      const defaults = resolveConfig(BASE);
      expect(resolved.logLevel).toBe(defaults.logLevel);
      expect(resolved.clockSkewInSeconds).toBe(defaults.clockSkewInSeconds);
    });

    it('gives each resolved config its own arrays and objects', () => {
      const first: ResolvedOidcConfig = resolveConfig(BASE);
      first.secureRoutes.push('https://api.example.test/');
      first.trustedAudiences.push('api');
      first.idTokenSigningAlgs.push('HS256');
      first.customParamsAuthRequest['prompt'] = 'login';
      const second = resolveConfig(BASE);
      expect(second.secureRoutes).toEqual([]);
      expect(second.trustedAudiences).toEqual([]);
      expect(second.idTokenSigningAlgs).toEqual([...DEFAULT_ID_TOKEN_ALGS]);
      expect(second.customParamsAuthRequest).toEqual({});
    });
  });

  describe('scope', () => {
    it.each(['profile email', 'openidprofile', 'openid-connect profile', 'OPENID profile', ''])('rejects %j, which lacks openid', (scope) => {
      expectConfigInvalid({ ...BASE, scope }, 'scope');
    });

    it('rejects a scope that is not a string', () => {
      expectConfigInvalid({ ...BASE, scope: ['openid', 'profile'] }, 'scope');
      expectConfigInvalid({ ...BASE, scope: 42 }, 'scope');
    });

    it.each(['openid', 'profile openid', 'openid profile offline_access api'])('accepts %j', (scope) => {
      expect(resolveConfig({ ...BASE, scope }).scope).toBe(scope);
    });
  });

  describe('storage', () => {
    it.each(['cookies', 'SessionStorage', '', 'indexedDB'])('rejects %j', (storage) => {
      expectConfigInvalid({ ...BASE, storage }, 'storage');
    });

    it.each(['sessionStorage', 'localStorage', 'memory'] as const)('accepts %s', (storage) => {
      expect(resolveConfig({ ...BASE, storage }).storage).toBe(storage);
    });
  });

  describe('silentRenewFallback', () => {
    it.each(['popups', 'Redirect', '', true, null])('rejects %j, naming the values it takes', (silentRenewFallback) => {
      expectConfigInvalid({ ...BASE, silentRenewFallback }, 'silentRenewFallback');
      expect(rejection({ ...BASE, silentRenewFallback }).message).toContain("'none', 'event', 'popup', 'redirect'");
    });

    it.each(['none', 'event', 'popup', 'redirect'] as const)('accepts %s', (silentRenewFallback) => {
      expect(resolveConfig({ ...BASE, silentRenewFallback }).silentRenewFallback).toBe(silentRenewFallback);
    });

    it("defaults to 'none': the session ends as it always did", () => {
      expect(resolveConfig(BASE).silentRenewFallback).toBe('none');
    });
  });

  describe('configId', () => {
    it.each(['', 'a.b', 'a b', 'op/1', 'caf\u00e9', 'x:y'])('rejects %j', (configId) => {
      expectConfigInvalid({ ...BASE, configId }, 'configId');
    });

    it.each(['default', 'OP-2', 'tenant_b'])('accepts %s', (configId) => {
      expect(resolveConfig({ ...BASE, configId }).configId).toBe(configId);
    });
  });

  describe('secureRoutes', () => {
    it('accepts paths on the app origin, and rejects other relative entries', () => {
      expect(resolveConfig({ ...BASE, secureRoutes: ['/api/', 'https://api.example.test/'] }).secureRoutes).toEqual(['/api/', 'https://api.example.test/']);
      for (const entry of ['api/', '//evil.example.test/api', '/\\evil.example.test/api']) {
        const error = rejection({ ...BASE, secureRoutes: ['https://api.example.test/', entry] });
        expect(error).toMatchObject({ code: 'CONFIG_INVALID', cause: { key: 'secureRoutes', actual: entry } });
        expect(error.message).toContain('"secureRoutes"');
      }
    });

    it('rejects a value that is not a list', () => {
      expectConfigInvalid({ ...BASE, secureRoutes: 'https://api.example.test/' }, 'secureRoutes');
      expectConfigInvalid({ ...BASE, secureRoutes: { url: 'https://api.example.test/' } }, 'secureRoutes');
    });

    it('accepts absolute URLs', () => {
      const secureRoutes = ['https://api.example.test/', 'http://localhost:3000/api'];
      expect(resolveConfig({ ...BASE, secureRoutes }).secureRoutes).toEqual(secureRoutes);
    });
  });

  describe('silentRenew', () => {
    it('needs silentRenewUrl without refresh tokens', () => {
      expectConfigInvalid({ ...BASE, silentRenew: true }, 'silentRenewUrl');
      expectConfigInvalid({ ...BASE, silentRenew: true, useRefreshToken: false, silentRenewUrl: '' }, 'silentRenewUrl');
    });

    it('works with refresh tokens, or with a silentRenewUrl', () => {
      expect(resolveConfig({ ...BASE, silentRenew: true, useRefreshToken: true }).silentRenew).toBe(true);
      const withUrl = resolveConfig({ ...BASE, silentRenew: true, silentRenewUrl: 'https://app.example.test/silent-renew.html' });
      expect(withUrl.silentRenewUrl).toBe('https://app.example.test/silent-renew.html');
    });

    it('needs nothing when off', () => {
      expect(resolveConfig({ ...BASE, silentRenew: false }).silentRenew).toBe(false);
    });
  });

  describe('popup sign-in', () => {
    it('keeps popupRedirectUrl as given (loginWithPopup checks it, with the page origin at hand)', () => {
      const popupRedirectUrl = 'https://app.example.test/popup-callback.html';
      expect(resolveConfig({ ...BASE, popupRedirectUrl, popupTimeoutInSeconds: 30 })).toMatchObject({ popupRedirectUrl, popupTimeoutInSeconds: 30 });
    });

    it.each(['300', -1, Number.NaN])('rejects popupTimeoutInSeconds = %p', (popupTimeoutInSeconds) => {
      expectConfigInvalid({ ...BASE, popupTimeoutInSeconds }, 'popupTimeoutInSeconds');
    });

    it('knows both keys (no unknown-key warning)', () => {
      expect(unknownConfigKeys({ ...BASE, popupRedirectUrl: 'https://app.example.test/popup-callback.html', popupTimeoutInSeconds: 30 })).toEqual([]);
    });
  });
});

describe('resolveConfig: types of values from JSON', () => {
  it.each([
    ['useRefreshToken', 'false'],
    ['silentRenew', 1],
    ['autoUserInfo', 'yes'],
    ['clockSkewInSeconds', '60'],
    ['discoveryCacheSeconds', -1],
    ['renewTimeBeforeTokenExpiresInSeconds', Number.NaN],
    ['maxAge', 'an hour'],
  ])('rejects %s = %p naming the key', (key, value) => {
    expectConfigInvalid({ ...BASE, [key]: value }, key);
  });

  it('rejects a secure route over plain http off loopback, and accepts loopback', () => {
    expect(rejection({ ...BASE, secureRoutes: ['http://api.example.com/'] }).code).toBe('INSECURE_URL');
    expect(resolveConfig({ ...BASE, secureRoutes: ['http://127.0.0.1:4401/api'] }).secureRoutes).toEqual(['http://127.0.0.1:4401/api']);
  });
});

describe('resolveConfig: timeouts, back-off and owned parameters', () => {
  it('defaults to a 10 s request timeout and a 5 s to 300 s renewal back-off', () => {
    expect(resolveConfig(BASE)).toMatchObject({ httpTimeoutInSeconds: 10, renewRetryInitialDelayInSeconds: 5, renewRetryMaxDelayInSeconds: 300 });
  });

  it('refuses a zero timeout, a zero first delay (renewals would loop against a provider that is down) and a cap below the first delay', () => {
    expectConfigInvalid({ ...BASE, httpTimeoutInSeconds: 0 }, 'httpTimeoutInSeconds');
    expectConfigInvalid({ ...BASE, renewRetryInitialDelayInSeconds: 0, renewRetryMaxDelayInSeconds: 0 }, 'renewRetryInitialDelayInSeconds');
    expect(resolveConfig({ ...BASE, renewRetryInitialDelayInSeconds: 0.5 }).renewRetryInitialDelayInSeconds).toBe(0.5);
    expectConfigInvalid({ ...BASE, httpTimeoutInSeconds: '10' }, 'httpTimeoutInSeconds');
    expectConfigInvalid({ ...BASE, renewRetryInitialDelayInSeconds: 60, renewRetryMaxDelayInSeconds: 30 }, 'renewRetryMaxDelayInSeconds');
  });

  it.each(['max_age', 'response_mode'])('refuses %s in customParamsAuthRequest at start-up', (name) => {
    expectConfigInvalid({ ...BASE, customParamsAuthRequest: { [name]: 'x' } }, 'customParamsAuthRequest');
  });
});

describe('resolveConfig: navigateOnHttpError', () => {
  it('is off by default, and takes true, false or a list of URL prefixes', () => {
    expect(resolveConfig(BASE).navigateOnHttpError).toBe(false);
    expect(resolveConfig({ ...BASE, navigateOnHttpError: ['/api/admin/', 'https://api.example.test/admin/'] }).navigateOnHttpError).toHaveLength(2);
    expect(resolveConfig({ ...BASE, navigateOnHttpError: true }).navigateOnHttpError).toBe(true);
  });

  it('refuses anything else', () => {
    expectConfigInvalid({ ...BASE, navigateOnHttpError: 'true' }, 'navigateOnHttpError');
    expectConfigInvalid({ ...BASE, navigateOnHttpError: ['api/'] }, 'navigateOnHttpError');
  });
});

describe('resolveConfig: spellings and unknown keys', () => {
  it('takes usePushedAuthorizationRequests, and the British spelling as an alias', () => {
    expect(resolveConfig(BASE).usePushedAuthorizationRequests).toBe(false);
    expect(resolveConfig({ ...BASE, usePushedAuthorizationRequests: true }).usePushedAuthorizationRequests).toBe(true);
    const british = resolveConfig({ ...BASE, usePushedAuthorisationRequests: true });
    expect(british.usePushedAuthorizationRequests).toBe(true);
    expect('usePushedAuthorisationRequests' in british).toBe(false);
    expect(resolveConfig({ ...BASE, usePushedAuthorisationRequests: true, usePushedAuthorizationRequests: true }).usePushedAuthorizationRequests).toBe(true);
  });

  it('refuses the two spellings set to different values, and a PAR flag that is not a boolean', () => {
    expectConfigInvalid({ ...BASE, usePushedAuthorisationRequests: true, usePushedAuthorizationRequests: false }, 'usePushedAuthorizationRequests');
    expectConfigInvalid({ ...BASE, usePushedAuthorisationRequests: 'true' }, 'usePushedAuthorizationRequests');
  });

  it('turns DPoP on by default (it matters only with withDPoP()), and takes a boolean only', () => {
    expect(resolveConfig(BASE).useDPoP).toBe(true);
    expect(resolveConfig({ ...BASE, useDPoP: false }).useDPoP).toBe(false);
    expectConfigInvalid({ ...BASE, useDPoP: 'no' }, 'useDPoP');
  });

  it('refuses a logLevel it does not know', () => {
    expectConfigInvalid({ ...BASE, logLevel: 'Debug' }, 'logLevel');
    expect(resolveConfig({ ...BASE, logLevel: 'error' }).logLevel).toBe('error');
  });

  it('lists the keys OidcConfig does not have, and none of those it has', () => {
    expect(unknownConfigKeys({ ...BASE, silentRenew: true, usePushedAuthorisationRequests: true, useDPoP: false })).toEqual([]);
    expect(unknownConfigKeys({ ...BASE, clientID: 'x', redirectUri: 'y', toString: 1 })).toEqual(['clientID', 'redirectUri', 'toString']);
  });

  it('suggests the key a misspelt one meant: another case, or Uri and Url swapped', () => {
    expect(suggestConfigKey('clientID')).toBe('clientId');
    expect(suggestConfigKey('redirectUri')).toBe('redirectUrl');
    expect(suggestConfigKey('postLogoutRedirectUrl')).toBe('postLogoutRedirectUri');
    expect(suggestConfigKey('silentRenewURI')).toBe('silentRenewUrl');
    expect(suggestConfigKey('issuer')).toBeUndefined();
  });

  it('knows every key documented in OidcConfig', () => {
    const source = readFileSync(join(__dirname, 'config-types.ts'), 'utf8');
    const body = source.slice(source.indexOf('export interface OidcConfig'), source.indexOf('export type ResolvedOidcConfig'));
    const keys = [...body.matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]!);
    expect(keys.length).toBeGreaterThanOrEqual(40);
    expect(unknownConfigKeys(Object.fromEntries(keys.map((k) => [k, 1])))).toEqual([]);
  });
});
