import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAMBDA_ARTIFACT_DIR, LAMBDA_HANDLER_FILE } from '../../scripts/lambda-artifact.mjs';
import { inertModuleSource, missingPackageSource, UNUSED_GENERATED_TYPES, UNUSED_PACKAGES } from '../../scripts/momento-sdk-trim.mjs';

/**
 * One artifact: the folder `npm run build` writes is what `sam build` copies and `sam deploy`
 * zips, and what the integration tests, the demo and the benchmark load.
 *
 * What SAM does with it (aws/aws-sam-cli 1.147.1+, aws/aws-lambda-builders 1.63.0, read in
 * their source and run by hand on dist/lambda, which came out byte for byte the same):
 * - A nodejs*.x function with no Metadata.BuildMethod goes to the `nodejs_npm` workflow,
 *   called with manifest CodeUri/package.json (samcli/lib/build/app_builder.py).
 * - With no package.json there, that workflow only copies CodeUri, leaving out .aws-sam and
 *   .git (aws_lambda_builders/workflows/nodejs_npm/workflow.py: "package.json file not found.
 *   Continuing the build without dependencies."). No npm, no esbuild: nothing rebuilt.
 * - `sam deploy` without `sam build` zips CodeUri as it is.
 * - `BuildMethod: esbuild` instead copies the source without node_modules and runs
 *   `npm install --omit=dev`, so it cannot find esbuild (a devDependency): it failed.
 * - Lambda's Node runtime resolves `handler.handler` to handler.js, then .mjs, then .cjs.
 */
const template = JSON.parse(execFileSync('python3', ['test/template/translate.py', 'template.yaml', '{}', '--keep-code-uri'], { encoding: 'utf8' })) as {
  Resources: Record<string, { Type: string; Metadata?: Record<string, unknown>; Properties: Record<string, any> }>;
};
const functions = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
const meta = JSON.parse(readFileSync('dist/lambda.meta.json', 'utf8')) as {
  outputs: Record<string, { inputs: Record<string, unknown>; imports: { path: string; kind: string; external?: boolean }[] }>;
};

