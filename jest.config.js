// @ts-check
// Unit tests for the library. jose ships ESM only, so it is transformed like our
// own sources; the test environment adds Node's WebCrypto to jsdom (see
// projects/ngx-oidc/src/test/jsdom-webcrypto-env.js).
const { createCjsPreset } = require('jest-preset-angular/presets');

/** @type {import('jest').Config} */
module.exports = {
  ...createCjsPreset({ tsconfig: '<rootDir>/projects/ngx-oidc/tsconfig.spec.json' }),
  testEnvironment: '<rootDir>/projects/ngx-oidc/src/test/jsdom-webcrypto-env.js',
  setupFilesAfterEnv: ['<rootDir>/projects/ngx-oidc/src/test/setup-jest.ts'],
  roots: ['<rootDir>/projects/ngx-oidc/src', '<rootDir>/projects/ngx-oidc/dpop/src', '<rootDir>/projects/ngx-oidc/testing/src'],
  transformIgnorePatterns: ['node_modules/(?!(jose|@angular|rxjs)/|.*\\.mjs$)'],
  moduleNameMapper: {
    '^ngx-oidc$': '<rootDir>/projects/ngx-oidc/src/public-api.ts',
    '^ngx-oidc/dpop$': '<rootDir>/projects/ngx-oidc/dpop/src/index.ts',
    '^ngx-oidc/dev-mode$': '<rootDir>/projects/ngx-oidc/dev-mode/src/index.ts',
    '^ngx-oidc/testing$': '<rootDir>/projects/ngx-oidc/testing/src/index.ts',
  },
  collectCoverageFrom: ['projects/ngx-oidc/src/lib/**/*.ts', 'projects/ngx-oidc/dpop/src/**/*.ts', 'projects/ngx-oidc/testing/src/**/*.ts', '!**/*.spec.ts'],
  coverageThreshold: {
    'projects/ngx-oidc/src/lib/core/': { lines: 90 },
    'projects/ngx-oidc/src/lib/angular/': { lines: 90 },
  },
  coverageReporters: ['text-summary', 'lcov'],
  reporters: ['default', '<rootDir>/scripts/summary-reporter.cjs'],
};
