import type { ResolvedOidcConfig } from '../core/config';
import type { OidcError } from '../core/errors';

/**
 * What happens to the session, as a typed union: switch on `type`.
 * Every failure is also an `Error` event with its {@link OidcError}.
 */
export type AuthEvent =
  | {
      /** The config was loaded and validated (once per app). */
      readonly type: 'ConfigLoaded';
      /** The config with every default filled in. */
      readonly config: ResolvedOidcConfig;
    }
  | {
      /** The start-up check began (`checkAuth`). */
      readonly type: 'CheckAuthStarted';
    }
  | {
      /** The start-up check settled: a callback finished, or a stored session was restored or not. */
      readonly type: 'CheckAuthFinished';
      /** Whether a session exists now. */
      readonly isAuthenticated: boolean;
    }
  | {
      /** The browser (or the popup of `loginWithPopup()`) is about to go to the provider's login page. */
      readonly type: 'LoginStarted';
    }
  | {
      /** A login succeeded (a redirect callback or a popup login): new tokens, checked and stored. */
      readonly type: 'TokenReceived';
    }
  | {
      /** A renewal (refresh token or iframe) succeeded. */
      readonly type: 'TokenRenewed';
    }
  | {
      /** A renewal failed, for now (see `RenewRetryScheduled`) or for good (see `SessionEnded`). */
      readonly type: 'RenewFailed';
      /** Why it failed. */
      readonly error: OidcError;
    }
  | {
      /** A renewal failed transiently; the session is kept and the next attempt is at `retryAt`. */
      readonly type: 'RenewRetryScheduled';
      /** The transient failure. */
      readonly error: OidcError;
      /** When the next attempt is due, milliseconds since the epoch. */
      readonly retryAt: number;
    }
  | {
      /**
       * Renewal by iframe needs the user: the provider answered `login_required` (or another
       * OIDC Core 3.1.2.6 error), or the first iframe timed out, as happens when the browser
       * blocks third-party cookies; and `silentRenewFallback` is `'event'`, or its popup or redirect
       * could not happen (a popup blocked or closed, a redirect held back to avoid a loop or inside
       * a frame). Comes last, once `RenewFailed`,
       * `SessionEnded` (or `RenewRetryScheduled` after a timeout) and the `Error` are out: offer a
       * button whose click calls `login()` or `loginWithPopup()`.
       */
      readonly type: 'RenewInteractionRequired';
      /** The iframe's failure. */
      readonly error: OidcError;
    }
  | {
      /** A definitive failure (refused refresh token, failed check, `login_required`, another user, expiry) ended the session. */
      readonly type: 'SessionEnded';
      /** What ended it. */
      readonly error: OidcError;
    }
  | {
      /** Another tab renewed, replaced or ended the shared session; the signals follow. */
      readonly type: 'SessionChangedInOtherTab';
    }
  | {
      /** The provider's check-session iframe answered `changed` (OIDC Session Management); a re-check follows. */
      readonly type: 'CheckSessionChanged';
    }
  | {
      /** The session was ended by a logout, here or in another tab. */
      readonly type: 'LoggedOut';
    }
  | {
      /**
       * A secure route answered 401 `insufficient_user_authentication` (RFC 9470 3): the API wants a
       * stronger or more recent sign-in. `withStepUp()` then signs the user in again; without it, the
       * app may call `login({ acrValues, maxAge })` itself.
       */
      readonly type: 'StepUpRequired';
      /** The URL of the refused request. */
      readonly url: string;
      /** The `acr` values the API accepts, space-separated, when it named them. */
      readonly acrValues?: string;
      /** The largest age of the sign-in the API accepts, in seconds, when it named one. */
      readonly maxAge?: number;
    }
  | {
      /** Any failure, also reported by `OidcAuth.error()`. */
      readonly type: 'Error';
      /** The failure. */
      readonly error: OidcError;
    };

/** The `type` of an {@link AuthEvent}. */
export type AuthEventType = AuthEvent['type'];
