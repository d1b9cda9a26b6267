import { APP, setLocation, setupAuth, signIn } from '../../test/angular-harness';
import type { AuthEvent } from './events';
import { withCheckAuthOnStartup, withCheckSession } from './provide-auth';

afterEach(() => {
  setLocation('/');
  sessionStorage.clear();
  document.querySelectorAll('iframe').forEach((f) => f.remove());
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
}

async function checkSessionIframe(): Promise<HTMLIFrameElement> {
  for (let i = 0; i < 100; i++) {
    const iframe = document.querySelector<HTMLIFrameElement>('iframe[title="ngx-oidc check session"]');
    if (iframe) return iframe;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('no check-session iframe appeared');
}

async function signedInWithSessionState(startCheckSession = true) {
  const h = await setupAuth({ config: { startCheckSession }, features: [withCheckAuthOnStartup(), withCheckSession()] });
  await h.auth.login();
  const callback = new URL(await h.providerAnswer());
  callback.searchParams.set('session_state', 'abc.salt');
  setLocation(callback.toString());
  await h.auth.checkAuth();
  return h;
}

describe('check session (OIDC Session Management)', () => {
  it('polls the provider iframe with client_id and session_state, from the provider origin only', async () => {
    const h = await signedInWithSessionState();
    const iframe = await checkSessionIframe();
    expect(iframe.src).toBe(h.op.metadata().check_session_iframe);
    const posted: [unknown, string][] = [];
    jest.spyOn(iframe.contentWindow!, 'postMessage').mockImplementation(((m: unknown, o: string) => posted.push([m, o])) as Window['postMessage']);
    iframe.dispatchEvent(new Event('load'));
    expect(posted).toEqual([['spa abc.salt', h.op.issuer]]);
  });

  it('renews when the provider says the session changed, and ignores other senders', async () => {
    const h = await signedInWithSessionState();
    const iframe = await checkSessionIframe();
    const events: AuthEvent['type'][] = [];
    h.auth.events$.subscribe((e) => events.push(e.type));
    window.dispatchEvent(new MessageEvent('message', { origin: APP, source: iframe.contentWindow, data: 'changed' }));
    window.dispatchEvent(new MessageEvent('message', { origin: h.op.issuer, source: window, data: 'changed' }));
    expect(events).toEqual([]);
    window.dispatchEvent(new MessageEvent('message', { origin: h.op.issuer, source: iframe.contentWindow, data: 'changed' }));
    await until(() => events.length >= 2);
    expect(events).toEqual(['CheckSessionChanged', 'TokenRenewed']);
    expect(h.op.count('token')).toBe(2);
  });

  it('ends the local session when the changed session cannot be renewed', async () => {
    const h = await signedInWithSessionState();
    const iframe = await checkSessionIframe();
    h.op.override('token', { status: 400, body: '{"error":"invalid_grant"}' });
    window.dispatchEvent(new MessageEvent('message', { origin: h.op.issuer, source: iframe.contentWindow, data: 'changed' }));
    await until(() => !h.auth.isAuthenticated());
    expect(h.auth.isAuthenticated()).toBe(false);
  });

  it('stops on logout', async () => {
    const h = await signedInWithSessionState();
    await checkSessionIframe();
    h.auth.logoutLocal();
    expect(document.querySelector('iframe')).toBeNull();
  });

  it('does nothing unless the config switches it on', async () => {
    const off = await signedInWithSessionState(false);
    await new Promise((r) => setTimeout(r, 20));
    expect(off.auth.isAuthenticated()).toBe(true);
    expect(document.querySelector('iframe')).toBeNull();
  });
});
