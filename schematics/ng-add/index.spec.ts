import { schema } from '@angular-devkit/core';
import { type Tree, formats } from '@angular-devkit/schematics';
import { SchematicTestRunner, type UnitTestTree } from '@angular-devkit/schematics/testing';
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import * as path from 'node:path';
import { typeCheck } from '../testing/typecheck';
import { resolveOptions } from './options';
import type { NgAddOptions } from './schema';

const collectionPath = path.join(__dirname, '..', 'collection.json');
const librarySilentRenew = readFileSync(path.join(__dirname, '..', '..', 'projects', 'ngx-oidc', 'silent-renew.html'), 'utf8');
const runner = new SchematicTestRunner('ngx-oidc', collectionPath);

const BASE: NgAddOptions = { authority: 'https://login.example.com', clientId: 'spa' };
const SRC = 'projects/demo/src';
const APP_CONFIG = `/${SRC}/app/app.config.ts`;
const APP_ROUTES = `/${SRC}/app/app.routes.ts`;
const APP_MODULE = `/${SRC}/app/app-module.ts`;
const ROUTING_MODULE = `/${SRC}/app/app-routing-module.ts`;
const AUTH_CONFIG = `/${SRC}/app/auth/auth.config.ts`;
const AUTH_MODULE = `/${SRC}/app/auth/auth-config.module.ts`;
const PUBLIC = '/projects/demo/public';

interface LogLine {
  readonly level: string;
  readonly message: string;
}

interface AppOptions {
  readonly standalone: boolean;
  readonly projectRoot?: string;
  /** `ng new --ssr`: main.server.ts, server.ts, app.routes.server.ts with `{ path: '**', renderMode: RenderMode.Prerender }`. */
  readonly ssr?: boolean;
}

async function createApp({ standalone, projectRoot, ssr }: AppOptions): Promise<UnitTestTree> {
  const workspace = await runner.runExternalSchematic('@schematics/angular', 'workspace', {
    name: 'workspace',
    version: '21.2.0',
    newProjectRoot: 'projects',
  });
  return runner.runExternalSchematic(
    '@schematics/angular',
    'application',
    { name: 'demo', standalone, skipTests: true, ssr: ssr ?? false, ...(projectRoot === undefined ? {} : { projectRoot }) },
    workspace,
  );
}

async function ngAdd(tree: Tree, options: NgAddOptions): Promise<{ tree: UnitTestTree; logs: LogLine[] }> {
  const logs: LogLine[] = [];
  const subscription = runner.logger.subscribe((entry) => logs.push({ level: entry.level, message: entry.message }));
  try {
    return { tree: await runner.runSchematic('ng-add', options, tree), logs };
  } finally {
    subscription.unsubscribe();
  }
}

/** Every file's content (binary safe), to compare whole trees. */
function snapshot(tree: Tree): Map<string, string> {
  const files = new Map<string, string>();
  tree.visit((file) => {
    files.set(file, tree.read(file)?.toString('base64') ?? '');
  });
  return files;
}

function changedFiles(before: Map<string, string>, after: Tree): string[] {
  const now = snapshot(after);
  const paths = new Set([...before.keys(), ...now.keys()]);
  return [...paths].filter((p) => before.get(p) !== now.get(p)).sort();
}

function count(text: string, search: string): number {
  return text.split(search).length - 1;
}

function messages(logs: readonly LogLine[], level?: string): string {
  return logs
    .filter((l) => level === undefined || l.level === level)
    .map((l) => l.message)
    .join('\n');
}

/** The TypeScript sources of an app (what `ng build` compiles), for the type check. */
function appSources(name: string, tree: Tree): { name: string; files: Map<string, string> } {
  const files = new Map<string, string>();
  tree.getDir(`/${SRC}`).visit((file) => {
    if (file.endsWith('.ts') && !file.endsWith('.spec.ts')) files.set(file.slice(1), tree.readText(file));
  });
  return { name, files };
}

async function expectRejected(tree: Tree, options: NgAddOptions, message: string | RegExp): Promise<void> {
  const before = snapshot(tree);
  await expect(runner.runSchematic('ng-add', options, tree)).rejects.toThrow(message);
  // Validation runs before any change: the tree is untouched.
  expect(changedFiles(before, tree)).toEqual([]);
}

