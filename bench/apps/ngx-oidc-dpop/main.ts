// ngx-oidc with DPoP (RFC 9449): the ngx-oidc app (refresh tokens, autoLoginGuard,
// authCallbackGuard, authInterceptor()) plus withDPoP() from the ngx-oidc/dpop entry
// point, as the provider's `spa-dpop` client (DPoP-bound tokens, provider nonces).
// Nothing else differs, so its bytes over the ngx-oidc app are what withDPoP() adds.
import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { provideRouter } from '@angular/router';
import { authCallbackGuard, authInterceptor, autoLoginGuard, provideAuth, withCheckAuthOnStartup, withConfig } from 'ngx-oidc';
import { withDPoP } from 'ngx-oidc/dpop';
import { API_ORIGIN, AUTHORITY, SCOPE, benchDPoPClientId, origin } from '../shared/bench-config';
import { NgxOidcShell } from '../shared/ngx-oidc-shell';
import { Home, Protected } from '../shared/pages';

bootstrapApplication(NgxOidcShell, {
  providers: [
    provideZonelessChangeDetection(),
    provideRouter([
      { path: 'protected', canActivate: [autoLoginGuard], component: Protected },
      { path: 'callback', canActivate: [authCallbackGuard], children: [] },
      { path: '**', component: Home },
    ]),
    provideHttpClient(withInterceptors([authInterceptor()])),
    provideAuth(
      withConfig({
        authority: AUTHORITY,
        clientId: benchDPoPClientId(),
        redirectUrl: `${origin()}/callback`,
        postLogoutRedirectUri: `${origin()}/`,
        scope: SCOPE,
        useRefreshToken: true,
        silentRenew: true,
        storage: 'localStorage',
        secureRoutes: [`${API_ORIGIN}/api/`],
        postLoginRoute: '/protected',
        logLevel: 'none',
      }),
      withCheckAuthOnStartup(),
      withDPoP(),
    ),
  ],
}).catch((e: unknown) => console.error(e));
