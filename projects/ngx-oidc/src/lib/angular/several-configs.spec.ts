import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ApplicationInitStatus, Component, Injector, type Provider, provideZonelessChangeDetection, runInInjectionContext } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { provideAuthTestingBackend } from 'ngx-oidc/testing';
import { API, APP, popupRoundTrip, recordSentRequests, sentRequests, setLocation } from '../../test/angular-harness';
import { FakeProvider } from '../../test/fake-provider';
import { elementInPage } from '../../test/helpers';
import type { OidcConfig } from '../core/config';
import type { OidcHttpRequest } from '../core/http';
import { authCallbackGuard, authGuard, autoLoginGuard } from './guards';
import { authInterceptor } from './interceptor';
import { type InternalLoginOptions, OidcAuth, injectAuth } from './oidc-auth';
import { type AuthFeature, provideAuth, withCheckAuthOnStartup, withCheckSession, withConfig, withConfigLoader, withMultipleConfigs, withSilentRenewIframe, withStepUp } from './provide-auth';
import { AUTH_POPUP_LOGIN } from './tokens';

// Several providers at once (issue 11): the default config and a partner's, each with its
// own session, storage keys, renewal and events; one callback route serves both.

@Component({ template: '' })
class Page {}

const PARTNER_API = 'https://partner-api.example.test';
const START = 1_700_000_000;

interface World {
  readonly ours: FakeProvider;
  readonly partner: FakeProvider;
  readonly clock: { now: number };
  readonly redirects: string[];
}

async function world(): Promise<World> {
  const clock = { now: START };
  const ours = await FakeProvider.create({ now: () => clock.now });
  const partner = await FakeProvider.create({ now: () => clock.now, issuer: 'https://login.partner.example.test', clientId: 'partner-spa' });
  return { ours, partner, clock, redirects: [] };
}

function configs(w: World, extra: { ours?: Partial<OidcConfig>; partner?: Partial<OidcConfig> } = {}): [OidcConfig, OidcConfig] {
  const base = { redirectUrl: `${APP}/callback`, scope: 'openid profile offline_access', useRefreshToken: true, logLevel: 'none' as const };
  return [
    { ...base, authority: w.ours.issuer, clientId: w.ours.clientId, secureRoutes: [`${API}/`], ...extra.ours },
    { ...base, configId: 'partner', authority: w.partner.issuer, clientId: w.partner.clientId, secureRoutes: [`${PARTNER_API}/`], ...extra.partner },
  ];
}

/** A page load of the app: TestBed with both configs (as `sources`), its initializers run. */
async function app(w: World, sources: AuthFeature[], features: AuthFeature[] = [withMultipleConfigs(), withCheckAuthOnStartup()], providers: Provider[] = []) {
  TestBed.resetTestingModule();
  TestBed.configureTestingModule({
    providers: [
      provideZonelessChangeDetection(),
      provideHttpClient(withInterceptors([authInterceptor(), recordSentRequests])),
      provideHttpClientTesting(),
      provideRouter([
        { path: '', component: Page },
        { path: 'callback', canActivate: [authCallbackGuard], component: Page },
        { path: 'partner', canActivate: [autoLoginGuard('partner')], component: Page },
        { path: 'nobody', canActivate: [authGuard('nobody')], component: Page },
        { path: 'orders', component: Page },
        { path: 'unauthorized', component: Page },
      ]),
      provideAuth(...sources, ...features),
      provideAuthTestingBackend({
        // Each provider answers its own origin.
        fetchJson: (req: OidcHttpRequest) => (new URL(req.url).origin === new URL(w.partner.issuer).origin ? w.partner : w.ours).fetchJson(req),
        redirect: (url) => w.redirects.push(url),
        now: () => w.clock.now,
      }),
      ...providers,
    ],
  });
  await TestBed.inject(ApplicationInitStatus).donePromise;
  const main = TestBed.inject(OidcAuth);
  return { main, partner: main.forConfig('partner'), http: TestBed.inject(HttpClient), httpMock: TestBed.inject(HttpTestingController) };
}

/** Follows the last redirect to the provider it went to, and lands on the callback URL it answers with. */
async function answer(w: World, authorize: Parameters<FakeProvider['authorize']>[1] = {}): Promise<string> {
  const url = w.redirects.at(-1)!;
  const op = url.startsWith(w.partner.issuer) ? w.partner : w.ours;
  const callback = await op.authorize(url, authorize);
  setLocation(callback);
  return callback;
}

