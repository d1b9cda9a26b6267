// ngx-oidc, code flow with refresh tokens: autoLoginGuard, authCallbackGuard, authInterceptor().
import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { provideRouter } from '@angular/router';
import { authCallbackGuard, authInterceptor, autoLoginGuard, provideAuth, withCheckAuthOnStartup, withConfig } from 'ngx-oidc';
import { API_ORIGIN, AUTHORITY, SCOPE, benchClientId, origin } from '../shared/bench-config';
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
        clientId: benchClientId(),
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
    ),
  ],
}).catch((e: unknown) => console.error(e));
