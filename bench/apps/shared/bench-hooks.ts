import type { HttpClient } from '@angular/common/http';
import { firstValueFrom } from 'rxjs';

/** What a benchmark run reports. */
export interface RequestsResult {
  /** Wall time of the whole run, ms. */
  readonly ms: number;
  /** HTTP status of each request (0: no answer). */
  readonly statuses: number[];
  /** How many requests carried a bearer token (as the ping endpoint saw it). */
  readonly withToken: number;
}

/** The hooks every bench app exposes on `window.__bench` for the Playwright runner. */
export interface BenchHooks {
  /** `performance.now()` when the app first knew the user was signed in, else null. */
  authenticatedAt: number | null;
  /** GETs `url` `count` times through the app's HttpClient, one after another or all at once. */
  runRequests(url: string, count: number, concurrent: boolean): Promise<RequestsResult>;
}

declare global {
  interface Window {
    __bench?: BenchHooks;
  }
}

async function one(http: HttpClient, url: string): Promise<{ status: number; auth: boolean }> {
  try {
    const res = await firstValueFrom(http.get<{ auth?: boolean }>(url, { observe: 'response' }));
    return { status: res.status, auth: res.body?.auth === true };
  } catch (e) {
    return { status: (e as { status?: number }).status ?? 0, auth: false };
  }
}

/** Installs `window.__bench` over the app's HttpClient. */
export function installBenchHooks(http: HttpClient): BenchHooks {
  let authenticatedAt: number | null = null;
  const hooks: BenchHooks = {
    get authenticatedAt() {
      return authenticatedAt;
    },
    // Logged here, in code every bench app has (the baseline too), so that it adds nothing to the byte deltas.
    set authenticatedAt(at) {
      authenticatedAt = at;
      if (at !== null) console.debug(AUTHENTICATED_MESSAGE);
    },
    async runRequests(url, count, concurrent) {
      const started = performance.now();
      let results: { status: number; auth: boolean }[] = [];
      if (concurrent) {
        results = await Promise.all(Array.from({ length: count }, () => one(http, url)));
      } else {
        for (let i = 0; i < count; i++) results.push(await one(http, url));
      }
      return {
        ms: performance.now() - started,
        statuses: results.map((r) => r.status),
        withToken: results.filter((r) => r.auth).length,
      };
    },
  };
  window.__bench = hooks;
  return hooks;
}

/**
 * Records the first moment the app knew the user was signed in, and says so
 * on the console: the runner waits for that message instead of polling the
 * page, whose injected script would otherwise run on the main thread while
 * the app is still signing in (about 17 ms in a Chromium trace).
 */
export function markAuthenticated(): void {
  if (window.__bench && window.__bench.authenticatedAt === null) window.__bench.authenticatedAt = performance.now();
}

/** The console message of {@link markAuthenticated} (bench/lib/stack.mjs waits for it). */
export const AUTHENTICATED_MESSAGE = 'bench:authenticated';
