// Builds dist/: the Lambda bundle and the CLI (each one self-contained ESM file), and the
// consumer library `momento-secret-rotation/client` (its dependencies left to the
// application, with type declarations). SAM's esbuild build (template.yaml Metadata) uses
// the handler's entry point and options; only the extension differs (.mjs there, where no
// package.json says "module").
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { lambdaBundleOptions } from './esbuild-options.mjs';

await rm('dist', { recursive: true, force: true });
const results = await Promise.all([
  build({ ...lambdaBundleOptions, entryPoints: { handler: 'src/handler.ts', cli: 'src/cli/bin.ts' }, outdir: 'dist' }),
  build({
    ...lambdaBundleOptions,
    entryPoints: { client: 'src/client/index.ts' },
    outdir: 'dist',
    packages: 'external',
    minify: false,
    banner: {},
  }),
]);
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

for (const result of results) {
  for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
    if (!file.endsWith('.map')) console.log(`${file}  ${(bytes / 1024).toFixed(0)} KiB`);
  }
}
