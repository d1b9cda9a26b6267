/*
 * ngx-oidc/testing: test a host app's components, guards and HTTP calls
 * without an OpenID Provider.
 */
export { AuthTestingController, type AuthTestingOptions, type TestUser, TESTING_AUTHORITY, provideAuthTesting } from './provide-auth-testing';
export { type AuthTestingBackendOptions, provideAuthTestingBackend } from './testing-backend';
