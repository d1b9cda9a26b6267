import { Component, computed, inject, input } from '@angular/core';
import { RouterLink } from '@angular/router';
import { OidcAuth } from 'ngx-oidc';

/** `/unauthorized` and `/forbidden`. */
@Component({
  selector: 'demo-problem',
  imports: [RouterLink],
  template: `
    <section class="card">
      @if (kind() === 'forbidden') {
        <h1>Not allowed</h1>
        <p>The API refused this request for your account (403).</p>
      } @else {
        <h1>You are not signed in</h1>
        <p>The sign-in did not complete{{ reason() }}. You can try again.</p>
        <button (click)="auth.login({ returnUrl: '/protected' })">Sign in</button>
      }
      <p><a routerLink="/">Back to the home page</a></p>
    </section>
  `,
  styles: `
    .card { background: #fff; border-radius: 14px; padding: 28px; box-shadow: 0 4px 18px rgba(20, 30, 60, .06); }
    h1 { margin: 0 0 8px; font-size: 1.4rem; }
    p { color: #52607a; }
  `,
})
export class Problem {
  protected readonly auth = inject(OidcAuth);
  readonly kind = input<'forbidden' | 'unauthorized'>('unauthorized');
  protected readonly reason = computed(() => {
    const error = this.auth.error();
    return error ? ` (${error.oauthError ?? error.code})` : '';
  });
}
