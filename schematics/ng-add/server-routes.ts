/*
 * Server-side rendering: the callback route of an app built with `ng new --ssr`
 * must render in the browser only. Its default server routes prerender
 * everything (`{ path: '**', renderMode: RenderMode.Prerender }`), so
 * `/callback` would be a page rendered at build time (or per request with
 * RenderMode.Server) for an authorization response only the browser can finish.
 * This adds `{ path: 'callback', renderMode: RenderMode.Client }` before the
 * catch-all, in the file's own layout; apps without server routes are left alone.
 */
import type { Rule, Tree } from '@angular-devkit/schematics';
import { type Change, InsertChange } from '@schematics/angular/utility/change';
import {
  type ArrayLocation,
  applyChanges,
  arrayLayout,
  ensureImports,
  findCalls,
  importedName,
  indentAt,
  insertElement,
  parse,
  resolveArray,
  resolveRelativeImport,
  stringProperty,
  ts,
  unwrap,
} from './ast';
import { CALLBACK_PATH, type Plan, tsString } from './plan';
import type { AppProject } from './project';
import { type Report, attempt } from './report';

const SSR = '@angular/ssr';
/** How far to follow relative imports from main.server.ts to the `withRoutes(...)` call (main.server → app.config.server). */
const MAX_FILES = 20;

/** The comment above the added entry: why it is there, and what to do about signed-in pages. */
export const SERVER_ROUTE_COMMENT = [
  'ngx-oidc: the login callback renders in the browser only (only the browser can finish the login).',
  'Routes behind autoLoginGuard render on the server without the user (the guards let every request',
  'through there): give pages whose content depends on the signed-in user RenderMode.Client too.',
];

/** The entry, for instructions. */
export const SERVER_CALLBACK_ROUTE = `{ path: ${tsString(CALLBACK_PATH)}, renderMode: RenderMode.Client }`;

/** The server routes of the app, or why they cannot be edited; `null` when the app has none (no SSR, or no server routes). */
export type ServerRoutes = ArrayLocation | { readonly problem: string; readonly path: string } | null;

/** Relative module specifiers a file imports or re-exports from (`export { X as default } from './app/app.module.server'`). */
function relativeSpecifiers(source: ts.SourceFile): string[] {
  return source.statements.flatMap((statement) => {
    const specifier =
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)
        ? statement.moduleSpecifier.text
        : null;
    return specifier !== null && specifier.startsWith('.') ? [specifier] : [];
  });
}

/** The arguments of `withRoutes(...)` (Angular 20+) and `provideServerRouting(...)` (Angular 19), imported from @angular/ssr. */
function serverRoutesArguments(source: ts.SourceFile): ts.Expression[] {
  return ['withRoutes', 'provideServerRouting'].flatMap((symbol) => {
    const local = importedName(source, symbol, (specifier) => specifier === SSR);
    if (local === null) return [];
    return findCalls(source, local).flatMap((call) => (call.arguments[0] ? [call.arguments[0]] : []));
  });
}

/**
 * Finds the server routes: from the project's server entry (main.server.ts),
 * following relative imports to the `withRoutes(serverRoutes)` call and
 * `serverRoutes` to its array (`app.routes.server.ts` in a new app). `null`
 * without a server entry, or when nothing it imports calls withRoutes (an
 * older SSR setup without server routes renders every route per request).
 */
export function findServerRoutes(tree: Tree, project: AppProject): ServerRoutes {
  const start = project.serverMainPath;
  if (start === null || !tree.exists(start)) return null;
  const queue = [start];
  const seen = new Set<string>();
  while (queue.length > 0 && seen.size < MAX_FILES) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = parse(tree, file);
    const routes = serverRoutesArguments(source)[0];
    if (routes !== undefined) {
      const call = routes.parent as ts.CallExpression;
      return (
        resolveArray(tree, source, routes) ?? {
          path: file,
          problem: `the server routes given to ${call.expression.getText(source)}(...) in ${file} are not an array this can follow`,
        }
      );
    }
    for (const specifier of relativeSpecifiers(source)) {
      const target = resolveRelativeImport(tree, file, specifier);
      if (target !== null && !seen.has(target)) queue.push(target);
    }
  }
  return null;
}

/** The path of a server route entry, with or without a leading slash. */
function routePath(element: ts.Expression): string | undefined {
  return stringProperty(element, 'path')?.replace(/^\/+/, '');
}

