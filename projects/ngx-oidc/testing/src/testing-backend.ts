import { type EnvironmentProviders, makeEnvironmentProviders } from '@angular/core';
import { AUTH_CLOCK, AUTH_FETCH, AUTH_REDIRECT, type FetchJson } from 'ngx-oidc';

/** Options for {@link provideAuthTestingBackend}. */
export interface AuthTestingBackendOptions {
  /** Answers the library's requests instead of the network (a fake provider). */
  readonly fetchJson: FetchJson;
  /** Receives the URLs the library would send the browser to. Default: ignored. */
  readonly redirect?: (url: string) => void;
  /** The clock, in seconds since the epoch. Default: `Date.now()`. */
  readonly now?: () => number;
}

/**
 * The low-level seams, for tests that run the whole protocol against a fake
 * provider of their own: the network port, the browser redirect and the
 * clock. The real providers, guards and interceptor run. Most apps want
 * {@link provideAuthTesting} instead.
 *
 * @example
 * ```ts
 * TestBed.configureTestingModule({
 *   providers: [provideAuth(withConfig(config)), provideAuthTestingBackend({ fetchJson: myFakeProvider })],
 * });
 * ```
 */
export function provideAuthTestingBackend(options: AuthTestingBackendOptions): EnvironmentProviders {
  return makeEnvironmentProviders([
    { provide: AUTH_FETCH, useValue: options.fetchJson },
    { provide: AUTH_REDIRECT, useValue: options.redirect ?? (() => undefined) },
    ...(options.now ? [{ provide: AUTH_CLOCK, useValue: options.now }] : []),
  ]);
}
