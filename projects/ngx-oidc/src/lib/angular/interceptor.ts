import {
  HttpContextToken,
  HttpErrorResponse,
  type HttpEvent,
  type HttpHandler,
  type HttpHandlerFn,
  type HttpInterceptor,
  type HttpInterceptorFn,
  type HttpRequest,
} from '@angular/common/http';
import { DOCUMENT, EnvironmentInjector, Injectable, inject, runInInjectionContext } from '@angular/core';
import { Router } from '@angular/router';
import { type Observable, catchError, from, switchMap, throwError } from 'rxjs';
import { isSecureRoute } from '../core/secure-routes';
import { OidcAuth } from './oidc-auth';

/**
 * Set on a request's `context` to keep the access token off it, even for a
 * secure route: `http.get(url, { context: new HttpContext().set(SKIP_AUTH, true) })`.
 */
export const SKIP_AUTH = new HttpContextToken<boolean>(() => false);

/**
 * Set on a request's `context` to decide, for that request alone, whether a
 * 401 or 403 from a secure route moves the user to `unauthorizedRoute` or
 * `forbiddenRoute` (`true`) or only fails the call (`false`). Unset, the
 * config key `navigateOnHttpError` decides.
 */
export const NAVIGATE_ON_AUTH_ERROR = new HttpContextToken<boolean | null>(() => null);

function withBearer(req: HttpRequest<unknown>, token: string): HttpRequest<unknown> {
  return req.clone({ setHeaders: { Authorization: `Bearer ${token}` } });
}

/**
 * The functional interceptor: attaches `Authorization: Bearer` only to URLs
 * under a `secureRoutes` entry (origin exact, path on a segment boundary;
 * RFC 6750 5.3), never overwriting an existing header. An expiring token is
 * renewed first (one renewal shared by all requests). A 401 from a secure
 * route renews once and retries once. A 401 that stays, or a 403, fails the
 * call; it also routes to `unauthorizedRoute` / `forbiddenRoute` when the app
 * asked for that (config `navigateOnHttpError`, or {@link NAVIGATE_ON_AUTH_ERROR}
 * on the request), so a background call never moves the user by itself.
 * A 401 `insufficient_user_authentication` (RFC 9470) is not renewed: it is
 * reported as `StepUpRequired` and, with `withStepUp()`, met by signing in
 * again (the request is then retried once, in popup mode).
 *
 * @example
 * ```ts
 * provideHttpClient(withInterceptors([authInterceptor()]))
 * ```
 */
export function authInterceptor(): HttpInterceptorFn {
  return (req, next) => {
    const main = inject(OidcAuth);
    // Requests before the config is loaded (the config loader's own) and requests
    // that are not for a secure route go through untouched: the short path. So does
    // every request on the server (SSR), where there is no session: no token, no
    // renewal, and a 401 or 403 never turns into a navigation (an HTTP redirect).
    if (!main.config() || req.context.get(SKIP_AUTH) || req.headers.has('Authorization') || !main.isBrowser) return next(req);
    // Relative request URLs resolve against the document base URL, as HttpClient's backends do.
    const base = inject(DOCUMENT).baseURI;
    // With several configs, the one whose secureRoutes hold the URL (they cannot overlap: checked at start-up).
    const auth = main.peers?.find((peer) => isSecureRoute(req.url, peer.config()?.secureRoutes ?? [], base)) ?? main;
    const config = auth.config()!;
    if (!isSecureRoute(req.url, config.secureRoutes, base)) return next(req);
    const router = inject(Router);
    // A 401 or 403 moves the user only when the app asked for it (this request's context, else the
    // config); decided only when such an answer comes, so the success path pays nothing for it.
    const go = (route: string) => {
      const policy = config.navigateOnHttpError;
      const asked = req.context.get(NAVIGATE_ON_AUTH_ERROR) ?? (Array.isArray(policy) ? isSecureRoute(req.url, policy, base) : policy);
      if (asked) void router.navigateByUrl(route);
    };
    let sent: string | null = null;
    // RFC 9449 7: a DPoP-bound token goes with the DPoP scheme and a proof (withDPoP() only).
    const port = auth.session()?.tokenType === 'DPoP' ? auth.dpopPort : undefined;
    const attach = (token: string) => (port ? port.send(req, base, token, next) : next(withBearer(req, token)));
    const send = (token: string | null) => {
      sent = token;
      return token ? attach(token) : next(req);
    };
    const token = auth.accessToken();
    const first: Observable<HttpEvent<unknown>> =
      token && !auth.needsRenewal() ? send(token) : from(auth.getValidAccessToken()).pipe(switchMap(send));
    return first.pipe(
      catchError((error: unknown) => {
        if (!(error instanceof HttpErrorResponse)) return throwError(() => error);
        if (error.status === 403) {
          go(config.forbiddenRoute);
        } else if (error.status === 401 && auth.isAuthenticated()) {
          // What a 401 calls for is decided in the lazy actions (a cold path): a renewal (RFC 6750 3.1
          // invalid_token), or for insufficient_user_authentication a step-up (RFC 9470), never a renewal.
          const header = error.headers.get('WWW-Authenticate') ?? '';
          const retry = auth.actions().then((a) => a.tokenFor401(auth, req.url, header, sent));
          return from(retry).pipe(
            catchError(() => {
              go(config.unauthorizedRoute);
              return throwError(() => error);
            }),
            switchMap((fresh) =>
              // The retry goes straight to the next handler: it is never retried again.
              fresh
                ? attach(fresh).pipe(
                    catchError((again: unknown) => {
                      if (again instanceof HttpErrorResponse && again.status === 401) go(config.unauthorizedRoute);
                      return throwError(() => again);
                    }),
                  )
                : throwError(() => error),
            ),
          );
        } else if (error.status === 401) {
          go(config.unauthorizedRoute);
        }
        return throwError(() => error);
      }),
    );
  };
}

/**
 * The same interceptor as a class, for apps that register interceptors with
 * `HTTP_INTERCEPTORS` and `withInterceptorsFromDi()`.
 */
@Injectable()
export class AuthInterceptor implements HttpInterceptor {
  private readonly injector = inject(EnvironmentInjector);
  private readonly fn = authInterceptor();

  /** Delegates to {@link authInterceptor}. */
  intercept(req: HttpRequest<unknown>, next: HttpHandler): Observable<HttpEvent<unknown>> {
    const handle: HttpHandlerFn = (r) => next.handle(r);
    return runInInjectionContext(this.injector, () => this.fn(req, handle));
  }
}