describe('ng add ngx-oidc: a standalone app', () => {
  it('writes a typed auth config and wires providers, interceptor and callback route (refresh tokens by default)', async () => {
    const app = await createApp({ standalone: true });
    const before = snapshot(app);
    const { tree, logs } = await ngAdd(app, BASE);

    expect(changedFiles(before, tree)).toEqual([APP_CONFIG, APP_ROUTES, AUTH_CONFIG]);
    expect(tree.readText(APP_CONFIG)).toBe(`import { ApplicationConfig, provideBrowserGlobalErrorListeners } from '@angular/core';
import { provideRouter } from '@angular/router';

import { routes } from './app.routes';
import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { authInterceptor, provideAuth, withConfig, withCheckAuthOnStartup } from 'ngx-oidc';
import { authConfig } from './auth/auth.config';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideRouter(routes),
    provideHttpClient(withInterceptors([authInterceptor()])),
    provideAuth(withConfig(authConfig), withCheckAuthOnStartup())
  ]
};
`);
    expect(tree.readText(APP_ROUTES)).toBe(`import { Routes } from '@angular/router';
import { authCallbackGuard } from 'ngx-oidc';

export const routes: Routes = [
  { path: 'callback', canActivate: [authCallbackGuard], children: [] },
];
`);
    const config = tree.readText(AUTH_CONFIG);
    expect(config).toContain("import type { OidcConfig } from 'ngx-oidc';");
    expect(config).toContain('export const authConfig: OidcConfig = {');
    expect(config).toContain("const origin = typeof window === 'undefined' ? 'http://localhost:4200' : window.location.origin;");
    expect(config).toContain("  authority: 'https://login.example.com',\n");
    expect(config).toContain("  clientId: 'spa',\n");
    expect(config).toContain('  redirectUrl: `${origin}/callback`,\n');
    expect(config).toContain('  postLogoutRedirectUri: `${origin}/`,\n');
    expect(config).toContain("  scope: 'openid profile offline_access',\n  // Renew");
    expect(config).toContain('  useRefreshToken: true,\n  silentRenew: true,\n');
    expect(config).toContain('  secureRoutes: [],\n');
    expect(config).not.toMatch(/^\s*(silentRenewUrl|usePushedAuthorizationRequests):/m);
    expect(config).not.toMatch(/<%|%>/);

    const info = messages(logs, 'info');
    expect(info).toContain('ngx-oidc set up in project "demo" (refresh tokens, standalone providers):');
    expect(info).toContain(`Created ${AUTH_CONFIG.slice(1)}.`);
    expect(info).toContain('redirect URI http://localhost:4200/callback and the post-logout redirect URI http://localhost:4200/');
    expect(info).toContain('Allow the refresh_token grant');
    expect(messages(logs, 'warn')).toBe('');
  });

  it('iframe renew: copies silent-renew.html into public/ and points silentRenewUrl at it', async () => {
    const { tree, logs } = await ngAdd(await createApp({ standalone: true }), { ...BASE, flow: 'iframe-renew' });
    expect(tree.readText(`${PUBLIC}/silent-renew.html`)).toBe(librarySilentRenew);
    const config = tree.readText(AUTH_CONFIG);
    expect(config).toContain("  scope: 'openid profile',\n");
    expect(config).toContain('  silentRenew: true,\n  silentRenewUrl: `${origin}/silent-renew.html`,\n');
    expect(config).toContain('(projects/demo/public/silent-renew.html)');
    expect(config).not.toMatch(/^\s*useRefreshToken:/m);
    expect(messages(logs, 'info')).toContain('(iframe renew, standalone providers)');
    expect(messages(logs, 'info')).toContain('third-party cookies');
    // The iframe renewer is a feature of its own (apps without it do not ship it).
    expect(tree.readText(APP_CONFIG)).toContain('provideAuth(withConfig(authConfig), withCheckAuthOnStartup(), withSilentRenewIframe())');
  });

  it('par: turns on pushed authorization requests with the plain scope', async () => {
    const { tree } = await ngAdd(await createApp({ standalone: true }), { ...BASE, flow: 'par' });
    const config = tree.readText(AUTH_CONFIG);
    expect(config).toContain("  scope: 'openid profile',\n");
    expect(config).toContain('  usePushedAuthorizationRequests: true,\n');
    expect(config).not.toMatch(/^\s*(useRefreshToken|silentRenew|silentRenewUrl):/m);
    expect(tree.exists(`${PUBLIC}/silent-renew.html`)).toBe(false);
    expect(tree.readText(APP_CONFIG)).toContain('provideAuth(withConfig(authConfig), withCheckAuthOnStartup(), withPushedAuthorizationRequests())');
  });

  it('par in an NgModule app: AuthModule.forRoot gets the PAR feature, and it compiles', async () => {
    const { tree } = await ngAdd(await createApp({ standalone: false }), { ...BASE, flow: 'par' });
    const module = tree.readText(AUTH_MODULE);
    expect(module).toContain("import { AuthModule, withPushedAuthorizationRequests } from 'ngx-oidc';");
    expect(module).toContain('imports: [AuthModule.forRoot({ config: authConfig, features: [withPushedAuthorizationRequests()] })],');
    expect(typeCheck([appSources('module-par', tree)])).toEqual([]);
  });

  it('http-config: writes public/auth-config.json and loads it with withHttpConfigLoader', async () => {
    const { tree, logs } = await ngAdd(await createApp({ standalone: true }), {
      ...BASE,
      flow: 'http-config',
      secureRoutes: 'https://api.example.com/',
    });
    expect(tree.exists(AUTH_CONFIG)).toBe(false);
    expect(JSON.parse(tree.readText(`${PUBLIC}/auth-config.json`))).toEqual({
      authority: 'https://login.example.com',
      clientId: 'spa',
      redirectUrl: 'http://localhost:4200/callback',
      postLogoutRedirectUri: 'http://localhost:4200/',
      scope: 'openid profile',
      secureRoutes: ['https://api.example.com/'],
      postLoginRoute: '/',
      unauthorizedRoute: '/',
      forbiddenRoute: '/',
    });
    const appConfig = tree.readText(APP_CONFIG);
    expect(appConfig).toContain("    provideAuth(withHttpConfigLoader('/auth-config.json'), withCheckAuthOnStartup())\n");
    expect(appConfig).toContain("import { authInterceptor, provideAuth, withHttpConfigLoader, withCheckAuthOnStartup } from 'ngx-oidc';");
    expect(appConfig).not.toContain('authConfig');
    expect(messages(logs, 'info')).toContain('adjust redirectUrl and postLogoutRedirectUri');
  });

  it('writes --scope and --secure-routes as given, and string values safely quoted', async () => {
    const { tree } = await ngAdd(await createApp({ standalone: true }), {
      authority: 'http://127.0.0.1:4400',
      clientId: "it's\\spa",
      scope: '  openid   email api:read ',
      secureRoutes: 'https://api.example.com/v1/, http://localhost:5000/api ,',
    });
    const config = tree.readText(AUTH_CONFIG);
    expect(config).toContain("  authority: 'http://127.0.0.1:4400',\n");
    expect(config).toContain("  clientId: 'it\\'s\\\\spa',\n");
    expect(config).toContain("  scope: 'openid email api:read',\n");
    expect(config).toContain("  secureRoutes: ['https://api.example.com/v1/', 'http://localhost:5000/api'],\n");
    expect(typeCheck([appSources('quoted', tree)])).toEqual([]);
  });

  it('merges into an existing provideHttpClient() instead of adding a second one', async () => {
    const app = await createApp({ standalone: true });
    app.overwrite(
      APP_CONFIG,
      app
        .readText(APP_CONFIG)
        .replace("import { routes } from './app.routes';", "import { routes } from './app.routes';\nimport { provideHttpClient, withFetch } from '@angular/common/http';")
        .replace('provideRouter(routes)', 'provideRouter(routes),\n    provideHttpClient(withFetch())'),
    );
    const { tree, logs } = await ngAdd(app, BASE);
    const text = tree.readText(APP_CONFIG);
    expect(count(text, 'provideHttpClient(')).toBe(1);
    expect(text).toContain('    provideHttpClient(withFetch(), withInterceptors([authInterceptor()])),\n');
    expect(text).toContain("import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';");
    expect(messages(logs, 'info')).toContain('Added withInterceptors([authInterceptor()]) to the existing provideHttpClient(...)');
    expect(typeCheck([appSources('merged', tree)])).toEqual([]);
  });

  it('adds authInterceptor() to an existing withInterceptors([...]) list, even one defined in a variable', async () => {
    const app = await createApp({ standalone: true });
    app.overwrite(
      APP_CONFIG,
      app
        .readText(APP_CONFIG)
        .replace(
          "import { routes } from './app.routes';",
          "import { routes } from './app.routes';\nimport { HttpInterceptorFn, provideHttpClient, withInterceptors } from '@angular/common/http';\n\n" +
            'const logging: HttpInterceptorFn = (req, next) => next(req);\nconst interceptors = [logging];',
        )
        .replace('provideRouter(routes)', 'provideRouter(routes),\n    provideHttpClient(withInterceptors(interceptors))'),
    );
    const { tree } = await ngAdd(app, BASE);
    const text = tree.readText(APP_CONFIG);
    expect(count(text, 'provideHttpClient(')).toBe(1);
    expect(count(text, 'withInterceptors(')).toBe(1);
    expect(text).toContain('const interceptors = [logging, authInterceptor()];');
    expect(typeCheck([appSources('variable', tree)])).toEqual([]);
  });

  it('puts the callback route before a ** route and keeps an existing callback route', async () => {
    const app = await createApp({ standalone: true });
    app.overwrite(
      APP_ROUTES,
      "import { Routes } from '@angular/router';\n\nexport const routes: Routes = [\n  { path: '', pathMatch: 'full', redirectTo: 'home' },\n  { path: '**', redirectTo: '' },\n];\n",
    );
    const { tree } = await ngAdd(app, BASE);
    expect(tree.readText(APP_ROUTES)).toBe(
      "import { Routes } from '@angular/router';\nimport { authCallbackGuard } from 'ngx-oidc';\n\nexport const routes: Routes = [\n" +
        "  { path: '', pathMatch: 'full', redirectTo: 'home' },\n" +
        "  { path: 'callback', canActivate: [authCallbackGuard], children: [] },\n" +
        "  { path: '**', redirectTo: '' },\n];\n",
    );

    const own = await createApp({ standalone: true });
    const routes = "import { Routes } from '@angular/router';\n\nexport const routes: Routes = [{ path: 'callback', children: [] }];\n";
    own.overwrite(APP_ROUTES, routes);
    const second = await ngAdd(own, BASE);
    expect(second.tree.readText(APP_ROUTES)).toBe(routes);
    expect(messages(second.logs, 'info')).toContain("already has a 'callback' route; left unchanged.");
  });

  it('--skip-routes leaves the routes alone', async () => {
    const app = await createApp({ standalone: true });
    const routes = app.readText(APP_ROUTES);
    const { tree, logs } = await ngAdd(app, { ...BASE, skipRoutes: true });
    expect(tree.readText(APP_ROUTES)).toBe(routes);
    expect(tree.readText(APP_CONFIG)).toContain('provideAuth(');
    expect(messages(logs, 'info')).toContain('Callback route not added (--skip-routes).');
  });

  it('--standalone false in a standalone app: AuthConfigModule through importProvidersFrom, class interceptor', async () => {
    const { tree } = await ngAdd(await createApp({ standalone: true }), { ...BASE, standalone: false });
    const text = tree.readText(APP_CONFIG);
    expect(text).toContain('    importProvidersFrom(AuthConfigModule)\n');
    expect(text).toContain('    provideHttpClient(withInterceptorsFromDi()),\n');
    expect(text).toContain('    { provide: HTTP_INTERCEPTORS, useClass: AuthInterceptor, multi: true },\n');
    expect(text).toContain("import { AuthConfigModule } from './auth/auth-config.module';");
    expect(text).not.toContain('provideAuth');
    expect(tree.readText(AUTH_MODULE)).toContain('imports: [AuthModule.forRoot({ config: authConfig })],');
    expect(typeCheck([appSources('standalone-module', tree)])).toEqual([]);
  });

  it('adds a providers list when bootstrapApplication has no config (the CLI utility does it)', async () => {
    const app = await createApp({ standalone: true });
    const main = `/${SRC}/main.ts`;
    app.overwrite(main, "import { bootstrapApplication } from '@angular/platform-browser';\nimport { App } from './app/app';\n\nbootstrapApplication(App).catch((err) => console.error(err));\n");
    const { tree, logs } = await ngAdd(app, BASE);
    const text = tree.readText(main);
    expect(count(text, 'provideHttpClient(withInterceptors([authInterceptor()]))')).toBe(1);
    expect(count(text, "provideAuth(withConfig(authConfig), withCheckAuthOnStartup())")).toBe(1);
    expect(text).toContain("import { authConfig } from './app/auth/auth.config';");
    // No router in that app: the callback route becomes an instruction, not a guess.
    expect(messages(logs, 'warn')).toContain("Could not add the callback route automatically (no provideRouter(...) or RouterModule.forRoot(...) was found");
    expect(messages(logs, 'warn')).toContain("Add { path: 'callback', canActivate: [authCallbackGuard], children: [] } to your routes");
    expect(typeCheck([appSources('no-config', tree)])).toEqual([]);
  });

  it('writes the files and explains the wiring when main.ts has no bootstrap call it can read', async () => {
    const app = await createApp({ standalone: true });
    const main = `/${SRC}/main.ts`;
    const odd = "import { start } from './start';\n\nstart();\n";
    app.overwrite(main, odd);
    const { tree, logs } = await ngAdd(app, BASE);
    expect(tree.readText(main)).toBe(odd);
    expect(tree.exists(AUTH_CONFIG)).toBe(true);
    const warnings = messages(logs, 'warn');
    expect(warnings).toContain("Could not find the app's root (projects/demo/src/main.ts has no bootstrapApplication or bootstrapModule call that can be read");
    expect(warnings).toContain('Add provideAuth(withConfig(authConfig), withCheckAuthOnStartup()) to the providers of your app config (app.config.ts)');
    expect(warnings).toContain('Add provideHttpClient(withInterceptors([authInterceptor()])) to the providers of your app config (app.config.ts)');
    expect(warnings).toContain("Add { path: 'callback', canActivate: [authCallbackGuard], children: [] } to your routes");
  });

  it('a workspace made by ng new (project at the root): src/app/auth and public/', async () => {
    const { tree } = await ngAdd(await createApp({ standalone: true, projectRoot: '' }), { ...BASE, flow: 'iframe-renew' });
    expect(tree.exists('/src/app/auth/auth.config.ts')).toBe(true);
    expect(tree.readText('/public/silent-renew.html')).toBe(librarySilentRenew);
    expect(tree.readText('/src/app/app.config.ts')).toContain('provideAuth(withConfig(authConfig), withCheckAuthOnStartup(), withSilentRenewIframe())');
  });

  it('an older layout with src/assets and no public/: files go to assets, URLs follow', async () => {
    const app = await createApp({ standalone: true });
    const angularJson = JSON.parse(app.readText('/angular.json')) as {
      projects: Record<string, { architect: { build: { options: { assets: unknown[] } } } }>;
    };
    const demo = angularJson.projects['demo'];
    if (!demo) throw new Error('no demo project');
    demo.architect.build.options.assets = [`${SRC}/favicon.ico`, `${SRC}/assets`];
    app.overwrite('/angular.json', JSON.stringify(angularJson, null, 2));
    app.delete(`${PUBLIC}/favicon.ico`);

    const iframe = await ngAdd(app, { ...BASE, flow: 'iframe-renew' });
    expect(iframe.tree.readText(`/${SRC}/assets/silent-renew.html`)).toBe(librarySilentRenew);
    expect(iframe.tree.readText(AUTH_CONFIG)).toContain('silentRenewUrl: `${origin}/assets/silent-renew.html`,');
    expect(iframe.tree.exists(`${PUBLIC}/silent-renew.html`)).toBe(false);

    const http = await createApp({ standalone: true });
    http.overwrite('/angular.json', JSON.stringify(angularJson, null, 2));
    const loaded = await ngAdd(http, { ...BASE, flow: 'http-config' });
    expect(loaded.tree.exists(`/${SRC}/assets/auth-config.json`)).toBe(true);
    expect(loaded.tree.readText(APP_CONFIG)).toContain("withHttpConfigLoader('/assets/auth-config.json')");
  });

  it('warns when no assets entry serves the folder it writes to', async () => {
    const app = await createApp({ standalone: true });
    const angularJson = app.readText('/angular.json').replace(/"assets": \[[^\]]*\]/, '"assets": []');
    app.overwrite('/angular.json', angularJson);
    const { tree, logs } = await ngAdd(app, { ...BASE, flow: 'http-config' });
    expect(tree.exists(`${PUBLIC}/auth-config.json`)).toBe(true);
    expect(messages(logs, 'warn')).toContain('copies projects/demo/public/ into the build');
  });

  it('never overwrites an existing auth config', async () => {
    const app = await createApp({ standalone: true });
    const mine = "export const authConfig = { authority: 'https://mine.example.com' } as const;\n";
    app.create(AUTH_CONFIG, mine);
    const { tree, logs } = await ngAdd(app, BASE);
    expect(tree.readText(AUTH_CONFIG)).toBe(mine);
    expect(messages(logs, 'info')).toContain(`${AUTH_CONFIG.slice(1)} already exists; left unchanged.`);
  });

  it("stops, changing nothing, when another library's auth.config.ts is where it would write its own", async () => {
    const app = await createApp({ standalone: true });
    // What angular-auth-oidc-client's ng add writes for a standalone app.
    app.create(AUTH_CONFIG, "import { PassedInitialConfig } from 'angular-auth-oidc-client';\n\nexport const authConfig: PassedInitialConfig = { config: {} };\n");
    await expectRejected(app, BASE, /auth\/auth\.config\.ts already exists and is not ngx-oidc's/);
  });

  it('turns an edit it cannot make into instructions and still does the rest', async () => {
    const app = await createApp({ standalone: true });
    app.overwrite(
      APP_CONFIG,
      app
        .readText(APP_CONFIG)
        .replace(
          "import { routes } from './app.routes';",
          "import { routes } from './app.routes';\nimport { HttpInterceptorFn, provideHttpClient, withInterceptors } from '@angular/common/http';\n\n" +
            'function interceptors(): HttpInterceptorFn[] {\n  return [];\n}',
        )
        .replace('provideRouter(routes)', 'provideRouter(routes),\n    provideHttpClient(withInterceptors(interceptors()))'),
    );
    const { tree, logs } = await ngAdd(app, BASE);
    const warnings = messages(logs, 'warn');
    expect(warnings).toContain('Could not register the HTTP interceptor automatically (the argument of withInterceptors(...)');
    expect(warnings).toContain('or authInterceptor() (from \'ngx-oidc\') to your existing withInterceptors([...])');
    expect(tree.readText(APP_CONFIG)).toContain('provideHttpClient(withInterceptors(interceptors()))');
    expect(tree.readText(APP_CONFIG)).toContain('provideAuth(withConfig(authConfig), withCheckAuthOnStartup())');
    expect(tree.readText(APP_ROUTES)).toContain("{ path: 'callback', canActivate: [authCallbackGuard], children: [] }");
  });
});

