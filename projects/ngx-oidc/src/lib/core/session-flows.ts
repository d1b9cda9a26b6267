import { authorizationParams, authorizationUrl, shouldUsePar } from './authorize';
import { type RenewalBackoff, backoffError, nextBackoff } from './backoff';

// For the iframe renewal's back-off and the step-up demand (auth-actions.ts): one lazy chunk holds
// the back-off policy and the challenge parser (which userinfo uses too), not a chunk of their own each.
export { nextBackoff };
export { stepUpChallenge } from './www-authenticate';
import { validateCallback } from './authorization-response';
import { parseCallbackUrl } from './callback';
import { saveTransaction, takeTransaction } from './login-transaction';
import { type ProviderMetadata, loadDiscovery } from './discovery';
import { OidcError, isOidcError, isTransientError, toOidcError } from './errors';
import { type FetchJson, type OidcHttpRequest, send } from './http';
import { type KeyResolver, freshJwks, jwksKeyResolver } from './jwks';
import { logoutUrl, revokeAll } from './logout';
import { createPkcePair } from './pkce';
import { randomString } from './random';
import type { AuthSession, BeginLoginOptions, LoginResult, LogoutResult, OidcSession } from './session';
import { type TokenSet, authorizationCodeGrantRequest, processTokenResponse, refreshTokenGrantRequest } from './token';
import type { LoginTransaction } from './transaction';
import { type UserInfo, fetchUserInfo } from './userinfo';
import { lazy } from './lazy';

/**
 * The protocol steps of {@link OidcSession}, in a module of their own that the
 * session loads on first use (a lazy chunk of the app): a returning user whose
 * tokens are fresh never downloads them. The ID token verification (with
 * `jose`) is a second lazy chunk, loaded in parallel with the token request.
 */

/** The verification steps, loaded on demand. */
type Verify = typeof import('./verify');

/** Starts loading the verification chunk (once; a failed load is tried again next time). */
export const loadVerify: () => Promise<Verify> = lazy(() => import('./verify'));

/** How long a tab that waited for the refresh lock waits for the other tab's write to show. */
const SESSION_PROPAGATION_WAIT_MS = 1000;

/** The key resolver of each session, rebuilt when `jwks_uri` changes. */
const resolvers = new WeakMap<OidcSession, { readonly jwksUri: string; readonly resolve: KeyResolver }>();

/** The provider metadata, from the cache when fresh (no round trip for a returning user). */
export function loadMetadata(s: OidcSession): Promise<ProviderMetadata> {
  return loadDiscovery(s.config.authority, {
    fetchJson: s.fetchJson,
    store: s.store,
    now: s.now(),
    ttlSeconds: s.config.discoveryCacheSeconds,
    ...(s.config.authWellknownEndpoints ? { overrides: s.config.authWellknownEndpoints } : {}),
  });
}

/**
 * Loads userinfo with the current access token (OIDC Core 5.3), checking its
 * `sub`; the caller merges it under the renewal lock.
 */
export async function fetchSessionUserInfo(s: OidcSession, current: AuthSession): Promise<UserInfo> {
  const { userInfo } = await withUserInfo(s, current, await loadMetadata(s));
  return userInfo!;
}

/**
 * Starts a login: creates PKCE, state and nonce, stores them as a single-use
 * transaction, and returns the URL to send the browser to, with the `state`
 * (which a PAR URL does not show) to pick the answer out. With PAR (RFC
 * 9126), the parameters are pushed first and the URL carries only
 * `client_id` and `request_uri`.
 */
