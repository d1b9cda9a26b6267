// angular-auth-oidc-client, the same code flow with refresh tokens as the ngx-oidc app:
// autoLoginPartialRoutesGuard, authInterceptor(), checkAuth at start (withAppInitializerAuthCheck);
// the runner can switch the start-up check to checkAuthIncludingServer() (bench.aaocCheck).
import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { Component, inject, provideAppInitializer, provideZonelessChangeDetection, signal } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { RouterOutlet, provideRouter } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import {
  AbstractSecurityStorage,
  DefaultLocalStorageService,
  LogLevel,
  OidcSecurityService,
  authInterceptor,
  autoLoginPartialRoutesGuard,
  provideAuth,
  withAppInitializerAuthCheck,
} from 'angular-auth-oidc-client';
import { API_ORIGIN, AUTHORITY, SCOPE, benchClientId, origin } from '../shared/bench-config';
import { installBenchHooks, markAuthenticated } from '../shared/bench-hooks';
import { Home, Protected } from '../shared/pages';

/**
 * The library's cross-tab refresh lock (`useRefreshTokenLock`, Web Locks API), switched by the
 * runner: `bench.aaocLock` = 'on' | 'off'; unset keeps the library's default (off).
 */
function refreshTokenLock(): { useRefreshTokenLock?: boolean } {
  const lock = localStorage.getItem('bench.aaocLock');
  return lock === 'on' ? { useRefreshTokenLock: true } : lock === 'off' ? { useRefreshTokenLock: false } : {};
}

/**
 * The start-up check, switched by the runner: `bench.aaocCheck` = 'server' calls the library's
 * checkAuthIncludingServer() (it asks the provider when the stored tokens do not pass); unset keeps
 * withAppInitializerAuthCheck() (checkAuth, stored tokens only), the setup of every other run.
 */
function serverCheck(): boolean {
  return localStorage.getItem('bench.aaocCheck') === 'server';
}

@Component({
  selector: 'bench-root',
  imports: [RouterOutlet],
  template: `<span data-testid="auth-state">{{ state() }}</span>
    <button data-testid="login" (click)="login()">login</button><router-outlet />`,
})
class App {
  private readonly oidc = inject(OidcSecurityService);
  protected readonly state = signal<'loading' | 'authenticated' | 'unauthenticated'>('loading');
  constructor() {
    installBenchHooks(inject(HttpClient));
    // checkAuth has run in the app initializer; isAuthenticated$ replays the current state.
    this.oidc.isAuthenticated$.subscribe(({ isAuthenticated }) => {
      this.state.set(isAuthenticated ? 'authenticated' : 'unauthenticated');
      if (isAuthenticated) markAuthenticated();
    });
  }
  protected login(): void {
    this.oidc.authorize();
  }
}

bootstrapApplication(App, {
  providers: [
    provideZonelessChangeDetection(),
    provideRouter([
      { path: 'protected', canActivate: [autoLoginPartialRoutesGuard], component: Protected },
      // checkAuth (app initializer) handles the code on /callback, then navigates to postLoginRoute.
      { path: 'callback', component: Home },
      { path: '**', component: Home },
    ]),
    provideHttpClient(withInterceptors([authInterceptor()])),
    provideAuth(
      {
        config: {
          authority: AUTHORITY,
          clientId: benchClientId(),
          redirectUrl: `${origin()}/callback`,
          postLogoutRedirectUri: `${origin()}/`,
          scope: SCOPE,
          responseType: 'code',
          useRefreshToken: true,
          silentRenew: true,
          ...refreshTokenLock(),
          // The provider (oidc-provider) repeats the first nonce in refreshed ID tokens; by default this
          // library rejects any nonce after a refresh and signs the user out (its documented switch).
          ignoreNonceAfterRefresh: true,
          // Like ngx-oidc (autoUserInfo defaults to false there): no userinfo request after login.
          autoUserInfo: false,
          secureRoutes: [`${API_ORIGIN}/api/`],
          postLoginRoute: '/protected',
          logLevel: LogLevel.None,
        },
      },
      ...(serverCheck() ? [] : [withAppInitializerAuthCheck()]),
    ),
    ...(serverCheck() ? [provideAppInitializer(() => firstValueFrom(inject(OidcSecurityService).checkAuthIncludingServer()).then(() => undefined))] : []),
    // After provideAuth, so it replaces the library's default (sessionStorage): tabs share the session.
    { provide: AbstractSecurityStorage, useClass: DefaultLocalStorageService },
  ],
}).catch((e: unknown) => console.error(e));