describe('ng add ngx-oidc: an NgModule app', () => {
  it('is detected, and gets an AuthConfigModule, the class interceptor and the callback route', async () => {
    const app = await createApp({ standalone: false });
    const before = snapshot(app);
    const { tree, logs } = await ngAdd(app, BASE);

    expect(changedFiles(before, tree)).toEqual([APP_MODULE, ROUTING_MODULE, AUTH_MODULE, AUTH_CONFIG]);
    expect(tree.readText(APP_MODULE)).toBe(`import { NgModule, provideBrowserGlobalErrorListeners } from '@angular/core';
import { BrowserModule } from '@angular/platform-browser';

import { AppRoutingModule } from './app-routing-module';
import { App } from './app';
import { provideHttpClient, withInterceptorsFromDi, HTTP_INTERCEPTORS } from '@angular/common/http';
import { AuthInterceptor } from 'ngx-oidc';
import { AuthConfigModule } from './auth/auth-config.module';

@NgModule({
  declarations: [
    App
  ],
  imports: [
    BrowserModule,
    AppRoutingModule,
    AuthConfigModule
  ],
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideHttpClient(withInterceptorsFromDi()),
    { provide: HTTP_INTERCEPTORS, useClass: AuthInterceptor, multi: true },
  ],
  bootstrap: [App]
})
export class AppModule { }
`);
    expect(tree.readText(AUTH_MODULE)).toContain("import { authConfig } from './auth.config';");
    expect(tree.readText(AUTH_MODULE)).toContain('  imports: [AuthModule.forRoot({ config: authConfig })],\n');
    expect(tree.readText(AUTH_MODULE)).toContain('export class AuthConfigModule {}');
    expect(tree.readText(ROUTING_MODULE)).toContain(
      "import { authCallbackGuard } from 'ngx-oidc';\n\nconst routes: Routes = [\n  { path: 'callback', canActivate: [authCallbackGuard], children: [] },\n];",
    );
    expect(tree.readText(AUTH_CONFIG)).toContain('useRefreshToken: true,');
    expect(messages(logs, 'info')).toContain('(refresh tokens, AuthConfigModule)');
  });

  it('http-config: AuthModule.forRoot({ httpConfigUrl }) and no auth.config.ts', async () => {
    const { tree } = await ngAdd(await createApp({ standalone: false }), { ...BASE, flow: 'http-config' });
    const module = tree.readText(AUTH_MODULE);
    expect(module).toContain("  imports: [AuthModule.forRoot({ httpConfigUrl: '/auth-config.json' })],\n");
    expect(module).not.toContain('auth.config');
    expect(tree.exists(AUTH_CONFIG)).toBe(false);
    expect(tree.exists(`${PUBLIC}/auth-config.json`)).toBe(true);
  });

  it('merges withInterceptorsFromDi() into an existing provideHttpClient(...)', async () => {
    const app = await createApp({ standalone: false });
    app.overwrite(
      APP_MODULE,
      app
        .readText(APP_MODULE)
        .replace("import { App } from './app';", "import { App } from './app';\nimport { provideHttpClient, withFetch } from '@angular/common/http';")
        .replace('provideBrowserGlobalErrorListeners(),', 'provideBrowserGlobalErrorListeners(),\n    provideHttpClient(withFetch()),'),
    );
    const { tree } = await ngAdd(app, BASE);
    const text = tree.readText(APP_MODULE);
    expect(count(text, 'provideHttpClient(')).toBe(1);
    expect(text).toContain('provideHttpClient(withFetch(), withInterceptorsFromDi()),');
    expect(count(text, 'useClass: AuthInterceptor')).toBe(1);
  });

  it('keeps HttpClientModule and only registers the interceptor', async () => {
    const app = await createApp({ standalone: false });
    app.overwrite(
      APP_MODULE,
      app
        .readText(APP_MODULE)
        .replace("import { App } from './app';", "import { App } from './app';\nimport { HttpClientModule } from '@angular/common/http';")
        .replace('AppRoutingModule\n  ]', 'AppRoutingModule,\n    HttpClientModule\n  ]'),
    );
    const { tree } = await ngAdd(app, BASE);
    const text = tree.readText(APP_MODULE);
    expect(text).not.toContain('provideHttpClient');
    expect(text).toContain('{ provide: HTTP_INTERCEPTORS, useClass: AuthInterceptor, multi: true },');
    expect(typeCheck([appSources('http-client-module', tree)])).toEqual([]);
  });

  it("stops, changing nothing, when another library's AuthConfigModule is where it would write its own", async () => {
    const app = await createApp({ standalone: false });
    // What angular-auth-oidc-client's ng add writes for an NgModule app, registered in the root module.
    app.create(
      AUTH_MODULE,
      "import { NgModule } from '@angular/core';\nimport { AuthModule } from 'angular-auth-oidc-client';\n\n@NgModule({ imports: [AuthModule.forRoot({ config: {} })], exports: [AuthModule] })\nexport class AuthConfigModule {}\n",
    );
    app.overwrite(APP_MODULE, `import { AuthConfigModule } from './auth/auth-config.module';\n${app.readText(APP_MODULE).replace('AppRoutingModule\n', 'AppRoutingModule,\n    AuthConfigModule\n')}`);
    await expectRejected(app, BASE, /auth-config\.module\.ts already exists and is not ngx-oidc's/);
  });

  it("is not fooled by the app's own AuthModule", async () => {
    const app = await createApp({ standalone: false });
    app.create(`/${SRC}/app/auth/auth.module.ts`, "import { NgModule } from '@angular/core';\n\n@NgModule({})\nexport class AuthModule {}\n");
    app.overwrite(
      APP_MODULE,
      app
        .readText(APP_MODULE)
        .replace("import { App } from './app';", "import { App } from './app';\nimport { AuthModule } from './auth/auth.module';")
        .replace('AppRoutingModule\n  ]', 'AppRoutingModule,\n    AuthModule\n  ]'),
    );
    const { tree } = await ngAdd(app, BASE);
    const text = tree.readText(APP_MODULE);
    expect(text).toContain('    AuthModule,\n    AuthConfigModule\n  ]');
    expect(text).toContain('{ provide: HTTP_INTERCEPTORS, useClass: AuthInterceptor, multi: true },');
    expect(tree.exists(AUTH_MODULE)).toBe(true);
    expect(typeCheck([appSources('own-auth-module', tree)])).toEqual([]);
  });

  it('--standalone true in an NgModule app: provideAuth and authInterceptor() in the module providers', async () => {
    const { tree } = await ngAdd(await createApp({ standalone: false }), { ...BASE, standalone: true });
    const text = tree.readText(APP_MODULE);
    expect(text).toContain('    provideHttpClient(withInterceptors([authInterceptor()])),\n');
    expect(text).toContain('    provideAuth(withConfig(authConfig), withCheckAuthOnStartup()),\n');
    expect(tree.exists(AUTH_MODULE)).toBe(false);
  });
});

const SERVER_ROUTES = `/${SRC}/app/app.routes.server.ts`;
const SERVER_CONFIG = `/${SRC}/app/app.config.server.ts`;
const SERVER_MODULE = `/${SRC}/app/app.module.server.ts`;
/** The comment ng add puts above the callback's server route, at two spaces. */
const SERVER_COMMENT =
  '  // ngx-oidc: the login callback renders in the browser only (only the browser can finish the login).\n' +
  '  // Routes behind autoLoginGuard render on the server without the user (the guards let every request\n' +
  '  // through there): give pages whose content depends on the signed-in user RenderMode.Client too.\n';

describe('ng add ngx-oidc: an SSR app (ng new --ssr)', () => {
  it('renders the callback in the browser only: a RenderMode.Client entry before the ** entry, and a note on protected pages', async () => {
    const app = await createApp({ standalone: true, ssr: true });
    const before = snapshot(app);
    const { tree, logs } = await ngAdd(app, BASE);

    expect(changedFiles(before, tree)).toEqual([APP_CONFIG, APP_ROUTES, AUTH_CONFIG, SERVER_ROUTES].sort());
    expect(tree.readText(SERVER_ROUTES)).toBe(`import { RenderMode, ServerRoute } from '@angular/ssr';

export const serverRoutes: ServerRoute[] = [
${SERVER_COMMENT}  {
    path: 'callback',
    renderMode: RenderMode.Client
  },
  {
    path: '**',
    renderMode: RenderMode.Prerender
  }
];
`);
    // The server config, the server entry and server.ts are the CLI's, untouched.
    expect(tree.readText(SERVER_CONFIG)).toBe(app.readText(SERVER_CONFIG));
    const info = messages(logs, 'info');
    expect(info).toContain(`Added the 'callback' server route (RenderMode.Client: the login callback renders in the browser) to ${SERVER_ROUTES.slice(1)}.`);
    expect(info).toContain('Server-side rendering: routes behind autoLoginGuard are rendered on the server (or prerendered) without the user');
    expect(info).toContain(`Give pages whose content depends on the signed-in user renderMode: RenderMode.Client in ${SERVER_ROUTES.slice(1)}.`);
    expect(messages(logs, 'warn')).toBe('');
    // The hydration providers of the SSR app stay, next to the auth ones; HttpClient goes over fetch.
    const appConfig = tree.readText(APP_CONFIG);
    expect(appConfig).toContain('provideClientHydration(withEventReplay())');
    expect(appConfig).toContain('    provideHttpClient(withFetch(), withInterceptors([authInterceptor()])),\n');
    expect(appConfig).toContain("import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';");
    expect(info).toContain('Added provideHttpClient(withFetch(), withInterceptors([authInterceptor()])) to the providers');
    expect(typeCheck([appSources('ssr-standalone', tree)])).toEqual([]);
  });

  it('writes an auth config that evaluates on the server (no window): the redirect URIs get a placeholder origin', async () => {
    const { tree } = await ngAdd(await createApp({ standalone: true, ssr: true }), { ...BASE, flow: 'iframe-renew' });
    const { outputText } = ts.transpileModule(tree.readText(AUTH_CONFIG), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    });
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    const exported: { authConfig?: Record<string, unknown> } = {};
    new Function('exports', 'require', outputText)(exported, () => ({}));
    expect(exported.authConfig).toMatchObject({
      redirectUrl: 'http://localhost:4200/callback',
      postLogoutRedirectUri: 'http://localhost:4200/',
      silentRenewUrl: 'http://localhost:4200/silent-renew.html',
    });
  });

  it('an NgModule SSR app: follows main.server.ts to AppServerModule and its withRoutes(serverRoutes)', async () => {
    const app = await createApp({ standalone: false, ssr: true });
    const before = snapshot(app);
    const { tree, logs } = await ngAdd(app, BASE);
    expect(changedFiles(before, tree)).toEqual([APP_MODULE, ROUTING_MODULE, AUTH_MODULE, AUTH_CONFIG, SERVER_ROUTES].sort());
    expect(tree.readText(SERVER_MODULE)).toBe(app.readText(SERVER_MODULE));
    expect(tree.readText(APP_MODULE)).toContain('    provideHttpClient(withFetch(), withInterceptorsFromDi()),\n');
    expect(tree.readText(SERVER_ROUTES)).toContain(
      `[\n${SERVER_COMMENT}  {\n    path: 'callback',\n    renderMode: RenderMode.Client\n  },\n  {\n    path: '**',`,
    );
    expect(messages(logs, 'info')).toContain('Server-side rendering: routes behind autoLoginGuard');
    expect(messages(logs, 'warn')).toBe('');
    expect(typeCheck([appSources('ssr-module', tree)])).toEqual([]);
  });

  it('http-config: loads auth-config.json over fetch, which prerendering can serve; an existing provideHttpClient without it gets a warning', async () => {
    const { tree } = await ngAdd(await createApp({ standalone: true, ssr: true }), { ...BASE, flow: 'http-config' });
    const appConfig = tree.readText(APP_CONFIG);
    expect(appConfig).toContain('provideHttpClient(withFetch(), withInterceptors([authInterceptor()]))');
    expect(appConfig).toContain("provideAuth(withHttpConfigLoader('/auth-config.json'), withCheckAuthOnStartup())");
    expect(typeCheck([appSources('ssr-http-config', tree)])).toEqual([]);

    const own = await createApp({ standalone: true, ssr: true });
    own.overwrite(
      APP_CONFIG,
      own
        .readText(APP_CONFIG)
        .replace("import { routes } from './app.routes';", "import { routes } from './app.routes';\nimport { provideHttpClient } from '@angular/common/http';")
        .replace('provideRouter(routes),', 'provideRouter(routes),\n    provideHttpClient(),'),
    );
    const second = await ngAdd(own, { ...BASE, flow: 'http-config' });
    expect(second.tree.readText(APP_CONFIG)).toContain('    provideHttpClient(withInterceptors([authInterceptor()])), provideClientHydration(withEventReplay()),\n');
    expect(messages(second.logs, 'warn')).toContain(
      `${APP_CONFIG.slice(1)}: provideHttpClient(...) has no withFetch(). This server-rendered app loads /auth-config.json on the server too`,
    );
  });

  it("keeps the file's style: quotes, trailing commas, and a comment that belongs to the ** entry", async () => {
    const app = await createApp({ standalone: true, ssr: true });
    const prettier = (entry: string) =>
      'import { RenderMode, ServerRoute } from "@angular/ssr";\n\nexport const serverRoutes: ServerRoute[] = [\n' +
      '  {\n    path: "",\n    renderMode: RenderMode.Client,\n  },\n' +
      entry +
      '  // Everything else is prerendered.\n  {\n    path: "**",\n    renderMode: RenderMode.Prerender,\n  },\n];\n';
    app.overwrite(SERVER_ROUTES, prettier(''));
    const { tree } = await ngAdd(app, BASE);
    expect(tree.readText(SERVER_ROUTES)).toBe(
      prettier(`${SERVER_COMMENT}  {\n    path: "callback",\n    renderMode: RenderMode.Client,\n  },\n`),
    );
  });

  it('an array on one line stays on one line; the comment goes above the statement', async () => {
    const app = await createApp({ standalone: true, ssr: true });
    app.overwrite(
      SERVER_ROUTES,
      "import { RenderMode, type ServerRoute } from '@angular/ssr';\n\n" +
        "export const serverRoutes: ServerRoute[] = [{ path: '**', renderMode: RenderMode.Server }];\n",
    );
    const { tree } = await ngAdd(app, BASE);
    expect(tree.readText(SERVER_ROUTES)).toBe(
      "import { RenderMode, type ServerRoute } from '@angular/ssr';\n\n" +
        SERVER_COMMENT.replace(/^ {2}/gm, '') +
        "export const serverRoutes: ServerRoute[] = [{ path: 'callback', renderMode: RenderMode.Client }, { path: '**', renderMode: RenderMode.Server }];\n",
    );
    expect(typeCheck([appSources('ssr-one-line', tree)])).toEqual([]);
  });

  it('keeps an existing callback entry, and warns when it does not render in the browser', async () => {
    for (const [mode, warned] of [['RenderMode.Client', false], ['RenderMode.Server', true]] as const) {
      const app = await createApp({ standalone: true, ssr: true });
      const routes =
        "import { RenderMode, ServerRoute } from '@angular/ssr';\n\nexport const serverRoutes: ServerRoute[] = [\n" +
        `  { path: 'callback', renderMode: ${mode} },\n  { path: '**', renderMode: RenderMode.Prerender },\n];\n`;
      app.overwrite(SERVER_ROUTES, routes);
      const { tree, logs } = await ngAdd(app, BASE);
      expect(tree.readText(SERVER_ROUTES)).toBe(routes);
      expect(messages(logs, 'info')).toContain(`${SERVER_ROUTES.slice(1)} already has a 'callback' server route; left unchanged.`);
      if (warned) {
        expect(messages(logs, 'warn')).toContain(
          `The 'callback' server route in ${SERVER_ROUTES.slice(1)} renders with RenderMode.Server: only the browser can finish a login, so render the callback there alone (renderMode: RenderMode.Client).`,
        );
      } else {
        expect(messages(logs, 'warn')).toBe('');
      }
    }
  });

  it('leaves an SSR app without server routes alone (provideServerRendering() without withRoutes)', async () => {
    const app = await createApp({ standalone: true, ssr: true });
    app.overwrite(
      SERVER_CONFIG,
      app
        .readText(SERVER_CONFIG)
        .replace("import { provideServerRendering, withRoutes } from '@angular/ssr';", "import { provideServerRendering } from '@angular/ssr';")
        .replace("import { serverRoutes } from './app.routes.server';\n", '')
        .replace('provideServerRendering(withRoutes(serverRoutes))', 'provideServerRendering()'),
    );
    // The file is still there, but nothing uses it: it is not edited.
    const before = snapshot(app);
    const { tree, logs } = await ngAdd(app, BASE);
    expect(changedFiles(before, tree)).toEqual([APP_CONFIG, APP_ROUTES, AUTH_CONFIG]);
    expect(messages(logs, 'info')).not.toContain('Server-side rendering');
  });

  it('turns server routes it cannot follow into instructions, and still does the rest', async () => {
    const app = await createApp({ standalone: true, ssr: true });
    app.overwrite(
      SERVER_CONFIG,
      app
        .readText(SERVER_CONFIG)
        .replace("import { serverRoutes } from './app.routes.server';", "import { serverRoutes } from './app.routes.server';\n\nconst routesFor = (): typeof serverRoutes => serverRoutes;")
        .replace('withRoutes(serverRoutes)', 'withRoutes(routesFor())'),
    );
    const before = snapshot(app);
    const { tree, logs } = await ngAdd(app, BASE);
    expect(changedFiles(before, tree)).toEqual([APP_CONFIG, APP_ROUTES, AUTH_CONFIG]);
    const warnings = messages(logs, 'warn');
    expect(warnings).toContain(
      `Could not add the 'callback' server route automatically (the server routes given to withRoutes(...) in ${SERVER_CONFIG.slice(1)} are not an array this can follow).`,
    );
    expect(warnings).toContain("Add { path: 'callback', renderMode: RenderMode.Client } to your server routes (app.routes.server.ts), before the '**' entry");
  });

  it('--skip-routes leaves the server routes alone too, and says what to add', async () => {
    const app = await createApp({ standalone: true, ssr: true });
    const routes = app.readText(SERVER_ROUTES);
    const { tree, logs } = await ngAdd(app, { ...BASE, skipRoutes: true });
    expect(tree.readText(SERVER_ROUTES)).toBe(routes);
    expect(messages(logs, 'info')).toContain(
      `Server route not added (--skip-routes): give your callback route renderMode: RenderMode.Client in ${SERVER_ROUTES.slice(1)}.`,
    );
  });
});