export async function beginLogin(s: OidcSession, options: BeginLoginOptions = {}): Promise<{ url: string; state: string }> {
  const metadata = await loadMetadata(s);
  const pkce = await createPkcePair();
  const { config } = s;
  const { dpop } = s.deps;
  // RFC 9449 10: bind the code to the DPoP key; a new login gets a new key, a renewal keeps it.
  const algs = metadata.dpop_signing_alg_values_supported;
  const dpopJkt = dpop ? await (options.renew ? dpop.thumbprint(algs) : dpop.rotate(algs)) : undefined;
  // OIDC Core 3.1.2.1: a prompt=none request names the signed-in user with id_token_hint.
  const idTokenHint = options.prompt === 'none' ? s.restore()?.idToken : undefined;
  const maxAge = options.maxAge ?? config.maxAge;
  const tx: LoginTransaction = {
    state: randomString(),
    nonce: randomString(),
    codeVerifier: pkce.codeVerifier,
    redirectUri: options.redirectUri ?? config.redirectUrl,
    createdAt: s.now(),
    ...(maxAge !== undefined ? { maxAge } : {}),
    ...(options.acrValues !== undefined ? { acrValues: options.acrValues } : {}),
    ...(options.returnUrl !== undefined ? { returnUrl: options.returnUrl } : {}),
    ...(options.renew ? { renew: true } : {}),
    ...(options.stepUp ? { stepUp: true } : {}),
  };
  const params = authorizationParams({
    clientId: config.clientId,
    redirectUri: tx.redirectUri,
    scope: config.scope,
    state: tx.state,
    nonce: tx.nonce,
    codeChallenge: pkce.codeChallenge,
    ...(options.prompt !== undefined ? { prompt: options.prompt } : {}),
    ...(maxAge !== undefined ? { maxAge } : {}),
    ...(options.acrValues !== undefined ? { acrValues: options.acrValues } : {}),
    ...(config.resource !== undefined ? { resource: config.resource } : {}),
    ...(idTokenHint !== undefined ? { idTokenHint } : {}),
    ...(dpopJkt !== undefined ? { dpopJkt } : {}),
    customParams: { ...config.customParamsAuthRequest, ...options.customParams },
  });
  saveTransaction(s.transactions, tx, s.now());
  try {
    let url: string;
    if (shouldUsePar(metadata, config.usePushedAuthorizationRequests)) {
      const push = s.deps.pushedAuthorization;
      if (!push) {
        throw new OidcError(
          'Pushed Authorization Requests are required (by the config or by the provider) but not enabled: add withPushedAuthorizationRequests()',
          'CONFIG_INVALID',
          { key: 'usePushedAuthorizationRequests' },
        );
      }
      // RFC 9449 7: the pushed request carries a proof too.
      url = await push(metadata, config.clientId, params, dpop ? dpop.port(s.fetchJson) : s.fetchJson);
    } else {
      url = authorizationUrl(metadata.authorization_endpoint, params);
    }
    return { url, state: tx.state };
  } catch (e) {
    s.transactions.remove(tx.state);
    throw e;
  }
}

/**
 * Finishes a login from the redirect URL: checks state (single use) and the
 * RFC 9207 `iss`, exchanges the code, validates the ID token, optionally
 * loads userinfo, then stores the session. On any failure nothing is stored
 * and the transaction is gone, so a reload or a replay cannot exchange a code twice.
 */
