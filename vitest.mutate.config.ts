import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// The tests StrykerJS runs against each mutant of src/ (`npm run mutate`). Only tests that
// execute src/ can kill a mutant: the integration suite, the artifact and tarball checks run
// the built bundle in dist/, which Stryker does not mutate, so they are left out here (they
// still run in `npm test`). The stand-ins' own tests and the template checks touch no src/.
export default mergeConfig(
  base,
  defineConfig({
    resolve: {
      // The construct's tests import the package as users do (dist/cdk.js); here, its source.
      alias: { 'momento-secret-rotation/cdk': fileURLToPath(new URL('./src/cdk/index.ts', import.meta.url)) },
    },
    test: {
      globalSetup: ['test/mutation/global-setup.ts'],
      // Every test file starts on an empty moto_server (the shared one is reset first), so one
      // file at a time, as Stryker runs them anyway (maxWorkers: 1).
      setupFiles: ['test/mutation/fresh-moto.ts'],
      fileParallelism: false,
      include: ['test/**/*.test.ts'],
      exclude: [
        'test/integration/**',
        // The stand-ins' own tests, but for the fake Momento's, which runs src/momento's SDK adapter.
        'test/stand-ins/moto-server.test.ts',
        'test/template/**',
        'test/package/**',
        'test/client/package-entry.test.ts',
        // They read src/ as text (the import graph; the environment variables the docs must
        // name) or run dist/cli.js: under Stryker, src/ holds every mutant at once.
        'test/architecture/**',
        'test/docs/**',
        'test/cli/node-floor.test.ts',
      ],
    },
  }),
);