describe('the Lambda artifact', () => {
  it('is the folder template.yaml deploys, as it is: CodeUri names it and nothing rebuilds it', () => {
    expect(functions).toHaveLength(1);
    const [, fn] = functions[0]!;
    expect(fn.Properties.Code).toBe(`${LAMBDA_ARTIFACT_DIR}/`);
    expect(fn.Metadata?.BuildMethod, 'a BuildMethod makes sam build rebuild the function its own way').toBeUndefined();
    expect(existsSync(join(LAMBDA_ARTIFACT_DIR, 'package.json')), 'a package.json makes sam build run npm on the folder').toBe(false);
    expect(existsSync(join(LAMBDA_ARTIFACT_DIR, 'node_modules'))).toBe(false);
  });

  it("has the template's handler: handler.mjs exports `handler`, and no handler.js or .cjs shadows it", async () => {
    const [, fn] = functions[0]!;
    expect(fn.Properties.Handler).toBe('handler.handler');
    expect(LAMBDA_HANDLER_FILE).toBe(`${LAMBDA_ARTIFACT_DIR}/handler.mjs`);
    expect(existsSync(join(LAMBDA_ARTIFACT_DIR, 'handler.js'))).toBe(false);
    expect(existsSync(join(LAMBDA_ARTIFACT_DIR, 'handler.cjs'))).toBe(false);
    const script = `import(process.argv[1]).then((m) => console.log(typeof m.handler))`;
    expect(execFileSync(process.execPath, ['-e', script, join(process.cwd(), LAMBDA_HANDLER_FILE)], { encoding: 'utf8' }).trim()).toBe('function');
  });

  it('needs nothing outside itself: every import is a Node built-in or a file in the folder', () => {
    const builtins = new Set(builtinModules);
    const outputs = Object.keys(meta.outputs).filter((f) => f.endsWith('.mjs'));
    expect(outputs.length).toBeGreaterThan(1);
    // What esbuild left as imports (static, dynamic and require() alike).
    const outside = outputs.flatMap((file) =>
      meta.outputs[file]!.imports
        .filter((i) => !(i.external ? builtins.has(i.path.replace(/^node:/, '')) : i.path in meta.outputs))
        .map((i) => `${file}: ${i.kind} ${i.path}`),
    );
    expect(outside).toEqual([]);
    // And the files on disk are those outputs: every chunk they name is there.
    const files = readdirSync(LAMBDA_ARTIFACT_DIR).filter((f) => f.endsWith('.mjs'));
    expect(files.map((f) => `${LAMBDA_ARTIFACT_DIR}/${f}`).sort()).toEqual(outputs.sort());
    for (const file of files) {
      const code = readFileSync(join(LAMBDA_ARTIFACT_DIR, file), 'utf8');
      for (const [, specifier] of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)"(\.\/[^"]+)"/g)) {
        expect(existsSync(join(LAMBDA_ARTIFACT_DIR, specifier!)), `${file} imports ${specifier}`).toBe(true);
      }
    }
  });

  it('loads Node built-ins with require(), never as ESM imports (whose facade for node:http loads undici)', () => {
    const esmBuiltins = Object.entries(meta.outputs).flatMap(([file, output]) =>
      output.imports.filter((i) => i.external && i.kind !== 'require-call').map((i) => `${file}: ${i.kind} ${i.path}`),
    );
    expect(esmBuiltins).toEqual([]);
  });

  it('keeps the Momento SDK out of what setSecret and finishSecret load: it is reached only through import()', () => {
    const staticallyLoaded = new Set<string>();
    const visit = (file: string) => {
      if (staticallyLoaded.has(file)) return;
      staticallyLoaded.add(file);
      for (const i of meta.outputs[file]!.imports) if (i.kind === 'import-statement' && !i.external && i.path in meta.outputs) visit(i.path);
    };
    visit(LAMBDA_HANDLER_FILE);
    const holdsMomento = (file: string) => Object.keys(meta.outputs[file]!.inputs).some((input) => input.includes('node_modules/@gomomento/'));
    expect([...staticallyLoaded].filter(holdsMomento)).toEqual([]);
    expect(Object.keys(meta.outputs).filter(holdsMomento)).toHaveLength(1);
  });

  it('leaves out of the Momento chunk the generated code of services the function never calls, and gRPC\'s proto-loader', () => {
    const momentoChunk = Object.values(meta.outputs).find((output) => Object.keys(output.inputs).some((input) => input.includes('node_modules/@gomomento/sdk/')))!;
    const inputs = momentoChunk.inputs as Record<string, { bytesInOutput: number }>;
    const generated = (name: string) => inputs[`node_modules/@gomomento/generated-types/dist/${name}.js`];
    for (const name of UNUSED_GENERATED_TYPES) {
      // Present (the SDK requires it), but as the inert stand-in: a few hundred bytes, not tens of thousands.
      expect(generated(name)?.bytesInOutput, name).toBeLessThan(1_000);
    }
    // What the function calls stays whole: AuthClient (auth, token), CacheClient (cacheclient, controlclient).
    for (const name of ['auth', 'token', 'cacheclient', 'controlclient']) expect(generated(name)?.bytesInOutput, name).toBeGreaterThan(5_000);
    for (const name of UNUSED_PACKAGES) expect(inputs[`left-out:${name}`], name).toBeDefined();
    expect(Object.keys(inputs).filter((input) => /node_modules\/(protobufjs|@grpc\/proto-loader)\//.test(input))).toEqual([]);
  });

  it('makes each left-out part inert when read and loud when used', () => {
    const module = { exports: {} as any };
    new Function('module', inertModuleSource('@gomomento/generated-types/dist/webhook'))(module);
    const webhook = module.exports;
    // What the SDK does when it loads: reads names, and treats the module as ES-module interop.
    expect(webhook.__esModule).toBe(true);
    expect(typeof webhook.webhook._ListWebhookRequest).toBe('function');
    expect(webhook.then, 'not a thenable').toBeUndefined();
    expect(() => new webhook.webhook.WebhookClient('endpoint')).toThrow(
      '@gomomento/generated-types/dist/webhook.webhook.WebhookClient is left out of the Lambda bundle (scripts/momento-sdk-trim.mjs)',
    );
    expect(() => webhook.webhook._ListWebhookRequest.deserializeBinary()).toThrow(/webhook\._ListWebhookRequest\.deserializeBinary is left out/);
    expect(() => new Function(missingPackageSource('@grpc/proto-loader'))()).toThrow('@grpc/proto-loader is left out of the Lambda bundle');
  });

  it('is what the integration tests, the demo and the benchmark run: none of them wires the function from src/', () => {
    const runners = [
      ...readdirSync('test/integration').map((f) => `test/integration/${f}`),
      ...readdirSync('test/stand-ins').map((f) => `test/stand-ins/${f}`),
      'test/cli/cli.test.ts',
      'scripts/demo.ts',
      ...readdirSync('bench').map((f) => `bench/${f}`),
    ].filter((f) => /\.(ts|mjs)$/.test(f) && f !== 'bench/naive-handler.ts');
    const wiresFromSource = runners.filter((file) =>
      /^import\s+(?!type\b)[^;]*from\s+'[./]*src\/(handler|dependencies|config)\.js'/m.test(readFileSync(file, 'utf8')),
    );
    expect(wiresFromSource).toEqual([]);
    expect(readFileSync('test/stand-ins/local-stack.ts', 'utf8')).toMatch(/import\(pathToFileURL\(file\)\.href\)/);
    expect(readFileSync('test/stand-ins/local-stack.ts', 'utf8')).toContain('LAMBDA_HANDLER_FILE');
    expect(readFileSync('bench/run.ts', 'utf8')).toContain('LAMBDA_HANDLER_FILE');
  });

  it("names the first SAM CLI release that knows the template's runtime", () => {
    // aws/aws-sam-cli#8431 (feat: add nodejs24.x runtime support) is first in the tag v1.147.1;
    // older releases stop `sam build` with "'nodejs24.x' runtime is not supported".
    const [, fn] = functions[0]!;
    expect(fn.Properties.Runtime).toBe('nodejs24.x');
    expect(readFileSync('README.md', 'utf8')).toMatch(/AWS SAM CLI 1\.147\.1 or later\*\*: the first release that knows the `nodejs24\.x`/);
  });
});
