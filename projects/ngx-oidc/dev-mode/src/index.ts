/*
 * ngx-oidc/dev-mode: one constant, in an entry point of its own. Not part of
 * the supported API.
 *
 * Why an entry point: bundlers inline a constant from another module (and
 * then drop `DEV && 'sentence'`) only when the module that declares it has no
 * imports of other packages, and every module of the main entry point ends up
 * in a chunk that imports Angular.
 */

declare const ngDevMode: unknown;

/**
 * True except in production builds. Angular's application builder defines
 * `ngDevMode` as `false` when it optimizes, so every `DEV && 'sentence'` (the
 * library imports this as `DEV`) is dropped there, as Angular does with its
 * own messages: a production `OidcError`'s message is its code, and its
 * `cause` keeps the evidence. Other bundlers, tests and development builds
 * keep the sentences.
 *
 * Bundlers substitute it inside expressions (`DEV && 'sentence'`,
 * `DEV ? a : b`) but, inlining it late, do not drop a whole statement for it:
 * an `if` that only development builds run tests
 * `typeof ngDevMode === 'undefined' || ngDevMode` itself.
 */
export const ɵDEV: boolean = typeof ngDevMode === 'undefined' || !!ngDevMode;
