import { authorizationParams, authorizationUrl, shouldUsePar } from './authorize';
import { parseCallbackUrl, validateCallback } from './authorization-response';
import { saveTransaction, takeTransaction } from './login-transaction';
import { DEV, OidcError } from './errors';
import { httpTools } from './http-exchange';
import { freshJwks } from './jwks';
import { createPkcePair } from './pkce';
import { randomString } from './random';
import type { AuthSession, BeginLoginOptions, LoginResult, OidcSession } from './session';
import { authorizationCodeGrantRequest } from './token';
import type { LoginTransaction } from './transaction';
import { loadMetadata, keys, jwksOptions, idTokenExpectations, tokenRequest, withUserInfo } from './session-steps';
import { validateIdToken } from './id-token';

/*
 * The login: the authorization request (with PKCE, state, nonce, and PAR or
 * DPoP when on) and its callback (state, iss, code exchange, ID token checks).
 * In the lazy chunk with the other protocol steps (see session-flows.ts).
 */

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
  const signedIn = s.restore();
  // RFC 9449 10: bind the code to the DPoP key. A login with nobody signed in gets a new key; while a
  // session exists (a renewal, a step-up, a new sign-in) its key stays, since its tokens are bound to
  // it and the login may never come back (popup closed, provider refused).
  const algs = metadata.dpop_signing_alg_values_supported;
  const dpopJkt = dpop ? await (signedIn ? dpop.thumbprint(algs) : dpop.rotate(algs)) : undefined;
  // OIDC Core 3.1.2.1: a prompt=none request names the signed-in user with id_token_hint.
  const idTokenHint = options.prompt === 'none' ? signedIn?.idToken : undefined;
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
          DEV && 'Pushed Authorization Requests are required (by the config or by the provider) but not enabled: add withPushedAuthorizationRequests()',
          'CONFIG_INVALID',
          { key: 'usePushedAuthorizationRequests' },
        );
      }
      // RFC 9449 7: the pushed request carries a proof too.
      url = await push(metadata, config.clientId, params, dpop ? dpop.port(s.fetchJson) : s.fetchJson, httpTools);
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
  if (!tx) throw new OidcError(DEV && 'No login is pending: state unknown or already used', 'STATE_MISMATCH', { actual: params.state });
  if (s.now() - tx.createdAt > s.config.transactionTimeoutInSeconds) {
    throw new OidcError(DEV && 'The login took too long; its state has expired', 'STATE_MISMATCH', { reason: 'expired' });
  }
  const metadata = await loadMetadata(s);
  const { code, sessionState } = validateCallback(params, {
    state: tx.state,
    issuer: metadata.issuer,
    issParameterSupported: metadata.authorization_response_iss_parameter_supported === true,
  });
  // A valid response: the keys load in parallel with the token request (a failure surfaces
  // when the ID token is checked).
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
  if (tokens.idToken === undefined) throw new OidcError(DEV && 'The token response has no id_token', 'TOKEN_RESPONSE_INVALID');
  // A renewal, or a step-up (RFC 9470), continues the session of the user signed in now.
  const sameUser = tx.renew === true || tx.stepUp === true;
  const current = sameUser ? s.restore() : null;
  // One for a session that ended meanwhile (logout while the iframe or the provider ran) signs nobody in.
  if (sameUser && !current) throw sessionEnded();
  await keysReady;
  const claims = await validateIdToken(tokens.idToken, keys(s, metadata), {
    ...idTokenExpectations(s, metadata, tokens),
    nonce: tx.nonce,
    ...(tx.maxAge !== undefined ? { maxAge: tx.maxAge } : {}),
    ...(tx.acrValues !== undefined ? { acrValues: tx.acrValues.split(' ').filter(Boolean) } : {}),
  });
  // OIDC Core 3.1.2.1 (prompt=none): a renewal must not switch the user; nor may a step-up, whose
  // caller goes on with the request it made for the user signed in before.
  if (current && (claims.sub !== current.idTokenClaims.sub || claims.iss !== current.idTokenClaims.iss)) {
    throw new OidcError(DEV && 'The renewed session is for another user', 'ID_TOKEN_REFRESH_MISMATCH', {
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
  // Checked again after the last wait (keys, signature, userinfo): a logout meanwhile stays a logout.
  if (sameUser && !s.restore()) throw sessionEnded();
  s.store.set('session', session);
  s.store.remove('renewal');
  return { session, ...(tx.returnUrl !== undefined ? { returnUrl: tx.returnUrl } : {}) };
}

function sessionEnded(): OidcError {
  return new OidcError(DEV && 'The session ended while it was being renewed or stepped up', 'NO_SESSION');
}
