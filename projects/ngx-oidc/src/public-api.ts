/*
 * The public API of ngx-oidc: named, deliberate exports only.
 */

// Configuration
export { type OidcConfig, type ResolvedOidcConfig, type LogLevel, DEFAULT_ID_TOKEN_ALGS, resolveConfig } from './lib/core/config';

// Errors
export { OidcError, type OidcErrorCode, type OidcErrorCause, isOidcError } from './lib/core/errors';

// Storage
export { AuthStorage, MemoryStorage, WebStorage, type StorageKind, createStorage } from './lib/core/storage';

// Network port
export { type FetchJson, type OidcHttpRequest, type OidcHttpResponse, fetchPort } from './lib/core/http';
export type { HttpTools } from './lib/core/http-exchange';

// Protocol results
export type { ProviderMetadata } from './lib/core/discovery';
export type { IdTokenClaims } from './lib/core/id-token';
export type { UserInfo } from './lib/core/userinfo';
export type { TokenSet } from './lib/core/token';

// The framework-free session machine
export {
  OidcSession,
  type AuthSession,
  type BeginLoginOptions,
  type LoginResult,
  type LogoutResult,
  type LockPort,
  type SessionDeps,
  type SessionFlows,
} from './lib/core/session';
// Its protocol steps (SessionDeps.flows): they load with the lazy chunk of the Angular layer.
export { loadSessionFlows } from './lib/angular/session-flows-loader';

// Angular: providers and features
export {
  provideAuth,
  withConfig,
  withHttpConfigLoader,
  withConfigLoader,
  withCheckAuthOnStartup,
  withStorage,
  withCheckSession,
  withPushedAuthorizationRequests,
  withSilentRenewIframe,
  withPopupLogin,
  withStepUp,
  withMultipleConfigs,
  type AuthFeature,
  AuthFeatureKind,
} from './lib/angular/provide-auth';
export { AuthModule, type AuthModuleOptions } from './lib/angular/auth.module';
export type { DPoPPort } from './lib/core/dpop-port';
export {
  AUTH_CONFIG_LOADER,
  AUTH_STORAGE,
  AUTH_FETCH,
  AUTH_CLOCK,
  AUTH_REDIRECT,
  AUTH_PAR,
  AUTH_IFRAME_RENEW,
  AUTH_POPUP_LOGIN,
  AUTH_DPOP,
  type AuthConfigLoader,
  type DPoPFeature,
  type DPoPHttpPort,
} from './lib/angular/tokens';

// Angular: the service, guards, interceptor, components
export {
  OidcAuth,
  injectAuth,
  type AuthUser,
  type AuthStatus,
  type LoginOptions,
  type PopupLoginOptions,
  type LogoutOptions,
} from './lib/angular/oidc-auth';
export type { StandardClaims } from './lib/core/claims';
export type { AuthEvent, AuthEventType } from './lib/angular/events';
export { authCallbackGuard, autoLoginGuard, authGuard, isSafeReturnUrl } from './lib/angular/guards';
export { authInterceptor, AuthInterceptor, SKIP_AUTH, NAVIGATE_ON_AUTH_ERROR } from './lib/angular/interceptor';
export { SilentRenewComponent, postSilentRenewResult, SILENT_RENEW_MESSAGE, type SilentRenewMessage } from './lib/angular/silent-renew';
export type { StepUpOptions } from './lib/angular/step-up';
export { PopupCallbackComponent, postPopupResult, POPUP_MESSAGE, POPUP_CHANNEL, type PopupMessage } from './lib/angular/popup-login';
export { isSecureRoute } from './lib/core/secure-routes';

// Testing: see the ngx-oidc/testing entry point (provideAuthTesting, AuthTestingController, provideAuthTestingBackend).

// For the ngx-oidc/dpop entry point only; not part of the supported API.
export { lazy as ɵlazy } from './lib/core/lazy';
