import { parseChallenges, stepUpChallenge } from './www-authenticate';

describe('parseChallenges (RFC 9110 11.6.1)', () => {
  it('reads quoted and unquoted params, lower-casing names and unescaping values', () => {
    expect(parseChallenges('Bearer realm="api", Error=invalid_token, error_description="say \\"hi\\", then go"')).toEqual([
      { scheme: 'Bearer', params: { realm: 'api', error: 'invalid_token', error_description: 'say "hi", then go' } },
    ]);
  });

  it('splits several challenges in one header, each with its own params', () => {
    expect(parseChallenges('DPoP algs="ES256 PS256", error="use_dpop_nonce", Bearer realm="x" , Basic')).toEqual([
      { scheme: 'DPoP', params: { algs: 'ES256 PS256', error: 'use_dpop_nonce' } },
      { scheme: 'Bearer', params: { realm: 'x' } },
      { scheme: 'Basic', params: {} },
    ]);
  });

  it('skips a token68 credential and goes on with the next challenge', () => {
    expect(parseChallenges('Negotiate a87421000492aa874209af8bc028==, Bearer error="invalid_token"')).toEqual([
      { scheme: 'Negotiate', params: {} },
      { scheme: 'Bearer', params: { error: 'invalid_token' } },
    ]);
  });

  it('keeps the first of a repeated param, so a later copy cannot override it', () => {
    expect(parseChallenges('Bearer error="insufficient_user_authentication", error="invalid_token"')[0]?.params['error']).toBe(
      'insufficient_user_authentication',
    );
  });

  it('does not read a param name out of another param\'s quoted value', () => {
    expect(parseChallenges('Bearer error_description="the error=invalid_token part"')[0]?.params).toEqual({
      error_description: 'the error=invalid_token part',
    });
  });

  it('stops at garbage, keeping what came before it', () => {
    expect(parseChallenges('')).toEqual([]);
    expect(parseChallenges('"quoted first"')).toEqual([]);
    expect(parseChallenges('Bearer realm="a", error="unterminated')).toEqual([{ scheme: 'Bearer', params: { realm: 'a' } }]);
  });
});

describe('stepUpChallenge (RFC 9470 3)', () => {
  it('reads acr_values and max_age of an insufficient_user_authentication challenge', () => {
    expect(
      stepUpChallenge('Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="myACR"'),
    ).toEqual({ acrValues: 'myACR' });
    expect(stepUpChallenge('Bearer error="insufficient_user_authentication", max_age="5"')).toEqual({ maxAge: 5 });
    expect(stepUpChallenge('DPoP algs="ES256", error=insufficient_user_authentication, acr_values="urn:a urn:b", max_age=300')).toEqual({
      acrValues: 'urn:a urn:b',
      maxAge: 300,
    });
  });

  it('finds the demand in any challenge of the header', () => {
    expect(stepUpChallenge('Basic realm="x", Bearer error="insufficient_user_authentication", acr_values="mfa"')).toEqual({ acrValues: 'mfa' });
  });

  it('is null for other errors, other schemes and no challenge at all', () => {
    expect(stepUpChallenge('Bearer error="invalid_token"')).toBeNull();
    expect(stepUpChallenge('Basic error="insufficient_user_authentication"')).toBeNull();
    expect(stepUpChallenge('Bearer error_description="insufficient_user_authentication"')).toBeNull();
    expect(stepUpChallenge('')).toBeNull();
  });

  it('leaves out a max_age that is not a whole number of seconds, and blank acr_values', () => {
    expect(stepUpChallenge('Bearer error="insufficient_user_authentication", max_age="-1", acr_values=" "')).toEqual({});
    expect(stepUpChallenge('Bearer error="insufficient_user_authentication", max_age="5.5"')).toEqual({});
  });
});
