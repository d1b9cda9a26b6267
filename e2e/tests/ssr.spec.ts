import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { completeProviderLogin, expect, test } from './fixtures';

/**
 * Issue 9, item 16: the sample app server-rendered by Angular's Node server
 * (`npm run build:sample-ssr`, dist/sample-app-ssr). On the server no guard
 * redirects and no callback is processed; the browser does it after hydration.
 *
 * The SSR server gets its own origin and its own provider (which registers that
 * origin's redirect URIs), so the shared stack of global-setup is left as it is.
 */
const SSR = 'http://127.0.0.1:4210';
const SSR_IDP_PORT = 4410;
const SSR_IDP = `http://127.0.0.1:${SSR_IDP_PORT}`;
const SERVER = fileURLToPath(new URL('../../dist/sample-app-ssr/server/server.mjs', import.meta.url));

/** The part of e2e/idp/provider.mjs used here (its .d.mts declares only the users). */
type StartIdp = (options: { port: number; appOrigins: string[]; apiOrigin: string; log?: (line: string) => void }) => Promise<{
  issuer: string;
  close(): Promise<void>;
}>;

let server: ChildProcess | undefined;
let idp: { close(): Promise<void> } | undefined;
/** What the SSR server printed to stderr: its error log (Angular's ErrorHandler, render failures, host checks). */
let serverErrors = '';

/** Starts the built SSR server on loopback and resolves once it listens. */
function startSsrServer(): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVER], {
      env: { ...process.env, PORT: '4210', HOST: '127.0.0.1', ISSUER: SSR_IDP, API_ORIGIN: 'http://127.0.0.1:4401', FLOW: 'refresh' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (serverErrors += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('listening on')) resolve(child);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the SSR server exited (${code}) before listening:\n${out}\n${serverErrors}`)));
  });
}

test.describe('16. SSR: server-rendered pages and a login through the Node server', () => {
  test.beforeAll(async () => {
    if (!existsSync(SERVER)) {
      throw new Error('The SSR sample app is not built: run `npm run build:sample-ssr` first (npm run test:e2e does).');
    }
    const { startIdp } = (await import('../idp/provider.mjs')) as unknown as { startIdp: StartIdp };
    idp = await startIdp({ port: SSR_IDP_PORT, appOrigins: [SSR], apiOrigin: 'http://127.0.0.1:4401' });
    server = await startSsrServer();
  });

  test.afterAll(async () => {
    const child = server;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await idp?.close();
  });

  test('/, /protected and /callback?code&state render on the server: 200, no redirect, no error log', async () => {
    const pages = {
      '/': /<h1[^>]*>Your orders, one sign-in away\.<\/h1>/,
      // The guard lets the page render; the browser decides after hydration.
      '/protected': /<h1[^>]*>Your orders<\/h1>/,
      // Neither processed nor refused: no STATE_MISMATCH, no unauthorized page.
      '/callback?code=x&state=y': /<router-outlet/,
    };
    for (const [path, content] of Object.entries(pages)) {
      const res = await fetch(`${SSR}${path}`, { redirect: 'manual' });
      const html = await res.text();
      expect(res.status, `GET ${path}`).toBe(200);
      expect(res.headers.get('location'), `GET ${path}`).toBeNull();
      // Rendered by the server (not the client-side fallback), signed out there.
      expect(html, `GET ${path}`).toContain('ng-server-context="ssr"');
      expect(html, `GET ${path}`).toMatch(/data-testid="auth-state"[^>]*>\s*unauthenticated\s*</);
      expect(html, `GET ${path}`).toMatch(content);
      expect(html, `GET ${path}`).not.toContain('You are not signed in');
      expect(html, `GET ${path}`).not.toMatch(/STATE_MISMATCH|CONFIG_INVALID/);
    }
    expect(serverErrors).toBe('');
  });

  test('a browser login through the SSR server completes; the callback is finished in the browser', async ({ page }) => {
    // Errors in the app's pages (the provider's pages are not under test).
    const appErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && m.location().url.startsWith(SSR) && appErrors.push(`${m.text()} (${m.location().url})`));
    page.on('pageerror', (e) => appErrors.push(e.message));
    const callbackPages: { status: number; html: Promise<string> }[] = [];
    page.on('response', (res) => {
      if (res.request().resourceType() === 'document' && res.url().startsWith(`${SSR}/callback?`)) {
        callbackPages.push({ status: res.status(), html: res.text() });
      }
    });
    const codeExchanges: string[] = [];
    page.on('request', (req) => {
      if (req.url() === `${SSR_IDP}/token` && req.postData()?.includes('grant_type=authorization_code')) codeExchanges.push(req.url());
    });

    await page.goto(`${SSR}/protected`);
    // The browser's guard, after hydration, sends the signed-out user to the provider.
    await expect(page).toHaveURL(new RegExp(`^${SSR_IDP}/interaction/`));
    await completeProviderLogin(page);

    await expect(page.getByTestId('auth-state')).toHaveText('authenticated');
    await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
    await expect(page).toHaveURL(`${SSR}/protected`);
    // The server rendered the callback page (200, no redirect) and the browser exchanged the code, once.
    expect(callbackPages.map((p) => p.status)).toEqual([200]);
    expect(await callbackPages[0]!.html).toContain('ng-server-context="ssr"');
    expect(codeExchanges).toHaveLength(1);
    // No hydration mismatch or other error in the page.
    expect(appErrors).toEqual([]);
    expect(serverErrors).toBe('');
  });
});
