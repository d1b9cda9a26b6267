import { type ModuleWithProviders, NgModule } from '@angular/core';
import type { OidcConfig } from '../core/config';
import type { AuthStorage } from '../core/storage';
import {
  type AuthFeature,
  provideAuth,
  withCheckAuthOnStartup,
  withConfig,
  withConfigLoader,
  withHttpConfigLoader,
  withStorage,
} from './provide-auth';
import type { AuthConfigLoader } from './tokens';

/** Options for {@link AuthModule.forRoot}: one config source, and a few switches. */
export type AuthModuleOptions = (
  | {
      /** A static config, as with `withConfig`. */
      readonly config: OidcConfig;
    }
  | {
      /** A custom config source, as with `withConfigLoader`. */
      readonly loader: AuthConfigLoader;
    }
  | {
      /** Where to load the config from at start-up, as with `withHttpConfigLoader`. */
      readonly httpConfigUrl: string;
      /** Maps the loaded JSON to an {@link OidcConfig}. Default: the JSON as it is. */
      readonly map?: (json: unknown) => OidcConfig;
    }
) & {
  /** Settle the session before the first navigation. Default `true`. */
  readonly checkAuthOnStartup?: boolean;
  /** A custom storage. */
  readonly storage?: AuthStorage;
  /** More features, such as `withPushedAuthorizationRequests()`, `withSilentRenewIframe()`, `withPopupLogin()` or `withDPoP()` (from `ngx-oidc/dpop`). */
  readonly features?: readonly AuthFeature[];
};

/**
 * ngx-oidc for NgModule apps, built on the same providers as {@link provideAuth}.
 * Register the interceptor with `HTTP_INTERCEPTORS` and `AuthInterceptor`.
 *
 * @example
 * ```ts
 * imports: [AuthModule.forRoot({ config: { authority, clientId, redirectUrl } })]
 * ```
 */
@NgModule()
export class AuthModule {
  /** Providers for the root module. */
  static forRoot(options: AuthModuleOptions): ModuleWithProviders<AuthModule> {
    const source: AuthFeature =
      'config' in options
        ? withConfig(options.config)
        : 'loader' in options
          ? withConfigLoader(options.loader)
          : withHttpConfigLoader(options.httpConfigUrl, options.map);
    const features: AuthFeature[] = [source];
    if (options.checkAuthOnStartup !== false) features.push(withCheckAuthOnStartup());
    if (options.storage) features.push(withStorage(options.storage));
    features.push(...(options.features ?? []));
    return { ngModule: AuthModule, providers: [provideAuth(...features)] };
  }
}
