// The baseline: router and HttpClient, no auth library. Bundle sizes are
// measured against it, and it is the no-interceptor run of the interceptor benchmark.
import { HttpClient, provideHttpClient } from '@angular/common/http';
import { Component, inject, provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { RouterOutlet, provideRouter } from '@angular/router';
import { installBenchHooks } from '../shared/bench-hooks';
import { Home } from '../shared/pages';

@Component({ selector: 'bench-root', imports: [RouterOutlet], template: `<span data-testid="auth-state">none</span><router-outlet />` })
class App {
  constructor() {
    installBenchHooks(inject(HttpClient));
  }
}

bootstrapApplication(App, {
  providers: [provideZonelessChangeDetection(), provideRouter([{ path: '**', component: Home }]), provideHttpClient()],
}).catch((e: unknown) => console.error(e));
