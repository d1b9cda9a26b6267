/** How the app renews tokens and where its config comes from. */
export type AuthFlow = 'refresh-tokens' | 'iframe-renew' | 'par' | 'http-config';

/** The options of `ng add ngx-oidc`, as declared in `schema.json`. */
export interface NgAddOptions {
  /** The application to set up; default: the workspace's default or only application. */
  project?: string;
  /** Default `refresh-tokens`. */
  flow?: AuthFlow;
  /** Issuer URL of the OpenID Provider. */
  authority?: string;
  /** Client id at the provider (public client). */
  clientId?: string;
  /** Space-separated scopes; empty means the flow's default. */
  scope?: string;
  /** Comma-separated API URL prefixes that get the access token. */
  secureRoutes?: string;
  /** Do not add the callback route. */
  skipRoutes?: boolean;
  /** `true`: providers; `false`: AuthConfigModule; unset: detected from the app. */
  standalone?: boolean;
}
