import { type Rule, type SchematicContext, type Tree, callRule } from '@angular-devkit/schematics';
import { errorText } from './root';

/** What one run did, kept as it goes and logged at the end. */
export class Report {
  /** Changes made, one line each. */
  readonly done: string[] = [];
  /** Things already in place, left unchanged. */
  readonly kept: string[] = [];
  /** Steps that could not be done automatically: instructions for the user. */
  readonly manual: string[] = [];
  /** Warnings about the result (a folder the build does not serve, a scope without offline_access). */
  readonly warnings: string[] = [];
  /** The server routes file of an SSR app (app.routes.server.ts), once found; `null` for apps without. */
  serverRoutesFile: string | null = null;
}

/**
 * Runs `step` and, when it throws, records `instructions` instead of
 * aborting: ng add must never stop halfway with a cryptic error (STYLE 4.3).
 */
export function attempt(report: Report, what: string, instructions: string, step: Rule): Rule {
  return (tree: Tree, context: SchematicContext) =>
    new Promise<Tree>((resolve) => {
      const fail = (e: unknown): void => {
        report.manual.push(`Could not ${what} automatically (${errorText(e)}). ${instructions}`);
        resolve(tree);
      };
      let result: Tree = tree;
      try {
        callRule(step, tree, context).subscribe({
          next: (next) => (result = next),
          error: fail,
          complete: () => resolve(result),
        });
      } catch (e) {
        fail(e);
      }
    });
}
