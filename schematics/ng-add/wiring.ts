/*
 * The edits to the app's code: the auth providers (or AuthConfigModule), the
 * HTTP interceptor, and the callback route. Each first looks whether its part
 * is already there, so a second run finds everything in place and changes nothing.
 */
import { type Rule, type Tree, chain } from '@angular-devkit/schematics';
import {
  type ArrayLocation,
  applyChanges,
  appendArgument,
  ensureImports,
  findCalls,
  insertElement,
  parse,
  relativeModule,
  resolveArray,
  resolveRelativeImport,
  stringProperty,
  ts,
  unwrap,
  usesIdentifier,
  usesImport,
} from './ast';
import { CALLBACK_PATH, type Plan, flowFeatures, tsString } from './plan';
import { type Report, attempt } from './report';
import { type AppRoot, type Snippet, addRootImport, addRootProvider, codeBlock, insertIntoRoot, rootSources } from './root';

const LIB = 'ngx-oidc';
const HTTP = '@angular/common/http';
const CALLBACK_ROUTE = `{ path: ${tsString(CALLBACK_PATH)}, canActivate: [authCallbackGuard], children: [] }`;

function hasRoot(plan: Plan): plan is Plan & { root: AppRoot } {
  return 'kind' in plan.root;
}

/** Where the user should make an edit themselves: the root file, or a description when it was not found. */
function rootName(plan: Plan): string {
  if (hasRoot(plan)) return plan.root.path;
  return plan.useModule ? 'your root NgModule' : 'your app config (app.config.ts)';
}

/** The `provideAuth(...)` call, for standalone providers. */
function provideAuthSnippet(plan: Plan, rootPath: string): Snippet {
  return (use) => {
    // Named in reading order, so the import lists read the same way.
    const provideAuth = use('provideAuth', LIB);
    const source = plan.configUrl
      ? `${use('withHttpConfigLoader', LIB)}(${tsString(plan.configUrl)})`
      : `${use('withConfig', LIB)}(${use('authConfig', relativeModule(rootPath, plan.configFile ?? ''))})`;
    const checkAuth = use('withCheckAuthOnStartup', LIB);
    const features = flowFeatures(plan).map((name) => `, ${use(name, LIB)}()`).join('');
    return `${provideAuth}(${source}, ${checkAuth}()${features})`;
  };
}

/**
 * Inserts `snippet` into the root array, or hands it to the CLI's
 * `addRootProvider`/`addRootImport` (`fallback`) when there is no array to
 * insert into. `done` is recorded only once the insertion succeeded.
 */
function insertOrFallback(
  tree: Tree,
  root: AppRoot,
  field: 'providers' | 'imports',
  snippet: Snippet,
  fallback: () => Rule,
  done: () => void,
): Rule | undefined {
  if (insertIntoRoot(tree, root, field, snippet)) {
    done();
    return undefined;
  }
  return chain([fallback(), () => done()]);
}

const fromLibrary = (specifier: string) => specifier === LIB;
const fromHttp = (specifier: string) => specifier === HTTP;

/** The packages and paths `file` imports from. */
function importsOf(tree: Tree, file: string): string[] {
  return parse(tree, file).statements.flatMap((s) =>
    ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier) ? [s.moduleSpecifier.text] : [],
  );
}

/** True when a module the file imports from `specifier` (relative) itself imports from ngx-oidc. */
function relativeModuleUsesLibrary(tree: Tree, file: string, specifier: string): boolean {
  const target = resolveRelativeImport(tree, file, specifier);
  return target !== null && importsOf(tree, target).includes(LIB);
}

/** The other Angular OIDC libraries, whose `ng add` writes files of the same names. */
const OTHER_LIBRARIES = ['angular-auth-oidc-client', 'angular-oauth2-oidc'];

/**
 * Why the files ng add would wire cannot be used, if so: a file of the same
 * name that another library's setup wrote (angular-auth-oidc-client's
 * `auth-config.module.ts` and `auth.config.ts`). Wiring it would register that
 * library's module once more and report ngx-oidc as set up while nothing
 * provides it.
 */
export function foreignFileProblem(tree: Tree, plan: Plan): string | null {
  if (plan.existingSetup) return null;
  const foreign = [plan.moduleFile, plan.configFile].find((file) => {
    if (!file || !tree.exists(file)) return false;
    const imports = importsOf(tree, file);
    return imports.some((i) => OTHER_LIBRARIES.includes(i)) || (file === plan.moduleFile && !imports.includes(LIB));
  });
  return foreign
    ? `${foreign} already exists and is not ngx-oidc's (another library's setup?). Move or remove it (and that library's registration), then run ng add ngx-oidc again.`
    : null;
}

