import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, DeleteFunctionCommand, LambdaClient, ListTagsCommand } from '@aws-sdk/client-lambda';
import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
  type SecretListEntry,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { lastRotationResult, rotationWindowMs, statusAll, type FleetReport, type FleetSecret } from '../../../src/cli/commands/status-all.js';
import { ROTATION_FUNCTION_TAG } from '../../../src/rotation-function-tag.js';
import { consoleKeyFile, leakedSecrets } from '../../support/secrets.js';
import { RecordingProxy } from '../../stand-ins/recording-proxy.js';
import { CREDENTIALS, REGION, SecretsManagerService } from '../../stand-ins/secrets-manager-service.js';
import { literal, useLocalCli, v2Value } from '../local-cli.js';

// `status --all` against moto_server (Secrets Manager, Lambda and IAM at one address) and the fake
// Momento: a fleet of secrets in planted states, one line each, and what it costs in AWS calls.
const { stack, cli, name } = useLocalCli('status-all');

const DAY_MS = 86_400_000;
/** An empty zip (its end-of-central-directory record only): moto's CreateFunction stores the code and never runs it. */
const EMPTY_ZIP = new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]);
/** A Region no other test file writes to, for a fleet that is all ok (101 secrets: two ListSecrets pages). */
const HEALTHY_REGION = 'eu-west-3';

const aws = (region = REGION) => ({ endpoint: stack().moto.endpoint, region, credentials: CREDENTIALS });
const secretsIn = (region = REGION) => new SecretsManagerClient(aws(region));

/** A function as the template deploys it, with the tag (or not); moto's CreateFunction needs an existing IAM role. */
async function rotationFunction(options: { tagged: boolean; region?: string }) {
  const role = await new IAMClient(aws(options.region)).send(
    new CreateRoleCommand({ RoleName: `status-all-${randomUUID().slice(0, 8)}`, AssumeRolePolicyDocument: '{}' }),
  );
  const fn = await new LambdaClient(aws(options.region)).send(
    new CreateFunctionCommand({
      FunctionName: `rotation-${randomUUID().slice(0, 8)}`,
      Runtime: 'nodejs24.x',
      Role: role.Role!.Arn!,
      Handler: 'handler.handler',
      Code: { ZipFile: EMPTY_ZIP },
      ...(options.tagged ? { Tags: { [ROTATION_FUNCTION_TAG.key]: ROTATION_FUNCTION_TAG.value } } : {}),
    }),
  );
  return { name: fn.FunctionName!, arn: fn.FunctionArn! };
}

/**
 * Turns rotation on with `functionArn` and leaves no rotation pending. moto's RotateSecret
 * (moto/secretsmanager/models.py rotate_secret) checks that the function exists, invokes it (a
 * stub: moto-server.ts turns Docker off, so nothing runs), stages an empty AWSPENDING version
 * that no step completes, and sets LastRotatedDate (now) and NextRotationDate (now + days).
 * The AWSPENDING label is removed here, as Secrets Manager does once a rotation is done
 * (secrets-manager-service.ts endRotation); AWSCURRENT keeps its value.
 */
async function rotationOn(secretArn: string, functionArn: string, options: { days?: number; region?: string; leavePending?: boolean } = {}) {
  const client = secretsIn(options.region);
  const { VersionId } = await client.send(
    new RotateSecretCommand({ SecretId: secretArn, RotationLambdaARN: functionArn, RotationRules: { AutomaticallyAfterDays: options.days ?? 30 } }),
  );
  if (!options.leavePending) {
    await client.send(new UpdateSecretVersionStageCommand({ SecretId: secretArn, VersionStage: 'AWSPENDING', RemoveFromVersionId: VersionId }));
  }
  return VersionId!;
}

/** The secrets of the fleet, by what was planted in each. */
interface Fleet {
  tagged: { name: string; arn: string };
  untagged: { name: string; arn: string };
  gone: { name: string; arn: string };
  management: string;
  secrets: Record<'rotated' | 'v2' | 'expired' | 'stuck' | 'off' | 'expiresFirst' | 'notAKey' | 'revoked' | 'byUntagged' | 'noRotation' | 'byGone', string>;
  stuckVersion: string;
}
let fleet: Fleet;

