/**
 * `status --all` over a fleet: the built CLI (dist/cli.js, run by this Node) against a fresh
 * moto_server through a recording proxy, over SECRETS secrets that one tagged function rotates,
 * PENDING of them mid-rotation (AWSPENDING on a version of its own: the fleet a failing function
 * leaves, which once cost a ListSecretVersionIds each). Its budget is in AWS calls: 1 ListTags
 * (one function) + ceil(SECRETS / 100) ListSecrets pages + SECRETS GetSecretValue (AWSCURRENT
 * each), nothing else. Wall time is reported, never asserted.
 * Called by bench/run.ts; returns the budgets it broke.
 */
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateSecretCommand, RotateSecretCommand, SecretsManagerClient, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROTATION_FUNCTION_TAG } from '../src/rotation-function-tag.js';
import { APP_ROLE_ID } from '../test/support/momento-roles.js';
import { DAY, fakeV2Key, jtiOf } from '../test/support/secrets.js';
import { startMotoServer } from '../test/stand-ins/moto-server.js';
import { RecordingProxy } from '../test/stand-ins/recording-proxy.js';

const SECRETS = 200;
/** Every tenth secret keeps the AWSPENDING its RotateSecret staged: a rotation pending, within its window (a warning). */
const PENDING = SECRETS / 10;
const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export async function benchStatusAll(options: { short: boolean }): Promise<string[]> {
  const violations: string[] = [];
  const runs = options.short ? 1 : 3;
  const moto = await startMotoServer(); // its own: the Region holds exactly this fleet
  const proxy = await RecordingProxy.start(moto.endpoint);
  try {
    const config = { endpoint: moto.endpoint, region: REGION, credentials: CREDENTIALS };
    const role = await new IAMClient(config).send(new CreateRoleCommand({ RoleName: 'bench-status-all', AssumeRolePolicyDocument: '{}' }));
    const fn = await new LambdaClient(config).send(
      new CreateFunctionCommand({
        FunctionName: 'bench-status-all-rotation',
        Runtime: 'nodejs24.x',
        Role: role.Role!.Arn!,
        Handler: 'handler.handler',
        Code: { ZipFile: new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]) }, // an empty zip: moto never runs it
        Tags: { [ROTATION_FUNCTION_TAG.key]: ROTATION_FUNCTION_TAG.value },
      }),
    );
    const client = new SecretsManagerClient(config);
    const now = Math.floor(Date.now() / 1000);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < SECRETS) {
          const i = next++;
          const apiKey = fakeV2Key({ exp: now + 60 * DAY });
          const value = { apiKey, endpoint: 'cell-1-fake-1.prod.a.momentohq.com', roleId: APP_ROLE_ID, keyId: jtiOf(apiKey), validUntil: now + 60 * DAY };
          const { ARN } = await client.send(new CreateSecretCommand({ Name: `momento/bench-fleet-${String(i).padStart(3, '0')}`, SecretString: JSON.stringify(value) }));
          // Rotation on, as the template's RotationSchedule does; moto's RotateSecret stages an empty
          // AWSPENDING version that no step completes (its function is a stub): removed, as after a
          // rotation, but for every tenth secret, left pending.
          const { VersionId } = await client.send(new RotateSecretCommand({ SecretId: ARN, RotationLambdaARN: fn.FunctionArn, RotationRules: { AutomaticallyAfterDays: 30 } }));
          if (i % 10 !== 0) await client.send(new UpdateSecretVersionStageCommand({ SecretId: ARN, VersionStage: 'AWSPENDING', RemoveFromVersionId: VersionId }));
        }
      }),
    );

    const env = {
      PATH: process.env.PATH ?? '',
      HOME: join(tmpdir(), 'no-home'),
      AWS_CONFIG_FILE: join(tmpdir(), 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), 'no-aws-credentials'),
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_REGION: REGION,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_ENDPOINT_URL: proxy.endpoint, // every service: Secrets Manager and Lambda
    };
    const budget = 1 + Math.ceil(SECRETS / 100) + SECRETS;
    const times: number[] = [];
    let calls: Record<string, number> = {};
    for (let run = 0; run < runs; run++) {
      proxy.reset();
      const started = performance.now();
      const { stdout } = await promisify(execFile)(process.execPath, ['dist/cli.js', 'status', '--all', '--json'], { env, maxBuffer: 64 * 1024 * 1024 });
      times.push(performance.now() - started);
      const report = JSON.parse(stdout) as { summary: { secrets: number; ok: number; warn: number } };
      if (report.summary.secrets !== SECRETS || report.summary.ok !== SECRETS - PENDING || report.summary.warn !== PENDING) {
        violations.push(
          `status --all saw ${report.summary.secrets} secrets, ${report.summary.ok} ok, ${report.summary.warn} warn; ` +
            `expected ${SECRETS}, ${SECRETS - PENDING} ok and ${PENDING} warn (rotation pending)`,
        );
      }
      calls = {};
      for (const r of proxy.requests) calls[`${r.service} ${r.api}`] = (calls[`${r.service} ${r.api}`] ?? 0) + 1;
    }
    const total = Object.values(calls).reduce((a, b) => a + b, 0);
    const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
    console.log(
      `\nstatus --all over ${SECRETS} secrets one tagged function rotates, ${PENDING} of them mid-rotation (built CLI, fresh moto_server, ${runs === 1 ? '1 run' : `median of ${runs}`})`,
    );
    console.log(`  AWS calls: ${total} (${Object.entries(calls).map(([k, v]) => `${k} ${v}`).join(', ')}); budget 1 + ceil(${SECRETS}/100) + ${SECRETS} = ${budget}`);
    console.log(`  wall time ${median.toFixed(0)} ms, node start included`);
    if (total > budget) violations.push(`status --all made ${total} AWS calls over ${SECRETS} secrets, over its budget of ${budget}`);
  } finally {
    await proxy.stop();
    await moto.stop();
  }
  return violations;
}
