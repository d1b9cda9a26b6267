import type { OidcError } from './errors';
import { type FetchJson, isJsonObject } from './http';
import type { IdTokenClaims } from './id-token';
import type { DPoPPort } from './dpop-port';
import type { pushedAuthorizationUrl } from './par';
import type { AuthStorage } from './storage';
import type { UserInfo } from './userinfo';
import type { ProviderMetadata } from './discovery';
import type { OidcSession } from './session';

/**
 * The protocol steps an {@link OidcSession} runs, as {@link SessionDeps.flows}
 * loads them (`loadSessionFlows` gives them: the module `session-flows.ts`,
 * which the compiler checks against this interface). The session's methods
 * call them; apps use those methods, not these.
 */
export interface SessionFlows {
  /** The authorization request of a login (see {@link OidcSession.beginLogin}). */
  beginLogin(
    s: OidcSession,
    options?: BeginLoginOptions,
  ): Promise<{
    /** Where to send the browser. */
    url: string;
    /** The request's `state`, which a PAR URL does not show. */
    state: string;
  }>;
  /** The callback of a login (see {@link OidcSession.finishLogin}). */
  finishLogin(s: OidcSession, callbackUrl: string): Promise<LoginResult>;
  /** The refresh grant, under the cross-tab lock (see {@link OidcSession.refresh}). */
  refreshLocked(s: OidcSession, seenRefreshToken: string | undefined, force: boolean, retryNow: boolean, contended: boolean): Promise<AuthSession>;
  /** Revocation and the end-session URL (see {@link OidcSession.endProviderSession}). */
  endProviderSession(
    s: OidcSession,
    ended: AuthSession | null,
    options?: { postLogoutRedirectUri?: string; state?: string; revoke?: boolean },
  ): Promise<LogoutResult>;
  /** The provider metadata (see {@link OidcSession.metadata}). */
  loadMetadata(s: OidcSession): Promise<ProviderMetadata>;
  /** Userinfo for the current session (see {@link OidcSession.loadUserInfo}). */
  fetchSessionUserInfo(s: OidcSession, current: AuthSession): Promise<UserInfo>;
  /** The network port with a timeout on every request (`httpTimeoutInSeconds`). */
  withTimeout(fetchJson: FetchJson, timeoutMs: number): FetchJson;
}

/*
 * The shapes OidcSession works with: the stored session and its shape check,
 * the ports it is given, the options of a login, the results.
 */

/** A signed-in session, as stored. */
export interface AuthSession {
  /** The raw ID token (used as `id_token_hint` at logout). */
  readonly idToken: string;
  /** The validated claims of the current ID token. */
  readonly idTokenClaims: IdTokenClaims;
  /** The access token for the APIs. */
  readonly accessToken: string;
  /** When the access token expires, seconds since the epoch; `null` when the provider did not say. */
  readonly accessTokenExpiresAt: number | null;
  /** When the access token was received, seconds since the epoch (its lifetime bounds the renewal lead). */
  readonly accessTokenReceivedAt?: number;
  /** The refresh token, when the provider issued one. */
  readonly refreshToken?: string;
  /** The granted scope, when the provider said. */
  readonly scope?: string;
  /** Userinfo claims, when loaded. */
  readonly userInfo?: UserInfo;
  /** OIDC Session Management `session_state`, when the provider sent one. */
  readonly sessionState?: string;
  /** `DPoP` when the tokens are bound to the DPoP key (RFC 9449): sent as `Authorization: DPoP`. */
  readonly tokenType?: 'DPoP';
}

export type { LoginTransaction } from './transaction';

/**
 * Runs `task` while holding a named lock shared by every tab (Web Locks), or
 * directly. `task` learns whether it had to wait for another holder.
 */
export type LockPort = <T>(name: string, task: (contended: boolean) => Promise<T>) => Promise<T>;

