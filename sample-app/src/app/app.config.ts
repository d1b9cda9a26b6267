import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { type ApplicationConfig, inject, provideZonelessChangeDetection } from '@angular/core';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import {
  authInterceptor,
  provideAuth,
  withCheckAuthOnStartup,
  withHttpConfigLoader,
  withPopupLogin,
  withPushedAuthorizationRequests,
  withSilentRenewIframe,
  withMultipleConfigs,
  withStepUp,
} from 'ngx-oidc';
import { withDPoP } from 'ngx-oidc/dpop';
import { routes } from './app.routes';
import { DemoSettings } from './demo-settings';

export const appConfig: ApplicationConfig = {
  providers: [
    provideZonelessChangeDetection(),
    provideRouter(routes, withComponentInputBinding()),
    provideHttpClient(withInterceptors([authInterceptor()])),
    provideAuth(
      // Whatever serves the app decides auth-config.json (see e2e/app-server.mjs).
      withHttpConfigLoader('auth-config.json', (json) => inject(DemoSettings).take(json)),
      withCheckAuthOnStartup(),
      // The demo's server picks the flow at run time, so every flow's code is in.
      withPushedAuthorizationRequests(),
      withSilentRenewIframe(),
      // "Sign in with a popup": the popup comes back to popup-callback.html (popupRedirectUrl).
      withPopupLogin(),
      // "Pay" calls an API route that wants a sign-in with a one-time code (RFC 9470): its 401
      // opens a popup at the provider, and the payment is sent again once the user confirmed.
      withStepUp({ mode: 'popup' }),
      // The partner flow has two configs: ours and a partner provider's, signed in side by side.
      withMultipleConfigs(),
      // DPoP (RFC 9449) for configs with useDPoP (the dpop flow); the others keep Bearer tokens.
      withDPoP(),
    ),
  ],
};
