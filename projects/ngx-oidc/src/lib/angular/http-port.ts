import { HttpBackend, HttpErrorResponse, HttpHeaders, HttpRequest, HttpResponse } from '@angular/common/http';
import { DEV, OidcError } from '../core/errors';
import type { FetchJson, OidcHttpResponse } from '../core/http';

function headersOf(headers: HttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of headers.keys()) out[name.toLowerCase()] = headers.get(name) ?? '';
  return out;
}

/**
 * The core's network port over Angular's `HttpBackend`: requests skip the app's
 * interceptors (the auth interceptor never sees the library's own calls), work
 * with `provideHttpClientTesting`, and run under SSR's HTTP transfer rules.
 * Resolves for every HTTP status; rejects only when no answer came (status 0)
 * or the request's `signal` aborted it (the request is then cancelled).
 * `keepalive` reaches the browser with HttpClient's fetch backend (`withFetch()`).
 */
export function httpBackendPort(backend: HttpBackend): FetchJson {
  return (request) =>
    new Promise<OidcHttpResponse>((resolve, reject) => {
      const { signal } = request;
      if (signal?.aborted) return reject(new OidcError(DEV && `Request to ${request.url} aborted`, 'NETWORK_ERROR', { url: request.url }));
      const req = new HttpRequest<string | null>(request.method, request.url, request.body ?? null, {
        headers: new HttpHeaders(request.headers as Record<string, string>),
        responseType: 'text',
        ...(request.keepalive ? { keepalive: true } : {}),
      });
      const onAbort = () => {
        subscription.unsubscribe();
        reject(new OidcError(DEV && `Request to ${request.url} aborted`, 'NETWORK_ERROR', { url: request.url }));
      };
      const subscription = backend.handle(req).subscribe({
        next: (event) => {
          if (!(event instanceof HttpResponse)) return;
          signal?.removeEventListener('abort', onAbort);
          resolve({ status: event.status, headers: headersOf(event.headers), body: (event.body as string | null) ?? '' });
        },
        error: (e: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          if (e instanceof HttpErrorResponse && e.status !== 0) {
            resolve({ status: e.status, headers: headersOf(e.headers), body: typeof e.error === 'string' ? e.error : '' });
          } else {
            reject(e);
          }
        },
        complete: () => reject(new OidcError(DEV && `No answer from ${request.url}`, 'NETWORK_ERROR', { url: request.url })),
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
}
