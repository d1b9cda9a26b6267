import { type EnvironmentProviders, Injectable, InjectionToken, inject, makeEnvironmentProviders, provideEnvironmentInitializer } from '@angular/core';
import {
  AUTH_CLOCK,
  AUTH_FETCH,
  AUTH_POPUP_LOGIN,
  AUTH_REDIRECT,
  AUTH_STORAGE,
  type AuthSession,
  type LoginResult,
  type PopupLoginOptions,
  type FetchJson,
  MemoryStorage,
  OidcAuth,
  type OidcConfig,
  OidcError,
  type OidcErrorCode,
  type StandardClaims,
  provideAuth,
  withCheckAuthOnStartup,
  withConfig,
} from 'ngx-oidc';

/** The issuer of the testing config: a reserved name (RFC 6761) that never resolves. */
export const TESTING_AUTHORITY = 'https://auth.testing.invalid';

/** The claims of a test user: the standard ones, the app's own, and `sub` (default `'test-user'`). */
export interface TestUser extends StandardClaims {
  /** The subject (`sub` claim). Default `'test-user'`. */
  readonly sub?: string;
  readonly [claim: string]: unknown;
}

/** Options for {@link provideAuthTesting}. */
export interface AuthTestingOptions {
  /** The signed-in user's claims; absent or `null`: the app starts signed out. */
  readonly user?: TestUser | null;
  /** The access token the interceptor attaches. Default `'test-access-token'`. */
  readonly accessToken?: string;
  /** Seconds until the access token expires. Default `3600`. */
  readonly accessTokenLifetimeInSeconds?: number;
  /**
   * Config keys over the testing config (authority {@link TESTING_AUTHORITY},
   * client id `test-client`, `secureRoutes: ['/']`: every request to the
   * app's own origin gets the token; `logLevel: 'none'`).
   */
  readonly config?: Partial<OidcConfig>;
}

/** How the next `loginWithPopup()` ends: a user signs in, or it fails with a popup's error code. */
type PopupOutcome = { readonly user: TestUser } | { readonly error: 'POPUP_BLOCKED' | 'POPUP_CLOSED' | 'POPUP_TIMEOUT' | 'AUTHORIZATION_ERROR' };

/** What provideAuthTesting set up, made once per injector: the controller's handle on it. */
interface Seed {
  readonly storage: MemoryStorage;
  readonly config: OidcConfig & { configId: string };
  readonly accessToken: string;
  readonly lifetime: number;
  readonly redirects: string[];
  /** The outcomes queued for the next popup logins, oldest first. */
  readonly popupOutcomes: PopupOutcome[];
  /** The options of every popup login, oldest first. */
  readonly popupLogins: PopupLoginOptions[];
}

const SEED = new InjectionToken<Seed>('ngx-oidc testing seed');

/**
 * Drives the signed-in state of an app set up with {@link provideAuthTesting}:
 * sign in as someone, sign out, expire the token, report an error. Each
 * change goes through the library as a real one would (signals, observables,
 * events, guards and interceptor all follow).
 *
 * @example
 * ```ts
 * const auth = TestBed.inject(AuthTestingController);
 * await auth.signIn({ name: 'Bob' });
 * ```
 */
@Injectable()
export class AuthTestingController {
  private readonly seed = inject(SEED);
  private readonly auth = inject(OidcAuth);
  private readonly now = inject(AUTH_CLOCK);

  /**
   * The URLs the library sent the browser to, oldest first: an authorization
   * request after `login()` or a guard, an end-session request after `logout()`.
   */
  get redirects(): readonly string[] {
    return this.seed.redirects;
  }

  /** The options of every `loginWithPopup()` call, oldest first (no window is opened in tests). */
  get popupLogins(): readonly PopupLoginOptions[] {
    return this.seed.popupLogins;
  }

  /**
   * Makes the next `loginWithPopup()` sign `user` in (as {@link signIn} does).
   * Without anything queued, a popup login signs in the default test user.
   */
  answerPopup(user: TestUser = {}): void {
    this.seed.popupOutcomes.push({ user });
  }

