import { FakeProvider, type FakeProviderOptions } from '../../test/fake-provider';
import { answer, deferred } from '../../test/helpers';
import { type OidcConfig, resolveConfig } from './config';
import type { OidcHttpResponse } from './http';
import { MemoryDPoPKeyStore, dpopPort, dpopThumbprint } from 'ngx-oidc/dpop';
import type { DPoPPort } from './dpop-port';
import { pushedAuthorizationUrl } from './par';
import { type LockPort, OidcSession } from './session';
import { type AuthStorage, MemoryStorage } from './storage';

/** The protocol steps, as the Angular layer's lazy chunk would hand them over. */
const flows = () => import('./session-flows');

const START = 1_700_000_000;

/** A lock shared by the sessions of one test, like Web Locks across tabs. */
function sharedLock(): LockPort {
  let tail: Promise<unknown> | undefined;
  return <T>(_name: string, task: (contended: boolean) => Promise<T>) => {
    const run = tail ? tail.then(() => task(true)) : task(false);
    const settled = run.catch(() => undefined);
    tail = settled;
    void settled.then(() => tail === settled && (tail = undefined));
    return run;
  };
}

/**
 * One tab's view of shared storage, as browsers give it: writes reach the
 * shared area at once, but this tab reads its own copy, which only catches up
 * on `sync()` (when the browser delivers the change, with a `storage` event).
 */
class TabStorage extends MemoryStorage {
  constructor(private readonly shared: MemoryStorage) {
    super();
  }
  override write(key: string, value: string): void {
    super.write(key, value);
    this.shared.write(key, value);
  }
  override remove(key: string): void {
    super.remove(key);
    this.shared.remove(key);
  }
  sync(key: string): void {
    const value = this.shared.read(key);
    if (value === null) super.remove(key);
    else super.write(key, value);
  }
}

async function setup(options: { op?: FakeProviderOptions; config?: Partial<OidcConfig>; withoutPar?: boolean; dpop?: (now: () => number) => DPoPPort } = {}) {
  const clock = { now: START };
  const op = await FakeProvider.create({ now: () => clock.now, ...options.op });
  const storage = new MemoryStorage();
  /** Pending logins: sessionStorage in a browser, whatever the token storage. */
  const txStorage = new MemoryStorage();
  const lock = sharedLock();
  const config = resolveConfig({
    authority: op.issuer,
    clientId: op.clientId,
    redirectUrl: 'https://app.example.test/callback',
    postLogoutRedirectUri: 'https://app.example.test/',
    scope: 'openid profile offline_access',
    useRefreshToken: true,
    ...options.config,
  });
  const dpop = options.dpop?.(() => clock.now);
  const makeSession = (store: AuthStorage = storage) =>
    new OidcSession(config, {
      fetchJson: op.fetchJson,
      flows,
      storage: store,
      transactionStorage: txStorage,
      now: () => clock.now,
      lock,
      ...(dpop ? { dpop } : {}),
      ...(options.withoutPar ? {} : { pushedAuthorization: pushedAuthorizationUrl }),
    });
  const session = makeSession();
  const login = async (s = session, authorizeOptions: Parameters<FakeProvider['authorize']>[1] = {}) => {
    const callback = await op.authorize(await s.beginLogin({ returnUrl: '/orders' }), authorizeOptions);
    return { callback, result: await s.finishLogin(callback) };
  };
  /**
   * A second session on the same storages whose requests to `path` (the token
   * endpoint by default) wait until `release()`; `reached` resolves when the
   * first one is held there.
   */
  const withHeldRequests = (path = '/token') => {
    const gate = deferred();
    const reached = deferred();
    const held = new OidcSession(config, {
      flows,
      fetchJson: async (req) => {
        if (!req.url.endsWith(path)) return op.fetchJson(req);
        reached.resolve();
        await gate.promise;
        return op.fetchJson(req);
      },
      storage,
      transactionStorage: txStorage,
      now: () => clock.now,
    });
    return { held, reached: reached.promise, release: () => gate.resolve() };
  };
  /** The states of the pending logins. */
  const pending = () => txStorage.keys().filter((k) => k.startsWith('ngx-oidc.default.tx.')).map((k) => k.slice('ngx-oidc.default.tx.'.length));
  return { op, clock, storage, txStorage, session, makeSession, login, pending, config, withHeldRequests };
}

