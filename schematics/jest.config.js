// @ts-check
// Unit tests of the ng add schematics: `npx jest -c schematics/jest.config.js`.
// The SchematicTestRunner loads schematics/collection.json, whose factories
// (`./ng-add/index#ngAdd`) resolve to the .ts sources through jest's own module
// system and ts-jest, so the tests need no build step and always run the code
// under review. Template files are read from schematics/ng-add/files.
const path = require('node:path');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: path.join(__dirname, '..'),
  roots: ['<rootDir>/schematics'],
  testEnvironment: 'node',
  testMatch: ['**/*.spec.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/schematics/tsconfig.spec.json' }],
  },
  // See testing/ora-stub.js.
  moduleNameMapper: { '^ora$': '<rootDir>/schematics/testing/ora-stub.js' },
  testPathIgnorePatterns: ['/node_modules/', '/files/'],
  // Generating an Angular workspace and type-checking the result takes a few seconds per test.
  testTimeout: 120_000,
};
