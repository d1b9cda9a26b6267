import { TestBed } from '@angular/core/testing';
import { APP, renewIframe, setupAuth, signIn } from '../../test/angular-harness';
import { withCheckAuthOnStartup, withSilentRenewIframe } from './provide-auth';
import { SILENT_RENEW_MESSAGE, SilentRenewComponent, postSilentRenewResult } from './silent-renew';

const IFRAME_CONFIG = {
  scope: 'openid profile',
  useRefreshToken: false,
  silentRenew: true,
  silentRenewUrl: `${APP}/silent-renew.html`,
};

const IFRAME_FEATURES = [withCheckAuthOnStartup(), withSilentRenewIframe()];

function answer(iframe: HTMLIFrameElement, url: string, origin = window.location.origin, source: Window | null = iframe.contentWindow): void {
  window.dispatchEvent(new MessageEvent('message', { origin, source, data: { type: SILENT_RENEW_MESSAGE, url } }));
}

describe('silent renew by iframe (prompt=none)', () => {
  afterEach(() => jest.useRealTimers());

  it('renews through a hidden iframe and removes it', async () => {
    const h = await setupAuth({ config: IFRAME_CONFIG, features: IFRAME_FEATURES });
    await signIn(h);
    const old = h.auth.accessToken();
    const renewal = h.auth.refresh();
    const iframe = await renewIframe();
    const request = new URL(iframe.src);
    expect(request.searchParams.get('prompt')).toBe('none');
    expect(request.searchParams.get('redirect_uri')).toBe(`${APP}/silent-renew.html`);
    answer(iframe, await h.op.authorize(iframe.src));
    await expect(renewal).resolves.toMatchObject({ idTokenClaims: { sub: 'alice' } });
    expect(h.auth.accessToken()).not.toBe(old);
    expect(document.querySelector('iframe')).toBeNull();
  });

  it('ignores answers from another origin or another window', async () => {
    const h = await setupAuth({ config: { ...IFRAME_CONFIG, silentRenewTimeoutInSeconds: 5 }, features: IFRAME_FEATURES });
    await signIn(h);
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const renewal = h.auth.refresh();
    renewal.catch(() => undefined);
    const iframe = await renewIframe();
    const callback = await h.op.authorize(iframe.src);
    answer(iframe, callback, 'https://evil.example.test');
    answer(iframe, callback, window.location.origin, window);
    // Neither answer counts: the renewal waits for its timeout.
    await jest.advanceTimersByTimeAsync(5000);
    await expect(renewal).rejects.toMatchObject({ code: 'RENEW_TIMEOUT' });
    expect(h.op.count('token')).toBe(1);
    expect(document.querySelector('iframe')).toBeNull();
  });

  it('ends the session cleanly when the provider answers login_required', async () => {
    const h = await setupAuth({ config: IFRAME_CONFIG, features: IFRAME_FEATURES });
    await signIn(h);
    const renewal = h.auth.refresh();
    const iframe = await renewIframe();
    const callback = new URL(`${APP}/silent-renew.html`);
    callback.searchParams.set('error', 'login_required');
    callback.searchParams.set('state', new URL(iframe.src).searchParams.get('state')!);
    callback.searchParams.set('iss', h.op.issuer);
    answer(iframe, callback.toString());
    await expect(renewal).rejects.toMatchObject({ code: 'LOGIN_REQUIRED', oauthError: 'login_required' });
    expect(h.auth.isAuthenticated()).toBe(false);
    expect(sessionStorage.getItem('ngx-oidc.default.session')).toBeNull();
  });

  it('refuses a renewal that signs in another user, and ends the session rather than keep either', async () => {
    const h = await setupAuth({ config: IFRAME_CONFIG, features: IFRAME_FEATURES });
    await signIn(h);
    const ended: string[] = [];
    h.auth.events$.subscribe((e) => e.type === 'SessionEnded' && ended.push(e.error.code));
    const renewal = h.auth.refresh();
    const iframe = await renewIframe();
    answer(iframe, await h.op.authorize(iframe.src, { sub: 'mallory' }));
    await expect(renewal).rejects.toMatchObject({ code: 'ID_TOKEN_REFRESH_MISMATCH' });
    expect(h.auth.user()).toBeNull();
    expect(ended).toEqual(['ID_TOKEN_REFRESH_MISMATCH']);
  });

  it('sends id_token_hint with the prompt=none request (OIDC Core 3.1.2.1)', async () => {
    const h = await setupAuth({ config: IFRAME_CONFIG, features: IFRAME_FEATURES });
    await signIn(h);
    const renewal = h.auth.refresh();
    const iframe = await renewIframe();
    expect(new URL(iframe.src).searchParams.get('id_token_hint')).toBe(h.auth.idToken());
    answer(iframe, await h.op.authorize(iframe.src));
    await renewal;
  });

  it('keeps the session through an iframe that times out, and backs off before the next iframe', async () => {
    const h = await setupAuth({ config: { ...IFRAME_CONFIG, silentRenewTimeoutInSeconds: 5 }, features: IFRAME_FEATURES });
    await signIn(h);
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const first = h.auth.refresh();
    first.catch(() => undefined);
    await renewIframe();
    await jest.advanceTimersByTimeAsync(5000);
    await expect(first).rejects.toMatchObject({ code: 'RENEW_TIMEOUT', cause: { retryAt: expect.any(Number) } });
    expect(h.auth.isAuthenticated()).toBe(true);
    expect(h.auth.status()).toBe('retrying');
    // Within the back-off no second iframe is opened.
    await expect(h.auth.refresh()).rejects.toMatchObject({ code: 'RENEW_TIMEOUT', cause: { deferred: true } });
    expect(document.querySelector('iframe')).toBeNull();
    h.clock.now += 10;
    const renewal = h.auth.refresh();
    const iframe = await renewIframe();
    answer(iframe, await h.op.authorize(iframe.src));
    await renewal;
    expect(h.auth.status()).toBe('authenticated');
  });
});

describe('silent renew by iframe without its feature', () => {
  it('cannot renew, and says which feature to add', async () => {
    const h = await setupAuth({ config: IFRAME_CONFIG });
    await signIn(h);
    expect(h.auth.canRenew()).toBe(false);
    await expect(h.auth.refresh()).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('withSilentRenewIframe()') });
    expect(document.querySelector('iframe')).toBeNull();
  });
});

describe('the silent-renew page', () => {
  it('posts its URL to the parent, on its own origin only', () => {
    const posted: unknown[] = [];
    const parent = { postMessage: (data: unknown, origin: string) => posted.push([data, origin]) };
    const view = { parent, location: { href: `${APP}/silent-renew.html?code=c&state=s`, origin: APP } } as unknown as Window;
    postSilentRenewResult(view);
    expect(posted).toEqual([[{ type: SILENT_RENEW_MESSAGE, url: `${APP}/silent-renew.html?code=c&state=s` }, APP]]);
  });

  it('does nothing when not in a frame', () => {
    const spy = jest.spyOn(window, 'postMessage');
    postSilentRenewResult(window);
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  it('SilentRenewComponent posts when shown', async () => {
    await setupAuth();
    const spy = jest.spyOn(window.parent, 'postMessage');
    const isFramed = jest.spyOn(window, 'parent', 'get').mockReturnValue({ postMessage: spy } as unknown as Window);
    const fixture = TestBed.createComponent(SilentRenewComponent);
    fixture.detectChanges();
    expect(spy).toHaveBeenCalledWith({ type: SILENT_RENEW_MESSAGE, url: window.location.href }, window.location.origin);
    isFramed.mockRestore();
    spy.mockRestore();
  });
});
