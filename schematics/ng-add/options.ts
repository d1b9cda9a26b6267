import { SchematicsException } from '@angular-devkit/schematics';
import type { AuthFlow, NgAddOptions } from './schema';

/** The flows, in the order `--help` and the prompt list them. */
export const FLOWS: readonly AuthFlow[] = ['refresh-tokens', 'iframe-renew', 'par', 'http-config'];

/** The options once checked and filled in; the project is resolved separately, against the workspace. */
export interface SetupOptions {
  readonly flow: AuthFlow;
  readonly authority: string;
  readonly clientId: string;
  readonly scope: string;
  readonly secureRoutes: readonly string[];
  readonly skipRoutes: boolean;
  /** `undefined`: detect from the app. */
  readonly standalone: boolean | undefined;
}

/** The scope a flow asks for when `--scope` is empty. */
export function defaultScope(flow: AuthFlow): string {
  return flow === 'refresh-tokens' ? 'openid profile offline_access' : 'openid profile';
}

function isLoopbackHost(hostname: string): boolean {
  // The same rule as the library (core/http.ts isLoopbackHost): plain http is only for a local provider.
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** Returns why `value` cannot be used as an https URL (http on loopback), or `null` if it can. */
function urlProblem(value: string, what: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${what} must be an absolute URL such as https://login.example.com (got "${value}")`;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    return `${what} must use https; plain http is only allowed for localhost, 127.0.0.1 or [::1] (got "${value}")`;
  }
  if (url.username || url.password) return `${what} must not contain a user name or password (got "${value}")`;
  return null;
}

/**
 * Checks the options and fills in the defaults. Every problem is a
 * SchematicsException whose message names the flag and says what to pass.
 */
export function resolveOptions(options: NgAddOptions): SetupOptions {
  const flow = options.flow ?? 'refresh-tokens';
  if (!FLOWS.includes(flow)) {
    throw new SchematicsException(`--flow "${String(flow)}" is not known: use one of ${FLOWS.join(', ')}.`);
  }

  const authority = (options.authority ?? '').trim();
  if (authority === '') {
    throw new SchematicsException(
      '--authority is required: the issuer URL of your OpenID Provider, for example --authority=https://login.example.com',
    );
  }
  const authorityProblem = urlProblem(authority, '--authority');
  if (authorityProblem) throw new SchematicsException(authorityProblem);
  const issuer = new URL(authority);
  // OIDC Discovery 3 / RFC 8414 2: an issuer has no query or fragment.
  if (issuer.search || issuer.hash) {
    throw new SchematicsException(`--authority must be the issuer URL without a query or fragment (got "${authority}")`);
  }

  const clientId = (options.clientId ?? '').trim();
  if (clientId === '') {
    throw new SchematicsException('--client-id is required and must not be empty: the client id of this app at your provider.');
  }

  const scope = (options.scope ?? '').trim().split(/\s+/).filter(Boolean).join(' ') || defaultScope(flow);
  // RFC 6749 3.3: scope tokens are printable ASCII without space, '"' or '\'.
  const badToken = scope.split(' ').find((token) => !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(token));
  if (badToken !== undefined) throw new SchematicsException(`--scope contains an invalid scope token "${badToken}".`);
  // OIDC Core 3.1.2.1: openid is required.
  if (!scope.split(' ').includes('openid')) {
    throw new SchematicsException(`--scope must contain "openid" (got "${scope}").`);
  }

  const secureRoutes = (options.secureRoutes ?? '')
    .split(',')
    .map((route) => route.trim())
    .filter(Boolean);
  for (const route of secureRoutes) {
    const problem = urlProblem(route, '--secure-routes entry');
    if (problem) throw new SchematicsException(problem);
  }

  return {
    flow,
    authority,
    clientId,
    scope,
    secureRoutes: [...new Set(secureRoutes)],
    skipRoutes: options.skipRoutes ?? false,
    standalone: options.standalone,
  };
}
