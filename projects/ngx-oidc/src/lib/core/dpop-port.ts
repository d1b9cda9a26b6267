import type { FetchJson } from './http';

/**
 * What the session needs for DPoP (RFC 9449): made by `dpopPort()` in the
 * `ngx-oidc/dpop` entry point and given as `SessionDeps.dpop`, so that apps
 * without DPoP never load its code (nor jose's signing).
 */
export interface DPoPPort {
  /** A new key for a login with nobody signed in; resolves to its thumbprint, for `dpop_jkt` (RFC 9449 10). */
  rotate(supportedAlgs?: readonly string[]): Promise<string>;
  /** The thumbprint of the current key (a login while a session exists keeps it), made when there is none. */
  thumbprint(supportedAlgs?: readonly string[]): Promise<string>;
  /**
   * `fetchJson` with a fresh proof on every request (`ath` too when
   * `accessToken` is given); once more, with the new nonce, when the server
   * asks for one (`use_dpop_nonce`, RFC 9449 8 and 9), and never more than that.
   */
  port(fetchJson: FetchJson, accessToken?: string): FetchJson;
  /**
   * Checks a token response's `token_type` (RFC 9449 5): `DPoP`; `Bearer` means
   * the provider did not bind the token, refused with `DPOP_NOT_BOUND` unless
   * allowed.
   */
  tokenType(tokenType: unknown): 'Bearer' | 'DPoP';
  /** A proof for one request (`ath` too when `accessToken` is given), with the origin's last nonce. */
  proof(request: { readonly method: string; readonly url: string }, accessToken?: string): Promise<string>;
  /** Keeps the `DPoP-Nonce` of an answer from `url` (RFC 9449 8.2, 9). */
  remember(url: string, headers: Readonly<Record<string, string>>): void;
  /**
   * Deletes the key and forgets the nonces (logout). Settles once the key is
   * deleted, or after about a second if its store does not answer: a logout
   * waits for it before the page navigates away.
   */
  drop(): Promise<void>;
}
