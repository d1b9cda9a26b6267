import { isPlatformBrowser } from '@angular/common';
import { PLATFORM_ID, inject } from '@angular/core';
import {
  type CanActivateChildFn,
  type CanActivateFn,
  type CanMatchFn,
  type GuardResult,
  RedirectCommand,
  Router,
  type UrlSegment,
} from '@angular/router';
import { OidcAuth } from './oidc-auth';

/**
 * An app-relative return URL is followed only when it stays on this app: it
 * starts with one `/` (not `//` or `/\`, which browsers read as another host)
 * and resolves on the page's origin (browsers drop tabs and newlines, so
 * `/\t/evil.test` is `//evil.test`).
 */
export function isSafeReturnUrl(url: string | undefined): url is string {
  if (typeof url !== 'string' || !url.startsWith('/') || url.startsWith('//') || url.startsWith('/\\')) return false;
  const base = 'https://app.invalid';
  try {
    return new URL(url, base).origin === base;
  } catch {
    return false;
  }
}

/**
 * True when rendering on the server (SSR, prerendering): every guard here is
 * then neutral. The server has no pending login (that lives in the browser's
 * sessionStorage) and no session, so checking there would fail a real
 * callback (`STATE_MISMATCH`) or redirect a user the browser will let
 * through; the browser runs the guards again after hydration.
 */
function onServer(): boolean {
  return !isPlatformBrowser(inject(PLATFORM_ID));
}

/**
 * For the redirect route (`redirectUrl`): finishes the login through the core
 * (or takes the result the start-up check already got), then navigates to the
 * stored return URL (same app only) or `postLoginRoute`, replacing the callback
 * entry in history. On failure it routes to `unauthorizedRoute`; the error is
 * on `OidcAuth.error()`. A reload or second call never exchanges a code twice.
 *
 * On the server it lets the route render and does nothing else: no callback
 * is processed, no storage read, no redirect. The browser finishes the login
 * after hydration.
 *
 * @example
 * ```ts
 * { path: 'callback', canActivate: [authCallbackGuard], children: [] }
 * ```
 */
export const authCallbackGuard: CanActivateFn = async () => {
  if (onServer()) return true;
  const auth = inject(OidcAuth);
  const router = inject(Router);
  const config = await auth.loadConfig();
  const go = (url: string) => new RedirectCommand(router.parseUrl(url), { replaceUrl: true });
  try {
    const { returnUrl } = await auth.handleCallback();
    return go(isSafeReturnUrl(returnUrl) ? returnUrl : config.postLoginRoute);
  } catch {
    // A reload of an already-finished callback (state used): the session may exist, once restored
    // (here first, in an app without the start-up check).
    const authenticated = await auth.whenReady().catch(() => false);
    return go(authenticated && !auth.lastLoginFailed() ? config.postLoginRoute : config.unauthorizedRoute);
  }
};

/**
 * The service a guard acts for: the default config's, or (with
 * `withMultipleConfigs()`) the one of `configId`, once the configs are
 * loaded; an unknown id fails the navigation with `CONFIG_INVALID`.
 */
async function serviceFor(auth: OidcAuth, configId: string | undefined): Promise<OidcAuth> {
  return configId === undefined ? auth : (await auth.loadConfig(), auth.forConfig(configId));
}

async function autoLogin(configId: string | undefined, stateOrSegments: unknown): Promise<GuardResult> {
  if (onServer()) return true;
  const router = inject(Router);
  const targetUrl = Array.isArray(stateOrSegments)
    ? canMatchTarget(stateOrSegments as UrlSegment[])
    : (stateOrSegments as { url: string }).url;
  const auth = await serviceFor(inject(OidcAuth), configId);
  const authenticated = await auth.whenReady();
  if (authenticated) return true;
  const config = await auth.loadConfig();
  // After a failed login in this page, do not send the user round again: no redirect loop, nor
  // one through unauthorizedRoute when it is this very route (the navigation just stops).
  if (auth.lastLoginFailed()) return targetUrl !== config.unauthorizedRoute && router.parseUrl(config.unauthorizedRoute);
  // A stored refresh token may still renew the session without a round trip to the login page.
  if (auth.canRenew()) {
    try {
      await auth.refresh();
      return true;
    } catch {
      // Fall through to a new login.
    }
  }
  try {
    await auth.login({ returnUrl: targetUrl });
  } catch {
    return router.parseUrl(config.unauthorizedRoute);
  }
  return false;
}

/** The URL a `canMatch` guard guards: the navigation's (the segments are only those left at this route's level). */
function canMatchTarget(segments: readonly UrlSegment[]): string {
  const router = inject(Router);
  const navigation = router.currentNavigation();
  return navigation ? router.serializeUrl(navigation.extractedUrl) : `/${segments.map((s) => s.path).join('/')}`;
}

/**
 * Lets signed-in users through; for others, tries a refresh when a refresh
 * token is stored, else stores the target URL and starts a login. After a
 * failed login it routes to `unauthorizedRoute` instead of looping. Waits for
 * `ready` first. Usable as `canActivate`, `canActivateChild` and `canMatch`;
 * with `withMultipleConfigs()`, `autoLoginGuard('partner')` guards with the
 * config of that `configId` (the default config otherwise).
 *
 * On the server it lets the route render (no redirect, no login, no storage
 * read): the browser decides after hydration.
 *
 * @example
 * ```ts
 * { path: 'orders', canActivate: [autoLoginGuard], component: Orders },
 * { path: 'partner', canActivate: [autoLoginGuard('partner')], component: PartnerPage },
 * ```
 */
export function autoLoginGuard(configId: string): CanActivateFn & CanActivateChildFn & CanMatchFn;
/** The guard itself, for the default config (see the overload above). */
export function autoLoginGuard(route: unknown, stateOrSegments: unknown): Promise<GuardResult>;
export function autoLoginGuard(routeOrConfigId: unknown, stateOrSegments?: unknown): CanActivateFn | Promise<GuardResult> {
  return typeof routeOrConfigId === 'string' ? (_r: unknown, s: unknown) => autoLogin(routeOrConfigId, s) : autoLogin(undefined, stateOrSegments);
}

async function checkOnly(configId: string | undefined): Promise<GuardResult> {
  if (onServer()) return true;
  const router = inject(Router);
  const auth = await serviceFor(inject(OidcAuth), configId);
  if (await auth.whenReady()) return true;
  return router.parseUrl((await auth.loadConfig()).unauthorizedRoute);
}

/**
 * Only checks: lets signed-in users through and routes others to
 * `unauthorizedRoute`, without sending anyone to the provider. With
 * `withMultipleConfigs()`, `authGuard('partner')` checks the config of that
 * `configId`.
 *
 * On the server it lets the route render (no redirect, no storage read): the
 * browser decides after hydration.
 */
export function authGuard(configId: string): CanActivateFn & CanActivateChildFn & CanMatchFn;
/** The guard itself, for the default config (see the overload above). */
export function authGuard(route: unknown, stateOrSegments: unknown): Promise<GuardResult>;
export function authGuard(routeOrConfigId: unknown): CanActivateFn | Promise<GuardResult> {
  return typeof routeOrConfigId === 'string' ? () => checkOnly(routeOrConfigId) : checkOnly(undefined);
}
