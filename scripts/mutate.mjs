#!/usr/bin/env node
// `npm run mutate [-- stryker options]`: mutation testing of src/ with StrykerJS, then the
// score per folder and its thresholds (scripts/mutation-scores.mjs).
//
// Stryker 10 wants Node 22 or later; these machines run Node 20, so it runs on Node 24 (the
// Lambda runtime's version) from the npm registry's `node` package, as `npm run bench` does.
// Incremental by default (stryker.config.mjs): results for unchanged code and tests are taken
// from the committed stryker/incremental.json. `npm run mutate -- --force` tests every mutant.
import { spawnSync } from 'node:child_process';

const NODE = 'node@24.21.0';
const run = (command, args) => spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' } }).status ?? 1;

// The CDK construct's tests need the artifact (dist/lambda) beside the construct.
if (run('npm', ['run', 'build']) !== 0) process.exit(1);
const stryker = run('npx', ['-y', '-p', NODE, 'node', 'node_modules/@stryker-mutator/core/bin/stryker.js', 'run', ...process.argv.slice(2)]);
if (stryker !== 0) process.exit(stryker);
process.exit(run(process.execPath, ['scripts/mutation-scores.mjs']));
