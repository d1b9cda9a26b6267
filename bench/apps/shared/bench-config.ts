/** Where the bench apps find the demo provider and API (started by bench/run.mjs). */
export const AUTHORITY = 'http://127.0.0.1:4400';
export const API_ORIGIN = 'http://127.0.0.1:4401';
/** Answers at once, saying whether a bearer token came: the interceptor benchmark's target. */
export const PING_URL = `${API_ORIGIN}/api/ping`;
/** Verifies the token: the concurrency benchmark's target. */
export const ME_URL = `${API_ORIGIN}/api/me`;
export const SCOPE = 'openid profile offline_access api';

/** The provider client: `spa` (5-minute access tokens) unless the runner set `bench.clientId` (`spa-short`: 10 s). */
export function benchClientId(): string {
  return localStorage.getItem('bench.clientId') ?? 'spa';
}

export const origin = (): string => window.location.origin;
