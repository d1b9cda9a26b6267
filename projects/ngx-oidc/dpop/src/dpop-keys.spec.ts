import { indexedDbDPoPKeyStore } from './dpop-keys';

/*
 * jsdom has no IndexedDB: a hand-made one, only as much of it as the store
 * uses, whose events the test fires in the order a browser does (the request
 * succeeds, then its transaction commits or aborts).
 */

type Handler = (() => void) | null;

class FakeRequest<T> {
  result = undefined as T;
  error: DOMException | null = null;
  onsuccess: Handler = null;
  onerror: Handler = null;
  onupgradeneeded: Handler = null;
}

class FakeTransaction {
  error: DOMException | null = null;
  oncomplete: Handler = null;
  onerror: Handler = null;
  onabort: Handler = null;
  readonly requests: FakeRequest<unknown>[] = [];
  constructor(private readonly data: Map<string, unknown>) {}
  objectStore() {
    const request = <T>(result: T, apply: () => void) => {
      const r = new FakeRequest<T>();
      r.result = result;
      this.requests.push(r);
      this.apply = apply;
      return r;
    };
    return {
      get: (key: string) => request(this.data.get(key), () => undefined),
      put: (value: unknown, key: string) => request(key, () => this.data.set(key, value)),
      delete: (key: string) => request(undefined, () => this.data.delete(key)),
    };
  }
  apply: () => void = () => undefined;
}

class FakeDatabase {
  closed = false;
  readonly transactions: FakeTransaction[] = [];
  constructor(private readonly data: Map<string, unknown>) {}
  transaction() {
    const tx = new FakeTransaction(this.data);
    this.transactions.push(tx);
    return tx;
  }
  createObjectStore() {
    return undefined;
  }
  close() {
    this.closed = true;
  }
}

/** A factory whose every `open` succeeds with one database over `data`. */
function fakeIndexedDb(data = new Map<string, unknown>()) {
  const db = new FakeDatabase(data);
  const factory = {
    open: () => {
      const open = new FakeRequest<FakeDatabase>();
      open.result = db;
      queueMicrotask(() => open.onsuccess?.());
      return open;
    },
  };
  /** The transaction the store opened, once it has. */
  const transaction = async (): Promise<FakeTransaction> => {
    for (let hop = 0; hop < 50 && db.transactions.length === 0; hop++) await Promise.resolve();
    const tx = db.transactions.at(-1);
    if (!tx) throw new Error('the store opened no transaction');
    return tx;
  };
  return { factory: factory as unknown as IDBFactory, db, data, transaction };
}

const KEY = { alg: 'ES256', privateKey: {}, publicKey: {} } as never;

/** Lets every promise reaction already queued run (a few hops of async functions), without any timer. */
async function settled(): Promise<void> {
  for (let hop = 0; hop < 10; hop++) await Promise.resolve();
}

describe('indexedDbDPoPKeyStore', () => {
  it('saves only once the transaction has committed, not when its request succeeded', async () => {
    const idb = fakeIndexedDb();
    const store = indexedDbDPoPKeyStore(idb.factory);
    let saved = false;
    const saving = store.save('default', KEY).then(() => (saved = true));
    const tx = await idb.transaction();
    tx.requests[0]!.onsuccess?.();
    await settled();
    expect(saved).toBe(false);
    tx.apply();
    tx.oncomplete?.();
    await saving;
    expect(idb.data.get('default')).toBe(KEY);
    expect(idb.db.closed).toBe(true);
  });

  it('fails a write whose transaction aborts after its request succeeded (quota, a crash), with the cause', async () => {
    const idb = fakeIndexedDb();
    const store = indexedDbDPoPKeyStore(idb.factory);
    const removing = store.remove('default');
    const tx = await idb.transaction();
    tx.requests[0]!.onsuccess?.();
    tx.error = new DOMException('quota', 'QuotaExceededError');
    tx.onabort?.();
    await expect(removing).rejects.toBe(tx.error);
    expect(idb.db.closed).toBe(true);
  });

  it('fails, instead of throwing inside an event handler, when no transaction can be opened', async () => {
    const idb = fakeIndexedDb();
    const closing = new DOMException('The database connection is closing.', 'InvalidStateError');
    idb.db.transaction = () => {
      throw closing;
    };
    await expect(indexedDbDPoPKeyStore(idb.factory).load('default')).rejects.toBe(closing);
  });

  it('loads a stored key once its transaction completes, and nothing that is not a key', async () => {
    const idb = fakeIndexedDb(new Map<string, unknown>([['default', KEY], ['other', { alg: 'ES256' }]]));
    const store = indexedDbDPoPKeyStore(idb.factory);
    for (const [configId, expected] of [['default', KEY], ['other', null]] as const) {
      const loading = store.load(configId);
      const tx = await idb.transaction();
      tx.requests[0]!.onsuccess?.();
      tx.oncomplete?.();
      await expect(loading).resolves.toBe(expected);
      idb.db.transactions.length = 0;
    }
  });
});
