import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { inspectSecret } from '../../src/cli/inspect-secret.js';
import { runCli } from '../../src/cli/main.js';
import { APP_ROLE_ID } from '../support/momento-roles.js';
import { consoleKeyFile, leakedSecrets } from '../support/secrets.js';

// What moto cannot show (it computes no next rotation date, enforces no IAM), with a mocked client.
const sm = mockClient(SecretsManagerClient);
afterEach(() => sm.reset());

const NOW = Date.parse('2026-11-22T00:00:00Z');
const DAY = 86_400_000;

function secretWith(file: object, nextRotation: Date) {
  sm.on(DescribeSecretCommand).resolves({
    ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/api-key-AbCdEf',
    Name: 'momento/api-key',
    RotationEnabled: true,
    RotationLambdaARN: 'arn:aws:lambda:us-east-1:123456789012:function:rotation',
    RotationRules: { ScheduleExpression: 'rate(30 days)' },
    NextRotationDate: nextRotation,
    VersionIdsToStages: { v1: ['AWSCURRENT'] },
  });
  sm.on(ListSecretVersionIdsCommand).resolves({ Versions: [{ VersionId: 'v1', VersionStages: ['AWSCURRENT'] }] });
  sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(file) });
}

describe('inspectSecret warnings', () => {
  it('warns when the key expires before the next scheduled rotation', async () => {
    secretWith(consoleKeyFile(10, NOW / 1000), new Date(NOW + 20 * DAY));
    const report = await inspectSecret(new SecretsManagerClient({ region: 'us-east-1' }), 'momento/api-key', NOW);
    expect(report.warnings).toEqual([expect.stringMatching(/expires at 2026-12-02T00:00:00.000Z, before the next scheduled rotation \(2026-12-12/)]);
  });

  it('does not warn when the next rotation comes first', async () => {
    secretWith(consoleKeyFile(30, NOW / 1000), new Date(NOW + 5 * DAY));
    const report = await inspectSecret(new SecretsManagerClient({ region: 'us-east-1' }), 'momento/api-key', NOW);
    expect(report.warnings).toEqual([]);
  });

  it('says an expired key must be replaced', async () => {
    secretWith(consoleKeyFile(-1, NOW / 1000), new Date(NOW + 5 * DAY));
    const report = await inspectSecret(new SecretsManagerClient({ region: 'us-east-1' }), 'momento/api-key', NOW);
    expect(report.warnings).toEqual([expect.stringMatching(/expired at .* Generate a new key in the Momento console and import it/)]);
  });
});

describe('runCli and AWS errors', () => {
  it('turns access denied into a message naming the secret, exit 1, with no secret in it', async () => {
    sm.on(DescribeSecretCommand).rejects(
      new SecretsManagerServiceException({ name: 'AccessDeniedException', message: 'User is not authorized to perform: secretsmanager:DescribeSecret', $fault: 'client', $metadata: {} }),
    );
    const err: string[] = [];
    const code = await runCli(['status', '--secret-id', 'momento/api-key', '--region', 'us-east-1'], { out: () => {}, err: (l) => err.push(l) });
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/^Access denied to secret "momento\/api-key": User is not authorized .* The caller needs secretsmanager permissions/);
    expect(leakedSecrets(err.join('\n'))).toEqual([]);
  });
});

