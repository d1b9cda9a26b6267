import { isJsonObject } from './http';
import { isStringOrAbsent } from './session-types';
import type { LoginTransaction, TransactionStore } from './transaction';

/*
 * Saving and taking pending logins: steps of the login (session-flows.ts),
 * loaded with the other protocol steps, not at start-up.
 */

function isBooleanOrAbsent(value: unknown): boolean {
  return value === undefined || typeof value === 'boolean';
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
    isStringOrAbsent(value['acrValues']) &&
    isBooleanOrAbsent(value['renew']) &&
    isBooleanOrAbsent(value['stepUp'])
  );
}

/** Stores `tx` under its `state`, and drops transactions older than the timeout. */
export function saveTransaction(store: TransactionStore, tx: LoginTransaction, now: number): void {
  const storage = store.requireStorage();
  pruneTransactions(store, now);
  storage.write(store.prefix + tx.state, JSON.stringify(tx));
}

/**
 * Takes the transaction of `state` out of storage (single use): it is
 * removed before it is returned. Only that one is touched; an unknown or
 * garbage entry yields `null`.
 */
export function takeTransaction(store: TransactionStore, state: string | undefined): LoginTransaction | null {
  const { storage } = store;
  if (!storage || !state) return null;
  const key = store.prefix + state;
  const raw = storage.read(key);
  if (raw === null) return null;
  storage.remove(key);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  // The entry must be the one for this state: a value copied under another key is refused.
  return isLoginTransaction(parsed) && parsed.state === state ? parsed : null;
}

/** Removes the transactions of this config id older than the timeout (and garbage). */
export function pruneTransactions(store: TransactionStore, now: number): void {
  const { storage } = store;
  if (!storage) return;
  for (const key of storage.keys()) {
    if (!key.startsWith(store.prefix)) continue;
    let createdAt: unknown;
    try {
      createdAt = (JSON.parse(storage.read(key) ?? 'null') as { createdAt?: unknown } | null)?.createdAt;
    } catch {
      createdAt = undefined;
    }
    if (typeof createdAt !== 'number' || now - createdAt > store.ttlSeconds) storage.remove(key);
  }
}
