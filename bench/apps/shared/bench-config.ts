/** Where the bench apps find the demo provider and API (started by bench/run.mjs). */
export const AUTHORITY = 'http://127.0.0.1:4400';
export const API_ORIGIN = 'http://127.0.0.1:4401';
/** Answers at once, saying whether a token (Bearer or DPoP) came: the interceptor benchmark's target. */
export const PING_URL = `${API_ORIGIN}/api/ping`;
/** Verifies the token: the concurrency benchmark's target. */
export const ME_URL = `${API_ORIGIN}/api/me`;
export const SCOPE = 'openid profile offline_access api';

/** The provider client: `spa` (5-minute access tokens) unless the runner set `bench.clientId` (`spa-short`: 10 s). */
export function benchClientId(): string {
  return localStorage.getItem('bench.clientId') ?? 'spa';
}

/**
 * The provider client of the DPoP app: `spa-dpop` (its tokens must be DPoP-bound, every proof
 * must carry a provider nonce) unless the runner set `bench.clientId`. A function of its own, so
 * the other apps' code stays the same byte for byte.
 */
export function benchDPoPClientId(): string {
  return localStorage.getItem('bench.clientId') ?? 'spa-dpop';
}

export const origin = (): string => window.location.origin;
