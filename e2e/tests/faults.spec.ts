import type { BrowserContext, Locator, Page, Request } from '@playwright/test';
import { API_ORIGIN, APP, IDP, expect, faults, signIn, storedSession, test, textAfterTick, useFlow } from './fixtures';

// The provider misbehaving, through the fault hook in front of it (e2e/idp/faults.mjs):
// 503 with Retry-After, no answer, a reset connection, an HTML page. Every scenario
// asserts on what the provider counted and on the app's DOM and storage; time is the
// page's fake clock (page.clock), never a sleep.

const DISCOVERY = '/.well-known/openid-configuration';
/** The demo's access tokens live 300 s (the provider's default for `spa`). */
const ACCESS_TOKEN_TTL_MS = 300_000;
/**
 * Renewal falls due at half the token's lifetime (150 s) instead of 30 s before
 * expiry, so that a two-minute outage ends before the access token does. The
 * page's fake clock runs minutes ahead of the provider's real one, so the ID
 * token's `iat` is allowed that far off.
 */
const RENEW_AT_HALF_LIFE = { renewTimeBeforeTokenExpiresInSeconds: 200, maxIdTokenIatOffsetAllowedInSeconds: 900 };
/** Past the renewal due time above (150 s after the token came), before its expiry. */
const PAST_RENEWAL_DUE_MS = ACCESS_TOKEN_TTL_MS / 2 + 2_000;
/** The library's default `httpTimeoutInSeconds`. */
const HTTP_TIMEOUT_MS = 10_000;
/** The two-minute outage of scenario a, and the Retry-After the provider sends during it. */
const OUTAGE_MS = 120_000;
const RETRY_AFTER_S = 30;
/**
 * At most one refresh request per Retry-After during the outage, plus the one
 * that started it and one of slack: 120 / 30 + 2 = 6.
 */
const MAX_REFRESHES_IN_OUTAGE = OUTAGE_MS / 1000 / RETRY_AFTER_S + 2;

test.beforeEach(async () => {
  await faults.reset();
});
test.afterEach(async () => {
  // Whatever happened, the next test (and the next spec file) meets a healthy provider.
  await faults.reset();
});

/**
 * Runs the page's fake clock `ms` forward in steps: the timers due in each step
 * fire in order, and the provider's answers land between steps.
 */
async function advance(page: Page, ms: number, stepMs = 1_000): Promise<void> {
  for (let done = 0; done < ms; done += stepMs) await page.clock.runFor(Math.min(stepMs, ms - done));
}

/** Runs the fake clock forward step by step until `done()` holds; fails after `maxMs` of page time. */
async function advanceUntil(page: Page, done: () => Promise<boolean>, maxMs: number, stepMs = 1_000): Promise<void> {
  for (let spent = 0; spent <= maxMs; spent += stepMs) {
    if (await done()) return;
    await page.clock.runFor(stepMs);
  }
  expect(await done(), `still not there after ${maxMs} ms of page time`).toBe(true);
}

/** Refresh requests the provider answered itself (not faulted). */
async function answeredRefreshes(): Promise<number> {
  return (await faults.counts()).requests.filter((r) => r.grantType === 'refresh_token' && !r.fault).length;
}

const status = (page: Page) => page.getByTestId('auth-status');
const state = (page: Page) => page.getByTestId('auth-state');

/** The page is still signed in as Alice. */
async function expectSignedIn(page: Page): Promise<void> {
  await expect(state(page)).toHaveText('authenticated');
  await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
}

/**
 * Scenario a for `tabs` tabs sharing one localStorage session: the token
 * endpoint answers 503 with Retry-After to every refresh for two minutes of
 * page time, from the moment the renewal falls due. Returns how many refresh
 * requests the provider saw in those two minutes.
 */
