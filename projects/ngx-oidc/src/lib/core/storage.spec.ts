import { AuthStorage, MemoryStorage, Store, type StoreKey, WebStorage, createStorage } from './storage';

const ALL_KEYS: readonly StoreKey[] = ['discovery', 'jwks', 'session', 'renewal'];

/** A Web Storage area that is blocked: every call throws, as in a sandboxed iframe or some privacy modes. */
class BlockedStorage implements Storage {
  [name: string]: unknown;
  readonly calls: string[] = [];

  get length(): number {
    return 0;
  }

  clear(): void {
    throw this.denied('clear');
  }

  getItem(_key: string): string | null {
    throw this.denied('getItem');
  }

  key(_index: number): string | null {
    throw this.denied('key');
  }

  removeItem(_key: string): void {
    throw this.denied('removeItem');
  }

  setItem(_key: string, _value: string): void {
    throw this.denied('setItem');
  }

  private denied(method: string): Error {
    this.calls.push(method);
    return new DOMException('The operation is insecure.', 'SecurityError');
  }
}

type Area = 'sessionStorage' | 'localStorage';

/** Replaces `globalThis[area]` for the duration of `body`, then restores it. */
function withArea(area: Area, descriptor: PropertyDescriptor, body: () => void): void {
  const own = Object.getOwnPropertyDescriptor(globalThis, area);
  Object.defineProperty(globalThis, area, { configurable: true, ...descriptor });
  try {
    body();
  } finally {
    if (own) Object.defineProperty(globalThis, area, own);
    else delete (globalThis as { [k in Area]?: Storage })[area];
  }
}

const isNumber = (v: unknown): v is number => typeof v === 'number';
const isPair = (v: unknown): v is { a: string; b: number } =>
  typeof v === 'object' && v !== null && typeof (v as { a?: unknown }).a === 'string' && typeof (v as { b?: unknown }).b === 'number';

describe('WebStorage', () => {
  it.each([
    ['sessionStorage', () => sessionStorage],
    ['localStorage', () => localStorage],
  ])('reads, writes and removes in %s', (_, area) => {
    const storage = new WebStorage(area());
    expect(storage).toBeInstanceOf(AuthStorage);
    expect(storage.read('k')).toBeNull();
    storage.write('k', 'v1');
    expect(area().getItem('k')).toBe('v1');
    expect(storage.read('k')).toBe('v1');
    storage.write('k', 'v2');
    expect(storage.read('k')).toBe('v2');
    storage.remove('k');
    expect(storage.read('k')).toBeNull();
    expect(area().getItem('k')).toBeNull();
    expect(() => storage.remove('absent')).not.toThrow();
  });

  it('reads null when the area throws', () => {
    const blocked = new BlockedStorage();
    expect(new WebStorage(blocked).read('k')).toBeNull();
    expect(blocked.calls).toEqual(['getItem']);
  });

  it('does not throw on remove when the area throws', () => {
    const blocked = new BlockedStorage();
    expect(() => new WebStorage(blocked).remove('k')).not.toThrow();
    expect(blocked.calls).toEqual(['removeItem']);
  });
});

describe('MemoryStorage', () => {
  it('reads, writes and removes', () => {
    const storage = new MemoryStorage();
    expect(storage).toBeInstanceOf(AuthStorage);
    expect(storage.read('k')).toBeNull();
    storage.write('k', 'v1');
    expect(storage.read('k')).toBe('v1');
    storage.write('k', '');
    expect(storage.read('k')).toBe('');
    storage.remove('k');
    expect(storage.read('k')).toBeNull();
    expect(() => storage.remove('absent')).not.toThrow();
  });

  it('keeps each instance apart, and touches no Web Storage', () => {
    const a = new MemoryStorage();
    const b = new MemoryStorage();
    a.write('k', 'v');
    expect(b.read('k')).toBeNull();
    expect(sessionStorage.length).toBe(0);
    expect(localStorage.length).toBe(0);
  });
});

