import { backoffError, isRenewalBackoff, nextBackoff, retryDelaySeconds } from './backoff';
import { OidcError, isTransientError } from './errors';

const policy = { initialDelaySeconds: 5, maxDelaySeconds: 300 };
const busy = (status: number, retryAfter?: number) =>
  new OidcError('busy', 'HTTP_ERROR', { status, ...(retryAfter !== undefined ? { retryAfter } : {}) });

describe('isTransientError', () => {
  it.each([
    ['no answer', new OidcError('x', 'NETWORK_ERROR')],
    ['a timeout', new OidcError('x', 'TIMEOUT')],
    ['an iframe renew timeout', new OidcError('x', 'RENEW_TIMEOUT')],
    ['a 503', busy(503)],
    ['a 502 HTML page', busy(502)],
    ['a 429', busy(429)],
    ['a 408', busy(408)],
    ['temporarily_unavailable', new OidcError('x', 'TOKEN_ERROR', { error: 'temporarily_unavailable', status: 400 })],
  ])('counts %s as transient', (_name, error) => {
    expect(isTransientError(error)).toBe(true);
  });

  it.each([
    ['invalid_grant', new OidcError('x', 'TOKEN_ERROR', { error: 'invalid_grant', status: 400 })],
    ['invalid_grant with a 500', new OidcError('x', 'TOKEN_ERROR', { error: 'invalid_grant', status: 500 })],
    ['a failed ID token check', new OidcError('x', 'ID_TOKEN_SIGNATURE_INVALID')],
    ['login_required', new OidcError('x', 'LOGIN_REQUIRED')],
    ['a 400 without an OAuth body', busy(400)],
    ['a plain Error', new Error('x')],
  ])('counts %s as definitive', (_name, error) => {
    expect(isTransientError(error)).toBe(false);
  });
});

describe('retryDelaySeconds', () => {
  it('doubles from the initial delay up to the cap, with equal jitter', () => {
    const low = (attempt: number) => retryDelaySeconds(attempt, busy(503), policy, () => 0);
    const high = (attempt: number) => retryDelaySeconds(attempt, busy(503), policy, () => 0.999999);
    expect([1, 2, 3, 4].map(low)).toEqual([2.5, 5, 10, 20]);
    expect(high(1)).toBeCloseTo(5);
    expect(high(4)).toBeCloseTo(40);
    expect(low(20)).toBe(150);
    expect(high(20)).toBeCloseTo(300);
  });

  it('honours Retry-After over the back-off, within 1 s and an hour', () => {
    expect(retryDelaySeconds(1, busy(503, 120), policy, () => 0)).toBe(120);
    expect(retryDelaySeconds(9, busy(503, 0), policy, () => 0)).toBe(1);
    expect(retryDelaySeconds(1, busy(503, 86_400), policy, () => 0)).toBe(3600);
  });
});

describe('nextBackoff', () => {
  const o = { now: 1000, policy, refreshToken: 'rt-1', random: () => 0 };

  it('counts attempts for the same refresh token and starts again for a new one', () => {
    const first = nextBackoff(null, busy(503), o)!;
    expect(first).toEqual({ attempt: 1, retryAt: 1002.5, refreshToken: 'rt-1', code: 'HTTP_ERROR', status: 503 });
    const second = nextBackoff(first, busy(503), { ...o, now: 1003 })!;
    expect(second).toMatchObject({ attempt: 2, retryAt: 1008 });
    expect(nextBackoff(second, busy(503), { ...o, refreshToken: 'rt-2' })).toMatchObject({ attempt: 1, refreshToken: 'rt-2' });
  });

  it('marks a wait the provider set, and gives none for a definitive failure', () => {
    expect(nextBackoff(null, busy(503, 60), o)).toMatchObject({ retryAt: 1060, providerSet: true });
    expect(nextBackoff(null, new OidcError('x', 'TOKEN_ERROR', { error: 'invalid_grant', status: 400 }), o)).toBeNull();
  });

  it('turns a stored back-off into an error that is still transient and says when', () => {
    const stored = nextBackoff(null, new OidcError('x', 'TOKEN_ERROR', { error: 'temporarily_unavailable', status: 400 }), o)!;
    expect(isRenewalBackoff(JSON.parse(JSON.stringify(stored)))).toBe(true);
    const error = backoffError(stored);
    expect(error).toMatchObject({ code: 'TOKEN_ERROR', cause: { retryAt: 1_002_500, deferred: true, error: 'temporarily_unavailable' } });
    expect(isTransientError(error)).toBe(true);
  });

  it('refuses garbage as a stored back-off', () => {
    expect(isRenewalBackoff({ attempt: '1', retryAt: 1, code: 'HTTP_ERROR' })).toBe(false);
    expect(isRenewalBackoff(null)).toBe(false);
    expect(isRenewalBackoff({ attempt: 1, retryAt: 1, code: 'HTTP_ERROR', status: 'x' })).toBe(false);
  });
});
