// angular-oauth2-oidc, the same code flow with refresh tokens as the ngx-oidc app:
// loadDiscoveryDocumentAndTryLogin() at start, setupAutomaticSilentRefresh() (refresh token),
// its resource-server interceptor. The library has no route guard, so the app has the usual
// few-line one (as in the library's docs and samples).
import { HttpClient, provideHttpClient, withInterceptorsFromDi } from '@angular/common/http';
import { Component, inject, provideAppInitializer, provideZonelessChangeDetection, signal } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { CanActivateFn, Router, RouterOutlet, provideRouter } from '@angular/router';
import { OAuthService, OAuthStorage, provideOAuthClient } from 'angular-oauth2-oidc';
import { API_ORIGIN, AUTHORITY, SCOPE, benchClientId, origin } from '../shared/bench-config';
import { installBenchHooks, markAuthenticated } from '../shared/bench-hooks';
import { Home, Protected } from '../shared/pages';

/** Signed out: starts the code flow, carrying the requested route in the state. */
const autoLoginGuard: CanActivateFn = (_route, state) => {
  const oauth = inject(OAuthService);
  if (oauth.hasValidAccessToken()) return true;
  oauth.initCodeFlow(state.url);
  return false;
};

/** The code was exchanged at start (tryLogin): go on to the route the login started from. */
const callbackGuard: CanActivateFn = () => {
  const oauth = inject(OAuthService);
  const target = oauth.hasValidAccessToken() ? (oauth.state ? decodeURIComponent(oauth.state) : '/protected') : '/';
  return inject(Router).parseUrl(target);
};

@Component({
  selector: 'bench-root',
  imports: [RouterOutlet],
  template: `<span data-testid="auth-state">{{ state() }}</span>
    <button data-testid="login" (click)="login()">login</button><router-outlet />`,
})
class App {
  private readonly oauth = inject(OAuthService);
  protected readonly state = signal<'loading' | 'authenticated' | 'unauthenticated'>('loading');
  constructor() {
    installBenchHooks(inject(HttpClient));
    // loadDiscoveryDocumentAndTryLogin has run in the app initializer; the library has no
    // auth-state observable, so the state follows its token events.
    const update = (): void => {
      const signedIn = this.oauth.hasValidAccessToken();
      this.state.set(signedIn ? 'authenticated' : 'unauthenticated');
      if (signedIn) markAuthenticated();
    };
    update();
    this.oauth.events.subscribe(update);
  }
  protected login(): void {
    this.oauth.initCodeFlow('/protected');
  }
}

bootstrapApplication(App, {
  providers: [
    provideZonelessChangeDetection(),
    provideRouter([
      { path: 'protected', canActivate: [autoLoginGuard], component: Protected },
      { path: 'callback', canActivate: [callbackGuard], children: [] },
      { path: '**', component: Home },
    ]),
    // The library's interceptor is a class (HTTP_INTERCEPTORS), so it needs withInterceptorsFromDi().
    provideHttpClient(withInterceptorsFromDi()),
    provideOAuthClient({ resourceServer: { allowedUrls: [`${API_ORIGIN}/api/`], sendAccessToken: true } }),
    // After provideOAuthClient, so it replaces the library's default (sessionStorage): tabs share the session.
    { provide: OAuthStorage, useFactory: () => localStorage },
    provideAppInitializer(() => {
      const oauth = inject(OAuthService);
      oauth.configure({
        issuer: AUTHORITY,
        clientId: benchClientId(),
        redirectUri: `${origin()}/callback`,
        postLogoutRedirectUri: `${origin()}/`,
        // SCOPE without offline_access. This library, unlike the others, sends `scope` on every
        // refresh; the provider (as OIDC Core 11 allows) drops offline_access from a request without
        // prompt=consent, so a refresh asking for it again fails with invalid_scope. The others ask
        // for it and have it dropped: the grant and tokens are the same for all three.
        scope: SCOPE.split(' ').filter((s) => s !== 'offline_access').join(' '),
        responseType: 'code',
        // Its 'remoteOnly' default lets only http://localhost through, not http://127.0.0.1.
        requireHttps: false,
        // Automatic renewal by refresh_token grant, not the hidden iframe (unset means the same for 'code').
        useSilentRefresh: false,
      });
      oauth.setupAutomaticSilentRefresh();
      return oauth.loadDiscoveryDocumentAndTryLogin().then(
        () => undefined,
        (e: unknown) => console.error(e),
      );
    }),
  ],
}).catch((e: unknown) => console.error(e));
