import { type ApplicationConfig, mergeApplicationConfig } from '@angular/core';
import { provideClientHydration, withEventReplay } from '@angular/platform-browser';
import { appConfig } from '../src/app/app.config';

/**
 * The sample app's config for the server-rendered variant: the same app, plus
 * hydration (the browser takes over the server's DOM instead of re-rendering).
 * The static build (`npm run build:sample`) does not use this file.
 */
export const ssrAppConfig: ApplicationConfig = mergeApplicationConfig(appConfig, {
  providers: [provideClientHydration(withEventReplay())],
});
