import { setupZonelessTestEnv } from 'jest-preset-angular/setup-env/zoneless';
import { resetPage } from './reset-page';

setupZonelessTestEnv();
afterEach(resetPage);
