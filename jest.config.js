// CLAUDE_OTEL_TEST_SDK (set by the version matrix, test/compat/run.mjs): run the suites against
// another @anthropic-ai/sdk installation instead of the repository's own.
const sdk = process.env.CLAUDE_OTEL_TEST_SDK;

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/src'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
  },
  moduleNameMapper: sdk ? { '^@anthropic-ai/sdk$': sdk, '^@anthropic-ai/sdk/(.*)$': `${sdk}/$1` } : {},
  testTimeout: 60000,
};