describe('ng add ngx-oidc: a second run', () => {
  const cases: ReadonlyArray<[string, AppOptions, NgAddOptions]> = [
    ['standalone, refresh tokens', { standalone: true }, BASE],
    ['standalone, iframe renew', { standalone: true }, { ...BASE, flow: 'iframe-renew' }],
    ['standalone, par', { standalone: true }, { ...BASE, flow: 'par' }],
    ['standalone, http-config', { standalone: true }, { ...BASE, flow: 'http-config' }],
    ['standalone app, --standalone false', { standalone: true }, { ...BASE, standalone: false }],
    ['NgModule, refresh tokens', { standalone: false }, BASE],
    ['NgModule, http-config', { standalone: false }, { ...BASE, flow: 'http-config' }],
    ['NgModule app, --standalone true', { standalone: false }, { ...BASE, standalone: true }],
    ['standalone SSR app', { standalone: true, ssr: true }, BASE],
    ['NgModule SSR app', { standalone: false, ssr: true }, BASE],
  ];

  it.each(cases)('%s: changes nothing and says so', async (_name, appOptions, options) => {
    const first = await ngAdd(await createApp(appOptions), options);
    const once = snapshot(first.tree);
    const second = await ngAdd(first.tree, options);
    expect(changedFiles(once, second.tree)).toEqual([]);
    expect(messages(second.logs, 'info')).toContain('ngx-oidc is already set up in project "demo": nothing to change.');
    expect(messages(second.logs, 'warn')).toBe('');
  });

  it('changes nothing either when the options differ (an existing setup is never rewritten)', async () => {
    const first = await ngAdd(await createApp({ standalone: true }), BASE);
    const once = snapshot(first.tree);
    const second = await ngAdd(first.tree, { ...BASE, standalone: false, clientId: 'other' });
    expect(changedFiles(once, second.tree)).toEqual([]);
    expect(messages(second.logs, 'info')).toContain('ngx-oidc is already set up in project "demo": nothing to change.');
    expect(messages(second.logs, 'info')).toContain('No config files written: the existing setup keeps its own config');
    expect(messages(second.logs, 'info')).toContain(`${APP_CONFIG.slice(1)} already sets up ngx-oidc; left unchanged.`);
  });
});

