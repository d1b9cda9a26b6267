import type { StandardClaims } from '../core/claims';
import type { IdTokenClaims } from '../core/id-token';
import type { UserInfo } from '../core/userinfo';

/*
 * The shapes of OidcAuth's API: the user, the options of its actions, the status.
 */

/**
 * The signed-in user: the ID token claims, merged with userinfo when loaded,
 * with the standard claims typed (OIDC Core 5.1) and the app's own claims
 * `TClaims` (see {@link injectAuth}).
 */
export type AuthUser<TClaims extends object = {}> = IdTokenClaims & StandardClaims & Partial<UserInfo> & Partial<TClaims>;

/** Options for {@link OidcAuth.login}. */
export interface LoginOptions {
  /** Extra authorization request parameters for this login. */
  readonly customParams?: Readonly<Record<string, string | number | boolean>>;
  /** Where to go after login (an app URL such as `/orders/7`). Default: the current route. */
  readonly returnUrl?: string;
  /** `prompt`, such as `login` to force the provider to ask again. */
  readonly prompt?: string;
  /**
   * `acr_values` (OIDC Core 3.1.2.1): the sign-in strengths asked for, space-separated, in order of
   * preference. The ID token's `acr` must then be one of them, else the login fails with
   * `ID_TOKEN_ACR_MISMATCH` (an `acr_values` in `customParams` is sent as is and not checked).
   */
  readonly acrValues?: string;
  /** `max_age` in seconds for this login, instead of the config's `maxAge`: the ID token's `auth_time` is then checked. */
  readonly maxAge?: number;
}

/** Options for {@link OidcAuth.loginWithPopup}. */
export interface PopupLoginOptions {
  /** Extra authorization request parameters for this login. */
  readonly customParams?: Readonly<Record<string, string | number | boolean>>;
  /** `prompt`, such as `login` to force the provider to ask again, or `select_account`. */
  readonly prompt?: string;
  /** The `window.open` features of the popup. Default: 500 × 640 pixels, centred on the app's window. */
  readonly windowFeatures?: string;
  /**
   * `acr_values` (OIDC Core 3.1.2.1): the sign-in strengths asked for, space-separated, in order of
   * preference. The ID token's `acr` must then be one of them, else the login fails with
   * `ID_TOKEN_ACR_MISMATCH` (an `acr_values` in `customParams` is sent as is and not checked).
   */
  readonly acrValues?: string;
  /** `max_age` in seconds for this login, instead of the config's `maxAge`: the ID token's `auth_time` is then checked. */
  readonly maxAge?: number;
}

/** @internal What a login the library starts itself adds to the app's options. */
export interface InternalLoginOptions extends LoginOptions, PopupLoginOptions {
  /** A step-up (`withStepUp()`): the new sign-in must be the signed-in user's. */
  readonly stepUp?: boolean;
}

/** Options for {@link OidcAuth.logout}. */
export interface LogoutOptions {
  /** Overrides `postLogoutRedirectUri` for this logout. */
  readonly postLogoutRedirectUri?: string;
  /** A `state` the provider hands back to the post-logout page. */
  readonly state?: string;
  /** Revoke the refresh and access tokens first. Default `true`. */
  readonly revoke?: boolean;
}

/**
 * Where the session stands, for an app to show:
 * - `loading`: the start-up check has not settled yet;
 * - `authenticated`: signed in, tokens fresh or renewable;
 * - `renewing`: a renewal is on its way;
 * - `retrying`: a renewal failed for a transient reason (provider down, 5xx,
 *   429, timeout, offline); the session is kept and a retry is scheduled with
 *   back-off (sooner when the browser comes back online or the tab becomes
 *   visible). The access token may have expired meanwhile;
 * - `unauthenticated`: no session.
 */
export type AuthStatus = 'loading' | 'authenticated' | 'renewing' | 'retrying' | 'unauthenticated';
