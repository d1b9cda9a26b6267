import { bootstrapApplication } from '@angular/platform-browser';
import { App } from '../src/app/app';
import { ssrAppConfig } from './app.config';

// The browser entry of the server-rendered variant: hydrates what the server rendered.
bootstrapApplication(App, ssrAppConfig).catch((error: unknown) => console.error(error));
