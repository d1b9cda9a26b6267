/**
 * The parts of jose that DPoP uses, in a module of its own so that
 * `import('./jose-sign')` loads them lazily and the app's builder keeps only
 * these (a dynamic `import('jose')` would bring all of jose).
 */
export { SignJWT, base64url, calculateJwkThumbprint, exportJWK } from 'jose';