/**
 * The root file that already sets up ngx-oidc, if any: provideAuth or
 * AuthModule imported from ngx-oidc, or an AuthConfigModule whose file uses
 * ngx-oidc (an app's own AuthModule, or another library's AuthConfigModule, is not).
 */
export function findExistingSetup(tree: Tree, root: AppRoot): string | null {
  const existing = rootSources(tree, root).find(
    (source) =>
      usesImport(source, 'provideAuth', fromLibrary) ||
      usesImport(source, 'AuthModule', fromLibrary) ||
      usesImport(source, 'AuthConfigModule', (specifier) => relativeModuleUsesLibrary(tree, source.fileName, specifier)),
  );
  return existing ? existing.fileName : null;
}

/** Adds provideAuth(...) or AuthConfigModule to the root, unless some ngx-oidc setup is already there. */
export function wireAuth(plan: Plan, report: Report): Rule {
  const moduleFile = plan.moduleFile ?? '';
  const instructions = plan.useModule
    ? `Add AuthConfigModule (from '${hasRoot(plan) ? relativeModule(plan.root.path, moduleFile) : moduleFile}') to the imports of ${rootName(plan)}` +
      ` (in a standalone app: importProvidersFrom(AuthConfigModule) in the app config's providers).`
    : `Add ${provideAuthSnippet(plan, hasRoot(plan) ? plan.root.path : plan.project.sourceRoot + '/app/app.config.ts')((s) => s)} to the providers of ${rootName(plan)}` +
      ` (provideAuth, withConfig/withHttpConfigLoader and withCheckAuthOnStartup from 'ngx-oidc'${plan.configFile ? `, authConfig from ${plan.configFile}` : ''}).`;
  if (!hasRoot(plan)) {
    return () => {
      report.manual.push(`Could not find the app's root (${'problem' in plan.root ? plan.root.problem : 'unknown'}). ${instructions}`);
    };
  }
  const root = plan.root;
  return attempt(report, `register ngx-oidc in ${root.path}`, instructions, (tree: Tree) => {
    const existing = findExistingSetup(tree, root);
    if (existing) {
      report.kept.push(`${existing} already sets up ngx-oidc; left unchanged.`);
      return undefined;
    }
    if (plan.useModule) {
      const moduleSpec = relativeModule(root.path, moduleFile);
      const asImport: Snippet = (use) => use('AuthConfigModule', moduleSpec);
      const fallback = () => addRootImport(plan.project.name, codeBlock(asImport));
      if (root.kind === 'module') {
        return insertOrFallback(tree, root, 'imports', asImport, fallback, () =>
          report.done.push(`Imported AuthConfigModule in ${root.path}.`),
        );
      }
      // A standalone app that asked for the module: importProvidersFrom(AuthConfigModule).
      const wrapped: Snippet = (use) => `${use('importProvidersFrom', '@angular/core')}(${asImport(use)})`;
      return insertOrFallback(tree, root, 'providers', wrapped, fallback, () =>
        report.done.push(`Added importProvidersFrom(AuthConfigModule) to the providers in ${root.path}.`),
      );
    }
    const snippet = provideAuthSnippet(plan, root.path);
    return insertOrFallback(
      tree,
      root,
      'providers',
      snippet,
      () => addRootProvider(plan.project.name, codeBlock(snippet)),
      () => report.done.push(`Added ${snippet((name) => name)} to the providers in ${root.path}.`),
    );
  });
}

/** The first `provideHttpClient(...)` call in the root files, with its file. */
function findProvideHttpClient(tree: Tree, root: AppRoot): { path: string; call: ts.CallExpression } | null {
  for (const source of rootSources(tree, root)) {
    const call = findCalls(source, 'provideHttpClient')[0];
    if (call) return { path: source.fileName, call };
  }
  return null;
}

/** Finds the argument `feature(...)` of a provideHttpClient call. */
function featureCall(call: ts.CallExpression, feature: string): ts.CallExpression | undefined {
  return call.arguments
    .map(unwrap)
    .find((arg): arg is ts.CallExpression => ts.isCallExpression(arg) && ts.isIdentifier(arg.expression) && arg.expression.text === feature);
}

/**
 * Registers the interceptor. Standalone providers: authInterceptor() in
 * provideHttpClient(withInterceptors([...])), merged into an existing
 * provideHttpClient and its withInterceptors array. AuthConfigModule:
 * provideHttpClient(withInterceptorsFromDi()) and HTTP_INTERCEPTORS with
 * AuthInterceptor (an HttpClientModule import already takes DI interceptors).
 * A provideHttpClient it adds to a server-rendered app also gets withFetch().
 */
