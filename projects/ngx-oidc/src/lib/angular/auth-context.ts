import { type OidcConfig, type ResolvedOidcConfig, resolveConfig, suggestConfigKey, unknownConfigKeys } from '../core/config';
import { DEV, OidcError, isOidcError } from '../core/errors';
import { OidcSession } from '../core/session';
import { MemoryStorage, Store, createStorage } from '../core/storage';
import { defaultTransactionStorage } from '../core/transaction';
import type { LockPort } from '../core/session';
import { loadActions } from './actions-chunk';
import { loadSessionFlows } from './session-flows-loader';
import type { OidcAuth } from './oidc-auth';
import { isSilentRenewFrame } from './start-up';
import { listenToOtherTabs } from './tab-sync';

/** What a service works with once its config is loaded. */
export interface AuthContext {
  /** The config, validated, with every default filled in. */
  readonly config: ResolvedOidcConfig;
  /** The framework-free session machine of that config. */
  readonly session: OidcSession;
}

/**
 * Loads and validates the config (`CONFIG_INVALID` naming the key, reported),
 * then sets up the session machine with this page's ports: storage (none on
 * the server), the network, the clock, the cross-tab lock and, with their
 * features, DPoP and PAR. Starts listening to the other tabs, and with
 * several configs, the other configs' services.
 */
export async function loadContext(auth: OidcAuth): Promise<AuthContext> {
  let config: ResolvedOidcConfig;
  // Several configs (several providers): this service takes the first, the others get services of their own.
  let others: readonly OidcConfig[] = [];
  try {
    const [raw, ...rest] = (await Promise.all(auth.loaders.map((load) => load()))).flat() as [OidcConfig, ...OidcConfig[]];
    others = rest;
    if (rest.length && !auth.startPeers) throw new OidcError(DEV && 'ngx-oidc: several configs need withMultipleConfigs()', 'CONFIG_INVALID', { key: 'configId' });
    config = resolveConfig(raw);
    // Development builds only (the production build drops this block: a statement needs ngDevMode itself, see DEV):
    // a misspelt key would be ignored in silence.
    if ((typeof ngDevMode === 'undefined' || ngDevMode) && (config.logLevel === 'warn' || config.logLevel === 'debug')) {
      for (const key of unknownConfigKeys(raw)) {
        const meant = suggestConfigKey(key);
        console.warn(`ngx-oidc: unknown config key "${key}" is ignored${meant ? `; did you mean "${meant}"?` : ''}`);
      }
    }
    if (config.startCheckSession && !auth.checkSessionEnabled) {
      throw new OidcError(DEV && 'ngx-oidc config "startCheckSession": needs withCheckSession() (or its AuthModule feature)', 'CONFIG_INVALID', {
        key: 'startCheckSession',
      });
    }
  } catch (e) {
    const error = isOidcError(e) ? e : new OidcError(DEV && `ngx-oidc: the config could not be loaded`, 'CONFIG_INVALID', { reason: e });
    auth.fail(error);
    throw error;
  }
  // On the server nothing is read or written: not even a custom storage.
  const storage = auth.isBrowser ? (auth.customStorage ?? createStorage(config.storage)) : new MemoryStorage();
  const view = auth.document.defaultView;
  const sessionKey = new Store(storage, config.configId).keyOf('session');
  // The network port and the cross-tab lock serve the protocol steps only: their code is in the lazy
  // actions chunk, and these forward to it (a failed load is a NETWORK_ERROR, as for the steps).
  let lock: LockPort | undefined;
  const session = new OidcSession(config, {
    fetchJson: auth.fetchOverride ?? ((request) => loadActions().then((a) => a.httpBackendPort(auth.backend)(request))),
    storage,
    flows: loadSessionFlows,
    // Pending logins survive the redirect in sessionStorage, whatever the token storage.
    transactionStorage: auth.isBrowser ? defaultTransactionStorage() : null,
    random: auth.random,
    now: auth.now,
    ...(auth.isBrowser && auth.dpop && config.useDPoP ? { dpop: (auth.dpopPort = auth.dpop.port(config.configId, auth.now)) } : {}),
    ...(auth.pushedAuthorization ? { pushedAuthorization: auth.pushedAuthorization } : {}),
    ...(auth.isBrowser && view
      ? {
          lock: (name, task) => loadActions().then((a) => (lock ??= a.webLockPort())(name, task)),
          sessionChanged: (timeoutMs: number) => loadActions().then((a) => a.storageChange(view, sessionKey, timeoutMs)),
        }
      : {}),
  });
  auth.loaded = { config, session };
  auth.configState.set(config);
  auth.emit({ type: 'ConfigLoaded', config });
  auth.inRenewFrame = auth.isBrowser && isSilentRenewFrame(auth, config);
  if (auth.isBrowser && !auth.inRenewFrame) listenToOtherTabs(auth, config);
  if (others.length) await auth.startPeers!(auth, others).catch((e: unknown) => Promise.reject(auth.fail(e)));
  return auth.loaded;
}
