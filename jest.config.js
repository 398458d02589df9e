// Two projects: fast unit specs beside the code, and end-to-end suites under test/ that open real sockets.
const swc = ['@swc/jest', {
  swcrc: false,
  jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' },
  module: { type: 'commonjs' },
}];
const common = {
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^@tollgate/([a-z-]+)(/.*)?$': '<rootDir>/libs/$1/src$2' },
  testEnvironment: 'node',
  rootDir: __dirname,
};
module.exports = {
  // Per-project testTimeout is not applied by jest 30's runner: set it here for every e2e suite.
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts', '<rootDir>/examples/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'], testTimeout: 60000 },
  ],
};
