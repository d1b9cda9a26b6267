/*
 * The files ng add writes into the app. None is ever overwritten: a file that
 * exists is left as it is and reported, so a second run changes nothing.
 */
import { type Rule, type Tree, apply, applyTemplates, chain, filter, mergeWith, move, url } from '@angular-devkit/schematics';
import { posix } from 'node:path';
import { CALLBACK_PATH, FLOW_LABELS, type Plan, flowFeatures, templateText, tsString, tsStringArray } from './plan';
import type { Report } from './report';

/** The JSON an http-config app loads at start-up: the library's own keys. */
export function httpConfigJson(plan: Plan): string {
  const { authority, clientId, scope, secureRoutes } = plan.options;
  const config = {
    authority,
    clientId,
    redirectUrl: `http://localhost:4200/${CALLBACK_PATH}`,
    postLogoutRedirectUri: 'http://localhost:4200/',
    scope,
    secureRoutes,
    postLoginRoute: '/',
    unauthorizedRoute: '/',
    forbiddenRoute: '/',
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Renders one template folder of `files/` into `dir`, unless the file is already there. */
function fromTemplate(tree: Tree, report: Report, folder: string, target: string, vars: Record<string, unknown>): Rule {
  if (tree.exists(target)) {
    report.kept.push(`${target} already exists; left unchanged.`);
    return () => undefined;
  }
  report.done.push(`Created ${target}.`);
  const name = posix.basename(target);
  return mergeWith(
    apply(url(`./files/${folder}`), [
      applyTemplates(vars),
      filter((path) => posix.basename(path) === name),
      move(posix.dirname(target)),
    ]),
  );
}

/** Writes the config (TS or JSON), the AuthConfigModule and the silent renew page, as the plan says. */
export function writeFiles(plan: Plan, report: Report): Rule {
  return (tree) => {
    if (plan.existingSetup) {
      // Another run (or the user) set ngx-oidc up already: new config files would only sit unused beside it.
      report.kept.push('No config files written: the existing setup keeps its own config (edit that to change the settings).');
      return undefined;
    }
    const rules: Rule[] = [];
    const { options } = plan;
    if (plan.configFile) {
      rules.push(
        fromTemplate(tree, report, 'config', plan.configFile, {
          flow: options.flow,
          flowLabel: FLOW_LABELS[options.flow],
          authority: tsString(options.authority),
          clientId: tsString(options.clientId),
          scope: tsString(options.scope),
          callbackPath: templateText(CALLBACK_PATH),
          secureRoutes: tsStringArray(options.secureRoutes),
          silentRenewFile: plan.silentRenewFile ?? '',
          silentRenewPath: templateText(plan.silentRenewPath ?? ''),
        }),
      );
    }
    if (plan.moduleFile) {
      rules.push(
        fromTemplate(tree, report, 'module', plan.moduleFile, {
          configUrl: plan.configUrl,
          configSource: plan.configUrl ? `from ${plan.configUrl}` : 'from ./auth.config',
          forRootOptions:
            (plan.configUrl ? `httpConfigUrl: ${tsString(plan.configUrl)}` : 'config: authConfig') +
            (flowFeatures(plan).length ? `, features: [${flowFeatures(plan).map((f) => `${f}()`).join(', ')}]` : ''),
          featureImports: flowFeatures(plan).map((f) => `, ${f}`).join(''),
        }),
      );
    }
    if (plan.silentRenewFile) {
      rules.push(fromTemplate(tree, report, 'silent-renew', plan.silentRenewFile, {}));
    }
    if (plan.jsonFile) {
      if (tree.exists(plan.jsonFile)) {
        report.kept.push(`${plan.jsonFile} already exists; left unchanged.`);
      } else {
        tree.create(plan.jsonFile, httpConfigJson(plan));
        report.done.push(`Created ${plan.jsonFile}.`);
      }
    }
    if ((plan.jsonFile || plan.silentRenewFile) && !plan.project.staticDir.served) {
      report.warnings.push(
        `No "assets" entry of project "${plan.project.name}" copies ${plan.project.staticDir.dir}/ into the build: ` +
          `add { "glob": "**/*", "input": "${plan.project.staticDir.dir}" } to its build options in angular.json.`,
      );
    }
    return chain(rules);
  };
}
