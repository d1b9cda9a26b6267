import { Component, inject } from '@angular/core';
import { RouterLink } from '@angular/router';
import { OidcAuth } from 'ngx-oidc';

/** The public home page. */
@Component({
  selector: 'demo-home',
  imports: [RouterLink],
  template: `
    <section class="hero">
      <h1>Your orders, one sign-in away.</h1>
      <p>
        This demo signs you in with OpenID Connect: the Authorization Code Flow with PKCE, against a local
        identity provider, with refresh tokens renewed quietly in the background.
      </p>
      @if (auth.isAuthenticated()) {
        <a class="cta" routerLink="/protected">See your orders</a>
      } @else {
        <a class="cta" routerLink="/protected">Sign in to see your orders</a>
        <p class="hint">Demo users: <code>alice</code> / <code>wonderland</code> and <code>bob</code> / <code>builder</code>.</p>
      }
    </section>
  `,
  styles: `
    .hero { background: #fff; border-radius: 14px; padding: 32px; box-shadow: 0 4px 18px rgba(20, 30, 60, .06); }
    h1 { margin: 0 0 10px; font-size: 1.7rem; }
    p { color: #52607a; line-height: 1.5; max-width: 60ch; }
    .cta { display: inline-block; margin-top: 8px; padding: 10px 18px; border-radius: 8px; background: #4a3aff; color: #fff; text-decoration: none; font-weight: 600; }
    .hint { font-size: .9rem; }
  `,
})
export class Home {
  protected readonly auth = inject(OidcAuth);
}
