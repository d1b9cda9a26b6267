import type { Response } from '@playwright/test';
import { API_ORIGIN, IDP, expect, signIn, storedSession, test, textAfterTick, tokenRequests, useFlow, watchProvider } from './fixtures';

/** A refresh-token grant's answer from the provider. */
function isRefresh(res: Response): boolean {
  return res.url() === `${IDP}/token` && (res.request().postData() ?? '').includes('grant_type=refresh_token');
}

test.describe('renewal', () => {
  test('4. with 10-second access tokens the app renews each time they fall due, always with the newest refresh token', async ({ page }) => {
    await page.clock.install();
    await useFlow(page, 'short');
    const issued: string[] = [];
    page.on('response', async (res) => {
      if (!res.url().endsWith('/token') || res.request().method() !== 'POST') return;
      const body = (await res.json().catch(() => ({}))) as { refresh_token?: string };
      if (body.refresh_token) issued.push(body.refresh_token);
    });
    const seen = watchProvider(page);
    await signIn(page);
    // From here the page's time moves only when the test moves it (the provider's is real:
    // each token it issues is good for 10 s of real time, far more than a round takes).
    await page.clock.pauseAt(await page.evaluate(() => Date.now() + 1_000));
    for (let round = 1; round <= 3; round++) {
      const renewed = page.waitForResponse(isRefresh);
      // Past the renewal time (half the 10 s lifetime) on the page's clock: the timer renews.
      await page.clock.fastForward(6_000);
      expect((await renewed).status()).toBe(200);
      // The page's clock stands still: its change detection runs when the test ticks it.
      await expect.poll(() => textAfterTick(page, page.getByTestId('auth-status'))).toBe('authenticated');
      const fresh = (await storedSession(page))?.accessToken;
      // The API is called with the token this round's renewal brought, and accepts it.
      const answered = page.waitForResponse((res) => res.url().startsWith(API_ORIGIN) && res.request().method() === 'GET');
      await page.getByTestId('call-api').click();
      const answer = await answered;
      expect(answer.status()).toBe(200);
      expect(await answer.request().headerValue('authorization')).toBe(`Bearer ${fresh}`);
      expect(await textAfterTick(page, page.getByTestId('auth-state'))).toBe('authenticated');
      expect(tokenRequests(seen, 'refresh_token')).toHaveLength(round);
    }
    // Every refresh sent the refresh token issued by the response just before it.
    const refreshes = tokenRequests(seen, 'refresh_token');
    refreshes.forEach((r, i) => expect(r.form.get('refresh_token')).toBe(issued[i]));
    expect((await storedSession(page))?.refreshToken).toBe(issued.at(-1));
  });

  test('6. two tabs at expiry make exactly one refresh request between them', async ({ page, context }) => {
    await context.clock.install();
    await useFlow(context, 'short');
    await signIn(page);
    const second = await context.newPage();
    await second.goto('/');
    await expect(second.getByTestId('auth-state')).toHaveText('authenticated');
    // A renewal in the second tab first: both tabs then have the renewal code loaded (a tab
    // that only restored a session has not), so when the tokens next fall due both reach
    // for the refresh token at the same moment: a real race, which the lock must settle.
    const signedIn = await storedSession(page);
    const warmed = context.waitForEvent('response', isRefresh);
    await second.getByTestId('refresh').click();
    expect((await warmed).status()).toBe(200);
    await expect.poll(async () => (await storedSession(page))?.accessToken).not.toBe(signedIn?.accessToken);
    const before = await storedSession(page);
    const seen = watchProvider(context);
    // Both tabs hold the same session, so both renewal timers fall due together when the
    // test moves their clock past its half-life; nothing else moves it.
    await context.clock.pauseAt(await page.evaluate(() => Date.now() + 1_000));
    const renewed = context.waitForEvent('response', isRefresh);
    await context.clock.fastForward(6_000);
    expect((await renewed).status()).toBe(200);
    // Each tab's renewal is over: the one that waited for the lock found the new tokens stored.
    // (The clocks stand still: change detection runs when the test ticks them.)
    for (const tab of [page, second]) {
      await expect.poll(() => textAfterTick(tab, tab.getByTestId('auth-status'))).toBe('authenticated');
      expect(await textAfterTick(tab, tab.getByTestId('auth-state'))).toBe('authenticated');
    }
    const after = await storedSession(page);
    expect(after?.accessToken).not.toBe(before?.accessToken);
    // The new tokens are fresh on the paused clock, so no timer can ask again: one refresh, ever.
    expect(tokenRequests(seen, 'refresh_token')).toHaveLength(1);
    // The second tab calls the API with the tokens the first one fetched.
    const answered = second.waitForResponse((res) => res.url().startsWith(API_ORIGIN) && res.request().method() === 'GET');
    await second.getByTestId('call-api').click();
    const answer = await answered;
    expect(answer.status()).toBe(200);
    expect(await answer.request().headerValue('authorization')).toBe(`Bearer ${after?.accessToken}`);
    expect(tokenRequests(seen, 'refresh_token')).toHaveLength(1);
  });

  test('7. without refresh tokens the app renews through a hidden iframe (prompt=none)', async ({ page }) => {
    await useFlow(page, 'iframe');
    await signIn(page);
    const before = await storedSession(page);
    expect(before?.refreshToken).toBeUndefined();
    const seen = watchProvider(page);
    await page.getByTestId('refresh').click();
    await expect.poll(async () => (await storedSession(page))?.accessToken).not.toBe(before?.accessToken);
    const silent = seen.find((r) => r.url.pathname === '/auth');
    expect(silent?.url.searchParams.get('prompt')).toBe('none');
    expect(silent?.url.searchParams.get('redirect_uri')).toBe('http://127.0.0.1:4200/silent-renew.html');
    expect(tokenRequests(seen, 'authorization_code')).toHaveLength(1);
    expect(page.frames()).toHaveLength(1);
    await page.getByTestId('call-api').click();
    await expect(page.getByTestId('api-result')).toContainText('"sub":"alice"');
  });
});
