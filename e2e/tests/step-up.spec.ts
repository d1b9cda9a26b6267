import type { Page } from '@playwright/test';
import { API_ORIGIN, expect, signIn, test, useFlow, watchProvider } from './fixtures';

// Step-up authentication (RFC 9470, issue 11): the demo API's /api/payments wants a sign-in
// with a one-time code (acr urn:ngx-oidc:mfa). The sample app has withStepUp({ mode: 'popup' }).

const PAYMENTS = `${API_ORIGIN}/api/payments`;

/** The answers the page gets from /api/payments, in order: status and WWW-Authenticate. */
function watchPayments(page: Page): { status: number; challenge?: string }[] {
  const seen: { status: number; challenge?: string }[] = [];
  page.on('response', async (res) => {
    if (res.url() !== PAYMENTS || res.request().method() !== 'GET') return;
    const challenge = await res.headerValue('www-authenticate');
    seen.push({ status: res.status(), ...(challenge ? { challenge } : {}) });
  });
  return seen;
}

test.describe('step-up authentication', () => {
  test('s1. an API 401 insufficient_user_authentication opens a popup for the one-time code, then the call succeeds once retried', async ({ page }) => {
    await useFlow(page, 'refresh');
    await signIn(page);
    // A login that asked for no acr_values gets an ID token without acr from this provider.
    await expect(page.getByTestId('user-acr')).toHaveCount(0);
    const payments = watchPayments(page);
    const seen = watchProvider(page.context());

    const opened = page.waitForEvent('popup');
    await page.getByTestId('call-payments').click();
    const popup = await opened;
    // The provider knows alice already: it asks for the code, not the password.
    await expect(popup.getByTestId('idp-otp')).toBeVisible();
    await popup.getByTestId('idp-otp').fill(await popup.getByTestId('idp-otp-hint').innerText());
    const closed = popup.waitForEvent('close');
    await popup.getByTestId('idp-otp-submit').click();
    await closed;

    await expect(page.getByTestId('payments-result')).toContainText('"acr":"urn:ngx-oidc:mfa"');
    await expect(page.getByTestId('user-acr')).toHaveText('urn:ngx-oidc:mfa');
    await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
    await expect(page.getByTestId('auth-error')).toHaveText('');
    // One refusal with the demand, one retry with the new token: nothing more.
    expect(payments).toHaveLength(2);
    expect(payments[0]).toMatchObject({ status: 401 });
    expect(payments[0]!.challenge).toContain('error="insufficient_user_authentication"');
    expect(payments[0]!.challenge).toContain('acr_values="urn:ngx-oidc:mfa"');
    expect(payments[1]).toEqual({ status: 200 });
    const authorize = seen.filter((r) => r.url.pathname === '/auth');
    expect(authorize).toHaveLength(1);
    expect(authorize[0]!.url.searchParams.get('acr_values')).toBe('urn:ngx-oidc:mfa');

    // The new token is good for the next payment at once: no popup, one request.
    await page.getByTestId('call-payments').click();
    await expect.poll(() => payments.length).toBe(3);
    expect(payments[2]).toEqual({ status: 200 });
  });

  test('s2. cancelling the step-up fails the call and keeps the session as it was', async ({ page }) => {
    await useFlow(page, 'refresh');
    await signIn(page);
    const payments = watchPayments(page);
    const opened = page.waitForEvent('popup');
    await page.getByTestId('call-payments').click();
    const popup = await opened;
    const closed = popup.waitForEvent('close');
    await popup.getByTestId('idp-cancel').click();
    await closed;

    await expect(page.getByTestId('payments-result')).toHaveText('401');
    await expect(page.getByTestId('auth-error')).toHaveText('access_denied');
    await expect(page.getByTestId('auth-state')).toHaveText('authenticated');
    await expect(page.getByTestId('user-acr')).toHaveCount(0);
    expect(payments.map((p) => p.status)).toEqual([401]);
    // The session still works where a password sign-in is enough.
    await page.getByTestId('call-api').click();
    await expect(page.getByTestId('api-result')).toContainText('"sub":"alice"');
  });
});
