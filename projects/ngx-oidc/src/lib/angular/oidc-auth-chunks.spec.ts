import { setupAuth, signIn } from '../../test/angular-harness';
import type { AuthEvent } from './events';

// The actions chunk (auth-actions.ts) is loaded with import(): here the first
// loads fail as a browser's do when offline or after a redeployment.
let mockChunkFails = true;
jest.mock('./auth-actions', () => {
  if (mockChunkFails) throw new TypeError('Failed to fetch dynamically imported module: auth-actions');
  return jest.requireActual('./auth-actions');
});

describe('OidcAuth: a lazy chunk that does not load', () => {
  it('fails the action with a reported, transient NETWORK_ERROR and no redirect, then loads on the next try', async () => {
    const h = await setupAuth();
    const events: AuthEvent[] = [];
    h.auth.events$.subscribe((e) => events.push(e));

    await expect(h.auth.login()).rejects.toMatchObject({ code: 'NETWORK_ERROR', cause: { reason: expect.any(TypeError) } });
    expect(h.auth.error()?.code).toBe('NETWORK_ERROR');
    expect(events.filter((e) => e.type === 'Error')).toHaveLength(1);
    expect(h.redirects).toEqual([]);
    expect(h.auth.status()).toBe('unauthenticated');

    // Back online: the same call loads the chunk and works; nothing was kept of the failure.
    mockChunkFails = false;
    await signIn(h);
    expect(h.auth.isAuthenticated()).toBe(true);
    expect(h.auth.error()).toBeNull();
  });
});
