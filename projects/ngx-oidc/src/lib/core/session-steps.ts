import { type ProviderMetadata, loadDiscovery } from './discovery';
import { DEV, OidcError } from './errors';
import { type FetchJson, type OidcHttpRequest } from './http';
import { send } from './http-exchange';
import { type KeyResolver, jwksKeyResolver } from './jwks';
import type { AuthSession, OidcSession } from './session';
import { type TokenSet, processTokenResponse } from './token';
import { type UserInfo, fetchUserInfo } from './userinfo';
import { allowedIdTokenAlgs } from './id-token';

/*
 * Steps the login, refresh and logout flows share: provider metadata, the keys,
 * the token request, userinfo. In the lazy chunk with the other protocol steps (see session-flows.ts).
 */

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

export function keys(s: OidcSession, metadata: ProviderMetadata): KeyResolver {
  // A new discovery document may name another jwks_uri: follow it.
  let entry = resolvers.get(s);
  if (entry?.jwksUri !== metadata.jwks_uri) {
    entry = { jwksUri: metadata.jwks_uri, resolve: jwksKeyResolver(jwksOptions(s, metadata)) };
    resolvers.set(s, entry);
  }
  return entry.resolve;
}

export function jwksOptions(s: OidcSession, metadata: ProviderMetadata) {
  return { jwksUri: metadata.jwks_uri, fetchJson: s.fetchJson, store: s.store, now: s.now, ttlSeconds: s.config.discoveryCacheSeconds };
}

export function idTokenExpectations(s: OidcSession, metadata: ProviderMetadata, tokens: TokenSet) {
  return {
    issuer: metadata.issuer,
    clientId: s.config.clientId,
    algorithms: allowedIdTokenAlgs(s.config.idTokenSigningAlgs, metadata.id_token_signing_alg_values_supported),
    now: s.now(),
    clockSkewSeconds: s.config.clockSkewInSeconds,
    maxIatOffsetSeconds: s.config.maxIdTokenIatOffsetAllowedInSeconds,
    accessToken: tokens.accessToken,
    trustedAudiences: s.config.trustedAudiences,
  };
}

export async function tokenRequest(s: OidcSession, build: () => OidcHttpRequest, previousRefreshToken?: string): Promise<TokenSet> {
  const { dpop } = s.deps;
  // RFC 9449 5: with DPoP, every token request carries a proof of the key.
  const res = await send(dpop ? dpop.port(s.fetchJson) : s.fetchJson, build());
  return processTokenResponse(res, {
    now: s.now(),
    ...(previousRefreshToken !== undefined ? { previousRefreshToken } : {}),
    ...(dpop ? { tokenType: dpop.tokenType } : {}),
  });
}

export async function withUserInfo(s: OidcSession, session: AuthSession, metadata: ProviderMetadata): Promise<AuthSession> {
  if (!metadata.userinfo_endpoint) throw new OidcError(DEV && 'The provider has no userinfo endpoint', 'USERINFO_ERROR');
  const { dpop } = s.deps;
  const bound = session.tokenType === 'DPoP' && dpop;
  // RFC 9449 7: a bound token is sent with a proof carrying its hash (ath).
  const port: FetchJson = bound ? dpop.port(s.fetchJson, session.accessToken) : s.fetchJson;
  const userInfo = await fetchUserInfo(metadata.userinfo_endpoint, session.accessToken, session.idTokenClaims.sub, port, bound ? 'DPoP' : 'Bearer');
  return { ...session, userInfo };
}

export function withoutTokenType(session: AuthSession): AuthSession {
  const { tokenType: _unbound, ...rest } = session;
  return rest;
}
