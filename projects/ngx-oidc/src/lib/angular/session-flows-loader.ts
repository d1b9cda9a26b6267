import type { SessionFlows } from '../core/session';
import { loadActions } from './actions-chunk';

/**
 * Loads the protocol steps of an {@link OidcSession} (`SessionDeps.flows`):
 * they come with the lazy chunk of OidcAuth's actions, so that every step
 * of ngx-oidc an app may run is one download. Loaded once per page; a failed
 * load is a transient `NETWORK_ERROR` and is tried again on the next call.
 */
export function loadSessionFlows(): Promise<SessionFlows> {
  return loadActions().then((actions) => actions.flows);
}
