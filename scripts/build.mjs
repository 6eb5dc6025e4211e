// Builds dist/:
// - dist/lambda/: the Lambda artifact (scripts/lambda-artifact.mjs), deployed as it is. The
//   Momento SDK sits in its own chunk, loaded by import() only in the steps that call Momento,
//   so setSecret and finishSecret never parse it. dist/handler.js re-exports its entry.
// - dist/cli.js: the operators' command, self-contained with its chunks in dist/cli-chunks/.
// - dist/client.js: the consumer library `momento-secret-rotation/client` (its dependencies
//   left to the application), with type declarations.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { builtinModules } from 'node:module';
import { lambdaBundleOptions } from './esbuild-options.mjs';
import { LAMBDA_ARTIFACT_DIR, LAMBDA_HANDLER_FILE } from './lambda-artifact.mjs';
import { momentoSdkTrim } from './momento-sdk-trim.mjs';

/**
 * Node built-ins through require(), not ESM imports. An ESM import of a built-in makes Node
 * build a module facade that reads every export, and node:http's exports include lazy getters
 * (WebSocket and friends) that load undici: about 12 ms of a cold step that never uses it
 * (a CPU profile of a cold createSecret on Node 24). require() returns the exports object
 * itself and touches no getter. Only for the Lambda artifact.
 */
const builtinsThroughRequire = {
  name: 'builtins-through-require',
  setup(build) {
    const names = builtinModules.filter((name) => !name.startsWith('_')).map((name) => name.replace(/[/]/g, '\\/'));
    build.onResolve({ filter: new RegExp(`^(node:)?(${names.join('|')})$`) }, (args) =>
      args.namespace === 'node-builtin' ? { path: args.path, external: true } : { path: args.path.replace(/^node:/, ''), namespace: 'node-builtin' },
    );
    build.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`node:${args.path}`)});`,
      loader: 'js',
    }));
  },
};

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
    plugins: [builtinsThroughRequire, momentoSdkTrim],
  }),
  // The CLI's entry and, in dist/cli-chunks/, what only some commands load (doctor's Lambda, IAM
  // and EC2 clients and the Momento SDK): every other command starts without parsing them.
  build({ ...lambdaBundleOptions, entryPoints: { cli: 'src/cli/bin.ts' }, outdir: 'dist', splitting: true, chunkNames: 'cli-chunks/[name]-[hash]' }),
  build({
    ...lambdaBundleOptions,
    entryPoints: { client: 'src/client/index.ts' },
    outdir: 'dist',
    packages: 'external',
    minify: false,
    banner: {},
  }),
  // The CDK construct, for ESM and CommonJS apps; it finds the artifact beside itself (dist/lambda).
  ...['esm', 'cjs'].map((format) =>
    build({
      ...lambdaBundleOptions,
      entryPoints: { cdk: 'src/cdk/index.ts' },
      outdir: 'dist',
      outExtension: { '.js': format === 'cjs' ? '.cjs' : '.js' },
      format,
      packages: 'external',
      minify: false,
      banner: {},
      // import.meta.url is only read where __dirname is undefined, that is, in the ESM build.
      logOverride: { 'empty-import-meta': 'silent' },
    }),
  ),
  // The same library for CommonJS applications (require), many Lambda functions among them.
  build({
    ...lambdaBundleOptions,
    entryPoints: { client: 'src/client/index.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    packages: 'external',
    minify: false,
    banner: {},
  }),
]);
// Source maps for our own code only. A chunk of nothing but dependencies (the Momento SDK, the
// AWS SDK) loses its map: with --enable-source-maps Node reads and parses a module's map when
// it loads it, and maps it through a stack trace's frames. The Momento SDK's map alone cost a
// cold createSecret about 80 ms, and a failing one about 40 MB of peak RSS (`npm run bench`).
// Frames in those chunks show the minified position; ours show src/ lines.
for (const [file, output] of Object.entries(results[0].metafile.outputs)) {
  if (!file.endsWith('.mjs') || Object.keys(output.inputs).some((input) => input.startsWith('src/'))) continue;
  const code = await readFile(file, 'utf8');
  const trailer = `\n//# sourceMappingURL=${basename(file)}.map\n`;
  if (!code.endsWith(trailer)) throw new Error(`${file} does not end with its sourceMappingURL comment`);
  await writeFile(file, `${code.slice(0, -trailer.length)}\n`);
  await rm(`${file}.map`);
}

// Beside the artifact, not in it: which outputs import which, and what each holds (the
// artifact test checks the Momento SDK is reachable only through import()).
await writeFile('dist/lambda.meta.json', JSON.stringify(results[0].metafile));
await writeFile(
  'dist/handler.js',
  `// The Lambda entry point lives in ${LAMBDA_ARTIFACT_DIR}/, the folder SAM deploys.\nexport * from './${LAMBDA_HANDLER_FILE.slice('dist/'.length)}';\n`,
);
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
// Declarations for require() callers: TypeScript (moduleResolution node16) reads a .d.ts in a
// "type": "module" package as ESM, which a CommonJS file cannot require. The same
// declarations as .d.cts, with their relative imports pointing at .cjs, are CommonJS.
for (const entry of await readdir('dist/types', { recursive: true })) {
  if (!entry.endsWith('.d.ts')) continue;
  const text = await readFile(`dist/types/${entry}`, 'utf8');
  await writeFile(`dist/types/${entry.slice(0, -'.d.ts'.length)}.d.cts`, text.replace(/(from\s+'\.{1,2}\/[^']*)\.js'/g, "$1.cjs'"));
}

for (const result of results) {
  for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
    if (!file.endsWith('.map') && !process.argv.includes('--quiet')) console.log(`${file}  ${(bytes / 1024).toFixed(0)} KiB`);
  }
}
