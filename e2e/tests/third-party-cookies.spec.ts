import type { Page } from '@playwright/test';
import { startAppServer } from '../app-server.mjs';
import { startIdp } from '../idp/provider.mjs';
import { APP_ROOT } from '../stack.mjs';
import { completeProviderLogin, expect, test } from './fixtures';

// Iframe renewal when the browser blocks third-party cookies (issue 11). The app is on
// 127.0.0.1 and this spec's provider on localhost: another site, so the provider's cookies
// in the app's silent-renew iframe are third-party. The provider sends them SameSite=None;
// Secure, as providers that support iframe renewal do. Chromium here blocks third-party
// cookies already (as Safari and Firefox do, and Chrome with its setting on); each test
// also blocks them explicitly over CDP (Network.setCookieControls), so that it does not
// rest on that default. The same renewal with the provider on the app's site works: see
// renewal.spec.ts (the iframe flow).

const IDP_PORT = 4430;
const CROSS_SITE_IDP = `http://localhost:${IDP_PORT}`;
/** One app server per fallback, each serving its own auth-config.json (no page.route: see below). */
const APPS = { none: 4230, redirect: 4231, event: 4232, popup: 4233 } as const;
type Fallback = keyof typeof APPS;
const appUrl = (fallback: Fallback, path = '/') => `http://127.0.0.1:${APPS[fallback]}${path}`;

const started: { close(): Promise<void> }[] = [];

// Playwright's request interception (page.route) keeps third-party cookies off iframe requests
// in this Chromium: this spec routes nothing, and each app server serves its own config.
test.beforeAll(async () => {
  started.push(await startIdp({ port: IDP_PORT, host: 'localhost', crossSiteCookies: true, appOrigins: Object.values(APPS).map((p) => `http://127.0.0.1:${p}`) }));
  for (const [fallback, port] of Object.entries(APPS)) {
    const overrides = fallback === 'none' ? {} : { silentRenewFallback: fallback };
    started.push(await startAppServer({ port, root: APP_ROOT, flow: 'iframe', issuer: CROSS_SITE_IDP, overrides }));
  }
});

test.afterAll(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

/** Blocks third-party cookies in this page's browser, as Safari, Firefox and Chrome's setting do. */
async function blockThirdPartyCookies(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.setCookieControls', { enableThirdPartyCookieRestriction: true });
}

/** The provider's authorization requests the browser sends (top level and in iframes), with their prompt. */
function watchAuthorize(page: Page): { prompt: string | null; frame: boolean }[] {
  const seen: { prompt: string | null; frame: boolean }[] = [];
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.origin !== CROSS_SITE_IDP || url.pathname !== '/auth') return;
    seen.push({ prompt: url.searchParams.get('prompt'), frame: req.frame() !== page.mainFrame() });
  });
  return seen;
}

/** Signs in at the cross-site provider, in the app whose renewal falls back to `fallback`. */
async function signIn(page: Page, fallback: Fallback): Promise<void> {
  await page.goto(appUrl(fallback, '/protected'));
  await completeProviderLogin(page);
  await expect(page.getByTestId('auth-state')).toHaveText('authenticated');
}

/** The library's events as the sample app logs them (logLevel debug). */
function watchEvents(page: Page): string[] {
  const events: string[] = [];
  page.on('console', (m) => {
    const match = /^ngx-oidc: (\w+)$/.exec(m.text());
    if (match) events.push(match[1]!);
  });
  return events;
}

/** Clicks "Refresh tokens" and waits until the fallback's top-level login came back to /protected. */
async function refreshThroughRedirect(page: Page): Promise<void> {
  const topLevelLogin = page.waitForResponse((r) => r.url().startsWith(`${CROSS_SITE_IDP}/auth?`) && r.request().frame() === page.mainFrame());
  await page.getByTestId('refresh').click();
  await topLevelLogin;
  await page.waitForURL(appUrl('redirect', '/protected'));
  await expect(page.getByTestId('auth-state')).toHaveText('authenticated');
}