describe('ng add ngx-oidc: the generated code compiles', () => {
  it('type-checks every flow and setup against the library sources', async () => {
    const apps = [];
    for (const flow of ['refresh-tokens', 'iframe-renew', 'par', 'http-config'] as const) {
      for (const standalone of [true, false]) {
        const { tree } = await ngAdd(await createApp({ standalone }), { ...BASE, flow, secureRoutes: 'https://api.example.com/' });
        apps.push(appSources(`${flow}-${standalone ? 'standalone' : 'module'}`, tree));
      }
    }
    expect(typeCheck(apps)).toEqual([]);
  });

  it('the type check does catch a broken file (so an empty result means something)', () => {
    const broken = new Map([[`${SRC}/app/auth/auth.config.ts`, "import type { OidcConfig } from 'ngx-oidc';\nexport const c: OidcConfig = { authority: 1 };\n"]]);
    const diagnostics = typeCheck([{ name: 'broken', files: broken }]);
    expect(diagnostics.join('\n')).toMatch(/auth\.config\.ts:2:\d+: Type 'number' is not assignable to type 'string'/);
  });
});

describe('ng add ngx-oidc: invalid input', () => {
  let app: UnitTestTree;
  beforeAll(async () => {
    app = await createApp({ standalone: true });
  });

  // The schema refuses these before the factory runs: interactively the prompt asks again
  // (see 'the schema: prompts ask again' below); with flags the run stops on the field.
  const AUTHORITY_PATTERN = /Data path "\/authority" must match pattern/;
  const CLIENT_ID_PATTERN = /Data path "\/clientId" must match pattern/;
  it.each<[string, NgAddOptions, string | RegExp]>([
    ['an empty authority', { ...BASE, authority: '' }, 'Data path "/authority" must NOT have fewer than 1 characters.'],
    ['a blank authority', { ...BASE, authority: '   ' }, AUTHORITY_PATTERN],
    ['a relative authority', { ...BASE, authority: 'login.example.com' }, AUTHORITY_PATTERN],
    ['http off loopback', { ...BASE, authority: 'http://login.example.com' }, AUTHORITY_PATTERN],
    ['a host that only starts like a loopback one', { ...BASE, authority: 'http://localhost.example.com' }, AUTHORITY_PATTERN],
    ['another scheme', { ...BASE, authority: 'ftp://login.example.com' }, AUTHORITY_PATTERN],
    ['a query in the issuer', { ...BASE, authority: 'https://login.example.com/?tenant=1' }, AUTHORITY_PATTERN],
    ['a fragment in the issuer', { ...BASE, authority: 'https://login.example.com/#x' }, AUTHORITY_PATTERN],
    ['credentials in the URL', { ...BASE, authority: 'https://user:pw@login.example.com' }, AUTHORITY_PATTERN],
    ['an empty client id', { ...BASE, clientId: '' }, 'Data path "/clientId" must NOT have fewer than 1 characters.'],
    ['a blank client id', { ...BASE, clientId: '   ' }, CLIENT_ID_PATTERN],
  ])('the schema rejects %s, naming the field', async (_name, options, message) => {
    await expectRejected(app, options, message);
  });

  // What the schema lets through or cannot express (a missing value, a URL that does not parse),
  // and every run that skips the schema, meets these checks: each message names the flag.
  it.each<[string, NgAddOptions, string | RegExp]>([
    ['no authority', { clientId: 'spa' }, '--authority is required: the issuer URL of your OpenID Provider'],
    ['an authority that does not parse', { ...BASE, authority: 'https://[login' }, '--authority must be an absolute URL such as https://login.example.com (got "https://[login")'],
    ['a port out of range', { ...BASE, authority: 'http://localhost:99999' }, '--authority must be an absolute URL'],
    ['no client id', { authority: BASE.authority }, '--client-id is required and must not be empty'],
    ['a scope without openid', { ...BASE, scope: 'profile email' }, '--scope must contain "openid" (got "profile email")'],
    ['a scope with a quote', { ...BASE, scope: 'openid "x"' }, '--scope contains an invalid scope token ""x""'],
    ['an http secure route off loopback', { ...BASE, secureRoutes: 'https://ok.example.com/, http://api.example.com/' }, '--secure-routes entry must use https'],
    ['a relative secure route', { ...BASE, secureRoutes: '/api' }, '--secure-routes entry must be an absolute URL'],
    ['an unknown project', { ...BASE, project: 'nope' }, 'Project "nope" does not exist in this workspace. Applications: demo.'],
  ])('rejects %s with a clear message', async (_name, options, message) => {
    await expectRejected(app, options, message);
  });

  it.each<[string, NgAddOptions, string]>([
    ['a blank authority', { ...BASE, authority: '   ' }, '--authority is required: the issuer URL of your OpenID Provider'],
    ['a relative authority', { ...BASE, authority: 'login.example.com' }, '--authority must be an absolute URL such as https://login.example.com (got "login.example.com")'],
    ['http off loopback', { ...BASE, authority: 'http://login.example.com' }, '--authority must use https; plain http is only allowed for localhost, 127.0.0.1 or [::1] (got "http://login.example.com")'],
    ['a host that only starts like a loopback one', { ...BASE, authority: 'http://localhost.example.com' }, '--authority must use https'],
    ['another scheme', { ...BASE, authority: 'ftp://login.example.com' }, '--authority must use https'],
    ['a query in the issuer', { ...BASE, authority: 'https://login.example.com/?tenant=1' }, '--authority must be the issuer URL without a query or fragment'],
    ['a fragment in the issuer', { ...BASE, authority: 'https://login.example.com/#x' }, '--authority must be the issuer URL without a query or fragment'],
    ['credentials in the URL', { ...BASE, authority: 'https://user:pw@login.example.com' }, '--authority must not contain a user name or password'],
    ['an empty client id', { ...BASE, clientId: '' }, '--client-id is required and must not be empty'],
    ['a blank client id', { ...BASE, clientId: '   ' }, '--client-id is required and must not be empty'],
  ])('the option checks behind the schema reject %s too, naming the flag', (_name, options, message) => {
    expect(() => resolveOptions(options)).toThrow(message);
  });

  it('rejects an unknown flow (the schema lists the allowed values; the code names them too)', async () => {
    await expectRejected(app, { ...BASE, flow: 'implicit' as NgAddOptions['flow'] }, /flow.*must be equal to one of the allowed values/);
    expect(() => resolveOptions({ ...BASE, flow: 'implicit' as NgAddOptions['flow'] })).toThrow(
      '--flow "implicit" is not known: use one of refresh-tokens, iframe-renew, par, http-config.',
    );
  });

  it('rejects a library project and names the applications', async () => {
    const withLibrary = await runner.runExternalSchematic('@schematics/angular', 'library', { name: 'lib' }, await createApp({ standalone: true }));
    await expectRejected(withLibrary, { ...BASE, project: 'lib' }, 'Project "lib" is a library project; ng add ngx-oidc sets up applications. Pass --project with one of: demo.');
  });

  it('asks for --project when the workspace has several applications', async () => {
    const two = await runner.runExternalSchematic('@schematics/angular', 'application', { name: 'admin', standalone: true, skipTests: true }, await createApp({ standalone: true }));
    await expectRejected(two, BASE, 'This workspace has several applications; pass --project with one of: demo, admin.');
    const { tree } = await ngAdd(two, { ...BASE, project: 'admin' });
    expect(tree.exists('/projects/admin/src/app/auth/auth.config.ts')).toBe(true);
    expect(tree.exists(AUTH_CONFIG)).toBe(false);
  });

  it('accepts http for loopback providers only', () => {
    for (const authority of ['http://localhost:8080', 'http://127.0.0.1:4400', 'http://[::1]:4400/realms/x', 'https://login.example.com/tenant/']) {
      expect(resolveOptions({ ...BASE, authority }).authority).toBe(authority);
    }
    expect(resolveOptions(BASE)).toEqual({
      flow: 'refresh-tokens',
      authority: 'https://login.example.com',
      clientId: 'spa',
      scope: 'openid profile offline_access',
      secureRoutes: [],
      skipRoutes: false,
      standalone: undefined,
    });
  });
});

