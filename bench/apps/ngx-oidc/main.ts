// ngx-oidc, code flow with refresh tokens: autoLoginGuard, authCallbackGuard, authInterceptor().
import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { Component, computed, inject, provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { RouterOutlet, provideRouter } from '@angular/router';
import { OidcAuth, authCallbackGuard, authInterceptor, autoLoginGuard, provideAuth, withCheckAuthOnStartup, withConfig } from 'ngx-oidc';
import { API_ORIGIN, AUTHORITY, SCOPE, benchClientId, origin } from '../shared/bench-config';
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
