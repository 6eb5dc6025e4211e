import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Tests set process.env per case; isolate files so settings cannot leak between them.
    isolate: true,
    testTimeout: 20_000,
    server: {
      deps: {
        // The built artifact is imported by Node as it is, not transformed by Vite: the
        // integration tests run the bytes SAM deploys.
        external: [/\/dist\//],
      },
    },
  },
});