describe('inspectSecret, every kind of version', () => {
  it('reports each version: what it holds, its key, how it rotates or why not', async () => {
    const { fakeV1Key, fakeV2Key } = await import('../support/secrets.js');
    const { fingerprint } = await import('../../src/observability/fingerprint.js');
    const v1 = consoleKeyFile(10, NOW / 1000);
    // The key's own claims: key id k1 (jti) and an expiry in 5 days (exp), as stored beside it.
    const v2Key = fakeV2Key({ jti: 'k1', exp: NOW / 1000 + 5 * 86_400 });
    const bare = fakeV1Key();
    const values: Record<string, string | undefined> = {
      current: JSON.stringify({ apiKey: v2Key, endpoint: 'cell-1.example', roleId: APP_ROLE_ID, keyId: 'k1', validUntil: NOW / 1000 + 5 * 86_400 }),
      previous: JSON.stringify(v1),
      noToken: JSON.stringify({ apiKey: v1.apiKey, validUntil: v1.validUntil }),
      v2Bare: JSON.stringify({ apiKey: fakeV2Key() }),
      notKey: JSON.stringify({ apiKey: 'not-a-momento-key-at-all' }),
      bare: ` ${bare}\n`,
      text: 'hello there',
    };
    sm.on(DescribeSecretCommand).resolves({
      Name: 'momento/api-key',
      RotationRules: { AutomaticallyAfterDays: 30, Duration: '2h' },
      LastRotatedDate: new Date(NOW - DAY),
      VersionIdsToStages: {
        current: ['AWSCURRENT'],
        previous: ['AWSPREVIOUS'],
        pending: ['AWSPENDING'],
        noToken: ['old-1'],
        v2Bare: ['old-2'],
        notKey: ['old-3'],
        bare: ['old-4'],
        text: ['old-5', 'b-label'],
        deprecated: [],
      },
    });
    sm.on(ListSecretVersionIdsCommand).resolves({ Versions: [{ VersionId: 'current', CreatedDate: new Date(NOW - 2 * DAY) }, {}] });
    sm.on(GetSecretValueCommand).callsFake(async (input: { VersionId: string }) => {
      const value = values[input.VersionId];
      if (value === undefined) throw Object.assign(new SecretsManagerServiceException({ name: 'ResourceNotFoundException', $fault: 'client', $metadata: {}, message: 'no value' }), {});
      return { SecretString: value };
    });
    const report = await inspectSecret(new SecretsManagerClient({ region: 'us-east-1' }), 'momento/api-key', NOW);
    expect(sm.commandCalls(ListSecretVersionIdsCommand)[0]!.args[0].input).toEqual({ SecretId: 'momento/api-key', IncludeDeprecated: false });
    expect(report).toMatchObject({
      arn: 'momento/api-key',
      name: 'momento/api-key',
      rotationEnabled: false,
      schedule: 'every 30 days',
      window: '2h',
      lastRotated: new Date(NOW - DAY).toISOString(),
      nextRotation: undefined,
      currentVersionId: 'current',
      pendingVersionId: 'pending',
    });
    const byId = Object.fromEntries(report.versions.map((v) => [v.versionId, v]));
    expect(Object.keys(byId)).toEqual(['current', 'previous', 'pending', 'noToken', 'v2Bare', 'notKey', 'bare', 'text']);
    expect(byId.current).toEqual({
      versionId: 'current', stages: ['AWSCURRENT'], created: new Date(NOW - 2 * DAY).toISOString(), holds: 'key-file', kind: 'v2', rotatesBy: 'mint',
      fingerprint: fingerprint(v2Key), keyId: 'k1', roleId: APP_ROLE_ID, validUntil: new Date(NOW + 5 * DAY).toISOString(), daysLeft: 5, refreshable: false, problem: undefined,
    });
    expect(byId.previous).toMatchObject({ holds: 'key-file', kind: 'v1', rotatesBy: 'refresh', refreshable: true, problem: undefined, created: undefined });
    expect(byId.previous).not.toHaveProperty('keyId');
    expect(byId.previous).not.toHaveProperty('roleId');
    expect(byId.pending).toEqual({ versionId: 'pending', stages: ['AWSPENDING'], created: undefined, fingerprint: undefined, validUntil: undefined, daysLeft: undefined, refreshable: false, rotatesBy: undefined, holds: 'no-value', problem: 'no value (a rotation has not stored one yet)' });
    expect(byId.noToken).toMatchObject({ kind: 'v1', rotatesBy: undefined, refreshable: false, problem: 'no refresh token' });
    expect(byId.v2Bare).toMatchObject({ kind: 'v2', rotatesBy: undefined, refreshable: false, problem: 'a v2 key without "endpoint" and "roleId", which minting its successor needs' });
    expect(byId.notKey).toMatchObject({ kind: 'unrecognised', rotatesBy: undefined, refreshable: false, problem: 'not a Momento API key' });
    expect(byId.bare).toMatchObject({ holds: 'bare-key', fingerprint: fingerprint(bare), refreshable: false, rotatesBy: undefined, problem: 'a bare key, without its refresh token' });
    expect(byId.text).toMatchObject({ holds: 'other', stages: ['b-label', 'old-5'], fingerprint: undefined, problem: 'the value is not a JSON object' });
    expect(report.warnings.join('\n')).toMatch(/Automatic rotation is off/);
  });

  it('says that no version holds AWSCURRENT', async () => {
    sm.on(DescribeSecretCommand).resolves({ Name: 'momento/api-key', RotationEnabled: true, VersionIdsToStages: { v1: ['AWSPENDING'] } });
    sm.on(ListSecretVersionIdsCommand).resolves({});
    sm.on(GetSecretValueCommand).resolves({});
    const report = await inspectSecret(new SecretsManagerClient({ region: 'us-east-1' }), 'momento/api-key', NOW);
    expect(report.currentVersionId).toBeUndefined();
    expect(report.pendingVersionId).toBe('v1');
    expect(report.warnings).toContain('No version holds AWSCURRENT with a value: import a key with `momento-secret-rotation import`.');
  });

  it('passes on a read error other than a missing value', async () => {
    sm.on(DescribeSecretCommand).resolves({ Name: 'momento/api-key', VersionIdsToStages: { v1: ['AWSCURRENT'] } });
    sm.on(ListSecretVersionIdsCommand).resolves({ Versions: [] });
    sm.on(GetSecretValueCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(inspectSecret(new SecretsManagerClient({ region: 'us-east-1' }), 'momento/api-key', NOW)).rejects.toThrow('denied');
  });
});
