import { APP, IDP, completeProviderLogin, expect, storedSession, test, tokenRequests, useFlow, watchProvider } from './fixtures';

test.describe('failures end cleanly', () => {
  test('10. a user who denies consent lands on /unauthorized with access_denied, without a redirect loop', async ({ page }) => {
    await page.clock.install();
    await useFlow(page, 'refresh');
    const seen = watchProvider(page);
    await page.goto('/protected');
    await page.getByTestId('idp-login').fill('alice');
    await page.getByTestId('idp-password').fill('wonderland');
    await page.getByTestId('idp-submit').click();
    await page.getByTestId('idp-deny').click();
    await expect(page).toHaveURL(`${APP}/unauthorized`);
    await expect(page.getByTestId('auth-error')).toHaveText('access_denied');
    await expect(page.getByTestId('auth-state')).toHaveText('unauthenticated');
    // Give a loop the chance to show itself: a minute of the page's time runs every timer a
    // retry could wait on, and a navigation one started would be waited for. There must be none.
    await page.clock.runFor(60_000);
    await page.waitForLoadState();
    await expect(page).toHaveURL(`${APP}/unauthorized`);
    expect(seen.filter((r) => r.url.pathname === '/auth')).toHaveLength(1);
    expect(tokenRequests(seen)).toHaveLength(0);
  });

  test('11. a tampered state in the callback is refused before any token request, and leaves no session', async ({ page }) => {
    await useFlow(page, 'refresh');
    const seen = watchProvider(page);
    // The provider's redirect to the callback is the end of a redirect chain, which
    // routes cannot see; so the consent POST is played by hand up to that redirect,
    // and the browser is sent to the callback with another state.
    await page.route(
      (url) => url.origin === IDP && url.pathname.endsWith('/confirm'),
      async (route) => {
        const confirmed = await route.fetch({ maxRedirects: 0 });
        const resume = await page.request.get(new URL(confirmed.headers()['location']!, IDP).toString(), { maxRedirects: 0 });
        const callback = new URL(resume.headers()['location']!);
        expect(callback.pathname).toBe('/callback');
        callback.searchParams.set('state', 'tampered');
        await route.fulfill({ status: 303, headers: { location: callback.toString() } });
      },
    );
    await page.goto('/protected');
    await completeProviderLogin(page);
    await expect(page).toHaveURL(`${APP}/unauthorized`);
    await expect(page.getByTestId('auth-error')).toHaveText('STATE_MISMATCH');
    await expect(page.getByTestId('auth-state')).toHaveText('unauthenticated');
    expect(tokenRequests(seen)).toHaveLength(0);
    expect(await storedSession(page)).toBeNull();
  });
});
