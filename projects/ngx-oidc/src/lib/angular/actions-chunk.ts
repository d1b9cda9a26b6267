import { lazy } from '../core/lazy';

/**
 * The lazy actions chunk (auth-actions.ts): what OidcAuth does only now and
 * then, and the session's browser ports that only the protocol steps use. A
 * failed load is a transient `NETWORK_ERROR` and is tried again next time.
 */
export const loadActions = lazy(() => import('./auth-actions'));
