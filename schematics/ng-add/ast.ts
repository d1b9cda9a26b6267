/*
 * Small TypeScript AST helpers for the edits ng add makes. They use the
 * TypeScript that @schematics/angular runs on (./typescript), so nodes can be
 * handed to its utilities (insertImport, findAppConfig) without mixing two compilers.
 */
import { SchematicsException, type Tree } from '@angular-devkit/schematics';
import { insertImport } from '@schematics/angular/utility/ast-utils';
import { type Change, InsertChange, applyToUpdateRecorder } from '@schematics/angular/utility/change';
import { ts } from './typescript';
import { posix } from 'node:path';

export { ts };

/** A named import to make sure of. */
export interface ImportSpec {
  readonly symbol: string;
  readonly module: string;
}

export function parse(tree: Tree, path: string): ts.SourceFile {
  if (!tree.exists(path)) throw new SchematicsException(`${path} does not exist`);
  return ts.createSourceFile(path, tree.readText(path), ts.ScriptTarget.Latest, true);
}

export function applyChanges(tree: Tree, path: string, changes: readonly Change[]): void {
  if (changes.length === 0) return;
  const recorder = tree.beginUpdate(path);
  applyToUpdateRecorder(recorder, [...changes]);
  tree.commitUpdate(recorder);
}

/** Adds each missing import, one at a time so that two symbols of one module share one declaration. */
export function ensureImports(tree: Tree, path: string, imports: readonly ImportSpec[]): void {
  for (const { symbol, module } of imports) {
    const change = insertImport(parse(tree, path), path, symbol, module);
    if (change instanceof InsertChange) applyChanges(tree, path, [change]);
  }
}

/** Every node below `node` (not `node` itself), depth first, skipping import declarations. */
export function descendants(node: ts.Node): ts.Node[] {
  const found: ts.Node[] = [];
  const visit = (child: ts.Node): void => {
    if (ts.isImportDeclaration(child)) return;
    found.push(child);
    child.forEachChild(visit);
  };
  node.forEachChild(visit);
  return found;
}

/** True when `name` is used as an identifier in `node`, outside import declarations. */
export function usesIdentifier(node: ts.Node, name: string): boolean {
  return descendants(node).some((n) => ts.isIdentifier(n) && n.text === name);
}

/**
 * The local name under which `symbol` is imported in `source` from a module
 * `from` accepts (`import { symbol as local } from '...'`), or `null`.
 */
export function importedName(source: ts.SourceFile, symbol: string, from: (specifier: string) => boolean): string | null {
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier) || !from(statement.moduleSpecifier.text)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    const element = bindings.elements.find((e) => (e.propertyName ?? e.name).text === symbol);
    if (element) return element.name.text;
  }
  return null;
}

/** True when `symbol`, imported from a module `from` accepts, is used in `source`. */
export function usesImport(source: ts.SourceFile, symbol: string, from: (specifier: string) => boolean): boolean {
  const local = importedName(source, symbol, from);
  return local !== null && usesIdentifier(source, local);
}

/** Calls of `name(...)`, or of `Owner.name(...)` when `owner` is given, below `node`. */
export function findCalls(node: ts.Node, name: string, owner?: string): ts.CallExpression[] {
  return descendants(node).filter((n): n is ts.CallExpression => {
    if (!ts.isCallExpression(n)) return false;
    const callee = n.expression;
    if (owner === undefined) return ts.isIdentifier(callee) && callee.text === name;
    return (
      ts.isPropertyAccessExpression(callee) &&
      callee.name.text === name &&
      ts.isIdentifier(callee.expression) &&
      callee.expression.text === owner
    );
  });
}

