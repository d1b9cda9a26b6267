import { Injectable, signal } from '@angular/core';
import type { OidcConfig } from 'ngx-oidc';

type DemoConfig = OidcConfig & { apiUrl?: string };

/**
 * The app's own key in `auth-config.json`, `apiUrl`, per config. The file
 * holds one config, or two in the partner flow (several providers at once:
 * the second has `configId: 'partner'`).
 */
@Injectable({ providedIn: 'root' })
export class DemoSettings {
  /** The API the `call-api` button calls. */
  readonly apiUrl = signal<string | null>(null);
  /** The partner's API (the partner flow), or `null`. */
  readonly partnerApiUrl = signal<string | null>(null);

  /** Keeps the app's own key and hands the rest to the library unchanged. */
  take(json: unknown): OidcConfig | OidcConfig[] {
    const [first, ...others] = ([] as DemoConfig[]).concat(json as DemoConfig | DemoConfig[]);
    this.apiUrl.set(typeof first?.apiUrl === 'string' ? first.apiUrl : null);
    const partner = others.find((c) => c.configId === 'partner');
    this.partnerApiUrl.set(typeof partner?.apiUrl === 'string' ? partner.apiUrl : null);
    const strip = ({ apiUrl: _apiUrl, ...config }: DemoConfig): OidcConfig => config;
    return others.length ? [strip(first!), ...others.map(strip)] : strip(first!);
  }
}