async function refreshOutage(context: BrowserContext, page: Page, tabs: number): Promise<number> {
  await context.clock.install();
  await useFlow(context, 'refresh', RENEW_AT_HALF_LIFE);
  await signIn(page);
  const pages = [page];
  while (pages.length < tabs) {
    const other = await context.newPage();
    await other.goto('/');
    await expectSignedIn(other);
    pages.push(other);
  }
  const before = await storedSession(page);
  await faults.reset();
  await faults.set({ path: '/token', mode: 'unavailable', retryAfter: RETRY_AFTER_S, when: { grantType: 'refresh_token' } });

  // The renewal falls due in every tab at once; the first refresh meets the outage.
  await context.clock.fastForward(PAST_RENEWAL_DUE_MS);
  await expect.poll(() => faults.grants('refresh_token')).toBeGreaterThanOrEqual(1);
  await advance(page, OUTAGE_MS);

  // The session stays: every tab is signed in, waiting to retry, with the old tokens stored.
  for (const p of pages) {
    await expect(status(p)).toHaveText('retrying');
    await expectSignedIn(p);
  }
  expect((await storedSession(page))?.refreshToken).toBe(before?.refreshToken);

  // The provider is back: the next scheduled retry renews, once, for every tab.
  await faults.clear();
  await advanceUntil(page, async () => (await answeredRefreshes()) > 0, (RETRY_AFTER_S + 5) * 1000);
  for (const p of pages) await expect(status(p)).toHaveText('authenticated');
  const after = await storedSession(page);
  expect(after?.accessToken).toBeTruthy();
  expect(after?.accessToken).not.toBe(before?.accessToken);
  expect(after?.refreshToken).not.toBe(before?.refreshToken);
  for (const p of pages) await expect.poll(async () => (await storedSession(p))?.accessToken).toBe(after?.accessToken);
  await expectSignedIn(page);

  const counts = await faults.counts();
  // The outage's requests: all refreshes (a request in flight when it ended included).
  const refreshes = counts.faulted['/token'] ?? 0;
  expect(counts.grants['refresh_token']).toBe(refreshes + 1);
  expect(await answeredRefreshes()).toBe(1);
  expect(counts.paths['/auth'] ?? 0).toBe(0);
  return refreshes;
}

const outageCounts: { oneTab?: number; threeTabs?: number } = {};

test.describe('a. the token endpoint answers 503 with Retry-After for two minutes', () => {
  test('a1. one tab: a bounded number of refreshes, the session kept, renewed once the provider is back', async ({ page, context }) => {
    const refreshes = await refreshOutage(context, page, 1);
    outageCounts.oneTab = refreshes;
    console.log(`FAULT-COUNTS one-tab=${refreshes}`);
    expect(refreshes).toBeGreaterThanOrEqual(2);
    expect(refreshes).toBeLessThanOrEqual(MAX_REFRESHES_IN_OUTAGE);
  });

  test('a2. three tabs sharing the session: only the lock holder asks, about as often as one tab', async ({ page, context }) => {
    const refreshes = await refreshOutage(context, page, 3);
    outageCounts.threeTabs = refreshes;
    console.log(`FAULT-COUNTS three-tabs=${refreshes}`);
    expect(refreshes).toBeGreaterThanOrEqual(2);
    expect(refreshes).toBeLessThanOrEqual(MAX_REFRESHES_IN_OUTAGE);
  });

  test('a3. without Retry-After the library backs off from 5 s, doubling', async ({ page, context }) => {
    await context.clock.install();
    await useFlow(context, 'refresh', RENEW_AT_HALF_LIFE);
    await signIn(page);
    await faults.reset();
    await faults.set({ path: '/token', mode: 'unavailable', retryAfter: null, when: { grantType: 'refresh_token' } });
    await page.clock.fastForward(PAST_RENEWAL_DUE_MS);
    await expect.poll(() => faults.grants('refresh_token')).toBeGreaterThanOrEqual(1);
    await advance(page, OUTAGE_MS);
    const refreshes = await faults.grants('refresh_token');
    console.log(`FAULT-COUNTS one-tab-no-retry-after=${refreshes}`);
    // Waits of at least 2.5, 5, 10, 20, 40 s (5 s doubling, equal jitter): 6 requests fit in 120 s, plus one of slack.
    expect(refreshes).toBeGreaterThanOrEqual(3);
    expect(refreshes).toBeLessThanOrEqual(7);
    await expect(status(page)).toHaveText('retrying');
    await expectSignedIn(page);
  });

  test.afterAll(() => {
    if (outageCounts.oneTab !== undefined && outageCounts.threeTabs !== undefined) {
      console.log(`FAULT-COUNTS one-tab=${outageCounts.oneTab} three-tabs=${outageCounts.threeTabs}`);
    }
  });
});

