import { BroadcastChannel as NodeBroadcastChannel } from 'node:worker_threads';
import { APP, nextEvent, renewIframe, setLocation, setupAuth } from '../../test/angular-harness';
import { elementInPage, useFakeClock } from '../../test/helpers';
import type { OidcConfig } from '../core/config';
import { OidcError } from '../core/errors';
import * as actionsChunk from './actions-chunk';
import { CHECK_SESSION_INTERVAL_MS } from './check-session';
import type { AuthEvent } from './events';
import { withCheckAuthOnStartup, withCheckSession, withSilentRenewIframe } from './provide-auth';
import { SILENT_RENEW_MESSAGE } from './silent-renew';

/** The provider's check-session iframe, once the library has put it in the page (after the metadata loaded). */
function checkSessionIframe(): Promise<HTMLIFrameElement> {
  return elementInPage<HTMLIFrameElement>('iframe[title="ngx-oidc check session"]');
}

const RENEW_URL = `${APP}/silent-renew.html`;

async function signedInWithSessionState(startCheckSession = true, config: Partial<OidcConfig> = { silentRenewUrl: RENEW_URL }) {
  const h = await setupAuth({
    config: { startCheckSession, ...config },
    features: [withCheckAuthOnStartup(), withCheckSession(), withSilentRenewIframe()],
  });
  await h.auth.login();
  const callback = new URL(await h.providerAnswer());
  callback.searchParams.set('session_state', 'abc.salt');
  setLocation(callback.toString());
  await h.auth.checkAuth();
  return h;
}

/** The renew page's answer, as the page at silentRenewUrl posts it. */
function answer(iframe: HTMLIFrameElement, url: string): void {
  window.dispatchEvent(new MessageEvent('message', { origin: window.location.origin, source: iframe.contentWindow, data: { type: SILENT_RENEW_MESSAGE, url } }));
}

function changed(h: { op: { issuer: string } }, iframe: HTMLIFrameElement): void {
  window.dispatchEvent(new MessageEvent('message', { origin: h.op.issuer, source: iframe.contentWindow, data: 'changed' }));
}

/** What the page sees of its polling: what is posted to the provider's iframe, from its first `load` on. */
function recordPosts(iframe: HTMLIFrameElement): unknown[] {
  const posted: unknown[] = [];
  jest.spyOn(iframe.contentWindow!, 'postMessage').mockImplementation(((m: unknown) => posted.push(m)) as Window['postMessage']);
  return posted;
}

/** The check-session iframe now, or `null`. */
function checkSessionIframeNow(): HTMLIFrameElement | null {
  return document.querySelector<HTMLIFrameElement>('iframe[title="ngx-oidc check session"]');
}