/** Strips `(x)`, `x as T`, `x satisfies T` and `<T>x`. */
export function unwrap(expression: ts.Expression): ts.Expression {
  let current = expression;
  while (
    ts.isParenthesizedExpression(current) ||
    ts.isAsExpression(current) ||
    ts.isSatisfiesExpression(current) ||
    ts.isTypeAssertionExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}

/** The indentation (spaces and tabs) of the line `pos` is on. */
export function indentAt(source: ts.SourceFile, pos: number): string {
  const { line } = source.getLineAndCharacterOfPosition(pos);
  const lineStart = source.getPositionOfLineAndCharacter(line, 0);
  return /^[ \t]*/.exec(source.text.slice(lineStart))?.[0] ?? '';
}

function onSameLine(source: ts.SourceFile, a: number, b: number): boolean {
  return source.getLineAndCharacterOfPosition(a).line === source.getLineAndCharacterOfPosition(b).line;
}

/**
 * How an array lays out its elements: one per line (with their indentation;
 * an empty array counts as one per line, the layout an insertion gives it),
 * or all on one line.
 */
export function arrayLayout(source: ts.SourceFile, array: ts.ArrayLiteralExpression): { multiline: boolean; indent: string } {
  const first = array.elements[0];
  const open = array.getStart(source);
  if (first === undefined) return { multiline: true, indent: `${indentAt(source, open)}  ` };
  const multiline = !onSameLine(source, open, first.getStart(source));
  return { multiline, indent: multiline ? indentAt(source, first.getStart(source)) : '' };
}

/**
 * Where an element starts, counting the comments on their own lines just
 * above it (they belong to it): an insertion before it goes above them.
 */
function startWithComments(source: ts.SourceFile, node: ts.Node): number {
  const fullStart = node.getFullStart();
  const own = (ts.getLeadingCommentRanges(source.text, fullStart) ?? []).find((r) => !onSameLine(source, fullStart, r.pos));
  return own ? own.pos : node.getStart(source);
}

/**
 * Inserts `text` as an element of `array`, in the array's own layout (one
 * element per line, or all on one line), before `before` (above the comment
 * lines over it) or at the end.
 */
export function insertElement(
  source: ts.SourceFile,
  array: ts.ArrayLiteralExpression,
  text: string,
  before?: ts.Expression,
): Change {
  const path = source.fileName;
  const elements = array.elements;
  const open = array.getStart(source);
  const baseIndent = indentAt(source, open);
  const first = elements[0];
  if (first === undefined) {
    // `[]` becomes one element on its own line, so the next insertion finds a multi-line layout.
    return new InsertChange(path, open + 1, `\n${baseIndent}  ${text},\n${baseIndent}`);
  }
  const multiline = !onSameLine(source, open, first.getStart(source));
  const indent = multiline ? indentAt(source, first.getStart(source)) : '';
  if (before !== undefined) {
    if (multiline) return new InsertChange(path, startWithComments(source, before), `${text},\n${indent}`);
    return new InsertChange(path, before.getStart(source), `${text}, `);
  }
  const last = elements[elements.length - 1] ?? first;
  if (elements.hasTrailingComma) {
    // Insert after the trailing comma and keep one: `a,` → `a,\n  b,`.
    const comma = elements.end;
    return new InsertChange(path, comma, multiline ? `\n${indent}${text},` : ` ${text},`);
  }
  return new InsertChange(path, last.getEnd(), multiline ? `,\n${indent}${text}` : `, ${text}`);
}

/** Appends `text` as the last argument of `call`, inline. */
export function appendArgument(source: ts.SourceFile, call: ts.CallExpression, text: string): Change {
  const args = call.arguments;
  const last = args[args.length - 1];
  if (last === undefined) {
    // `f()` → `f(text)`: the arguments' position is just after `(`.
    return new InsertChange(source.fileName, args.pos, text);
  }
  return new InsertChange(source.fileName, last.getEnd(), `, ${text}`);
}

/** The relative module specifier from the file `fromFile` to the file `toFile` (no extension). */
export function relativeModule(fromFile: string, toFile: string): string {
  const relative = posix.relative(posix.dirname(fromFile), toFile.replace(/\.ts$/, ''));
  return relative.startsWith('.') ? relative : `./${relative}`;
}

/** The tree path a relative import in `fromFile` refers to, if that file exists. */
export function resolveRelativeImport(tree: Tree, fromFile: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = posix.join(posix.dirname(fromFile), specifier);
  for (const candidate of [`${base}.ts`, `${base}/index.ts`, base]) {
    if (candidate.endsWith('.ts') && tree.exists(candidate)) return candidate;
  }
  return null;
}

/** A top-level `const name = [...]` (possibly `as`/`satisfies` wrapped) in `source`. */
function arrayVariable(source: ts.SourceFile, name: string): ts.ArrayLiteralExpression | null {
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.name.text === name && declaration.initializer) {
        const value = unwrap(declaration.initializer);
        if (ts.isArrayLiteralExpression(value)) return value;
      }
    }
  }
  return null;
}

/** Where an array is defined: its file and the array literal. */
export interface ArrayLocation {
  readonly path: string;
  readonly array: ts.ArrayLiteralExpression;
}

/**
 * Follows an expression to the array literal it names: an inline `[...]`, a
 * variable in the same file, or a variable imported from a relative module.
 */
export function resolveArray(tree: Tree, source: ts.SourceFile, expression: ts.Expression): ArrayLocation | null {
  const value = unwrap(expression);
  if (ts.isArrayLiteralExpression(value)) return { path: source.fileName, array: value };
  if (!ts.isIdentifier(value)) return null;
  const local = arrayVariable(source, value.text);
  if (local) return { path: source.fileName, array: local };
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    const specifier = bindings.elements.find((e) => e.name.text === value.text);
    if (!specifier) continue;
    const target = resolveRelativeImport(tree, source.fileName, statement.moduleSpecifier.text);
    if (!target) return null;
    const array = arrayVariable(parse(tree, target), (specifier.propertyName ?? specifier.name).text);
    return array ? { path: target, array } : null;
  }
  return null;
}

/** The value of a `key: '...'` property of an object literal, if it is a string literal. */
export function stringProperty(node: ts.Expression, key: string): string | undefined {
  const value = unwrap(node);
  if (!ts.isObjectLiteralExpression(value)) return undefined;
  for (const property of value.properties) {
    if (
      ts.isPropertyAssignment(property) &&
      (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) &&
      property.name.text === key &&
      ts.isStringLiteralLike(property.initializer)
    ) {
      return property.initializer.text;
    }
  }
  return undefined;
}
