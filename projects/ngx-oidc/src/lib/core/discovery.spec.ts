import { FakeProvider } from '../../test/fake-provider';
import {
  type CachedDiscovery,
  type ProviderMetadata,
  discoveryUrl,
  fetchDiscovery,
  loadDiscovery,
  validateDiscovery,
} from './discovery';
import { OidcError } from './errors';
import type { FetchJson, OidcHttpRequest } from './http';
import { MemoryStorage, Store } from './storage';
import { caught } from '../../test/helpers';

const REQUIRED_URLS = ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const;
const OPTIONAL_URLS = [
  'userinfo_endpoint',
  'end_session_endpoint',
  'check_session_iframe',
  'revocation_endpoint',
  'introspection_endpoint',
  'pushed_authorization_request_endpoint',
] as const;
const REQUIRED_LISTS = ['response_types_supported', 'subject_types_supported', 'id_token_signing_alg_values_supported'] as const;
const BOOLEANS = ['require_pushed_authorization_requests', 'authorization_response_iss_parameter_supported'] as const;
const OPTIONAL_LISTS = ['dpop_signing_alg_values_supported', 'revocation_endpoint_auth_methods_supported'] as const;

/** A port that serves `document` as JSON for any URL, and records the requests. */
function serving(document: unknown): { fetchJson: FetchJson; requests: OidcHttpRequest[] } {
  const requests: OidcHttpRequest[] = [];
  const fetchJson: FetchJson = async (req) => {
    requests.push(req);
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(document) };
  };
  return { fetchJson, requests };
}

const networkDown: FetchJson = () => Promise.reject(new TypeError('Failed to fetch'));

/** MemoryStorage that records which keys were removed. */
class RecordingStorage extends MemoryStorage {
  readonly removed: string[] = [];

  override remove(key: string): void {
    this.removed.push(key);
    super.remove(key);
  }
}

describe('discoveryUrl', () => {
  it('appends the well-known path (OIDC Discovery 4)', () => {
    expect(discoveryUrl('https://op.example.test')).toBe('https://op.example.test/.well-known/openid-configuration');
    expect(discoveryUrl('https://op.example.test/realms/demo')).toBe(
      'https://op.example.test/realms/demo/.well-known/openid-configuration',
    );
  });

  it('removes any terminating slash first', () => {
    expect(discoveryUrl('https://op.example.test/')).toBe(discoveryUrl('https://op.example.test'));
    expect(discoveryUrl('https://op.example.test/realms/demo//')).toBe(discoveryUrl('https://op.example.test/realms/demo'));
  });
});

