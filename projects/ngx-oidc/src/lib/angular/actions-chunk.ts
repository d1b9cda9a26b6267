import { lazy } from '../core/lazy';

/**
 * The app's one lazy chunk of ngx-oidc (auth-actions.ts): what OidcAuth does
 * only now and then, the protocol steps beside it (session-flows.ts, with the
 * ID token verification), and the session's browser ports that only those
 * steps use. A failed load is a transient `NETWORK_ERROR` and is tried again
 * next time.
 */
export const loadActions = lazy(() => import('./auth-actions'));
