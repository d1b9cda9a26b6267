import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BroadcastChannel as NodeBroadcastChannel } from 'node:worker_threads';
import { TestBed } from '@angular/core/testing';
import type { OidcConfig } from '../core/config';
import { APP, setupAuth, signIn } from '../../test/angular-harness';
import { deferred } from '../../test/helpers';
import { OidcError } from '../core/errors';
import * as actionsChunk from './actions-chunk';
import type { AuthEvent } from './events';
import type { OidcAuth } from './oidc-auth';
import { POPUP_CHANNEL, POPUP_MESSAGE, PopupCallbackComponent, postPopupResult } from './popup-login';
import { type AuthFeature, withCheckAuthOnStartup, withPopupLogin, withPushedAuthorizationRequests } from './provide-auth';

const POPUP_PAGE = `${APP}/popup-callback.html`;
const POPUP_CONFIG: Partial<OidcConfig> = { popupRedirectUrl: POPUP_PAGE, popupTimeoutInSeconds: 60 };
const POPUP_FEATURES: AuthFeature[] = [withCheckAuthOnStartup(), withPopupLogin()];
/** The opener's poll interval plus the grace for an answer on its way (popup-login.ts). */
const CLOSED_SETTLES_WITHIN_MS = 500 + 1000;

/** A popup window as the opener sees it: `closed`, a location, `close()`. */
interface FakePopup {
  closed: boolean;
  /** Where the opener sent it (`location.replace`). */
  url: string | undefined;
  /** Resolves with that URL when the opener sends it there (after the login's request is made, with real WebCrypto). */
  readonly sent: Promise<string>;
  /** True while it shows the provider's page: its location cannot be read from the opener then. */
  atProvider: boolean;
  closeCalls: number;
  readonly location: { readonly href: string; replace(url: string): void };
  close(): void;
}

function fakePopup(): FakePopup {
  const sent = deferred<string>();
  const popup: FakePopup = {
    closed: false,
    url: undefined,
    sent: sent.promise,
    atProvider: false,
    closeCalls: 0,
    location: {
      get href(): string {
        if (popup.atProvider) throw new DOMException('Blocked a frame from accessing a cross-origin frame', 'SecurityError');
        return popup.url ?? 'about:blank';
      },
      replace: (url: string) => {
        popup.url = url;
        sent.resolve(url);
      },
    },
    close: () => {
      popup.closeCalls += 1;
      popup.closed = true;
    },
  };
  return popup;
}

/** `window.open` answers `popup` (or `null`: blocked). */
function openReturns(popup: FakePopup | null): jest.SpyInstance {
  return jest.spyOn(window, 'open').mockImplementation(() => popup as unknown as Window | null);
}

/** The popup page's `postMessage` to the opener, as the browser delivers it. */
function postFrom(source: unknown, url: string, origin = window.location.origin, type: string = POPUP_MESSAGE): void {
  const event = new MessageEvent('message', { origin, data: { type, url } });
  Object.defineProperty(event, 'source', { value: source });
  window.dispatchEvent(event);
}

/** The pending logins in sessionStorage. */
function pendingLogins(): string[] {
  return Object.keys(sessionStorage).filter((key) => key.startsWith('ngx-oidc.default.tx.'));
}

function record(auth: OidcAuth): AuthEvent[] {
  const events: AuthEvent[] = [];
  auth.events$.subscribe((e) => events.push(e));
  return events;
}

/** Tracks whether `promise` has settled, without handling its outcome for the test. */
function settled(promise: Promise<unknown>): () => boolean {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  return () => done;
}

/** A test app with popup sign-in, the library's timers fake from here on. */
async function popupApp(config: Partial<OidcConfig> = POPUP_CONFIG, features = POPUP_FEATURES) {
  const h = await setupAuth({ config, features });
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  return h;
}

