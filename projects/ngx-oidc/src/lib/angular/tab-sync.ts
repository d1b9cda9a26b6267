import type { LockPort } from '../core/session';

/**
 * Browser glue for several tabs of one app: a cross-tab lock for refreshes and
 * a channel that tells the other tabs when the session changed.
 */

/** Chains tasks per lock name inside this tab, for browsers without Web Locks. */
function inTabLock(): LockPort {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(name: string, task: () => Promise<T>): Promise<T> => {
    const run = (tails.get(name) ?? Promise.resolve()).then(task, task);
    tails.set(name, run.catch(() => undefined));
    return run;
  };
}

/** The part of `navigator.locks` the library uses. */
interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/**
 * A {@link LockPort} over the Web Locks API, held across every tab of the
 * origin; where `navigator.locks` is missing (old browsers, insecure
 * contexts), a lock inside this tab only.
 * @see https://w3c.github.io/web-locks/
 */
export function webLockPort(nav: { locks?: LockManagerLike } | undefined = globalThis.navigator as { locks?: LockManagerLike } | undefined): LockPort {
  const locks = nav?.locks;
  if (!locks || typeof locks.request !== 'function') return inTabLock();
  return <T>(name: string, task: () => Promise<T>) => locks.request(name, task);
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
