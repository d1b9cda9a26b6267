import { APP, API_ORIGIN, RECORDER, completeProviderLogin, expect, signIn, storedSession, test, tokenRequests, useFlow, watchProvider } from './fixtures';

test.describe('sign-in with code + PKCE (refresh tokens)', () => {
  test('1. a protected page sends a signed-out user to the provider and back, signed in, with a clean URL', async ({ page }) => {
    await useFlow(page, 'refresh');
    await page.goto('/protected');
    await expect(page).toHaveURL(/127\.0\.0\.1:4400\/interaction\//);
    await completeProviderLogin(page);
    await expect(page.getByTestId('auth-state')).toHaveText('authenticated');
    await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
    await expect(page).toHaveURL(`${APP}/protected`);
    const url = new URL(page.url());
    expect(url.searchParams.has('code')).toBe(false);
    expect(url.searchParams.has('state')).toBe(false);
  });

  test('2. the API answers with the user data after verifying the bearer token', async ({ page }) => {
    await useFlow(page, 'refresh');
    await signIn(page);
    await page.getByTestId('call-api').click();
    await expect(page.getByTestId('api-result')).toContainText('"sub":"alice"');
    await expect(page.getByTestId('api-result')).toContainText('verified your access token');
  });

  test('3. no token goes to an origin outside secureRoutes', async ({ page }) => {
    await useFlow(page, 'refresh', { apiUrl: `${RECORDER}/collect` });
    await signIn(page);
    const seen: Record<string, string>[] = [];
    page.on('request', (req) => req.url().startsWith(RECORDER) && seen.push(req.headers()));
    await page.getByTestId('call-api').click();
    await expect(page.getByTestId('api-result')).toContainText('recorded');
    const records = (await (await fetch(`${RECORDER}/__records`)).json()) as { url: string; headers: Record<string, string> }[];
    const mine = records.filter((r) => r.url === '/collect');
    expect(mine.length).toBeGreaterThan(0);
    for (const record of mine) expect(record.headers['authorization']).toBeUndefined();
    expect(seen.length).toBeGreaterThan(0);
    for (const headers of seen) expect(headers['authorization']).toBeUndefined();
    // The same session does send it to the API.
    expect((await storedSession(page))?.accessToken).toBeTruthy();
    expect(API_ORIGIN).not.toBe(RECORDER);
  });

  test('5. a reload restores the session with no request to the provider', async ({ page }) => {
    await useFlow(page, 'refresh');
    await signIn(page);
    const seen = watchProvider(page);
    await page.reload();
    await expect(page.getByTestId('auth-state')).toHaveText('authenticated');
    await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
    expect(seen.map((r) => r.url.pathname)).toEqual([]);
  });

  test('12. the back button after login does not run the callback again', async ({ page }) => {
    await useFlow(page, 'refresh');
    const seen = watchProvider(page);
    await page.goto('/');
    await signIn(page);
    expect(tokenRequests(seen, 'authorization_code')).toHaveLength(1);
    await page.goBack();
    await page.waitForLoadState();
    await page.goForward();
    await page.waitForLoadState();
    await page.goto('/protected');
    await expect(page.getByTestId('auth-state')).toHaveText('authenticated');
    expect(tokenRequests(seen, 'authorization_code')).toHaveLength(1);
  });
});
