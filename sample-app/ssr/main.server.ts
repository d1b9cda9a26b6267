import { type BootstrapContext, bootstrapApplication } from '@angular/platform-browser';
import { App } from '../src/app/app';
import { config } from './app.config.server';

/** Renders the sample app on the server, one request at a time. */
const bootstrap = (context: BootstrapContext) => bootstrapApplication(App, config, context);

export default bootstrap;