describe('OidcSession: login', () => {
  it('signs in with code + PKCE and stores the session', async () => {
    const { op, session, login } = await setup();
    const { result } = await login();
    expect(result.returnUrl).toBe('/orders');
    expect(result.session.idTokenClaims.sub).toBe('alice');
    expect(result.session.refreshToken).toMatch(/^rt-/);
    expect(result.session.accessTokenExpiresAt).toBe(START + 300);
    expect(session.restore()).toEqual(result.session);
    expect(op.count('token')).toBe(1);
  });

  it('sends every authorization parameter, with fresh state, nonce and verifier each time', async () => {
    const { session } = await setup({ config: { customParamsAuthRequest: { ui_locales: 'de' }, maxAge: 600 } });
    const first = new URL(await session.beginLogin({ prompt: 'login' })).searchParams;
    const second = new URL(await session.beginLogin()).searchParams;
    expect(Object.fromEntries(first)).toMatchObject({
      client_id: 'spa',
      response_type: 'code',
      redirect_uri: 'https://app.example.test/callback',
      scope: 'openid profile offline_access',
      code_challenge_method: 'S256',
      prompt: 'login',
      max_age: '600',
      ui_locales: 'de',
    });
    for (const p of ['state', 'nonce', 'code_challenge']) expect(first.get(p)).not.toBe(second.get(p));
  });

  it('makes no discovery request when a fresh discovery document is cached', async () => {
    const { op, makeSession, storage } = await setup();
    await makeSession().beginLogin();
    await makeSession(storage).beginLogin();
    expect(op.count('discovery')).toBe(1);
  });

  it('restores a stored session without any request', async () => {
    const { op, login, makeSession, storage } = await setup();
    await login();
    const before = op.requests.length;
    expect(makeSession(storage).restore()?.idTokenClaims.sub).toBe('alice');
    expect(op.requests.length).toBe(before);
  });

  it('never exchanges a code twice: a replayed callback fails before any token request', async () => {
    const { op, session, login } = await setup();
    const { callback } = await login();
    await expect(session.finishLogin(callback)).rejects.toMatchObject({ code: 'STATE_MISMATCH' });
    expect(op.count('token')).toBe(1);
  });

  it('rejects a tampered state, makes no token request and stores nothing', async () => {
    const { op, session, pending } = await setup();
    const callback = new URL(await op.authorize(await session.beginLogin()));
    const state = callback.searchParams.get('state');
    callback.searchParams.set('state', 'forged');
    await expect(session.finishLogin(callback.toString())).rejects.toMatchObject({ code: 'STATE_MISMATCH' });
    expect(op.count('token')).toBe(0);
    expect(session.restore()).toBeNull();
    // A forged callback deletes nothing: the real one can still finish.
    expect(pending()).toEqual([state]);
  });

  it('rejects a login that took longer than the transaction timeout', async () => {
    const { op, clock, session } = await setup();
    const callback = await op.authorize(await session.beginLogin());
    clock.now += 601;
    await expect(session.finishLogin(callback)).rejects.toMatchObject({ code: 'STATE_MISMATCH', cause: { reason: 'expired' } });
    expect(op.count('token')).toBe(0);
  });

  it.each([
    ['a wrong iss', (u: URL) => u.searchParams.set('iss', 'https://evil.example.test')],
    ['a missing iss the provider advertises', (u: URL) => u.searchParams.delete('iss')],
  ])('rejects %s (RFC 9207) before any token request', async (_name, tamper) => {
    const { op, session } = await setup();
    const callback = new URL(await op.authorize(await session.beginLogin()));
    tamper(callback);
    await expect(session.finishLogin(callback.toString())).rejects.toMatchObject({ code: 'ISS_MISMATCH' });
    expect(op.count('token')).toBe(0);
  });

  it('accepts a callback without iss from a provider that does not advertise it', async () => {
    const { login } = await setup({ op: { issParameter: false } });
    await expect(login()).resolves.toMatchObject({ result: { session: { idTokenClaims: { sub: 'alice' } } } });
  });

  it('reports a denied consent as AUTHORIZATION_ERROR with the provider error', async () => {
    const { op, session } = await setup();
    const callback = await op.authorize(await session.beginLogin(), { deny: true });
    const error = await session.finishLogin(callback).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AUTHORIZATION_ERROR', oauthError: 'access_denied' });
    expect(session.restore()).toBeNull();
  });

  it('rejects an ID token with a stale nonce and stores no session', async () => {
    const { op, session, login } = await setup();
    op.idTokenExtraClaims = { nonce: 'nonce-of-an-earlier-login' };
    await expect(login()).rejects.toMatchObject({ code: 'ID_TOKEN_NONCE_MISMATCH' });
    expect(session.restore()).toBeNull();
  });

  it('requires auth_time when max_age is configured', async () => {
    const { op, login } = await setup({ config: { maxAge: 60 } });
    await expect(login(undefined, { authTime: START - 3600 })).rejects.toMatchObject({ code: 'ID_TOKEN_AUTH_TIME_INVALID' });
    op.idTokenExtraClaims = {};
    await expect(login(undefined, { authTime: START - 10 })).resolves.toBeDefined();
  });

  it.each<[string, Partial<OidcHttpResponse>, string]>([
    ['an HTML error page', { status: 500, body: '<html>Internal error</html>' }, 'HTTP_ERROR'],
    ['an OAuth error', { status: 400, body: '{"error":"invalid_grant"}' }, 'TOKEN_ERROR'],
    ['no id_token', { status: 200, body: '{"access_token":"a","token_type":"Bearer"}' }, 'TOKEN_RESPONSE_INVALID'],
  ])('fails cleanly when the token endpoint answers %s', async (_name, answer, code) => {
    const { op, session, login } = await setup();
    op.override('token', answer);
    await expect(login()).rejects.toMatchObject({ code });
    expect(session.restore()).toBeNull();
  });

  it('fails with NETWORK_ERROR and stores no transaction when the provider is down', async () => {
    const { op, session, pending } = await setup();
    op.override('discovery', () => Promise.reject(new TypeError('Failed to fetch')));
    await expect(session.beginLogin()).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    expect(pending()).toEqual([]);
  });

  it('loads userinfo after login when autoUserInfo is on', async () => {
    const { login } = await setup({ config: { autoUserInfo: true } });
    const { result } = await login();
    expect(result.session.userInfo).toMatchObject({ sub: 'alice', name: 'Alice Example' });
  });

  it('refuses userinfo for another subject and stores no session', async () => {
    const { op, session, login } = await setup({ config: { autoUserInfo: true } });
    op.override('userinfo', { status: 200, body: '{"sub":"mallory","name":"Mallory"}' });
    await expect(login()).rejects.toMatchObject({ code: 'USERINFO_SUB_MISMATCH' });
    expect(session.restore()).toBeNull();
  });
});

describe('OidcSession: PAR (RFC 9126)', () => {
  it('pushes the request and redirects with only client_id and request_uri', async () => {
    const { op, session } = await setup({ config: { usePushedAuthorizationRequests: true } });
    const url = new URL(await session.beginLogin());
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    expect(op.count('par')).toBe(1);
    await expect(session.finishLogin(await op.authorize(url.toString()))).resolves.toBeDefined();
  });

  it('uses PAR when the provider requires it', async () => {
    const { op, session } = await setup({ op: { requirePar: true } });
    const url = new URL(await session.beginLogin());
    expect(url.searchParams.has('request_uri')).toBe(true);
    expect(op.count('par')).toBe(1);
  });

  it('fails with CONFIG_INVALID, before any request, when PAR is needed but its step was not given', async () => {
    for (const options of [{ config: { usePushedAuthorizationRequests: true } }, { op: { requirePar: true } }]) {
      const { op, session, pending } = await setup({ ...options, withoutPar: true });
      await expect(session.beginLogin()).rejects.toMatchObject({ code: 'CONFIG_INVALID', cause: { key: 'usePushedAuthorizationRequests' } });
      expect(op.count('par')).toBe(0);
      expect(pending()).toEqual([]);
    }
  });

  it('fails with PAR_ERROR and no transaction when the push is refused', async () => {
    const { op, session, pending } = await setup({ config: { usePushedAuthorizationRequests: true } });
    op.override('par', { status: 400, body: '{"error":"invalid_request"}' });
    await expect(session.beginLogin()).rejects.toMatchObject({ code: 'PAR_ERROR' });
    expect(pending()).toEqual([]);
  });
});