test('b. a token endpoint that never answers: the refresh times out, the session waits to retry, then recovers', async ({ page }) => {
  await page.clock.install();
  await useFlow(page, 'refresh', RENEW_AT_HALF_LIFE);
  await signIn(page);
  const before = await storedSession(page);
  await faults.reset();
  await faults.set({ path: '/token', mode: 'hang', when: { grantType: 'refresh_token' } });

  await page.clock.fastForward(PAST_RENEWAL_DUE_MS);
  await expect.poll(() => faults.grants('refresh_token')).toBe(1);
  await expect(status(page)).toHaveText('renewing');
  // Well short of httpTimeoutInSeconds the request still waits...
  await page.clock.runFor(HTTP_TIMEOUT_MS - 3_000);
  await expect(status(page)).toHaveText('renewing');
  // ...then the library gives up on it and keeps the session.
  await page.clock.runFor(4_000);
  await expect(status(page)).toHaveText('retrying');
  await expectSignedIn(page);
  expect(await faults.grants('refresh_token')).toBe(1);

  await faults.clear();
  // The first back-off is 2.5 to 5 s; the retry meets a provider that answers.
  await advanceUntil(page, async () => (await faults.grants('refresh_token')) >= 2, 15_000);
  await expect(status(page)).toHaveText('authenticated');
  const after = await storedSession(page);
  expect(after?.accessToken).not.toBe(before?.accessToken);
  expect(after?.refreshToken).not.toBe(before?.refreshToken);
  expect(await faults.grants('refresh_token')).toBe(2);
});

test.describe('c. the provider is down when a returning user comes back', () => {
  /** Signs in, then takes the provider down and forgets the discovery and JWKS caches. */
  async function returningUserWithProviderDown(page: Page): Promise<void> {
    await page.clock.install();
    await useFlow(page, 'refresh', RENEW_AT_HALF_LIFE);
    await signIn(page);
    await page.evaluate(() => {
      localStorage.removeItem('ngx-oidc.default.discovery');
      localStorage.removeItem('ngx-oidc.default.jwks');
    });
    await faults.reset();
    await faults.set(
      { path: [DISCOVERY, '/jwks'], mode: 'reset' },
      { path: '/token', mode: 'unavailable', retryAfter: RETRY_AFTER_S },
    );
  }

  test('c1. the page renders from the stored session, with no redirect and no loop', async ({ page }) => {
    await returningUserWithProviderDown(page);
    await page.reload();
    await expectSignedIn(page);
    await page.goto('/protected');
    await expectSignedIn(page);
    await expect(page).toHaveURL(`${APP}/protected`);
    await page.clock.runFor(30_000);
    await expect(page).toHaveURL(`${APP}/protected`);
    await expectSignedIn(page);
    const counts = await faults.counts();
    expect(counts.paths['/auth'] ?? 0).toBe(0);
    expect(counts.paths['/token'] ?? 0).toBeLessThanOrEqual(1);
  });

  test('c2. a renewal that falls due while the provider is down keeps the session, bounded, with no login round trip', async ({ page }) => {
    await returningUserWithProviderDown(page);
    await page.reload();
    await expectSignedIn(page);
    await page.clock.fastForward(PAST_RENEWAL_DUE_MS);
    await advance(page, 60_000);
    await expect(status(page)).toHaveText('retrying');
    await expectSignedIn(page);
    await expect(page).toHaveURL(`${APP}/protected`);
    const counts = await faults.counts();
    expect(counts.paths['/auth'] ?? 0).toBe(0);
    // Back-off from 5 s, doubling: at most 5 attempts in 60 s (a browser may resend a reset request once).
    expect(counts.paths[DISCOVERY] ?? 0).toBeGreaterThanOrEqual(1);
    expect(counts.paths[DISCOVERY] ?? 0).toBeLessThanOrEqual(10);
    expect(counts.paths['/token'] ?? 0).toBeLessThanOrEqual(5);
  });
});