export async function finishLogin(s: OidcSession, callbackUrl: string): Promise<LoginResult> {
  const params = parseCallbackUrl(callbackUrl);
  // RFC 6749 10.12: the response's state picks its own transaction, which is removed
  // before anything else (single use); an unknown state finds and deletes nothing.
  const tx = takeTransaction(s.transactions, params.state);
  if (!tx) throw new OidcError('No login is pending: state unknown or already used', 'STATE_MISMATCH', { actual: params.state });
  if (s.now() - tx.createdAt > s.config.transactionTimeoutInSeconds) {
    throw new OidcError('The login took too long; its state has expired', 'STATE_MISMATCH', { reason: 'expired' });
  }
  const metadata = await loadMetadata(s);
  const { code, sessionState } = validateCallback(params, {
    state: tx.state,
    issuer: metadata.issuer,
    issParameterSupported: metadata.authorization_response_iss_parameter_supported === true,
  });
  // A valid response: in parallel with the token request, the verification code (a lazy
  // chunk) and the keys. A failed load surfaces when awaited, after the exchange.
  const verifying = loadVerify();
  verifying.catch(() => undefined);
  const keysReady = freshJwks(jwksOptions(s, metadata)).catch(() => undefined);
  const tokens = await tokenRequest(s, () =>
    authorizationCodeGrantRequest(metadata.token_endpoint, {
      clientId: s.config.clientId,
      code,
      redirectUri: tx.redirectUri,
      codeVerifier: tx.codeVerifier,
      ...(s.config.resource !== undefined ? { resource: s.config.resource } : {}),
    }),
  );
  // OIDC Core 3.1.3.3: the token response of an OpenID request contains an ID token.
  if (tokens.idToken === undefined) throw new OidcError('The token response has no id_token', 'TOKEN_RESPONSE_INVALID');
  // A renewal, or a step-up (RFC 9470), continues the session of the user signed in now.
  const sameUser = tx.renew === true || tx.stepUp === true;
  const current = sameUser ? s.restore() : null;
  // One for a session that ended meanwhile (logout while the iframe or the provider ran) signs nobody in.
  if (sameUser && !current) throw new OidcError('The session ended while it was being renewed or stepped up', 'NO_SESSION');
  const [v] = await Promise.all([verifying, keysReady]);
  const claims = await v.validateIdToken(tokens.idToken, keys(s, metadata), {
    ...idTokenExpectations(s, metadata, tokens, v),
    nonce: tx.nonce,
    ...(tx.maxAge !== undefined ? { maxAge: tx.maxAge } : {}),
    ...(tx.acrValues !== undefined ? { acrValues: tx.acrValues.split(' ').filter(Boolean) } : {}),
  });
  // OIDC Core 3.1.2.1 (prompt=none): a renewal must not switch the user; nor may a step-up, whose
  // caller goes on with the request it made for the user signed in before.
  if (current && (claims.sub !== current.idTokenClaims.sub || claims.iss !== current.idTokenClaims.iss)) {
    throw new OidcError('The renewed session is for another user', 'ID_TOKEN_REFRESH_MISMATCH', {
      expected: current.idTokenClaims.sub,
      actual: claims.sub,
    });
  }
  let session: AuthSession = {
    idToken: tokens.idToken,
    idTokenClaims: claims,
    accessToken: tokens.accessToken,
    accessTokenExpiresAt: tokens.expiresAt,
    accessTokenReceivedAt: s.now(),
    ...(tokens.refreshToken !== undefined && s.config.useRefreshToken ? { refreshToken: tokens.refreshToken } : {}),
    ...(tokens.scope !== undefined ? { scope: tokens.scope } : {}),
    ...(sessionState !== undefined ? { sessionState } : {}),
    ...(tokens.tokenType === 'DPoP' ? { tokenType: 'DPoP' as const } : {}),
  };
  if (s.config.autoUserInfo) session = await withUserInfo(s, session, metadata);
  s.store.set('session', session);
  s.store.remove('renewal');
  return { session, ...(tx.returnUrl !== undefined ? { returnUrl: tx.returnUrl } : {}) };
}

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
  // The verification code loads while the lock, the keys and the token request are awaited.
  const verifying = loadVerify();
  verifying.catch(() => undefined);
  let current = s.restore();
  // Another tab held the lock, so it probably rotated the refresh token; its write may
  // still be on its way to this tab. Wait for it (bounded) before using the old token.
  if (contended && current?.refreshToken === seenRefreshToken && s.deps.sessionChanged) {
    await s.deps.sessionChanged(SESSION_PROPAGATION_WAIT_MS);
    current = s.restore();
  }
  if (!current) throw new OidcError('There is no session to refresh', 'NO_SESSION');
  // Not due (another tab may have renewed while this one waited for the lock): keep the tokens.
  if (!s.needsRenewal(current) && (!force || current.refreshToken !== seenRefreshToken)) return current;
  const refreshToken = current.refreshToken;
  if (refreshToken === undefined) throw new OidcError('The session has no refresh token', 'NO_REFRESH_TOKEN');
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
    const v = await verifying;
    claims = await v.validateIdToken(tokens.idToken, keys(s, metadata), {
      ...idTokenExpectations(s, metadata, tokens, v),
      previous: current.idTokenClaims,
      ignoreNonceAfterRefresh: s.config.ignoreNonceAfterRefresh,
    }).catch((e: unknown) => {
      throw renewalFailed(s, toOidcError(e), current, backoff);
    });
  }
  // Logged out (or another tab changed the session) while the request ran: store nothing.
  if (s.restore()?.refreshToken !== refreshToken) throw new OidcError('The session changed while it was being renewed', 'NO_SESSION');
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

/**
 * The provider's side of a logout of `ended` (already removed locally):
 * revokes its refresh and access tokens (RFC 7009) in parallel, each with a
 * short timeout, when the provider lets public clients revoke; then returns
 * the RP-initiated logout URL with a fresh `state` (remembered, so the
 * return page can be recognised and scrubbed). Never rejects.
 */