describe('OidcSession: refresh', () => {
  it('rotates the refresh token and always keeps the newest', async () => {
    const { op, session, login, clock } = await setup();
    const { result } = await login();
    clock.now += 290;
    const first = await session.refresh();
    const second = await session.refresh();
    expect(first.refreshToken).not.toBe(result.session.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(session.restore()?.refreshToken).toBe(second.refreshToken);
    expect(second.accessTokenExpiresAt).toBe(clock.now + 300);
    expect(op.count('token')).toBe(3);
  });

  it('keeps the previous refresh token when the provider issues none', async () => {
    const { session, login } = await setup({ op: { rotateRefreshTokens: false } });
    const { result } = await login();
    const refreshed = await session.refresh();
    expect(refreshed.refreshToken).toBe(result.session.refreshToken);
    expect(refreshed.accessToken).not.toBe(result.session.accessToken);
  });

  it('shares one token request among 50 concurrent callers', async () => {
    const { op, session, login } = await setup();
    await login();
    const results = await Promise.all(Array.from({ length: 50 }, () => session.refresh()));
    expect(op.count('token')).toBe(2);
    expect(new Set(results.map((s) => s.accessToken)).size).toBe(1);
  });

  it('two tabs at expiry make exactly one refresh request between them', async () => {
    const { op, login, makeSession, storage, clock } = await setup();
    await login();
    clock.now += 295;
    const tabA = makeSession(storage);
    const tabB = makeSession(storage);
    const [a, b] = await Promise.all([tabA.refresh(), tabB.refresh()]);
    expect(op.count('token')).toBe(2);
    expect(a.accessToken).toBe(b.accessToken);
  });

  it("a tab that waited for the lock waits for the other tab's write before using its refresh token", async () => {
    const { op, login, session, storage, clock } = await setup();
    await login();
    clock.now += 295;
    const config = session.config;
    const lock = sharedLock();
    const shared = new MemoryStorage();
    const key = session.store.keyOf('session');
    shared.write(key, storage.read(key)!);
    const storageA = new TabStorage(shared);
    const storageB = new TabStorage(shared);
    storageA.sync(key);
    storageB.sync(key);
    const deps = { fetchJson: op.fetchJson, flows, now: () => clock.now, lock };
    const tabA = new OidcSession(config, { ...deps, storage: storageA });
    const waits: number[] = [];
    const tabB = new OidcSession(config, {
      ...deps,
      storage: storageB,
      sessionChanged: async (timeoutMs) => {
        waits.push(timeoutMs);
        storageB.sync(key);
      },
    });
    const [a, b] = await Promise.all([tabA.refresh({ force: false }), tabB.refresh({ force: false })]);
    expect(waits).toHaveLength(1);
    expect(op.count('token')).toBe(2);
    expect(b.refreshToken).toBe(a.refreshToken);
  });

  it('without that wait, a stale view would reuse a rotated refresh token (and the provider refuses it)', async () => {
    const { op, login, session, storage, clock } = await setup();
    await login();
    clock.now += 295;
    const lock = sharedLock();
    const shared = new MemoryStorage();
    const key = session.store.keyOf('session');
    shared.write(key, storage.read(key)!);
    const [storageA, storageB] = [new TabStorage(shared), new TabStorage(shared)];
    storageA.sync(key);
    storageB.sync(key);
    const deps = { fetchJson: op.fetchJson, flows, now: () => clock.now, lock };
    const tabA = new OidcSession(session.config, { ...deps, storage: storageA });
    const tabB = new OidcSession(session.config, { ...deps, storage: storageB });
    const results = await Promise.allSettled([tabA.refresh({ force: false }), tabB.refresh({ force: false })]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect(op.count('token')).toBe(3);
  });

  it('a tab whose view is stale does not renew tokens another tab already renewed', async () => {
    const { op, login, makeSession, storage, clock } = await setup();
    await login();
    clock.now += 295;
    const tabA = makeSession(storage);
    const tabB = makeSession(storage);
    await tabA.refresh({ force: false });
    // Tab B's timer fires later: storage already holds tab A's fresh tokens.
    const b = await tabB.refresh({ force: false });
    expect(op.count('token')).toBe(2);
    expect(b.accessToken).toBe(tabA.restore()?.accessToken);
  });

  it('renews only when due unless forced', async () => {
    const { op, session, login } = await setup();
    await login();
    await session.refresh({ force: false });
    expect(op.count('token')).toBe(1);
    await session.refresh();
    expect(op.count('token')).toBe(2);
  });

  it('rejects a refreshed ID token for another user and keeps the session as it was', async () => {
    const { op, session, login } = await setup();
    const { result } = await login();
    op.idTokenExtraClaims = { sub: 'mallory' };
    await expect(session.refresh()).rejects.toMatchObject({ code: 'ID_TOKEN_REFRESH_MISMATCH' });
    expect(session.restore()).toEqual(result.session);
  });

  it('ends the session when the refresh token is refused (invalid_grant)', async () => {
    const { op, session, login } = await setup();
    await login();
    op.override('token', { status: 400, body: '{"error":"invalid_grant","error_description":"reused"}' });
    await expect(session.refresh()).rejects.toMatchObject({ code: 'TOKEN_ERROR', oauthError: 'invalid_grant' });
    expect(session.restore()).toBeNull();
  });

  it('keeps the session when the provider is briefly down', async () => {
    const { op, session, login } = await setup();
    await login();
    op.override('token', () => Promise.reject(new TypeError('Failed to fetch')), true);
    await expect(session.refresh()).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    expect(session.restore()).not.toBeNull();
  });

  it('needs a session and a refresh token', async () => {
    const { session, login } = await setup({ config: { scope: 'openid profile' } });
    await expect(session.refresh()).rejects.toMatchObject({ code: 'NO_SESSION' });
    await login();
    await expect(session.refresh()).rejects.toMatchObject({ code: 'NO_REFRESH_TOKEN' });
  });

  it('tells when the access token needs renewal', async () => {
    const { session, login, clock } = await setup();
    const { result } = await login();
    expect(session.needsRenewal(result.session)).toBe(false);
    clock.now += 271;
    expect(session.needsRenewal(result.session)).toBe(true);
    expect(session.isExpired(result.session)).toBe(false);
    clock.now += 30;
    expect(session.isExpired(result.session)).toBe(true);
  });

  it('renews short-lived tokens at half their lifetime, not on every use', async () => {
    const { session, login, clock } = await setup({ op: { accessTokenTtl: 10 } });
    const { result } = await login();
    expect(session.renewalDueAt(result.session)).toBe(START + 5);
    clock.now += 4;
    expect(session.needsRenewal(result.session)).toBe(false);
    clock.now += 1;
    expect(session.needsRenewal(result.session)).toBe(true);
  });

  it('treats a token without expires_in as not expiring', async () => {
    const { session, login, clock } = await setup({ op: { accessTokenTtl: null } });
    const { result } = await login();
    clock.now += 100_000;
    expect(result.session.accessTokenExpiresAt).toBeNull();
    expect(session.needsRenewal(result.session)).toBe(false);
  });
});

describe('OidcSession: renewal by prompt=none', () => {
  it('accepts the same user and refuses another', async () => {
    const { op, session, login } = await setup();
    await login();
    const renew = async (sub: string) =>
      session.finishLogin(await op.authorize(await session.beginLogin({ prompt: 'none', renew: true }), { sub }));
    await expect(renew('alice')).resolves.toMatchObject({ session: { idTokenClaims: { sub: 'alice' } } });
    await expect(renew('mallory')).rejects.toMatchObject({ code: 'ID_TOKEN_REFRESH_MISMATCH' });
    expect(session.restore()?.idTokenClaims.sub).toBe('alice');
  });
});

describe('OidcSession: step-up (RFC 9470)', () => {
  async function stepUp(options: { acrValues?: string; maxAge?: number } = { acrValues: 'urn:mfa urn:key' }) {
    const ctx = await setup({ config: { maxAge: 600 } });
    const first = (await ctx.login(undefined, { authTime: START - 60 })).result.session;
    const url = new URL(await ctx.session.beginLogin({ ...options, stepUp: true }));
    const finish = (authorize: Parameters<FakeProvider['authorize']>[1] = {}) => ctx.op.authorize(url.toString(), authorize).then((cb) => ctx.session.finishLogin(cb));
    return { ...ctx, first, url, finish };
  }

  it('sends acr_values and the login\'s own max_age, and accepts an acr among them', async () => {
    const { op, url, finish } = await stepUp({ acrValues: 'urn:mfa urn:key', maxAge: 0 });
    expect(url.searchParams.get('acr_values')).toBe('urn:mfa urn:key');
    expect(url.searchParams.get('max_age')).toBe('0');
    op.idTokenExtraClaims = { acr: 'urn:key' };
    await expect(finish()).resolves.toMatchObject({ session: { idTokenClaims: { sub: 'alice', acr: 'urn:key', auth_time: START } } });
  });

  it('refuses a weaker acr and keeps the session from before', async () => {
    const { op, session, first, finish, pending } = await stepUp();
    op.idTokenExtraClaims = { acr: 'urn:pwd' };
    await expect(finish()).rejects.toMatchObject({ code: 'ID_TOKEN_ACR_MISMATCH', cause: { expected: ['urn:mfa', 'urn:key'], actual: 'urn:pwd' } });
    expect(session.restore()).toEqual(first);
    expect(pending()).toEqual([]);
  });

  it('checks auth_time against the max_age of the step-up, not the config\'s', async () => {
    const { session, first, finish } = await stepUp({ maxAge: 0 });
    // Five minutes old: recent enough for the config's 600 s, too old for the step-up's 0 s.
    await expect(finish({ authTime: START - 300 })).rejects.toMatchObject({ code: 'ID_TOKEN_AUTH_TIME_INVALID', cause: { expected: 0 } });
    expect(session.restore()).toEqual(first);
  });

  it('refuses another user, and a session that ended meanwhile', async () => {
    const { session, first, op, finish, url } = await stepUp();
    op.idTokenExtraClaims = { acr: 'urn:mfa' };
    await expect(finish({ sub: 'mallory' })).rejects.toMatchObject({ code: 'ID_TOKEN_REFRESH_MISMATCH', cause: { expected: 'alice', actual: 'mallory' } });
    expect(session.restore()).toEqual(first);
    const again = await op.authorize((await session.beginLogin({ acrValues: 'urn:mfa', stepUp: true })).toString());
    await session.logoutLocal();
    await expect(session.finishLogin(again)).rejects.toMatchObject({ code: 'NO_SESSION' });
    expect(session.restore()).toBeNull();
    expect(url.searchParams.get('acr_values')).toBe('urn:mfa urn:key');
  });

  it('lets the acr_values of the login win over one in customParamsAuthRequest, which is sent unchecked', async () => {
    const { op, session, login } = await setup({ config: { customParamsAuthRequest: { acr_values: 'urn:pwd' } } });
    const plain = new URL(await session.beginLogin());
    expect(plain.searchParams.getAll('acr_values')).toEqual(['urn:pwd']);
    op.idTokenExtraClaims = { acr: 'urn:something-else' };
    await expect(login()).resolves.toBeDefined();
    const asked = new URL(await session.beginLogin({ acrValues: 'urn:mfa' }));
    expect(asked.searchParams.getAll('acr_values')).toEqual(['urn:mfa']);
  });
});

describe('OidcSession: userinfo', () => {
  it('loads userinfo into the session, and needs a session', async () => {
    const { session, login } = await setup();
    await expect(session.loadUserInfo()).rejects.toMatchObject({ code: 'NO_SESSION' });
    await login();
    await expect(session.loadUserInfo()).resolves.toMatchObject({ sub: 'alice' });
    expect(session.restore()?.userInfo?.['email']).toBe('alice@example.test');
  });

  it('fails with USERINFO_ERROR when the provider has no userinfo endpoint', async () => {
    const { op, session, login } = await setup();
    await login();
    op.metadataOverrides['userinfo_endpoint'] = undefined;
    session.store.remove('discovery');
    await expect(session.loadUserInfo()).rejects.toMatchObject({ code: 'USERINFO_ERROR' });
  });
});

describe('OidcSession: logout', () => {
  it('revokes the refresh and access tokens, clears the session and returns the end-session URL', async () => {
    const { op, session, login } = await setup();
    const { result } = await login();
    const { endSessionUrl, errors } = await session.logout({ state: 'bye' });
    expect(errors).toEqual([]);
    expect([...op.revoked].sort()).toEqual([result.session.refreshToken, result.session.accessToken].sort());
    const url = new URL(endSessionUrl!);
    expect(url.origin + url.pathname).toBe(op.metadata().end_session_endpoint);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      id_token_hint: result.session.idToken,
      post_logout_redirect_uri: 'https://app.example.test/',
      client_id: 'spa',
      state: 'bye',
    });
    expect(session.restore()).toBeNull();
  });

  it('logs out locally even when revocation fails, and reports the failure', async () => {
    const { op, session, login } = await setup();
    await login();
    op.override('revocation', { status: 503, body: '<html>down</html>' });
    const { endSessionUrl, errors } = await session.logout();
    expect(errors.map((e) => e.code)).toEqual(['HTTP_ERROR', 'HTTP_ERROR']);
    expect(endSessionUrl).not.toBeNull();
    expect(session.restore()).toBeNull();
  });

  it('logs out locally when discovery is unreachable', async () => {
    const { op, session, login } = await setup({ config: { discoveryCacheSeconds: 0 } });
    await login();
    op.override('discovery', () => Promise.reject(new TypeError('offline')));
    const { endSessionUrl, errors } = await session.logout();
    expect(endSessionUrl).toBeNull();
    expect(errors[0]?.code).toBe('NETWORK_ERROR');
    expect(session.restore()).toBeNull();
  });

  it('skips revocation when asked, and when the provider has no end-session endpoint returns no URL', async () => {
    const { op, session, login } = await setup();
    await login();
    op.metadataOverrides['end_session_endpoint'] = undefined;
    session.store.remove('discovery');
    const { endSessionUrl } = await session.logout({ revoke: false });
    expect(op.count('revocation')).toBe(0);
    expect(endSessionUrl).toBeNull();
  });
});

