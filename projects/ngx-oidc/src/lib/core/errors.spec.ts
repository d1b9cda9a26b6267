import { DEV, OidcError, isOidcError } from './errors';

describe('OidcError', () => {
  it('carries its name, message, code and cause', () => {
    const cause = { expected: 'abc', actual: 'xyz' };
    const error = new OidcError('state differs', 'STATE_MISMATCH', cause);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(OidcError);
    expect(error.name).toBe('OidcError');
    expect(error.message).toBe('state differs');
    expect(error.code).toBe('STATE_MISMATCH');
    expect(error.cause).toBe(cause);
    expect(String(error)).toBe('OidcError: state differs');
  });

  it('says its code when it has no sentence (production builds drop them, see DEV)', () => {
    const error = new OidcError(false, 'ID_TOKEN_NONCE_MISMATCH', { expected: 'a', actual: 'b' });
    expect(error.message).toBe('ID_TOKEN_NONCE_MISMATCH');
    expect(error.code).toBe('ID_TOKEN_NONCE_MISMATCH');
    expect(error.cause).toEqual({ expected: 'a', actual: 'b' });
  });

  it('keeps its sentences outside production builds (DEV is true under test)', () => {
    expect(DEV).toBe(true);
    expect(new OidcError(DEV && 'state differs', 'STATE_MISMATCH').message).toBe('state differs');
  });

  it('has no cause when none is given', () => {
    const error = new OidcError('no session', 'NO_SESSION');
    expect(error.cause).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(error, 'cause')).toBe(false);
    expect(error.oauthError).toBeUndefined();
  });

  it("exposes the provider's OAuth error as oauthError, never as the code", () => {
    const error = new OidcError('token endpoint refused', 'TOKEN_ERROR', {
      error: 'invalid_grant',
      error_description: 'code already used',
      status: 400,
    });
    expect(error.oauthError).toBe('invalid_grant');
    expect(error.code).toBe('TOKEN_ERROR');
  });

  it('has no oauthError when the cause holds no OAuth error', () => {
    expect(new OidcError('bad status', 'HTTP_ERROR', { status: 500 }).oauthError).toBeUndefined();
  });
});

describe('isOidcError', () => {
  const error = new OidcError('nonce differs', 'ID_TOKEN_NONCE_MISMATCH');

  it('accepts any OidcError when no codes are given', () => {
    expect(isOidcError(error)).toBe(true);
  });

  it('accepts an OidcError whose code is one of the given codes', () => {
    expect(isOidcError(error, 'ID_TOKEN_NONCE_MISMATCH')).toBe(true);
    expect(isOidcError(error, 'STATE_MISMATCH', 'ID_TOKEN_NONCE_MISMATCH')).toBe(true);
  });

  it('rejects an OidcError whose code is not among the given codes', () => {
    expect(isOidcError(error, 'STATE_MISMATCH')).toBe(false);
    expect(isOidcError(error, 'STATE_MISMATCH', 'ISS_MISMATCH')).toBe(false);
  });

  it('rejects values that only look like an OidcError', () => {
    const lookalike = Object.assign(new Error('nonce differs'), { name: 'OidcError', code: 'ID_TOKEN_NONCE_MISMATCH' });
    expect(isOidcError(lookalike)).toBe(false);
    expect(isOidcError(lookalike, 'ID_TOKEN_NONCE_MISMATCH')).toBe(false);
    expect(isOidcError({ code: 'ID_TOKEN_NONCE_MISMATCH' })).toBe(false);
    expect(isOidcError(null)).toBe(false);
    expect(isOidcError(undefined)).toBe(false);
    expect(isOidcError('ID_TOKEN_NONCE_MISMATCH')).toBe(false);
  });

  it('narrows the type so the code can be read', () => {
    const value: unknown = error;
    if (!isOidcError(value)) throw new Error('expected an OidcError');
    expect(value.code).toBe('ID_TOKEN_NONCE_MISMATCH');
  });
});
