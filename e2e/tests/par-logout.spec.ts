import { APP, completeProviderLogin, expect, isActive, signIn, storedSession, test, useFlow, watchProvider } from './fixtures';

test('8. with PAR the authorization URL carries only client_id and request_uri', async ({ page }) => {
  await useFlow(page, 'par');
  const seen = watchProvider(page);
  await page.goto('/protected');
  await completeProviderLogin(page);
  await expect(page.getByTestId('auth-state')).toHaveText('authenticated');
  const pushed = seen.filter((r) => r.url.pathname === '/request');
  expect(pushed).toHaveLength(1);
  expect(pushed[0]?.form.get('code_challenge_method')).toBe('S256');
  const authorize = seen.find((r) => r.url.pathname === '/auth');
  expect([...(authorize?.url.searchParams.keys() ?? [])].sort()).toEqual(['client_id', 'request_uri']);
});

test('9. logout revokes the tokens, ends the provider session and comes back signed out', async ({ page, consoleLog }) => {
  await useFlow(page, 'refresh');
  await signIn(page);
  const session = await storedSession(page);
  expect(session?.refreshToken).toBeTruthy();
  expect(await isActive(session!.refreshToken!)).toBe(true);
  const seen = watchProvider(page);
  await page.getByTestId('logout').click();
  await expect(page).toHaveURL(`${APP}/`);
  await expect(page.getByTestId('auth-state')).toHaveText('unauthenticated');
  expect(seen.filter((r) => r.url.pathname === '/token/revocation').map((r) => r.form.get('token_type_hint'))).toEqual([
    'refresh_token',
    'access_token',
  ]);
  expect(await isActive(session!.refreshToken!)).toBe(false);
  expect(await storedSession(page)).toBeNull();
  // The provider cannot revoke its JWT access tokens (unsupported_token_type): not an error to report.
  expect(consoleLog.filter((line) => line.includes('REVOCATION_ERROR'))).toEqual([]);
  // The provider session is over: signing in again asks for the password.
  await page.goto('/protected');
  await expect(page.getByTestId('idp-login')).toBeVisible();
});
