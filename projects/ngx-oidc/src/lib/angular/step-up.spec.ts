import { HttpErrorResponse } from '@angular/common/http';
import type { TestRequest } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { Routes } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { API, setLocation, setupAuth, signIn, popupRoundTrip, sentRequest, sentRequests, type AuthorizeOptions } from '../../test/angular-harness';
import type { FakeProvider } from '../../test/fake-provider';
import type { AuthEvent } from './events';
import type { InternalLoginOptions } from './oidc-auth';
import { type AuthFeature, withCheckAuthOnStartup, withStepUp } from './provide-auth';
import { AUTH_POPUP_LOGIN } from './tokens';

@Component({ template: '' })
class Page {}

const routes: Routes = [
  { path: '', component: Page },
  { path: 'payments', component: Page },
];

const PAYMENTS = `${API}/payments`;
const MFA = 'urn:example:mfa';
const DEMAND = `Bearer realm="api", error="insufficient_user_authentication", error_description="needs MFA", acr_values="${MFA}", max_age="300"`;

type Authorize = AuthorizeOptions;


async function app(options: { mode?: 'popup' | 'redirect'; popup?: boolean; features?: AuthFeature[] } = {}) {
  const calls: InternalLoginOptions[] = [];
  let answer: Authorize = {};
  let provider: FakeProvider | undefined;
  const h = await setupAuth({
    routes,
    features: options.features ?? [withCheckAuthOnStartup(), withStepUp({ mode: options.mode ?? 'popup' })],
    providers: options.popup === false ? [] : [{ provide: AUTH_POPUP_LOGIN, useValue: popupRoundTrip(() => provider!, () => answer, calls) }],
  });
  provider = h.op;
  await h.router.navigateByUrl('/payments');
  await signIn(h, '/payments');
  await h.router.navigateByUrl('/payments');
  const events: AuthEvent[] = [];
  h.auth.events$.subscribe((e) => events.push(e));
  const get = () => firstValueFrom(h.http.get(PAYMENTS));
  /** The next request to the API, once the interceptor has sent it on (after a step-up or a renewal, maybe). */
  const next = (): Promise<TestRequest> => sentRequest(h.httpMock, PAYMENTS);
  const refuse = (req: TestRequest, header = DEMAND) =>
    req.flush({ error: 'insufficient_user_authentication' }, { status: 401, statusText: 'Unauthorized', headers: { 'WWW-Authenticate': header } });
  return { ...h, calls, events, get, next, refuse, answer: (a: Authorize) => (answer = a) };
}