beforeAll(async () => {
  const tagged = await rotationFunction({ tagged: true });
  const untagged = await rotationFunction({ tagged: false });
  const gone = await rotationFunction({ tagged: true });
  const names = {
    rotated: name('rotated'),
    v2: name('v2'),
    expired: name('expired'),
    stuck: name('stuck'),
    off: name('off'),
    expiresFirst: name('expires-first'),
    notAKey: name('not-a-key'),
    revoked: name('revoked'),
    byUntagged: name('by-untagged'),
    noRotation: name('no-rotation'),
    byGone: name('by-gone'),
  };
  const s = stack();
  // Rotated for real: the built function refreshes the v1 key at the fake Momento (45 days, past the next rotation in 30).
  const rotated = await s.storeConsoleKey(names.rotated, { lifetimeSeconds: 45 * 86_400 });
  await new SecretsManagerService(s.moto.endpoint, tagged.arn).rotate(rotated.arn, s.newContainer());

  await rotationOn((await s.storeV2Key(names.v2)).arn, tagged.arn);
  await rotationOn(await s.createSecret(names.expired, JSON.stringify(consoleKeyFile(-2))), tagged.arn);
  const stuck = (await s.storeConsoleKey(names.stuck)).arn;
  const stuckVersion = await rotationOn(stuck, tagged.arn, { leavePending: true });
  const off = (await s.storeV2Key(names.off)).arn;
  await rotationOn(off, tagged.arn);
  await s.service.client.send(new CancelRotateSecretCommand({ SecretId: off }));
  await rotationOn((await s.storeConsoleKey(names.expiresFirst, { lifetimeSeconds: 10 * 86_400 })).arn, tagged.arn);
  await rotationOn(await s.createSecret(names.notAKey, 'not a key at all'), tagged.arn);
  const revoked = await s.storeV2Key(names.revoked);
  await rotationOn(revoked.arn, tagged.arn);
  s.momento.revoke(revoked.key.apiKey);
  await rotationOn((await s.storeV2Key(names.byUntagged)).arn, untagged.arn);
  await s.storeV2Key(names.noRotation);
  await rotationOn((await s.storeV2Key(names.byGone)).arn, gone.arn);
  await new LambdaClient(aws()).send(new DeleteFunctionCommand({ FunctionName: gone.name }));
  const management = (await s.storeManagementKey(name('management'))).arn;
  fleet = { tagged, untagged, gone, management, secrets: names, stuckVersion };
}, 120_000);

/** The table line of a secret: its cells, split on the table's two-space gutters. */
function lineOf(out: string, secretName: string): string {
  const line = out.split('\n').find((l) => l.startsWith(`${secretName} `));
  expect(line, `no line for ${secretName} in\n${out}`).toBeDefined();
  return line!;
}

const bySecret = (report: FleetReport) => Object.fromEntries(report.secrets.map((s) => [s.name, s])) as Record<string, FleetSecret>;

