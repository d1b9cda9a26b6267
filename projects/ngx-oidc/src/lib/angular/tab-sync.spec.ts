import { deferred } from '../../test/helpers';
import { storageChange, webLockPort } from './tab-lock';
import { TabChannel } from './tab-sync';

describe('webLockPort', () => {
  /** A small Web Locks stand-in: exclusive locks by name, with `ifAvailable`. */
  function fakeLocks() {
    const held = new Map<string, Promise<unknown>>();
    const requests: string[] = [];
    const run = <T>(name: string, callback: (lock: unknown) => Promise<T>): Promise<T> => {
      const before = held.get(name) ?? Promise.resolve();
      const result = before.then(() => callback({ name }));
      held.set(name, result.catch(() => undefined));
      return result;
    };
    const request = <T>(name: string, a: { ifAvailable: true } | ((lock: unknown) => Promise<T>), b?: (lock: unknown) => Promise<T>) => {
      requests.push(typeof a === 'function' ? `${name} wait` : `${name} if-available`);
      if (typeof a === 'function') return run(name, a);
      return held.has(name) && b ? b(null) : run(name, b!);
    };
    type Locks = NonNullable<NonNullable<Parameters<typeof webLockPort>[0]>['locks']>;
    return { locks: { request } as unknown as Locks, requests, held };
  }

  it('uses navigator.locks: a free lock runs at once, a held one waits and says it was contended', async () => {
    const { locks, requests } = fakeLocks();
    const lock = webLockPort({ locks });
    const started = deferred();
    const held = deferred();
    // The first task holds the lock until the test lets it go.
    const first = lock('refresh', async (contended) => {
      started.resolve();
      await held.promise;
      return contended;
    });
    const second = lock('refresh', async (contended) => contended);
    await started.promise;
    held.resolve();
    await expect(first).resolves.toBe(false);
    await expect(second).resolves.toBe(true);
    expect(requests).toEqual(['refresh if-available', 'refresh if-available', 'refresh wait']);
  });

  it('falls back to a lock inside the tab that runs tasks one at a time, even after a failure', async () => {
    const lock = webLockPort({});
    const order: string[] = [];
    const held = deferred();
    const slow = lock('a', async (contended) => {
      await held.promise;
      order.push(`first ${contended}`);
      throw new Error('first failed');
    });
    const fast = lock('a', async (contended) => {
      order.push(`second ${contended}`);
      return 'ok';
    });
    // The second task asked while the first held the lock.
    held.resolve();
    await expect(slow).rejects.toThrow('first failed');
    await expect(fast).resolves.toBe('ok');
    expect(order).toEqual(['first false', 'second true']);
    await expect(lock('a', async (contended) => contended)).resolves.toBe(false);
  });

  it('does not serialize different lock names', async () => {
    const lock = webLockPort(undefined);
    const order: string[] = [];
    const held = deferred();
    const a = lock('a', async () => {
      await held.promise;
      order.push('a');
    });
    const b = lock('b', async () => void order.push('b'));
    // Asked for while 'a' is held: one queue for both names would run 'b' only after 'a'.
    held.resolve();
    await Promise.all([a, b]);
    expect(order).toEqual(['b', 'a']);
  });
});

describe('storageChange', () => {
  it('resolves when another tab changes the key', async () => {
    let resolved = false;
    const change = storageChange(window, 'k', 5000).then(() => (resolved = true));
    window.dispatchEvent(new StorageEvent('storage', { key: 'other' }));
    await Promise.resolve();
    expect(resolved).toBe(false);
    window.dispatchEvent(new StorageEvent('storage', { key: 'k' }));
    await change;
    expect(resolved).toBe(true);
  });

  it('resolves after the timeout when nothing changes', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      let resolved = false;
      const change = storageChange(window, 'k', 5000);
      void change.then(() => (resolved = true));
      await jest.advanceTimersByTimeAsync(4999);
      expect(resolved).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(resolved).toBe(true);
      await expect(change).resolves.toBeUndefined();
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('TabChannel', () => {
  it('is silent where BroadcastChannel is missing', () => {
    const original = (globalThis as { BroadcastChannel?: unknown }).BroadcastChannel;
    delete (globalThis as { BroadcastChannel?: unknown }).BroadcastChannel;
    const channel = new TabChannel('x');
    const heard: unknown[] = [];
    channel.listen((m) => heard.push(m));
    channel.post({ type: 'logout' });
    channel.close();
    expect(heard).toEqual([]);
    (globalThis as { BroadcastChannel?: unknown }).BroadcastChannel = original;
  });
});