/**
 * Runs the schema's prompts as `ng add` does in a terminal (@angular/cli's
 * schematics-command-module: `registry.usePromptProvider`, an input prompt per
 * `x-prompt` whose `validate` calls the definition's validator, built by
 * @angular-devkit/core from the property's own schema). An answer the validator
 * refuses is shown its message and asked again: here, the next scripted answer.
 */
async function runPrompts(options: NgAddOptions, answers: Record<string, string[]>) {
  const registry = new schema.CoreSchemaRegistry(formats.standardFormats);
  const asked: { prompt: string; answer: string; refused?: string }[] = [];
  registry.usePromptProvider(async (definitions) => {
    const result: Record<string, string> = {};
    for (const definition of definitions) {
      const queue = answers[definition.id];
      if (queue === undefined) throw new Error(`unexpected prompt ${definition.id}: ${definition.message}`);
      expect(definition.type).toBe('input');
      for (;;) {
        const answer = queue.shift();
        if (answer === undefined) throw new Error(`${definition.id} asked again, and no answer is left`);
        const verdict = definition.validator ? await definition.validator(String(answer)) : true;
        if (verdict === true) {
          asked.push({ prompt: definition.id, answer });
          result[definition.id] = answer;
          break;
        }
        asked.push({ prompt: definition.id, answer, refused: String(verdict) });
      }
    }
    return result;
  });
  const validate = await registry.compile(JSON.parse(readFileSync(path.join(__dirname, 'schema.json'), 'utf8')) as schema.JsonSchema);
  const result = await validate({ ...options });
  return { asked, result };
}