describe('status --all: the fleet a tagged function rotates, one line each', () => {
  it('lists each secret with its key, dates, result, stuck state and verdict; a summary; exit 1 as one fails', async () => {
    const { secrets: n, tagged, gone } = fleet;
    const result = await cli(['status', '--all']);
    expect(result.code).toBe(1);
    const lines = result.out.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+KEY\s+DAYS LEFT\s+LAST ROTATION\s+NEXT ROTATION\s+RESULT\s+STUCK\s+VERDICT\s+REASON$/);
    const date = '\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}';

    // Rotated by the function: its new key, 44 days left, the last rotation succeeded.
    expect(lineOf(result.out, n.rotated)).toMatch(new RegExp(`^${literal(n.rotated)}\\s+v1\\s+44\\s+${date}\\s+${date}\\s+succeeded\\s+no\\s+ok$`));
    expect(lineOf(result.out, n.v2)).toMatch(/\s+v2\s+59\s+.*\s+succeeded\s+no\s+ok$/);
    expect(lineOf(result.out, n.expired)).toMatch(new RegExp(`\\s+v1\\s+-3\\s+.*\\s+fail\\s+key expired ${date}$`));
    expect(lineOf(result.out, n.stuck)).toMatch(
      new RegExp(`\\s+v1\\s+29\\s+.*\\s+pending\\s+pending\\s+warn\\s+rotation pending since ${date} \\(AWSPENDING on version ${fleet.stuckVersion}\\): running, or stuck$`),
    );
    expect(lineOf(result.out, n.off)).toMatch(/\s+v2\s+59\s+\S+ \S+\s+-\s+\S+\s+no\s+fail\s+rotation off$/);
    expect(lineOf(result.out, n.expiresFirst)).toMatch(new RegExp(`\\s+v1\\s+9\\s+.*\\s+warn\\s+key expires ${date}, before the next rotation \\(${date}\\)$`));
    expect(lineOf(result.out, n.notAKey)).toMatch(/\s+not a key\s+-\s+.*\s+fail\s+AWSCURRENT cannot be rotated: the value is not a JSON object$/);
    // Without --check-keys Momento is not asked: the revoked key looks fine.
    expect(lineOf(result.out, n.revoked)).toMatch(/\s+v2\s+59\s+.*\s+ok$/);

    // Not this project's: an untagged function's secret, a secret without rotation, the management secret.
    for (const excluded of [n.byUntagged, n.noRotation, fleet.management]) expect(result.out).not.toContain(excluded);
    // A secret naming a function that no longer exists: said, not checked.
    expect(result.out).toContain(`Function ${gone.name} does not exist, so 1 secret naming it as rotation function cannot rotate; not checked: ${n.byGone}. If this project rotated them, redeploy it.`);
    expect(lineOf(result.out, n.rotated)).not.toContain(tagged.name);

    expect(result.out).toMatch(/^8 secrets: 3 ok, 2 warn, 3 fail$/m);
    // Failures first, then warnings, then ok.
    const order = lines.slice(1, 9).map((l) => l.split(/\s{2,}/).at(-1) === 'ok' ? 'ok' : /\s(fail|warn)\s/.exec(l)?.[1]);
    expect(order).toEqual(['fail', 'fail', 'fail', 'warn', 'warn', 'ok', 'ok', 'ok']);
    expect(result.err).toBe('3 of 8 secrets failed.');
  });

  it('says what to do for each secret not ok', async () => {
    const { secrets: n } = fleet;
    const { out } = await cli(['status', '--all']);
    const todo = out.slice(out.indexOf('What to do:'));
    expect(todo).toContain(`  ${n.expired}: generate a new key in the Momento console and import it: momento-secret-rotation import --file momento_token.info.json --secret-id ${n.expired}`);
    expect(todo).toContain(`  ${n.off}: turn automatic rotation on again: redeploy the SAM application or CDK construct that set it up`);
    expect(todo).toContain(`  ${n.stuck}: if it is still there after the rotation window: momento-secret-rotation repair --secret-id ${n.stuck}`);
    expect(todo).toContain(`  ${n.expiresFirst}: rotate now (momento-secret-rotation rotate --secret-id ${n.expiresFirst}) or shorten the schedule`);
    expect(todo).toContain(`  ${n.notAKey}: store the key file the Momento console downloads with a new key: momento-secret-rotation import --file momento_token.info.json --secret-id ${n.notAKey}`);
    expect(todo).not.toContain(n.rotated);
  });

  it('--json gives the same as data, with fingerprints and never a key', async () => {
    const { secrets: n } = fleet;
    const result = await cli(['status', '--all', '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.out) as FleetReport;
    expect(report.summary).toEqual({ secrets: 8, ok: 3, warn: 2, fail: 3 });
    expect(report.tag).toBe('momento-secret-rotation=rotation-function');
    const s = bySecret(report);
    expect(s[n.rotated]).toMatchObject({ key: 'v1', daysLeft: 44, lastRotation: 'succeeded', verdict: 'ok', reasons: [], function: fleet.tagged.name, rotationEnabled: true });
    expect(s[n.rotated]!.fingerprint).toMatch(/^sha256:[0-9a-f]{8}$/);
    expect(s[n.v2]).toMatchObject({ key: 'v2', keyId: expect.any(String), verdict: 'ok' });
    expect(s[n.stuck]).toMatchObject({ lastRotation: 'pending', pending: { versionId: fleet.stuckVersion, stuck: false }, verdict: 'warn' });
    expect(s[n.off]).toMatchObject({ rotationEnabled: false, verdict: 'fail', reasons: ['rotation off'] });
    expect(s[n.off]).not.toHaveProperty('nextRotation'); // AWS returns none while rotation is off
    expect(s[n.expired]).toMatchObject({ verdict: 'fail', daysLeft: -3, reasons: [expect.stringMatching(/^key expired /)] });
    expect(s[n.notAKey]).toMatchObject({ key: 'not a key', verdict: 'fail' });
    expect(s[n.rotated]!.nextRotation).toBeDefined();
    expect(Date.parse(s[n.rotated]!.nextRotation!) - Date.parse(s[n.rotated]!.lastRotated!)).toBe(30 * DAY_MS);
    expect(report.functions.find((f) => f.name === fleet.gone.name)).toMatchObject({ judged: 'missing', secrets: [n.byGone] });
    expect(report.functions.find((f) => f.name === fleet.untagged.name)).toMatchObject({ judged: 'untagged', secrets: [n.byUntagged] });
    expect(report.functions.find((f) => f.name === fleet.tagged.name)).toMatchObject({ judged: 'tagged' });
  });

  it('--function includes the secrets an untagged function rotates (by name or ARN)', async () => {
    const { secrets: n, untagged } = fleet;
    for (const given of [untagged.name, untagged.arn]) {
      const report = JSON.parse((await cli(['status', '--all', '--json', '--function', given])).out) as FleetReport;
      expect(report.summary.secrets).toBe(9);
      expect(bySecret(report)[n.byUntagged]).toMatchObject({ verdict: 'ok', function: untagged.name });
      expect(report.functions.find((f) => f.name === untagged.name)?.judged).toBe('named');
    }
    const none = await cli(['status', '--all', '--function', 'no-such-function']);
    expect(none.out).toContain(`No secret in ${REGION} names function no-such-function (--function) as its rotation function.`);
    expect(none.out).toMatch(/^8 secrets: /m);
  });

  it('--check-keys: a v2 secret whose AWSCURRENT key Momento no longer lists fails; others show live', async () => {
    const { secrets: n, management } = fleet;
    const before = { ...stack().momento.keyApiCalls };
    const result = await cli(['status', '--all', '--check-keys', '--management-secret-id', management]);
    expect(result.code).toBe(1);
    expect(result.out.split('\n')[0]).toMatch(/\s+STUCK\s+AT MOMENTO\s+VERDICT\s+REASON$/);
    expect(lineOf(result.out, n.revoked)).toMatch(/\s+not live\s+fail\s+key \S+ is revoked or expired at Momento$/);
    expect(lineOf(result.out, n.v2)).toMatch(/\s+live\s+ok$/);
    expect(lineOf(result.out, n.rotated)).toMatch(/\s+-\s+ok$/); // v1: Momento lists no v1 keys
    expect(result.out).toMatch(/^8 secrets: 2 ok, 2 warn, 4 fail$/m);
    expect(stack().momento.keyApiCalls.list - before.list).toBe(1);
    expect(stack().momento.keyApiCalls.mint + stack().momento.keyApiCalls.revoke).toBe(before.mint + before.revoke);
  });

  it('asks Momento nothing without --check-keys', async () => {
    const momento = stack().momento;
    const before = JSON.stringify([momento.keyApiCalls, momento.calls]);
    await cli(['status', '--all']);
    expect(JSON.stringify([momento.keyApiCalls, momento.calls])).toBe(before);
  });

  it('makes 1 ListSecrets a page of 100, 1 GetSecretValue per secret shown, 1 ListTags per function, and nothing else', async () => {
    const proxy = await RecordingProxy.start(stack().moto.endpoint);
    try {
      // What the Region holds, read directly (the budget's inputs).
      const listed: SecretListEntry[] = [];
      let token: string | undefined;
      do {
        const page = await secretsIn().send(new ListSecretsCommand({ MaxResults: 100, ...(token ? { NextToken: token } : {}) }));
        listed.push(...(page.SecretList ?? []));
        token = page.NextToken || undefined;
      } while (token);
      const functions = new Set(listed.map((s) => s.RotationLambdaARN).filter(Boolean));

      const report = JSON.parse((await cli(['status', '--all', '--json'], '', proxy.endpoint)).out) as FleetReport;
      const pending = report.secrets.filter((s) => s.pending !== undefined).length;
      expect(pending).toBe(1);
      expect(proxy.counts()).toEqual({
        'secretsmanager ListSecrets': Math.ceil(listed.length / 100),
        'secretsmanager GetSecretValue': report.summary.secrets,
        // A pending rotation is dated by its version's creation, which ListSecrets does not carry.
        'secretsmanager ListSecretVersionIds': pending,
        ...Object.fromEntries(
          [...functions].map((arn) => [`lambda GET /2017-03-31/tags/${encodeURIComponent(arn!)}`, 1]),
        ),
      });
      expect(proxy.requests.filter((r) => r.service === 'lambda').map((r) => r.api)).toEqual([...functions].map(() => 'ListTags'));
      expect(proxy.writes()).toEqual([]);

      // --function: the function it names is not looked up.
      proxy.reset();
      await cli(['status', '--all', '--function', fleet.untagged.name], '', proxy.endpoint);
      expect(proxy.operations('lambda')).toHaveLength(functions.size - 1);
    } finally {
      await proxy.stop();
    }
  });
});

describe('status --all: a fleet that is all ok', () => {
  it('exits 0 over two ListSecrets pages, summary included', async () => {
    const region = HEALTHY_REGION;
    const fn = await rotationFunction({ tagged: true, region });
    const client = secretsIn(region);
    const names = Array.from({ length: 101 }, (_, i) => name(`healthy-${String(i).padStart(3, '0')}`));
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < names.length) {
          const secretName = names[next++]!;
          const { ARN } = await client.send(new CreateSecretCommand({ Name: secretName, SecretString: v2Value(stack().momento.issueV2Key()) }));
          await rotationOn(ARN!, fn.arn, { region });
        }
      }),
    );
    const result = await cli(['status', '--all', '--region', region]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^101 secrets: 101 ok, 0 warn, 0 fail$/m);
    for (const secretName of [names[0]!, names[100]!]) expect(lineOf(result.out, secretName)).toMatch(/\s+v2\s+59\s+.*\s+succeeded\s+no\s+ok$/);
    expect(result.out).not.toContain('What to do:');
  }, 60_000);

  it('says how to find an untagged function when no secret names a tagged one', async () => {
    const result = await cli(['status', '--all', '--region', 'ap-south-2']);
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      'No secret in ap-south-2 names a rotation function tagged momento-secret-rotation=rotation-function. ' +
        'A function deployed before that tag existed is found with --function NAME.\n0 secrets: 0 ok, 0 warn, 0 fail',
    );
  });
});