/** Signs in at the cross-site provider (a top-level page: its cookies are first-party there), with third-party cookies blocked. */
async function signInBlocked(page: Page, fallback: Fallback): Promise<void> {
  await blockThirdPartyCookies(page);
  await signIn(page, fallback);
}

test.describe('iframe renewal with third-party cookies blocked', () => {
  test('t1. without a fallback the iframe gets login_required and the session ends (the problem)', async ({ page }) => {
    await signInBlocked(page, 'none');
    const authorize = watchAuthorize(page);
    const events = watchEvents(page);
    await page.getByTestId('refresh').click();
    await expect(page.getByTestId('auth-state')).toHaveText('unauthenticated');
    await expect(page.getByTestId('auth-error')).toHaveText('login_required');
    expect(authorize).toEqual([{ prompt: 'none', frame: true }]);
    expect(events).toContain('SessionEnded');
    expect(events).not.toContain('RenewInteractionRequired');
  });

  test("t2. 'redirect' signs in again at the top level (first-party cookies: no form) and comes back, once", async ({ page }) => {
    await signInBlocked(page, 'redirect');
    const authorize = watchAuthorize(page);
    const before = await page.evaluate(() => localStorage.getItem('ngx-oidc.default.session'));
    await refreshThroughRedirect(page);
    await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
    const after = await page.evaluate(() => localStorage.getItem('ngx-oidc.default.session'));
    expect(after).not.toBe(before);
    // The iframe's prompt=none, then one top-level authorization request that the provider answered at once.
    expect(authorize).toEqual([
      { prompt: 'none', frame: true },
      { prompt: null, frame: false },
    ]);
  });

  test("t3. 'redirect' does not go round again within a minute: the second failure ends in the event", async ({ page }) => {
    await signInBlocked(page, 'redirect');
    await refreshThroughRedirect(page);
    const authorize = watchAuthorize(page);
    const events = watchEvents(page);
    await page.getByTestId('refresh').click();
    await expect(page.getByTestId('auth-state')).toHaveText('unauthenticated');
    await expect.poll(() => events).toContain('RenewInteractionRequired');
    expect(authorize).toEqual([{ prompt: 'none', frame: true }]);
    expect(new URL(page.url()).pathname).toBe('/protected');
  });

  test("t4. 'event' ends the session and tells the app, which offers the sign-in; nothing leaves the page", async ({ page }) => {
    await signInBlocked(page, 'event');
    const authorize = watchAuthorize(page);
    const events = watchEvents(page);
    let popups = 0;
    page.on('popup', () => popups++);
    await page.getByTestId('refresh').click();
    await expect(page.getByTestId('auth-state')).toHaveText('unauthenticated');
    await expect.poll(() => events).toContain('RenewInteractionRequired');
    expect(events.indexOf('SessionEnded')).toBeLessThan(events.indexOf('RenewInteractionRequired'));
    expect(authorize).toEqual([{ prompt: 'none', frame: true }]);
    expect(popups).toBe(0);
  });

  test("t5. 'popup' renews in a popup opened from the user's click, without leaving the page", async ({ page }) => {
    await signInBlocked(page, 'popup');
    const authorize = watchAuthorize(page);
    const before = await page.evaluate(() => localStorage.getItem('ngx-oidc.default.session'));
    const opened = page.waitForEvent('popup');
    await page.getByTestId('refresh').click();
    const popup = await opened;
    await popup.waitForEvent('close');
    await expect.poll(() => page.evaluate(() => localStorage.getItem('ngx-oidc.default.session'))).not.toBe(before);
    await expect(page.getByTestId('auth-state')).toHaveText('authenticated');
    await expect(page.getByTestId('auth-error')).toHaveText('');
    expect(new URL(page.url()).pathname).toBe('/protected');
    expect(authorize.map((a) => a.prompt)).toEqual(['none']);
  });
});
