import { createHash } from 'node:crypto';
import { base64url, randomString, sha } from './random';

const BASE64URL_ALPHABET = /^[A-Za-z0-9_-]*$/;

describe('base64url', () => {
  it('encodes the RFC 7636 Appendix B verifier octets', () => {
    // RFC 7636 Appendix B: these 32 octets encode to the example code_verifier.
    const octets = new Uint8Array([
      116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240,
      91, 88, 5, 88, 83, 132, 141, 121,
    ]);
    expect(base64url(octets)).toBe('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
  });

  it('encodes the RFC 4648 section 10 vectors without padding', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [input, padded] of vectors) {
      expect(base64url(new TextEncoder().encode(input))).toBe(padded.replace(/=+$/, ''));
    }
  });

  it('uses - and _ where base64 has + and /', () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xbf, 0xfe]);
    const standard = Buffer.from(bytes).toString('base64');
    expect(standard).toMatch(/\+/);
    expect(standard).toMatch(/\//);
    expect(standard).toMatch(/=/);
    const encoded = base64url(bytes);
    expect(encoded).toBe(standard.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
    expect(encoded).toMatch(BASE64URL_ALPHABET);
  });

  it("agrees with Node's base64url for every length and every byte value", () => {
    const all = new Uint8Array(256).map((_, i) => i);
    for (let length = 0; length <= 70; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      const encoded = base64url(bytes);
      expect(encoded).toBe(Buffer.from(bytes).toString('base64url'));
      expect(encoded).toMatch(BASE64URL_ALPHABET);
      expect(encoded).toHaveLength(Math.ceil((length * 4) / 3));
    }
    expect(base64url(all)).toBe(Buffer.from(all).toString('base64url'));
  });
});

describe('randomString', () => {
  afterEach(() => jest.restoreAllMocks());

  it('gives 43 base64url characters for the default 32 bytes', () => {
    const value = randomString();
    expect(value).toHaveLength(Math.ceil((32 * 4) / 3));
    expect(value).toHaveLength(43);
    expect(value).toMatch(BASE64URL_ALPHABET);
  });

  it('scales with the byte length', () => {
    expect(randomString(16)).toHaveLength(Math.ceil((16 * 4) / 3));
    expect(randomString(64)).toHaveLength(Math.ceil((64 * 4) / 3));
    expect(randomString(0)).toBe('');
  });

  it('differs from call to call', () => {
    const values = new Set(Array.from({ length: 50 }, () => randomString()));
    expect(values.size).toBe(50);
  });

  it('encodes bytes drawn from crypto.getRandomValues', () => {
    const spy = jest.spyOn(crypto, 'getRandomValues'); // calls through: real randomness
    const value = randomString(32);
    expect(spy).toHaveBeenCalledTimes(1);
    const filled: unknown = spy.mock.calls[0]?.[0];
    if (!(filled instanceof Uint8Array)) throw new Error('expected a Uint8Array');
    expect(filled).toHaveLength(32);
    expect(value).toBe(Buffer.from(filled).toString('base64url'));
  });
});

describe('sha', () => {
  const inputs = ['', 'abc', 'h\u00e9llo \u2713 \u{1F600}'];

  it.each([256, 384, 512] as const)('computes SHA-%i of the UTF-8 bytes', async (bits) => {
    for (const input of inputs) {
      const digest = await sha(bits, input);
      expect(digest).toBeInstanceOf(Uint8Array);
      expect(digest).toHaveLength(bits / 8);
      expect(Buffer.from(digest).toString('hex')).toBe(createHash(`sha${bits}`).update(input, 'utf8').digest('hex'));
    }
  });

  it('matches the FIPS 180-2 SHA-256 vector for "abc"', async () => {
    expect(Buffer.from(await sha(256, 'abc')).toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('gives different digests for different inputs and sizes', async () => {
    const a = Buffer.from(await sha(256, 'a')).toString('hex');
    const b = Buffer.from(await sha(256, 'b')).toString('hex');
    expect(a).not.toBe(b);
    const a384 = Buffer.from(await sha(384, 'a')).toString('hex');
    expect(a384.startsWith(a)).toBe(false);
  });
});
