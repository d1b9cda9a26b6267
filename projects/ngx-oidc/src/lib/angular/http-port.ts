import { HttpBackend, HttpErrorResponse, HttpHeaders, HttpRequest, HttpResponse } from '@angular/common/http';
import { filter, firstValueFrom, map } from 'rxjs';
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
 * Resolves for every HTTP status; rejects only when no answer came (status 0).
 */
export function httpBackendPort(backend: HttpBackend): FetchJson {
  return (request) => {
    const req = new HttpRequest<string | null>(request.method, request.url, request.body ?? null, {
      headers: new HttpHeaders(request.headers as Record<string, string>),
      responseType: 'text',
    });
    const answer = backend.handle(req).pipe(
      filter((event): event is HttpResponse<string> => event instanceof HttpResponse),
      map((res): OidcHttpResponse => ({ status: res.status, headers: headersOf(res.headers), body: res.body ?? '' })),
    );
    return firstValueFrom(answer).catch((e: unknown) => {
      if (e instanceof HttpErrorResponse && e.status !== 0) {
        return { status: e.status, headers: headersOf(e.headers), body: typeof e.error === 'string' ? e.error : '' };
      }
      throw e;
    });
  };
}
