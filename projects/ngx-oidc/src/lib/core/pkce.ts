import { DEV, OidcError } from './errors';
import { base64url, randomString, sha } from './random';

/**
 * Proof Key for Code Exchange, S256 only.
 * @see https://www.rfc-editor.org/rfc/rfc7636
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1 (plain is not to be used)
 */

/** The only PKCE method this library sends (RFC 9700 2.1.1). */
export const PKCE_METHOD = 'S256';

/** RFC 7636 4.1: `code_verifier = 43*128unreserved`. */
const VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * A fresh code verifier: 64 random bytes, base64url, 86 characters
 * (RFC 7636 4.1: 43 to 128 unreserved characters, high entropy).
 */
export function generateCodeVerifier(): string {
  return randomString(64);
}

/**
 * `code_challenge = BASE64URL(SHA256(ASCII(code_verifier)))` (RFC 7636 4.2).
 * Throws `CONFIG_INVALID` for a verifier outside the RFC 7636 4.1 grammar.
 */
export async function calculateCodeChallenge(verifier: string): Promise<string> {
  // RFC 7636 4.1: 43 to 128 characters from the unreserved set.
  if (!VERIFIER_PATTERN.test(verifier)) {
    throw new OidcError(DEV && 'PKCE code_verifier must be 43 to 128 unreserved characters', 'CONFIG_INVALID', {
      actual: verifier.length,
    });
  }
  return base64url(await sha(256, verifier));
}

/** A verifier and its S256 challenge, ready for an authorization request. */
export interface PkcePair {
  /** Kept in the transaction, sent to the token endpoint. */
  readonly codeVerifier: string;
  /** Sent in the authorization request. */
  readonly codeChallenge: string;
  /** Always `S256`. */
  readonly codeChallengeMethod: typeof PKCE_METHOD;
}

/** Generates a verifier and its S256 challenge (RFC 7636 4.1, 4.2). */
export async function createPkcePair(): Promise<PkcePair> {
  const codeVerifier = generateCodeVerifier();
  return { codeVerifier, codeChallenge: await calculateCodeChallenge(codeVerifier), codeChallengeMethod: PKCE_METHOD };
}
