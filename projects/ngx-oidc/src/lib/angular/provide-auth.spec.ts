import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ApplicationInitStatus, InjectionToken, inject, provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { useFakeClock } from '../../test/helpers';
import { FakeProvider } from '../../test/fake-provider';
import type { OidcConfig } from '../core/config';
import { OidcError } from '../core/errors';
import { MemoryStorage } from '../core/storage';
import { AuthModule } from './auth.module';
import { authInterceptor } from './interceptor';
import { OidcAuth } from './oidc-auth';
import {
  provideAuth,
  withCheckAuthOnStartup,
  withConfig,
  withConfigLoader,
  withHttpConfigLoader,
  withPopupLogin,
  withPushedAuthorizationRequests,
  withStorage,
} from './provide-auth';
import { loginInPopup } from './popup-login';
import { AUTH_POPUP_LOGIN } from './tokens';
import { provideAuthTestingBackend } from 'ngx-oidc/testing';

const CONFIG: OidcConfig = { authority: 'https://op.example.test', clientId: 'spa', redirectUrl: 'http://localhost/callback' };

async function start(providers: Parameters<typeof TestBed.configureTestingModule>[0], withAuthInterceptor = false) {
  const op = await FakeProvider.create();
  TestBed.configureTestingModule({
    ...providers,
    providers: [
      provideZonelessChangeDetection(),
      withAuthInterceptor ? provideHttpClient(withInterceptors([authInterceptor()])) : provideHttpClient(),
      provideHttpClientTesting(),
      provideRouter([]),
      provideAuthTestingBackend({ fetchJson: op.fetchJson }),
      ...(providers.providers ?? []),
    ],
  });
  return { op, init: () => TestBed.inject(ApplicationInitStatus).donePromise };
}

