/**
 * Random values and base64url, from WebCrypto only.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-7.1 (entropy)
 */

/** base64url without padding (RFC 4648 section 5; RFC 7515 appendix C). */
export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * A random, URL-safe string carrying `byteLength` bytes of entropy from
 * `crypto.getRandomValues`. 32 bytes (256 bits) give a 43-character string, used
 * for `state` and `nonce` (RFC 9700 2.1; OIDC Core 15.5.2).
 */
export function randomString(byteLength = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(byteLength)));
}

/** SHA-256, SHA-384 or SHA-512 of a string's UTF-8 bytes, via WebCrypto. */
export async function sha(bits: 256 | 384 | 512, input: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest(`SHA-${bits}`, new TextEncoder().encode(input)));
}
