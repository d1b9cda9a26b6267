import { isSecureRoute, matchSecureRoute } from './secure-routes';

const routes = ['https://api.example.com', 'https://data.example.com/v1/', 'http://127.0.0.1:4401/api'];

describe('isSecureRoute', () => {
  it.each([
    'https://api.example.com',
    'https://api.example.com/',
    'https://api.example.com/orders?id=1',
    'https://API.example.com/orders',
    'https://api.example.com:443/orders',
    'https://data.example.com/v1/items',
    'https://data.example.com/v1',
    'http://127.0.0.1:4401/api',
    'http://127.0.0.1:4401/api/me',
  ])('matches %s', (url) => {
    expect(isSecureRoute(url, routes)).toBe(true);
  });

  it.each([
    ['a look-alike host', 'https://api.example.com.evil.test/orders'],
    ['a suffix host', 'https://evilapi.example.com/'],
    ['credentials that hide the host', 'https://api.example.com@evil.test/'],
    ['credentials on the right host', 'https://user:pw@api.example.com/'],
    ['another scheme', 'http://api.example.com/'],
    ['another port', 'https://api.example.com:8443/'],
    ['a sibling path', 'https://data.example.com/v10/items'],
    ['a parent path', 'https://data.example.com/'],
    ['a path prefix without boundary', 'http://127.0.0.1:4401/apix'],
    ['another loopback port', 'http://127.0.0.1:4402/api'],
    ['a non-http scheme', 'javascript:alert(1)'],
    ['garbage', 'http://'],
  ])('does not match %s', (_name, url) => {
    expect(isSecureRoute(url, routes)).toBe(false);
  });

  it('resolves relative URLs against the page', () => {
    expect(isSecureRoute('/api/me', routes, 'http://127.0.0.1:4401/page')).toBe(true);
    expect(isSecureRoute('/api/me', routes, 'http://127.0.0.1:4200/')).toBe(false);
    expect(isSecureRoute('/api/me', routes)).toBe(false);
  });

  it('names the entry that matched, and ignores broken entries', () => {
    expect(matchSecureRoute('https://data.example.com/v1/x', routes)).toBe('https://data.example.com/v1/');
    expect(isSecureRoute('https://api.example.com/', ['not a url', ''])).toBe(false);
  });
});

describe('secureRoutes entries that are paths on the app origin', () => {
  const base = 'https://app.example.com/shop/';

  it('match requests to that path on the page origin, relative or absolute', () => {
    expect(isSecureRoute('/api/orders', ['/api/'], base)).toBe(true);
    expect(isSecureRoute('https://app.example.com/api', ['/api/'], base)).toBe(true);
    expect(isSecureRoute('../api/orders', ['/api/'], base)).toBe(true);
  });

  it('never match another origin, another path, or without a base URL', () => {
    expect(isSecureRoute('https://evil.example.com/api/orders', ['/api/'], base)).toBe(false);
    expect(isSecureRoute('/apix/orders', ['/api/'], base)).toBe(false);
    expect(isSecureRoute('orders', ['/api/'], base)).toBe(false);
    expect(isSecureRoute('https://app.example.com/api/orders', ['/api/'])).toBe(false);
  });

  it('never send a token over plain http off loopback (RFC 6750 5.3)', () => {
    expect(isSecureRoute('/api/orders', ['/api/'], 'http://app.example.com/')).toBe(false);
    expect(isSecureRoute('/api/orders', ['/api/'], 'http://127.0.0.1:4200/')).toBe(true);
  });
});
