import { TabChannel, webLockPort } from './tab-sync';

describe('webLockPort', () => {
  it('uses navigator.locks when the browser has Web Locks', async () => {
    const names: string[] = [];
    const locks = { request: <T>(name: string, task: () => Promise<T>) => (names.push(name), task()) };
    await expect(webLockPort({ locks })('refresh', async () => 42)).resolves.toBe(42);
    expect(names).toEqual(['refresh']);
  });

  it('falls back to a lock inside the tab that runs tasks one at a time, even after a failure', async () => {
    const lock = webLockPort({});
    const order: string[] = [];
    const slow = lock('a', async () => {
      await new Promise((r) => setTimeout(r, 20));
      order.push('first');
      throw new Error('first failed');
    });
    const fast = lock('a', async () => {
      order.push('second');
      return 'ok';
    });
    await expect(slow).rejects.toThrow('first failed');
    await expect(fast).resolves.toBe('ok');
    expect(order).toEqual(['first', 'second']);
  });

  it('does not serialize different lock names', async () => {
    const lock = webLockPort(undefined);
    const order: string[] = [];
    const a = lock('a', () => new Promise<void>((r) => setTimeout(() => (order.push('a'), r()), 20)));
    const b = lock('b', async () => void order.push('b'));
    await Promise.all([a, b]);
    expect(order).toEqual(['b', 'a']);
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
