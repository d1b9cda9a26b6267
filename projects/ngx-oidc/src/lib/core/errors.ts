import { ɵDEV as DEV } from 'ngx-oidc/dev-mode';

/**
 * Every failure the library reports, as one error class with a stable code.
 *
 * Apps branch on {@link OidcError.code}; people debug from `cause`, which holds
 * the evidence (expected and actual values, the provider's `error`, the HTTP
 * status). A provider's own OAuth `error` string is never used as a code: it is
 * in `cause.error` and in {@link OidcError.oauthError}.
 */

/**
 * The codes an {@link OidcError} can carry, one per way a step can fail.
 *
 * - Configuration: `CONFIG_INVALID`, `INSECURE_URL`.
 * - Transport: `NETWORK_ERROR` (no answer), `TIMEOUT` (no answer within
 *   `httpTimeoutInSeconds`), `HTTP_ERROR` (unexpected status without an OAuth
 *   error body), `INVALID_RESPONSE` (not JSON, or the wrong shape).
 * - Storage: `STORAGE_UNAVAILABLE` (no Web Storage to keep a pending login in).
 * - Discovery and keys: `DISCOVERY_ISSUER_MISMATCH`, `DISCOVERY_INVALID`,
 *   `JWKS_INVALID`, `JWKS_NO_MATCHING_KEY`.
 * - ID token (OIDC Core 3.1.3.7): `ID_TOKEN_MALFORMED`, `ID_TOKEN_ALG_NOT_ALLOWED`,
 *   `ID_TOKEN_SIGNATURE_INVALID`, `ID_TOKEN_ISS_MISMATCH`, `ID_TOKEN_AUD_MISMATCH`,
 *   `ID_TOKEN_AZP_MISMATCH`, `ID_TOKEN_EXPIRED`, `ID_TOKEN_IAT_INVALID`,
 *   `ID_TOKEN_NONCE_MISMATCH`, `ID_TOKEN_SUB_MISSING`, `ID_TOKEN_AUTH_TIME_INVALID`,
 *   `ID_TOKEN_ACR_MISMATCH` (not one of the `acrValues` asked for), `ID_TOKEN_AT_HASH_MISMATCH`, `ID_TOKEN_REFRESH_MISMATCH` (OIDC Core 12.2).
 * - Authorization response: `STATE_MISMATCH`, `ISS_MISMATCH` (RFC 9207),
 *   `AUTHORIZATION_ERROR` (the provider answered with `error`), `CALLBACK_INVALID`.
 * - Endpoints: `TOKEN_ERROR`, `TOKEN_RESPONSE_INVALID`, `DPOP_NOT_BOUND` (DPoP
 *   was used but the provider answered an unbound `Bearer` token), `PAR_ERROR`,
 *   `USERINFO_ERROR`, `USERINFO_SUB_MISMATCH`, `REVOCATION_ERROR`.
 * - Session: `NO_SESSION`, `NO_REFRESH_TOKEN`, `RENEW_TIMEOUT`, `LOGIN_REQUIRED`,
 *   `SESSION_CHANGED` (the provider's session changed and could not be re-checked).
 * - Popup sign-in: `POPUP_BLOCKED` (the browser refused to open the window),
 *   `POPUP_CLOSED` (the user closed it before the provider answered),
 *   `POPUP_TIMEOUT` (no answer within `popupTimeoutInSeconds`).
 * - Step-up (RFC 9470): `STEP_UP_FAILED` (an API still demands a stronger
 *   sign-in that the session already has, or that was just asked for).
 * - `UNEXPECTED_ERROR`: anything else (a bug, not the provider); the original error is `cause.reason`.
 *
 * Transient failures (no answer, a timeout, 5xx, 408, 429, or an OAuth
 * `temporarily_unavailable`/`server_error`) carry `cause.retryAt`
 * when the session scheduled a retry.
 */
export type OidcErrorCode =
  | 'CONFIG_INVALID'
  | 'INSECURE_URL'
  | 'NETWORK_ERROR'
  | 'TIMEOUT'
  | 'STORAGE_UNAVAILABLE'
  | 'HTTP_ERROR'
  | 'INVALID_RESPONSE'
  | 'DISCOVERY_ISSUER_MISMATCH'
  | 'DISCOVERY_INVALID'
  | 'JWKS_INVALID'
  | 'JWKS_NO_MATCHING_KEY'
  | 'ID_TOKEN_MALFORMED'
  | 'ID_TOKEN_ALG_NOT_ALLOWED'
  | 'ID_TOKEN_SIGNATURE_INVALID'
  | 'ID_TOKEN_ISS_MISMATCH'
  | 'ID_TOKEN_AUD_MISMATCH'
  | 'ID_TOKEN_AZP_MISMATCH'
  | 'ID_TOKEN_EXPIRED'
  | 'ID_TOKEN_IAT_INVALID'
  | 'ID_TOKEN_NONCE_MISMATCH'
  | 'ID_TOKEN_SUB_MISSING'
  | 'ID_TOKEN_AUTH_TIME_INVALID'
  | 'ID_TOKEN_ACR_MISMATCH'
  | 'ID_TOKEN_AT_HASH_MISMATCH'
  | 'ID_TOKEN_REFRESH_MISMATCH'
  | 'STATE_MISMATCH'
  | 'ISS_MISMATCH'
  | 'AUTHORIZATION_ERROR'
  | 'CALLBACK_INVALID'
  | 'TOKEN_ERROR'
  | 'TOKEN_RESPONSE_INVALID'
  | 'DPOP_NOT_BOUND'
  | 'PAR_ERROR'
  | 'USERINFO_ERROR'
  | 'USERINFO_SUB_MISMATCH'
  | 'REVOCATION_ERROR'
  | 'NO_SESSION'
  | 'NO_REFRESH_TOKEN'
  | 'RENEW_TIMEOUT'
  | 'LOGIN_REQUIRED'
  | 'SESSION_CHANGED'
  | 'POPUP_BLOCKED'
  | 'POPUP_CLOSED'
  | 'POPUP_TIMEOUT'
  | 'STEP_UP_FAILED'
  | 'UNEXPECTED_ERROR';