  /** Makes the next `loginWithPopup()` fail as a real popup can: reported, and the session left as it was. */
  failPopup(code: 'POPUP_BLOCKED' | 'POPUP_CLOSED' | 'POPUP_TIMEOUT' | 'AUTHORIZATION_ERROR' = 'POPUP_CLOSED'): void {
    this.seed.popupOutcomes.push({ error: code });
  }

  /** Resolves once the start-up check is done; the signed-in state is then settled. */
  async whenReady(): Promise<void> {
    await this.auth.whenReady();
  }

  /**
   * Signs `user` in (another user replaces the current one), with `accessToken`
   * or the configured one, as a finished login does: a previous
   * `auth.error()` clears and `TokenReceived` is emitted.
   */
  async signIn(user: TestUser = {}, accessToken: string = this.seed.accessToken): Promise<void> {
    await this.auth.whenReady();
    await logIn(this.auth, this.seed, user, accessToken, this.now());
  }

  /** Signs the user out here, as `logoutLocal()` does: `LoggedOut`, guards then redirect to login. */
  async signOut(): Promise<void> {
    await this.auth.whenReady();
    await this.auth.logoutLocal();
  }

  /**
   * Expires the access token now, as its expiry timer does in the app: the
   * session cannot be renewed (no refresh token, no provider), so it ends
   * here and in storage with a `SessionEnded` event whose error is
   * `LOGIN_REQUIRED` (`cause.reason` `'expired'`). `auth.error()` is left as it
   * was. Does nothing when signed out.
   */
  async expireAccessToken(): Promise<void> {
    await this.auth.whenReady();
    const current = this.auth.session();
    const loaded = this.auth.loaded;
    if (!current || !loaded) return;
    // What scheduleRenewal's timer (renewal-schedule.ts) does at the expiry of a session it cannot renew.
    loaded.session.discard(current);
    this.auth.setSession(loaded.session.restore());
    if (!this.auth.session()) {
      this.auth.emit({ type: 'SessionEnded', error: new OidcError('The access token expired', 'LOGIN_REQUIRED', { reason: 'expired' }) });
    }
  }

  /** Reports an error as the library does: `auth.error()` and an `Error` event. */
  emitError(code: OidcErrorCode, message = `Testing: ${code}`): OidcError {
    const error = new OidcError(message, code);
    this.auth.ɵreport(error);
    return error;
  }
}


function sessionKey(configId: string): string {
  return `ngx-oidc.${configId}.session`;
}

/** A stored session for `user`, shaped as the library stores one after a real login. */
function writeSession(seed: Seed, user: TestUser, accessToken: string, now: number): AuthSession {
  const iat = Math.floor(now);
  const claims = { ...user, iss: seed.config.authority, aud: seed.config.clientId, sub: user.sub ?? 'test-user', iat, exp: iat + seed.lifetime };
  const session: AuthSession = {
    idToken: 'testing.id-token.unsigned',
    idTokenClaims: claims,
    accessToken,
    accessTokenExpiresAt: iat + seed.lifetime,
    accessTokenReceivedAt: iat,
  };
  seed.storage.write(sessionKey(seed.config.configId), JSON.stringify(session));
  return session;
}

/**
 * A login that finished: the session is stored, then the library's own end of
 * a login (`loggedIn` of its actions chunk, as after a redirect or popup login)
 * clears the error, updates the signals and emits `TokenReceived`.
 */
async function logIn(auth: OidcAuth, seed: Seed, user: TestUser, accessToken: string, now: number): Promise<AuthSession> {
  const session = writeSession(seed, user, accessToken, now);
  (await auth.actions()).loggedIn(auth, session);
  return session;
}

