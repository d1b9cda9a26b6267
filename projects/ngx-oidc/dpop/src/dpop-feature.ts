import { HttpErrorResponse, type HttpEvent, type HttpHandlerFn, type HttpHeaders, type HttpRequest, HttpResponse } from '@angular/common/http';
import { type Observable, catchError, from, switchMap, tap, throwError } from 'rxjs';
import type { DPoPFeature, DPoPPort } from 'ngx-oidc';
import { dpopPort, needsDPoPNonce } from './dpop';
import { type DPoPKeyStore, MemoryDPoPKeyStore, indexedDbDPoPKeyStore } from './dpop-keys';

/**
 * The Angular side of DPoP (RFC 9449), provided by `withDPoP()`: a port per
 * config for the session, and the interceptor's way to send a DPoP-bound
 * token to a secure route.
 */

/** Options for `withDPoP()`. */
export interface DPoPOptions {
  /**
   * Accept unbound (`Bearer`) tokens from a provider that binds only some
   * clients. Default `false`: a Bearer answer to a DPoP request fails with
   * `DPOP_NOT_BOUND` and nothing is stored.
   */
  readonly allowBearer?: boolean;
  /** Where keys are kept. Default: IndexedDB (shared by the tabs), memory where there is none. */
  readonly keyStore?: DPoPKeyStore;
}

function headersOf(headers: HttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of headers.keys()) out[name.toLowerCase()] = headers.get(name) ?? '';
  return out;
}

/**
 * Sends a resource request with a DPoP-bound token (RFC 9449 7): the
 * `Authorization: DPoP` scheme and a fresh proof with `htm`, `htu` (`url`,
 * absolute) and `ath`. Every `DPoP-Nonce` in an answer is kept; a 401 that
 * asks for a nonce (`WWW-Authenticate: DPoP error="use_dpop_nonce"`, RFC 9449 9)
 * is retried once with it, never more.
 */
export function sendWithDPoP(port: DPoPPort, req: HttpRequest<unknown>, url: string, token: string, next: HttpHandlerFn): Observable<HttpEvent<unknown>> {
  const attempt = () =>
    from(port.proof({ method: req.method, url }, token)).pipe(
      switchMap((proof) => next(req.clone({ setHeaders: { Authorization: `DPoP ${token}`, DPoP: proof } }))),
      // The retry's answer too, error or not: the next request goes with the newest nonce (RFC 9449 9).
      tap({
        next: (event) => event instanceof HttpResponse && port.remember(url, headersOf(event.headers)),
        error: (error: unknown) => error instanceof HttpErrorResponse && port.remember(url, headersOf(error.headers)),
      }),
    );
  return attempt().pipe(
    catchError((error: unknown) => {
      if (!(error instanceof HttpErrorResponse)) return throwError(() => error);
      const headers = headersOf(error.headers);
      const askedForNonce = needsDPoPNonce({ status: error.status, headers, body: '' }) && headers['dpop-nonce'] !== undefined;
      return askedForNonce ? attempt() : throwError(() => error);
    }),
  );
}

/** The feature `withDPoP(options)` provides. */
export function dpopFeature(options: DPoPOptions = {}): DPoPFeature {
  const store = options.keyStore ?? (typeof indexedDB === 'undefined' ? new MemoryDPoPKeyStore() : indexedDbDPoPKeyStore());
  return {
    port: (configId, now) => {
      const port = dpopPort({ store, configId, now, ...(options.allowBearer ? { allowBearer: true } : {}) });
      return { ...port, send: (req, base, token, next) => sendWithDPoP(port, req, new URL(req.urlWithParams, base).href, token, next) };
    },
  };
}
