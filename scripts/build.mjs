// Builds dist/:
// - dist/lambda/: the Lambda artifact (scripts/lambda-artifact.mjs), deployed as it is. The
//   Momento SDK sits in its own chunk, loaded by import() only in the steps that call Momento,
//   so setSecret and finishSecret never parse it. dist/handler.js re-exports its entry.
// - dist/cli.js: the operators' command, one self-contained file.
// - dist/client.js: the consumer library `momento-secret-rotation/client` (its dependencies
//   left to the application), with type declarations.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { lambdaBundleOptions } from './esbuild-options.mjs';
import { LAMBDA_ARTIFACT_DIR, LAMBDA_HANDLER_FILE } from './lambda-artifact.mjs';

await rm('dist', { recursive: true, force: true });
const results = await Promise.all([
  build({
    ...lambdaBundleOptions,
    entryPoints: { handler: 'src/handler.ts' },
    outdir: LAMBDA_ARTIFACT_DIR,
    splitting: true,
    // .mjs: ESM without a package.json beside it (a package.json there would make `sam build`
    // run npm on the folder instead of copying it).
    outExtension: { '.js': '.mjs' },
    chunkNames: '[name]-[hash]',
  }),
  build({ ...lambdaBundleOptions, entryPoints: { cli: 'src/cli/bin.ts' }, outdir: 'dist' }),
  build({
    ...lambdaBundleOptions,
    entryPoints: { client: 'src/client/index.ts' },
    outdir: 'dist',
    packages: 'external',
    minify: false,
    banner: {},
  }),
]);
// Beside the artifact, not in it: which outputs import which, and what each holds (the
// artifact test checks the Momento SDK is reachable only through import()).
await writeFile('dist/lambda.meta.json', JSON.stringify(results[0].metafile));
await writeFile(
  'dist/handler.js',
  `// The Lambda entry point lives in ${LAMBDA_ARTIFACT_DIR}/, the folder SAM deploys.\nexport * from './${LAMBDA_HANDLER_FILE.slice('dist/'.length)}';\n`,
);
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

for (const result of results) {
  for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
    if (!file.endsWith('.map')) console.log(`${file}  ${(bytes / 1024).toFixed(0)} KiB`);
  }
}
