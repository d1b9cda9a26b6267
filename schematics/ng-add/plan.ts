import type { AppProject } from './project';
import type { SetupOptions } from './options';
import type { AppRoot } from './root';
import type { AuthFlow } from './schema';
import { posix } from 'node:path';

/** Everything the rules need, decided once before any file is touched. */
export interface Plan {
  readonly project: AppProject;
  readonly options: SetupOptions;
  /** The app's root, or why it could not be read (the wiring then becomes instructions). */
  readonly root: AppRoot | { readonly problem: string };
  /** True: an AuthConfigModule (AuthModule.forRoot) and the class interceptor; false: provideAuth and authInterceptor(). */
  readonly useModule: boolean;
  /** `src/app/auth/auth.config.ts`, or `null` for http-config (the config is a JSON file then). */
  readonly configFile: string | null;
  /** `src/app/auth/auth-config.module.ts`, or `null` for provider setups. */
  readonly moduleFile: string | null;
  /** `public/auth-config.json` for http-config, else `null`. */
  readonly jsonFile: string | null;
  /** The URL the app loads `auth-config.json` from, for http-config. */
  readonly configUrl: string | null;
  /** `public/silent-renew.html` for iframe renew, else `null`. */
  readonly silentRenewFile: string | null;
  /** The URL path of the silent renew page, for iframe renew. */
  readonly silentRenewPath: string | null;
  /** The root file that already sets up ngx-oidc: then no new config files are written. */
  readonly existingSetup: string | null;
}

/**
 * The path of the login callback route: the route ng add adds (with
 * authCallbackGuard), the path of the redirect URI the generated config
 * computes, and the server route it renders in the browser only (SSR apps).
 */
export const CALLBACK_PATH = 'callback';

export const FLOW_LABELS: Record<AuthFlow, string> = {
  'refresh-tokens': 'refresh tokens',
  'iframe-renew': 'iframe renew',
  par: 'Pushed Authorization Requests',
  'http-config': 'config loaded over HTTP',
};

export function makePlan(project: AppProject, options: SetupOptions, root: Plan['root'], existingSetup: string | null): Plan {
  const detectedStandalone = 'kind' in root ? root.kind === 'standalone' : true;
  const useModule = !(options.standalone ?? detectedStandalone);
  const httpConfig = options.flow === 'http-config';
  const iframe = options.flow === 'iframe-renew';
  const { dir, urlPath } = project.staticDir;
  return {
    project,
    options,
    root,
    useModule,
    configFile: httpConfig ? null : posix.join(project.authDir, 'auth.config.ts'),
    moduleFile: useModule ? posix.join(project.authDir, 'auth-config.module.ts') : null,
    jsonFile: httpConfig ? posix.join(dir, 'auth-config.json') : null,
    configUrl: httpConfig ? `${urlPath}auth-config.json` : null,
    silentRenewFile: iframe ? posix.join(dir, 'silent-renew.html') : null,
    silentRenewPath: iframe ? `${urlPath}silent-renew.html` : null,
    existingSetup,
  };
}

/** The optional library features a flow needs (each is its own function, so other apps do not ship it). */
export function flowFeatures(plan: Plan): string[] {
  if (plan.options.flow === 'par') return ['withPushedAuthorizationRequests'];
  if (plan.options.flow === 'iframe-renew') return ['withSilentRenewIframe'];
  return [];
}

/** A single-quoted TypeScript string literal for any text. */
export function tsString(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return `'${escaped}'`;
}

/** Text that is safe inside a template literal. */
export function templateText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
}

/** `['a', 'b']` or `[]`. */
export function tsStringArray(values: readonly string[]): string {
  return `[${values.map(tsString).join(', ')}]`;
}