/** Starts a popup login and waits until the popup was sent to the provider. */
async function startPopupLogin(h: Awaited<ReturnType<typeof setupAuth>>, popup: FakePopup): Promise<{ login: Promise<unknown> }> {
  const login = h.auth.loginWithPopup();
  // Handled here, asserted by the test: it may fail while fake time is advanced.
  login.catch(() => undefined);
  await popup.sent;
  // Wrapped: an async function would otherwise wait for the login itself.
  return { login };
}

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('loginWithPopup', () => {
  it('opens the window in the click, signs in through the popup page, and closes the popup', async () => {
    const h = await popupApp();
    const events = record(h.auth);
    const popup = fakePopup();
    const open = openReturns(popup);
    const login = h.auth.loginWithPopup();
    // Synchronously, before any await: inside the user's click.
    expect(open).toHaveBeenCalledTimes(1);
    expect(open.mock.calls[0]![0]).toBe('about:blank');
    expect(open.mock.calls[0]![2]).toMatch(/^popup,width=500,height=640,/);
    await popup.sent;
    const request = new URL(popup.url!);
    expect(request.origin).toBe(h.op.issuer);
    expect(request.searchParams.get('redirect_uri')).toBe(POPUP_PAGE);
    popup.atProvider = true;
    await jest.advanceTimersByTimeAsync(600);
    const callback = await h.op.authorize(popup.url!);
    popup.atProvider = false;
    postFrom(popup, callback);
    await expect(login).resolves.toMatchObject({ session: { idTokenClaims: { sub: 'alice' } } });
    expect(h.auth.isAuthenticated()).toBe(true);
    expect(h.auth.user()?.sub).toBe('alice');
    expect(h.auth.error()).toBeNull();
    expect(popup.closed).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['LoginStarted', 'TokenReceived']);
    expect(pendingLogins()).toEqual([]);
    expect(h.op.count('token')).toBe(1);
  });

  it('passes prompt, custom parameters and window features on', async () => {
    const h = await popupApp();
    const popup = fakePopup();
    const open = openReturns(popup);
    const login = h.auth.loginWithPopup({ prompt: 'login', customParams: { ui_locales: 'de' }, windowFeatures: 'popup,width=400,height=500' });
    expect(open.mock.calls[0]![2]).toBe('popup,width=400,height=500');
    await popup.sent;
    const request = new URL(popup.url!);
    expect(request.searchParams.get('prompt')).toBe('login');
    expect(request.searchParams.get('ui_locales')).toBe('de');
    postFrom(popup, await h.op.authorize(popup.url!));
    await login;
  });

  it('works with PAR, whose URL shows no state: the answer is still matched to its login', async () => {
    const h = await popupApp({ ...POPUP_CONFIG, usePushedAuthorizationRequests: true }, [...POPUP_FEATURES, withPushedAuthorizationRequests()]);
    const popup = fakePopup();
    openReturns(popup);
    const { login } = await startPopupLogin(h, popup);
    const request = new URL(popup.url!);
    expect([...request.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    const callback = await h.op.authorize(popup.url!);
    const otherLogin = new URL(callback);
    otherLogin.searchParams.set('state', 'another-login');
    postFrom(popup, otherLogin.toString());
    postFrom(popup, callback);
    await expect(login).resolves.toMatchObject({ session: { idTokenClaims: { sub: 'alice' } } });
    expect(h.op.count('par')).toBe(1);
    expect(h.op.count('token')).toBe(1);
  });

  it('fails with POPUP_BLOCKED when the browser refuses the window, starting nothing and storing nothing', async () => {
    const h = await popupApp();
    const events = record(h.auth);
    openReturns(null);
    await expect(h.auth.loginWithPopup()).rejects.toMatchObject({ code: 'POPUP_BLOCKED' });
    expect(h.auth.error()?.code).toBe('POPUP_BLOCKED');
    expect(events.map((e) => e.type)).toEqual(['Error']);
    expect(pendingLogins()).toEqual([]);
    expect(h.op.requests).toEqual([]);
    expect(h.auth.isAuthenticated()).toBe(false);
  });

  it('fails with POPUP_CLOSED promptly when the user closes the popup, and leaves no pending login', async () => {
    const h = await popupApp();
    const events = record(h.auth);
    const popup = fakePopup();
    openReturns(popup);
    const { login } = await startPopupLogin(h, popup);
    const done = settled(login);
    expect(pendingLogins()).toHaveLength(1);
    popup.atProvider = true;
    await jest.advanceTimersByTimeAsync(500);
    popup.close();
    await jest.advanceTimersByTimeAsync(CLOSED_SETTLES_WITHIN_MS);
    // It never hangs: settled within the poll interval and the grace, far before the timeout.
    expect(done()).toBe(true);
    await expect(login).rejects.toMatchObject({ code: 'POPUP_CLOSED' });
    expect(h.auth.error()?.code).toBe('POPUP_CLOSED');
    expect(events.map((e) => e.type)).toEqual(['LoginStarted', 'Error']);
    expect(pendingLogins()).toEqual([]);
    expect(h.op.count('token')).toBe(0);
    expect(h.auth.isAuthenticated()).toBe(false);
  });

  it('fails with POPUP_CLOSED when the popup is closed before it is sent to the provider', async () => {
    const h = await popupApp();
    const popup = fakePopup();
    openReturns(popup);
    const login = h.auth.loginWithPopup();
    popup.closed = true;
    await expect(login).rejects.toMatchObject({ code: 'POPUP_CLOSED' });
    expect(popup.url).toBeUndefined();
    expect(pendingLogins()).toEqual([]);
  });

  it('lets an answer already on its way win over the popup closing itself', async () => {
    const h = await popupApp();
    const popup = fakePopup();
    openReturns(popup);
    const { login } = await startPopupLogin(h, popup);
    popup.atProvider = true;
    await jest.advanceTimersByTimeAsync(500);
    const callback = await h.op.authorize(popup.url!);
    // The popup page posts and closes itself; the opener's poll notices the closing first.
    popup.closed = true;
    await jest.advanceTimersByTimeAsync(500);
    postFrom(popup, callback);
    await expect(login).resolves.toMatchObject({ session: { idTokenClaims: { sub: 'alice' } } });
  });

  it('fails with POPUP_TIMEOUT after popupTimeoutInSeconds, closing the popup and removing the pending login', async () => {
    const h = await popupApp();
    const popup = fakePopup();
    openReturns(popup);
    const { login } = await startPopupLogin(h, popup);
    const done = settled(login);
    popup.atProvider = true;
    await jest.advanceTimersByTimeAsync(59_000);
    expect(done()).toBe(false);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(done()).toBe(true);
    await expect(login).rejects.toMatchObject({ code: 'POPUP_TIMEOUT', cause: { expected: 60 } });
    expect(popup.closeCalls).toBe(1);
    expect(pendingLogins()).toEqual([]);
    expect(h.auth.error()?.code).toBe('POPUP_TIMEOUT');
  });

  it('ignores answers from another origin, another window, another login or of another shape', async () => {
    const h = await popupApp();
    const popup = fakePopup();
    openReturns(popup);
    const { login } = await startPopupLogin(h, popup);
    const done = settled(login);
    const callback = await h.op.authorize(popup.url!);
    const otherLogin = new URL(callback);
    otherLogin.searchParams.set('state', 'another-login');
    postFrom(popup, callback, 'https://evil.example.test');
    postFrom(window, callback);
    postFrom(null, callback);
    postFrom(popup, otherLogin.toString());
    postFrom(popup, callback, window.location.origin, 'ngx-oidc:silent-renew');
    // An answer taken would close the popup, take the pending login and send the token request
    // without waiting on anything but microtasks: by the end of this drain all of it shows.
    await jest.advanceTimersByTimeAsync(0);
    expect(done()).toBe(false);
    expect(h.op.count('token')).toBe(0);
    expect(pendingLogins()).toHaveLength(1);
    postFrom(popup, callback);
    await expect(login).resolves.toMatchObject({ session: { idTokenClaims: { sub: 'alice' } } });
    expect(h.op.count('token')).toBe(1);
  });

  it('reports access_denied as AUTHORIZATION_ERROR, storing nothing', async () => {
    const h = await popupApp();
    const events = record(h.auth);
    const popup = fakePopup();
    openReturns(popup);
    const { login } = await startPopupLogin(h, popup);
    postFrom(popup, await h.op.authorize(popup.url!, { deny: true }));
    await expect(login).rejects.toMatchObject({ code: 'AUTHORIZATION_ERROR', oauthError: 'access_denied' });
    expect(h.auth.error()).toMatchObject({ code: 'AUTHORIZATION_ERROR', oauthError: 'access_denied' });
    expect(events.map((e) => e.type)).toEqual(['LoginStarted', 'Error']);
    expect(h.auth.isAuthenticated()).toBe(false);
    expect(sessionStorage.getItem('ngx-oidc.default.session')).toBeNull();
    expect(pendingLogins()).toEqual([]);
    expect(popup.closed).toBe(true);
    // A failed popup is not a failed redirect login: the guards may still start one.
    expect(h.auth.lastLoginFailed()).toBe(false);
  });

  it('reports a sign-in code that does not load once, failing with the NETWORK_ERROR it gave, starting and storing nothing', async () => {
    const h = await popupApp();
    const events = record(h.auth);
    const popup = fakePopup();
    openReturns(popup);
    // The lazy chunk fails to load, as lazy() reports it when the browser is offline.
    const unloaded = new OidcError('ngx-oidc could not load its code', 'NETWORK_ERROR', { reason: new TypeError('Failed to fetch dynamically imported module') });
    jest.spyOn(actionsChunk, 'loadActions').mockRejectedValue(unloaded);
    await expect(h.auth.loginWithPopup()).rejects.toBe(unloaded);
    expect(events.map((e) => e.type)).toEqual(['Error']);
    expect(h.auth.error()).toBe(unloaded);
    expect(popup.closed).toBe(true);
    expect(popup.url).toBeUndefined();
    expect(pendingLogins()).toEqual([]);
    expect(h.op.requests).toEqual([]);
  });

  it('keeps the session that existed when a popup login fails', async () => {
    const h = await setupAuth({ config: POPUP_CONFIG, features: POPUP_FEATURES });
    await signIn(h);
    const before = h.auth.accessToken();
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const popup = fakePopup();
    openReturns(popup);
    const { login } = await startPopupLogin(h, popup);
    popup.atProvider = true;
    await jest.advanceTimersByTimeAsync(500);
    popup.close();
    await jest.advanceTimersByTimeAsync(CLOSED_SETTLES_WITHIN_MS);
    await expect(login).rejects.toMatchObject({ code: 'POPUP_CLOSED' });
    expect(h.auth.accessToken()).toBe(before);
    expect(h.auth.isAuthenticated()).toBe(true);
  });

  describe('with a provider that sends Cross-Origin-Opener-Policy', () => {
    const original = (globalThis as { BroadcastChannel?: unknown }).BroadcastChannel;
    beforeEach(() => ((globalThis as { BroadcastChannel?: unknown }).BroadcastChannel = NodeBroadcastChannel));
    afterEach(() => ((globalThis as { BroadcastChannel?: unknown }).BroadcastChannel = original));

    it('trusts the BroadcastChannel answer although the popup looks closed from the start', async () => {
      const h = await popupApp();
      const popup = fakePopup();
      openReturns(popup);
      const { login } = await startPopupLogin(h, popup);
      const done = settled(login);
      // The navigation to the provider cut the popup off: the opener reads closed at once.
      popup.closed = true;
      await jest.advanceTimersByTimeAsync(30_000);
      expect(done()).toBe(false);
      const callback = await h.op.authorize(popup.url!);
      const page = new NodeBroadcastChannel(POPUP_CHANNEL);
      const other = new URL(callback);
      other.searchParams.set('state', 'a-login-of-another-tab');
      page.postMessage({ type: POPUP_MESSAGE, url: other.toString() });
      page.postMessage({ type: POPUP_MESSAGE, url: callback });
      try {
        await expect(login).resolves.toMatchObject({ session: { idTokenClaims: { sub: 'alice' } } });
      } finally {
        page.close();
      }
      expect(h.op.count('token')).toBe(1);
      expect(h.auth.isAuthenticated()).toBe(true);
    });

    it('still ends with POPUP_TIMEOUT when no answer comes', async () => {
      const h = await popupApp();
      const popup = fakePopup();
      openReturns(popup);
      const { login } = await startPopupLogin(h, popup);
      popup.closed = true;
      await jest.advanceTimersByTimeAsync(60_000);
      await expect(login).rejects.toMatchObject({ code: 'POPUP_TIMEOUT' });
      expect(pendingLogins()).toEqual([]);
    });
  });
});

describe('loginWithPopup without its feature or its page', () => {
  it('fails with CONFIG_INVALID naming withPopupLogin(), and opens nothing', async () => {
    const h = await setupAuth({ config: POPUP_CONFIG });
    const events = record(h.auth);
    const open = openReturns(fakePopup());
    await expect(h.auth.loginWithPopup()).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('withPopupLogin()') });
    expect(open).not.toHaveBeenCalled();
    expect(events.map((e) => e.type)).toEqual(['Error']);
  });

  it.each([
    ['missing', {}],
    ['relative', { popupRedirectUrl: '/popup-callback.html' }],
    ['on another origin', { popupRedirectUrl: 'https://elsewhere.example.test/popup-callback.html' }],
    ['the redirectUrl page', { popupRedirectUrl: `${APP}/callback?popup` }],
  ])('fails with CONFIG_INVALID naming popupRedirectUrl when it is %s, closing the popup and storing nothing', async (_case, config) => {
    const h = await popupApp(config);
    const popup = fakePopup();
    openReturns(popup);
    await expect(h.auth.loginWithPopup()).rejects.toMatchObject({ code: 'CONFIG_INVALID', cause: { key: 'popupRedirectUrl' } });
    expect(popup.closed).toBe(true);
    expect(popup.url).toBeUndefined();
    expect(pendingLogins()).toEqual([]);
  });
});

