import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Tests set process.env per case; isolate files so settings cannot leak between them.
    isolate: true,
    testTimeout: 20_000,
  },
});
