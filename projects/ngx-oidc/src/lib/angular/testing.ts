import type { EnvironmentProviders } from '@angular/core';
import { makeEnvironmentProviders } from '@angular/core';
import type { FetchJson } from '../core/http';
import { AUTH_CLOCK, AUTH_FETCH, AUTH_REDIRECT } from './tokens';

/** Options for {@link provideAuthTesting}. */
export interface AuthTestingOptions {
  /** Answers the library's requests instead of the network (a fake provider). */
  readonly fetchJson: FetchJson;
  /** Receives the URLs the library would send the browser to. */
  readonly redirect?: (url: string) => void;
  /** The clock, in seconds since the epoch. */
  readonly now?: () => number;
}

/**
 * Swaps the library's seams for tests: the network port, the browser
 * redirect and the clock. The real providers, guards and interceptor run.
 *
 * @example
 * ```ts
 * TestBed.configureTestingModule({ providers: [provideAuth(withConfig(cfg)), provideAuthTesting({ fetchJson })] });
 * ```
 */
export function provideAuthTesting(options: AuthTestingOptions): EnvironmentProviders {
  return makeEnvironmentProviders([
    { provide: AUTH_FETCH, useValue: options.fetchJson },
    { provide: AUTH_REDIRECT, useValue: options.redirect ?? (() => undefined) },
    ...(options.now ? [{ provide: AUTH_CLOCK, useValue: options.now }] : []),
  ]);
}