describe('OidcSession: storage', () => {
  it('treats garbage or a foreign session in storage as signed out and removes it', async () => {
    const { session, login, storage } = await setup();
    const key = session.store.keyOf('session');
    storage.write(key, '{"garbage":');
    expect(session.restore()).toBeNull();
    expect(storage.read(key)).toBeNull();
    storage.write(key, JSON.stringify({ idToken: 1 }));
    expect(session.restore()).toBeNull();
    const { result } = await login();
    storage.write(key, JSON.stringify({ ...result.session, idTokenClaims: { ...result.session.idTokenClaims, iss: 'https://evil.example.test' } }));
    expect(session.restore()).toBeNull();
    storage.write(key, JSON.stringify({ ...result.session, idTokenClaims: { ...result.session.idTokenClaims, aud: ['other'] } }));
    expect(session.restore()).toBeNull();
    expect(storage.read(key)).toBeNull();
  });

  it('rejects a garbage transaction as an unknown state', async () => {
    const { op, session, txStorage, pending } = await setup();
    const callback = await op.authorize(await session.beginLogin());
    const [state] = pending();
    txStorage.write(`ngx-oidc.default.tx.${state}`, JSON.stringify({ state: 42 }));
    await expect(session.finishLogin(callback)).rejects.toMatchObject({ code: 'STATE_MISMATCH' });
    expect(op.count('token')).toBe(0);
    // A transaction copied under another state's key is refused too.
    const other = await op.authorize(await session.beginLogin());
    const [otherState] = pending();
    txStorage.write(`ngx-oidc.default.tx.forged`, txStorage.read(`ngx-oidc.default.tx.${otherState}`)!);
    const forged = new URL(other);
    forged.searchParams.set('state', 'forged');
    await expect(session.finishLogin(forged.toString())).rejects.toMatchObject({ code: 'STATE_MISMATCH' });
    expect(op.count('token')).toBe(0);
  });

  it('logoutLocal forgets the session without requests, and a renewal pending meanwhile signs nobody in', async () => {
    const { op, session, login } = await setup();
    await login();
    const renewal = await op.authorize(await session.beginLogin({ prompt: 'none', renew: true }));
    const before = op.requests.length;
    session.logoutLocal();
    expect(session.restore()).toBeNull();
    expect(op.requests.length).toBe(before);
    await expect(session.finishLogin(renewal)).rejects.toMatchObject({ code: 'NO_SESSION' });
    expect(session.restore()).toBeNull();
  });

  it('a renewal that is past its token request when the logout comes (here: at userinfo) signs nobody in either', async () => {
    const { op, session, login, withHeldRequests } = await setup({ config: { autoUserInfo: true } });
    await login();
    const { held, reached, release } = withHeldRequests('/userinfo');
    const renewal = held.finishLogin(await op.authorize(await held.beginLogin({ prompt: 'none', renew: true })));
    await reached;
    await session.logoutLocal();
    release();
    await expect(renewal).rejects.toMatchObject({ code: 'NO_SESSION' });
    expect(session.restore()).toBeNull();
  });
});

