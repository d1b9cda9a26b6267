import { HttpClient } from '@angular/common/http';
import { Component, computed, inject } from '@angular/core';
import { RouterOutlet } from '@angular/router';
import { OidcAuth } from 'ngx-oidc';
import { installBenchHooks, markAuthenticated } from './bench-hooks';

/** The root component of both ngx-oidc bench apps: auth state, a login button, the bench hooks. */
@Component({
  selector: 'bench-root',
  imports: [RouterOutlet],
  template: `<span data-testid="auth-state">{{ state() }}</span>
    <button data-testid="login" (click)="auth.login()">login</button><router-outlet />`,
})
export class NgxOidcShell {
  protected readonly auth = inject(OidcAuth);
  protected readonly state = computed(() => (!this.auth.ready() ? 'loading' : this.auth.isAuthenticated() ? 'authenticated' : 'unauthenticated'));
  constructor() {
    installBenchHooks(inject(HttpClient));
    this.auth.isAuthenticated$.subscribe((signedIn) => signedIn && markAuthenticated());
  }
}
