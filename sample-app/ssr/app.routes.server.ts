import { RenderMode, type ServerRoute } from '@angular/ssr';

/**
 * Every route is rendered per request, nothing prerendered: `/callback`
 * carries the provider's `code` and `state` in its query, and what a page
 * shows depends on the config the server hands out at run time.
 */
export const serverRoutes: ServerRoute[] = [{ path: '**', renderMode: RenderMode.Server }];
