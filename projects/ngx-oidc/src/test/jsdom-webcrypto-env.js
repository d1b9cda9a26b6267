// jsdom has no WebCrypto. The library needs crypto.getRandomValues and
// crypto.subtle (PKCE, at_hash, jose), so this environment hands the test
// window Node's own WebCrypto implementation: real crypto, not a mock.
const { webcrypto } = require('node:crypto');
const { TextEncoder, TextDecoder } = require('node:util');
const JsdomEnvironment = require('jest-preset-angular/environments/jest-jsdom-env').default;

class JsdomWithWebCryptoEnvironment extends JsdomEnvironment {
  constructor(config, context) {
    super(config, context);
    const g = this.global;
    Object.defineProperty(g, 'crypto', { value: webcrypto, configurable: true });
    g.CryptoKey = webcrypto.CryptoKey;
    // Node's TextEncoder would hand out Node-realm Uint8Arrays, which fail the
    // window's `instanceof Uint8Array` (jose checks it). In a browser both are
    // one realm, so copy the bytes into the window's own Uint8Array.
    g.TextEncoder = class extends TextEncoder {
      encode(input) {
        return new g.Uint8Array(super.encode(input));
      }
    };
    g.TextDecoder = TextDecoder;
    // Browsers have structuredClone; jsdom does not (jose uses it).
    g.structuredClone = structuredClone;
  }
}

module.exports = JsdomWithWebCryptoEnvironment;