describe('OidcSession: a provider that is down, slow or busy', () => {
  const busy = (retryAfter?: string): OidcHttpResponse => ({
    status: 503,
    headers: { 'content-type': 'text/html', ...(retryAfter ? { 'retry-after': retryAfter } : {}) },
    body: '<html>maintenance</html>',
  });

  it('backs off after a 503: no request before Retry-After, the session kept, then renewed and the back-off gone', async () => {
    const { op, session, login, clock } = await setup();
    await login();
    op.override('token', busy('120'));
    await expect(session.refresh()).rejects.toMatchObject({ code: 'HTTP_ERROR', cause: { status: 503, retryAfter: 120, retryAt: (START + 120) * 1000 } });
    expect(session.restore()).not.toBeNull();
    for (const step of [1, 30, 60, 28]) {
      clock.now += step;
      await expect(session.refresh()).rejects.toMatchObject({ code: 'HTTP_ERROR', cause: { deferred: true } });
    }
    expect(op.count('token')).toBe(2);
    op.clearOverrides();
    clock.now += 1;
    await expect(session.refresh()).resolves.toMatchObject({ idTokenClaims: { sub: 'alice' } });
    expect(op.count('token')).toBe(3);
    expect(session.renewalBackoff()).toBeNull();
  });

  it('three tabs sharing a session during a two-minute outage ask the provider as one', async () => {
    const { op, login, makeSession, storage, clock } = await setup({ config: { renewRetryInitialDelayInSeconds: 5, renewRetryMaxDelayInSeconds: 300 } });
    await login();
    const tabs = [makeSession(storage), makeSession(storage), makeSession(storage)];
    op.override('token', busy());
    const before = op.count('token');
    // Every tab's timer fires every second for two minutes: bounded by the loop, not by time.
    for (let second = 0; second < 120; second++) {
      await Promise.allSettled(tabs.map((t) => t.refresh()));
      clock.now += 1;
    }
    const attempts = op.count('token') - before;
    // 5 s doubling with jitter (2.5..5, 5..10, 10..20, 20..40, 40..80 s): at most 7 in 120 s.
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(attempts).toBeLessThanOrEqual(7);
    expect(tabs.every((t) => t.restore() !== null)).toBe(true);
  });

  it('times a hung token request out, and the lock is free for the next renewal', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const { op, session, login, clock } = await setup({ config: { httpTimeoutInSeconds: 10 } });
      await login();
      op.override('token', () => new Promise(() => undefined), true);
      const hung = session.refresh();
      const settled = expect(hung).rejects.toMatchObject({ code: 'TIMEOUT', cause: { retryAt: expect.any(Number) } });
      await jest.advanceTimersByTimeAsync(10_000);
      await settled;
      clock.now += 10;
      await expect(session.refresh({ retryNow: true })).resolves.toMatchObject({ idTokenClaims: { sub: 'alice' } });
    } finally {
      jest.useRealTimers();
    }
  });

  it('a tab back online retries at once, unless the provider set the wait', async () => {
    const { op, session, login } = await setup();
    await login();
    op.override('token', () => Promise.reject(new TypeError('Failed to fetch')), true);
    await expect(session.refresh()).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    await expect(session.refresh({ retryNow: true })).resolves.toBeDefined();
    op.override('token', busy('60'), true);
    await expect(session.refresh()).rejects.toMatchObject({ cause: { retryAfter: 60 } });
    await expect(session.refresh({ retryNow: true })).rejects.toMatchObject({ cause: { deferred: true } });
  });

  it("without Web Locks, invalid_grant for a token another tab already rotated keeps that tab's session", async () => {
    const { op, login, session, storage, clock } = await setup();
    await login();
    const stale = session.restore()!;
    const now = () => clock.now;
    const unlocked = (s: AuthStorage) => new OidcSession(session.config, { fetchJson: op.fetchJson, flows, storage: s, transactionStorage: null, now });
    const tabA = unlocked(storage);
    const fresh = await tabA.refresh();
    // Tab B still holds the old refresh token (no lock told it to wait): the provider refuses it.
    const viewB = new MemoryStorage();
    viewB.write(session.store.keyOf('session'), JSON.stringify(stale));
    const tabB = new OidcSession(session.config, { fetchJson: op.fetchJson, flows, storage: viewB, transactionStorage: null, now });
    await expect(tabB.refresh()).rejects.toMatchObject({ oauthError: 'invalid_grant' });
    expect(tabB.restore()).toBeNull();
    // Compare and delete: the shared session holds A's newer token, and stays.
    expect(tabA.discard(stale)).toBe(false);
    expect(tabA.restore()?.refreshToken).toBe(fresh.refreshToken);
  });

  it('stores nothing when the session was logged out while a refresh ran', async () => {
    const { login, withHeldRequests } = await setup();
    await login();
    const { held: slow, reached, release } = withHeldRequests();
    const renewal = slow.refresh();
    await reached;
    slow.logoutLocal();
    release();
    await expect(renewal).rejects.toMatchObject({ code: 'NO_SESSION' });
    expect(slow.restore()).toBeNull();
  });
});

