import { OidcError } from './errors';
import { isJsonObject } from './http';
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
  /** Where the app goes after login (an app-relative URL). */
  readonly returnUrl?: string;
  /** A renewal (iframe `prompt=none`): the user must stay the same. */
  readonly renew?: boolean;
}

function isStringOrAbsent(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

/** Shape check for a stored login transaction. */
export function isLoginTransaction(value: unknown): value is LoginTransaction {
  return (
    isJsonObject(value) &&
    typeof value['state'] === 'string' &&
    typeof value['nonce'] === 'string' &&
    typeof value['codeVerifier'] === 'string' &&
    typeof value['redirectUri'] === 'string' &&
    typeof value['createdAt'] === 'number' &&
    (value['maxAge'] === undefined || typeof value['maxAge'] === 'number') &&
    isStringOrAbsent(value['returnUrl']) &&
    (value['renew'] === undefined || typeof value['renew'] === 'boolean')
  );
}

/**
 * Where pending logins go: the page's sessionStorage, or `null` when the
 * browser offers none (then a login fails before it redirects).
 */
export function defaultTransactionStorage(): AuthStorage | null {
  return webStorage('sessionStorage');
}

/** The pending logins of one config id, each under `ngx-oidc.<configId>.tx.<state>`. */
export class TransactionStore {
  private readonly prefix: string;

  /**
   * @param storage - where they go; `null` when no Web Storage is usable.
   * @param configId - the namespace.
   * @param ttlSeconds - how long a transaction lives (`transactionTimeoutInSeconds`).
   */
  constructor(
    private readonly storage: AuthStorage | null,
    configId: string,
    private readonly ttlSeconds: number,
  ) {
    this.prefix = `ngx-oidc.${configId}.tx.`;
  }

  /** Fails with `STORAGE_UNAVAILABLE` unless a transaction can be kept across the redirect. */
  requireStorage(): AuthStorage {
    if (!this.storage) {
      throw new OidcError('No Web Storage is available to keep the login across the redirect', 'STORAGE_UNAVAILABLE');
    }
    return this.storage;
  }

  /** Stores `tx` under its `state`, and drops transactions older than the timeout. */
  save(tx: LoginTransaction, now: number): void {
    const storage = this.requireStorage();
    this.prune(now);
    storage.write(this.prefix + tx.state, JSON.stringify(tx));
  }

  /**
   * Takes the transaction of `state` out of storage (single use): it is
   * removed before it is returned. Only that one is touched; an unknown or
   * garbage entry yields `null`.
   */
  take(state: string | undefined): LoginTransaction | null {
    if (!this.storage || !state) return null;
    const key = this.prefix + state;
    const raw = this.storage.read(key);
    if (raw === null) return null;
    this.storage.remove(key);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return null;
    }
    // The entry must be the one for this state: a value copied under another key is refused.
    return isLoginTransaction(parsed) && parsed.state === state ? parsed : null;
  }

  /** Removes the transaction of `state`, if any. */
  remove(state: string): void {
    this.storage?.remove(this.prefix + state);
  }

  /** Removes transactions older than the timeout (and garbage) of this config id. */
  prune(now: number): void {
    const storage = this.storage;
    if (!storage) return;
    for (const key of storage.keys()) {
      if (!key.startsWith(this.prefix)) continue;
      let createdAt: unknown;
      try {
        createdAt = (JSON.parse(storage.read(key) ?? 'null') as { createdAt?: unknown } | null)?.createdAt;
      } catch {
        createdAt = undefined;
      }
      if (typeof createdAt !== 'number' || now - createdAt > this.ttlSeconds) storage.remove(key);
    }
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
