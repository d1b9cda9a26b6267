/**
 * The protocol steps of {@link OidcSession}, in a module of their own that the
 * session loads on first use (`SessionDeps.flows`; in an Angular app, the lazy
 * chunk of OidcAuth's actions, with the ID token verification and `jose`): a
 * returning user whose tokens are fresh never downloads them. One step per
 * file: login-flow.ts, refresh-flow.ts, logout-flow.ts, and the steps they
 * share in session-steps.ts.
 */

export { withTimeout } from './http-exchange';
export { loadMetadata, fetchSessionUserInfo } from './session-steps';
export { beginLogin, finishLogin } from './login-flow';
export { refreshLocked } from './refresh-flow';
export { endProviderSession } from './logout-flow';
