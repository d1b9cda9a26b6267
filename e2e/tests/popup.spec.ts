import type { Page } from '@playwright/test';
import { APP, completeProviderLogin, expect, faults, test, tokenRequests, useFlow, watchProvider } from './fixtures';

// Sign-in in a popup (issue 11): auth.loginWithPopup() with withPopupLogin(), the popup
// coming back to the package's popup-callback.html (popupRedirectUrl in the demo config).

/** The pending logins this page keeps in sessionStorage. */
function pendingLogins(page: Page): Promise<string[]> {
  return page.evaluate(() => Object.keys(sessionStorage).filter((key) => key.startsWith('ngx-oidc.default.tx.')));
}

/** From the signed-out home page, clicks "Sign in with a popup" and returns the popup it opened. */
async function openPopup(page: Page): Promise<Page> {
  await page.goto('/');
  await expect(page.getByTestId('auth-state')).toHaveText('unauthenticated');
  const opened = page.waitForEvent('popup');
  await page.getByTestId('login-popup').click();
  return opened;
}

test.describe('sign-in in a popup', () => {
  test('p1. the popup signs in and closes itself; the app shows the user without leaving its page', async ({ page }) => {
    await useFlow(page, 'refresh');
    const seen = watchProvider(page);
    const popup = await openPopup(page);
    const closed = popup.waitForEvent('close');
    await completeProviderLogin(popup);
    await closed;
    await expect(page.getByTestId('auth-state')).toHaveText('authenticated');
    await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
    await expect(page.getByTestId('auth-error')).toHaveText('');
    // The app never left its page, and finished the login itself: one code exchange, from here.
    expect(page.url()).toBe(`${APP}/`);
    expect(tokenRequests(seen, 'authorization_code')).toHaveLength(1);
    expect(await pendingLogins(page)).toEqual([]);
    await page.getByTestId('call-api').click();
    await expect(page.getByTestId('api-result')).toContainText('"sub":"alice"');
  });

  test('p2. closing the popup settles the login with POPUP_CLOSED, leaving nothing pending', async ({ page }) => {
    // The fake clock runs the opener's poll of popup.closed on demand, without waiting for it.
    await page.clock.install();
    await useFlow(page, 'refresh');
    const popup = await openPopup(page);
    await expect(popup.getByTestId('idp-login')).toBeVisible();
    // The opener sees the popup at the provider (its poll runs), then the user closes it.
    await page.clock.runFor(1_000);
    expect(await pendingLogins(page)).toHaveLength(1);
    await popup.close();
    await page.clock.runFor(2_000);
    await expect(page.getByTestId('auth-error')).toHaveText('POPUP_CLOSED');
    await expect(page.getByTestId('auth-state')).toHaveText('unauthenticated');
    expect(await pendingLogins(page)).toEqual([]);
  });

  test('p3. a blocked popup fails with POPUP_BLOCKED before anything starts', async ({ page }) => {
    // A popup blocker shows as window.open returning null (HTML 7.2.2.1). Playwright's Chromium
    // runs with --disable-popup-blocking, so a call without a user gesture would still open one:
    // stand in for the blocker instead.
    await page.addInitScript(() => {
      window.open = () => null;
    });
    await useFlow(page, 'refresh');
    await page.goto('/');
    await expect(page.getByTestId('auth-state')).toHaveText('unauthenticated');
    const seen = watchProvider(page);
    let popups = 0;
    page.on('popup', () => popups++);
    await page.getByTestId('login-popup').click();
    await expect(page.getByTestId('auth-error')).toHaveText('POPUP_BLOCKED');
    await expect(page.getByTestId('auth-state')).toHaveText('unauthenticated');
    expect(popups).toBe(0);
    expect(await pendingLogins(page)).toEqual([]);
    expect(seen.filter((r) => r.url.pathname === '/auth')).toEqual([]);
  });

  test.describe('with a provider that sends Cross-Origin-Opener-Policy', () => {
    test.beforeEach(() => faults.reset());
    test.afterEach(() => faults.reset());

    test('p4. the popup is cut off from the app, and the answer still arrives over the BroadcastChannel', async ({ page }) => {
      await faults.set({ path: ['/auth', '/interaction/*'], mode: 'coop' });
      // Keeps the app's handle on the popup, to see what the library sees.
      await page.addInitScript(() => {
        const open = window.open.bind(window);
        window.open = (...args: Parameters<typeof window.open>) => ((window as { e2ePopup?: Window | null }).e2ePopup = open(...args));
      });
      await useFlow(page, 'refresh');
      const seen = watchProvider(page);
      const popup = await openPopup(page);
      await expect(popup.getByTestId('idp-login')).toBeVisible();
      // COOP cut the popup off: from the app it looks closed, although the user is signing in there.
      expect(await page.evaluate(() => (window as { e2ePopup?: Window | null }).e2ePopup?.closed)).toBe(true);
      const closed = popup.waitForEvent('close');
      await completeProviderLogin(popup);
      // The popup page, opener-less, answered on the channel and closed itself.
      await closed;
      await expect(page.getByTestId('auth-state')).toHaveText('authenticated');
      await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
      await expect(page.getByTestId('auth-error')).toHaveText('');
      expect(tokenRequests(seen, 'authorization_code')).toHaveLength(1);
      expect((await faults.counts()).faulted['/auth']).toBe(1);
    });
  });
});
