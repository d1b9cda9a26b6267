import { DEV, OidcError } from '../core/errors';
import type { AuthSession } from '../core/session';
import type { StepUpChallenge } from '../core/www-authenticate';
import type { InternalLoginOptions, OidcAuth } from './oidc-auth';
import { redirectOnce } from './redirect-once';

/*
 * Step-up authentication (RFC 9470), `withStepUp()`: an API answered 401
 * `insufficient_user_authentication` with the `acr_values` and/or `max_age`
 * it needs (the interceptor saw it; auth-actions.ts reported it). Here the
 * user signs in again with those, for the same account: in a popup, after
 * which the interceptor retries the request once with the new token, or by a
 * redirect that brings the user back to the page.
 *
 * Never a loop: no step-up starts when the session already has what the API
 * asks for (the API then wants something the provider does not put in the ID
 * token, and asking again would not help), and a redirect step-up for the
 * same demand is not started again within a minute of the last one.
 */

/** Options for `withStepUp()`. */
export interface StepUpOptions {
  /**
   * How the user signs in again:
   * - `'popup'` (needs `withPopupLogin()`): in a popup; the request that was
   *   refused is sent again once with the new token. Browsers open a popup
   *   only shortly after a click, so the request should come from one;
   * - `'redirect'`: the browser goes to the provider and comes back to the
   *   current route; the refused request fails.
   */
  readonly mode: 'popup' | 'redirect';
}

/** @internal The step-up of `withStepUp()`: resolves to the access token to retry with, or `null`. */
export type StepUpHandler = (auth: OidcAuth, challenge: StepUpChallenge) => Promise<string | null>;

/** True when `session`'s sign-in already meets `challenge` (RFC 9470 3: `acr` one of `acr_values`, `auth_time` within `max_age`). */
export function meetsChallenge(session: AuthSession, challenge: StepUpChallenge, now: number): boolean {
  if (challenge.acrValues === undefined && challenge.maxAge === undefined) return false;
  const { acr, auth_time: authTime } = session.idTokenClaims;
  const acrMet = challenge.acrValues === undefined || (acr !== undefined && challenge.acrValues.split(' ').includes(acr));
  const ageMet = challenge.maxAge === undefined || (authTime !== undefined && now - authTime <= challenge.maxAge);
  return acrMet && ageMet;
}

function failed(reason: 'satisfied' | 'repeated', challenge: StepUpChallenge, actual?: unknown): OidcError {
  const message =
    DEV &&
    (reason === 'satisfied'
      ? 'The API asks for a stronger sign-in that the session already has: signing in again would not help'
      : 'The API still asks for a stronger sign-in right after one: not starting another');
  return new OidcError(message, 'STEP_UP_FAILED', { reason, expected: challenge, ...(actual !== undefined ? { actual } : {}) });
}

/** @internal Makes the handler `withStepUp(options)` provides. */
export function stepUpHandler(options: StepUpOptions): StepUpHandler {
  // One step-up at a time per config and demand: requests refused together share it.
  const running = new Map<string, Promise<string | null>>();
  const page = { leaving: false };
  return (auth, challenge) => {
    // A redirect step-up is on its way: the page is going, nothing more starts here.
    if (page.leaving) return Promise.resolve(null);
    const demand = `${challenge.acrValues ?? ''}|${challenge.maxAge ?? ''}`;
    // Per config too: with withMultipleConfigs() the configs share this handler.
    const key = `${auth.config()?.configId} ${demand}`;
    let step = running.get(key);
    if (!step) {
      step = run(auth, challenge, demand, options.mode, page);
      running.set(key, step);
      void step.finally(() => running.delete(key));
    }
    return step;
  };
}

async function run(
  auth: OidcAuth,
  challenge: StepUpChallenge,
  demand: string,
  mode: StepUpOptions['mode'],
  page: { leaving: boolean },
): Promise<string | null> {
  const { config, session } = await auth.ctx();
  const current = auth.session();
  if (!current) return null;
  const options: InternalLoginOptions = {
    ...(challenge.acrValues !== undefined ? { acrValues: challenge.acrValues } : {}),
    ...(challenge.maxAge !== undefined ? { maxAge: challenge.maxAge } : {}),
    stepUp: true,
  };
  if (meetsChallenge(current, challenge, auth.now())) {
    auth.fail(failed('satisfied', challenge, { acr: current.idTokenClaims.acr, auth_time: current.idTokenClaims.auth_time }));
    return null;
  }
  if (mode === 'popup') {
    if (!auth.popupLogin) {
      auth.fail(new OidcError(DEV && 'withStepUp({ mode: "popup" }) needs withPopupLogin()', 'CONFIG_INVALID'));
      return null;
    }
    // Its failures (blocked, closed, a weaker acr, another user) are reported by the popup login.
    const result = await auth.popupLogin(auth, options).catch(() => null);
    return result?.session.accessToken ?? null;
  }
  // Back to the current route; the same demand is not redirected again within a minute (no loop).
  const started = await redirectOnce(auth, session.transactions.storage, `ngx-oidc.${config.configId}.step-up`, demand, options);
  if (started === 'repeated') auth.fail(failed('repeated', challenge));
  page.leaving = started === true;
  return null;
}
