import { expect, signIn, storedSession, test, tokenRequests, useFlow, watchProvider } from './fixtures';

test.describe('renewal', () => {
  test('4. with 10-second access tokens the app stays signed in for 30 s, always using the newest refresh token', async ({ page }) => {
    test.setTimeout(90_000);
    await useFlow(page, 'short');
    const issued: string[] = [];
    page.on('response', async (res) => {
      if (!res.url().endsWith('/token') || res.request().method() !== 'POST') return;
      const body = (await res.json().catch(() => ({}))) as { refresh_token?: string };
      if (body.refresh_token) issued.push(body.refresh_token);
    });
    const seen = watchProvider(page);
    await signIn(page);
    const started = Date.now();
    let calls = 0;
    // Bounded: 30 s of API calls, one every 3 s.
    while (Date.now() - started < 30_000 && calls < 12) {
      await page.getByTestId('call-api').click();
      await expect(page.getByTestId('api-result')).toContainText(`"served":`);
      await expect(page.getByTestId('api-result')).toContainText('"sub":"alice"');
      await expect(page.getByTestId('auth-state')).toHaveText('authenticated');
      calls += 1;
      await page.waitForTimeout(3000);
    }
    const refreshes = tokenRequests(seen, 'refresh_token');
    expect(refreshes.length).toBeGreaterThanOrEqual(3);
    // Every refresh sent the refresh token issued by the response just before it.
    refreshes.forEach((r, i) => expect(r.form.get('refresh_token')).toBe(issued[i]));
    expect((await storedSession(page))?.refreshToken).toBe(issued.at(-1));
  });

  test('6. two tabs at expiry make exactly one refresh request between them', async ({ page, context }) => {
    test.setTimeout(60_000);
    await useFlow(context, 'short');
    await signIn(page);
    const second = await context.newPage();
    await second.goto('/');
    await expect(second.getByTestId('auth-state')).toHaveText('authenticated');
    const seen = watchProvider(context);
    const refreshStatuses: number[] = [];
    context.on('response', (res) => {
      if (res.url().endsWith('/token') && res.request().postData()?.includes('grant_type=refresh_token')) refreshStatuses.push(res.status());
    });
    // Both tabs hold the same session, so both renewal timers fire at its half-life.
    // Wait (bounded) for the first refresh, then look at the 3 s after it (the next is due 5 s later).
    await expect.poll(() => tokenRequests(seen, 'refresh_token').length, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    const firstAt = tokenRequests(seen, 'refresh_token')[0]!.at;
    await page.waitForTimeout(Math.max(0, firstAt + 3000 - Date.now()));
    expect(tokenRequests(seen, 'refresh_token').filter((r) => r.at <= firstAt + 3000)).toHaveLength(1);
    expect(refreshStatuses.every((s) => s === 200)).toBe(true);
    const a = await storedSession(page);
    await expect.poll(async () => (await storedSession(second))?.accessToken).toBe(a?.accessToken);
    await expect(page.getByTestId('auth-state')).toHaveText('authenticated');
    await expect(second.getByTestId('auth-state')).toHaveText('authenticated');
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
