// ESM-only dependencies (Octokit and its helpers) are compiled to CommonJS by SWC like our own sources.
const esmOnly = [
  '@octokit',
  'universal-user-agent',
  'before-after-hook',
  'universal-github-app-jwt',
  'toad-cache',
  'fast-content-type-parse',
  'json-with-bigint',
  'content-type',
  'bottleneck',
  '@middy',
];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  setupFiles: ['<rootDir>/local/offline-env.ts'],
  testTimeout: 60_000,
  maxWorkers: 2,
  collectCoverageFrom: ['functions/**/*.ts'],
  coverageThreshold: { global: { lines: 90, branches: 80, functions: 90 } },
  coverageReporters: ['text-summary'],
};
