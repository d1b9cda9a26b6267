/** Small helpers shared by the unit tests. Not published. */
import type { OidcHttpResponse } from '../lib/core/http';

/** The error `fn` throws; fails the test when it does not throw. */
export function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

/**
 * An HTTP answer as the network port hands it over: a string body is sent as
 * it is, anything else as JSON (with a JSON content type unless `headers` says otherwise).
 */
export function answer(status: number, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): OidcHttpResponse {
  return { status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

/**
 * Puts the library's timers on jest's fake clock (`jest.advanceTimersByTimeAsync`
 * moves it); promises, `queueMicrotask`, `nextTick` and `setImmediate` stay real.
 * Undo with `jest.useRealTimers()` after the test.
 */
export function useFakeClock(): void {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
}

/** A promise the test settles by hand: a request held at a gate, a task that runs until it is released. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

/** A {@link Deferred}: `promise` settles when the test calls `resolve`. */
export function deferred<T = void>(): Deferred<T> {
  let settle: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (settle = r));
  return { promise, resolve: (value: T) => settle(value) };
}

/**
 * The first element of the page that matches `selector`: at once when it is
 * there, else as soon as a change of the DOM makes it match (a
 * MutationObserver: the change is the event awaited, nothing is polled). For
 * elements the library adds at the end of an async chain, such as the silent
 * renew iframe once its request is signed (real WebCrypto).
 */
export function elementInPage<T extends Element = Element>(selector: string): Promise<T> {
  const found = document.querySelector<T>(selector);
  if (found) return Promise.resolve(found);
  return new Promise<T>((resolve) => {
    const observer = new MutationObserver(() => {
      const element = document.querySelector<T>(selector);
      if (!element) return;
      observer.disconnect();
      resolve(element);
    });
    observer.observe(document, { childList: true, subtree: true, attributes: true });
  });
}
