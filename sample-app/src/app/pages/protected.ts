import { Component, computed, inject } from '@angular/core';
import { OidcAuth } from 'ngx-oidc';

/** Behind `autoLoginGuard`: the signed-in user's page. */
@Component({
  selector: 'demo-protected',
  template: `
    <section class="card">
      <h1>Your orders</h1>
      <p>Signed in as <strong>{{ name() }}</strong>. These claims come from the validated ID token:</p>
      <table>
        @for (claim of claims(); track claim[0]) {
          <tr><th>{{ claim[0] }}</th><td>{{ claim[1] }}</td></tr>
        }
      </table>
    </section>
  `,
  styles: `
    .card { background: #fff; border-radius: 14px; padding: 28px; box-shadow: 0 4px 18px rgba(20, 30, 60, .06); }
    h1 { margin: 0 0 8px; font-size: 1.4rem; }
    p { color: #52607a; }
    table { border-collapse: collapse; font-size: .9rem; }
    th { text-align: left; padding: 4px 16px 4px 0; color: #52607a; font-weight: 600; }
    td { padding: 4px 0; font-family: ui-monospace, monospace; }
  `,
})
export class Protected {
  private readonly auth = inject(OidcAuth);
  protected readonly name = computed(() => this.auth.user()?.name ?? this.auth.user()?.sub ?? '');
  protected readonly claims = computed(() => {
    const user = this.auth.user() ?? {};
    return ['sub', 'name', 'email', 'iss', 'aud', 'auth_time', 'exp']
      .filter((key) => key in user)
      .map((key) => [key, JSON.stringify((user as Record<string, unknown>)[key])] as const);
  });
}
