/*
 * Finding and editing the app's root: the `providers` of the app config a
 * standalone app bootstraps with, or the `providers`/`imports` of the root
 * NgModule. Found the same way `addRootProvider` finds them, so an insertion
 * that cannot be made here can fall back to it.
 */
import type { Tree } from '@angular-devkit/schematics';
import { type CodeBlockCallback, addRootImport, addRootProvider } from '@schematics/angular/utility';
import { getDecoratorMetadata, getMetadataField } from '@schematics/angular/utility/ast-utils';
import { getAppModulePath, isStandaloneApp } from '@schematics/angular/utility/ng-ast-utils';
import { findAppConfig } from '@schematics/angular/utility/standalone/app_config';
import { findBootstrapApplicationCall, findProvidersLiteral } from '@schematics/angular/utility/standalone/util';
import { type ImportSpec, applyChanges, ensureImports, insertElement, parse, ts, unwrap } from './ast';

/** How the app bootstraps, and the file that holds its root providers. */
export interface AppRoot {
  readonly kind: 'standalone' | 'module';
  readonly mainPath: string;
  /** The app config's file (often `app.config.ts`; `main.ts` when the config is inline or missing), or the root module's file. */
  readonly path: string;
}

/**
 * A path as the tree and `relativeModule` take it: `/` between segments. The
 * `@schematics/angular` utilities join paths with `node:path`, which on
 * Windows gives `src\\app\\app.config.ts`.
 */
export function treePath(path: string): string {
  return path.replace(/\\/g, '/');
}

/** Finds the app's root, or returns `null` (with the reason) when the main file has no bootstrap call this can read. */
export function findAppRoot(tree: Tree, mainPath: string): AppRoot | { readonly problem: string } {
  try {
    if (isStandaloneApp(tree, mainPath)) {
      const config = findAppConfig(findBootstrapApplicationCall(tree, mainPath), tree, mainPath);
      return { kind: 'standalone', mainPath, path: treePath(config?.filePath ?? mainPath) };
    }
    const modulePath = treePath(getAppModulePath(tree, mainPath));
    if (!tree.exists(modulePath)) return { problem: `the root module ${modulePath} (imported by ${mainPath}) was not found` };
    return { kind: 'module', mainPath, path: modulePath };
  } catch (e) {
    return { problem: `${mainPath} has no bootstrapApplication or bootstrapModule call that can be read (${errorText(e)})` };
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The root array literal for `field`, freshly parsed, or `null` when there is none to insert into. */
export function rootArray(tree: Tree, root: AppRoot, field: 'providers' | 'imports'): ts.ArrayLiteralExpression | null {
  if (root.kind === 'standalone') {
    if (field !== 'providers') return null;
    const config = findAppConfig(findBootstrapApplicationCall(tree, root.mainPath), tree, root.mainPath);
    return config ? findProvidersLiteral(config.node) : null;
  }
  const metadata = getDecoratorMetadata(parse(tree, root.path), 'NgModule', '@angular/core')[0];
  if (!metadata || !ts.isObjectLiteralExpression(metadata)) return null;
  const property = getMetadataField(metadata, field)[0];
  if (!property) return null;
  const value = unwrap(property.initializer);
  return ts.isArrayLiteralExpression(value) ? value : null;
}

/** The root files to look into for what is already set up: the root file and the main file. */
export function rootSources(tree: Tree, root: AppRoot): ts.SourceFile[] {
  return [...new Set([root.path, root.mainPath])].map((path) => parse(tree, path));
}

/** Code to insert, written against a function that names (and imports) each external symbol. */
export type Snippet = (use: (symbol: string, module: string) => string) => string;

/**
 * Inserts `snippet` into the root's `providers` (or the root module's
 * `imports`), in the array's own layout, with its imports. Returns false when
 * there is no such array (a bootstrap call without a config,
 * `mergeApplicationConfig`, a module without the field): the caller then uses
 * the CLI's `addRootProvider`/`addRootImport` with {@link codeBlock}.
 */
export function insertIntoRoot(tree: Tree, root: AppRoot, field: 'providers' | 'imports', snippet: Snippet): boolean {
  const array = rootArray(tree, root, field);
  if (!array) return false;
  const imports: ImportSpec[] = [];
  const text = snippet((symbol, module) => {
    imports.push({ symbol, module });
    return symbol;
  });
  applyChanges(tree, root.path, [insertElement(array.getSourceFile(), array, text)]);
  ensureImports(tree, root.path, imports);
  return true;
}

/** A snippet as the code block the CLI's `addRootProvider` and `addRootImport` take. */
export function codeBlock(snippet: Snippet): CodeBlockCallback {
  return ({ code, external }) => code`${snippet(external)}`;
}

export { addRootImport, addRootProvider };
