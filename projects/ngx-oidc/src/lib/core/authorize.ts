import type { ProviderMetadata } from './discovery';
import { DEV, OidcError } from './errors';
import { PKCE_METHOD } from './pkce';

/**
 * Extra request parameters from the config or the caller; values are sent as strings.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-8.2
 */
export type CustomParams = Readonly<Record<string, string | number | boolean>>;

/**
 * What goes into an authorization request. The session makes a fresh `state`,
 * `nonce` and PKCE pair for each one.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 */
export interface AuthorizationRequest {
  /** The registered client id. */
  clientId: string;
  /** The registered redirect URI, sent exactly as registered. */
  redirectUri: string;
  /** Space-separated scopes, `openid` among them. */
  scope: string;
  /** Fresh, single-use value bound to this browser (RFC 6749 10.12). */
  state: string;
  /** Fresh, single-use value echoed in the ID token (OIDC Core 3.1.2.1). */
  nonce: string;
  /** `BASE64URL(SHA256(code_verifier))` (RFC 7636 4.2). */
  codeChallenge: string;
  /** `none`, `login`, `consent`, `select_account` (space-separated when several). */
  prompt?: string;
  /** Maximum authentication age in seconds; makes `auth_time` required in the ID token. */
  maxAge?: number;
  /** Requested Authentication Context Class Reference values, space-separated, in order of preference. */
  acrValues?: string;
  /** The current ID token, for `prompt=none` requests (OIDC Core 3.1.2.1 `id_token_hint`). */
  idTokenHint?: string;
  /** The DPoP key's thumbprint: binds the code to the key (RFC 9449 10). */
  dpopJkt?: string;
  /** Resource indicator(s) (RFC 8707), one parameter per value. */
  resource?: string | string[];
  /** Extra parameters; they cannot set {@link PROTECTED_AUTHORIZATION_PARAMS}. */
  customParams?: CustomParams;
}

/**
 * Parameters the library sets itself; custom parameters that try to set one are
 * refused with `CONFIG_INVALID`, so an app cannot switch off PKCE or `state` by mistake.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 */
export const PROTECTED_AUTHORIZATION_PARAMS: readonly string[] = Object.freeze([
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'request_uri',
  'request',
  // OIDC Core 3.1.2.1: max_age makes auth_time required, so it must go through the checked `maxAge` option.
  'max_age',
  // OAuth 2.0 Multiple Response Types 2.1: only the default query response mode is handled.
  'response_mode',
  // RFC 9449 10: the key binding is the library's to set.
  'dpop_jkt',
]);

/**
 * Appends `custom` to `target`, refusing names in `protectedNames`
 * (`CONFIG_INVALID`, naming the parameter) and leaving out names in `skip`
 * (parameters the caller already set explicitly, which win). Numbers and
 * booleans are sent as their string form.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-8.2
 */
export function appendCustomParams(
  target: URLSearchParams,
  custom: CustomParams | undefined,
  protectedNames: readonly string[],
  skip: readonly string[] = [],
): void {
  for (const [name, value] of Object.entries(custom ?? {})) {
    if (protectedNames.includes(name)) {
      throw new OidcError(DEV && `Custom parameter "${name}" cannot override a protocol parameter`, 'CONFIG_INVALID', {
        key: name,
      });
    }
    // Values from JSON config may be anything: only primitives have a clear string form.
    const type = typeof value;
    if (!(type === 'string' || type === 'boolean' || (type === 'number' && Number.isFinite(value)))) {
      throw new OidcError(DEV && `Custom parameter "${name}" must be a string, a finite number or a boolean`, 'CONFIG_INVALID', {
        key: name,
        actual: value,
      });
    }
    if (!skip.includes(name)) target.set(name, String(value));
  }
}

/**
 * Appends each resource indicator as its own `resource` parameter.
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 */
export function appendResource(target: URLSearchParams, resource: string | readonly string[] | undefined): void {
  const list = resource === undefined ? [] : typeof resource === 'string' ? [resource] : resource;
  for (const value of list) {
    // RFC 8707 2: an absolute URI without a fragment.
    if (!isAbsoluteUriWithoutFragment(value)) {
      throw new OidcError(DEV && 'A resource indicator must be an absolute URI without a fragment', 'CONFIG_INVALID', {
        key: 'resource',
        actual: value,
      });
    }
    target.append('resource', value);
  }
}

