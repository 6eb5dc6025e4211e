import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { execFile, execFileSync, spawnSync, type ExecFileSyncOptions } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../stand-ins/local-stack.js';
import { startMotoServer, type MotoServer } from '../stand-ins/moto-server.js';
import { CREDENTIALS, REGION } from '../stand-ins/secrets-manager-service.js';
import { consoleKeyFile } from '../support/secrets.js';

/**
 * The npm package as a user meets it: `npm pack`, then installed from the tarball into a
 * fresh project outside this repository (the registry supplies its dependencies and the
 * @gomomento/sdk peer). `npm test` has built dist/ already; packing with --ignore-scripts
 * keeps prepack's rebuild from pulling dist/ from under the tests running beside this one.
 */
const repo = process.cwd();
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  version: string;
  files: string[];
  exports: Record<string, unknown>;
  bin: Record<string, string>;
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  dependencies: Record<string, string>;
};
let project: string;
let packed: string[];

/** The consumer's environment, with Secrets Manager at `endpoint` (moto_server). */
const envFor = (endpoint: string) => ({
  ...process.env,
  AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
  AWS_REGION: REGION,
  AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  AWS_EC2_METADATA_DISABLED: 'true',
});
const run = (command: string, args: string[], options: ExecFileSyncOptions = {}) =>
  execFileSync(command, args, { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options }) as string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'msr-consumer-'));
  const [info] = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], { cwd: repo })) as [{ filename: string; files: { path: string }[] }];
  packed = info.files.map((f) => f.path);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  run('npm', [
    'install',
    '--no-audit',
    '--no-fund',
    join(project, info.filename),
    `@gomomento/sdk@${pkg.devDependencies['@gomomento/sdk']}`,
    `@types/node@${pkg.devDependencies['@types/node']}`,
    `aws-cdk-lib@${pkg.devDependencies['aws-cdk-lib']}`,
    `constructs@${pkg.devDependencies.constructs}`,
  ]);
}, 300_000);
afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the npm package, installed from its tarball in a fresh project', () => {
  it('packs every file its entry points, its command and its Lambda artifact need, and no sources or tests', () => {
    const targets = [
      ...JSON.stringify(pkg.exports).matchAll(/"\.\/(dist\/[^"]+)"/g),
    ].map((m) => m[1]!);
    for (const file of [...targets, ...Object.values(pkg.bin), 'dist/lambda/handler.mjs', 'template.yaml', 'LICENSE', 'README.md', 'docs/cli.md', 'docs/client.md', 'docs/security.md']) {
      expect(packed, `${file} is not in the tarball`).toContain(file.replace(/^\.\//, ''));
    }
    expect(packed.filter((f) => /^(src|test|bench|scripts)\//.test(f))).toEqual([]);
    expect(pkg.scripts.prepack).toBe('npm run build');
  });

  it('works from ESM and from CommonJS, sharing the application\'s @gomomento/sdk (instanceof holds)', () => {
    const esm = run('node', ['--input-type=module', '-e', "const m = await import('momento-secret-rotation/client'); console.log(Object.keys(m).sort().join(','))"]);
    const cjs = run('node', ['--input-type=commonjs', '-e', "const m = require('momento-secret-rotation/client'); console.log(Object.keys(m).sort().join(','))"]);
    expect(esm.trim()).toBe(cjs.trim());
    expect(esm).toContain('MomentoClientProvider');
    // One copy of the SDK: the package has none of its own, so CacheGet.Hit is the application's.
    expect(existsSync(join(project, 'node_modules/momento-secret-rotation/node_modules/@gomomento'))).toBe(false);
    expect(existsSync(join(project, 'node_modules/@aws-lambda-powertools'))).toBe(false); // bundled into the Lambda artifact, not installed
    const same = run('node', ['--input-type=module', '-e', `
      const { createRequire } = await import('node:module');
      const fromPackage = createRequire(${JSON.stringify(join(project, 'node_modules/momento-secret-rotation/dist/client.cjs'))}).resolve('@gomomento/sdk');
      console.log(fromPackage === createRequire(import.meta.url).resolve('@gomomento/sdk'));`]);
    expect(same.trim()).toBe('true');
  });

  it('type-checks a consumer under moduleResolution node16 (ESM and CommonJS) and bundler', () => {
    writeFileSync(join(project, 'app.mts'), `import { MomentoClientProvider, MomentoKeyProvider, type MomentoKey } from 'momento-secret-rotation/client';
const keys = new MomentoKeyProvider({ secretId: 'momento/api-key' });
export const momento = new MomentoClientProvider({ keys, endpoint: 'cell-1.example' });
export const kind = (k: MomentoKey): string => k.kind;
`);
    writeFileSync(join(project, 'app.cts'), `import client = require('momento-secret-rotation/client');
export const keys = new client.MomentoKeyProvider({ secretId: 'momento/api-key' });
`);
    const tsc = resolve(repo, 'node_modules/typescript/bin/tsc');
    const common = ['--noEmit', '--strict', '--skipLibCheck', '--types', 'node', '--target', 'es2022'];
    for (const [module, resolution, files] of [
      ['node16', 'node16', ['app.mts', 'app.cts']],
      ['esnext', 'bundler', ['app.mts']],
    ] as const) {
      expect(() => run('node', [tsc, ...common, '--module', module, '--moduleResolution', resolution, ...files])).not.toThrow();
    }
    // The check can fail: a wrong option name is an error.
    writeFileSync(join(project, 'bad.mts'), `import { MomentoKeyProvider } from 'momento-secret-rotation/client';\nnew MomentoKeyProvider({ secretName: 'x' });\n`);
    expect(() => run('node', [tsc, ...common, '--module', 'node16', '--moduleResolution', 'node16', 'bad.mts'])).toThrow();
  });

  it('synthesizes the CDK example with the construct and the Lambda artifact from the package', () => {
    writeFileSync(join(project, 'app.mjs'), readFileSync(join(repo, 'examples/cdk/app.mjs')));
    const outdir = join(project, 'cdk.out');
    expect(run('node', ['app.mjs'], { env: { ...process.env, CDK_OUTDIR: outdir } })).toMatch(/Synthesized MomentoKeyRotation/);
    const template = readFileSync(join(outdir, 'MomentoKeyRotation.template.json'), 'utf8');
    expect(template).toContain('"Runtime": "nodejs24.x"');
    // The asset CDK staged is the installed package's dist/lambda, byte for byte: the artifact the tests load.
    const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.') && existsSync(join(outdir, d, 'handler.mjs')));
    expect(assets).toHaveLength(1);
    for (const file of readdirSync(join(repo, 'dist/lambda'))) {
      expect(readFileSync(join(outdir, assets[0]!, file)).equals(readFileSync(join(repo, 'dist/lambda', file))), file).toBe(true);
    }
  });

  describe('the command', () => {
    let moto: MotoServer;
    beforeAll(async () => {
      moto = await startMotoServer();
    }, 60_000);
    afterAll(async () => moto?.stop());

    it('runs with npx: --help, and status against moto_server', async () => {
      expect(run('npx', ['--no-install', 'momento-secret-rotation', '--help'])).toMatch(/Usage: momento-secret-rotation <command>/);
      const client = new SecretsManagerClient({ endpoint: moto.endpoint, region: REGION, credentials: CREDENTIALS });
      const { ARN } = await client.send(new CreateSecretCommand({ Name: `momento/tarball-${Date.now()}`, SecretString: JSON.stringify(consoleKeyFile()) }));
      const out = run('npx', ['--no-install', 'momento-secret-rotation', 'status', '--secret-id', ARN!], { env: envFor(moto.endpoint) });
      expect(out).toMatch(/AWSCURRENT\s+sha256:[0-9a-f]{8}/);
    });
  });

  describe('across the @gomomento/sdk peer range', () => {
    // The range's floor: the first release with CredentialProvider.fromApiKeyV2, which the
    // client library uses for v2 keys (1.116.0 and earlier lack it; read in their packages).
    const floor = pkg.peerDependencies['@gomomento/sdk']!.replace(/^\^/, '');
    let stack: LocalStack;
    let secrets: { v1: string; v2: string };
    beforeAll(async () => {
      stack = await startLocalStack();
      stack.momento.caches.add('orders');
      secrets = {
        v1: (await stack.storeConsoleKey(`momento/range-v1-${Date.now()}`)).arn,
        v2: (await stack.storeV2Key(`momento/range-v2-${Date.now()}`)).arn,
      };
      writeFileSync(join(project, 'range.mjs'), `import { MomentoClientProvider, MomentoKeyProvider } from 'momento-secret-rotation/client';
import { CacheClient, CacheGet, Configurations, CredentialProvider } from '@gomomento/sdk';
import { createRequire } from 'node:module';
const [v1, v2, fake] = process.argv.slice(2);
const sdkVersion = createRequire(import.meta.url)('@gomomento/sdk/package.json').version;
// The library's own clients, built with the application's SDK: fromString for v1, fromApiKeyV2 for v2.
const defaults = [v1, v2].map((secretId) => new MomentoClientProvider({ keys: new MomentoKeyProvider({ secretId }) }));
const built = await Promise.all(defaults.map((provider) => provider.getClient()));
// A call through the provider, against the fake Momento: the answer is the application's CacheGet.Miss.
const wired = new MomentoClientProvider({
  keys: new MomentoKeyProvider({ secretId: v1 }),
  createClient: (apiKey) => new CacheClient({
    configuration: Configurations.Laptop.v1(),
    credentialProvider: CredentialProvider.fromString({ apiKey, endpointOverrides: { controlEndpoint: fake, cacheEndpoint: fake, tokenEndpoint: fake, secureConnection: false } }),
    defaultTtlSeconds: 60,
  }),
});
const answer = await wired.run((client) => client.get('orders', 'order-42'));
console.log('RESULT ' + JSON.stringify({ sdkVersion, built: built.map((c) => c instanceof CacheClient), answer: answer instanceof CacheGet.Miss ? 'miss' : String(answer) }));
await Promise.all([...defaults, wired].map((provider) => provider.close()));
`);
    }, 60_000);
    afterAll(async () => stack?.stop());

    // Asynchronously: the fake Momento answers from this process.
    const consumer = async () => {
      const { stdout } = await promisify(execFile)('node', ['range.mjs', secrets.v1, secrets.v2, stack.momento.address], {
        cwd: project,
        env: envFor(stack.moto.endpoint),
      });
      return JSON.parse(
        stdout
          .split('\n')
          .find((line) => line.startsWith('RESULT '))!
          .slice('RESULT '.length),
      ) as { sdkVersion: string; built: boolean[]; answer: string };
    };

    it(`builds clients and makes calls with the version this repository tests (${pkg.devDependencies['@gomomento/sdk']}) and with the range's floor`, async () => {
      expect(floor).toMatch(/^\d+\.\d+\.\d+$/);
      expect(await consumer()).toEqual({ sdkVersion: pkg.devDependencies['@gomomento/sdk'], built: [true, true], answer: 'miss' });
      run('npm', ['install', '--no-audit', '--no-fund', `@gomomento/sdk@${floor}`]);
      expect(await consumer()).toEqual({ sdkVersion: floor, built: [true, true], answer: 'miss' });
    }, 300_000);

    it('is what npm reports: a release below the floor installs with a warning, and `npm ls` calls it invalid', () => {
      // npm (11.19 here) installs a root dependency that conflicts with an optional peer,
      // warning "Could not resolve dependency"; only --strict-peer-deps refuses it.
      const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '@gomomento/sdk@1.116.0'], { cwd: project, encoding: 'utf8' });
      expect(install.stderr).toContain(`Could not resolve dependency:\nnpm warn peerOptional @gomomento/sdk@"${pkg.peerDependencies['@gomomento/sdk']}" from momento-secret-rotation@${pkg.version}`);
      const ls = spawnSync('npm', ['ls', '@gomomento/sdk'], { cwd: project, encoding: 'utf8' });
      expect(ls.status).not.toBe(0);
      expect(ls.stdout).toContain(`@gomomento/sdk@1.116.0 deduped invalid: "${pkg.peerDependencies['@gomomento/sdk']}"`);
    }, 300_000);
  });
});
