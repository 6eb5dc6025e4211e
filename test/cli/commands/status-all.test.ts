import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, DeleteFunctionCommand, GetFunctionConfigurationCommand, LambdaClient, ListTagsCommand } from '@aws-sdk/client-lambda';
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
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { lastRotationResult, rotationWindowMs, statusAll, type FleetReport, type FleetSecret } from '../../../src/cli/commands/status-all.js';
import { ROTATION_FUNCTION_TAG } from '../../../src/rotation-function-tag.js';
import { APP_ROLE_ID } from '../../support/momento-roles.js';
import { consoleKeyFile, fakeV2Key, jtiOf, leakedSecrets } from '../../support/secrets.js';
import { RecordingProxy } from '../../stand-ins/recording-proxy.js';
import { CREDENTIALS, REGION, SecretsManagerService } from '../../stand-ins/secrets-manager-service.js';
import { literal, useLocalCli, v2Value } from '../local-cli.js';

// `status --all` against moto_server (Secrets Manager, Lambda and IAM at one address) and the fake
// Momento: a fleet of secrets in planted states, one line each, and what it costs in AWS calls.
// A moto_server of its own, even under `npm run mutate` (which shares one): it counts the Region's secrets.
const { stack, cli, name } = useLocalCli('status-all', { privateMoto: true });

const DAY_MS = 86_400_000;
/** An empty zip (its end-of-central-directory record only): moto's CreateFunction stores the code and never runs it. */
const EMPTY_ZIP = new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]);
/** A Region no other test file writes to, for a fleet that is all ok (101 secrets: two ListSecrets pages). */
const HEALTHY_REGION = 'eu-west-3';

const aws = (region = REGION) => ({ endpoint: stack().moto.endpoint, region, credentials: CREDENTIALS });
const secretsIn = (region = REGION) => new SecretsManagerClient(aws(region));

/**
 * A function as the template deploys it, with the tag (or not) and its management secret (the
 * template's ManagementSecretArn, as MOMENTO_MANAGEMENT_SECRET_ARN); moto's CreateFunction needs
 * an existing IAM role.
 */
async function rotationFunction(options: { tagged: boolean; region?: string; managementSecretArn?: string }) {
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
      ...(options.managementSecretArn ? { Environment: { Variables: { MOMENTO_MANAGEMENT_SECRET_ARN: options.managementSecretArn } } } : {}),
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
  secrets: Record<'rotated' | 'v2' | 'expired' | 'stuck' | 'off' | 'expiresFirst' | 'notAKey' | 'revoked' | 'byUntagged' | 'noRotation' | 'byGone' | 'byGoneOff', string>;
  stuckVersion: string;
}
let fleet: Fleet;

