// Builds the Lambda bundle: one self-contained ESM file per entry point.
// SAM's esbuild build (template.yaml Metadata) uses the same entry point and options;
// only the file extension differs (.mjs there, where no package.json says "module").
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

const entryPoints = { handler: 'src/handler.ts', cli: 'src/cli/bin.ts' };

const esbuildOptions = {
  entryPoints,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  // CommonJS dependencies (gRPC, the Momento SDK) call require() for Node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
};

await rm('dist', { recursive: true, force: true });
const result = await build({ ...esbuildOptions, metafile: true });
for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
  if (!file.endsWith('.map')) console.log(`${file}  ${(bytes / 1024).toFixed(0)} KiB`);
}