describe('status --all, called directly (a clock, and failures moto cannot make)', () => {
  const capture = () => {
    const lines: string[] = [];
    return { lines, io: { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) } };
  };

  it('a rotation pending for longer than its window is stuck: fail, result failed, with the repair command', async () => {
    const { lines, io } = capture();
    // moto dates every version at the time of asking (list_secret_version_ids): two days on, the pending one is two days old.
    const later = Date.now() + 2 * DAY_MS;
    const report = await statusAll(secretsIn(), new LambdaClient(aws()), { json: false, now: later }, io).catch((e: Error) => e);
    expect(report).toBeInstanceOf(Error);
    const line = lines.find((l) => l.startsWith(`${fleet.secrets.stuck} `))!;
    expect(line).toMatch(new RegExp(`\\s+failed\\s+yes\\s+fail\\s+rotation stuck since \\S+ \\S+ \\(AWSPENDING on version ${fleet.stuckVersion}\\)$`));
    expect(lines).toContain(`  ${fleet.secrets.stuck}: momento-secret-rotation repair --secret-id ${fleet.secrets.stuck}`);
    expect(leakedSecrets(lines.join('\n'))).toEqual([]);
  });

  it('a rotation overdue by more than its window fails (NextRotationDate in the past), within it warns', async () => {
    const collect = async (now: number) => {
      const { lines, io } = capture();
      await statusAll(secretsIn(), new LambdaClient(aws()), { json: true, now }, io).catch(() => undefined);
      return bySecret(JSON.parse(lines[0]!) as FleetReport)[fleet.secrets.v2]!;
    };
    const justDue = await collect(Date.now() + 30 * DAY_MS + 3_600_000);
    expect(justDue).toMatchObject({ verdict: 'warn', reasons: [expect.stringMatching(/^rotation overdue: due by /)] });
    const longOverdue = await collect(Date.now() + 32 * DAY_MS);
    expect(longOverdue).toMatchObject({ verdict: 'fail', lastRotation: 'failed', reasons: expect.arrayContaining([expect.stringMatching(/^rotation overdue: due by /)]) });
  });

  it('a function whose tags cannot be read: its secrets are named as not checked, and the run exits 1', async () => {
    const lambda = new LambdaClient(aws());
    mockClient(lambda)
      .on(ListTagsCommand)
      .rejects(Object.assign(new Error('User is not authorized to perform: lambda:ListTags'), { name: 'AccessDeniedException' }));
    const { lines, io } = capture();
    const failure = await statusAll(secretsIn(), lambda, { json: false }, io).catch((e: Error) => e);
    expect(failure).toMatchObject({ exitCode: 1, message: expect.stringMatching(/^Could not tell whether \d+ functions \(.*\) are this project's, so \d+ secrets went unchecked: grant lambda:ListTags on them, or name the function with --function\.$/) });
    expect(lines).toContain(
      `Could not read the tags of function ${fleet.tagged.name} (AccessDeniedException: User is not authorized to perform: lambda:ListTags): 8 secrets not checked ` +
        `(${[...Object.values(fleet.secrets)].filter((s) => ![fleet.secrets.byUntagged, fleet.secrets.noRotation, fleet.secrets.byGone].includes(s)).sort((a, b) => a.localeCompare(b)).slice(0, 5).join(', ')} and 3 more). Grant lambda:ListTags on it, or pass --function ${fleet.tagged.name}.`,
    );
    expect(lines).toContain('0 secrets: 0 ok, 0 warn, 0 fail');
  });

  it('an AWSCURRENT it may not read fails that secret alone; ListSecrets denied says which permissions it needs', async () => {
    const secrets = secretsIn();
    const mock = mockClient(secrets);
    const entry = (label: string): SecretListEntry => ({
      ARN: `arn:aws:secretsmanager:${REGION}:123456789012:secret:${label}-AbCdEf`,
      Name: label,
      RotationEnabled: true,
      RotationLambdaARN: fleet.tagged.arn,
      SecretVersionsToStages: { v1: ['AWSCURRENT'] },
    });
    mock.on(ListSecretsCommand).resolves({ SecretList: [entry('readable'), entry('denied')] });
    mock.on(GetSecretValueCommand, { SecretId: entry('denied').ARN }).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    mock.on(GetSecretValueCommand, { SecretId: entry('readable').ARN }).resolves({ SecretString: v2Value(stack().momento.issueV2Key()), VersionId: 'v1', CreatedDate: new Date() });
    const { lines, io } = capture();
    await expect(statusAll(secrets, new LambdaClient(aws()), { json: false }, io)).rejects.toThrow('1 of 2 secrets failed.');
    expect(lines.find((l) => l.startsWith('denied '))).toMatch(/\s+unreadable\s+-\s+.*\s+fail\s+AWSCURRENT unreadable \(AccessDeniedException\)$/);
    expect(lines).toContain('  denied: the caller needs secretsmanager:GetSecretValue on it, and kms:Decrypt on its KMS key');
    expect(lines.find((l) => l.startsWith('readable '))).toMatch(/\s+ok$/);
    expect(mock.commandCalls(ListSecretVersionIdsCommand)).toHaveLength(0);

    mock.reset();
    mock.on(ListSecretsCommand).rejects(Object.assign(new Error('not authorized to perform: secretsmanager:ListSecrets'), { name: 'AccessDeniedException' }));
    await expect(statusAll(secrets, new LambdaClient(aws()), { json: false }, capture().io)).rejects.toThrow(
      /^ListSecrets was denied \(not authorized to perform: secretsmanager:ListSecrets\)\. status --all needs secretsmanager:ListSecrets, lambda:ListTags/,
    );
  });
});

describe('status --all: usage (exit 2, before any AWS call)', () => {
  it.each([
    [['status', '--all', '--secret-id', 's'], 'Pass --secret-id or --all, not both: --secret-id NAME shows one secret in detail, --all every secret this project rotates.'],
    [['status', '--secret-id', 's', '--function', 'f'], '--function is only for --all (every secret this project rotates).'],
    [['status', '--secret-id', 's', '--check-keys'], '--check-keys is only for --all: for one secret, --management-secret-id checks its keys at Momento.'],
    [['status', '--function', 'f'], "status needs --secret-id (the secret's name or ARN)."],
    [['status', '--all', '--check-keys'], '--check-keys needs --management-secret-id (the secret holding the management key, which lists the keys at Momento).'],
    [['status', '--all', '--management-secret-id', 'm'], 'With --all, --management-secret-id is for --check-keys: add --check-keys to check each v2 key at Momento.'],
    [['status', '--all', '--function', ' '], '--function takes a function name or ARN.'],
    [['status', '--all', '--yes'], 'status does not take --yes.'],
  ])('%j', async (args, message) => {
    const proxy = await RecordingProxy.start(stack().moto.endpoint);
    try {
      const result = await cli(args, '', proxy.endpoint);
      expect(result).toMatchObject({ code: 2, out: '' });
      expect(result.err).toBe(`${message}\nRun with --help for usage.`);
      expect(proxy.requests).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });

  it('the status help shows both forms and the --all options', async () => {
    const { code, out } = await cli(['status', '--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: momento-secret-rotation status --secret-id NAME \[--json\] \[--management-secret-id NAME\]\n {7}momento-secret-rotation status --all \[--function NAME\] \[--json\] \[--check-keys --management-secret-id NAME\]$/m);
    for (const option of ['--all', '--function NAME', '--check-keys']) expect(out).toMatch(new RegExp(`^  ${option}  +\\S`, 'm'));
    expect(out).toContain('tag momento-secret-rotation=rotation-function');
  });
});

describe('the last rotation, as Secrets Manager records it', () => {
  const at = (offsetMs: number) => new Date(Date.parse('2026-06-01T12:00:00Z') + offsetMs);
  const base = { pending: undefined, rotationEnabled: true, nextRotation: at(29 * DAY_MS), window: DAY_MS, now: at(0).getTime() };

  it.each([
    // AWS: LastRotatedDate is when the rotation completed; AWSCURRENT's version was created at its start.
    ['AWSCURRENT created minutes before LastRotatedDate (AWS: completion time)', at(-DAY_MS - 300_000), at(-DAY_MS), 'succeeded'],
    // moto: LastRotatedDate is when RotateSecret was called, before the version.
    ['AWSCURRENT created seconds after LastRotatedDate (moto: RotateSecret time)', at(-DAY_MS + 2_000), at(-DAY_MS), 'succeeded'],
    ['a key imported by hand since the last rotation', at(-3_600_000), at(-DAY_MS), 'succeeded'],
    ['AWSCURRENT older than the rotation recorded, by more than a window', at(-5 * DAY_MS), at(-DAY_MS), '-'],
    ['never rotated', at(-5 * DAY_MS), undefined, '-'],
  ])('%s: %s', (_label, currentCreated, lastRotated, expected) => {
    expect(lastRotationResult({ ...base, currentCreated, lastRotated })).toBe(expected);
  });

  it('a pending rotation is pending within its window and failed beyond it; an overdue one failed once its window has passed', () => {
    const facts = { ...base, currentCreated: at(-DAY_MS), lastRotated: at(-DAY_MS) };
    expect(lastRotationResult({ ...facts, pending: { versionId: 'p', stuck: false } })).toBe('pending');
    expect(lastRotationResult({ ...facts, pending: { versionId: 'p', stuck: true } })).toBe('failed');
    expect(lastRotationResult({ ...facts, nextRotation: at(-DAY_MS - 1) })).toBe('failed');
    expect(lastRotationResult({ ...facts, nextRotation: at(-3_600_000) })).toBe('succeeded');
    // Rotation off: no schedule to be overdue on.
    expect(lastRotationResult({ ...facts, rotationEnabled: false, nextRotation: at(-5 * DAY_MS) })).toBe('succeeded');
  });

  it.each([
    [{ Duration: '3h', ScheduleExpression: 'rate(10 days)' }, 3],
    [{ ScheduleExpression: 'rate(4 hours)' }, 1],
    [{ ScheduleExpression: 'cron(0 8 1 * ? *)' }, 24],
    [{ AutomaticallyAfterDays: 30 }, 24],
    [undefined, 24],
  ])('the rotation window of %j is %i hours', (rules, hours) => {
    expect(rotationWindowMs(rules)).toBe(hours * 3_600_000);
  });
});