describe('OidcSession: transactions and token storage', () => {
  it('finishes a login with memory token storage: the transaction waits in its own storage', async () => {
    const { op, session, txStorage, pending } = await setup();
    const url = await session.beginLogin();
    expect(pending()).toHaveLength(1);
    expect(session.store.storage.keys().some((k) => k.includes('.tx.'))).toBe(false);
    expect(txStorage.keys()).toHaveLength(1);
    await expect(session.finishLogin(await op.authorize(url))).resolves.toBeDefined();
    expect(pending()).toEqual([]);
  });

  it('fails before any request with STORAGE_UNAVAILABLE when no Web Storage can keep the transaction', async () => {
    const { op, session } = await setup();
    const noStorage = new OidcSession(session.config, { fetchJson: op.fetchJson, flows, storage: new MemoryStorage(), transactionStorage: null });
    await expect(noStorage.beginLogin()).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    expect(op.requests).toHaveLength(0);
  });

  it('keeps the page sessionStorage for transactions by default', async () => {
    const { op, session } = await setup();
    sessionStorage.clear();
    const byDefault = new OidcSession(session.config, { fetchJson: op.fetchJson, flows, storage: new MemoryStorage() });
    const state = new URL(await byDefault.beginLogin()).searchParams.get('state');
    expect(sessionStorage.getItem(`ngx-oidc.default.tx.${state}`)).not.toBeNull();
    sessionStorage.clear();
  });

  it('keeps several pending logins apart: each callback consumes only its own', async () => {
    const { op, session, pending } = await setup();
    const first = await session.beginLogin({ returnUrl: '/a' });
    const renew = await session.beginLogin({ returnUrl: '/b' });
    expect(pending()).toHaveLength(2);
    const answerB = await op.authorize(renew);
    const answerA = await op.authorize(first);
    await expect(session.finishLogin(answerB)).resolves.toMatchObject({ returnUrl: '/b' });
    expect(pending()).toEqual([new URL(first).searchParams.get('state')]);
    await expect(session.finishLogin(answerA)).resolves.toMatchObject({ returnUrl: '/a' });
  });

  it('drops transactions older than the timeout when a new one is stored', async () => {
    const { session, pending, clock } = await setup();
    await session.beginLogin();
    clock.now += 601;
    await session.beginLogin();
    expect(pending()).toHaveLength(1);
  });

  it('with useRefreshToken: false stores no refresh token even when the provider sends one', async () => {
    const { login, session } = await setup({ config: { useRefreshToken: false } });
    const { result } = await login();
    expect(result.session.refreshToken).toBeUndefined();
    expect(JSON.stringify(session.store.storage.read(session.store.keyOf('session')))).not.toContain('rt-');
    await expect(session.refresh()).rejects.toMatchObject({ code: 'NO_REFRESH_TOKEN' });
  });

  it('with useRefreshToken turned off later, ignores a stored refresh token, and still discards that session', async () => {
    const { login, storage, config, op } = await setup();
    await login();
    const later = new OidcSession({ ...config, useRefreshToken: false }, { fetchJson: op.fetchJson, flows, storage, transactionStorage: new MemoryStorage(), now: () => START });
    const stored = later.restore()!;
    expect(stored.refreshToken).toBeUndefined();
    // The session ends (an expiry, a definitive failure): compare and delete matches what restore() gave.
    expect(later.discard(stored)).toBe(true);
    expect(later.restore()).toBeNull();
  });

  it('sends id_token_hint with prompt=none, and only then', async () => {
    const { session, login } = await setup();
    const { result } = await login();
    expect(new URL(await session.beginLogin({ prompt: 'none', renew: true })).searchParams.get('id_token_hint')).toBe(result.session.idToken);
    expect(new URL(await session.beginLogin()).searchParams.has('id_token_hint')).toBe(false);
  });

  it('merges userinfo into the session as stored when it arrives, keeping a refresh token rotated meanwhile', async () => {
    const { op, session, login } = await setup();
    await login();
    const gate = deferred();
    const asked = deferred();
    op.override('userinfo', async () => {
      asked.resolve();
      await gate.promise;
      return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"sub":"alice","name":"Alice"}' };
    }, true);
    const info = session.loadUserInfo();
    // The userinfo request is at the provider, held, while the refresh rotates the tokens.
    await asked.promise;
    const rotated = await session.refresh();
    gate.resolve();
    await info;
    expect(session.restore()).toMatchObject({ refreshToken: rotated.refreshToken, userInfo: { name: 'Alice' } });
  });

  it('follows a new jwks_uri when discovery changes', async () => {
    const { op, session, login, clock } = await setup({ config: { discoveryCacheSeconds: 60 } });
    await login();
    const jwks = op.metadata().jwks_uri;
    op.metadataOverrides['jwks_uri'] = `${jwks}?v=2`;
    await op.rotateKeys();
    clock.now += 61;
    await session.refresh();
    expect(op.requests.some((r) => r.url === `${jwks}?v=2`)).toBe(true);
  });
});