describe('check session (OIDC Session Management)', () => {
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('polls the provider iframe with client_id and session_state, from the provider origin only', async () => {
    const h = await signedInWithSessionState();
    const iframe = await checkSessionIframe();
    expect(iframe.src).toBe(h.op.metadata().check_session_iframe);
    const posted: [unknown, string][] = [];
    jest.spyOn(iframe.contentWindow!, 'postMessage').mockImplementation(((m: unknown, o: string) => posted.push([m, o])) as Window['postMessage']);
    iframe.dispatchEvent(new Event('load'));
    expect(posted).toEqual([['spa abc.salt', h.op.issuer]]);
  });

  it('re-checks a changed session with prompt=none and id_token_hint, never the refresh token; the same user keeps it with the new session_state', async () => {
    const h = await signedInWithSessionState();
    const iframe = await checkSessionIframe();
    const events: AuthEvent['type'][] = [];
    h.auth.events$.subscribe((e) => events.push(e.type));
    window.dispatchEvent(new MessageEvent('message', { origin: APP, source: iframe.contentWindow, data: 'changed' }));
    window.dispatchEvent(new MessageEvent('message', { origin: h.op.issuer, source: window, data: 'changed' }));
    expect(events).toEqual([]);
    changed(h, iframe);
    const renew = await renewIframe();
    const request = new URL(renew.src);
    expect(request.searchParams.get('prompt')).toBe('none');
    expect(request.searchParams.get('id_token_hint')).toBe(h.auth.idToken());
    const back = new URL(await h.op.authorize(renew.src));
    back.searchParams.set('session_state', 'def.salt');
    const renewed = nextEvent(h.auth, 'TokenRenewed');
    answer(renew, back.toString());
    await renewed;
    expect(events).toEqual(['CheckSessionChanged', 'TokenRenewed']);
    expect(h.auth.session()?.sessionState).toBe('def.salt');
    expect(h.auth.isAuthenticated()).toBe(true);
    const grants = h.op.requests.filter((r) => r.url.endsWith('/token')).map((r) => new URLSearchParams(r.body).get('grant_type'));
    expect(grants).toEqual(['authorization_code', 'authorization_code']);
    // Polling starts again with the new session_state.
    const next = await checkSessionIframe();
    const posted: unknown[] = [];
    jest.spyOn(next.contentWindow!, 'postMessage').mockImplementation(((m: unknown) => posted.push(m)) as Window['postMessage']);
    next.dispatchEvent(new Event('load'));
    expect(posted).toEqual(['spa def.salt']);
  });

  it.each(['other-user', 'login_required'] as const)('ends the session when the re-check gives %s', async (outcome) => {
    {
      const h = await signedInWithSessionState();
      const ended: string[] = [];
      h.auth.events$.subscribe((e) => e.type === 'SessionEnded' && ended.push(e.error.code));
      changed(h, await checkSessionIframe());
      const renew = await renewIframe();
      let back: URL;
      if (outcome === 'other-user') {
        back = new URL(await h.op.authorize(renew.src, { sub: 'mallory' }));
      } else {
        back = new URL(RENEW_URL);
        back.searchParams.set('error', 'login_required');
        back.searchParams.set('state', new URL(renew.src).searchParams.get('state')!);
        back.searchParams.set('iss', h.op.issuer);
      }
      const sessionEnded = nextEvent(h.auth, 'SessionEnded');
      answer(renew, back.toString());
      await sessionEnded;
      expect(h.auth.isAuthenticated()).toBe(false);
      expect(ended).toEqual([outcome === 'other-user' ? 'ID_TOKEN_REFRESH_MISMATCH' : 'LOGIN_REQUIRED']);
      expect(sessionStorage.getItem('ngx-oidc.default.session')).toBeNull();
    }
  });

  it('keeps the session when the re-check only times out, and reports it', async () => {
    const h = await signedInWithSessionState(true, { silentRenewUrl: RENEW_URL, silentRenewTimeoutInSeconds: 5 });
    const ended: string[] = [];
    h.auth.events$.subscribe((e) => e.type === 'SessionEnded' && ended.push(e.error.code));
    const poll = await checkSessionIframe();
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const failed = nextEvent(h.auth, 'Error');
    changed(h, poll);
    // The re-check's iframe gets no answer: its timeout runs on the fake clock.
    await renewIframe();
    await jest.advanceTimersByTimeAsync(5000);
    await failed;
    expect(h.auth.error()?.code).toBe('RENEW_TIMEOUT');
    expect(h.auth.isAuthenticated()).toBe(true);
    expect(ended).toEqual([]);
    expect(h.op.count('token')).toBe(1);
  });

  it('re-checks at most once at a time', async () => {
    const h = await signedInWithSessionState();
    const poll = await checkSessionIframe();
    changed(h, poll);
    const renew = await renewIframe();
    // Asked for again while it runs: both calls join the re-check in flight. A re-check of
    // their own would open another iframe, which nobody answers here: they would never settle.
    const again = [h.auth.recheckSession(), h.auth.recheckSession()];
    answer(renew, await h.op.authorize(renew.src));
    await Promise.all(again);
    expect(document.querySelectorAll('iframe[title="ngx-oidc silent renew"]')).toHaveLength(0);
    expect(h.op.count('token')).toBe(2);
  });

  it('without a silent-renew page, ends the session at once and says why', async () => {
    const h = await signedInWithSessionState(true, {});
    const ended: string[] = [];
    h.auth.events$.subscribe((e) => e.type === 'SessionEnded' && ended.push(e.error.code));
    const sessionEnded = nextEvent(h.auth, 'SessionEnded');
    changed(h, await checkSessionIframe());
    await sessionEnded;
    expect(h.auth.isAuthenticated()).toBe(false);
    expect(ended).toEqual(['SESSION_CHANGED']);
    expect(h.auth.error()?.code).toBe('SESSION_CHANGED');
    expect(h.op.count('token')).toBe(1);
  });

  it('fails start-up with CONFIG_INVALID when startCheckSession is set without withCheckSession()', async () => {
    await expect(setupAuth({ config: { startCheckSession: true } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      cause: { key: 'startCheckSession' },
    });
  });

  it('stops on logout', async () => {
    const h = await signedInWithSessionState();
    await checkSessionIframe();
    h.auth.logoutLocal();
    expect(document.querySelector('iframe')).toBeNull();
  });

  describe('when the session ends without a logout', () => {
    const original = (globalThis as { BroadcastChannel?: unknown }).BroadcastChannel;
    beforeEach(() => ((globalThis as { BroadcastChannel?: unknown }).BroadcastChannel = NodeBroadcastChannel));
    afterEach(() => ((globalThis as { BroadcastChannel?: unknown }).BroadcastChannel = original));

    it.each(['a refused refresh token (SessionEnded)', 'another tab emptying the shared storage'] as const)('stops polling after %s', async (cause) => {
      const h = await signedInWithSessionState(true, { silentRenewUrl: RENEW_URL, storage: 'localStorage' });
      const iframe = await checkSessionIframe();
      useFakeClock();
      const posted = recordPosts(iframe);
      iframe.dispatchEvent(new Event('load'));
      if (cause === 'a refused refresh token (SessionEnded)') {
        h.op.override('token', { status: 400, headers: { 'content-type': 'application/json' }, body: '{"error":"invalid_grant"}' });
        const ended = nextEvent(h.auth, 'SessionEnded');
        h.auth.refresh().catch(() => undefined);
        await ended;
      } else {
        const other = new NodeBroadcastChannel('ngx-oidc.default');
        localStorage.clear();
        const followed = nextEvent(h.auth, 'SessionChangedInOtherTab');
        other.postMessage({ type: 'session' });
        await followed;
        other.close();
      }
      expect(h.auth.isAuthenticated()).toBe(false);
      // Gone with its listener: no more questions with the old session_state, no `changed` answer heard.
      expect(checkSessionIframeNow()).toBeNull();
      await jest.advanceTimersByTimeAsync(3 * CHECK_SESSION_INTERVAL_MS);
      expect(posted).toEqual(['spa abc.salt']);
    });
  });

  describe('when another tab changes the session', () => {
    const original = (globalThis as { BroadcastChannel?: unknown }).BroadcastChannel;
    beforeEach(() => ((globalThis as { BroadcastChannel?: unknown }).BroadcastChannel = NodeBroadcastChannel));
    afterEach(() => ((globalThis as { BroadcastChannel?: unknown }).BroadcastChannel = original));

    it("polls with the other tab's new session_state (its iframe renewal) instead of the old one", async () => {
      const h = await signedInWithSessionState(true, { silentRenewUrl: RENEW_URL, storage: 'localStorage' });
      const first = await checkSessionIframe();
      // The other tab renewed by iframe: the shared session now has the provider's new session_state.
      const key = 'ngx-oidc.default.session';
      localStorage.setItem(key, JSON.stringify({ ...JSON.parse(localStorage.getItem(key)!), sessionState: 'def.salt' }));
      const other = new NodeBroadcastChannel('ngx-oidc.default');
      const followed = nextEvent(h.auth, 'SessionChangedInOtherTab');
      other.postMessage({ type: 'session' });
      await followed;
      other.close();
      expect(first.isConnected).toBe(false);
      const iframe = await checkSessionIframe();
      const posted = recordPosts(iframe);
      iframe.dispatchEvent(new Event('load'));
      expect(posted).toEqual(['spa def.salt']);
    });
  });

  it('polls on one timer when the provider page reloads inside the iframe, and stops it', async () => {
    const h = await signedInWithSessionState();
    const iframe = await checkSessionIframe();
    useFakeClock();
    const posted = recordPosts(iframe);
    iframe.dispatchEvent(new Event('load'));
    // The provider's page reloads inside the iframe: a second `load`.
    iframe.dispatchEvent(new Event('load'));
    expect(posted).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(CHECK_SESSION_INTERVAL_MS);
    expect(posted).toHaveLength(3);
    h.auth.logoutLocal();
    // Nothing keeps running once stopped.
    expect(jest.getTimerCount()).toBe(0);
  });

  it('after a re-check whose code did not load: reports it once, keeps the session, and polls again after the interval', async () => {
    const h = await signedInWithSessionState();
    const poll = await checkSessionIframe();
    useFakeClock();
    const errors: string[] = [];
    h.auth.events$.subscribe((e) => e.type === 'Error' && errors.push(e.error.code));
    // The lazy chunk fails to load, as lazy() reports it when the browser is offline.
    const offline = jest
      .spyOn(actionsChunk, 'loadActions')
      .mockRejectedValue(new OidcError('ngx-oidc could not load its code', 'NETWORK_ERROR', { reason: new TypeError('Failed to fetch dynamically imported module') }));
    const failed = nextEvent(h.auth, 'Error');
    changed(h, poll);
    await failed;
    expect(errors).toEqual(['NETWORK_ERROR']);
    expect(h.auth.isAuthenticated()).toBe(true);
    expect(checkSessionIframeNow()).toBeNull();
    // Back online: polling resumes after the interval, with the session_state it had.
    offline.mockRestore();
    await jest.advanceTimersByTimeAsync(CHECK_SESSION_INTERVAL_MS);
    // The iframe is in the page by the time a metadata request made after the restart resolves.
    await h.auth.providerMetadata();
    const again = checkSessionIframeNow();
    expect(again).not.toBeNull();
    const posted = recordPosts(again!);
    again!.dispatchEvent(new Event('load'));
    expect(posted).toEqual(['spa abc.salt']);
    // The provider still says `changed`: this time the re-check runs, and the same user keeps the session.
    changed(h, again!);
    const renew = await renewIframe();
    const renewed = nextEvent(h.auth, 'TokenRenewed');
    answer(renew, await h.op.authorize(renew.src));
    await renewed;
    expect(errors).toEqual(['NETWORK_ERROR']);
    expect(h.auth.isAuthenticated()).toBe(true);
  });

  it('does nothing unless the config switches it on', async () => {
    const off = await signedInWithSessionState(false);
    // Switched on, polling starts when the metadata asked for at sign-in arrives: the iframe
    // would be in the page by the time a metadata request made after it resolves.
    await off.auth.providerMetadata();
    expect(off.auth.isAuthenticated()).toBe(true);
    expect(document.querySelector('iframe')).toBeNull();
  });
});
