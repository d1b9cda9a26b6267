import type { LockPort } from '../core/session';

/**
 * What a refresh needs from the other tabs: a lock held across them, and a
 * wait for a write another tab makes to the session. Only renewals use these,
 * so they are in the lazy actions chunk (see session-ports in auth-context.ts).
 */

/** Chains tasks per lock name inside this tab, for browsers without Web Locks. */
function inTabLock(): LockPort {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(name: string, task: (contended: boolean) => Promise<T>): Promise<T> => {
    const tail = tails.get(name);
    const run = tail ? tail.then(() => task(true)) : task(false);
    const settled = run.catch(() => undefined);
    tails.set(name, settled);
    void settled.then(() => tails.get(name) === settled && tails.delete(name));
    return run;
  };
}

/** The part of `navigator.locks` the library uses. */
interface LockManagerLike {
  request<T>(name: string, options: { ifAvailable: true }, callback: (lock: unknown) => Promise<T>): Promise<T>;
  request<T>(name: string, callback: (lock: unknown) => Promise<T>): Promise<T>;
}

/**
 * A {@link LockPort} over the Web Locks API, held across every tab of the
 * origin: it first asks for the lock only if free, so a task knows whether
 * another tab held it. Where `navigator.locks` is missing (old browsers,
 * insecure contexts), a lock inside this tab only.
 * @see https://w3c.github.io/web-locks/#api-lock-manager-request
 */
export function webLockPort(nav: { locks?: LockManagerLike } | undefined = globalThis.navigator as { locks?: LockManagerLike } | undefined): LockPort {
  const locks = nav?.locks;
  if (!locks || typeof locks.request !== 'function') return inTabLock();
  return <T>(name: string, task: (contended: boolean) => Promise<T>) =>
    locks.request(name, { ifAvailable: true }, (free) => (free ? task(false) : locks.request(name, () => task(true))));
}

/**
 * Resolves when `key` changes in shared storage through another tab (the
 * `storage` event: the write is visible here from then on), or after `timeoutMs`.
 * @see https://html.spec.whatwg.org/multipage/webstorage.html#the-storageevent-interface
 */
export function storageChange(view: Window, key: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      view.removeEventListener('storage', onStorage);
      resolve();
    };
    const onStorage = (event: StorageEvent) => event.key === key && done();
    const timer = setTimeout(done, timeoutMs);
    view.addEventListener('storage', onStorage);
  });
}
