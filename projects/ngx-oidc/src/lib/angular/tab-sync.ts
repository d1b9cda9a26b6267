import type { ResolvedOidcConfig } from '../core/config';
import type { LockPort } from '../core/session';
import type { OidcAuth } from './oidc-auth';

/**
 * Browser glue for several tabs of one app: a cross-tab lock for refreshes and
 * a channel that tells the other tabs when the session changed.
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

/** A message between tabs: the session changed (re-read storage), or ended. */
export interface TabMessage {
  readonly type: 'session' | 'logout';
}

function isTabMessage(value: unknown): value is TabMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'session' || type === 'logout';
}

/** A BroadcastChannel for one config id; silent where BroadcastChannel is missing. */
export class TabChannel {
  private readonly channel: BroadcastChannel | undefined;

  /** @param name - the channel name, one per config id. */
  constructor(name: string) {
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(name) : undefined;
  }

  /** Tells the other tabs. */
  post(message: TabMessage): void {
    this.channel?.postMessage(message);
  }

  /** Calls `handler` for each valid message from another tab. */
  listen(handler: (message: TabMessage) => void): void {
    if (this.channel) this.channel.onmessage = (event: MessageEvent<unknown>) => isTabMessage(event.data) && handler(event.data);
  }

  /** Stops listening. */
  close(): void {
    this.channel?.close();
  }
}

/**
 * Follows the other tabs of this config: a logout there ends the session
 * here; a renewal or a new login there is read from shared storage (the
 * signals follow, and a renewal waiting here is dropped).
 */
export function listenToOtherTabs(auth: OidcAuth, config: ResolvedOidcConfig): void {
  auth.channel = new TabChannel(`ngx-oidc.${config.configId}`);
  auth.channel.listen((message) => {
    if (message.type === 'logout') {
      void auth.loaded?.session.logoutLocal();
      auth.retryAt = undefined;
      auth.renewalPhase.set(null);
      auth.setSession(null);
      auth.emit({ type: 'LoggedOut' });
    } else {
      // Shared storage (localStorage) holds the other tab's new tokens; per-tab storage keeps its own.
      const stored = auth.loaded?.session.restore() ?? null;
      if (!stored || !auth.loaded?.session.needsRenewal(stored)) {
        // The other tab renewed (or ended) the shared session: nothing is waiting here any more.
        auth.retryAt = undefined;
        auth.renewalPhase.set(null);
      }
      auth.setSession(stored);
      auth.emit({ type: 'SessionChangedInOtherTab' });
    }
  });
}
