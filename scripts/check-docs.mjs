// Keeps the documentation honest. Run by `npm run test:lint`; exits non-zero and
// says what to fix.
// (a) every key of OidcConfig has a row in docs/configuration.md;
// (b) every OidcErrorCode has a heading in docs/troubleshooting.md;
// (c) TypeDoc validates the public API (every exported symbol documented, every
//     referenced type exported, every {@link} resolved; warnings are errors) and
//     docs/api equals a fresh generation (`npm run docs:api` updates it);
// (d) relative links in README.md and docs/*.md lead to files (and headings) that
//     exist, and the npm README links only to absolute URLs or to shipped files.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const at = (...parts) => join(root, ...parts);
const problems = [];

/** The top-level declarations of a TypeScript file, parsed (no type checking: fast). */
function parse(file) {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

function findDeclaration(source, test) {
  const found = source.statements.find(test);
  if (!found) throw new Error(`check-docs: declaration not found in ${source.fileName}`);
  return found;
}

// (a) OidcConfig keys: each needs a table row whose first cell is the key in backticks.
const configSource = parse(at('projects/ngx-oidc/src/lib/core/config-types.ts'));
const oidcConfig = findDeclaration(configSource, (s) => ts.isInterfaceDeclaration(s) && s.name.text === 'OidcConfig');
const configKeys = oidcConfig.members.filter(ts.isPropertySignature).map((m) => m.name.getText(configSource));
const configurationMd = readFileSync(at('docs/configuration.md'), 'utf8');
for (const key of configKeys) {
  if (!new RegExp(`^\\|\\s*\`${key}\``, 'm').test(configurationMd)) {
    problems.push(`docs/configuration.md: no table row for the OidcConfig key \`${key}\``);
  }
}

// (b) OidcErrorCode: each needs a heading (### `CODE`) in docs/troubleshooting.md.
const errorsSource = parse(at('projects/ngx-oidc/src/lib/core/errors.ts'));
const codeAlias = findDeclaration(errorsSource, (s) => ts.isTypeAliasDeclaration(s) && s.name.text === 'OidcErrorCode');
const codes = ts.isUnionTypeNode(codeAlias.type)
  ? codeAlias.type.types.filter((t) => ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal)).map((t) => t.literal.text)
  : [];
if (codes.length === 0) problems.push('errors.ts: OidcErrorCode is no longer a union of string literals; update scripts/check-docs.mjs');
const troubleshootingMd = readFileSync(at('docs/troubleshooting.md'), 'utf8');
for (const code of codes) {
  if (!new RegExp(`^#{2,4} .*\`${code}\``, 'm').test(troubleshootingMd)) {
    problems.push(`docs/troubleshooting.md: no heading for the error code \`${code}\``);
  }
}

// (c) TypeDoc: validation (typedoc.json sets treatWarningsAsErrors), then a comparison with docs/api.
const fresh = mkdtempSync(join(tmpdir(), 'ngx-oidc-api-'));
try {
  const typedoc = spawnSync(process.execPath, [at('node_modules/typedoc/bin/typedoc'), '--out', fresh, '--logLevel', 'Warn'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (typedoc.status !== 0) {
    const output = `${typedoc.stdout}${typedoc.stderr}`.replace(/\x1b\[[0-9;]*m/g, '').trim();
    problems.push(`TypeDoc failed (an undocumented or unexported public symbol, or a broken {@link}):\n  ${output.split('\n').join('\n  ')}`);
  } else {
    const committed = at('docs/api');
    const want = listFiles(fresh);
    const have = existsSync(committed) ? listFiles(committed) : [];
    const stale = [
      ...want.filter((f) => !have.includes(f)).map((f) => `missing ${f}`),
      ...have.filter((f) => !want.includes(f)).map((f) => `extra ${f}`),
      ...want.filter((f) => have.includes(f) && readFileSync(join(fresh, f), 'utf8') !== readFileSync(join(committed, f), 'utf8')).map((f) => `changed ${f}`),
    ];
    if (stale.length > 0) {
      const shown = stale.slice(0, 10).join(', ') + (stale.length > 10 ? `, and ${stale.length - 10} more` : '');
      problems.push(`docs/api is out of date with the TSDoc (${shown}): run \`npm run docs:api\` and commit docs/api`);
    }
  }
} finally {
  rmSync(fresh, { recursive: true, force: true });
}

function listFiles(dir) {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
}

// (d) Links. The npm README is shown on npm, where only absolute links and shipped files work.
const markdownLink = /\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const withoutCode = (file) => readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
/** The links of a Markdown page that are not absolute URLs: relative paths and `#anchors`. */
function relativeLinks(file) {
  return [...withoutCode(file).matchAll(markdownLink)].map((m) => m[1]).filter((href) => !/^[a-z][a-z0-9+.-]*:/i.test(href));
}
/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchors(file) {
  const seen = new Map();
  return new Set(
    [...withoutCode(file).matchAll(/^#{1,6} +(.+?) *#* *$/gm)].map((m) => {
      const slug = m[1].toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
      const n = seen.get(slug) ?? 0;
      seen.set(slug, n + 1);
      return n === 0 ? slug : `${slug}-${n}`;
    }),
  );
}
const pages = ['README.md', ...readdirSync(at('docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
for (const page of pages) {
  for (const href of relativeLinks(at(page))) {
    const [path, fragment] = href.split('#');
    const target = path === '' ? at(page) : resolve(dirname(at(page)), decodeURIComponent(path));
    if (!existsSync(target)) problems.push(`${page}: the link ${href} leads nowhere`);
    else if (fragment && target.endsWith('.md') && !anchors(target).has(decodeURIComponent(fragment))) {
      problems.push(`${page}: the link ${href} names no heading of ${relative(root, target)}`);
    }
  }
}
const shipped = new Set(JSON.parse(readFileSync(at('projects/ngx-oidc/ng-package.json'), 'utf8')).assets ?? []);
for (const href of relativeLinks(at('projects/ngx-oidc/README.md'))) {
  const file = href.split('#')[0];
  if (file !== '' && !shipped.has(file)) {
    problems.push(`projects/ngx-oidc/README.md: the link ${href} is relative but not shipped in the package; use an absolute URL`);
  }
}

if (problems.length > 0) {
  console.error(`The documentation is out of step with the code:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(
  `docs: ${configKeys.length} config keys and ${codes.length} error codes documented; docs/api up to date; links resolve`,
);
