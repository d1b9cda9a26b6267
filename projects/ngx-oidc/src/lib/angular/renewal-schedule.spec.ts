import { nextEvent, setupAuth } from '../../test/angular-harness';
import { FakeProvider } from '../../test/fake-provider';
import { useFakeClock } from '../../test/helpers';
import { resolveConfig } from '../core/config';
import { OidcSession } from '../core/session';
import { createStorage } from '../core/storage';
import type { AuthEvent } from './events';

// The actions chunk (auth-actions.ts), with the renewal in it, is loaded with import(): here it
// fails to load as a browser's does offline, until the test lets it. A file of its own: once
// loaded, a module stays loaded for the rest of the file.
let mockChunkFails = true;
jest.mock('./auth-actions', () => {
  if (mockChunkFails) throw new TypeError('Failed to fetch dynamically imported module: auth-actions');
  return jest.requireActual('./auth-actions');
});

afterEach(() => jest.useRealTimers());

describe('renewal when its code does not load', () => {
  it('is a transient failure: the session waits to retry (retrying, RenewRetryScheduled) and renews once the chunk loads', async () => {
    const start = 1_700_000_000;
    const clock = { now: start };
    const op = await FakeProvider.create({ now: () => clock.now });
    // A returning user's session, stored by an earlier page (the core alone, so the chunk is never loaded).
    const earlier = new OidcSession(
      resolveConfig({ authority: op.issuer, clientId: op.clientId, redirectUrl: 'http://localhost/callback', scope: 'openid profile offline_access', useRefreshToken: true }),
      { fetchJson: op.fetchJson, flows: () => import('../core/session-flows'), storage: createStorage('sessionStorage'), transactionStorage: createStorage('sessionStorage'), now: () => clock.now },
    );
    await earlier.finishLogin(await op.authorize(await earlier.beginLogin()));
    const renewals = () => op.count('token') - 1;
    useFakeClock();
    const h = await setupAuth({ provider: op, now: start, config: { silentRenew: true, renewRetryInitialDelayInSeconds: 5 } });
    expect(h.auth.isAuthenticated()).toBe(true);
    const events: AuthEvent[] = [];
    h.auth.events$.subscribe((e) => events.push(e));
    const advance = async (seconds: number) => {
      clock.now += seconds;
      h.clock.now += seconds;
      await jest.advanceTimersByTimeAsync(seconds * 1000);
    };

    // Due at 270 s (30 s before the 300 s expiry): the timer fires, the chunk does not load.
    await advance(270);
    expect(h.auth.status()).toBe('retrying');
    expect(events.map((e) => e.type)).toEqual(['Error', 'RenewFailed', 'RenewRetryScheduled']);
    expect(events[2]).toMatchObject({ error: { code: 'NETWORK_ERROR' }, retryAt: (start + 275) * 1000 });
    expect(renewals()).toBe(0);

    // Still offline at the retry: it waits again, without a token request.
    await advance(5);
    expect(h.auth.status()).toBe('retrying');
    expect(renewals()).toBe(0);

    // Back online: the next retry loads the chunk and renews, before the token expires.
    mockChunkFails = false;
    const renewed = nextEvent(h.auth, 'TokenRenewed');
    await advance(5);
    await renewed;
    expect(renewals()).toBe(1);
    expect(h.auth.status()).toBe('authenticated');
    expect(h.auth.session()?.accessTokenExpiresAt).toBe(start + 280 + 300);
  });
});
