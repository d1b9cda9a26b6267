import type { Page } from '@playwright/test';
import { PARTNER } from '../app-server.mjs';
import { API_ORIGIN, IDP, SESSION_KEY, completeProviderLogin, expect, signIn, test, useFlow } from './fixtures';

// Several providers at once (issue 11): the partner flow gives the sample app two configs
// (withMultipleConfigs()): ours (provider 4400, API 4401) and a partner's (configId 'partner',
// provider 4404, API 4405). One callback route serves both.

const PARTNER_SESSION_KEY = 'ngx-oidc.partner.session';

/** The Authorization header of every GET the page sends to `origin`'s API. */
function watchApi(page: Page, origin: string): string[] {
  const sent: string[] = [];
  page.on('request', (req) => {
    if (req.url().startsWith(`${origin}/api/`) && req.method() === 'GET') sent.push(req.headers()['authorization'] ?? 'none');
  });
  return sent;
}

/** The access token the library stored under `key`. */
async function stored(page: Page, key: string): Promise<string | null> {
  return page.evaluate((k) => (JSON.parse(localStorage.getItem(k) ?? 'null') as { accessToken?: string } | null)?.accessToken ?? null, key);
}

test.describe('several providers at once', () => {
  test('m1. two sign-ins side by side: each API gets its own token, and signing out of one keeps the other', async ({ page }) => {
    await useFlow(page, 'partner');
    await signIn(page);
    await expect(page.getByTestId('partner-state')).toHaveText('unauthenticated');

    await page.getByTestId('partner-login').click();
    await page.waitForURL((url) => url.origin === PARTNER.issuer);
    await completeProviderLogin(page, 'bob');
    await expect(page.getByTestId('partner-state')).toHaveText('authenticated');
    await expect(page.getByTestId('partner-user')).toHaveText('Bob Builder');
    await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
    const ours = await stored(page, SESSION_KEY);
    const theirs = await stored(page, PARTNER_SESSION_KEY);
    expect(ours && theirs && ours !== theirs).toBe(true);

    const toOurs = watchApi(page, API_ORIGIN);
    const toTheirs = watchApi(page, PARTNER.apiOrigin);
    await page.getByTestId('call-api').click();
    await expect(page.getByTestId('api-result')).toContainText('"sub":"alice"');
    await page.getByTestId('partner-call-api').click();
    await expect(page.getByTestId('partner-api-result')).toContainText('"sub":"bob"');
    // Each API got its own config's token, and only that one.
    expect(toOurs).toEqual([`Bearer ${ours}`]);
    expect(toTheirs).toEqual([`Bearer ${theirs}`]);

    await page.getByTestId('partner-logout').click();
    await page.waitForURL((url) => url.origin !== PARTNER.issuer && url.pathname === '/');
    await expect(page.getByTestId('partner-state')).toHaveText('unauthenticated');
    await expect(page.getByTestId('auth-state')).toHaveText('authenticated');
    expect(await stored(page, PARTNER_SESSION_KEY)).toBeNull();
    expect(await stored(page, SESSION_KEY)).toBe(ours);
    await page.getByTestId('call-api').click();
    await expect(page.getByTestId('api-result')).toContainText('"sub":"alice"');
  });

  test("m2. a partner callback whose iss names our provider is refused (mix-up defence), and nothing is signed in by it", async ({ page }) => {
    await useFlow(page, 'partner');
    await signIn(page);
    const ours = await stored(page, SESSION_KEY);
    // An attacker's mix-up: the answer to the partner's request arrives claiming to be from our
    // provider. The provider's redirects cannot be routed, so the consent form's POST (a fresh
    // navigation) is: its redirects are followed here, and the callback URL's iss is rewritten.
    let tampered = false;
    await page.route(`${PARTNER.issuer}/interaction/*/confirm`, async (route) => {
      const consent = await route.fetch({ maxRedirects: 0 });
      const resume = await page.request.get(new URL(consent.headers()['location']!, PARTNER.issuer).toString(), { maxRedirects: 0 });
      const callback = new URL(resume.headers()['location']!);
      expect(callback.searchParams.get('iss')).toBe(PARTNER.issuer);
      callback.searchParams.set('iss', IDP);
      tampered = true;
      await route.fulfill({ status: 303, headers: { location: callback.toString() } });
    });
    await page.getByTestId('partner-login').click();
    await page.waitForURL((url) => url.origin === PARTNER.issuer);
    await completeProviderLogin(page, 'bob');

    await expect(page.getByTestId('partner-error')).toHaveText('ISS_MISMATCH');
    expect(tampered).toBe(true);
    await expect(page.getByTestId('partner-state')).toHaveText('unauthenticated');
    await expect(page.getByTestId('auth-state')).toHaveText('authenticated');
    expect(await stored(page, PARTNER_SESSION_KEY)).toBeNull();
    expect(await stored(page, SESSION_KEY)).toBe(ours);
  });
});
