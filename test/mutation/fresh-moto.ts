import { resetMotoServer } from '../stand-ins/moto-server.js';

// Vitest setup file for `npm run mutate` only (vitest.mutate.config.ts): each test file starts
// on an empty moto_server, as it does in `npm test`, where every file starts its own.
//
// Why: the moto_server of test/mutation/global-setup.ts serves a Stryker runner for the whole
// run, thousands of test-file runs, and each leaves its secrets behind. The CLI's shared-key
// check and `status --management-secret-id` read every secret in the Region, so they slowed as
// the run went on, until they hit the 20 s test timeout, which Stryker counts as a kill. In the
// run of 2 December 2026, 509 mutants were "killed" by a test timeout; 23 of 40 of them, taken
// at random, passed that same test when run alone on a fresh moto_server.
//
// Safe only while the files that share the server run one at a time: Stryker runs one worker
// per runner (maxWorkers: 1), and vitest.mutate.config.ts turns file parallelism off.
const shared = process.env.MOTO_SHARED_ENDPOINT;
if (shared !== undefined) await resetMotoServer(shared);
