import type { DPoPKey } from './dpop';

/**
 * Where the DPoP key pair of each config id lives. The refresh token of a
 * public client is bound to the key (RFC 9449 5), so every tab and a reload
 * must find the same one: IndexedDB keeps a non-extractable `CryptoKey` as it
 * is (structured clone), without ever exposing its private part.
 */
export interface DPoPKeyStore {
  /** The key of `configId`, or `null`. */
  load(configId: string): Promise<DPoPKey | null>;
  /** Stores `key` for `configId`, replacing any other. */
  save(configId: string, key: DPoPKey): Promise<void>;
  /** Deletes the key of `configId` (logout). */
  remove(configId: string): Promise<void>;
}

/** A {@link DPoPKeyStore} in memory: one tab, gone on reload (tests, or no IndexedDB). */
export class MemoryDPoPKeyStore implements DPoPKeyStore {
  private readonly keys = new Map<string, DPoPKey>();

  /** The key of `configId`, or `null`. */
  async load(configId: string): Promise<DPoPKey | null> {
    return this.keys.get(configId) ?? null;
  }

  /** Stores `key` for `configId`. */
  async save(configId: string, key: DPoPKey): Promise<void> {
    this.keys.set(configId, key);
  }

  /** Deletes the key of `configId`. */
  async remove(configId: string): Promise<void> {
    this.keys.delete(configId);
  }
}

function isDPoPKey(value: unknown): value is DPoPKey {
  const v = value as Partial<DPoPKey> | null;
  return typeof v === 'object' && v !== null && typeof v.alg === 'string' && typeof v.privateKey === 'object' && typeof v.publicKey === 'object';
}

/**
 * Runs one request against the key object store of `dbName`; settles once its
 * transaction has committed (a write is durable then: a logout's deletion, a
 * login's new key before the redirect) or failed.
 */
function withStore<T>(factory: IDBFactory, dbName: string, mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const open = factory.open(dbName, 1);
    open.onupgradeneeded = () => open.result.createObjectStore('keys');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const fail = (error: unknown) => {
        db.close();
        reject(error);
      };
      try {
        const transaction = db.transaction('keys', mode);
        const request = run(transaction.objectStore('keys'));
        transaction.oncomplete = () => {
          db.close();
          resolve(request.result);
        };
        transaction.onerror = () => fail(transaction.error ?? request.error);
        transaction.onabort = () => fail(transaction.error);
      } catch (e) {
        // The database is closing or lacks its store (a failed upgrade): no transaction.
        fail(e);
      }
    };
  });
}

/**
 * A {@link DPoPKeyStore} over IndexedDB (database `dbName`, one entry per
 * config id), shared by every tab of the origin.
 */
export function indexedDbDPoPKeyStore(factory: IDBFactory = globalThis.indexedDB, dbName = 'ngx-oidc-dpop'): DPoPKeyStore {
  return {
    load: async (configId) => {
      const value = await withStore<unknown>(factory, dbName, 'readonly', (store) => store.get(configId));
      return isDPoPKey(value) ? value : null;
    },
    save: async (configId, key) => {
      await withStore(factory, dbName, 'readwrite', (store) => store.put(key, configId));
    },
    remove: async (configId) => {
      await withStore(factory, dbName, 'readwrite', (store) => store.delete(configId));
    },
  };
}