describe('provideAuth', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => (warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)));
  afterEach(() => warn.mockRestore());

  it('needs a config source', () => {
    expect(() => provideAuth()).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => provideAuth(withCheckAuthOnStartup())).toThrow(/needs a config/);
  });

  it.each([
    ['authority', { ...CONFIG, authority: '' }],
    ['clientId', { ...CONFIG, clientId: undefined }],
    ['redirectUrl', { ...CONFIG, redirectUrl: 'callback' }],
  ])('fails start-up with a message naming %s', async (key, config) => {
    const { init } = await start({ providers: [provideAuth(withConfig(config as OidcConfig))] });
    await expect(init()).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining(`"${key}"`) });
    // The failure is logged for the developer, naming the key too.
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(`CONFIG_INVALID: ngx-oidc config "${key}"`));
  });

  it('fails start-up for an http authority off loopback', async () => {
    const { init } = await start({ providers: [provideAuth(withConfig({ ...CONFIG, authority: 'http://op.example.test' }))] });
    await expect(init()).rejects.toMatchObject({ code: 'INSECURE_URL' });
  });

  it('loads the config over HTTP at start-up and maps it in an injection context', async () => {
    const SCOPE = new InjectionToken<string>('scope');
    const { init } = await start({
      providers: [
        provideAuth(withHttpConfigLoader('/auth-config.json', (json) => ({ ...(json as OidcConfig), scope: inject(SCOPE) }))),
        { provide: SCOPE, useValue: 'openid email' },
      ],
    });
    const done = init();
    TestBed.inject(HttpTestingController).expectOne('/auth-config.json').flush({ ...CONFIG, apiUrl: 'x' });
    await done;
    expect(TestBed.inject(OidcAuth).config()).toMatchObject({ clientId: 'spa', scope: 'openid email' });
  });

  it.each([
    ['a 404', { status: 404, statusText: 'Not Found' }],
    ['a server error', { status: 500, statusText: 'Error' }],
  ])('fails start-up with CONFIG_INVALID when the config server answers %s', async (_name, answer) => {
    const { init } = await start({ providers: [provideAuth(withHttpConfigLoader('/auth-config.json'))] });
    const done = init();
    TestBed.inject(HttpTestingController).expectOne('/auth-config.json').flush('<html>nope</html>', answer);
    await expect(done).rejects.toMatchObject({ code: 'CONFIG_INVALID', cause: { url: '/auth-config.json' } });
  });

  it('fails start-up with CONFIG_INVALID when the config server does not answer in 10 seconds, and cancels the request', async () => {
    useFakeClock();
    try {
      const { init } = await start({ providers: [provideAuth(withHttpConfigLoader('/auth-config.json'))] });
      const done = init().then(
        () => 'started',
        (e: unknown) => e,
      );
      const request = TestBed.inject(HttpTestingController).expectOne('/auth-config.json');
      await jest.advanceTimersByTimeAsync(9_999);
      expect(request.cancelled).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(await done).toMatchObject({ code: 'CONFIG_INVALID', cause: { url: '/auth-config.json' } });
      expect(request.cancelled).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('fails start-up when the config server answers HTML with 200', async () => {
    const { init } = await start({ providers: [provideAuth(withHttpConfigLoader('/auth-config.json'))] });
    const done = init();
    TestBed.inject(HttpTestingController).expectOne('/auth-config.json').flush('<html>login page</html>');
    await expect(done).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('checks a loaded config as JSON: a mistyped value fails start-up naming its key, a null one is "not set"', async () => {
    const { init } = await start({ providers: [provideAuth(withHttpConfigLoader('/auth-config.json'))] });
    const done = init();
    TestBed.inject(HttpTestingController).expectOne('/auth-config.json').flush({ ...CONFIG, trustedAudiences: 'api' });
    await expect(done).rejects.toMatchObject({ code: 'CONFIG_INVALID', cause: { key: 'trustedAudiences', actual: 'api' } });

    TestBed.resetTestingModule();
    const custom = await start({ providers: [provideAuth(withConfigLoader(() => JSON.parse(JSON.stringify({ ...CONFIG, postLogoutRedirectUri: null }))))] });
    await custom.init();
    expect(TestBed.inject(OidcAuth).config()?.postLogoutRedirectUri).toBeUndefined();
  });

  it('runs a custom loader in an injection context', async () => {
    const CLIENT = new InjectionToken<string>('client');
    const { init } = await start({
      providers: [provideAuth(withConfigLoader(async () => ({ ...CONFIG, clientId: inject(CLIENT) }))), { provide: CLIENT, useValue: 'from-di' }],
    });
    await init();
    expect(TestBed.inject(OidcAuth).config()?.clientId).toBe('from-di');
  });

  it('warns about unknown config keys (in development builds) and still starts; logLevel decides what is logged', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const typo = { ...CONFIG, clientID: 'spa', secureRoute: ['/api/'] } as OidcConfig;
      const { init } = await start({ providers: [provideAuth(withConfig(typo))] });
      await init();
      expect(TestBed.inject(OidcAuth).config()?.clientId).toBe('spa');
      expect(warn.mock.calls.map(([line]) => line)).toEqual([
        'ngx-oidc: unknown config key "clientID" is ignored; did you mean "clientId"?',
        'ngx-oidc: unknown config key "secureRoute" is ignored',
      ]);
      warn.mockClear();
      TestBed.resetTestingModule();
      const quiet = await start({ providers: [provideAuth(withConfig({ ...typo, logLevel: 'none' }))] });
      await quiet.init();
      expect(warn).not.toHaveBeenCalled();
      // logLevel 'error': failures only, as errors.
      TestBed.resetTestingModule();
      const errorsOnly = await start({ providers: [provideAuth(withConfig({ ...typo, logLevel: 'error' }))] });
      await errorsOnly.init();
      TestBed.inject(OidcAuth).ɵreport(new OidcError('the provider is down', 'NETWORK_ERROR'));
      expect(warn).not.toHaveBeenCalled();
      expect(error.mock.calls).toEqual([['ngx-oidc: NETWORK_ERROR: the provider is down']]);
      // A production build's error has no sentence (see DEV): the code is said once.
      TestBed.inject(OidcAuth).ɵreport(new OidcError(false, 'TIMEOUT'));
      expect(error.mock.calls[1]).toEqual(['ngx-oidc: TIMEOUT']);
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
  });

  it('uses a custom storage', async () => {
    const storage = new MemoryStorage();
    const { op, init } = await start({ providers: [provideAuth(withConfig({ ...CONFIG, authority: 'https://op.example.test' }), withStorage(storage))] });
    await init();
    await TestBed.inject(OidcAuth).providerMetadata();
    expect(storage.read('ngx-oidc.default.discovery')).toContain(op.issuer);
  });

  it('lets the config loader use HttpClient without the interceptor blocking it', async () => {
    const { init } = await start({ providers: [provideAuth(withHttpConfigLoader('/auth-config.json'), withCheckAuthOnStartup())] }, true);
    const done = init();
    const req = TestBed.inject(HttpTestingController).expectOne('/auth-config.json');
    expect(req.request.headers.has('Authorization')).toBe(false);
    req.flush(CONFIG);
    await done;
    expect(TestBed.inject(OidcAuth).ready()).toBe(true);
  });
});

describe('optional features', () => {
  it('withPushedAuthorizationRequests sends logins by PAR; without it a PAR config fails with CONFIG_INVALID', async () => {
    const redirects: string[] = [];
    const op = await FakeProvider.create();
    const config = { ...CONFIG, usePushedAuthorizationRequests: true };
    const setup = (features: Parameters<typeof provideAuth>) => {
      TestBed.resetTestingModule();
      TestBed.configureTestingModule({
        providers: [
          provideZonelessChangeDetection(),
          provideHttpClient(),
          provideRouter([]),
          provideAuth(...features),
          provideAuthTestingBackend({ fetchJson: op.fetchJson, redirect: (url) => redirects.push(url) }),
        ],
      });
      return TestBed.inject(OidcAuth);
    };
    await setup([withConfig(config), withPushedAuthorizationRequests()]).login();
    expect([...new URL(redirects[0]!).searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    await expect(setup([withConfig(config)]).login()).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    warn.mockRestore();
    expect(redirects).toHaveLength(1);
  });
});

describe('AuthModule.forRoot', () => {
  it('configures an NgModule app with the same providers, checking auth at start-up', async () => {
    const { init } = await start({ imports: [AuthModule.forRoot({ config: CONFIG })] });
    await init();
    const auth = TestBed.inject(OidcAuth);
    expect(auth.config()?.clientId).toBe('spa');
    expect(auth.ready()).toBe(true);
  });

  it('takes a loader or an HTTP config URL, and can skip the start-up check', async () => {
    const { init } = await start({ imports: [AuthModule.forRoot({ loader: () => CONFIG, checkAuthOnStartup: false, storage: new MemoryStorage() })] });
    await init();
    expect(TestBed.inject(OidcAuth).ready()).toBe(false);
    TestBed.resetTestingModule();
    const second = await start({ imports: [AuthModule.forRoot({ httpConfigUrl: '/cfg.json' })] });
    const done = second.init();
    TestBed.inject(HttpTestingController).expectOne('/cfg.json').flush(CONFIG);
    await done;
    expect(TestBed.inject(OidcAuth).ready()).toBe(true);
  });

  it('takes withPopupLogin() as a feature; without it no popup code is provided', async () => {
    const { init } = await start({ imports: [AuthModule.forRoot({ config: CONFIG, features: [withPopupLogin()] })] });
    await init();
    expect(TestBed.inject(AUTH_POPUP_LOGIN)).toBe(loginInPopup);
    TestBed.resetTestingModule();
    const without = await start({ imports: [AuthModule.forRoot({ config: CONFIG })] });
    await without.init();
    expect(TestBed.inject(AUTH_POPUP_LOGIN)).toBeNull();
  });
});
