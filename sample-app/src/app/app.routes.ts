import type { Routes } from '@angular/router';
import { authCallbackGuard, autoLoginGuard } from 'ngx-oidc';
import { Home } from './pages/home';
import { Protected } from './pages/protected';
import { Problem } from './pages/problem';

export const routes: Routes = [
  { path: '', component: Home, title: 'Acme Orders' },
  { path: 'protected', canActivate: [autoLoginGuard], component: Protected, title: 'Your orders · Acme Orders' },
  { path: 'callback', canActivate: [authCallbackGuard], children: [] },
  { path: 'forbidden', component: Problem, data: { kind: 'forbidden' }, title: 'Forbidden · Acme Orders' },
  { path: 'unauthorized', component: Problem, data: { kind: 'unauthorized' }, title: 'Not signed in · Acme Orders' },
  { path: '**', redirectTo: '' },
];
