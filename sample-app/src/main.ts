import { bootstrapApplication } from '@angular/platform-browser';
import { App } from './app/app';
import { appConfig } from './app/app.config';

bootstrapApplication(App, appConfig).catch((error: unknown) => {
  // A config that fails validation stops start-up: show why instead of a blank page.
  document.body.innerHTML = `<pre data-testid="startup-error" style="padding:24px;color:#a01d1d"></pre>`;
  document.querySelector('pre')!.textContent = String(error instanceof Error ? error.message : error);
});
