import { AUTH_DPOP, type AuthFeature, AuthFeatureKind } from 'ngx-oidc';
import { type DPoPOptions, dpopFeature } from './dpop-feature';

/**
 * DPoP (RFC 9449): binds the access and refresh tokens to a key pair the page
 * cannot export (WebCrypto, kept in IndexedDB per config id, a new one at
 * each login, deleted at logout), so a stolen token is useless without it.
 * Proofs go with the token requests, PAR and userinfo; `dpop_jkt` binds the
 * code; the interceptor sends `Authorization: DPoP` with a proof to secure
 * routes. Nonces are answered with one retry. A provider that answers an
 * unbound `Bearer` token is refused (`DPOP_NOT_BOUND`) unless `allowBearer`.
 * From the `ngx-oidc/dpop` entry point, so apps without it ship none of it.
 *
 * @example
 * ```ts
 * import { withDPoP } from 'ngx-oidc/dpop';
 * provideAuth(withConfig(config), withCheckAuthOnStartup(), withDPoP())
 * ```
 */
export function withDPoP(options: DPoPOptions = {}): AuthFeature<AuthFeatureKind.DPoP> {
  return { ɵkind: AuthFeatureKind.DPoP, ɵproviders: [{ provide: AUTH_DPOP, useValue: dpopFeature(options) }] };
}
