import { Injectable, signal } from '@angular/core';
import type { OidcConfig } from 'ngx-oidc';

/** The app's own keys in `auth-config.json`: just `apiUrl`. */
@Injectable({ providedIn: 'root' })
export class DemoSettings {
  /** The API the `call-api` button calls. */
  readonly apiUrl = signal<string | null>(null);

  /** Keeps the app's own key and hands the rest to the library unchanged. */
  take(json: unknown): OidcConfig {
    const { apiUrl, ...config } = json as OidcConfig & { apiUrl?: string };
    this.apiUrl.set(typeof apiUrl === 'string' ? apiUrl : null);
    return config;
  }
}
