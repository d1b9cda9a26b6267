import type { OidcError } from './errors';
import { isJsonObject } from './http';

/*
 * The back-off a renewal waits out after a transient failure, as stored next
 * to the session (read at start-up and by every tab). How the next wait is
 * chosen is backoff.ts, loaded with the renewal itself.
 */

/** The stored back-off of a session: shared by the tabs that share the session. */
export interface RenewalBackoff {
  /** How many renewals failed in a row. */
  readonly attempt: number;
  /** No renewal request before this time, seconds since the epoch. */
  readonly retryAt: number;
  /** The refresh token the failures were for: a new one resets the back-off. */
  readonly refreshToken?: string;
  /** The code of the last failure, so a tab that waits can report it. */
  readonly code: OidcError['code'];
  /** The HTTP status of the last failure, if any. */
  readonly status?: number;
  /** The provider's OAuth `error` of the last failure, if any. */
  readonly oauthError?: string;
  /** The provider set the wait (`Retry-After`): not even a tab coming back online retries earlier. */
  readonly providerSet?: boolean;
}

/** Shape check for a stored {@link RenewalBackoff}. */
export function isRenewalBackoff(value: unknown): value is RenewalBackoff {
  return (
    isJsonObject(value) &&
    typeof value['attempt'] === 'number' &&
    typeof value['retryAt'] === 'number' &&
    typeof value['code'] === 'string' &&
    (value['refreshToken'] === undefined || typeof value['refreshToken'] === 'string') &&
    (value['status'] === undefined || typeof value['status'] === 'number') &&
    (value['oauthError'] === undefined || typeof value['oauthError'] === 'string') &&
    (value['providerSet'] === undefined || typeof value['providerSet'] === 'boolean')
  );
}