beforeAll(async () => {
  const s = stack();
  const management = (await s.storeManagementKey(name('management'))).arn;
  const tagged = await rotationFunction({ tagged: true, managementSecretArn: management });
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
    byGoneOff: name('by-gone-off'),
  };
  // Rotated for real: the built function refreshes the v1 key at the fake Momento (45 days, past the next rotation in 30).
  const rotated = await s.storeConsoleKey(names.rotated, { lifetimeSeconds: 45 * 86_400 });
  await new SecretsManagerService(s.moto.endpoint, tagged.arn).rotate(rotated.arn, s.newContainer());

  await rotationOn((await s.storeV2Key(names.v2)).arn, tagged.arn);
  await rotationOn(await s.createSecret(names.expired, JSON.stringify(consoleKeyFile(-2))), tagged.arn);
  // 45 days, past the next rotation in 30 by more than doctor's 3-day margin: only its pending rotation is wrong.
  const stuck = (await s.storeConsoleKey(names.stuck, { lifetimeSeconds: 45 * 86_400 })).arn;
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
  // Left from a deleted stack: CloudFormation turns rotation off (CancelRotateSecret) before the function goes.
  const byGoneOff = (await s.storeV2Key(names.byGoneOff)).arn;
  await rotationOn(byGoneOff, gone.arn);
  await s.service.client.send(new CancelRotateSecretCommand({ SecretId: byGoneOff }));
  await new LambdaClient(aws()).send(new DeleteFunctionCommand({ FunctionName: gone.name }));
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
    // Dated by the secret's LastChangedDate (ListSecrets), AWSPENDING's latest possible start.
    expect(lineOf(result.out, n.stuck)).toMatch(
      new RegExp(`\\s+v1\\s+44\\s+.*\\s+pending\\s+pending\\s+warn\\s+rotation pending since ${date} or earlier \\(AWSPENDING on version ${fleet.stuckVersion}\\): running, or stuck$`),
    );
    expect(lineOf(result.out, n.off)).toMatch(/\s+v2\s+59\s+\S+ \S+\s+-\s+\S+\s+no\s+fail\s+rotation off$/);
    // A v1 key cannot be refreshed once expired: the rotation at NextRotationDate will fail (doctor: FAIL schedule).
    expect(lineOf(result.out, n.expiresFirst)).toMatch(new RegExp(`\\s+v1\\s+9\\s+.*\\s+fail\\s+key expires ${date}, before the next rotation \\(${date}\\)$`));
    expect(lineOf(result.out, n.notAKey)).toMatch(/\s+not a key\s+-\s+.*\s+fail\s+AWSCURRENT cannot be rotated: the value is not a JSON object$/);
    // Without --check-keys Momento is not asked: the revoked key looks fine.
    expect(lineOf(result.out, n.revoked)).toMatch(/\s+v2\s+59\s+.*\s+ok$/);

    // Not this project's: an untagged function's secret, a secret without rotation, the management secret.
    for (const excluded of [n.byUntagged, n.noRotation, fleet.management]) expect(result.out).not.toContain(excluded);
    // A secret whose rotation function no longer exists, rotation on: every rotation fails. Not read (whose it is cannot be told).
    expect(lineOf(result.out, n.byGone)).toMatch(new RegExp(`^${literal(n.byGone)}\\s+not read\\s+-\\s+${date}\\s+${date}\\s+-\\s+no\\s+fail\\s+rotation function ${gone.name} does not exist: every rotation fails$`));
    // Rotation off as well (a deleted stack's leftover): nothing will try, so a note, not a line.
    expect(result.out).not.toMatch(new RegExp(`^${literal(n.byGoneOff)} `, 'm'));
    expect(result.out).toContain(
      `Function ${gone.name} does not exist, and 1 secret naming it as rotation function has rotation off (left from a deleted stack?); not checked: ${n.byGoneOff}. If this project rotated them, redeploy it.`,
    );
    expect(lineOf(result.out, n.rotated)).not.toContain(tagged.name);

    expect(result.out).toMatch(/^9 secrets: 3 ok, 1 warn, 5 fail$/m);
    // Failures first, then warnings, then ok.
    const order = lines.slice(1, 10).map((l) => l.split(/\s{2,}/).at(-1) === 'ok' ? 'ok' : /\s(fail|warn)\s/.exec(l)?.[1]);
    expect(order).toEqual(['fail', 'fail', 'fail', 'fail', 'fail', 'warn', 'ok', 'ok', 'ok']);
    expect(result.err).toBe('5 of 9 secrets failed.');
  });

  it('says what to do for each secret not ok', async () => {
    const { secrets: n } = fleet;
    const { out } = await cli(['status', '--all']);
    const todo = out.slice(out.indexOf('What to do:'));
    expect(todo).toContain(`  ${n.expired}: generate a new key in the Momento console and import it: momento-secret-rotation import --file momento_token.info.json --secret-id ${n.expired}`);
    expect(todo).toContain(`  ${n.off}: turn automatic rotation on again: redeploy the SAM application or CDK construct that set it up`);
    expect(todo).toContain(`  ${n.stuck}: if it is still there after the rotation window: momento-secret-rotation repair --secret-id ${n.stuck}`);
    expect(todo).toContain(
      `  ${n.expiresFirst}: rotate now (momento-secret-rotation rotate --secret-id ${n.expiresFirst}), and make the schedule (RotationScheduleExpression) ` +
        "shorter than the key's lifetime (KeyLifetimeDays for minted keys) by at least 3 days",
    );
    expect(todo).toContain(`  ${n.byGone}: if this project rotated it, redeploy the SAM application or CDK construct that set its rotation up`);
    expect(todo).toContain(`  ${n.notAKey}: store the key file the Momento console downloads with a new key: momento-secret-rotation import --file momento_token.info.json --secret-id ${n.notAKey}`);
    expect(todo).not.toContain(n.rotated);
  });

  it('--json gives the same as data, with fingerprints and never a key', async () => {
    const { secrets: n } = fleet;
    const result = await cli(['status', '--all', '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.out) as FleetReport;
    expect(report.summary).toEqual({ secrets: 9, ok: 3, warn: 1, fail: 5 });
    expect(report.tag).toBe('momento-secret-rotation=rotation-function');
    const s = bySecret(report);
    expect(s[n.rotated]).toMatchObject({ key: 'v1', daysLeft: 44, lastRotation: 'succeeded', verdict: 'ok', reasons: [], function: fleet.tagged.name, rotationEnabled: true });
    expect(s[n.rotated]!.fingerprint).toMatch(/^sha256:[0-9a-f]{8}$/);
    expect(s[n.v2]).toMatchObject({ key: 'v2', keyId: expect.any(String), verdict: 'ok' });
    expect(s[n.stuck]).toMatchObject({ lastRotation: 'pending', pending: { versionId: fleet.stuckVersion, lastChanged: expect.any(String), stuck: false }, verdict: 'warn' });
    expect(s[n.expiresFirst]).toMatchObject({ verdict: 'fail', daysLeft: 9, reasons: [expect.stringMatching(/, before the next rotation /)] });
    expect(s[n.byGone]).toMatchObject({ key: 'not read', verdict: 'fail', function: fleet.gone.name, rotationEnabled: true });
    expect(s[n.byGone]).not.toHaveProperty('fingerprint');
    expect(s[n.byGoneOff]).toBeUndefined();
    expect(s[n.off]).toMatchObject({ rotationEnabled: false, verdict: 'fail', reasons: ['rotation off'] });
    expect(s[n.off]).not.toHaveProperty('nextRotation'); // AWS returns none while rotation is off
    expect(s[n.expired]).toMatchObject({ verdict: 'fail', daysLeft: -3, reasons: [expect.stringMatching(/^key expired /)] });
    expect(s[n.notAKey]).toMatchObject({ key: 'not a key', verdict: 'fail' });
    expect(s[n.rotated]!.nextRotation).toBeDefined();
    expect(Date.parse(s[n.rotated]!.nextRotation!) - Date.parse(s[n.rotated]!.lastRotated!)).toBe(30 * DAY_MS);
    expect(report.functions.find((f) => f.name === fleet.gone.name)).toMatchObject({ judged: 'missing', secrets: [n.byGone, n.byGoneOff].sort((a, b) => a.localeCompare(b)) });
    expect(report.functions.find((f) => f.name === fleet.untagged.name)).toMatchObject({ judged: 'untagged', secrets: [n.byUntagged] });
    expect(report.functions.find((f) => f.name === fleet.tagged.name)).toMatchObject({ judged: 'tagged' });
  });

  it('--function includes the secrets an untagged function rotates (by name or ARN)', async () => {
    const { secrets: n, untagged } = fleet;
    for (const given of [untagged.name, untagged.arn]) {
      const report = JSON.parse((await cli(['status', '--all', '--json', '--function', given])).out) as FleetReport;
      expect(report.summary.secrets).toBe(10);
      expect(bySecret(report)[n.byUntagged]).toMatchObject({ verdict: 'ok', function: untagged.name });
      expect(report.functions.find((f) => f.name === untagged.name)?.judged).toBe('named');
    }
    const none = await cli(['status', '--all', '--function', 'no-such-function']);
    expect(none.out).toContain(`No secret in ${REGION} names function no-such-function (--function) as its rotation function.`);
    expect(none.out).toMatch(/^9 secrets: /m);
  });

  it('--check-keys: a v2 secret whose AWSCURRENT key Momento no longer lists fails, as its function uses that management key; others show live', async () => {
    const { secrets: n, management } = fleet;
    const before = { ...stack().momento.keyApiCalls };
    const proxy = await RecordingProxy.start(stack().moto.endpoint);
    try {
      const result = await cli(['status', '--all', '--check-keys', '--management-secret-id', management], '', proxy.endpoint);
      expect(result.code).toBe(1);
      expect(result.out.split('\n')[0]).toMatch(/\s+STUCK\s+AT MOMENTO\s+VERDICT\s+REASON$/);
      expect(lineOf(result.out, n.revoked)).toMatch(/\s+not live\s+fail\s+key \S+ is revoked or expired at Momento$/);
      expect(lineOf(result.out, n.v2)).toMatch(/\s+live\s+ok$/);
      expect(lineOf(result.out, n.rotated)).toMatch(/\s+-\s+ok$/); // v1: Momento lists no v1 keys
      expect(result.out).toMatch(/^9 secrets: 2 ok, 1 warn, 6 fail$/m);
      // The tagged function's MOMENTO_MANAGEMENT_SECRET_ARN is read once, for the key the listing lacks; never without --check-keys.
      expect(proxy.operations('lambda').filter((api) => api === 'GetFunctionConfiguration')).toEqual(['GetFunctionConfiguration']);
      expect(proxy.writes()).toEqual([]);
    } finally {
      await proxy.stop();
    }
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
      expect(report.secrets.filter((s) => s.pending !== undefined)).toHaveLength(1);
      const unread = report.secrets.filter((s) => s.key === 'not read').length; // rotation function gone
      expect(unread).toBe(1);
      expect(proxy.counts()).toEqual({
        'secretsmanager ListSecrets': Math.ceil(listed.length / 100),
        // A pending rotation is dated from ListSecrets' LastChangedDate: no ListSecretVersionIds.
        'secretsmanager GetSecretValue': report.summary.secrets - unread,
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
    // Two days on, the secret's LastChangedDate (its creation: moto's RotateSecret does not move it) is two days old.
    const later = Date.now() + 2 * DAY_MS;
    const report = await statusAll(secretsIn(), new LambdaClient(aws()), { json: false, now: later }, io).catch((e: Error) => e);
    expect(report).toBeInstanceOf(Error);
    const line = lines.find((l) => l.startsWith(`${fleet.secrets.stuck} `))!;
    expect(line).toMatch(new RegExp(`\\s+failed\\s+yes\\s+fail\\s+rotation stuck: pending since \\S+ \\S+ or earlier, longer than its window \\(AWSPENDING on version ${fleet.stuckVersion}\\)$`));
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
        `(${[...Object.values(fleet.secrets)].filter((s) => ![fleet.secrets.byUntagged, fleet.secrets.noRotation, fleet.secrets.byGone, fleet.secrets.byGoneOff].includes(s)).sort((a, b) => a.localeCompare(b)).slice(0, 5).join(', ')} and 3 more). Grant lambda:ListTags on it, or pass --function ${fleet.tagged.name}.`,
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

/**
 * The review's cases (issue 23), called directly on planted answers: Secrets Manager and Lambda
 * answering as AWS does (aws-sdk-client-mock, shapes from the SDK's SecretListEntry and
 * GetFunctionConfiguration output), a clock of our own (whole seconds, so days left are exact).
 */
describe('status --all over planted AWS answers: call budget, verdicts as doctor gives them, no key printed', () => {
  const ACCOUNT = '123456789012';
  const NOW = Math.floor(Date.now() / 1000) * 1000;
  const NOW_S = NOW / 1000;
  const HOUR_MS = 3_600_000;
  const ENDPOINT = 'cell-1-fake-1.prod.a.momentohq.com';
  const config = { region: REGION, credentials: CREDENTIALS };
  const functionArn = (fn: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn}`;
  const secretArn = (secret: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${secret}-AbCdEf`;
  /** A v2 key expiring in `days`, stored as import stores it: {apiKey, endpoint, roleId, keyId, validUntil}. */
  const v2File = (days: number, apiKey = fakeV2Key({ exp: NOW_S + days * 86_400 })) =>
    JSON.stringify({ apiKey, endpoint: ENDPOINT, roleId: APP_ROLE_ID, keyId: jtiOf(apiKey), validUntil: NOW_S + days * 86_400 });

  interface Planted {
    readonly name: string;
    /** AWSCURRENT's value; a console v1 key file valid for 60 days unless given. */
    readonly value?: string;
    readonly nextRotationInDays?: number;
    readonly function?: string;
    readonly rotationEnabled?: boolean;
    /** AWSPENDING on a version of its own, the secret last changed this many hours ago (its LastChangedDate). */
    readonly pendingSinceHours?: number;
  }

  function plant(secrets: readonly Planted[], options: { functions?: 'tagged' | 'deleted'; others?: readonly SecretListEntry[] } = {}) {
    const client = new SecretsManagerClient(config);
    const sm = mockClient(client);
    const entries: SecretListEntry[] = secrets.map((s) => ({
      ARN: secretArn(s.name),
      Name: s.name,
      RotationEnabled: s.rotationEnabled ?? true,
      RotationLambdaARN: functionArn(s.function ?? 'rot'),
      RotationRules: { AutomaticallyAfterDays: 30 }, // a window of a day
      LastRotatedDate: new Date(NOW - 2 * DAY_MS),
      LastChangedDate: new Date(s.pendingSinceHours !== undefined ? NOW - s.pendingSinceHours * HOUR_MS : NOW - 2 * DAY_MS),
      // AWS returns no NextRotationDate while rotation is off.
      ...(s.rotationEnabled === false ? {} : { NextRotationDate: new Date(NOW + (s.nextRotationInDays ?? 28) * DAY_MS) }),
      SecretVersionsToStages: { cur: ['AWSCURRENT'], ...(s.pendingSinceHours !== undefined ? { pend: ['AWSPENDING'] } : {}) },
    }));
    sm.on(ListSecretsCommand).resolves({ SecretList: [...entries, ...(options.others ?? [])] });
    for (const s of secrets) {
      sm.on(GetSecretValueCommand, { SecretId: secretArn(s.name) }).resolves({
        ARN: secretArn(s.name),
        VersionId: 'cur',
        CreatedDate: new Date(NOW - 2 * DAY_MS),
        SecretString: s.value ?? JSON.stringify(consoleKeyFile(60, NOW_S)),
      });
    }
    const lambda = new LambdaClient(config);
    const lm = mockClient(lambda);
    if (options.functions === 'deleted') {
      // Lambda's ListTags on a function that does not exist: 404 ResourceNotFoundException.
      lm.on(ListTagsCommand).rejects(Object.assign(new Error('Function not found'), { name: 'ResourceNotFoundException' }));
    } else {
      lm.on(ListTagsCommand).resolves({ Tags: { [ROTATION_FUNCTION_TAG.key]: ROTATION_FUNCTION_TAG.value } });
    }
    return { client, lambda, sm, lm };
  }

  async function run(planted: ReturnType<typeof plant>, options: { json?: boolean; checkKeysWith?: string } = {}) {
    const lines: string[] = [];
    const exitCode = await statusAll(
      planted.client,
      planted.lambda,
      { json: options.json ?? true, now: NOW, ...(options.checkKeysWith ? { checkKeysWith: options.checkKeysWith } : {}) },
      { out: (l) => lines.push(l), err: (l) => lines.push(l) },
    ).then(
      () => 0,
      (e: { exitCode?: number; message?: string }) => (lines.push(`error: ${e.message}`), e.exitCode ?? 1),
    );
    const text = lines.join('\n');
    expect(leakedSecrets(text)).toEqual([]);
    return { exitCode, text, lines, report: options.json === false ? undefined : (JSON.parse(lines[0]!) as FleetReport) };
  }

  it('holds its call budget with rotations pending (1 + ceil(N/100) + N): LastChangedDate dates them, no ListSecretVersionIds', async () => {
    const secrets = [
      ...Array.from({ length: 3 }, (_, i) => ({ name: `momento/running-${i}`, pendingSinceHours: 3 })),
      ...Array.from({ length: 2 }, (_, i) => ({ name: `momento/stuck-${i}`, pendingSinceHours: 30 })),
    ];
    const planted = plant(secrets);
    const { exitCode, report } = await run(planted);
    expect(planted.sm.calls().length + planted.lm.calls().length).toBeLessThanOrEqual(1 + Math.ceil(secrets.length / 100) + secrets.length);
    expect(planted.sm.commandCalls(ListSecretVersionIdsCommand)).toHaveLength(0);
    const s = bySecret(report!);
    // Unchanged for 3 hours, within the day's window: maybe running.
    expect(s['momento/running-0']).toMatchObject({
      verdict: 'warn',
      lastRotation: 'pending',
      pending: { versionId: 'pend', lastChanged: new Date(NOW - 3 * HOUR_MS).toISOString(), stuck: false },
      reasons: [expect.stringMatching(/^rotation pending since \S+ \S+ or earlier \(AWSPENDING on version pend\): running, or stuck$/)],
    });
    // Unchanged for 30 hours with AWSPENDING there: it has been pending longer than the window.
    expect(s['momento/stuck-0']).toMatchObject({
      verdict: 'fail',
      lastRotation: 'failed',
      pending: { versionId: 'pend', stuck: true },
      reasons: [expect.stringMatching(/^rotation stuck: pending since \S+ \S+ or earlier, longer than its window \(AWSPENDING on version pend\)$/)],
      actions: ['momento-secret-rotation repair --secret-id momento/stuck-0'],
    });
    expect(exitCode).toBe(1);
  });

  it('a key expiring before its next rotation fails, v1 (cannot be refreshed once expired) and v2 (applications lose it); under 3 days to spare warns, as doctor does', async () => {
    const v2 = (days: number) => v2File(days);
    const planted = plant([
      { name: 'momento/v1-short', value: JSON.stringify(consoleKeyFile(10, NOW_S)), nextRotationInDays: 20 },
      { name: 'momento/v2-short', value: v2(10), nextRotationInDays: 20 },
      { name: 'momento/v1-tight', value: JSON.stringify(consoleKeyFile(21, NOW_S)), nextRotationInDays: 20 },
      { name: 'momento/v2-spare', value: v2(25), nextRotationInDays: 20 },
    ]);
    const { exitCode, report } = await run(planted);
    const s = bySecret(report!);
    for (const short of ['momento/v1-short', 'momento/v2-short']) {
      expect(s[short]).toMatchObject({ verdict: 'fail', daysLeft: 10, reasons: [expect.stringMatching(/^key expires \S+ \S+, before the next rotation \(\S+ \S+\)$/)] });
      expect(s[short]!.actions[0]).toBe(
        `rotate now (momento-secret-rotation rotate --secret-id ${short}), and make the schedule (RotationScheduleExpression) ` +
          "shorter than the key's lifetime (KeyLifetimeDays for minted keys) by at least 3 days",
      );
    }
    expect(s['momento/v1-tight']).toMatchObject({ verdict: 'warn', reasons: [expect.stringMatching(/, under 3 days after the next rotation \(\S+ \S+\): little time to fix it if it fails$/)] });
    expect(s['momento/v2-spare']).toMatchObject({ verdict: 'ok', key: 'v2', daysLeft: 25 });
    expect(exitCode).toBe(1);
  });

  it('a secret whose rotation function was deleted fails unread (every rotation fails), exit 1; with rotation off, a note', async () => {
    const planted = plant(
      [
        { name: 'momento/orphaned', function: 'gone' },
        { name: 'momento/leftover', function: 'gone', rotationEnabled: false },
      ],
      { functions: 'deleted' },
    );
    const { exitCode, report } = await run(planted);
    expect(report!.functions).toEqual([expect.objectContaining({ name: 'gone', judged: 'missing', secrets: ['momento/leftover', 'momento/orphaned'] })]);
    expect(report!.secrets).toEqual([
      expect.objectContaining({ name: 'momento/orphaned', key: 'not read', verdict: 'fail', reasons: ['rotation function gone does not exist: every rotation fails'] }),
    ]);
    expect(report!.summary).toEqual({ secrets: 1, ok: 0, warn: 0, fail: 1 });
    expect(exitCode).toBe(1);
    // Whose secret it is cannot be told without the function's tag: its value is not read.
    expect(planted.sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);

    const table = await run(plant([{ name: 'momento/orphaned', function: 'gone' }, { name: 'momento/leftover', function: 'gone', rotationEnabled: false }], { functions: 'deleted' }), { json: false });
    expect(table.lines).toContain(
      '  momento/orphaned: if this project rotated it, redeploy the SAM application or CDK construct that set its rotation up ' +
        '(then: momento-secret-rotation status --secret-id momento/orphaned); if not, this is not its secret: ' +
        'aws secretsmanager cancel-rotate-secret --secret-id momento/orphaned stops the failing rotations',
    );
    expect(table.lines).toContain(
      'Function gone does not exist, and 1 secret naming it as rotation function has rotation off (left from a deleted stack?); not checked: momento/leftover. If this project rotated them, redeploy it.',
    );
    expect(table.lines.at(-1)).toBe('error: 1 of 1 secret failed.');
  });

  it('a bare v2 key: its days left and key id from its own claims, and the fix imports it from stdin with the management key', async () => {
    const key = fakeV2Key({ exp: NOW_S + 40 * 86_400 });
    const { exitCode, report, } = await run(plant([{ name: 'momento/bare', value: key }]));
    expect(bySecret(report!)['momento/bare']).toMatchObject({
      key: 'v2 bare',
      keyId: jtiOf(key),
      daysLeft: 40,
      validUntil: new Date((NOW_S + 40 * 86_400) * 1000).toISOString(),
      verdict: 'fail',
      reasons: ['AWSCURRENT cannot be rotated: a bare v2 key, without the endpoint and role that minting its successor needs'],
      actions: ['import the key again, which derives them: echo -n "$KEY" | momento-secret-rotation import --secret-id momento/bare --management-secret-id NAME'],
    });
    expect(exitCode).toBe(1);

    // Its exp is judged as any v2 key's: expiring before the next rotation fails too.
    const soon = await run(plant([{ name: 'momento/bare', value: fakeV2Key({ exp: NOW_S + 10 * 86_400 }), nextRotationInDays: 20 }]));
    expect(soon.report!.secrets[0]!.reasons).toEqual([expect.stringMatching(/^AWSCURRENT cannot be rotated: a bare v2 key/), expect.stringMatching(/, before the next rotation /)]);
  });

  describe('--check-keys over stacks of two Momento accounts (each stack with its own ManagementSecretArn)', () => {
    afterEach(() => vi.unstubAllGlobals());
    const exp = NOW_S + 60 * 86_400;
    const stored = (apiKey: string) => v2File(60, apiKey);
    const management = (secret: string): SecretListEntry => ({ ARN: secretArn(secret), Name: secret, LastChangedDate: new Date(NOW - 9 * DAY_MS) });
    /** GET /api-keys with the prod management key: the prod account's keys, unexpired (src/momento/http-key-management.ts: Momento's api-keys HTTP API). */
    const prodAccountLists = (keys: readonly string[]) =>
      vi.stubGlobal('fetch', async () =>
        new Response(JSON.stringify({ key_info: keys.map((k) => ({ key_id: jtiOf(k), role_id: APP_ROLE_ID, description: 'console', expires_at_epoch_seconds: exp })) }), { status: 200 }),
      );

    function twoStacks(staging: 'its own management secret' | 'unreadable' = 'its own management secret') {
      const keys = { prod: fakeV2Key({ exp }), staging: fakeV2Key({ exp }), management: fakeV2Key({ exp }) };
      const planted = plant(
        [
          { name: 'momento/prod', value: stored(keys.prod), function: 'rot-prod' },
          { name: 'momento/staging', value: stored(keys.staging), function: 'rot-staging' },
        ],
        { others: [management('momento/prod-management'), management('momento/staging-management')] },
      );
      // Secrets Manager takes a secret's name, ARN or partial ARN (its ARN without "-" and the six random characters).
      for (const id of ['momento/prod-management', secretArn('momento/prod-management'), secretArn('momento/prod-management').slice(0, -7)]) {
        planted.sm.on(GetSecretValueCommand, { SecretId: id }).resolves({ ARN: secretArn('momento/prod-management'), VersionId: 'm', SecretString: JSON.stringify({ apiKey: keys.management }) });
      }
      // Each stack's function as the template deploys it: MOMENTO_MANAGEMENT_SECRET_ARN is its ManagementSecretArn.
      const env = (secret: string) => ({ Environment: { Variables: { MOMENTO_MANAGEMENT_SECRET_ARN: secretArn(secret) } } });
      planted.lm.on(GetFunctionConfigurationCommand, { FunctionName: functionArn('rot-prod') }).resolves(env('momento/prod-management'));
      if (staging === 'unreadable') {
        planted.lm
          .on(GetFunctionConfigurationCommand, { FunctionName: functionArn('rot-staging') })
          .rejects(Object.assign(new Error('User is not authorized to perform: lambda:GetFunctionConfiguration'), { name: 'AccessDeniedException' }));
      } else {
        planted.lm.on(GetFunctionConfigurationCommand, { FunctionName: functionArn('rot-staging') }).resolves(env('momento/staging-management'));
      }
      return { planted, keys };
    }

    it("a key of the other account, which this management key's listing lacks, is not checked (not \"revoked\"): exit 0", async () => {
      const { planted, keys } = twoStacks();
      prodAccountLists([keys.prod, keys.management]);
      const { exitCode, report } = await run(planted, { checkKeysWith: 'momento/prod-management' });
      const s = bySecret(report!);
      expect(s['momento/prod']).toMatchObject({ atMomento: 'live', verdict: 'ok' });
      expect(s['momento/staging']).toMatchObject({
        atMomento: 'not checked',
        whyNotCheckedAtMomento: `function rot-staging uses another management secret, ${secretArn('momento/staging-management')} (maybe another Momento account), whose listing was not read`,
        verdict: 'ok',
        reasons: [],
      });
      expect(exitCode).toBe(0);
      // Only the function whose key the listing lacks is asked which management secret it uses.
      expect(planted.lm.commandCalls(GetFunctionConfigurationCommand).map((c) => c.args[0].input.FunctionName)).toEqual([functionArn('rot-staging')]);
      expect(report!.functions.find((f) => f.name === 'rot-staging')!.managementSecret).toEqual({ id: secretArn('momento/staging-management'), same: false });

      const table = await run(twoStacks().planted, { json: false, checkKeysWith: 'momento/prod-management' });
      expect(table.lines.find((l) => l.startsWith('momento/staging '))).toMatch(/\s+not checked\s+ok$/);
      expect(table.lines).toContain(
        `Not checked at Momento: 1 v2 key that momento/prod-management's account does not list (momento/staging). Function rot-staging uses another management secret, ${secretArn('momento/staging-management')}: ` +
          `momento-secret-rotation status --all --check-keys --management-secret-id ${secretArn('momento/staging-management')} checks them.`,
      );
    });

    it('a key missing from the listing of the management secret its own function uses (named, or by ARN) is revoked or expired: fail', async () => {
      for (const given of ['momento/prod-management', secretArn('momento/prod-management'), secretArn('momento/prod-management').slice(0, -7)]) {
        const { planted, keys } = twoStacks();
        prodAccountLists([keys.management]); // the prod key was revoked
        const { exitCode, report } = await run(planted, { checkKeysWith: given });
        expect(bySecret(report!)['momento/prod'], given).toMatchObject({
          atMomento: 'not live',
          verdict: 'fail',
          reasons: [`key ${jtiOf(keys.prod)} is revoked or expired at Momento`],
        });
        expect(bySecret(report!)['momento/staging']).toMatchObject({ atMomento: 'not checked', verdict: 'ok' });
        expect(exitCode).toBe(1);
      }
    });

    it("a function whose configuration cannot be read leaves its unlisted keys unchecked, and says which permission: exit 1", async () => {
      const { planted, keys } = twoStacks('unreadable');
      prodAccountLists([keys.prod, keys.management]);
      const { exitCode, report, lines } = await run(planted, { checkKeysWith: 'momento/prod-management' });
      expect(bySecret(report!)['momento/staging']).toMatchObject({ atMomento: 'not checked', verdict: 'ok', whyNotCheckedAtMomento: expect.stringMatching(/^which management secret function rot-staging uses could not be read \(AccessDeniedException: /) });
      expect(exitCode).toBe(1);
      expect(lines.at(-1)).toBe(
        'error: Could not read which management secret 1 function (rot-staging) uses, so 1 v2 key that Momento does not list went unchecked: grant lambda:GetFunctionConfiguration on them.',
      );
    });
  });

  describe('never prints a key', () => {
    const swapped = () => {
      const key = fakeV2Key({ exp: NOW_S + 60 * 86_400 });
      return { key, value: JSON.stringify({ apiKey: ENDPOINT, endpoint: key }) };
    };

    it('not even one stored in the wrong field ({"apiKey": <endpoint>, "endpoint": <key>}, values swapped by hand), in the table or --json', async () => {
      const table = await run(plant([{ name: 'momento/swapped', value: swapped().value }]), { json: false });
      expect(table.lines.find((l) => l.startsWith('momento/swapped '))).toContain('AWSCURRENT cannot be rotated: "endpoint" is not a host name');
      const { report } = await run(plant([{ name: 'momento/swapped', value: swapped().value }]));
      expect(report!.secrets[0]!.reasons[0]).toMatch(/^AWSCURRENT cannot be rotated: "endpoint" is not a host name/);
    });

    it('whatever a message quotes: its output goes through scrub, which knows every key it read (here a parse problem that quoted the field)', async () => {
      vi.resetModules();
      // As parseKeyFile's problem read while parseRegionEndpoint quoted its input (before src/secret/key-file.ts stopped it).
      vi.doMock('../../../src/secret/key-file.js', async (importOriginal) => ({
        ...(await importOriginal<typeof import('../../../src/secret/key-file.js')>()),
        parseKeyFile: (text: string) => ({ ok: false, reason: 'invalid', problem: `"endpoint" "${(JSON.parse(text) as { endpoint: string }).endpoint}" is not a host name` }),
      }));
      try {
        const { statusAll: quotingStatusAll } = await import('../../../src/cli/commands/status-all.js');
        // A fleet of them: more keys than redact.ts remembers at once (its latest 256), each one scrubbed all the same.
        const planted = plant(Array.from({ length: 300 }, (_, i) => ({ name: `momento/swapped-${String(i).padStart(3, '0')}`, value: swapped().value })));
        for (const json of [false, true]) {
          const lines: string[] = [];
          await quotingStatusAll(planted.client, planted.lambda, { json, now: NOW }, { out: (l) => lines.push(l), err: (l) => lines.push(l) }).catch(() => undefined);
          expect(leakedSecrets(lines.join('\n'))).toEqual([]);
          const reason = json ? (JSON.parse(lines[0]!) as FleetReport).secrets[0]!.reasons[0] : lines.find((l) => l.startsWith('momento/swapped-000 '));
          expect(reason).toContain('AWSCURRENT cannot be rotated: "endpoint" "[REDACTED]" is not a host name');
        }
      } finally {
        vi.doUnmock('../../../src/secret/key-file.js');
        vi.resetModules();
      }
    });
  });
});
