import type { AuthStorage } from '../core/storage';
import type { InternalLoginOptions, OidcAuth } from './oidc-auth';

/** How long a redirect the library started by itself is not started again for the same reason, in seconds. */
const REPEAT_GUARD_SECONDS = 60;

/**
 * Starts a login redirect that the library decided on by itself (a step-up,
 * a renewal fallback), unless the same one (`reason`) started in this tab
 * less than a minute ago: a page that comes back to the same demand must not
 * go round again. The start is remembered in sessionStorage under `key`;
 * garbage there, or a time still to come, reads as no earlier start.
 * Resolves to `'repeated'` (nothing started), or to whether the browser is
 * on its way (a login that failed is reported by the login itself).
 */
export async function redirectOnce(
  auth: OidcAuth,
  storage: AuthStorage | null,
  key: string,
  reason: string,
  options: InternalLoginOptions,
): Promise<'repeated' | boolean> {
  const [at = '', ...rest] = (storage?.read(key) ?? '').split(' ');
  const age = auth.now() - Number(at);
  if (rest.join(' ') === reason && age >= 0 && age < REPEAT_GUARD_SECONDS) return 'repeated';
  storage?.write(key, reason ? `${auth.now()} ${reason}` : String(auth.now()));
  const actions = await auth.actions().catch(() => null);
  return (await actions?.login(auth, options).then(() => true, () => false)) ?? false;
}