/** What the session needs from its host. */
export interface SessionDeps {
  /** The network port. */
  readonly fetchJson: FetchJson;
  /**
   * Loads the protocol steps (login, callback, refresh, userinfo, logout),
   * once: `loadSessionFlows`, which loads them with the Angular layer's lazy
   * chunk, so that an app's only lazy chunk holds every step. The session
   * calls it on first use; a returning user whose tokens are fresh never does.
   */
  readonly flows: () => Promise<SessionFlows>;
  /** Where the session and the caches are kept. */
  readonly storage: AuthStorage;
  /**
   * Where pending logins are kept across the redirect: sessionStorage by
   * default, whatever `storage` is; `null` when none is usable (a login then
   * fails with `STORAGE_UNAVAILABLE` before it redirects).
   */
  readonly transactionStorage?: AuthStorage | null;
  /** A number in [0, 1) for the back-off jitter. Default `Math.random`. */
  readonly random?: () => number;
  /**
   * DPoP (RFC 9449), from `dpopPort()` in `ngx-oidc/dpop`: proofs on the token requests and PAR,
   * `dpop_jkt` on the authorization request, bound tokens. Default: none.
   */
  readonly dpop?: DPoPPort;
  /** Now in seconds since the epoch. Default: the system clock. */
  readonly now?: () => number;
  /**
   * The PAR step (`pushedAuthorizationUrl` from par.ts). Optional so that apps
   * without PAR do not ship it; a login that needs PAR fails with
   * `CONFIG_INVALID` without it.
   */
  readonly pushedAuthorization?: typeof pushedAuthorizationUrl;
  /** A cross-tab lock for refreshes. Default: none (single tab). */
  readonly lock?: LockPort;
  /**
   * Resolves when another tab's write to the stored session becomes visible
   * here, or after `timeoutMs`. Browsers propagate shared storage between tabs
   * asynchronously, so a tab that waited for the refresh lock uses it before
   * concluding that nobody renewed. Default: none.
   */
  readonly sessionChanged?: (timeoutMs: number) => Promise<void>;
}

/** Options for {@link OidcSession.beginLogin}. */
export interface BeginLoginOptions {
  /** `prompt` (OIDC Core 3.1.2.1), such as `login`, `consent` or `none`. */
  readonly prompt?: string;
  /** Extra authorization parameters, on top of `customParamsAuthRequest`. */
  readonly customParams?: Readonly<Record<string, string | number | boolean>>;
  /** Where to go after login. */
  readonly returnUrl?: string;
  /** Another redirect URI (the silent-renew page). */
  readonly redirectUri?: string;
  /** A renewal: the callback must be for the same user. */
  readonly renew?: boolean;
  /** `acr_values` (OIDC Core 3.1.2.1), space-separated: the ID token's `acr` must then be one of them. */
  readonly acrValues?: string;
  /** `max_age` in seconds for this login, instead of the config's `maxAge`: `auth_time` is then checked. */
  readonly maxAge?: number;
  /** A step-up (RFC 9470): the callback must be for the user signed in now. */
  readonly stepUp?: boolean;
}

/** The outcome of {@link OidcSession.logout}. */
export interface LogoutResult {
  /** Where to send the browser to end the provider's session, or `null` when the provider has no end-session endpoint. */
  readonly endSessionUrl: string | null;
  /** Revocation or discovery failures; the local session is gone regardless. */
  readonly errors: readonly OidcError[];
}

/** The outcome of {@link OidcSession.finishLogin}. */
export interface LoginResult {
  /** The new session. */
  readonly session: AuthSession;
  /** The return URL stored when the login began. */
  readonly returnUrl?: string;
}

/** True for a string or nothing: the shape of an optional string field read from storage. */
export function isStringOrAbsent(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

/** Shape check for a stored session: anything else counts as absent. */
export function isAuthSession(value: unknown): value is AuthSession {
  if (!isJsonObject(value)) return false;
  const claims = value['idTokenClaims'];
  return (
    typeof value['idToken'] === 'string' &&
    typeof value['accessToken'] === 'string' &&
    (value['accessTokenExpiresAt'] === null || typeof value['accessTokenExpiresAt'] === 'number') &&
    (value['accessTokenReceivedAt'] === undefined || typeof value['accessTokenReceivedAt'] === 'number') &&
    isStringOrAbsent(value['refreshToken']) &&
    isStringOrAbsent(value['scope']) &&
    isStringOrAbsent(value['sessionState']) &&
    (value['tokenType'] === undefined || value['tokenType'] === 'DPoP') &&
    (value['userInfo'] === undefined || (isJsonObject(value['userInfo']) && typeof value['userInfo']['sub'] === 'string')) &&
    isJsonObject(claims) &&
    typeof claims['iss'] === 'string' &&
    typeof claims['sub'] === 'string' &&
    typeof claims['exp'] === 'number' &&
    typeof claims['iat'] === 'number'
  );
}