function isAbsoluteUriWithoutFragment(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    return new URL(value).hash === '' && !value.includes('#');
  } catch {
    return false;
  }
}

function requireNonEmpty(req: AuthorizationRequest): void {
  for (const key of ['clientId', 'redirectUri', 'scope', 'state', 'nonce', 'codeChallenge'] as const) {
    const value: unknown = req[key];
    if (typeof value !== 'string' || value === '') {
      throw new OidcError(DEV && `Authorization request: ${key} is required`, 'CONFIG_INVALID', { key });
    }
  }
}

/**
 * The query parameters of a code-flow authorization request with PKCE S256.
 * Custom parameters come last; `prompt`, `max_age`, `acr_values` and `resource` given as
 * fields win over custom parameters of the same name.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.3
 */
export function authorizationParams(req: AuthorizationRequest): URLSearchParams {
  requireNonEmpty(req);
  const params = new URLSearchParams();
  params.set('client_id', req.clientId);
  params.set('redirect_uri', req.redirectUri);
  // OIDC Core 3.1.2.1: the code flow uses response_type=code.
  params.set('response_type', 'code');
  params.set('scope', req.scope);
  params.set('state', req.state);
  params.set('nonce', req.nonce);
  // RFC 7636 4.3, RFC 9700 2.1.1: S256 only, never plain.
  params.set('code_challenge', req.codeChallenge);
  params.set('code_challenge_method', PKCE_METHOD);
  const explicit: string[] = [];
  if (req.prompt !== undefined) {
    params.set('prompt', req.prompt);
    explicit.push('prompt');
  }
  if (req.maxAge !== undefined) {
    // OIDC Core 3.1.2.1: max_age is a number of seconds.
    if (!Number.isInteger(req.maxAge) || req.maxAge < 0) {
      throw new OidcError(DEV && 'max_age must be a whole number of seconds, 0 or more', 'CONFIG_INVALID', {
        key: 'maxAge',
        actual: req.maxAge,
      });
    }
    params.set('max_age', String(req.maxAge));
    explicit.push('max_age');
  }
  if (req.acrValues !== undefined) {
    // OIDC Core 3.1.2.1: acr_values is a space-separated list; the ID token's acr is then checked against it.
    params.set('acr_values', req.acrValues);
    explicit.push('acr_values');
  }
  if (req.idTokenHint !== undefined) {
    // OIDC Core 3.1.2.1: id_token_hint names the user a prompt=none request is about.
    params.set('id_token_hint', req.idTokenHint);
    explicit.push('id_token_hint');
  }
  if (req.dpopJkt !== undefined) {
    // RFC 9449 10: dpop_jkt binds the authorization code to the DPoP key.
    params.set('dpop_jkt', req.dpopJkt);
  }
  if (req.resource !== undefined) {
    appendResource(params, req.resource);
    explicit.push('resource');
  }
  appendCustomParams(params, req.customParams, PROTECTED_AUTHORIZATION_PARAMS, explicit);
  return params;
}

// authorizationUrl lives in endpoint-url.ts (PAR and end-session use it too); re-exported for this step's readers.
export { authorizationUrl } from './endpoint-url';


/**
 * Whether to push the authorization request: when the app asks for it or the
 * provider requires it. Throws `CONFIG_INVALID` when PAR is needed but the
 * provider has no PAR endpoint.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-5
 */
export function shouldUsePar(metadata: ProviderMetadata, configured: boolean): boolean {
  // RFC 9126 5: require_pushed_authorization_requests obliges the client to use PAR.
  const use = configured || metadata.require_pushed_authorization_requests === true;
  if (use && typeof metadata.pushed_authorization_request_endpoint !== 'string') {
    throw new OidcError(DEV && 'Pushed authorization requests are on, but the provider has no pushed_authorization_request_endpoint', 'CONFIG_INVALID', {
      key: 'usePushedAuthorizationRequests',
      required: metadata.require_pushed_authorization_requests === true,
    });
  }
  return use;
}