describe('OidcSession: logout under faults', () => {
  it('revokes in parallel with a short timeout: a hung revocation endpoint delays nothing for long', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const { op, session, login } = await setup();
      await login();
      const seen: boolean[] = [];
      op.override('revocation', (req) => {
        seen.push(req.keepalive === true);
        return new Promise(() => undefined);
      });
      const result = session.logout();
      expect(session.restore()).toBeNull();
      await jest.advanceTimersByTimeAsync(3000);
      const { errors, endSessionUrl } = await result;
      expect(errors.map((e) => e.code)).toEqual(['TIMEOUT', 'TIMEOUT']);
      expect(seen).toEqual([true, true]);
      expect(endSessionUrl).not.toBeNull();
    } finally {
      jest.useRealTimers();
    }
  });

  it('takes unsupported_token_type for a structured access token as nothing to revoke, not as an error (RFC 7009 2.2.1)', async () => {
    const { op, session, login } = await setup();
    await login();
    const hints: (string | null)[] = [];
    op.override('revocation', (req) => {
      const hint = new URLSearchParams(req.body ?? '').get('token_type_hint');
      hints.push(hint);
      return hint === 'access_token'
        ? answer(400, { error: 'unsupported_token_type', error_description: 'Structured JWT Tokens cannot be revoked' })
        : answer(200, '');
    });
    expect((await session.logout()).errors).toEqual([]);
    expect(hints.sort()).toEqual(['access_token', 'refresh_token']);
  });

  it('still reports unsupported_token_type for the refresh token, and any other refusal of the access token', async () => {
    const { op, session, login } = await setup();
    await login();
    op.override('revocation', (req) =>
      new URLSearchParams(req.body ?? '').get('token_type_hint') === 'refresh_token'
        ? answer(400, { error: 'unsupported_token_type' })
        : answer(400, { error: 'invalid_request' }),
    );
    const { errors } = await session.logout();
    expect(errors.map((e) => [e.code, e.oauthError])).toEqual([
      ['REVOCATION_ERROR', 'unsupported_token_type'],
      ['REVOCATION_ERROR', 'invalid_request'],
    ]);
  });

  it('skips revocation when the provider admits no public client there', async () => {
    const { op, session, login } = await setup();
    await login();
    op.metadataOverrides['revocation_endpoint_auth_methods_supported'] = ['client_secret_basic', 'private_key_jwt'];
    session.store.remove('discovery');
    const { errors } = await session.logout();
    expect(errors).toEqual([]);
    expect(op.count('revocation')).toBe(0);
  });

  it('sends a generated state with the end-session request and remembers it for the return', async () => {
    const { session, login } = await setup();
    await login();
    const { endSessionUrl } = await session.logout();
    const state = new URL(endSessionUrl!).searchParams.get('state');
    expect(state).toMatch(/^[\w-]{20,}$/);
    expect(session.logoutStates.take('other')).toBe(false);
    expect(session.logoutStates.take(state)).toBe(true);
    expect(session.logoutStates.take(state)).toBe(false);
  });
});

describe('OidcSession: keys before the refresh token is spent', () => {
  it('a JWKS that cannot be fetched fails the renewal before the token request, keeping the refresh token usable', async () => {
    const { op, session, login, clock } = await setup({ config: { discoveryCacheSeconds: 60 } });
    await login();
    clock.now += 61;
    op.override('jwks', () => Promise.reject(new TypeError('Failed to fetch')), true);
    const tokens = op.count('token');
    await expect(session.refresh()).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    expect(op.count('token')).toBe(tokens);
    clock.now += 10;
    await expect(session.refresh()).resolves.toMatchObject({ idTokenClaims: { sub: 'alice' } });
  });

  it('a new signing key that cannot be fetched after the refresh token was spent keeps the rotated one for the retry', async () => {
    const { op, session, login, clock } = await setup();
    await login();
    const spent = session.restore()!.refreshToken;
    // The provider signs with a kid the cached JWKS lacks, and the one refetch for it fails.
    await op.rotateKeys();
    clock.now += 60;
    op.override('jwks', { status: 503, headers: {}, body: '' }, true);
    await expect(session.refresh()).rejects.toMatchObject({ code: 'HTTP_ERROR', cause: { retryAt: expect.any(Number) } });
    const kept = session.restore()!;
    expect(kept.refreshToken).not.toBe(spent);
    expect(session.renewalBackoff()).toMatchObject({ refreshToken: kept.refreshToken, attempt: 1 });
    // The retry spends the new refresh token (the old one would get invalid_grant), and the ID token passes.
    clock.now += 600;
    await expect(session.refresh()).resolves.toMatchObject({ idTokenClaims: { sub: 'alice' } });
  });
});

