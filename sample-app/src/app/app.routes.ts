import type { Routes } from '@angular/router';
import { SilentRenewComponent, authCallbackGuard, autoLoginGuard } from 'ngx-oidc';
import { Home } from './pages/home';
import { Protected } from './pages/protected';
import { Problem } from './pages/problem';

export const routes: Routes = [
  { path: '', component: Home, title: 'Acme Orders' },
  { path: 'protected', canActivate: [autoLoginGuard], component: Protected, title: 'Your orders · Acme Orders' },
  { path: 'callback', canActivate: [authCallbackGuard], children: [] },
  // The iframe renew's redirect target as an app route (silentRenewUrl `${origin}/silent-renew`).
  { path: 'silent-renew', component: SilentRenewComponent },
  { path: 'forbidden', component: Problem, data: { kind: 'forbidden' }, title: 'Forbidden · Acme Orders' },
  { path: 'unauthorized', component: Problem, data: { kind: 'unauthorized' }, title: 'Not signed in · Acme Orders' },
  { path: '**', redirectTo: '' },
];
