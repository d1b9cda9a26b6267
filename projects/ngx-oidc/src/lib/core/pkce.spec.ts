import { createHash } from 'node:crypto';
import { OidcError } from './errors';
import { PKCE_METHOD, calculateCodeChallenge, createPkcePair, generateCodeVerifier } from './pkce';

/** RFC 7636 4.1: 43 to 128 characters from ALPHA / DIGIT / "-" / "." / "_" / "~". */
const RFC7636_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/** RFC 7636 4.2, computed independently with Node's crypto. */
function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';

describe('generateCodeVerifier', () => {
  it('returns 43 to 128 unreserved characters (64 random bytes: 86)', () => {
    const verifier = generateCodeVerifier();
    expect(verifier).toMatch(RFC7636_VERIFIER);
    expect(verifier).toHaveLength(Math.ceil((64 * 4) / 3));
  });

  it('returns a fresh value each time', () => {
    const values = new Set(Array.from({ length: 20 }, () => generateCodeVerifier()));
    expect(values.size).toBe(20);
  });
});

describe('calculateCodeChallenge', () => {
  it('computes the RFC 7636 Appendix B example', async () => {
    // RFC 7636 Appendix B: code_verifier and the code_challenge the appendix prints for it.
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    await expect(calculateCodeChallenge(verifier)).resolves.toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    expect(s256(verifier)).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('is BASE64URL(SHA256(verifier)) for generated verifiers', async () => {
    for (let i = 0; i < 5; i++) {
      const verifier = generateCodeVerifier();
      await expect(calculateCodeChallenge(verifier)).resolves.toBe(s256(verifier));
    }
  });

  it('accepts the shortest and the longest verifier, and every unreserved character', async () => {
    const shortest = UNRESERVED.slice(0, 43);
    const longest = UNRESERVED.repeat(2).slice(0, 128);
    const allChars = UNRESERVED; // 66 characters, including - . _ ~
    for (const verifier of [shortest, longest, allChars]) {
      expect(verifier).toMatch(RFC7636_VERIFIER);
      await expect(calculateCodeChallenge(verifier)).resolves.toBe(s256(verifier));
    }
  });

  it('rejects a verifier of 42 characters', async () => {
    const verifier = UNRESERVED.slice(0, 42);
    const p = calculateCodeChallenge(verifier);
    await expect(p).rejects.toBeInstanceOf(OidcError);
    await expect(p).rejects.toMatchObject({ code: 'CONFIG_INVALID', cause: { actual: 42 } });
  });

  it('rejects a verifier of 129 characters', async () => {
    const verifier = UNRESERVED.repeat(2).slice(0, 129);
    await expect(calculateCodeChallenge(verifier)).rejects.toMatchObject({ code: 'CONFIG_INVALID', cause: { actual: 129 } });
  });

  it('rejects an empty verifier', async () => {
    await expect(calculateCodeChallenge('')).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it.each([
    ['+', 'base64 plus'],
    ['/', 'base64 slash'],
    ['=', 'padding'],
    [' ', 'space'],
    ['%', 'percent'],
    ['\u00e9', 'non-ASCII letter'],
    ['\n', 'newline'],
  ])('rejects a verifier containing %j (%s)', async (bad) => {
    const verifier = UNRESERVED.slice(0, 43) + bad;
    await expect(calculateCodeChallenge(verifier)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    const inside = UNRESERVED.slice(0, 20) + bad + UNRESERVED.slice(20, 43);
    await expect(calculateCodeChallenge(inside)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('createPkcePair', () => {
  it('returns a valid verifier with its S256 challenge', async () => {
    const pair = await createPkcePair();
    expect(PKCE_METHOD).toBe('S256');
    expect(pair.codeChallengeMethod).toBe('S256');
    expect(pair.codeVerifier).toMatch(RFC7636_VERIFIER);
    expect(pair.codeChallenge).toBe(s256(pair.codeVerifier));
    expect(pair.codeChallenge).not.toBe(pair.codeVerifier);
  });

  it('returns a fresh pair each time', async () => {
    const [a, b] = await Promise.all([createPkcePair(), createPkcePair()]);
    expect(a.codeVerifier).not.toBe(b.codeVerifier);
    expect(a.codeChallenge).not.toBe(b.codeChallenge);
  });
});