describe('createStorage', () => {
  it("gives memory for 'memory'", () => {
    expect(createStorage('memory')).toBeInstanceOf(MemoryStorage);
  });

  it.each([
    ['sessionStorage', () => sessionStorage, () => localStorage],
    ['localStorage', () => localStorage, () => sessionStorage],
  ] as const)('gives the %s area itself, and leaves no probe behind', (kind, area, otherArea) => {
    const storage = createStorage(kind);
    expect(storage).toBeInstanceOf(WebStorage);
    expect(area().length).toBe(0);
    storage.write('k', 'v');
    expect(area().getItem('k')).toBe('v');
    expect(otherArea().getItem('k')).toBeNull();
  });

  it.each(['sessionStorage', 'localStorage'] as const)('falls back to memory when %s throws', (kind) => {
    const blocked = new BlockedStorage();
    withArea(kind, { value: blocked }, () => {
      const storage = createStorage(kind);
      expect(storage).toBeInstanceOf(MemoryStorage);
      expect(blocked.calls).toEqual(['setItem']);
      storage.write('k', 'v');
      expect(storage.read('k')).toBe('v');
    });
    expect(createStorage(kind)).toBeInstanceOf(WebStorage); // restored
  });

  it('falls back to memory when reading the area itself throws', () => {
    withArea('sessionStorage', { get: () => { throw new DOMException('denied', 'SecurityError'); } }, () => {
      expect(createStorage('sessionStorage')).toBeInstanceOf(MemoryStorage);
    });
  });

  it('falls back to memory when there is no area (server rendering)', () => {
    withArea('localStorage', { value: undefined }, () => {
      expect(createStorage('localStorage')).toBeInstanceOf(MemoryStorage);
    });
  });
});

describe('Store', () => {
  it('namespaces keys by config id', () => {
    expect(new Store(new MemoryStorage(), 'op-a').keyOf('session')).toBe('ngx-oidc.op-a.session');
  });

  it('stores JSON and reads it back through the shape check', () => {
    const storage = new MemoryStorage();
    const store = new Store(storage, 'default');
    store.set('session', { a: 'x', b: 1 });
    expect(storage.read(store.keyOf('session'))).toBe(JSON.stringify({ a: 'x', b: 1 }));
    expect(store.get('session', isPair)).toEqual({ a: 'x', b: 1 });
    expect(store.get('session', isPair)).toEqual({ a: 'x', b: 1 }); // reading does not consume
  });

  it('returns a valid falsy value', () => {
    const store = new Store(new MemoryStorage(), 'default');
    store.set('jwks', 0);
    expect(store.get('jwks', isNumber)).toBe(0);
  });

  it('returns null for an absent key', () => {
    const storage = new MemoryStorage();
    const spy = jest.spyOn(storage, 'remove');
    expect(new Store(storage, 'default').get('session', isPair)).toBeNull();
    expect(spy).not.toHaveBeenCalled();
  });

  it.each([
    ['garbage JSON', '{"a":"x",'],
    ['an empty string', ''],
    ['JSON null', 'null'],
    ['the wrong shape', JSON.stringify({ a: 'x', b: '1' })],
    ['an array', JSON.stringify([{ a: 'x', b: 1 }])],
  ])('removes %s and returns null', (_, raw) => {
    const storage = new MemoryStorage();
    const store = new Store(storage, 'default');
    storage.write(store.keyOf('renewal'), raw);
    expect(store.get('renewal', isPair)).toBeNull();
    expect(storage.read(store.keyOf('renewal'))).toBeNull();
  });

  it('keeps two config ids apart', () => {
    const storage = new WebStorage(sessionStorage);
    const a = new Store(storage, 'op-a');
    const b = new Store(storage, 'op-b');
    a.set('session', { a: 'from a', b: 1 });
    expect(b.get('session', isPair)).toBeNull();
    b.set('session', { a: 'from b', b: 2 });
    expect(a.get('session', isPair)).toEqual({ a: 'from a', b: 1 });
    expect(b.get('session', isPair)).toEqual({ a: 'from b', b: 2 });
    b.remove('session');
    expect(b.get('session', isPair)).toBeNull();
    expect(a.get('session', isPair)).toEqual({ a: 'from a', b: 1 });
  });

  it('clears every key of its namespace, and nothing else', () => {
    const storage = new WebStorage(sessionStorage);
    const a = new Store(storage, 'op-a');
    const b = new Store(storage, 'op-b');
    sessionStorage.setItem('app.theme', 'dark');
    for (const key of ALL_KEYS) {
      a.set(key, 1);
      b.set(key, 2);
    }
    a.clear();
    for (const key of ALL_KEYS) {
      expect(sessionStorage.getItem(a.keyOf(key))).toBeNull();
      expect(b.get(key, isNumber)).toBe(2);
    }
    expect(sessionStorage.getItem('app.theme')).toBe('dark');
    expect(sessionStorage.length).toBe(ALL_KEYS.length + 1);
  });
});
