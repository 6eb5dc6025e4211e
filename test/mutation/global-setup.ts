import { existsSync, lstatSync, symlinkSync, unlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startMotoServer } from '../stand-ins/moto-server.js';

// Vitest global setup for `npm run mutate` only (vitest.mutate.config.ts).
//
// - One moto_server for every run: Stryker reruns a test file for each mutant it covers, and a
//   moto_server started in each file's beforeAll cost about a second each time.
// - The construct finds the function's code beside its own file: dist/cdk.js ships next to
//   dist/lambda. When its tests run src/cdk/index.ts (so that Stryker's mutants of it are what
//   runs), the artifact is linked beside that file, and the link is removed afterwards.
const link = fileURLToPath(new URL('../../src/cdk/lambda', import.meta.url));

export async function setup(): Promise<() => Promise<void>> {
  if (!existsSync(fileURLToPath(new URL('../../dist/lambda/handler.mjs', import.meta.url)))) {
    throw new Error('dist/lambda is missing: run `npm run build` before `npm run mutate`.');
  }
  const made = !existsSync(link);
  if (made) symlinkSync('../../dist/lambda', link, 'dir');
  const moto = await startMotoServer();
  // Read by startMotoServer() in the test workers, which inherit this environment.
  process.env.MOTO_SHARED_ENDPOINT = moto.endpoint;
  return async () => {
    delete process.env.MOTO_SHARED_ENDPOINT;
    await moto.stop();
    if (made && lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink()) unlinkSync(link);
  };
}