export function wireHttp(plan: Plan, report: Report): Rule {
  const functional = !plan.useModule;
  // A server-rendered app: HttpClient over fetch, as Angular recommends there (NG02801). Prerendering
  // serves the build's own files to fetch, so an http-config app can load auth-config.json while it
  // prerenders; over platform-server's XHR backend that load fails and so does the build.
  const ssr = plan.project.serverMainPath !== null;
  const fetchFeature = (use: (symbol: string, module: string) => string) => (ssr ? `${use('withFetch', HTTP)}(), ` : '');
  const fetchText = fetchFeature((symbol) => symbol);
  const instructions = functional
    ? `Add provideHttpClient(${fetchText}withInterceptors([authInterceptor()])) to the providers of ${rootName(plan)}, or authInterceptor() (from 'ngx-oidc') to your existing withInterceptors([...]).`
    : `Add provideHttpClient(${fetchText}withInterceptorsFromDi()) and { provide: HTTP_INTERCEPTORS, useClass: AuthInterceptor, multi: true } to the providers of ${rootName(plan)}.`;
  if (!hasRoot(plan)) {
    return () => {
      report.manual.push(`Could not register the HTTP interceptor. ${instructions}`);
    };
  }
  const root = plan.root;
  return attempt(report, 'register the HTTP interceptor', instructions, (tree: Tree) => {
    const sources = rootSources(tree, root);
    const uses = (symbol: string, from: (specifier: string) => boolean) => sources.some((s) => usesImport(s, symbol, from));
    if (uses('authInterceptor', fromLibrary)) {
      report.kept.push(`${root.path} already registers authInterceptor(); left unchanged.`);
      return undefined;
    }
    const usesHttpClientModule = uses('HttpClientModule', fromHttp);
    const rules: Rule[] = [];
    const existing = findProvideHttpClient(tree, root);
    if (ssr && plan.options.flow === 'http-config' && existing && !featureCall(existing.call, 'withFetch')) {
      // The app's own HttpClient setup is its choice; the consequence is said.
      report.warnings.push(
        `${existing.path}: provideHttpClient(...) has no withFetch(). This server-rendered app loads ${plan.configUrl ?? 'its auth config'} ` +
          `on the server too, and prerendering can only serve it to fetch: add withFetch() (from '${HTTP}') or the build fails while it extracts the routes.`,
      );
    }

    // A class interceptor already registered, or HttpClientModule, keeps the app on DI interceptors.
    if (functional && !usesHttpClientModule && !uses('AuthInterceptor', fromLibrary)) {
      if (!existing) {
        const snippet: Snippet = (use) =>
          `${use('provideHttpClient', HTTP)}(${fetchFeature(use)}${use('withInterceptors', HTTP)}([${use('authInterceptor', LIB)}()]))`;
        return insertOrFallback(
          tree,
          root,
          'providers',
          snippet,
          () => addRootProvider(plan.project.name, codeBlock(snippet)),
          () => report.done.push(`Added provideHttpClient(${fetchText}withInterceptors([authInterceptor()])) to the providers in ${root.path}.`),
        );
      }
      const source = existing.call.getSourceFile();
      const withInterceptors = featureCall(existing.call, 'withInterceptors');
      if (!withInterceptors) {
        applyChanges(tree, existing.path, [appendArgument(source, existing.call, 'withInterceptors([authInterceptor()])')]);
        ensureImports(tree, existing.path, [
          { symbol: 'withInterceptors', module: HTTP },
          { symbol: 'authInterceptor', module: LIB },
        ]);
        report.done.push(`Added withInterceptors([authInterceptor()]) to the existing provideHttpClient(...) in ${existing.path}.`);
        return undefined;
      }
      // withInterceptors([...]), or withInterceptors(list) with the list defined in this file or imported.
      const argument = withInterceptors.arguments[0];
      const list = argument ? resolveArray(tree, source, argument) : null;
      if (!list) throw new Error(`the argument of withInterceptors(...) in ${existing.path} is not an array this can follow`);
      if (usesIdentifier(list.array, 'authInterceptor')) {
        report.kept.push(`${list.path} already lists authInterceptor(); left unchanged.`);
        return undefined;
      }
      applyChanges(tree, list.path, [insertElement(list.array.getSourceFile(), list.array, 'authInterceptor()')]);
      ensureImports(tree, list.path, [{ symbol: 'authInterceptor', module: LIB }]);
      report.done.push(`Added authInterceptor() to the existing withInterceptors([...]) in ${list.path}.`);
      return undefined;
    }

    // Class interceptor through DI: AuthConfigModule setups, and apps still on HttpClientModule.
    if (usesHttpClientModule) {
      report.kept.push(`${root.path} imports HttpClientModule, which takes HTTP_INTERCEPTORS as it is.`);
    } else if (!existing) {
      const snippet: Snippet = (use) => `${use('provideHttpClient', HTTP)}(${fetchFeature(use)}${use('withInterceptorsFromDi', HTTP)}())`;
      const rule = insertOrFallback(
        tree,
        root,
        'providers',
        snippet,
        () => addRootProvider(plan.project.name, codeBlock(snippet)),
        () => report.done.push(`Added provideHttpClient(${fetchText}withInterceptorsFromDi()) to the providers in ${root.path}.`),
      );
      if (rule) rules.push(rule);
    } else if (featureCall(existing.call, 'withInterceptorsFromDi')) {
      report.kept.push(`${existing.path} already has provideHttpClient(withInterceptorsFromDi()); left unchanged.`);
    } else {
      applyChanges(tree, existing.path, [appendArgument(existing.call.getSourceFile(), existing.call, 'withInterceptorsFromDi()')]);
      ensureImports(tree, existing.path, [{ symbol: 'withInterceptorsFromDi', module: HTTP }]);
      report.done.push(`Added withInterceptorsFromDi() to the existing provideHttpClient(...) in ${existing.path}.`);
    }
    const interceptorRegistered = rootSources(tree, root).some((s) => usesImport(s, 'AuthInterceptor', fromLibrary));
    if (interceptorRegistered) {
      report.kept.push(`${root.path} already registers AuthInterceptor; left unchanged.`);
    } else {
      const snippet: Snippet = (use) =>
        `{ provide: ${use('HTTP_INTERCEPTORS', HTTP)}, useClass: ${use('AuthInterceptor', LIB)}, multi: true }`;
      // Runs after the provideHttpClient fallback (if any), on the tree that one left.
      rules.push((next: Tree) =>
        insertOrFallback(
          next,
          root,
          'providers',
          snippet,
          () => addRootProvider(plan.project.name, codeBlock(snippet)),
          () => report.done.push(`Registered AuthInterceptor (HTTP_INTERCEPTORS) in ${root.path}.`),
        ),
      );
    }
    return chain(rules);
  });
}