describe('fetchDiscovery', () => {
  let op: FakeProvider;
  beforeEach(async () => {
    op = await FakeProvider.create();
  });

  it('fetches and returns the validated document', async () => {
    const metadata = await fetchDiscovery(op.issuer, op.fetchJson);
    expect(metadata).toEqual(op.metadata());
    expect(op.count('discovery')).toBe(1);
    expect(op.requests[0]).toEqual({
      url: discoveryUrl(op.issuer),
      method: 'GET',
      headers: { Accept: 'application/json' },
    });
  });

  it('accepts a provider whose issuer has a path', async () => {
    const tenant = await FakeProvider.create({ issuer: 'https://op.example.test/realms/demo' });
    await expect(fetchDiscovery(tenant.issuer, tenant.fetchJson)).resolves.toMatchObject({ issuer: tenant.issuer });
  });

  it.each(['http://127.0.0.1:4400', 'http://localhost:3000', 'http://[::1]:9000'])('accepts a loopback provider over http: %s', async (issuer) => {
    const local = await FakeProvider.create({ issuer });
    await expect(fetchDiscovery(issuer, local.fetchJson)).resolves.toMatchObject({ issuer, token_endpoint: `${issuer}/token` });
  });

  describe('issuer (OIDC Discovery 4.3)', () => {
    it('rejects a document whose issuer differs from the authority', async () => {
      op.metadataOverrides['issuer'] = 'https://evil.example.test';
      const p = fetchDiscovery(op.issuer, op.fetchJson);
      await expect(p).rejects.toBeInstanceOf(OidcError);
      await expect(p).rejects.toMatchObject({
        code: 'DISCOVERY_ISSUER_MISMATCH',
        cause: { expected: op.issuer, actual: 'https://evil.example.test' },
      });
    });

    it('rejects a document without an issuer', async () => {
      op.metadataOverrides['issuer'] = undefined;
      await expect(fetchDiscovery(op.issuer, op.fetchJson)).rejects.toMatchObject({ code: 'DISCOVERY_ISSUER_MISMATCH', cause: { actual: undefined } });
    });

    it('compares exactly: an authority with a trailing slash does not match an issuer without one', async () => {
      const authority = `${op.issuer}/`;
      await expect(fetchDiscovery(authority, op.fetchJson)).rejects.toMatchObject({
        code: 'DISCOVERY_ISSUER_MISMATCH',
        cause: { expected: authority, actual: op.issuer },
      });
      // The request itself went to the URL without the doubled slash.
      expect(op.requests.map((r) => r.url)).toEqual([`${op.issuer}/.well-known/openid-configuration`]);
    });

    it('accepts an issuer with a trailing slash when the authority has it too', async () => {
      const issuer = 'https://op.example.test/';
      const { fetchJson, requests } = serving({ ...op.metadata(), issuer });
      await expect(fetchDiscovery(issuer, fetchJson)).resolves.toMatchObject({ issuer });
      expect(requests[0]!.url).toBe('https://op.example.test/.well-known/openid-configuration');
      await expect(fetchDiscovery('https://op.example.test', fetchJson)).rejects.toMatchObject({ code: 'DISCOVERY_ISSUER_MISMATCH' });
    });

    it('is case- and form-sensitive', async () => {
      for (const issuer of ['https://OP.example.test', 'https://op.example.test:443', 'https://op.example.test/realms/../']) {
        const { fetchJson } = serving({ ...op.metadata(), issuer });
        await expect(fetchDiscovery(op.issuer, fetchJson)).rejects.toMatchObject({ code: 'DISCOVERY_ISSUER_MISMATCH' });
      }
    });
  });

  describe('required fields (OIDC Discovery 3)', () => {
    it.each([...REQUIRED_URLS, ...REQUIRED_LISTS])('rejects a document without %s', async (key) => {
      op.metadataOverrides[key] = undefined;
      await expect(fetchDiscovery(op.issuer, op.fetchJson)).rejects.toMatchObject({ code: 'DISCOVERY_INVALID', cause: { key } });
    });

    it.each(REQUIRED_URLS)('rejects a non-string %s', async (key) => {
      op.metadataOverrides[key] = { href: `${op.issuer}/x` };
      await expect(fetchDiscovery(op.issuer, op.fetchJson)).rejects.toMatchObject({ code: 'DISCOVERY_INVALID', cause: { key } });
    });

    it.each(REQUIRED_LISTS)('rejects %s that is not a list of strings', async (key) => {
      for (const value of ['code', ['code', 5], null, { 0: 'code' }]) {
        op.metadataOverrides[key] = value;
        await expect(fetchDiscovery(op.issuer, op.fetchJson)).rejects.toMatchObject({ code: 'DISCOVERY_INVALID', cause: { key } });
      }
    });

    it.each(OPTIONAL_LISTS)('rejects %s that is there but not a list of strings, and accepts it absent or a list', async (key) => {
      for (const value of ['ES256', ['ES256', 5], null, {}]) {
        op.metadataOverrides[key] = value;
        await expect(fetchDiscovery(op.issuer, op.fetchJson)).rejects.toMatchObject({ code: 'DISCOVERY_INVALID', cause: { key, actual: value } });
      }
      for (const value of [undefined, [], ['none']]) {
        op.metadataOverrides[key] = value;
        expect((await fetchDiscovery(op.issuer, op.fetchJson))[key]).toEqual(value);
      }
    });

    it('accepts a document with only the required fields', async () => {
      const i = op.issuer;
      const minimal = {
        issuer: i,
        authorization_endpoint: `${i}/authorize`,
        token_endpoint: `${i}/token`,
        jwks_uri: `${i}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      };
      await expect(fetchDiscovery(i, serving(minimal).fetchJson)).resolves.toEqual(minimal);
    });
  });

  describe('endpoints use TLS', () => {
    it.each([...REQUIRED_URLS, ...OPTIONAL_URLS])('rejects %s over http off loopback', async (key) => {
      const insecure = `http://op.example.test/${key}`;
      op.metadataOverrides[key] = insecure;
      await expect(fetchDiscovery(op.issuer, op.fetchJson)).rejects.toMatchObject({ code: 'INSECURE_URL', cause: { key, actual: insecure } });
    });

    it.each([...REQUIRED_URLS, ...OPTIONAL_URLS])('rejects a relative %s', async (key) => {
      op.metadataOverrides[key] = `/${key}`;
      await expect(fetchDiscovery(op.issuer, op.fetchJson)).rejects.toMatchObject({ code: 'INSECURE_URL', cause: { key } });
    });

    it.each(OPTIONAL_URLS)('rejects a non-string %s', async (key) => {
      op.metadataOverrides[key] = 42;
      await expect(fetchDiscovery(op.issuer, op.fetchJson)).rejects.toMatchObject({ code: 'INSECURE_URL', cause: { key, actual: 42 } });
    });

    it('accepts a document without the optional endpoints', async () => {
      for (const key of OPTIONAL_URLS) op.metadataOverrides[key] = undefined;
      const metadata = await fetchDiscovery(op.issuer, op.fetchJson);
      for (const key of OPTIONAL_URLS) expect(metadata[key]).toBeUndefined();
    });

    it('accepts endpoints on another https host', async () => {
      op.metadataOverrides['token_endpoint'] = 'https://tokens.example.test/token';
      await expect(fetchDiscovery(op.issuer, op.fetchJson)).resolves.toMatchObject({ token_endpoint: 'https://tokens.example.test/token' });
    });
  });

  describe('boolean flags', () => {
    it.each(BOOLEANS)('rejects %s that is not a boolean', async (key) => {
      for (const value of ['true', 1, null]) {
        op.metadataOverrides[key] = value;
        await expect(fetchDiscovery(op.issuer, op.fetchJson)).rejects.toMatchObject({ code: 'DISCOVERY_INVALID', cause: { key, actual: value } });
      }
    });

    it.each(BOOLEANS)('accepts %s as true, false or absent', async (key) => {
      for (const value of [true, false, undefined]) {
        op.metadataOverrides[key] = value;
        const metadata = await fetchDiscovery(op.issuer, op.fetchJson);
        expect(metadata[key]).toBe(value);
      }
    });
  });

  describe('transport', () => {
    it('rejects an HTML page as DISCOVERY_INVALID', async () => {
      op.override('discovery', { status: 200, headers: { 'content-type': 'text/html' }, body: '<!DOCTYPE html><html><body>Login</body></html>' });
      await expect(fetchDiscovery(op.issuer, op.fetchJson)).rejects.toMatchObject({ code: 'DISCOVERY_INVALID', cause: { status: 200 } });
    });

    it.each([
      ['an empty body', ''],
      ['a JSON array', JSON.stringify([{ issuer: 'https://op.example.test' }])],
      ['JSON null', 'null'],
    ])('rejects %s as DISCOVERY_INVALID', async (_, body) => {
      op.override('discovery', { status: 200, body });
      await expect(fetchDiscovery(op.issuer, op.fetchJson)).rejects.toMatchObject({ code: 'DISCOVERY_INVALID' });
    });

    it('rejects a 500 as HTTP_ERROR with the status', async () => {
      op.override('discovery', { status: 500, headers: { 'content-type': 'text/html' }, body: '<h1>Internal Server Error</h1>' });
      await expect(fetchDiscovery(op.issuer, op.fetchJson)).rejects.toMatchObject({ code: 'HTTP_ERROR', cause: { status: 500 } });
    });

    it('rejects a 404 with an OAuth error body as HTTP_ERROR, keeping the error in the cause', async () => {
      const other = 'https://op.example.test/unknown-tenant';
      const p = fetchDiscovery(other, op.fetchJson); // the fake answers 404 {"error":"not_found"} off its routes
      await expect(p).rejects.toMatchObject({ code: 'HTTP_ERROR', oauthError: 'not_found', cause: { status: 404, error: 'not_found' } });
    });

    it('rejects a redirect (3xx) as HTTP_ERROR rather than following it', async () => {
      op.override('discovery', { status: 302, headers: { location: 'https://evil.example.test/' }, body: '' });
      await expect(fetchDiscovery(op.issuer, op.fetchJson)).rejects.toMatchObject({ code: 'HTTP_ERROR', cause: { status: 302 } });
    });

    it('reports a provider that does not answer as NETWORK_ERROR', async () => {
      const p = fetchDiscovery(op.issuer, networkDown);
      await expect(p).rejects.toMatchObject({ code: 'NETWORK_ERROR', cause: { url: discoveryUrl(op.issuer) } });
    });
  });

  describe('overrides', () => {
    it('replace and complete the fetched endpoints', async () => {
      op.metadataOverrides['end_session_endpoint'] = undefined;
      const overrides = {
        end_session_endpoint: 'https://op.example.test/logout',
        token_endpoint: 'https://proxy.example.test/token',
      };
      const metadata = await fetchDiscovery(op.issuer, op.fetchJson, overrides);
      expect(metadata.end_session_endpoint).toBe(overrides.end_session_endpoint);
      expect(metadata.token_endpoint).toBe(overrides.token_endpoint);
      expect(metadata.jwks_uri).toBe(op.metadata().jwks_uri);
    });

    it('can supply a required endpoint the document lacks', async () => {
      op.metadataOverrides['token_endpoint'] = undefined;
      await expect(fetchDiscovery(op.issuer, op.fetchJson)).rejects.toMatchObject({ code: 'DISCOVERY_INVALID' });
      await expect(fetchDiscovery(op.issuer, op.fetchJson, { token_endpoint: `${op.issuer}/token` })).resolves.toMatchObject({
        token_endpoint: `${op.issuer}/token`,
      });
    });

    it('are checked like the document (no http endpoint off loopback)', async () => {
      await expect(fetchDiscovery(op.issuer, op.fetchJson, { token_endpoint: 'http://proxy.example.test/token' })).rejects.toMatchObject({
        code: 'INSECURE_URL',
        cause: { key: 'token_endpoint' },
      });
    });

    it('cannot replace the issuer', async () => {
      const metadata = await fetchDiscovery(op.issuer, op.fetchJson, { issuer: 'https://evil.example.test' });
      expect(metadata.issuer).toBe(op.issuer);
    });

    it('cannot rescue a document with the wrong issuer', async () => {
      op.metadataOverrides['issuer'] = 'https://evil.example.test';
      await expect(fetchDiscovery(op.issuer, op.fetchJson, { issuer: op.issuer })).rejects.toMatchObject({ code: 'DISCOVERY_ISSUER_MISMATCH' });
    });
  });
});

describe('validateDiscovery', () => {
  it.each([
    ['null', null],
    ['an array', []],
    ['a string', 'https://op.example.test'],
    ['undefined', undefined],
  ])('rejects %s as DISCOVERY_INVALID', (_, document) => {
    const error = caught(() => validateDiscovery('https://op.example.test', document));
    expect(error).toBeInstanceOf(OidcError);
    expect(error).toMatchObject({ code: 'DISCOVERY_INVALID' });
  });

  it('returns the document with the overrides applied', async () => {
    const op = await FakeProvider.create();
    const overrides: Partial<ProviderMetadata> = { userinfo_endpoint: `${op.issuer}/me` };
    expect(validateDiscovery(op.issuer, op.metadata(), overrides)).toEqual({ ...op.metadata(), ...overrides });
  });
});

describe('loadDiscovery', () => {
  const NOW = 1_700_000_000;
  const TTL = 3600;
  let op: FakeProvider;
  let storage: RecordingStorage;
  let store: Store;

  beforeEach(async () => {
    op = await FakeProvider.create();
    storage = new RecordingStorage();
    store = new Store(storage, 'default');
  });

  function load(now: number, extra: { ttlSeconds?: number; overrides?: Partial<ProviderMetadata>; fetchJson?: FetchJson; authority?: string } = {}): Promise<ProviderMetadata> {
    return loadDiscovery(extra.authority ?? op.issuer, {
      fetchJson: extra.fetchJson ?? op.fetchJson,
      store,
      now,
      ttlSeconds: extra.ttlSeconds ?? TTL,
      ...(extra.overrides ? { overrides: extra.overrides } : {}),
    });
  }

  function cachedRaw(): unknown {
    const raw = storage.read(store.keyOf('discovery'));
    return raw === null ? null : JSON.parse(raw);
  }

  it('fetches once and caches the document with the authority and the time', async () => {
    const metadata = await load(NOW);
    expect(metadata).toEqual(op.metadata());
    expect(op.count('discovery')).toBe(1);
    expect(cachedRaw()).toEqual({ authority: op.issuer, fetchedAt: NOW, metadata } satisfies CachedDiscovery);
  });

  it('makes no request within the TTL', async () => {
    const first = await load(NOW);
    await expect(load(NOW)).resolves.toEqual(first);
    await expect(load(NOW + TTL - 1)).resolves.toEqual(first);
    expect(op.count('discovery')).toBe(1);
    expect(storage.removed).toEqual([]);
  });

  it('refetches once the TTL is over, and caches the new time', async () => {
    await load(NOW);
    await load(NOW + TTL);
    expect(op.count('discovery')).toBe(2);
    expect(cachedRaw()).toMatchObject({ fetchedAt: NOW + TTL });
    await load(NOW + TTL + 1);
    expect(op.count('discovery')).toBe(2);
  });

  it('refetches when the cache is from the future (clock moved back)', async () => {
    await load(NOW);
    await load(NOW - 1);
    expect(op.count('discovery')).toBe(2);
  });

  it('ignores a cache made for another authority', async () => {
    const other = await FakeProvider.create({ issuer: 'https://other-op.example.test' });
    await load(NOW);
    const metadata = await load(NOW + 1, { authority: other.issuer, fetchJson: other.fetchJson });
    expect(metadata.issuer).toBe(other.issuer);
    expect(other.count('discovery')).toBe(1);
    expect(cachedRaw()).toMatchObject({ authority: other.issuer });
  });

  it('never caches with a TTL of 0', async () => {
    await load(NOW, { ttlSeconds: 0 });
    await load(NOW, { ttlSeconds: 0 });
    expect(op.count('discovery')).toBe(2);
    expect(cachedRaw()).toBeNull();
  });

  it('does not cache a failed fetch', async () => {
    op.override('discovery', { status: 500, body: 'down' }, true);
    await expect(load(NOW)).rejects.toMatchObject({ code: 'HTTP_ERROR' });
    expect(cachedRaw()).toBeNull();
    await expect(load(NOW)).resolves.toMatchObject({ issuer: op.issuer });
    expect(op.count('discovery')).toBe(2);
  });

  it('applies the overrides on the cached path too', async () => {
    const overrides = { end_session_endpoint: 'https://op.example.test/logout' };
    await load(NOW, { overrides });
    await expect(load(NOW + 1, { overrides })).resolves.toMatchObject(overrides);
    expect(op.count('discovery')).toBe(1);
  });

  describe('a tampered cache', () => {
    function tamper(value: string): void {
      storage.write(store.keyOf('discovery'), value);
    }

    it('with garbage JSON is removed and refetched', async () => {
      tamper('{"authority": "https://op.example.test", "fetchedAt": ');
      await expect(load(NOW)).resolves.toEqual(op.metadata());
      expect(storage.removed).toEqual([store.keyOf('discovery')]);
      expect(op.count('discovery')).toBe(1);
      expect(cachedRaw()).toMatchObject({ authority: op.issuer, fetchedAt: NOW });
    });

    it.each([
      ['a string', 'https://op.example.test'],
      ['an array', ['https://op.example.test', NOW]],
      ['no metadata', { authority: 'https://op.example.test', fetchedAt: NOW }],
      ['a string fetchedAt', { authority: 'https://op.example.test', fetchedAt: String(NOW), metadata: {} }],
      ['a numeric authority', { authority: 1, fetchedAt: NOW, metadata: {} }],
      ['null metadata', { authority: 'https://op.example.test', fetchedAt: NOW, metadata: null }],
    ])('with the wrong shape (%s) is removed and refetched', async (_, value) => {
      tamper(JSON.stringify(value));
      await expect(load(NOW)).resolves.toEqual(op.metadata());
      expect(storage.removed).toEqual([store.keyOf('discovery')]);
      expect(op.count('discovery')).toBe(1);
    });

    it('whose issuer was changed is removed and refetched', async () => {
      tamper(JSON.stringify({ authority: op.issuer, fetchedAt: NOW, metadata: { ...op.metadata(), issuer: 'https://evil.example.test' } }));
      await expect(load(NOW + 1)).resolves.toEqual(op.metadata());
      expect(storage.removed).toEqual([store.keyOf('discovery')]);
      expect(op.count('discovery')).toBe(1);
    });

    it('whose endpoint was moved to http is removed and refetched', async () => {
      tamper(JSON.stringify({ authority: op.issuer, fetchedAt: NOW, metadata: { ...op.metadata(), token_endpoint: 'http://evil.example.test/token' } }));
      await expect(load(NOW + 1)).resolves.toMatchObject({ token_endpoint: op.metadata().token_endpoint });
      expect(op.count('discovery')).toBe(1);
    });

    it('whose metadata is an array is removed and refetched', async () => {
      tamper(JSON.stringify({ authority: op.issuer, fetchedAt: NOW, metadata: [op.metadata()] }));
      await expect(load(NOW + 1)).resolves.toEqual(op.metadata());
      expect(storage.removed).toEqual([store.keyOf('discovery')]);
    });

    it('is gone even when the refetch fails', async () => {
      tamper(JSON.stringify({ authority: op.issuer, fetchedAt: NOW, metadata: { ...op.metadata(), issuer: 'https://evil.example.test' } }));
      await expect(load(NOW + 1, { fetchJson: networkDown })).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
      expect(cachedRaw()).toBeNull();
    });
  });
});
