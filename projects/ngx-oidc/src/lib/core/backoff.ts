import { DEV, OidcError, isTransientError } from './errors';
import type { RenewalBackoff } from './renewal-backoff';

/**
 * When to try a renewal again after a transient failure (network, 5xx, 429,
 * timeout): what the provider asked for (`Retry-After`, RFC 9110 10.2.3),
 * else an exponential back-off with jitter, so that many clients that failed
 * together do not come back together. Pure functions; the session keeps the
 * state in storage so that every tab sharing a session backs off as one.
 */

/** The back-off settings, in seconds (config `renewRetryInitialDelayInSeconds`, `renewRetryMaxDelayInSeconds`). */
export interface BackoffPolicy {
  /** The wait after the first failure. */
  readonly initialDelaySeconds: number;
  /** The longest wait. */
  readonly maxDelaySeconds: number;
}

/**
 * The wait before attempt `attempt + 1` (attempt 1 is the first failure):
 * `Retry-After` when the failure carried one (never less than 1 s, never more
 * than an hour), else `initial * 2^(attempt-1)` capped at `max`, with a random
 * part so the wait lies between half and all of it ("equal jitter").
 * @param random - a number in [0, 1); `Math.random` by default.
 */
export function retryDelaySeconds(attempt: number, error: OidcError, policy: BackoffPolicy, random: () => number = Math.random): number {
  const retryAfter = error.cause?.retryAfter;
  if (typeof retryAfter === 'number' && Number.isFinite(retryAfter)) return Math.min(Math.max(retryAfter, 1), 3600);
  const exponential = Math.min(policy.maxDelaySeconds, policy.initialDelaySeconds * 2 ** Math.max(0, attempt - 1));
  return exponential / 2 + (exponential / 2) * random();
}

/**
 * The back-off after a failed renewal: the next one for a transient failure,
 * `null` for a definitive one (the session ends instead).
 */
export function nextBackoff(
  previous: RenewalBackoff | null,
  error: OidcError,
  o: { now: number; policy: BackoffPolicy; refreshToken?: string; random?: () => number },
): RenewalBackoff | null {
  if (!isTransientError(error)) return null;
  const sameGrant = previous !== null && previous.refreshToken === o.refreshToken;
  const attempt = sameGrant ? previous.attempt + 1 : 1;
  const status = error.cause?.status;
  return {
    attempt,
    retryAt: o.now + retryDelaySeconds(attempt, error, o.policy, o.random),
    ...(o.refreshToken !== undefined ? { refreshToken: o.refreshToken } : {}),
    code: error.code,
    ...(typeof status === 'number' ? { status } : {}),
    ...(error.oauthError !== undefined ? { oauthError: error.oauthError } : {}),
    ...(typeof error.cause?.retryAfter === 'number' ? { providerSet: true } : {}),
  };
}

/** The error a renewal reports while it waits out a back-off: the last failure's code, with `retryAt`. */
export function backoffError(backoff: RenewalBackoff): OidcError {
  return new OidcError(DEV && 'Renewal is waiting after a failure', backoff.code, {
    ...(backoff.status !== undefined ? { status: backoff.status } : {}),
    ...(backoff.oauthError !== undefined ? { error: backoff.oauthError } : {}),
    retryAt: Math.round(backoff.retryAt * 1000),
    attempt: backoff.attempt,
    deferred: true,
  });
}

export { type RenewalBackoff, isRenewalBackoff } from './renewal-backoff';
