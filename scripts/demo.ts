/**
 * `npm run demo`: a whole rotation, locally, with no cloud. Starts moto_server (Secrets
 * Manager) and a fake Momento on 127.0.0.1, stores a key as a user would after
 * downloading it from the Momento console, runs two full rotations the way Secrets
 * Manager drives them, and proves the new key authenticates. Exits non-zero on any
 * failure and leaves no process behind. `--verbose` also prints the function's JSON logs.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const verbose = process.argv.includes('--verbose');
process.env.POWERTOOLS_LOG_LEVEL ??= verbose ? 'INFO' : 'WARN';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Imported after the environment is set: the logger reads its level when it is created.
const { startLocalStack } = await import('../test/stand-ins/local-stack.js');
const { SdkMomentoApi } = await import('../src/momento/sdk-momento-api.js');
const { fingerprint } = await import('../src/observability/fingerprint.js');
// The same view of the versions as `momento-secret-rotation status` gives.
const { inspectSecret } = await import('../src/cli/inspect-secret.js');
type VersionRow = Awaited<ReturnType<typeof inspectSecret>>['versions'][number];

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

function printVersions(title: string, rows: readonly VersionRow[]): void {
  console.log(`\n${bold(title)}`);
  const table = [
    ['version', 'stages', 'key', 'validUntil', 'days left'],
    ...rows.map((r) => [r.versionId, r.stages.join(','), r.fingerprint ?? `(${r.holds})`, r.validUntil ?? '-', String(r.daysLeft ?? '-')]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  for (const row of table) console.log(`  ${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`);
}

let rotationNumber = 0;
const stack = await startLocalStack({
  onStep: ({ attempt, step, ms, outcome, error }) => {
    const label = `  rotation ${rotationNumber}${attempt > 1 ? ` (attempt ${attempt})` : ''}  ${step.padEnd(12)}`;
    if (error) console.log(`${label} FAILED ${error.name}: ${error.message}`);
    else console.log(`${label} ok  ${(outcome as { outcome?: string }).outcome ?? ''}  (${ms} ms)`);
  },
});
const workDir = await mkdtemp(join(tmpdir(), 'momento-demo-'));
let failed = false;
try {
  console.log(bold('Local stand-ins'));
  console.log(`  Secrets Manager: moto_server at ${stack.moto.endpoint} (pid ${stack.moto.pid})`);
  console.log(`  Momento:         fake gRPC server at ${stack.momento.address} (single-use refresh tokens)`);

  // 1. The user creates an API key in the Momento console and downloads momento_token.info.json...
  const download = join(workDir, 'momento_token.info.json');
  await writeFile(download, JSON.stringify(stack.momento.issueKey({ lifetimeSeconds: 30 * 86_400 })));
  // ...and stores it: aws secretsmanager create-secret --name momento/api-key --secret-string file://momento_token.info.json
  const arn = await stack.createSecret('momento/api-key', await readFile(download, 'utf8'));
  console.log(`\n${bold('Stored the console download as')} ${arn}`);
  const versions = async () => (await inspectSecret(stack.service.client, arn)).versions;
  printVersions('Before', await versions());

  // 2. Two full rotations, as Secrets Manager drives them (RotateSecret, then the four steps).
  const container = stack.newContainer();
  for (rotationNumber = 1; rotationNumber <= 2; rotationNumber++) {
    console.log(`\n${bold(`Rotation ${rotationNumber}`)}`);
    await stack.service.rotate(arn, container);
    printVersions(`After rotation ${rotationNumber}`, await versions());
  }

  // 3. Proof: the key now in AWSCURRENT authenticates against Momento, through the real SDK.
  const current = JSON.parse(await stack.service.value(arn, 'AWSCURRENT')) as { apiKey: string };
  const probe = await new SdkMomentoApi({ address: stack.momento.address }).probeApiKey(current.apiKey, undefined);
  if (!probe.ok) throw new Error(`the new AWSCURRENT key did not authenticate: ${probe.code}`);
  console.log(`\n${bold('AWSCURRENT key')} ${fingerprint(current.apiKey)} authenticates against Momento (${probe.call}: ok).`);
  console.log('Rotation works end to end.');
} catch (error) {
  failed = true;
  console.error(`\nDemo failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
} finally {
  await stack.stop();
  await rm(workDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