/** The `renderMode` of an entry as written (`RenderMode.Client`), or `undefined`. */
function renderModeText(element: ts.Expression, source: ts.SourceFile): string | undefined {
  const value = unwrap(element);
  if (!ts.isObjectLiteralExpression(value)) return undefined;
  const property = value.properties.find(
    (p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === 'renderMode',
  );
  return property?.initializer.getText(source);
}

/**
 * The entry, in the layout of `like` (the catch-all, or the last entry): the
 * same quotes, one property per line or all on one line, a trailing comma or not.
 */
function entryText(source: ts.SourceFile, like: ts.Expression | undefined, renderMode: string): string {
  const reference = like ? unwrap(like) : undefined;
  const pathValue = reference && ts.isObjectLiteralExpression(reference)
    ? reference.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'path')?.initializer
    : undefined;
  const quote = pathValue?.getText(source).startsWith('"') ? '"' : "'";
  const properties = [`path: ${quote}${CALLBACK_PATH}${quote}`, `renderMode: ${renderMode}.Client`];
  if (reference && ts.isObjectLiteralExpression(reference)) {
    const first = reference.properties[0];
    const open = reference.getStart(source);
    const multiline =
      first !== undefined && source.getLineAndCharacterOfPosition(open).line !== source.getLineAndCharacterOfPosition(first.getStart(source)).line;
    if (multiline && first) {
      const inner = indentAt(source, first.getStart(source));
      const outer = indentAt(source, open);
      const trailing = reference.properties.hasTrailingComma ? ',' : '';
      return `{\n${properties.map((p) => `${inner}${p}`).join(',\n')}${trailing}\n${outer}}`;
    }
    const spaced = !/^\{\S/.test(reference.getText(source));
    return spaced ? `{ ${properties.join(', ')} }` : `{${properties.join(', ')}}`;
  }
  return `{ ${properties.join(', ')} }`;
}

/** The enclosing top-level statement of a node (to put a comment above an array laid out on one line). */
function topLevelStatement(node: ts.Node): ts.Statement | null {
  let current: ts.Node = node;
  while (current.parent && !ts.isSourceFile(current.parent)) current = current.parent;
  return ts.isSourceFile(current.parent) ? (current as ts.Statement) : null;
}

/**
 * Adds `{ path: 'callback', renderMode: RenderMode.Client }` to the app's
 * server routes, before a `**` entry, with a comment on signed-in pages. An
 * existing 'callback' entry is kept (with a warning when it is not
 * RenderMode.Client); an app without server routes is left alone.
 */
export function addServerCallbackRoute(plan: Plan, report: Report): Rule {
  const instructions =
    `Add ${SERVER_CALLBACK_ROUTE} to your server routes (app.routes.server.ts), before the '**' entry (RenderMode from '${SSR}').`;
  return attempt(report, `add the '${CALLBACK_PATH}' server route`, instructions, (tree: Tree) => {
    const found = findServerRoutes(tree, plan.project);
    if (found === null) return undefined;
    report.serverRoutesFile = found.path;
    if ('problem' in found) throw new Error(found.problem);
    const { path, array } = found;
    const source = array.getSourceFile();
    const existing = array.elements.find((e) => routePath(e) === CALLBACK_PATH);
    if (existing) {
      const mode = renderModeText(existing, source);
      report.kept.push(`${path} already has a '${CALLBACK_PATH}' server route; left unchanged.`);
      if (mode === undefined || !/(^|\.)Client$/.test(mode)) {
        report.warnings.push(
          `The '${CALLBACK_PATH}' server route in ${path} renders with ${mode ?? 'no renderMode'}: ` +
            `only the browser can finish a login, so render the callback there alone (renderMode: RenderMode.Client).`,
        );
      }
      return undefined;
    }
    if (plan.options.skipRoutes) {
      report.kept.push(
        `Server route not added (--skip-routes): give your callback route renderMode: RenderMode.Client in ${path}.`,
      );
      return undefined;
    }
    // The file already uses RenderMode for its own entries, possibly under another name.
    const renderMode = importedName(source, 'RenderMode', (specifier) => specifier === SSR) ?? 'RenderMode';
    const wildcard = array.elements.find((e) => routePath(e) === '**');
    const entry = entryText(source, wildcard ?? array.elements[array.elements.length - 1], renderMode);
    const layout = arrayLayout(source, array);
    const comment = SERVER_ROUTE_COMMENT.map((line) => `// ${line}`);
    const changes: Change[] = [];
    if (layout.multiline) {
      changes.push(insertElement(source, array, [...comment, entry].join(`\n${layout.indent}`), wildcard));
    } else {
      // All on one line: a line comment inside would swallow the rest of it, so it goes above the statement.
      changes.push(insertElement(source, array, entry, wildcard));
      const statement = topLevelStatement(array);
      if (statement) {
        const at = statement.getStart(source);
        changes.push(new InsertChange(path, at, `${comment.join(`\n${indentAt(source, at)}`)}\n${indentAt(source, at)}`));
      }
    }
    applyChanges(tree, path, changes);
    ensureImports(tree, path, [{ symbol: 'RenderMode', module: SSR }]);
    report.done.push(`Added the '${CALLBACK_PATH}' server route (RenderMode.Client: the login callback renders in the browser) to ${path}.`);
    return undefined;
  });
}