/** The evidence attached to an {@link OidcError}: whatever helps to debug it. */
export interface OidcErrorCause {
  /** The OAuth 2.0 `error` a provider answered with, such as `access_denied`. */
  readonly error?: string;
  /** The provider's `error_description`, if any. */
  readonly error_description?: string;
  /** The HTTP status of the answer that failed, if any. */
  readonly status?: number;
  /** What the check expected. */
  readonly expected?: unknown;
  /** What the check found. */
  readonly actual?: unknown;
  /** Seconds the provider asked the client to wait (`Retry-After`, RFC 9110 10.2.3). */
  readonly retryAfter?: number;
  /** When the session will try again, milliseconds since the epoch (transient failures only). */
  readonly retryAt?: number;
  /** A lower-level error (network, jose) that led to this one. */
  readonly reason?: unknown;
  /** Anything else worth showing. */
  readonly [key: string]: unknown;
}

/**
 * True except in production builds, where every `DEV && 'sentence'` is
 * dropped: a production {@link OidcError}'s message is its code, and its
 * `cause` keeps the evidence. Declared in the `ngx-oidc/dev-mode` entry
 * point, whose module imports no other package, so that bundlers can inline it.
 */
export { DEV };

/**
 * The one error type the library throws and emits. Its message is a sentence
 * in development builds and the code in production builds (see
 * docs/troubleshooting.md for every code).
 *
 * @example
 * ```ts
 * try { await session.finishLogin(location.href); }
 * catch (e) { if (e instanceof OidcError && e.code === 'STATE_MISMATCH') { ... } }
 * ```
 */
export class OidcError extends Error {
  /** The cause, typed: see {@link OidcErrorCause}. */
  declare readonly cause: OidcErrorCause | undefined;

  /**
   * @param message - a sentence for people, never parsed; `false` (a
   *   production build, which drops the sentences) makes the code the message.
   * @param code - the stable code for programs.
   * @param cause - the evidence.
   */
  constructor(
    message: string | false,
    readonly code: OidcErrorCode,
    cause?: OidcErrorCause,
  ) {
    super(message || code, cause === undefined ? undefined : { cause });
    this.name = 'OidcError';
  }

  /** The provider's OAuth `error` (such as `access_denied` or `invalid_grant`), when it sent one. */
  get oauthError(): string | undefined {
    return this.cause?.error;
  }
}

/** True when `value` is an {@link OidcError}, optionally with one of the given codes. */
export function isOidcError(value: unknown, ...codes: OidcErrorCode[]): value is OidcError {
  return value instanceof OidcError && (codes.length === 0 || codes.includes(value.code));
}

/** `e` itself when it is an {@link OidcError}, else `e` wrapped as `UNEXPECTED_ERROR`. */
export function toOidcError(e: unknown): OidcError {
  return e instanceof OidcError ? e : new OidcError(e instanceof Error ? e.message : DEV && 'Unexpected failure', 'UNEXPECTED_ERROR', { reason: e });
}

/** OAuth `error` values that say the server is busy, not that the grant is bad (RFC 6749 4.1.2.1). */
const TRANSIENT_OAUTH_ERRORS: readonly string[] = ['temporarily_unavailable', 'server_error'];

/**
 * True for a failure that may go away by itself: no answer, a timeout (of a
 * request or of an iframe renew), a 5xx,
 * 408 or 429 status, or an OAuth `temporarily_unavailable`/`server_error`.
 * A session is kept through these and renewed later; any other failure
 * (`invalid_grant`, a failed check, `login_required`) is definitive.
 */
export function isTransientError(e: unknown): boolean {
  if (!(e instanceof OidcError)) return false;
  if (e.code === 'NETWORK_ERROR' || e.code === 'TIMEOUT' || e.code === 'RENEW_TIMEOUT') return true;
  if (e.oauthError !== undefined && TRANSIENT_OAUTH_ERRORS.includes(e.oauthError)) return true;
  // RFC 6749 5.2: a refused grant stays refused, whatever the status says.
  if (e.oauthError === 'invalid_grant') return false;
  const status = e.cause?.status;
  return typeof status === 'number' && (status >= 500 || status === 408 || status === 429);
}
