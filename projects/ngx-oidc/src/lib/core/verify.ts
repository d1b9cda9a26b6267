/**
 * The ID token verification, with `jose`: a module of its own so that apps
 * load it (a lazy chunk) only at a callback or a renewal, in parallel with the
 * token request.
 */
export { allowedIdTokenAlgs, validateIdToken } from './id-token';
