// Error sentences are for development builds only: every OidcError the library
// makes is written `new OidcError(DEV && 'sentence', CODE, cause)` (see
// ngx-oidc/dev-mode), so that production builds drop the sentence and keep the
// code and the cause. This finds sentences written without `DEV &&` (or
// `DEV ?`) in the arguments of `new OidcError(...)` and of the helpers that
// build one (`invalid(...)`, `fail(...)`), which would ship in every production
// bundle. Run by `npm test`; exits non-zero and lists them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

// The main entry point and ngx-oidc/dpop (the testing entry point serves tests only).
const dirs = ['../projects/ngx-oidc/src/lib/', '../projects/ngx-oidc/dpop/src/'].map((d) => new URL(d, import.meta.url).pathname);
const builders = new Set(['OidcError', 'invalid', 'fail']);
const offences = [];

/** A sentence: a string or template literal with a space in it. */
function isSentence(node) {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return / /.test(node.text);
  return ts.isTemplateExpression(node) && / /.test(node.head.text + node.templateSpans.map((s) => s.literal.text).join(''));
}

/** The literals an argument yields when it is not guarded by DEV (through parentheses and conditionals). */
function unguarded(node) {
  if (ts.isParenthesizedExpression(node)) return unguarded(node.expression);
  if (ts.isConditionalExpression(node)) return node.condition.getText() === 'DEV' ? [] : [...unguarded(node.whenTrue), ...unguarded(node.whenFalse)];
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken && node.left.getText() === 'DEV') return [];
  return isSentence(node) ? [node] : [];
}

for (const file of dirs.flatMap((dir) => readdirSync(dir, { recursive: true }).map((name) => join(dir, String(name))))) {
  if (!file.endsWith('.ts') || file.endsWith('.spec.ts')) continue;
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && builders.has(node.expression.text)) {
      for (const literal of (node.arguments ?? []).flatMap(unguarded)) {
        const { line } = source.getLineAndCharacterOfPosition(literal.getStart());
        offences.push(`${file}:${line + 1}: ${literal.getText().slice(0, 100)}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

if (offences.length > 0) {
  console.error(`OidcError sentences must be written DEV && '...' (production builds drop them):\n${offences.join('\n')}`);
  process.exit(1);
}
console.log('error sentences: development builds only');
