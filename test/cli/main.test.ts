import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { consoleKeyFile } from '../support/secrets.js';

// Exit codes and verdicts, with Secrets Manager mocked: scripts rely on exit 1 for any failure.
const sm = mockClient(SecretsManagerClient);
let saved: string | undefined;
beforeEach(() => {
  saved = process.env.AWS_REGION;
  process.env.AWS_REGION = 'us-east-1';
});
afterEach(() => {
  sm.reset();
  process.env.AWS_REGION = saved;
});

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) }, async () => '');
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/api-key-AbCdEf';

describe('runCli', () => {
  it.each([
    ['an Error', () => new Error('socket exploded')],
    ['a TypeError', () => new TypeError('cannot read properties of undefined')],
    ['an AWS error it does not know', () => Object.assign(new Error('weird'), { name: 'SomethingNewException' })],
  ])('exits 1 on an unexpected failure (%s), naming it', async (_label, make) => {
    sm.on(DescribeSecretCommand).rejects(make());
    const result = await cli(['status', '--secret-id', ARN]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^(Error|TypeError|SomethingNewException): /);
  });

  it('exits 1 when a rotation ends without promoting the new key, saying AWSCURRENT is unchanged', async () => {
    const current = { ARN, Name: 'momento/api-key', RotationEnabled: true, RotationLambdaARN: 'arn:aws:lambda:us-east-1:123456789012:function:rotation' };
    sm.on(DescribeSecretCommand).resolves({ ...current, VersionIdsToStages: { v1: ['AWSCURRENT'] } });
    sm.on(ListSecretVersionIdsCommand).resolves({ Versions: [] });
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(consoleKeyFile()) });
    sm.on(RotateSecretCommand).resolves({ VersionId: 'new-version' }); // and AWSPENDING never appears on it: abandoned
    const result = await cli(['rotate', '--secret-id', ARN]);
    expect(result.code).toBe(1);
    expect(result.out).toContain('Rotation started: new version new-version.');
    expect(result.out).not.toMatch(/Done/);
    expect(result.err).toMatch(/ended without promoting version new-version: AWSCURRENT is unchanged/);
  });
});