export async function endProviderSession(
  s: OidcSession,
  ended: AuthSession | null,
  options: { postLogoutRedirectUri?: string; state?: string; revoke?: boolean } = {},
): Promise<LogoutResult> {
  let metadata: ProviderMetadata;
  try {
    metadata = await loadMetadata(s);
  } catch (e) {
    return { endSessionUrl: null, errors: [toOidcError(e)] };
  }
  const errors =
    ended && options.revoke !== false ? await revokeAll(metadata, s.config.clientId, ended, s.deps.fetchJson) : [];
  const postLogoutRedirectUri = options.postLogoutRedirectUri ?? s.config.postLogoutRedirectUri;
  const state = options.state ?? (metadata.end_session_endpoint && postLogoutRedirectUri !== undefined ? randomString() : undefined);
  let url: string | null;
  try {
    url = logoutUrl(metadata, {
      clientId: s.config.clientId,
      ...(ended ? { idTokenHint: ended.idToken } : {}),
      ...(postLogoutRedirectUri !== undefined ? { postLogoutRedirectUri } : {}),
      ...(state !== undefined ? { state } : {}),
      customParams: s.config.customParamsEndSessionRequest,
    });
  } catch (e) {
    return { endSessionUrl: null, errors: [...errors, toOidcError(e)] };
  }
  if (url && state !== undefined) s.logoutStates.save(state);
  return { endSessionUrl: url, errors };
}

function keys(s: OidcSession, metadata: ProviderMetadata): KeyResolver {
  // A new discovery document may name another jwks_uri: follow it.
  let entry = resolvers.get(s);
  if (entry?.jwksUri !== metadata.jwks_uri) {
    entry = { jwksUri: metadata.jwks_uri, resolve: jwksKeyResolver(jwksOptions(s, metadata)) };
    resolvers.set(s, entry);
  }
  return entry.resolve;
}

function jwksOptions(s: OidcSession, metadata: ProviderMetadata) {
  return { jwksUri: metadata.jwks_uri, fetchJson: s.fetchJson, store: s.store, now: s.now, ttlSeconds: s.config.discoveryCacheSeconds };
}

function idTokenExpectations(s: OidcSession, metadata: ProviderMetadata, tokens: TokenSet, v: Verify) {
  return {
    issuer: metadata.issuer,
    clientId: s.config.clientId,
    algorithms: v.allowedIdTokenAlgs(s.config.idTokenSigningAlgs, metadata.id_token_signing_alg_values_supported),
    now: s.now(),
    clockSkewSeconds: s.config.clockSkewInSeconds,
    maxIatOffsetSeconds: s.config.maxIdTokenIatOffsetAllowedInSeconds,
    accessToken: tokens.accessToken,
    trustedAudiences: s.config.trustedAudiences,
  };
}

async function tokenRequest(s: OidcSession, build: () => OidcHttpRequest, previousRefreshToken?: string): Promise<TokenSet> {
  const { dpop } = s.deps;
  // RFC 9449 5: with DPoP, every token request carries a proof of the key.
  const res = await send(dpop ? dpop.port(s.fetchJson) : s.fetchJson, build());
  return processTokenResponse(res, {
    now: s.now(),
    ...(previousRefreshToken !== undefined ? { previousRefreshToken } : {}),
    ...(dpop ? { tokenType: dpop.tokenType } : {}),
  });
}

async function withUserInfo(s: OidcSession, session: AuthSession, metadata: ProviderMetadata): Promise<AuthSession> {
  if (!metadata.userinfo_endpoint) throw new OidcError('The provider has no userinfo endpoint', 'USERINFO_ERROR');
  const { dpop } = s.deps;
  const bound = session.tokenType === 'DPoP' && dpop;
  // RFC 9449 7: a bound token is sent with a proof carrying its hash (ath).
  const port: FetchJson = bound ? dpop.port(s.fetchJson, session.accessToken) : s.fetchJson;
  const userInfo = await fetchUserInfo(metadata.userinfo_endpoint, session.accessToken, session.idTokenClaims.sub, port, bound ? 'DPoP' : 'Bearer');
  return { ...session, userInfo };
}

function withoutTokenType(session: AuthSession): AuthSession {
  const { tokenType: _unbound, ...rest } = session;
  return rest;
}
