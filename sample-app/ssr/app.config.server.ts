import { FetchBackend, HttpBackend } from '@angular/common/http';
import { type ApplicationConfig, mergeApplicationConfig } from '@angular/core';
import { provideServerRendering, withRoutes } from '@angular/ssr';
import { ssrAppConfig } from './app.config';
import { serverRoutes } from './app.routes.server';

const serverConfig: ApplicationConfig = {
  providers: [
    provideServerRendering(withRoutes(serverRoutes)),
    // HttpClient over fetch on the server (what `withFetch()` provides): platform-server's
    // XHR backend is deprecated. The browser keeps the static app's backend.
    FetchBackend,
    { provide: HttpBackend, useExisting: FetchBackend },
  ],
};

/** The config the server renders with: the SSR app's, plus server rendering. */
export const config = mergeApplicationConfig(ssrAppConfig, serverConfig);
