// @ts-check
/**
 * Mutation testing of src/ with StrykerJS (`npm run mutate`, on Node 24: Stryker 10 wants Node 22+).
 * Per-folder thresholds are checked by scripts/mutation-scores.mjs from the JSON report;
 * surviving mutants judged equivalent are listed, with reasons, in stryker/equivalent-mutants.json.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner', './stryker/log-statement-ignorer.mjs'],
  ignorers: ['LogStatements'],
  // related: a mutant runs only the test files that import its file (static mutants, in module-level
  // code, otherwise run every test file).
  vitest: { configFile: 'vitest.mutate.config.ts', related: true },
  mutate: ['src/**/*.ts'],
  coverageAnalysis: 'perTest',
  // Static mutants (in module-level code) that only loading a module reaches would each need every
  // related test file re-run in a fresh process: Stryker estimated them at about half of a run's
  // time, well past what this must fit. They are marked Ignored and count in no score.
  ignoreStatic: true,
  // Four runners on two cores: much of a run waits (on moto_server, gRPC and HTTP stand-ins, timers).
  concurrency: 4,
  // A mutant that stalls a wait (a deadline, a retry pause) is a Timeout, which counts as killed.
  // 15 s past the tests' own time (x1.5): a run that shares the two cores with other work is
  // slower, and a slow run must not pass for a timeout (a kill). True timeouts are rare (2 of the
  // first 3,885 results), so the margin costs little.
  timeoutMS: 15_000,
  reporters: ['progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  // Incremental mode: results for unchanged source and tests are reused from this file, which
  // is committed, so CI re-tests only what a change touches.
  incremental: true,
  incrementalFile: 'stryker/incremental.json',
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['.test-results', 'coverage', 'reports', '.stryker-tmp'],
  cleanTempDir: 'always',
};
