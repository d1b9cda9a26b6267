import { type RenewalBackoff, backoffError, nextBackoff } from './backoff';
import type { ProviderMetadata } from './discovery';
import { DEV, OidcError, isOidcError, isTransientError, toOidcError } from './errors';
import { freshJwks } from './jwks';
import type { AuthSession, OidcSession } from './session';
import { type TokenSet, refreshTokenGrantRequest } from './token';
import { loadMetadata, keys, jwksOptions, idTokenExpectations, tokenRequest, withoutTokenType } from './session-steps';
import { validateIdToken } from './id-token';

/*
 * The refresh grant under the cross-tab lock, and what a failed one leaves.
 * In the lazy chunk with the other protocol steps (see session-flows.ts).
 */

/** How long a tab that waited for the refresh lock waits for the other tab's write to show. */
const SESSION_PROPAGATION_WAIT_MS = 1000;

/**
 * The refresh grant under the cross-tab lock (see {@link OidcSession.refresh}):
 * reads the stored session again, honours the shared back-off, checks the
 * keys can be had, sends the grant, validates and stores the result.
 */
export async function refreshLocked(
  s: OidcSession,
  seenRefreshToken: string | undefined,
  force: boolean,
  retryNow: boolean,
  contended: boolean,
): Promise<AuthSession> {
  let current = s.restore();
  // Another tab held the lock, so it probably rotated the refresh token; its write may
  // still be on its way to this tab. Wait for it (bounded) before using the old token.
  if (contended && current?.refreshToken === seenRefreshToken && s.deps.sessionChanged) {
    await s.deps.sessionChanged(SESSION_PROPAGATION_WAIT_MS);
    current = s.restore();
  }
  if (!current) throw new OidcError(DEV && 'There is no session to refresh', 'NO_SESSION');
  // Not due (another tab may have renewed while this one waited for the lock): keep the tokens.
  if (!s.needsRenewal(current) && (!force || current.refreshToken !== seenRefreshToken)) return current;
  const refreshToken = current.refreshToken;
  if (refreshToken === undefined) throw new OidcError(DEV && 'The session has no refresh token', 'NO_REFRESH_TOKEN');
  // A back-off stored by any tab of this session: wait it out, together.
  const backoff = s.renewalBackoff();
  const waiting = backoff && backoff.refreshToken === refreshToken && s.now() < backoff.retryAt;
  if (waiting && (!retryNow || backoff.providerSet)) throw backoffError(backoff);
  let tokens: TokenSet;
  let metadata: ProviderMetadata;
  try {
    metadata = await loadMetadata(s);
    await warmKeys(s, metadata);
    tokens = await tokenRequest(s, 
      () =>
        refreshTokenGrantRequest(metadata.token_endpoint, {
          clientId: s.config.clientId,
          refreshToken,
          ...(s.config.resource !== undefined ? { resource: s.config.resource } : {}),
          customParams: s.config.customParamsRefreshTokenRequest,
        }),
      refreshToken,
    );
  } catch (e) {
    throw renewalFailed(s, toOidcError(e), current, backoff);
  }
  let claims = current.idTokenClaims;
  if (tokens.idToken !== undefined) {
    claims = await validateIdToken(tokens.idToken, keys(s, metadata), {
      ...idTokenExpectations(s, metadata, tokens),
      previous: current.idTokenClaims,
      ignoreNonceAfterRefresh: s.config.ignoreNonceAfterRefresh,
    }).catch((e: unknown) => {
      const error = toOidcError(e);
      // The provider has rotated the refresh token already: a check that failed for now (the
      // new signing key could not be fetched) keeps the new one for the retry.
      const retryWith = isTransientError(error) ? keepRotatedRefreshToken(s, current, tokens.refreshToken) : current;
      throw renewalFailed(s, error, retryWith, backoff);
    });
  }
  // Logged out (or another tab changed the session) while the request ran: store nothing.
  if (s.restore()?.refreshToken !== refreshToken) throw new OidcError(DEV && 'The session changed while it was being renewed', 'NO_SESSION');
  let session: AuthSession = {
    ...current,
    idToken: tokens.idToken ?? current.idToken,
    idTokenClaims: claims,
    accessToken: tokens.accessToken,
    accessTokenExpiresAt: tokens.expiresAt,
    accessTokenReceivedAt: s.now(),
    ...(tokens.refreshToken !== undefined ? { refreshToken: tokens.refreshToken } : {}),
    ...(tokens.scope !== undefined ? { scope: tokens.scope } : {}),
  };
  if (tokens.tokenType === 'DPoP') session = { ...session, tokenType: 'DPoP' };
  else if (session.tokenType !== undefined) session = withoutTokenType(session);
  s.store.set('session', session);
  s.store.remove('renewal');
  return session;
}

/**
 * Stores `rotated`, the refresh token of an answer that could not be checked
 * yet, in place of the spent one, with the session's current tokens: the old
 * one is dead at a provider that rotates (RFC 9700 4.14.2), and its reuse may
 * revoke them all. Nothing changes when there is no new one, or when the
 * session changed meanwhile (a logout, another tab). Returns the session to
 * retry with.
 */
function keepRotatedRefreshToken(s: OidcSession, current: AuthSession, rotated: string | undefined): AuthSession {
  if (rotated === undefined || rotated === current.refreshToken || s.restore()?.refreshToken !== current.refreshToken) return current;
  const session: AuthSession = { ...current, refreshToken: rotated };
  s.store.set('session', session);
  return session;
}

/**
 * Makes sure the keys to check the refreshed ID token can be had before the
 * refresh token is spent: a JWKS that cannot be fetched fails the renewal
 * here, transiently, instead of after the provider rotated the refresh
 * token (whose new value would then be lost). Costs no request while the
 * cached JWKS is fresh; anything but a transient failure is left to the
 * real check.
 */
async function warmKeys(s: OidcSession, metadata: ProviderMetadata): Promise<void> {
  try {
    await freshJwks(jwksOptions(s, metadata));
  } catch (e) {
    if (isTransientError(e)) throw e;
  }
}

/**
 * Records a failed refresh: a transient failure stores the next back-off and
 * gets its `retryAt`; `invalid_grant` ends the session (compare and delete).
 */
function renewalFailed(s: OidcSession, error: OidcError, sent: AuthSession, previous: RenewalBackoff | null): OidcError {
  // RFC 6749 5.2: invalid_grant means the refresh token is dead: so is the session,
  // unless another tab has stored a newer one meanwhile (no Web Locks).
  if (isOidcError(error, 'TOKEN_ERROR') && error.oauthError === 'invalid_grant') {
    s.discard(sent);
    return error;
  }
  const next = nextBackoff(previous, error, {
    now: s.now(),
    policy: { initialDelaySeconds: s.config.renewRetryInitialDelayInSeconds, maxDelaySeconds: s.config.renewRetryMaxDelayInSeconds },
    ...(sent.refreshToken !== undefined ? { refreshToken: sent.refreshToken } : {}),
    ...(s.deps.random ? { random: s.deps.random } : {}),
  });
  if (!next) return error;
  s.store.set('renewal', next);
  return new OidcError(error.message, error.code, { ...error.cause, retryAt: Math.round(next.retryAt * 1000), attempt: next.attempt });
}
