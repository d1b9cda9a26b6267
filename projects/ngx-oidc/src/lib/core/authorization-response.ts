import { type CallbackParams, responseParams } from './callback';
import { DEV, OidcError } from './errors';

/*
 * Reading and checking an authorization response, at the callback: a step of
 * the login (session-flows.ts), so it is loaded with the other protocol steps.
 * Recognising a callback URL (callback.ts) is needed at start-up; this is not.
 */

const RESPONSE_PARAMS = ['code', 'state', 'iss', 'error', 'error_description', 'error_uri', 'session_state'] as const;

/**
 * Reads the authorization response from the URL the provider redirected to:
 * the query (`response_mode=query`, the default for `code`), or the fragment
 * when the query holds neither `code` nor `error`. A response parameter given
 * twice, or a URL that does not parse, is `CALLBACK_INVALID`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 */
export function parseCallbackUrl(url: string): CallbackParams {
  const source = responseParams(url);
  if (!source) throw new OidcError(DEV && 'The callback URL does not parse', 'CALLBACK_INVALID');
  const result: CallbackParams = {};
  for (const name of RESPONSE_PARAMS) {
    const values = source.getAll(name);
    // RFC 6749 3.1: request and response parameters must not be included more than once.
    if (values.length > 1) {
      throw new OidcError(DEV && `The callback repeats the "${name}" parameter`, 'CALLBACK_INVALID', { key: name });
    }
    if (values.length === 1) result[name] = values[0];
  }
  return result;
}

/**
 * Checks an authorization response against the pending request and returns
 * the code. In order: `state` (`STATE_MISMATCH`), `iss` (`ISS_MISMATCH`),
 * a provider `error` (`AUTHORIZATION_ERROR`), then the code (`CALLBACK_INVALID`).
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
 */
export function validateCallback(
  params: CallbackParams,
  expected: { state: string; issuer: string; issParameterSupported: boolean },
): { code: string; sessionState?: string } {
  // RFC 6749 10.12: the response must carry the state this browser sent, exactly.
  if (expected.state === '' || params.state !== expected.state) {
    throw new OidcError(DEV && 'The callback state does not match the pending login', 'STATE_MISMATCH', { actual: params.state });
  }
  // RFC 9207 2.4: iss must equal the issuer when present, and must be present when advertised.
  if ((params.iss !== undefined || expected.issParameterSupported) && params.iss !== expected.issuer) {
    throw new OidcError(DEV && 'The callback iss does not match the issuer', 'ISS_MISMATCH', {
      expected: expected.issuer,
      actual: params.iss,
    });
  }
  // RFC 6749 4.1.2.1: the provider answered with an error.
  if (params.error !== undefined) {
    throw new OidcError(
      DEV && `The provider refused the authorization request: ${params.error}${params.error_description ? ` (${params.error_description})` : ''}`,
      'AUTHORIZATION_ERROR',
      {
        error: params.error,
        ...(params.error_description !== undefined ? { error_description: params.error_description } : {}),
        ...(params.error_uri !== undefined ? { error_uri: params.error_uri } : {}),
      },
    );
  }
  // RFC 6749 4.1.2: a successful response carries the code.
  if (params.code === undefined || params.code === '') {
    throw new OidcError(DEV && 'The callback has neither code nor error', 'CALLBACK_INVALID');
  }
  return { code: params.code, ...(params.session_state !== undefined ? { sessionState: params.session_state } : {}) };
}
