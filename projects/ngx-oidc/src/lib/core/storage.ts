/**
 * Where the library keeps its state: the pending login, the session, and the
 * discovery and JWKS caches. Tokens live in sessionStorage by default.
 *
 * Every key is namespaced by a config id, so several providers can coexist in
 * one app. A value that does not parse, or does not have the expected shape,
 * counts as absent and is removed: garbage never reaches the protocol steps.
 */

/**
 * A synchronous key-value store. Extend it and provide it through DI to keep
 * tokens elsewhere (for example, encrypted).
 */
export abstract class AuthStorage {
  /** The stored string for `key`, or `null`. */
  abstract read(key: string): string | null;
  /** Stores `value` under `key`. */
  abstract write(key: string, value: string): void;
  /** Removes `key`; no error when absent. */
  abstract remove(key: string): void;
  /** The stored keys, to prune old entries; a storage that cannot list returns `[]`. */
  keys(): string[] {
    return [];
  }
}

/** {@link AuthStorage} over a Web Storage area (`sessionStorage`, `localStorage`). */
export class WebStorage extends AuthStorage {
  /** @param area - the Web Storage area to use. */
  constructor(private readonly area: Storage) {
    super();
  }

  override read(key: string): string | null {
    try {
      return this.area.getItem(key);
    } catch {
      // Storage can throw (disabled, sandboxed iframe): treat as empty.
      return null;
    }
  }

  override write(key: string, value: string): void {
    this.area.setItem(key, value);
  }

  override remove(key: string): void {
    try {
      this.area.removeItem(key);
    } catch {
      // Nothing to remove from a storage that cannot be read.
    }
  }

  override keys(): string[] {
    try {
      return Array.from({ length: this.area.length }, (_, i) => this.area.key(i)).filter((k): k is string => k !== null);
    } catch {
      return [];
    }
  }
}

/** {@link AuthStorage} in memory: gone on reload; never shared with other tabs. */
export class MemoryStorage extends AuthStorage {
  private readonly values = new Map<string, string>();

  override read(key: string): string | null {
    return this.values.get(key) ?? null;
  }

  override write(key: string, value: string): void {
    this.values.set(key, value);
  }

  override remove(key: string): void {
    this.values.delete(key);
  }

  override keys(): string[] {
    return [...this.values.keys()];
  }
}

/** The built-in storages, by a JSON-friendly name (config key `storage`). */
export type StorageKind = 'sessionStorage' | 'localStorage' | 'memory';

/**
 * The built-in storage for `kind`. Falls back to memory when the Web Storage
 * area is missing or blocked (server rendering, some privacy modes).
 */
export function createStorage(kind: StorageKind): AuthStorage {
  if (kind === 'memory') return new MemoryStorage();
  return webStorage(kind) ?? new MemoryStorage();
}

/** The Web Storage area `kind` when it exists and takes a write, else `null`. */
export function webStorage(kind: 'sessionStorage' | 'localStorage'): WebStorage | null {
  try {
    const area = (globalThis as { [k in StorageKind]?: Storage })[kind];
    if (area) {
      const probe = '__ngx-oidc-probe__';
      area.setItem(probe, probe);
      area.removeItem(probe);
      return new WebStorage(area);
    }
  } catch {
    // Blocked by the browser (privacy modes, sandboxed iframes).
  }
  return null;
}

/** The keys the library stores, each under the config id's namespace. */
export type StoreKey = 'discovery' | 'jwks' | 'session' | 'renewal';

const STORE_KEYS: readonly StoreKey[] = ['discovery', 'jwks', 'session', 'renewal'];

/**
 * A JSON view of an {@link AuthStorage} under one config id's namespace,
 * with shape checks on every read.
 */
export class Store {
  /**
   * @param storage - where the values go.
   * @param configId - the namespace; keys become `ngx-oidc.<configId>.<key>`.
   */
  constructor(
    readonly storage: AuthStorage,
    readonly configId: string,
  ) {}

  /** The full key in the underlying storage. */
  keyOf(key: StoreKey): string {
    return `ngx-oidc.${this.configId}.${key}`;
  }

  /**
   * Reads `key` and returns it when `isValid` accepts it. A value that does not
   * parse or does not pass `isValid` is removed and `null` returned.
   */
  get<T>(key: StoreKey, isValid: (value: unknown) => value is T): T | null {
    const raw = this.storage.read(this.keyOf(key));
    if (raw === null) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    if (parsed !== undefined && isValid(parsed)) return parsed;
    this.storage.remove(this.keyOf(key));
    return null;
  }

  /** Stores `value` as JSON under `key`. */
  set(key: StoreKey, value: unknown): void {
    this.storage.write(this.keyOf(key), JSON.stringify(value));
  }

  /** Removes `key`. */
  remove(key: StoreKey): void {
    this.storage.remove(this.keyOf(key));
  }

  /** Removes every key of this namespace, caches included. */
  clear(): void {
    for (const key of STORE_KEYS) this.remove(key);
  }
}
