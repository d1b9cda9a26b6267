import { FakeProvider } from '../../test/fake-provider';
import { END_SESSION_PARAMS, endSessionUrl } from './end-session';
import { OidcError } from './errors';
import { caught } from '../../test/helpers';

describe('endSessionUrl', () => {
  it('builds the RP-initiated logout URL with every parameter', async () => {
    const op = await FakeProvider.create();
    const idToken = await op.sign(op.claims());
    const url = new URL(
      endSessionUrl(op.metadata().end_session_endpoint!, {
        clientId: op.clientId,
        idTokenHint: idToken,
        postLogoutRedirectUri: 'https://app.example.test/',
        state: 'logout-state',
        uiLocales: 'de fr',
      }),
    );
    expect(url.origin + url.pathname).toBe(`${op.issuer}/session/end`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      id_token_hint: idToken,
      client_id: 'spa',
      post_logout_redirect_uri: 'https://app.example.test/',
      state: 'logout-state',
      ui_locales: 'de fr',
    });
  });

  it('sends only client_id when nothing else is given', () => {
    expect(endSessionUrl('https://op.example.test/logout', { clientId: 'spa' })).toBe('https://op.example.test/logout?client_id=spa');
  });

  it('keeps a query the endpoint already has, and replaces duplicates', () => {
    const url = new URL(endSessionUrl('https://op.example.test/logout?p=policy&client_id=evil', { clientId: 'spa' }));
    expect(url.searchParams.get('p')).toBe('policy');
    expect(url.searchParams.getAll('client_id')).toEqual(['spa']);
  });

  it('appends custom parameters as strings', () => {
    const url = new URL(endSessionUrl('https://op.example.test/logout', { clientId: 'spa', customParams: { logout_hint: 'alice', n: 2, federated: true } }));
    expect(url.searchParams.get('logout_hint')).toBe('alice');
    expect(url.searchParams.get('n')).toBe('2');
    expect(url.searchParams.get('federated')).toBe('true');
  });

  it.each([...END_SESSION_PARAMS])('refuses a custom parameter that sets %s', (name) => {
    const e = caught(() => endSessionUrl('https://op.example.test/logout', { clientId: 'spa', customParams: { [name]: 'x' } }));
    expect(e).toBeInstanceOf(OidcError);
    expect(e).toMatchObject({ code: 'CONFIG_INVALID', cause: { key: name } });
  });

  it('protects exactly the logout parameters', () => {
    expect([...END_SESSION_PARAMS].sort()).toEqual(['client_id', 'id_token_hint', 'post_logout_redirect_uri', 'state', 'ui_locales']);
  });

  it('refuses an endpoint that is not an absolute URL', () => {
    expect(caught(() => endSessionUrl('logout', { clientId: 'spa' }))).toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