/** Every option but the two asked for, so that only their prompts run. */
const ANSWERED: NgAddOptions = { project: 'demo', flow: 'refresh-tokens', scope: '', secureRoutes: '', skipRoutes: false };

describe('the schema: prompts ask again', () => {
  it('re-asks for the issuer until it is an https URL (http on loopback), and for a non-blank client id', async () => {
    const { asked, result } = await runPrompts(ANSWERED, {
      '/authority': ['', '   ', 'login.example.com', 'http://login.example.com', 'https://login.example.com/?x=1', 'https://login.example.com'],
      '/clientId': ['', '  ', 'spa'],
    });
    expect(asked).toEqual([
      { prompt: '/authority', answer: '', refused: 'must NOT have fewer than 1 characters' },
      { prompt: '/authority', answer: '   ', refused: expect.stringMatching(/^must match pattern "/) },
      { prompt: '/authority', answer: 'login.example.com', refused: expect.stringMatching(/^must match pattern "/) },
      { prompt: '/authority', answer: 'http://login.example.com', refused: expect.stringMatching(/^must match pattern "/) },
      { prompt: '/authority', answer: 'https://login.example.com/?x=1', refused: expect.stringMatching(/^must match pattern "/) },
      { prompt: '/authority', answer: 'https://login.example.com' },
      { prompt: '/clientId', answer: '', refused: 'must NOT have fewer than 1 characters' },
      { prompt: '/clientId', answer: '  ', refused: 'must match pattern "\\S"' },
      { prompt: '/clientId', answer: 'spa' },
    ]);
    expect(result).toMatchObject({ success: true, data: { authority: 'https://login.example.com', clientId: 'spa' } });
  });

  it('takes every issuer the option checks take at the first answer (loopback http, paths, ports, spaces around)', async () => {
    for (const authority of ['https://login.example.com', 'https://login.example.com:8443/realms/demo/', 'http://localhost:8080', 'http://127.0.0.1:4400', 'http://[::1]:4400/realms/x', ' https://login.example.com ']) {
      const { asked } = await runPrompts(ANSWERED, { '/authority': [authority], '/clientId': ['spa'] });
      expect(asked.filter((a) => a.refused)).toEqual([]);
      expect(resolveOptions({ ...BASE, authority }).authority).toBe(authority.trim());
    }
  });

  it('asks nothing for values given as flags (a bad flag is refused by the schema, not asked again)', async () => {
    const { asked, result } = await runPrompts({ ...ANSWERED, authority: 'http://login.example.com', clientId: 'spa' }, {});
    expect(asked).toEqual([]);
    expect(result.success).toBe(false);
    expect(schema.SchemaValidationException.createMessages(result.errors)).toEqual([expect.stringMatching(/^Data path "\/authority" must match pattern "/)]);
  });
});

describe('the collection', () => {
  it('ships the library\'s own silent-renew.html as its template (no drift)', () => {
    const template = readFileSync(path.join(__dirname, 'files', 'silent-renew', 'silent-renew.html'), 'utf8');
    expect(template).toBe(librarySilentRenew);
  });

  it('gives every option a flag description and every option but --standalone a prompt', () => {
    const schema = JSON.parse(readFileSync(path.join(__dirname, 'schema.json'), 'utf8')) as {
      properties: Record<string, { description?: string; 'x-prompt'?: unknown; default?: unknown }>;
    };
    const names = Object.keys(schema.properties).sort();
    expect(names).toEqual(['authority', 'clientId', 'flow', 'project', 'scope', 'secureRoutes', 'skipRoutes', 'standalone']);
    for (const name of names) {
      const property = schema.properties[name];
      expect(property?.description).toEqual(expect.any(String));
      // --standalone is detected when not given; a prompt would replace the detection by a guess.
      if (name !== 'standalone') expect(property?.['x-prompt']).toBeDefined();
    }
    // `--defaults` skips prompts that have a default: these must have one.
    for (const name of ['flow', 'scope', 'secureRoutes', 'skipRoutes']) expect(schema.properties[name]?.default).toBeDefined();
  });
});
