import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { Component, DestroyRef, type WritableSignal, computed, inject, signal } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { OidcAuth } from 'ngx-oidc';
import { DemoSettings } from './demo-settings';

/** The shell: who is signed in, the token countdown, the API panel, the pages. */
@Component({
  selector: 'demo-root',
  imports: [RouterOutlet, RouterLink, RouterLinkActive],
  templateUrl: './app.html',
  styleUrl: './app.css',
})
export class App {
  protected readonly auth = inject(OidcAuth);
  private readonly http = inject(HttpClient);
  private readonly settings = inject(DemoSettings);

  protected readonly state = computed(() =>
    !this.auth.ready() ? 'loading' : this.auth.isAuthenticated() ? 'authenticated' : 'unauthenticated',
  );
  protected readonly userName = computed(() => {
    const user = this.auth.user();
    return user ? (user.name ?? user.sub) : '';
  });
  /** The typed code of the last failure: the provider's OAuth error when it sent one. */
  protected readonly errorCode = computed(() => {
    const error = this.auth.error();
    return error ? (error.oauthError ?? error.code) : '';
  });
  /**
   * What to say beside the code: the provider's own description when it sent
   * one, else the library's sentence (production builds have none: there the
   * message is the code, already shown).
   */
  protected readonly errorMessage = computed(() => {
    const error = this.auth.error();
    const description = error?.cause?.error_description;
    if (typeof description === 'string') return description;
    return error && error.message !== error.code ? error.message : '';
  });

  private readonly now = signal(Date.now());
  protected readonly secondsLeft = computed(() => {
    const expiresAt = this.auth.session()?.accessTokenExpiresAt;
    return expiresAt == null ? null : Math.max(0, Math.round(expiresAt - this.now() / 1000));
  });

  protected readonly apiResult = signal('');
  protected readonly apiBusy = signal(false);
  protected readonly apiUrl = this.settings.apiUrl;
  /** The API's payments route, beside `apiUrl`: it wants a sign-in with a one-time code. */
  protected readonly paymentsUrl = computed(() => {
    const api = this.apiUrl();
    return api ? new URL('payments', api).href : null;
  });
  protected readonly paymentResult = signal('');

  /** The partner flow's second config (several providers at once), else `null`. */
  protected readonly partner = this.settings.partnerApiUrl() ? this.auth.forConfig('partner') : null;
  protected readonly partnerApiUrl = this.settings.partnerApiUrl;
  protected readonly partnerResult = signal('');

  constructor() {
    const timer = setInterval(() => this.now.set(Date.now()), 1000);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }

  protected login(): void {
    void this.auth.login();
  }

  /** Runs in the click itself: the browser opens the popup only while it handles the user's click. */
  protected loginWithPopup(): void {
    // A failure shows in auth-error (auth.error()); nothing else to do here.
    this.auth.loginWithPopup().catch(() => undefined);
  }

  protected logout(): void {
    void this.auth.logout();
  }

  protected refresh(): void {
    this.auth.refresh().catch(() => undefined);
  }

  protected callApi(): void {
    this.call(this.apiUrl(), this.apiResult);
  }

  /** In the click itself: a step-up popup opens only shortly after the user's click. */
  protected pay(): void {
    this.call(this.paymentsUrl(), this.paymentResult);
  }

  protected partnerLogin(): void {
    void this.partner?.login();
  }

  protected partnerLogout(): void {
    void this.partner?.logout();
  }

  /** Through the same interceptor: the partner API's URL picks the partner's token. */
  protected callPartnerApi(): void {
    this.call(this.partnerApiUrl(), this.partnerResult);
  }

  private call(url: string | null, result: WritableSignal<string>): void {
    if (!url) return;
    this.apiBusy.set(true);
    this.http.get(url, { responseType: 'text' }).subscribe({
      next: (body) => {
        result.set(body);
        this.apiBusy.set(false);
      },
      error: (error: unknown) => {
        result.set(error instanceof HttpErrorResponse ? String(error.status) : 'error');
        this.apiBusy.set(false);
      },
    });
  }
}
