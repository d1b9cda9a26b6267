// ngx-oidc with every feature switched on: PAR, iframe renew, check session
// (bundle measurement only: it shows what the optional features cost).
import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { Component, computed, inject, provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { RouterOutlet, provideRouter } from '@angular/router';
import {
  OidcAuth,
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
import { installBenchHooks, markAuthenticated } from '../shared/bench-hooks';

@Component({
  selector: 'bench-root',
  imports: [RouterOutlet],
  template: `<span data-testid="auth-state">{{ state() }}</span>
    <button data-testid="login" (click)="auth.login()">login</button><router-outlet />`,
})
class App {
  protected readonly auth = inject(OidcAuth);
  protected readonly state = computed(() => (!this.auth.ready() ? 'loading' : this.auth.isAuthenticated() ? 'authenticated' : 'unauthenticated'));
  constructor() {
    installBenchHooks(inject(HttpClient));
    this.auth.isAuthenticated$.subscribe((signedIn) => signedIn && markAuthenticated());
  }
}

@Component({ template: `<p>protected</p>` })
class Protected {}

@Component({ template: `<p>home</p>` })
class Home {}

bootstrapApplication(App, {
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
        usePushedAuthorisationRequests: true,
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
