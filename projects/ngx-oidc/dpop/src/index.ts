/*
 * ngx-oidc/dpop: DPoP (RFC 9449) for ngx-oidc, in an entry point of its own.
 */
export { withDPoP } from './with-dpop';
export { type DPoPOptions, dpopFeature, sendWithDPoP } from './dpop-feature';
export {
  type DPoPAlg,
  type DPoPKey,
  type DPoPPortOptions,
  DPoPNonces,
  chooseDPoPAlg,
  createDPoPProof,
  dpopHtu,
  dpopPort,
  dpopThumbprint,
  generateDPoPKey,
  needsDPoPNonce,
  publicJwk,
} from './dpop';
export { type DPoPKeyStore, MemoryDPoPKeyStore, indexedDbDPoPKeyStore } from './dpop-keys';
