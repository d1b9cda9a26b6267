import { DEV, OidcError } from './errors';

/**
 * A lazy chunk, loaded on first use and then kept: `load` is a dynamic
 * `import()`. A load that fails (offline, or the app was redeployed and the
 * old chunk is gone) is not kept, so the next call tries again, and it fails
 * as a transient `NETWORK_ERROR`: a renewal that needed the code backs off
 * and retries like one that could not reach the provider.
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () =>
    (pending ??= load().catch((reason: unknown) => {
      pending = undefined;
      throw new OidcError(DEV && 'ngx-oidc could not load its code (offline, or the app changed since this page loaded)', 'NETWORK_ERROR', { reason });
    }));
}
