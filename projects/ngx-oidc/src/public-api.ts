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
} from './lib/core/session';