test.describe('d. the provider is down at login (cold discovery cache)', () => {
  const cases = [
    { mode: 'unavailable', code: 'HTTP_ERROR' },
    { mode: 'reset', code: 'NETWORK_ERROR' },
  ] as const;
  for (const { mode, code } of cases) {
    test(`d. discovery ${mode === 'reset' ? 'resets the connection' : 'answers 503'}: ${code}, one attempt, no loop`, async ({ page }) => {
      await page.clock.install();
      await useFlow(page, 'refresh');
      await page.goto('/');
      await page.evaluate(() => {
        localStorage.clear();
        sessionStorage.clear();
      });
      await page.reload();
      await expect(state(page)).toHaveText('unauthenticated');
      await faults.reset();
      await faults.set({ path: DISCOVERY, mode, retryAfter: RETRY_AFTER_S });

      await page.getByTestId('login').click();
      await expect(page.getByTestId('auth-error')).toHaveText(code);
      await expect(page).toHaveURL(`${APP}/`);
      await expect(state(page)).toHaveText('unauthenticated');
      const afterClick = await faults.counts();
      // One attempt (a browser may resend a request whose connection was reset once, on its own).
      expect(afterClick.paths[DISCOVERY]).toBeGreaterThanOrEqual(1);
      expect(afterClick.paths[DISCOVERY]).toBeLessThanOrEqual(mode === 'reset' ? 2 : 1);

      // A protected page: one login attempt, then /unauthorized with the error, and it stays there.
      await page.goto('/protected');
      await expect(page).toHaveURL(`${APP}/unauthorized`);
      await expect(page.getByTestId('auth-error')).toHaveText(code);
      const afterGuard = await faults.counts();
      await page.clock.runFor(60_000);
      await expect(page).toHaveURL(`${APP}/unauthorized`);
      const final = await faults.counts();
      expect(final.paths[DISCOVERY]).toBe(afterGuard.paths[DISCOVERY]);
      expect((afterGuard.paths[DISCOVERY] ?? 0) - (afterClick.paths[DISCOVERY] ?? 0)).toBeLessThanOrEqual(mode === 'reset' ? 2 : 1);
      expect(final.paths['/auth'] ?? 0).toBe(0);
      expect(final.paths['/token'] ?? 0).toBe(0);
      expect(final.paths['/request'] ?? 0).toBe(0);
    });
  }
});

test('e. a revocation endpoint that never answers: logout signs out at once and no API call carries the old token', async ({ page }) => {
  await page.clock.install();
  await useFlow(page, 'refresh');
  await signIn(page);
  await page.getByTestId('call-api').click();
  await expect(page.getByTestId('api-result')).toContainText('"sub":"alice"');
  const oldToken = (await storedSession(page))?.accessToken;
  expect(oldToken).toBeTruthy();

  const apiCalls: { url: string; authorization: string | undefined }[] = [];
  page.on('request', (req: Request) => {
    if (req.url().startsWith(API_ORIGIN)) apiCalls.push({ url: req.url(), authorization: req.headers()['authorization'] });
  });
  await faults.reset();
  await faults.set({ path: '/token/revocation', mode: 'hang' });

  // The page's time stands still from here: the hung revocations cannot time out
  // unless the test lets them, so what follows happens while they still hang.
  await page.clock.pauseAt(await page.evaluate(() => Date.now() + 1_000));
  await page.getByTestId('logout').click();
  await expect.poll(() => faults.count('/token/revocation')).toBeGreaterThanOrEqual(1);
  // Local first: signed out and forgotten before the provider has answered anything.
  expect(await storedSession(page)).toBeNull();
  await expect.poll(() => textAfterTick(page, state(page))).toBe('unauthenticated');
  await page.getByTestId('call-api').click();
  await expect.poll(() => textAfterTick(page, page.getByTestId('api-result'))).toBe('401');
  expect(page.url().startsWith(`${APP}/`), 'still in the app: nothing waited for the revocation yet').toBe(true);
  expect(await faults.count('/session/end')).toBe(0);

  // The revocations give up (after a few seconds) and the end-session redirect goes ahead.
  await page.clock.resume();
  await advanceUntil(page, async () => (await faults.count('/session/end')) > 0, 15_000);
  await expect(page).toHaveURL(`${APP}/`);
  await expect(state(page)).toHaveText('unauthenticated');
  expect(await storedSession(page)).toBeNull();
  await page.getByTestId('call-api').click();
  await expect(page.getByTestId('api-result')).toHaveText('401');

  expect(apiCalls.length).toBeGreaterThanOrEqual(1);
  for (const call of apiCalls) expect(call.authorization).toBeUndefined();
  const counts = await faults.counts();
  expect(counts.faulted['/token/revocation']).toBe(counts.paths['/token/revocation']);
  expect(counts.paths['/token/revocation']).toBeLessThanOrEqual(2);
});

