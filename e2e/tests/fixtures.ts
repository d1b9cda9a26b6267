import { writeFile } from 'node:fs/promises';
import { type BrowserContext, type Locator, type Page, test as base, expect } from '@playwright/test';
import { demoConfig } from '../app-server.mjs';
import { INTROSPECTOR } from '../idp/provider.mjs';
import { PORTS } from '../stack.mjs';

export const APP = `http://127.0.0.1:${PORTS.app}`;
export const IDP = `http://127.0.0.1:${PORTS.idp}`;
export const API_ORIGIN = `http://127.0.0.1:${PORTS.api}`;
export const RECORDER = `http://127.0.0.1:${PORTS.recorder}`;
export const SESSION_KEY = 'ngx-oidc.default.session';

/**
 * `test` with the page's console collected; on failure it is saved beside the
 * screenshot (`test-results/e2e/<test>/console.log`).
 */
export const test = base.extend<{ consoleLog: string[] }>({
  consoleLog: [
    async ({ page }, use, testInfo) => {
      const lines: string[] = [];
      page.on('console', (m) => lines.push(`[${m.type()}] ${m.text()}`));
      page.on('pageerror', (e) => lines.push(`[pageerror] ${e.message}`));
      await use(lines);
      if (testInfo.status !== testInfo.expectedStatus) {
        const path = testInfo.outputPath('console.log');
        await writeFile(path, lines.join('\n'));
        await testInfo.attach('console.log', { path, contentType: 'text/plain' });
      }
    },
    { auto: true },
  ],
});
export { expect };

/** Serves the app the auth config of `flow` (what its server would decide), with `overrides`. */
export async function useFlow(target: Page | BrowserContext, flow: string, overrides: Record<string, unknown> = {}): Promise<void> {
  const configs = demoConfig(flow, { appOrigin: APP, issuer: IDP, apiOrigin: API_ORIGIN, apiUrl: `${API_ORIGIN}/api/me` });
  // Several configs (the partner flow): the overrides go to the first, the default one.
  const config = Array.isArray(configs) ? [{ ...configs[0], ...overrides }, ...configs.slice(1)] : { ...configs, ...overrides };
  await target.route('**/auth-config.json', (route) => route.fulfill({ json: config }));
}

/** Completes the provider's sign-in (and consent) pages as `user`. */
export async function completeProviderLogin(page: Page, user = 'alice', password = user === 'alice' ? 'wonderland' : 'builder'): Promise<void> {
  await page.getByTestId('idp-login').fill(user);
  await page.getByTestId('idp-password').fill(password);
  await page.getByTestId('idp-submit').click();
  await page.getByTestId('idp-allow').click();
}

/** Signs in from `start` (a protected page sends the browser to the provider) and waits until the app says so. */
export async function signIn(page: Page, start = '/protected'): Promise<void> {
  await page.goto(start);
  await completeProviderLogin(page);
  await expect(page.getByTestId('auth-state')).toHaveText('authenticated');
}

/** A request to the provider, as the browser sent it. */
export interface SeenRequest {
  readonly method: string;
  readonly url: URL;
  readonly form: URLSearchParams;
  /** When it was sent (ms since the epoch). */
  readonly at: number;
}

/** Records every request the page (or every page of the context) sends to the provider. */
export function watchProvider(target: Page | BrowserContext): SeenRequest[] {
  const seen: SeenRequest[] = [];
  target.on('request', (req) => {
    if (!req.url().startsWith(IDP)) return;
    seen.push({ method: req.method(), url: new URL(req.url()), form: new URLSearchParams(req.postData() ?? ''), at: Date.now() });
  });
  return seen;
}

/** The token endpoint requests among `seen`, by grant type. */
export function tokenRequests(seen: readonly SeenRequest[], grantType?: string): SeenRequest[] {
  return seen.filter((r) => r.url.pathname === '/token' && (!grantType || r.form.get('grant_type') === grantType));
}

/** The session the library stored (localStorage in the demo configs), or null. */
export async function storedSession(page: Page): Promise<{ accessToken: string; refreshToken?: string; idToken: string; tokenType?: string } | null> {
  return page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? 'null'), SESSION_KEY);
}

/** Asks the provider's introspection endpoint (RFC 7662) whether `token` is active. */
export async function isActive(token: string): Promise<boolean> {
  const res = await fetch(`${IDP}/token/introspection`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, ...INTROSPECTOR }).toString(),
  });
  const body = (await res.json()) as { active?: boolean };
  return body.active === true;
}

