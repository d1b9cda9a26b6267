import { DEV, OidcError } from './errors';
import { type AuthStorage, webStorage } from './storage';

/**
 * Pending logins. Each authorization request is remembered under its own
 * `state` until its callback, so several can be pending at once (two tabs, an
 * iframe renew beside a login) and a callback can only consume its own: a
 * stray or forged one finds nothing and deletes nothing (RFC 6749 10.12).
 *
 * They live in sessionStorage whatever the token storage, because they must
 * survive the redirect to the provider and back: memory cannot.
 */

/** A started login, stored until its callback: single use. */
export interface LoginTransaction {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
  /** Seconds since the epoch. */
  readonly createdAt: number;
  readonly maxAge?: number;
  /** The `acr_values` sent: the ID token's `acr` must be one of them. */
  readonly acrValues?: string;
  /** A step-up (RFC 9470): the callback must be for the signed-in user. */
  readonly stepUp?: boolean;
  /** Where the app goes after login (an app-relative URL). */
  readonly returnUrl?: string;
  /** A renewal (iframe `prompt=none`): the user must stay the same. */
  readonly renew?: boolean;
}


/**
 * Where pending logins go: the page's sessionStorage, or `null` when the
 * browser offers none (then a login fails before it redirects).
 */
export function defaultTransactionStorage(): AuthStorage | null {
  return webStorage('sessionStorage');
}

/**
 * The pending logins of one config id, each under `ngx-oidc.<configId>.tx.<state>`.
 * Saving and taking them are steps of the login, in login-transaction.ts
 * (loaded with the protocol steps); this is what start-up and a popup need.
 */
export class TransactionStore {
  /** The key prefix of this config id's transactions. */
  readonly prefix: string;

  /**
   * @param storage - where they go; `null` when no Web Storage is usable.
   * @param configId - the namespace.
   * @param ttlSeconds - how long a transaction lives (`transactionTimeoutInSeconds`).
   */
  constructor(
    readonly storage: AuthStorage | null,
    configId: string,
    readonly ttlSeconds: number,
  ) {
    this.prefix = `ngx-oidc.${configId}.tx.`;
  }

  /** Fails with `STORAGE_UNAVAILABLE` unless a transaction can be kept across the redirect. */
  requireStorage(): AuthStorage {
    if (!this.storage) {
      throw new OidcError(DEV && 'No Web Storage is available to keep the login across the redirect', 'STORAGE_UNAVAILABLE');
    }
    return this.storage;
  }

  /** Removes the transaction of `state`, if any. */
  remove(state: string): void {
    this.storage?.remove(this.prefix + state);
  }
}

/**
 * The `state` sent with an RP-initiated logout, kept until the browser comes
 * back to `postLogoutRedirectUri`, where it is recognised and scrubbed from
 * the address bar (RP-Initiated Logout 1.0, 2 and 3).
 */
export class LogoutStateStore {
  private readonly key: string;

  /**
   * @param storage - where it goes (sessionStorage); `null`: nothing is kept.
   * @param configId - the namespace.
   */
  constructor(
    private readonly storage: AuthStorage | null,
    configId: string,
  ) {
    this.key = `ngx-oidc.${configId}.logout-state`;
  }

  /** Remembers `state` for the return. */
  save(state: string): void {
    this.storage?.write(this.key, state);
  }

  /** True when `state` is the one this tab sent; it is forgotten either way once matched. */
  take(state: string | null): boolean {
    const stored = this.storage?.read(this.key) ?? null;
    if (stored === null || state === null || stored !== state) return false;
    this.storage?.remove(this.key);
    return true;
  }
}
