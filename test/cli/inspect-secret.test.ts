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
