import { nextBackoff } from './backoff';

/**
 * The protocol steps of {@link OidcSession}, in a module of their own that the
 * session loads on first use (a lazy chunk of the app): a returning user whose
 * tokens are fresh never downloads them. The ID token verification (with
 * `jose`) is a second lazy chunk, loaded in parallel with the token request.
 * One step per file: login-flow.ts, refresh-flow.ts, logout-flow.ts, and the
 * steps they share in session-steps.ts.
 */

// For the iframe renewal's back-off and the step-up demand (auth-actions.ts): one lazy chunk holds
// the back-off policy and the challenge parser (which userinfo uses too), not a chunk of their own each.
export { nextBackoff };
export { stepUpChallenge } from './www-authenticate';
export { withTimeout } from './http-exchange';
export { loadMetadata, fetchSessionUserInfo } from './session-steps';
export { beginLogin, finishLogin } from './login-flow';
export { refreshLocked } from './refresh-flow';
export { endProviderSession } from './logout-flow';
