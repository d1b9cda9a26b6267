/*
 * The TypeScript that @schematics/angular itself runs on, so that nodes can be
 * handed to its utilities (insertImport, findAppConfig) without mixing two
 * compilers: the copy it bundles under third_party (Angular 20 and 21), or,
 * from Angular 22 on, which bundles none, its own `typescript` dependency.
 * The types are those of the bundled copy, which the build compiles against.
 */
import type TypeScript from '@schematics/angular/third_party/github.com/Microsoft/TypeScript/lib/typescript';
import { dirname } from 'node:path';

function loadTypeScript(): typeof TypeScript {
  try {
    return require('@schematics/angular/third_party/github.com/Microsoft/TypeScript/lib/typescript');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    return require(require.resolve('typescript', { paths: [dirname(require.resolve('@schematics/angular/package.json'))] }));
  }
}

export const ts: typeof TypeScript = loadTypeScript();

/** The types the collection names as `ts.X` (add one here when a file needs it). */
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace ts {
  export type Node = TypeScript.Node;
  export type NodeArray<T extends Node> = TypeScript.NodeArray<T>;
  export type SourceFile = TypeScript.SourceFile;
  export type Statement = TypeScript.Statement;
  export type Expression = TypeScript.Expression;
  export type Identifier = TypeScript.Identifier;
  export type StringLiteral = TypeScript.StringLiteral;
  export type CallExpression = TypeScript.CallExpression;
  export type ArrayLiteralExpression = TypeScript.ArrayLiteralExpression;
  export type ObjectLiteralExpression = TypeScript.ObjectLiteralExpression;
  export type PropertyAssignment = TypeScript.PropertyAssignment;
  export type PropertyAccessExpression = TypeScript.PropertyAccessExpression;
  export type ImportDeclaration = TypeScript.ImportDeclaration;
  export type VariableStatement = TypeScript.VariableStatement;
}