/** The fault hook's control server (e2e/idp/faults.mjs), started by global-setup only. */
export const FAULTS = `http://127.0.0.1:${PORTS.faults}`;

/**
 * What a fault does: `unavailable` answers `status` (503) with `Retry-After`,
 * `hang` never answers (the socket is held until the faults are cleared),
 * `reset` destroys the connection, `garbage` answers 200 with an HTML page,
 * `coop` lets the provider answer with `Cross-Origin-Opener-Policy: same-origin` added.
 */
export type FaultMode = 'unavailable' | 'hang' | 'reset' | 'garbage' | 'coop';

/** One fault at the provider. */
export interface Fault {
  /** The provider path(s), such as `/token` or `/.well-known/openid-configuration`; a trailing `*` matches a prefix (`/interaction/*`). */
  readonly path: string | readonly string[];
  readonly mode: FaultMode;
  /** `unavailable` only: the status (default 503). */
  readonly status?: number;
  /** `unavailable` only: `Retry-After` in seconds (default 30); `null` sends none. */
  readonly retryAfter?: number | null;
  /** Only requests that match: the method, the `grant_type` (on /token), other form or query parameters. */
  readonly when?: {
    readonly method?: string;
    readonly grantType?: string;
    readonly form?: Readonly<Record<string, string>>;
    readonly query?: Readonly<Record<string, string>>;
  };
  /** Only the next N matching requests (default: all, until cleared). */
  readonly times?: number;
}

/** A request as the provider saw it (OPTIONS preflights are counted apart). */
export interface ProviderRequest {
  readonly method: string;
  readonly path: string;
  readonly grantType?: string;
  readonly tokenTypeHint?: string;
  readonly prompt?: string;
  readonly redirectUri?: string;
  /** The fault it met, if any. */
  readonly fault?: FaultMode;
  /** When the provider saw it (ms since the epoch, the provider's clock). */
  readonly at: number;
}

/** What the provider saw since the last reset. */
export interface ProviderCounts {
  /** Requests per path, faulted or not, preflights excluded. */
  readonly paths: Readonly<Record<string, number>>;
  /** /token requests per `grant_type`. */
  readonly grants: Readonly<Record<string, number>>;
  /** OPTIONS preflights per path (never faulted). */
  readonly preflights: Readonly<Record<string, number>>;
  /** Faulted requests per path. */
  readonly faulted: Readonly<Record<string, number>>;
  /** Every request, in order (the first 2000). */
  readonly requests: readonly ProviderRequest[];
}

async function control(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${FAULTS}${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  const answer: unknown = await res.json();
  if (!res.ok) throw new Error(`fault control ${method} ${path}: ${res.status} ${JSON.stringify(answer)}`);
  return answer;
}

/**
 * Drives the provider's fault hook and reads its counters. The hook counts
 * every request whether faulted or not; the fault scenarios reset it before
 * and after each test, so other spec files never meet a fault.
 */
export const faults = {
  /** Adds faults (the first matching one applies). */
  async set(...added: Fault[]): Promise<void> {
    await control('POST', '/faults', added);
  },
  /** Removes every fault and drops hung requests; the counters stay. */
  async clear(): Promise<void> {
    await control('DELETE', '/faults');
  },
  /** Removes every fault, drops hung requests and zeroes the counters. */
  async reset(): Promise<void> {
    await control('POST', '/reset');
  },
  /** Everything the provider saw since the last reset. */
  async counts(): Promise<ProviderCounts> {
    return (await control('GET', '/counts')) as ProviderCounts;
  },
  /** Requests the provider saw on `path` (preflights excluded). */
  async count(path: string): Promise<number> {
    return (await faults.counts()).paths[path] ?? 0;
  },
  /** /token requests the provider saw with `grant_type`. */
  async grants(grantType: string): Promise<number> {
    return (await faults.counts()).grants[grantType] ?? 0;
  },
};

/**
 * A locator's text after 50 ms of page time: with the clock paused, change
 * detection (scheduled on timers) runs only when the test moves the clock.
 */
export async function textAfterTick(page: Page, locator: Locator): Promise<string | null> {
  await page.clock.runFor(50);
  return locator.textContent();
}