/** The routes array of the app: provideRouter(routes) or RouterModule.forRoot(routes), followed to its definition. */
export function findRoutes(tree: Tree, root: AppRoot): ArrayLocation | { problem: string } {
  const candidates: ts.SourceFile[] = rootSources(tree, root);
  if (root.kind === 'module') {
    // The routes usually live in a routing module the root module imports (app-routing-module.ts).
    const rootSource = parse(tree, root.path);
    for (const statement of rootSource.statements) {
      if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
        const target = resolveRelativeImport(tree, root.path, statement.moduleSpecifier.text);
        if (target) candidates.push(parse(tree, target));
      }
    }
  }
  for (const source of candidates) {
    const call = [...findCalls(source, 'provideRouter'), ...findCalls(source, 'forRoot', 'RouterModule')][0];
    const routes = call?.arguments[0];
    if (call && routes) {
      return resolveArray(tree, source, routes) ?? { problem: `the routes given to ${call.expression.getText(source)} in ${source.fileName} are not an array this can follow` };
    }
  }
  // No guess at a routes file the app may not use: the user is told instead.
  return { problem: `no provideRouter(...) or RouterModule.forRoot(...) was found in ${candidates.map((c) => c.fileName).join(', ')}` };
}

/** Adds the callback route (before a `**` route), unless a 'callback' route exists. */
export function addCallbackRoute(plan: Plan, report: Report): Rule {
  const instructions = `Add ${CALLBACK_ROUTE} to your routes, before any '**' route (authCallbackGuard from 'ngx-oidc').`;
  if (!hasRoot(plan)) {
    return () => {
      report.manual.push(`Could not add the callback route. ${instructions}`);
    };
  }
  const root = plan.root;
  return attempt(report, 'add the callback route', instructions, (tree: Tree) => {
    const found = findRoutes(tree, root);
    if ('problem' in found) throw new Error(found.problem);
    const { path, array } = found;
    const callback = array.elements.find((e) => stringProperty(e, 'path') === CALLBACK_PATH);
    if (callback) {
      report.kept.push(`${path} already has a '${CALLBACK_PATH}' route; left unchanged.`);
      return undefined;
    }
    const wildcard = array.elements.find((e) => stringProperty(e, 'path') === '**');
    applyChanges(tree, path, [insertElement(array.getSourceFile(), array, CALLBACK_ROUTE, wildcard)]);
    ensureImports(tree, path, [{ symbol: 'authCallbackGuard', module: LIB }]);
    report.done.push(`Added the '${CALLBACK_PATH}' route (authCallbackGuard) to ${path}.`);
    return undefined;
  });
}
