/**
 * Three tiers, each its own jest project:
 *  - unit: pure code and adapters against aws-sdk-client-mock; no network, no emulators.
 *  - infra: CDK assertions, the cdk-nag gate and cfn-lint on the synthesized templates.
 *  - integration: the local runtime (dynalite, fauxqs, aws-ses-v2-local) over real HTTP.
 *  - browser: the console in headless Chromium against local mode.
 */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
/** The workspace packages, from their source (tsconfig.json's paths say the same to tsc and tsx). */
const moduleNameMapper = { '^@mailroom/client$': '<rootDir>/packages/client/src/index.ts' };

/** @type {import('jest').Config} */
module.exports = {
  // A global option: jest ignores `testTimeout` inside a project (the fault project's 300 s gave its
  // tests jest's 5 s default, and a loaded machine timed a bad-input case out). Long suites set
  // their own with jest.setTimeout; this covers every test that does not.
  testTimeout: 90_000,
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      transform,
      moduleNameMapper,
      testEnvironment: 'node',
    },
    {
      displayName: 'infra',
      testMatch: ['<rootDir>/test/infra/**/*.test.ts'],
      transform,
      moduleNameMapper,
      testEnvironment: 'node',
      snapshotSerializers: ['<rootDir>/test/infra/support/mask-asset-hashes.js'],
    },
    {
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      transform,
      moduleNameMapper,
      testEnvironment: 'node',
    },
    {
      // The console in headless Chromium (@sparticuz/chromium) against local mode.
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
      // Code that runs in the page uses the DOM's types: the console's tsconfig has them.
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'console/tsconfig.json' }] },
      moduleNameMapper,
      testEnvironment: 'node',
    },
    {
      displayName: 'fault',
      testMatch: ['<rootDir>/test/fault/**/*.test.ts'],
      transform,
      moduleNameMapper,
      testEnvironment: 'node',
    },
  ],
};
