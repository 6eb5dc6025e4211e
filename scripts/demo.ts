/**
 * `npm run demo` (which builds first): a whole v2 key rotation, locally, with no cloud. Starts
 * moto_server (Secrets Manager) and a fake Momento (gRPC services and the key-management HTTP
 * API) on 127.0.0.1, stores a management key, imports an application key by pasting it, as a
 * user would after creating both in the Momento console (`import` derives the key id, role,
 * expiry and endpoint), runs three full rotations the way Secrets Manager drives them, and
 * proves the new key authenticates, that the first minted key, once it fell out of
 * AWSPREVIOUS, was revoked, and that the imported key was not (RevokeImportedKeys is off by
 * default: a key the function did not mint may be held elsewhere). Exits non-zero on any failure and leaves no process
 * behind. `--verbose` also prints the function's JSON logs and metrics.
 */
const verbose = process.argv.includes('--verbose');
process.env.POWERTOOLS_LOG_LEVEL ??= verbose ? 'INFO' : 'WARN';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
if (!verbose) process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

// Imported after the environment is set: the logger reads its level when it is created.
const { startLocalStack, FAKE_V2_ENDPOINT } = await import('../test/stand-ins/local-stack.js');
const { SdkMomentoApi } = await import('../src/momento/sdk-momento-api.js');
const { fingerprint } = await import('../src/observability/fingerprint.js');
// The same view of the versions as `momento-secret-rotation status` gives.
const { inspectSecret } = await import('../src/cli/inspect-secret.js');
const { importKey } = await import('../src/cli/commands/import.js');
type VersionRow = Awaited<ReturnType<typeof inspectSecret>>['versions'][number];

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

function printVersions(title: string, rows: readonly VersionRow[]): void {
  console.log(`\n${bold(title)}`);
  const table = [
    ['version', 'stages', 'key', 'key id', 'role', 'validUntil', 'days left'],
    ...rows.map((r) => [
      r.versionId,
      r.stages.join(','),
      r.fingerprint ?? `(${r.holds})`,
      r.keyId ?? '-',
      r.roleId ?? '-',
      r.validUntil ?? '-',
      String(r.daysLeft ?? '-'),
    ]),
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
let failed = false;
try {
  console.log(bold('Local stand-ins'));
  console.log(`  Secrets Manager: moto_server at ${stack.moto.endpoint} (pid ${stack.moto.pid})`);
  console.log(`  Momento:         fake gRPC server at ${stack.momento.address}, key-management API at ${stack.momento.apiKeysUrl} (5 operations/s)`);
  const probe = new SdkMomentoApi({ address: stack.momento.address });
  const authenticates = async (apiKey: string) => {
    const answer = await probe.probeApiKey(apiKey, undefined, FAKE_V2_ENDPOINT);
    if (!answer.ok && answer.code !== 'AUTHENTICATION_ERROR') throw new Error(`Momento gave no clear answer: ${answer.code}`);
    return answer.ok;
  };

  // 1. In the Momento console the user creates a management key (role Operator, id r-operator) and stores it in its own secret:
  //    aws secretsmanager create-secret --name momento/management --secret-string "$MANAGEMENT_KEY"
  const management = await stack.storeManagementKey('momento/management');
  console.log(`\n${bold('Stored the management key')} (role ${management.key.roleId}, key id ${management.key.keyId}) in ${management.arn}`);

  // 2. ...and an application key, which they paste into `import`: everything else is derived.
  //    echo -n "$KEY" | npx momento-secret-rotation import --secret-id momento/api-key --management-secret-id momento/management
  const original = stack.momento.issueV2Key();
  console.log(`\n${bold('Importing the application key')} (${fingerprint(original.apiKey)}), pasted as the console shows it:`);
  process.env.MOMENTO_API_KEYS_URL = stack.momento.apiKeysUrl;
  const imported = await importKey(
    stack.service.client,
    { secretId: 'momento/api-key', file: undefined, kmsKeyId: undefined, description: undefined, tags: [], managementSecretId: management.arn },
    { out: (line) => console.log(`  ${line}`), err: (line) => console.log(`  ${line}`) },
    async () => original.apiKey,
  );
  const arn = imported.arn!;
  const versions = async () => (await inspectSecret(stack.service.client, arn)).versions;
  printVersions('Before', await versions());

  // 3. Three full rotations, as Secrets Manager drives them (RotateSecret, then the four steps).
  const container = stack.newContainer({ managementSecretId: management.arn });
  let firstMinted: { apiKey: string; keyId: string } | undefined;
  for (rotationNumber = 1; rotationNumber <= 3; rotationNumber++) {
    console.log(`\n${bold(`Rotation ${rotationNumber}`)}`);
    await stack.service.rotate(arn, container);
    firstMinted ??= JSON.parse(await stack.service.value(arn, 'AWSCURRENT')) as { apiKey: string; keyId: string };
    printVersions(`After rotation ${rotationNumber}`, await versions());
  }

  // 4. Proof, through the real Momento SDK: the new AWSCURRENT key works; the first key the function
  //    minted no longer does; the imported key, which the function did not mint, is left to the operator.
  const current = JSON.parse(await stack.service.value(arn, 'AWSCURRENT')) as { apiKey: string; keyId: string };
  if (!(await authenticates(current.apiKey))) throw new Error('the new AWSCURRENT key did not authenticate');
  console.log(`\n${bold('AWSCURRENT key')} ${fingerprint(current.apiKey)} (id ${current.keyId}) authenticates against Momento.`);
  if (await authenticates(firstMinted!.apiKey)) throw new Error('the first minted key still authenticates after it left AWSPREVIOUS');
  console.log(`${bold('First minted key')} ${fingerprint(firstMinted!.apiKey)} (id ${firstMinted!.keyId}) was revoked once it fell out of AWSPREVIOUS: Momento now rejects it.`);
  if (!(await authenticates(original.apiKey))) throw new Error('the imported key was revoked, though RevokeImportedKeys is off');
  console.log(
    `${bold('Imported key')} ${fingerprint(original.apiKey)} (id ${original.keyId}) still authenticates: the function did not mint it, so it may be held ` +
      `elsewhere too, and RevokeImportedKeys is off. The function logged RetiredKeyNotRevoked with the command: ` +
      `momento-secret-rotation revoke --key-id ${original.keyId} --management-secret-id momento/management`,
  );
  // Applied requests: the fake's 5-per-second limit may make some retry, which would vary from run to run.
  console.log(`Key-management API calls: ${Object.entries(stack.momento.keyApiApplied).map(([route, n]) => `${route} ${n}`).join(', ')}.`);
  console.log('Rotation works end to end.');
} catch (error) {
  failed = true;
  console.error(`\nDemo failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
} finally {
  await stack.stop();
}
process.exit(failed ? 1 : 0);