describe('OidcSession: the callback, in parallel', () => {
  it('fetches the JWKS while the token request is on its way, not after it', async () => {
    const { op, session, withHeldRequests } = await setup();
    const url = await session.beginLogin();
    const { held: gated, release } = withHeldRequests();
    const done = gated.finishLogin(await op.authorize(url));
    // The token request is held: were the keys fetched only after its answer, this would never resolve.
    await op.received('jwks');
    expect(op.count('jwks')).toBe(1);
    expect(op.count('token')).toBe(0);
    release();
    await expect(done).resolves.toMatchObject({ session: { idTokenClaims: { sub: 'alice' } } });
    expect(op.count('jwks')).toBe(1);
  });

  it('fetches no keys for a refused or forged response', async () => {
    const { op, session } = await setup();
    const denied = await op.authorize(await session.beginLogin(), { deny: true });
    await expect(session.finishLogin(denied)).rejects.toMatchObject({ code: 'AUTHORIZATION_ERROR' });
    const forged = new URL(await op.authorize(await session.beginLogin()));
    forged.searchParams.set('iss', 'https://evil.example.test');
    await expect(session.finishLogin(forged.toString())).rejects.toMatchObject({ code: 'ISS_MISMATCH' });
    expect(op.count('jwks')).toBe(0);
    expect(op.count('token')).toBe(0);
  });
});

describe('OidcSession: DPoP (RFC 9449)', () => {
  async function dpopSetup(extra: { allowBearer?: boolean; config?: Partial<OidcConfig> } = {}) {
    const keys = new MemoryDPoPKeyStore();
    const dpop = (now: () => number) => dpopPort({ store: keys, configId: 'default', now, ...(extra.allowBearer ? { allowBearer: true } : {}) });
    return { ...(await setup({ dpop, ...(extra.config ? { config: extra.config } : {}) })), keys };
  }

  it('binds the code (dpop_jkt), proves the key at the token endpoint, and stores DPoP-bound tokens', async () => {
    const { op, session, keys } = await dpopSetup();
    const url = new URL(await session.beginLogin());
    const key = await keys.load('default');
    expect(url.searchParams.get('dpop_jkt')).toBe(await dpopThumbprint(key!));
    const { session: signedIn } = await session.finishLogin(await op.authorize(url.toString()));
    expect(signedIn.tokenType).toBe('DPoP');
    expect(op.dpopKeys).toEqual([await dpopThumbprint(key!)]);
    const sent = op.requests.find((r) => r.url.endsWith('/token'))!;
    expect(sent.headers['DPoP']).toMatch(/^ey[\w-]+\.ey[\w-]+\.[\w-]+$/);
  });

  it('refreshes with the same key (the refresh token is bound to it), and loads userinfo with a proof', async () => {
    const { op, session, login } = await dpopSetup();
    await login();
    const renewed = await session.refresh();
    expect(renewed.tokenType).toBe('DPoP');
    expect(new Set(op.dpopKeys).size).toBe(1);
    await expect(session.loadUserInfo()).resolves.toMatchObject({ sub: 'alice' });
  });

  it('answers a nonce demand with exactly one retry, and keeps the nonce for the next request', async () => {
    const { op, session, login } = await dpopSetup();
    op.dpopNonce = 'server-nonce-1';
    await login();
    expect(op.count('token')).toBe(2);
    await session.refresh();
    expect(op.count('token')).toBe(3);
    // A server that keeps refusing gets no third request.
    op.dpopNonce = 'never-given';
    op.override('token', { status: 400, headers: { 'content-type': 'application/json', 'dpop-nonce': 'another' }, body: '{"error":"use_dpop_nonce"}' });
    await expect(session.refresh()).rejects.toMatchObject({ code: 'TOKEN_ERROR', oauthError: 'use_dpop_nonce' });
    expect(op.count('token')).toBe(5);
  });

  it('refuses an unbound Bearer answer with DPOP_NOT_BOUND and stores nothing, unless allowed', async () => {
    const refused = await dpopSetup();
    refused.op.dpopBindsTokens = false;
    await expect(refused.login()).rejects.toMatchObject({ code: 'DPOP_NOT_BOUND' });
    expect(refused.session.restore()).toBeNull();
    const allowed = await dpopSetup({ allowBearer: true });
    allowed.op.dpopBindsTokens = false;
    const { result } = await allowed.login();
    expect(result.session.tokenType).toBeUndefined();
  });

  it('makes a new key at a login with nobody signed in, keeps it while a session exists, and deletes it at logout', async () => {
    const { op, session, login, keys } = await dpopSetup();
    await login();
    const first = await dpopThumbprint((await keys.load('default'))!);
    const renewUrl = new URL(await session.beginLogin({ prompt: 'none', renew: true }));
    expect(renewUrl.searchParams.get('dpop_jkt')).toBe(first);
    await session.finishLogin(await op.authorize(renewUrl.toString()));
    // A step-up, or a new sign-in, that never comes back (popup closed, provider refused) leaves
    // the session's tokens bound to a key that still exists: the next refresh proves it.
    for (const options of [{ stepUp: true, acrValues: 'urn:mfa' }, { prompt: 'login' as const }]) {
      expect(new URL(await session.beginLogin(options)).searchParams.get('dpop_jkt')).toBe(first);
      await expect(session.refresh({ force: true })).resolves.toMatchObject({ tokenType: 'DPoP' });
    }
    await session.logoutLocal();
    expect(await keys.load('default')).toBeNull();
    await login();
    expect(await dpopThumbprint((await keys.load('default'))!)).not.toBe(first);
  });

  it('sends a proof with a pushed authorization request', async () => {
    const { op, session } = await dpopSetup({ config: { usePushedAuthorizationRequests: true } });
    await session.beginLogin();
    expect(op.requests.find((r) => r.url.endsWith('/request'))?.headers['DPoP']).toBeDefined();
  });

  it('a refresh token presented without its key is refused by the provider', async () => {
    const { op, login, session } = await dpopSetup();
    await login();
    const { refreshToken } = session.restore()!;
    const stolen = await op.fetchJson({
      url: `${op.issuer}/token`,
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken!, client_id: op.clientId }).toString(),
    });
    expect(stolen.status).toBe(400);
    expect(JSON.parse(stolen.body)).toMatchObject({ error: 'invalid_grant' });
  });
});