/** A settled promise's error. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe('step-up demands (RFC 9470) without withStepUp()', () => {
  it('reports StepUpRequired with the demand, renews nothing, moves nobody and fails the request', async () => {
    const h = await app({ features: [withCheckAuthOnStartup()], popup: false });
    const tokenRequests = h.op.count('token');
    const response = h.get();
    h.refuse(await h.next());

    const error = await rejection(response);
    expect(error).toBeInstanceOf(HttpErrorResponse);
    expect((error as HttpErrorResponse).status).toBe(401);
    expect(h.events).toContainEqual({ type: 'StepUpRequired', url: PAYMENTS, acrValues: MFA, maxAge: 300 });
    expect(h.op.count('token')).toBe(tokenRequests);
    expect(h.redirects).toHaveLength(1);
    expect(h.router.url).toBe('/payments');
    h.httpMock.verify();
  });

  it('treats a plain 401 as before: one renewal and one retry', async () => {
    const h = await app({ features: [withCheckAuthOnStartup()], popup: false });
    const response = h.get();
    (await h.next()).flush({}, { status: 401, statusText: 'Unauthorized', headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });
    (await h.next()).flush({ ok: true });
    await expect(response).resolves.toEqual({ ok: true });
    expect(h.events.map((e) => e.type)).not.toContain('StepUpRequired');
    expect(h.events.map((e) => e.type)).toContain('TokenRenewed');
  });
});

describe("withStepUp({ mode: 'popup' })", () => {
  it('signs the same user in again with the demand, then retries the request once with the new token', async () => {
    const h = await app();
    const before = h.auth.accessToken();
    const response = h.get();
    h.answer({ authTime: h.clock.now });
    h.op.idTokenExtraClaims = { acr: MFA };
    h.refuse(await h.next());

    const retry = await h.next();
    expect(h.calls).toEqual([{ acrValues: MFA, maxAge: 300, stepUp: true }]);
    expect(retry.request.headers.get('Authorization')).toBe(`Bearer ${h.auth.accessToken()}`);
    expect(h.auth.accessToken()).not.toBe(before);
    expect(h.auth.user()).toMatchObject({ sub: 'alice', acr: MFA });
    retry.flush({ paid: true });
    await expect(response).resolves.toEqual({ paid: true });
    expect(h.events.map((e) => e.type)).toEqual(['StepUpRequired', 'TokenReceived']);
  });

  it('retries only once: a second refusal fails the request without another popup', async () => {
    const h = await app();
    h.op.idTokenExtraClaims = { acr: MFA };
    const response = h.get();
    h.refuse(await h.next());
    h.refuse(await h.next());

    expect((await rejection(response)) as HttpErrorResponse).toMatchObject({ status: 401 });
    expect(h.calls).toHaveLength(1);
    h.httpMock.verify();
  });

  it('shares one popup between requests refused together', async () => {
    const h = await app();
    h.op.idTokenExtraClaims = { acr: MFA };
    const first = h.get();
    const second = h.get();
    const refused = h.httpMock.match(PAYMENTS);
    expect(refused).toHaveLength(2);
    for (const req of refused) h.refuse(req);
    const retries = await sentRequests(h.httpMock, PAYMENTS, 2);
    expect(h.calls).toHaveLength(1);
    expect(retries).toHaveLength(2);
    for (const req of retries) req.flush({ ok: true });
    await expect(Promise.all([first, second])).resolves.toEqual([{ ok: true }, { ok: true }]);
  });

  it('fails the request and keeps the session when the provider gives a weaker acr (ID_TOKEN_ACR_MISMATCH)', async () => {
    const h = await app();
    const before = h.auth.session();
    h.op.idTokenExtraClaims = { acr: 'urn:example:password' };
    const response = h.get();
    h.refuse(await h.next());

    expect(await rejection(response)).toMatchObject({ status: 401 });
    expect(h.auth.error()).toMatchObject({ code: 'ID_TOKEN_ACR_MISMATCH', cause: { expected: [MFA], actual: 'urn:example:password' } });
    expect(h.auth.session()).toEqual(before);
    h.httpMock.verify();
  });

  it('fails the request and keeps the session when another user signs in (ID_TOKEN_REFRESH_MISMATCH)', async () => {
    const h = await app();
    const before = h.auth.session();
    h.op.idTokenExtraClaims = { acr: MFA };
    h.answer({ sub: 'mallory' });
    const response = h.get();
    h.refuse(await h.next());

    expect(await rejection(response)).toMatchObject({ status: 401 });
    expect(h.auth.error()).toMatchObject({ code: 'ID_TOKEN_REFRESH_MISMATCH' });
    expect(h.auth.session()).toEqual(before);
  });

  it('starts no popup when the session already meets the demand (STEP_UP_FAILED), so it cannot loop', async () => {
    const h = await app();
    // The demand is met by a sign-in with MFA a minute ago; the API refuses all the same.
    h.op.idTokenExtraClaims = { acr: MFA };
    h.answer({ authTime: h.clock.now - 60 });
    const first = h.get();
    h.refuse(await h.next());
    (await h.next()).flush({ ok: true });
    await first;
    const response = h.get();
    h.refuse(await h.next());

    expect(await rejection(response)).toMatchObject({ status: 401 });
    expect(h.calls).toHaveLength(1);
    expect(h.auth.error()).toMatchObject({ code: 'STEP_UP_FAILED', cause: { reason: 'satisfied', actual: { acr: MFA, auth_time: h.clock.now - 60 } } });
    h.httpMock.verify();
  });

  it('steps up again once the sign-in is older than max_age', async () => {
    const h = await app();
    h.op.idTokenExtraClaims = { acr: MFA };
    h.answer({ authTime: h.clock.now });
    const first = h.get();
    h.refuse(await h.next());
    (await h.next()).flush({ ok: true });
    await first;
    h.clock.now += 301;
    const later = h.get();
    h.refuse(await h.next());
    (await h.next()).flush({ ok: true });
    await expect(later).resolves.toEqual({ ok: true });
    expect(h.calls).toHaveLength(2);
  });

  it('needs withPopupLogin(): without it the demand fails with CONFIG_INVALID', async () => {
    const h = await app({ popup: false });
    const response = h.get();
    h.refuse(await h.next());

    expect(await rejection(response)).toMatchObject({ status: 401 });
    expect(h.auth.error()).toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe("withStepUp({ mode: 'redirect' })", () => {
  it('sends the browser to the provider with the demand, back to the current route, for the same user', async () => {
    const h = await app({ mode: 'redirect' });
    const response = h.get();
    h.refuse(await h.next());

    expect(await rejection(response)).toMatchObject({ status: 401 });
    expect(h.redirects).toHaveLength(2);
    const url = new URL(h.redirects[1]!);
    expect(url.searchParams.get('acr_values')).toBe(MFA);
    expect(url.searchParams.get('max_age')).toBe('300');
    h.op.idTokenExtraClaims = { acr: MFA };
    setLocation(await h.providerAnswer());
    await expect(h.auth.handleCallback()).resolves.toMatchObject({ returnUrl: '/payments', session: { idTokenClaims: { sub: 'alice', acr: MFA } } });
  });

  it('starts one redirect for requests refused together, and nothing more while the page leaves', async () => {
    const h = await app({ mode: 'redirect' });
    const first = h.get();
    const second = h.get();
    for (const req of h.httpMock.match(PAYMENTS)) h.refuse(req);
    await Promise.all([rejection(first), rejection(second)]);
    const third = h.get();
    h.refuse(await h.next());
    await rejection(third);
    expect(h.redirects).toHaveLength(2);
    expect(h.auth.error()).toBeNull();
  });

  it('never loops: the same demand within a minute of the last redirect starts none (STEP_UP_FAILED)', async () => {
    const demand = async (h: Awaited<ReturnType<typeof app>>) => {
      const response = h.get();
      h.refuse(await h.next());
      return rejection(response);
    };
    const before = await app({ mode: 'redirect' });
    await demand(before);
    expect(before.redirects).toHaveLength(2);
    // Back from the provider: a new page load in the same tab (sessionStorage kept), and the API refuses again.
    TestBed.resetTestingModule();
    const h = await app({ mode: 'redirect' });
    await demand(h);
    expect(h.redirects).toHaveLength(1);
    expect(h.auth.error()).toMatchObject({ code: 'STEP_UP_FAILED', cause: { reason: 'repeated' } });
    // Another demand is another step-up; so is the same one a minute later.
    await demand(h);
    h.clock.now += 61;
    await demand(h);
    expect(h.redirects).toHaveLength(2);
  });

  it('reads garbage where the last redirect is remembered as none', async () => {
    sessionStorage.setItem('ngx-oidc.default.step-up', 'not a record');
    const h = await app({ mode: 'redirect' });
    const response = h.get();
    h.refuse(await h.next());
    await rejection(response);
    expect(h.redirects).toHaveLength(2);
  });
});
