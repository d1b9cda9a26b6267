import { existsSync } from 'node:fs';
import { APP_ROOT, startStack } from './stack.mjs';

/**
 * Starts the provider (with the fault hook the fault scenarios drive, see
 * tests/fixtures.ts `faults`), the API, the recorder and the app server for the whole run.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(`${APP_ROOT}index.html`)) {
    throw new Error('The sample app is not built: run `npm run build:sample` first (npm test does).');
  }
  const stack = await startStack({ faults: true, log: (line: string) => console.error(line) });
  return async () => {
    await stack.close();
  };
}
