/*
 * `ng add ngx-oidc`: wires OpenID Connect into an application in one run.
 *
 * The options are checked before anything is touched; then a chain of small
 * rules writes the config files, registers the providers (or AuthConfigModule),
 * the HTTP interceptor and the callback route (and, in SSR apps, renders that
 * route in the browser only), each skipping what is already there; the last
 * rule says what was done and what is left to do.
 */
import { type Rule, type SchematicContext, SchematicsException, chain } from '@angular-devkit/schematics';
import { writeFiles } from './files';
import { resolveOptions } from './options';
import { CALLBACK_PATH, FLOW_LABELS, type Plan, makePlan } from './plan';
import { resolveProject } from './project';
import { Report } from './report';
import { findAppRoot } from './root';
import { addServerCallbackRoute } from './server-routes';
import type { NgAddOptions } from './schema';
import { addCallbackRoute, findExistingSetup, foreignFileProblem, wireAuth, wireHttp } from './wiring';

export function ngAdd(options: NgAddOptions): Rule {
  return async (tree) => {
    const setup = resolveOptions(options);
    const project = await resolveProject(tree, options.project);
    const root = findAppRoot(tree, project.mainPath);
    const plan = makePlan(project, setup, root, 'kind' in root ? findExistingSetup(tree, root) : null);
    // Checked before any change, as the options are: the tree stays as it was.
    const foreign = foreignFileProblem(tree, plan);
    if (foreign) throw new SchematicsException(foreign);
    const report = new Report();
    return chain([
      writeFiles(plan, report),
      // HttpClient first: the config loader and the interceptor both rely on it.
      wireHttp(plan, report),
      wireAuth(plan, report),
      setup.skipRoutes ? () => void report.kept.push('Callback route not added (--skip-routes).') : addCallbackRoute(plan, report),
      // SSR apps: the callback renders in the browser only (a no-op without server routes).
      addServerCallbackRoute(plan, report),
      (_tree, context) => logReport(plan, report, context),
    ]);
  };
}

/** The redirect URIs to register for the dev server (`ng serve`); the generated config computes them from the page's origin. */
const DEV_REDIRECT_URI = `http://localhost:4200/${CALLBACK_PATH}`;
const DEV_POST_LOGOUT_URI = 'http://localhost:4200/';

function logReport(plan: Plan, report: Report, context: SchematicContext): void {
  const { logger } = context;
  const { name } = plan.project;
  const { flow, clientId } = plan.options;
  if (report.done.length === 0 && report.manual.length === 0) {
    logger.info(`ngx-oidc is already set up in project "${name}": nothing to change.`);
    for (const line of report.kept) logger.info(`  - ${line}`);
    for (const line of report.warnings) logger.warn(line);
    return;
  }
  const setup = plan.useModule ? 'AuthConfigModule' : 'standalone providers';
  logger.info(`ngx-oidc set up in project "${name}" (${FLOW_LABELS[flow]}, ${setup}):`);
  for (const line of report.done) logger.info(`  - ${line}`);
  for (const line of report.kept) logger.info(`  - ${line}`);
  for (const line of report.warnings) logger.warn(line);
  for (const line of report.manual) logger.warn(line);

  const steps: string[] = [
    `At your provider, register the public client "${clientId}" (code flow with PKCE, no secret) with the redirect URI ` +
      `${DEV_REDIRECT_URI} and the post-logout redirect URI ${DEV_POST_LOGOUT_URI} (and the same paths on every origin you deploy to).`,
  ];
  if (flow === 'http-config') {
    steps.push(
      `${plan.jsonFile} holds http://localhost:4200 URLs: adjust redirectUrl and postLogoutRedirectUri to the origin each environment serves it from.`,
    );
  } else {
    steps.push(`Adjust the settings in ${plan.configFile}; the app computes both redirect URIs from its own origin.`);
  }
  if (flow === 'refresh-tokens') {
    steps.push('Allow the refresh_token grant for this client at the provider (the scope asks for offline_access).');
  }
  if (flow === 'iframe-renew') {
    steps.push(
      `Iframe renew needs the provider's session cookie inside an iframe; browsers that block third-party cookies break it. ` +
        `Prefer --flow refresh-tokens when your provider supports them.`,
    );
  }
  if (flow === 'par') steps.push("Check that the provider advertises pushed_authorization_request_endpoint in its discovery document.");
  if (plan.options.secureRoutes.length === 0) {
    steps.push('List your API URLs in secureRoutes so the interceptor sends them the access token (no other URL gets it).');
  }
  steps.push(
    "Protect routes with autoLoginGuard ({ path: 'orders', canActivate: [autoLoginGuard], component: Orders }) " +
      'and use inject(OidcAuth): login(), logout(), isAuthenticated(), user().',
  );
  if (report.serverRoutesFile) {
    steps.push(
      `Server-side rendering: routes behind autoLoginGuard are rendered on the server (or prerendered) without the user, ` +
        `because the guards let every request through there; the browser signs in and shows the user after hydration. ` +
        `Give pages whose content depends on the signed-in user renderMode: RenderMode.Client in ${report.serverRoutesFile}.`,
    );
  }
  logger.info('Next steps:');
  steps.forEach((step, i) => logger.info(`  ${i + 1}. ${step}`));
}