/** `loginWithPopup()` in tests: no window; the queued outcome (see {@link AuthTestingController.answerPopup}). */
function popupLogin(seed: Seed, now: () => number) {
  return async (auth: OidcAuth, options: PopupLoginOptions): Promise<LoginResult> => {
    seed.popupLogins.push(options);
    const outcome = seed.popupOutcomes.shift() ?? { user: {} };
    if ('error' in outcome) {
      const error = new OidcError(`Testing: the popup login ended with ${outcome.error}`, outcome.error);
      auth.ɵreport(error);
      throw error;
    }
    await auth.whenReady();
    return { session: await logIn(auth, seed, outcome.user, seed.accessToken, now()) };
  };
}

/** Discovery for the testing authority; any other request fails, as with no network. */
function testingProvider(authority: string): FetchJson {
  const metadata = {
    issuer: authority,
    authorization_endpoint: `${authority}/authorize`,
    token_endpoint: `${authority}/token`,
    jwks_uri: `${authority}/jwks`,
    end_session_endpoint: `${authority}/logout`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    code_challenge_methods_supported: ['S256'],
  };
  return async (req) => {
    if (req.url === `${authority}/.well-known/openid-configuration`) {
      return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(metadata) };
    }
    throw new OidcError(`provideAuthTesting: ${req.method} ${req.url} is not served in tests`, 'NETWORK_ERROR');
  };
}

/**
 * Sets up ngx-oidc for a host app's unit tests, with no provider: the app
 * starts signed in as `user` (or signed out), guards pass or redirect, the
 * interceptor attaches `accessToken` to secure routes, and
 * {@link AuthTestingController} signs in and out, expires the token, answers
 * popup logins and reports errors. Redirects are recorded, never followed,
 * and `loginWithPopup()` opens no window. Use it instead of
 * the app's own `provideAuth(...)`. The state it keeps (the stored session,
 * the recorded redirects, the popup queues) is made per injector, so one
 * providers value can serve every test of a spec file: each `TestBed`
 * configuration starts as `options` say.
 *
 * @example
 * ```ts
 * TestBed.configureTestingModule({
 *   providers: [
 *     provideRouter(routes),
 *     provideHttpClient(withInterceptors([authInterceptor()])),
 *     provideHttpClientTesting(),
 *     provideAuthTesting({ user: { name: 'Alice', email: 'alice@example.com' }, accessToken: 'token-1' }),
 *   ],
 * });
 * ```
 */
export function provideAuthTesting(options: AuthTestingOptions = {}): EnvironmentProviders {
  const config = {
    authority: TESTING_AUTHORITY,
    clientId: 'test-client',
    redirectUrl: 'http://localhost/callback',
    secureRoutes: ['/'],
    logLevel: 'none' as const,
    configId: 'default',
    ...options.config,
  };
  const accessToken = options.accessToken ?? 'test-access-token';
  const lifetime = options.accessTokenLifetimeInSeconds ?? 3600;
  return makeEnvironmentProviders([
    provideAuth(withConfig(config), withCheckAuthOnStartup()),
    // Per injector: a providers value built once and reused by several TestBed configurations
    // starts each of them afresh (no session, redirect or popup outcome of the one before).
    {
      provide: SEED,
      useFactory: (): Seed => ({ storage: new MemoryStorage(), config, accessToken, lifetime, redirects: [], popupOutcomes: [], popupLogins: [] }),
    },
    { provide: AUTH_STORAGE, useFactory: () => inject(SEED).storage },
    { provide: AUTH_FETCH, useValue: testingProvider(config.authority) },
    {
      provide: AUTH_REDIRECT,
      useFactory: () => {
        const { redirects } = inject(SEED);
        return (url: string) => void redirects.push(url);
      },
    },
    { provide: AUTH_POPUP_LOGIN, useFactory: () => popupLogin(inject(SEED), inject(AUTH_CLOCK)) },
    // Before the app initializers, so the start-up check finds the user signed in.
    provideEnvironmentInitializer(() => {
      const seed = inject(SEED);
      if (options.user) writeSession(seed, options.user, seed.accessToken, inject(AUTH_CLOCK)());
    }),
    AuthTestingController,
  ]);
}
