import { SchematicsException, type Tree } from '@angular-devkit/schematics';
import { type ProjectDefinition, readWorkspace } from '@schematics/angular/utility';
import { getMainFilePath } from '@schematics/angular/utility/standalone/util';
import { posix } from 'node:path';

/** A folder whose files the build copies as they are, and the URL path they are served under. */
export interface StaticDir {
  /** Tree path of the folder, for example `public` or `src/assets`. */
  readonly dir: string;
  /** URL path prefix, ending with `/`: `/` for `public`, `/assets/` for `src/assets`. */
  readonly urlPath: string;
  /** False when no `assets` entry of the build serves the folder (the user must add one). */
  readonly served: boolean;
}

/** The application being set up. */
export interface AppProject {
  readonly name: string;
  readonly root: string;
  readonly sourceRoot: string;
  /** The file with `bootstrapApplication` or `bootstrapModule`. */
  readonly mainPath: string;
  /** Where `auth.config.ts` and `auth-config.module.ts` go: `<sourceRoot>/app/auth`. */
  readonly authDir: string;
  readonly staticDir: StaticDir;
  /**
   * The server entry of an SSR app (`main.server.ts`: the application builder's
   * `server` option, or the `main` of an older `server` target), or `null`.
   */
  readonly serverMainPath: string | null;
}

/** `a/./b/` → `a/b`, `./public` → `public`, `` stays ``. */
function clean(path: string): string {
  const normalized = posix.normalize(path).replace(/^\.\/?/, '').replace(/\/+$/, '');
  return normalized === '.' ? '' : normalized.replace(/^\//, '');
}

function urlPathOf(output: unknown): string {
  const trimmed = typeof output === 'string' ? output.replace(/^\/+|\/+$/g, '') : '';
  return trimmed === '' ? '/' : `/${trimmed}/`;
}

/** The server entry (`main.server.ts`) the project builds, if it has one. */
function findServerMain(project: ProjectDefinition): string | null {
  const server = project.targets.get('build')?.options?.['server'];
  if (typeof server === 'string' && server.trim() !== '') return clean(server);
  // Before the application builder: a separate `server` target (@angular-devkit/build-angular:server).
  const main = project.targets.get('server')?.options?.['main'];
  return typeof main === 'string' && main.trim() !== '' ? clean(main) : null;
}

/** Finds the folder the build serves as is: the `public` folder of new apps, else `src/assets` of older ones. */
export function findStaticDir(project: ProjectDefinition, root: string, sourceRoot: string): StaticDir {
  const publicDir = clean(posix.join(root, 'public'));
  const assetsDir = clean(posix.join(sourceRoot, 'assets'));
  const assets = project.targets.get('build')?.options?.['assets'];
  const candidates: StaticDir[] = [];
  if (Array.isArray(assets)) {
    for (const entry of assets) {
      if (typeof entry === 'string') {
        // A string entry copies the folder under its own name: src/assets → /assets/.
        if (clean(entry) === assetsDir) candidates.push({ dir: assetsDir, urlPath: '/assets/', served: true });
      } else if (entry && typeof entry === 'object' && !Array.isArray(entry)) {
        const input = typeof entry['input'] === 'string' ? clean(entry['input']) : undefined;
        const glob = entry['glob'];
        if ((input === publicDir || input === assetsDir) && (glob === '**/*' || glob === '**')) {
          candidates.push({ dir: input, urlPath: urlPathOf(entry['output']), served: true });
        }
      }
    }
  }
  return (
    candidates.find((c) => c.dir === publicDir) ??
    candidates[0] ?? { dir: publicDir, urlPath: '/', served: false }
  );
}

function applicationNames(projects: Iterable<[string, ProjectDefinition]>): string[] {
  return [...projects].filter(([, p]) => p.extensions['projectType'] === 'application').map(([name]) => name);
}

/**
 * Resolves `--project` (or the workspace's default or only application) and
 * checks that it is an application with a build target.
 */
export async function resolveProject(tree: Tree, requested: string | undefined): Promise<AppProject> {
  const workspace = await readWorkspace(tree);
  const apps = applicationNames(workspace.projects);
  const list = apps.length > 0 ? apps.join(', ') : 'none';
  let name = requested?.trim() || undefined;
  if (!name) {
    const configured = workspace.extensions['defaultProject'];
    if (typeof configured === 'string' && apps.includes(configured)) name = configured;
    else if (apps.length === 1) name = apps[0];
    else if (apps.length === 0) throw new SchematicsException('This workspace has no application: create one with `ng generate application`, then run `ng add ngx-oidc` again.');
    else throw new SchematicsException(`This workspace has several applications; pass --project with one of: ${list}.`);
  }
  if (name === undefined) throw new SchematicsException('No application found to set up.');
  const project = workspace.projects.get(name);
  if (!project) {
    throw new SchematicsException(`Project "${name}" does not exist in this workspace. Applications: ${list}.`);
  }
  if (project.extensions['projectType'] !== 'application') {
    throw new SchematicsException(
      `Project "${name}" is a ${String(project.extensions['projectType'] ?? 'non-application')} project; ng add ngx-oidc sets up applications. ` +
        `Pass --project with one of: ${list}.`,
    );
  }
  if (!project.targets.get('build')) {
    throw new SchematicsException(`Project "${name}" has no build target, so its main file cannot be found.`);
  }
  const root = clean(project.root);
  const sourceRoot = clean(project.sourceRoot ?? posix.join(root, 'src'));
  const mainPath = clean(await getMainFilePath(tree, name));
  if (!tree.exists(mainPath)) throw new SchematicsException(`The main file of project "${name}" (${mainPath}) does not exist.`);
  return {
    name,
    root,
    sourceRoot,
    mainPath,
    authDir: posix.join(sourceRoot, 'app', 'auth'),
    staticDir: findStaticDir(project, root, sourceRoot),
    serverMainPath: findServerMain(project),
  };
}