describe('the popup page', () => {
  const original = (globalThis as { BroadcastChannel?: unknown }).BroadcastChannel;
  beforeEach(() => ((globalThis as { BroadcastChannel?: unknown }).BroadcastChannel = NodeBroadcastChannel));
  afterEach(() => ((globalThis as { BroadcastChannel?: unknown }).BroadcastChannel = original));

  /** Listens on the popup channel as the opener does; `first` resolves when a message arrives. */
  function listen(): { heard: unknown[]; first: Promise<void>; close(): void } {
    const channel = new NodeBroadcastChannel(POPUP_CHANNEL);
    const heard: unknown[] = [];
    const first = deferred();
    channel.onmessage = (event: unknown) => {
      heard.push((event as { data: unknown }).data);
      first.resolve();
    };
    return { heard, first: first.promise, close: () => channel.close() };
  }

  function popupView(opener: unknown) {
    const closed: boolean[] = [];
    const view = {
      opener,
      location: { href: `${POPUP_PAGE}?code=c&state=s`, origin: APP },
      close: () => closed.push(true),
    } as unknown as Window;
    return { view, closed };
  }

  it('posts its URL to the opener on its own origin and on the channel, then closes', async () => {
    const channel = listen();
    const posted: unknown[] = [];
    const { view, closed } = popupView({ postMessage: (data: unknown, origin: string) => posted.push([data, origin]) });
    postPopupResult(view);
    const message = { type: POPUP_MESSAGE, url: `${POPUP_PAGE}?code=c&state=s` };
    expect(posted).toEqual([[message, APP]]);
    expect(closed).toEqual([true]);
    await channel.first;
    channel.close();
    expect(channel.heard).toEqual([message]);
  });

  it('uses the channel alone when COOP cut it off from its opener', async () => {
    const channel = listen();
    const { view, closed } = popupView(null);
    postPopupResult(view);
    await channel.first;
    channel.close();
    expect(channel.heard).toEqual([{ type: POPUP_MESSAGE, url: `${POPUP_PAGE}?code=c&state=s` }]);
    expect(closed).toEqual([true]);
  });

  it('ships as popup-callback.html, which does the same without Angular', () => {
    const html = readFileSync(join(__dirname, '../../../popup-callback.html'), 'utf8');
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const posted: unknown[] = [];
    const broadcast: unknown[] = [];
    const { view, closed } = popupView({ postMessage: (data: unknown, origin: string) => posted.push([data, origin]) });
    class Channel {
      constructor(readonly name: string) {}
      postMessage(data: unknown): void {
        broadcast.push([this.name, data]);
      }
      close(): void {}
    }
    new Function('window', 'BroadcastChannel', script)(view, Channel);
    const message = { type: POPUP_MESSAGE, url: `${POPUP_PAGE}?code=c&state=s` };
    expect(posted).toEqual([[message, APP]]);
    expect(broadcast).toEqual([[POPUP_CHANNEL, message]]);
    expect(closed).toEqual([true]);
  });

  it('PopupCallbackComponent posts when shown', async () => {
    await setupAuth();
    const post = jest.fn();
    const opener = window.opener as unknown;
    window.opener = { postMessage: post };
    const close = jest.spyOn(window, 'close').mockImplementation(() => undefined);
    const fixture = TestBed.createComponent(PopupCallbackComponent);
    fixture.detectChanges();
    expect(post).toHaveBeenCalledWith({ type: POPUP_MESSAGE, url: window.location.href }, window.location.origin);
    expect(close).toHaveBeenCalled();
    window.opener = opener;
  });
});
