import { DestroyRef, createEnvironmentInjector } from '@angular/core';
import { isCallbackUrl } from '../core/callback';
import type { OidcConfig } from '../core/config';
import { DEV, OidcError } from '../core/errors';
import { isSecureRoute } from '../core/secure-routes';
import { OidcAuth } from './oidc-auth';
import { AUTH_CONFIG_LOADER } from './tokens';

/*
 * Several configs at once, `withMultipleConfigs()`: an app that signs in to
 * several providers (or tenants) at the same time. The default service,
 * `inject(OidcAuth)`, takes the first config; each other config gets a
 * service of its own, reached with `injectAuth(configId)`. A separate
 * feature, so that apps with one config ship none of this.
 */

type Auth = OidcAuth;

/**
 * With several configs, the service whose pending login the response at
 * `url` answers. They may share one callback route: its `state` picks the
 * config that sent the request (RFC 6749 10.12), whose issuer the response's
 * `iss` must then name (RFC 9207; RFC 9700 4.4, mix-up attacks); an unknown
 * state goes to the first config at that route, which reports it. A URL with
 * no response (the address bar the start-up check scrubbed) goes to the config
 * that finished a callback in this page, whose result the callback guard takes.
 */
function callbackOwner(all: readonly Auth[], url: string): Auth | undefined {
  const state = new URL(url, all[0]!.document.baseURI).searchParams.get('state') ?? '';
  const pending = (s: Auth) => {
    const tx = s.loaded?.session.transactions;
    return !!tx?.storage?.read(tx.prefix + state);
  };
  return (
    all.find(pending) ??
    all.find((s) => s.loaded && isCallbackUrl(url, s.loaded.config.redirectUrl)) ??
    all.find((s) => s.lastCallback !== undefined)
  );
}

/**
 * Several configs, to sign in to several providers at once: each config after
 * the first gets a service of its own (its session, storage keys, renewal,
 * tab sync and events under its `configId`), in a child of the app's
 * injector, with the features of the default one. Fails with `CONFIG_INVALID`
 * when two configs share a `configId` (their sessions would mix) or when
 * their `secureRoutes` overlap (a URL under both would leave the interceptor
 * to guess whose token it gets).
 */
export async function startPeers(main: Auth, configs: readonly OidcConfig[]): Promise<void> {
  const peers = configs.map((config) => {
    const injector = createEnvironmentInjector([{ provide: AUTH_CONFIG_LOADER, useValue: () => config, multi: true }, OidcAuth], main.injector);
    main.injector.get(DestroyRef).onDestroy(() => injector.destroy());
    const peer = injector.get(OidcAuth);
    peer.stepUpHandler = main.stepUpHandler;
    peer.renewFallback = main.renewFallback;
    return peer;
  });
  const all = [main, ...peers];
  for (const service of all) {
    service.peers = all;
    service.callbackOwner = (url) => callbackOwner(all, url) ?? service;
  }
  const resolved = [main.loaded!.config, ...(await Promise.all(peers.map((peer) => peer.loadConfig())))];
  const base = main.document.baseURI;
  resolved.forEach((a, i) => {
    for (const b of resolved.slice(i + 1)) {
      if (a.configId === b.configId) {
        throw new OidcError(DEV && `ngx-oidc config "configId": "${a.configId}" is used by two configs; give each its own`, 'CONFIG_INVALID', {
          key: 'configId',
          actual: a.configId,
        });
      }
      const overlap = a.secureRoutes.find((route) => b.secureRoutes.some((other) => isSecureRoute(route, [other], base) || isSecureRoute(other, [route], base)));
      if (overlap !== undefined) {
        throw new OidcError(
          DEV && `ngx-oidc config "secureRoutes": "${overlap}" of config "${a.configId}" overlaps a secure route of config "${b.configId}": which token would a URL under both get?`,
          'CONFIG_INVALID',
          { key: 'secureRoutes', actual: overlap, expected: b.secureRoutes },
        );
      }
    }
  });
}
