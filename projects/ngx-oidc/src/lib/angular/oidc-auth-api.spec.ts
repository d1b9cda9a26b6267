import { TestBed } from '@angular/core/testing';
import { firstValueFrom } from 'rxjs';
import { API, setupAuth, signIn } from '../../test/angular-harness';
import { injectAuth } from './oidc-auth';

// The API as apps write against it: typed claims, same-origin secure routes.

describe('OidcAuth: typed claims', () => {
  it("types the standard claims and the app's own, as user code reads them (noPropertyAccessFromIndexSignature)", async () => {
    const h = await setupAuth();
    h.op.idTokenExtraClaims = { name: 'Alice Example', email_verified: true, tenant: 'acme' };
    await signIn(h);
    const auth = TestBed.runInInjectionContext(() => injectAuth<{ tenant: string }>());
    const user = auth.user();
    const name: string | undefined = user?.name;
    const verified: boolean | undefined = user?.email_verified;
    const tenant: string | undefined = user?.tenant;
    expect([name, verified, tenant]).toEqual(['Alice Example', true, 'acme']);
    expect(auth).toBe(h.auth);
  });
});

describe('authInterceptor: same-origin path routes', () => {
  it("attaches the token to '/api/' on the app's origin, and to nothing else", async () => {
    const h = await setupAuth({ config: { secureRoutes: ['/api/'] } });
    await signIn(h);
    const own = firstValueFrom(h.http.get('/api/orders'));
    const sent = h.httpMock.expectOne('/api/orders');
    expect(sent.request.headers.get('Authorization')).toBe(`Bearer ${h.auth.accessToken()}`);
    sent.flush({});
    await own;
    const other = firstValueFrom(h.http.get(`${API}/api/orders`));
    const foreign = h.httpMock.expectOne(`${API}/api/orders`);
    expect(foreign.request.headers.has('Authorization')).toBe(false);
    foreign.flush({});
    await other;
  });
});
