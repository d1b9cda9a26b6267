import { SchematicTestRunner, type UnitTestTree } from '@angular-devkit/schematics/testing';
import * as path from 'node:path';
import { typeCheck } from '../testing/typecheck';

// `ng add` on Windows: @schematics/angular's findAppConfig joins the app config's path with
// node:path, which there gives `src\app\app.config.ts`. Here it does the same on any machine.
jest.mock('@schematics/angular/utility/standalone/app_config', () => {
  const actual = jest.requireActual('@schematics/angular/utility/standalone/app_config');
  const { win32 } = jest.requireActual<typeof import('node:path')>('node:path');
  return {
    ...actual,
    findAppConfig: (...args: unknown[]) => {
      const found = actual.findAppConfig(...args);
      return found && { ...found, filePath: win32.join(found.filePath) };
    },
  };
});

const runner = new SchematicTestRunner('ngx-oidc', path.join(__dirname, '..', 'collection.json'));

async function createApp(projectRoot?: string): Promise<UnitTestTree> {
  const workspace = await runner.runExternalSchematic('@schematics/angular', 'workspace', { name: 'workspace', version: '21.2.0', newProjectRoot: 'projects' });
  return runner.runExternalSchematic(
    '@schematics/angular',
    'application',
    { name: 'demo', standalone: true, skipTests: true, ssr: false, ...(projectRoot === undefined ? {} : { projectRoot }) },
    workspace,
  );
}

/** The app's TypeScript sources under `src`, as the type check takes them. */
function sources(tree: UnitTestTree, src: string): Map<string, string> {
  const files = new Map<string, string>();
  tree.getDir(`/${src}`).visit((file) => {
    if (file.endsWith('.ts') && !file.endsWith('.spec.ts')) files.set(file.slice(1), tree.readText(file));
  });
  return files;
}

describe('ng add ngx-oidc on Windows (paths with backslashes from @schematics/angular)', () => {
  it.each([
    ['ng new (project at the root), provideAuth', '', 'src', true],
    ['a project under projects/, AuthConfigModule', undefined, 'projects/demo/src', false],
  ] as const)('%s: the app config imports the auth config relatively, and the app compiles', async (_name, projectRoot, src, standalone) => {
    const tree = await runner.runSchematic('ng-add', { authority: 'https://login.example.com', clientId: 'spa', standalone }, await createApp(projectRoot));
    const appConfig = tree.readText(`/${src}/app/app.config.ts`);
    expect(appConfig).toContain(standalone ? "from './auth/auth.config'" : "from './auth/auth-config.module'");
    expect(typeCheck([{ name: 'windows', files: sources(tree, src) }])).toEqual([]);
  });
});