test('f. storage "memory": sign-in through /protected ends authenticated, with a working API call and nothing in Web Storage', async ({ page }) => {
  await useFlow(page, 'refresh', { storage: 'memory' });
  let bearer: string | undefined;
  page.on('request', (req: Request) => {
    const authorization = req.headers()['authorization'];
    if (req.url().startsWith(API_ORIGIN) && authorization) bearer = authorization.replace(/^Bearer /, '');
  });
  await signIn(page);
  await expect(page).toHaveURL(`${APP}/protected`);
  await expectSignedIn(page);
  await page.getByTestId('call-api').click();
  await expect(page.getByTestId('api-result')).toContainText('"sub":"alice"');
  expect(bearer).toBeTruthy();
  expect(await storedSession(page)).toBeNull();
  const webStorage = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }));
  expect(webStorage).not.toContain(bearer!);
  expect(await faults.grants('authorization_code')).toBe(1);
});

test('g. iframe renew with an app route as silentRenewUrl: one iframe, one prompt=none request, nothing else from the iframe', async ({ page }) => {
  const silentRenewUrl = `${APP}/silent-renew`;
  await useFlow(page, 'iframe', { silentRenewUrl });
  await signIn(page);
  const before = await storedSession(page);
  expect(before?.refreshToken).toBeUndefined();

  let framesCreated = 0;
  page.on('frameattached', () => (framesCreated += 1));
  const fromIframes: { url: URL; type: string }[] = [];
  page.on('request', (req: Request) => {
    if (req.frame() !== page.mainFrame()) fromIframes.push({ url: new URL(req.url()), type: req.resourceType() });
  });
  await faults.reset();

  await page.getByTestId('refresh').click();
  await expect.poll(async () => (await storedSession(page))?.accessToken).not.toBe(before?.accessToken);
  await expect(status(page)).toHaveText('authenticated');
  await expect.poll(() => page.frames().length).toBe(1);

  const counts = await faults.counts();
  const authorize = counts.requests.filter((r) => r.path === '/auth');
  expect(authorize).toHaveLength(1);
  expect(authorize[0]?.prompt).toBe('none');
  expect(authorize[0]?.redirectUri).toBe(silentRenewUrl);
  expect(framesCreated).toBe(1);
  // What the renewal needs: the code exchange (from the app's window); no discovery, no refresh.
  expect(counts.grants).toEqual({ authorization_code: 1 });
  expect(counts.paths[DISCOVERY] ?? 0).toBe(0);
  // The app booted in the iframe stays inert: its only request to the provider is its own navigation.
  const providerCallsFromIframe = fromIframes.filter((r) => r.url.origin === IDP);
  expect(providerCallsFromIframe.map((r) => `${r.type} ${r.url.pathname}`)).toEqual(['document /auth']);

  await page.getByTestId('call-api').click();
  await expect(page.getByTestId('api-result')).toContainText('"sub":"alice"');
});
