import type { ResolvedOidcConfig } from '../core/config';
import type { OidcError } from '../core/errors';

/**
 * What happens to the session, as a typed union: switch on `type`.
 * Every failure is also an `Error` event with its {@link OidcError}.
 */
export type AuthEvent =
  | { readonly type: 'ConfigLoaded'; readonly config: ResolvedOidcConfig }
  | { readonly type: 'CheckAuthStarted' }
  | { readonly type: 'CheckAuthFinished'; readonly isAuthenticated: boolean }
  | { readonly type: 'LoginStarted' }
  | { readonly type: 'TokenReceived' }
  | { readonly type: 'TokenRenewed' }
  | { readonly type: 'RenewFailed'; readonly error: OidcError }
  /** A renewal failed transiently; the session is kept and the next attempt is at `retryAt` (ms since the epoch). */
  | { readonly type: 'RenewRetryScheduled'; readonly error: OidcError; readonly retryAt: number }
  /** A definitive failure (refused refresh token, failed check, `login_required`, another user, expiry) ended the session. */
  | { readonly type: 'SessionEnded'; readonly error: OidcError }
  | { readonly type: 'SessionChangedInOtherTab' }
  | { readonly type: 'CheckSessionChanged' }
  | { readonly type: 'LoggedOut' }
  | { readonly type: 'Error'; readonly error: OidcError };

/** The `type` of an {@link AuthEvent}. */
export type AuthEventType = AuthEvent['type'];
