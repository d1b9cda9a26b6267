// ngx-oidc with every feature switched on: PAR, iframe renew, check session
// (bundle measurement only: it shows what the optional features cost).
import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { provideRouter } from '@angular/router';
import {
  SilentRenewComponent,
  authCallbackGuard,
  authInterceptor,
  autoLoginGuard,
  provideAuth,
  withCheckAuthOnStartup,
  withCheckSession,
  withConfig,
  withPushedAuthorizationRequests,
  withSilentRenewIframe,
} from 'ngx-oidc';
import { API_ORIGIN, AUTHORITY, benchClientId, origin } from '../shared/bench-config';
import { NgxOidcShell } from '../shared/ngx-oidc-shell';
import { Home, Protected } from '../shared/pages';

bootstrapApplication(NgxOidcShell, {
  providers: [
    provideZonelessChangeDetection(),
    provideRouter([
      { path: 'protected', canActivate: [autoLoginGuard], component: Protected },
      { path: 'callback', canActivate: [authCallbackGuard], children: [] },
      { path: 'silent-renew', component: SilentRenewComponent },
      { path: '**', component: Home },
    ]),
    provideHttpClient(withInterceptors([authInterceptor()])),
    provideAuth(
      withConfig({
        authority: AUTHORITY,
        clientId: benchClientId(),
        redirectUrl: `${origin()}/callback`,
        scope: 'openid profile api',
        silentRenew: true,
        silentRenewUrl: `${origin()}/silent-renew.html`,
        usePushedAuthorizationRequests: true,
        startCheckSession: true,
        autoUserInfo: true,
        secureRoutes: [`${API_ORIGIN}/api/`],
      }),
      withCheckAuthOnStartup(),
      withCheckSession(),
      withPushedAuthorizationRequests(),
      withSilentRenewIframe(),
    ),
  ],
}).catch((e: unknown) => console.error(e));