describe('several configs: provideAuth(withConfig(a), withConfig(b), withMultipleConfigs())', () => {
  it('signs in to both providers through one callback route, each with its own session', async () => {
    const w = await world();
    const { main, partner } = await app(w, configs(w).map(withConfig));
    expect(main.config()?.configId).toBe('default');
    expect(partner.config()?.configId).toBe('partner');
    expect(partner).not.toBe(main);

    await main.login();
    await main.handleCallback(await answer(w));
    await partner.login();
    expect(w.redirects[1]!.startsWith(w.partner.issuer)).toBe(true);
    // The callback goes through the default service: the state picks the partner's pending login.
    await expect(main.handleCallback(await answer(w, { sub: 'carol' }))).resolves.toMatchObject({ session: { idTokenClaims: { iss: w.partner.issuer } } });

    expect(main.user()?.sub).toBe('alice');
    expect(partner.user()?.sub).toBe('carol');
    expect(main.accessToken()).not.toBe(partner.accessToken());
    expect(sessionStorage.getItem('ngx-oidc.default.session')).toContain(main.accessToken()!);
    expect(sessionStorage.getItem('ngx-oidc.partner.session')).toContain(partner.accessToken()!);
    expect([w.ours.count('token'), w.partner.count('token')]).toEqual([1, 1]);
  });

  it('logs out of one and keeps the other, with events for the one only', async () => {
    const w = await world();
    const { main, partner } = await app(w, configs(w).map(withConfig));
    await main.login();
    await main.handleCallback(await answer(w));
    await partner.login();
    await main.handleCallback(await answer(w));
    const events = { main: [] as string[], partner: [] as string[] };
    main.events$.subscribe((e) => events.main.push(e.type));
    partner.events$.subscribe((e) => events.partner.push(e.type));

    partner.logoutLocal();
    expect(partner.isAuthenticated()).toBe(false);
    expect(main.isAuthenticated()).toBe(true);
    expect(sessionStorage.getItem('ngx-oidc.default.session')).not.toBeNull();
    expect(sessionStorage.getItem('ngx-oidc.partner.session')).toBeNull();
    expect(events).toEqual({ main: [], partner: ['LoggedOut'] });
  });

  it('finishes the partner callback at start-up and restores the default session beside it', async () => {
    const w = await world();
    const first = await app(w, configs(w).map(withConfig));
    await first.main.login();
    await first.main.handleCallback(await answer(w));
    await first.partner.login({ returnUrl: '/orders' });
    await answer(w);
    // The browser comes back from the partner's provider: a new page load at the callback route.
    const { main, partner } = await app(w, configs(w).map(withConfig));
    expect(main.user()?.sub).toBe('alice');
    expect(partner.isAuthenticated()).toBe(true);
    expect(partner.ready() && main.ready()).toBe(true);
    expect(main.error()).toBeNull();
    expect(new URL(location.href).searchParams.has('code')).toBe(false);
    // The callback guard takes the result the partner's start-up check got, and goes where that login began.
    const router = TestBed.inject(Router);
    await router.navigateByUrl(`/callback`);
    expect(router.url).toBe('/orders');
  });

  it('polls each provider\'s check-session iframe after a page load, whatever the order of the features', async () => {
    const w = await world();
    const checked = { startCheckSession: true, silentRenewUrl: `${APP}/silent-renew.html` };
    const sources = configs(w, { ours: checked, partner: checked }).map(withConfig);
    // withCheckSession() after withCheckAuthOnStartup(), as AuthModule.forRoot() orders them: at a
    // page load the partner's start-up check is over before its check session is set up.
    const features = [withMultipleConfigs(), withCheckAuthOnStartup(), withCheckSession(), withSilentRenewIframe()];
    const first = await app(w, sources, features);
    for (const auth of [first.main, first.partner]) {
      await auth.login();
      const callback = new URL(await answer(w));
      callback.searchParams.set('session_state', `${auth.config()!.configId}.salt`);
      await first.main.handleCallback(callback.toString());
    }
    setLocation('/');
    document.querySelectorAll('iframe').forEach((frame) => frame.remove());
    await app(w, sources, features);
    const frames = await Promise.all(
      [w.ours, w.partner].map((op) => elementInPage<HTMLIFrameElement>(`iframe[src="${op.metadata().check_session_iframe}"]`)),
    );
    expect(frames).toHaveLength(2);
  });

  it('refuses a response whose iss names the other provider (mix-up, RFC 9700 4.4) and keeps both sessions as they were', async () => {
    const w = await world();
    const { main, partner } = await app(w, configs(w).map(withConfig));
    await main.login();
    await main.handleCallback(await answer(w));
    await partner.login();
    const callback = new URL(await answer(w));
    callback.searchParams.set('iss', w.ours.issuer);
    setLocation(callback.toString());
    await expect(main.handleCallback(callback.toString())).rejects.toMatchObject({ code: 'ISS_MISMATCH' });
    expect(partner.isAuthenticated()).toBe(false);
    expect(partner.error()).toMatchObject({ code: 'ISS_MISMATCH' });
    expect(main.user()?.sub).toBe('alice');
    expect(w.partner.count('token') + w.ours.count('token')).toBe(1);
  });

  it("gives each API its own config's token and no other", async () => {
    const w = await world();
    const { main, partner, http, httpMock } = await app(w, configs(w).map(withConfig));
    await main.login();
    await main.handleCallback(await answer(w));
    await partner.login();
    await main.handleCallback(await answer(w));
    const calls = [`${API}/orders`, `${PARTNER_API}/invoices`, 'https://elsewhere.example.test/x'].map((url) => firstValueFrom(http.get(url)));
    const requests = [`${API}/orders`, `${PARTNER_API}/invoices`, 'https://elsewhere.example.test/x'].map((url) => httpMock.expectOne(url));
    expect(requests.map((req) => req.request.headers.get('Authorization'))).toEqual([`Bearer ${main.accessToken()}`, `Bearer ${partner.accessToken()}`, null]);
    for (const req of requests) req.flush({});
    await Promise.all(calls);
  });

  it('guards with a config id: autoLoginGuard("partner") sends the user to the partner only', async () => {
    const w = await world();
    await app(w, configs(w).map(withConfig));
    const router = TestBed.inject(Router);
    await router.navigateByUrl('/partner');
    expect(w.redirects).toHaveLength(1);
    expect(new URL(w.redirects[0]!).origin).toBe(new URL(w.partner.issuer).origin);
    expect(new URL(w.redirects[0]!).searchParams.get('client_id')).toBe('partner-spa');
  });

  it('fails a navigation guarded with a config id that no loaded config has (CONFIG_INVALID), sending nobody anywhere', async () => {
    const w = await world();
    await app(w, configs(w).map(withConfig));
    const router = TestBed.inject(Router);
    await expect(router.navigateByUrl('/nobody')).rejects.toMatchObject({ code: 'CONFIG_INVALID', cause: { key: 'configId', actual: 'nobody' } });
    expect(w.redirects).toEqual([]);
  });

  it('takes several configs from one source too (an HTTP or custom loader answering an array), and injectAuth(id) finds each', async () => {
    const w = await world();
    const pair = configs(w);
    const { main } = await app(w, [withConfigLoader(() => pair)]);
    const injector = TestBed.inject(Injector);
    const [ours, partner] = runInInjectionContext(injector, () => [injectAuth(), injectAuth('partner')]);
    expect(ours).toBe(main);
    expect(partner?.config()?.clientId).toBe('partner-spa');
    expect(() => runInInjectionContext(injector, () => injectAuth('nobody'))).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('fails start-up with CONFIG_INVALID naming withMultipleConfigs() when a second config comes without it', async () => {
    const w = await world();
    await expect(app(w, configs(w).map(withConfig), [withCheckAuthOnStartup()])).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('withMultipleConfigs()'),
    });
  });

  it('steps up each config on its own: the same demand from both APIs gets a popup per config and a retry with its own token', async () => {
    const w = await world();
    const calls: InternalLoginOptions[] = [];
    // The popup stand-in answers at whichever provider the login went to.
    const eitherProvider = { authorize: (url: string, o?: Parameters<FakeProvider['authorize']>[1]) => (url.startsWith(w.partner.issuer) ? w.partner : w.ours).authorize(url, o) } as FakeProvider;
    const { main, partner, http, httpMock } = await app(
      w,
      configs(w).map(withConfig),
      [withMultipleConfigs(), withCheckAuthOnStartup(), withStepUp({ mode: 'popup' })],
      [{ provide: AUTH_POPUP_LOGIN, useValue: popupRoundTrip(() => eitherProvider, () => ({}), calls) }],
    );
    await main.login();
    await main.handleCallback(await answer(w));
    await partner.login();
    await main.handleCallback(await answer(w));
    w.ours.idTokenExtraClaims = { acr: 'urn:mfa' };
    w.partner.idTokenExtraClaims = { acr: 'urn:mfa' };
    const demand = { status: 401, statusText: 'Unauthorized', headers: { 'WWW-Authenticate': 'Bearer error="insufficient_user_authentication", acr_values="urn:mfa"' } };
    const calls$ = [`${API}/pay`, `${PARTNER_API}/pay`].map((url) => firstValueFrom(http.get(url)));
    for (const url of [`${API}/pay`, `${PARTNER_API}/pay`]) httpMock.expectOne(url).flush({}, demand);
    const retries = await sentRequests(httpMock, () => true, 2);
    expect(calls).toEqual([{ acrValues: 'urn:mfa', stepUp: true }, { acrValues: 'urn:mfa', stepUp: true }]);
    const sent = Object.fromEntries(retries.map((req) => [new URL(req.request.url).origin, req.request.headers.get('Authorization')]));
    expect(sent).toEqual({ [API]: `Bearer ${main.accessToken()}`, [PARTNER_API]: `Bearer ${partner.accessToken()}` });
    expect([main.user()?.['acr'], partner.user()?.['acr']]).toEqual(['urn:mfa', 'urn:mfa']);
    for (const req of retries) req.flush({ paid: true });
    await expect(Promise.all(calls$)).resolves.toEqual([{ paid: true }, { paid: true }]);
  });

  it.each([
    ['two configs with one configId', { partner: { configId: 'default' } }, 'configId'],
    ['secure routes that overlap', { partner: { secureRoutes: [`${API}/partner/`] } }, 'secureRoutes'],
    ['the same secure route', { partner: { secureRoutes: [`${API}/`] } }, 'secureRoutes'],
  ])('fails start-up with CONFIG_INVALID for %s, naming the key', async (_name, extra, key) => {
    const w = await world();
    await expect(app(w, configs(w, extra).map(withConfig))).rejects.toMatchObject({ code: 'CONFIG_INVALID', cause: { key } });
  });
});
