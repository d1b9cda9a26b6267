/*
 * Type-checks generated apps against the library's real sources, in memory:
 * what `ng build` would say about the code ng add wrote, in a second instead
 * of a minute. `ngx-oidc` resolves to projects/ngx-oidc/src/public-api.ts and
 * Angular to the workspace's node_modules.
 */
import * as path from 'node:path';
import ts from 'typescript';

const workspace = path.join(__dirname, '..', '..');

/** Compiler options of a new Angular 21 app (its tsconfig.json), without emit. */
const options: ts.CompilerOptions = {
  strict: true,
  noImplicitOverride: true,
  noPropertyAccessFromIndexSignature: true,
  noImplicitReturns: true,
  noFallthroughCasesInSwitch: true,
  skipLibCheck: true,
  isolatedModules: true,
  experimentalDecorators: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.Preserve,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  types: [],
  noEmit: true,
  paths: { 'ngx-oidc': [path.join(workspace, 'projects', 'ngx-oidc', 'src', 'public-api.ts')] },
};

function ancestors(dir: string): string[] {
  const found: string[] = [];
  for (let current = dir; !found.includes(current); current = path.dirname(current)) found.push(current);
  return found;
}

/** One generated app: its TypeScript files by tree path. */
export interface AppSources {
  readonly name: string;
  readonly files: ReadonlyMap<string, string>;
}

/**
 * Compiles every app in one program (each under its own virtual folder inside
 * the workspace, so node_modules resolve) and returns the diagnostics of the
 * generated files, formatted, or an empty list.
 */
export function typeCheck(apps: readonly AppSources[]): string[] {
  const virtual = new Map<string, string>();
  for (const app of apps) {
    for (const [file, text] of app.files) {
      virtual.set(path.join(workspace, '.typecheck', app.name, file), text);
    }
  }
  const host = ts.createCompilerHost(options, true);
  const { fileExists, readFile, getSourceFile, directoryExists } = host;
  const virtualDirs = new Set([...virtual.keys()].flatMap((file) => ancestors(path.dirname(file))));
  host.fileExists = (file) => virtual.has(file) || fileExists.call(host, file);
  host.directoryExists = (dir) => virtualDirs.has(dir) || (directoryExists?.call(host, dir) ?? true);
  host.readFile = (file) => virtual.get(file) ?? readFile.call(host, file);
  host.getSourceFile = (file, language, onError, create) => {
    const text = virtual.get(file);
    return text !== undefined ? ts.createSourceFile(file, text, language, true) : getSourceFile.call(host, file, language, onError, create);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  const diagnostics = [...virtual.keys()].flatMap((file) => {
    const source = program.getSourceFile(file);
    return source ? [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)] : [];
  });
  return diagnostics.map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    const file = d.file ? path.relative(path.join(workspace, '.typecheck'), d.file.fileName) : '';
    return `${file}${where ? `:${where.line + 1}:${where.character + 1}` : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}
