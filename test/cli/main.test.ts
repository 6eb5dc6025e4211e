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

describe('runCli: help and usage (exit 2, before any AWS call)', () => {
  it.each([
    [[], 'momento-secret-rotation: operate the rotation'],
    [['--help'], 'Commands:\n  import'],
    [['help'], 'Commands:\n  import'],
    [['help', 'status'], 'Usage: momento-secret-rotation status --secret-id NAME [--json] [--management-secret-id NAME]'],
    [['import', '--help'], 'Usage: echo -n "$KEY" | momento-secret-rotation import --secret-id NAME --management-secret-id NAME\n       momento-secret-rotation import --secret-id NAME [--file PATH] [options]'],
    [['rotate', '-h'], 'Usage: momento-secret-rotation rotate --secret-id NAME [--no-wait] [--timeout SECONDS]'],
    [['doctor', '--help'], 'Usage: momento-secret-rotation doctor --secret-id NAME [--management-secret-id NAME] [--json]\n\nA read-only preflight: it makes no write call of any kind, and never prints a key or a token.'],
    [['--help'], '  doctor   check a secret\'s rotation before it fails'],
    [['repair', '--help'], 'Usage: momento-secret-rotation repair --secret-id NAME [--yes] [--force]'],
    [['revoke', '--help'], 'Usage: momento-secret-rotation revoke --key-id ID --management-secret-id NAME [--force]'],
    [['help', 'retire'], 'Usage: momento-secret-rotation retire --secret-id NAME --management-secret-id NAME [--yes]'],
    [['migrate', '--help'], 'Usage: momento-secret-rotation migrate --secret-id NAME --role NAME|ID [--management-secret-id NAME] [--endpoint URL|HOST] [--rotate]'],
  ])('%j prints help and exits 0', async (args, text) => {
    const result = await cli(args);
    expect(result.code).toBe(0);
    expect(result.out).toContain(text);
    expect(result.err).toBe('');
    expect(sm.calls()).toHaveLength(0);
  });

  it.each([
    ['import', ['--role NAME|ID', '--role-id ID', '--endpoint URL|HOST', '--management-secret-id NAME', '--key-id ID', '--file PATH']],
    ['migrate', ['--role NAME|ID', '--role-id ID', '--endpoint URL|HOST', '--management-secret-id NAME', '--rotate']],
  ])('%s --help lists the options a v2 key needs: %j', async (command, options) => {
    const result = await cli([command as string, '--help']);
    expect(result.code).toBe(0);
    // Each as an option line of its own: "  --role NAME|ID   what it does".
    for (const option of options as string[]) expect(result.out).toMatch(new RegExp(`^  ${option.replace(/[|]/g, '\\|')}  +\\S`, 'm'));
    // And where an endpoint comes from: Momento's regions page, as pasted.
    expect(result.out).toMatch(/--endpoint URL\|HOST +.*regions page/);
  });

  it('ends every command\'s help with the common options and exit codes', async () => {
    for (const command of ['import', 'status', 'rotate', 'revoke', 'retire', 'repair', 'migrate']) {
      expect((await cli([command, '--help'])).out).toContain('Exit codes: 0 ok, 1 failure, 2 usage.');
    }
  });

  it.each([
    [['help', 'nope'], 'Unknown command "nope".'],
    [['nope', '--secret-id', 's'], 'Unknown command "nope". Commands: import, doctor, status, rotate, revoke, retire, repair, migrate.'],
    [['revoke', '--management-secret-id', 'm'], "revoke needs --key-id (the key's id: its jti claim, as status shows it under KEY ID)."],
    [['revoke', '--key-id', 'k'], 'revoke needs --management-secret-id (the secret holding the management key).'],
    [['revoke', '--key-id', 'k', '--management-secret-id', 'm', '--secret-id', 's'], 'revoke does not take --secret-id: it acts on a key, by --key-id'],
    [['revoke', '--key-id', 'a/b', '--management-secret-id', 'm'], '--key-id takes a key id (its jti claim, as status shows it under KEY ID), not "a/b".'],
    [['retire', '--secret-id', 's'], 'retire needs --management-secret-id (the secret holding the management key, which revokes the keys).'],
    [['retire', '--management-secret-id', 'm', '--yes'], "retire needs --secret-id (the secret's name or ARN)."],
    [['import', '--secret-id', 's', '--force'], 'import does not take --force.'],
    [['status', 'extra', '--secret-id', 's'], 'Unexpected argument "extra".'],
    [['status', '--secret-id', 's', '--yes'], 'status does not take --yes.'],
    [['repair', '--secret-id', 's', '--json'], 'repair does not take --json.'],
    [['status'], 'status needs --secret-id (the secret\'s name or ARN).'],
    [['status', '--secret-id', ''], 'status needs --secret-id (the secret\'s name or ARN).'],
    [['import', '--secret-id', 's', '--tag', 'noequals'], '--tag takes KEY=VALUE, got "noequals".'],
    [['import', '--secret-id', 's', '--tag', '=value'], '--tag takes KEY=VALUE, got "=value".'],
    [['rotate', '--secret-id', 's', '--timeout', '0'], '--timeout takes a whole number of seconds, got "0".'],
    [['rotate', '--secret-id', 's', '--timeout', '1.5'], '--timeout takes a whole number of seconds, got "1.5".'],
    [['migrate', '--secret-id', 's', '--role-id', 'r', '--endpoint', 'e', '--timeout', 'x'], '--timeout takes a whole number of seconds, got "x".'],
    [['rotate', '--secret-id', 's', '--revoke-previous'], '--revoke-previous needs --management-secret-id (the secret holding the management key).'],
    [['rotate', '--secret-id', 's', '--management-secret-id', 'm'], '--management-secret-id is only for --revoke-previous.'],
    [['rotate', '--secret-id', 's', '--revoke-previous', '--management-secret-id', 'm', '--no-wait'], '--revoke-previous waits for the rotation, to revoke only once AWSCURRENT has moved: drop --no-wait.'],
    [['migrate', '--secret-id', 's'], 'migrate needs --role (the role the v2 keys get, by name or id).'],
    [['migrate', '--secret-id', 's', '--endpoint', 'e'], 'migrate needs --role (the role the v2 keys get, by name or id).'],
    [['migrate', '--secret-id', 's', '--role', ''], 'migrate needs --role (the role the v2 keys get, by name or id).'],
    [['migrate', '--secret-id', 's', '--role', 'app-readwrite', '--role-id', 'r-5c1e0a7b'], 'Pass --role or --role-id, not both.'],
    [['status', '--secret-id', 's', '--role', 'r-owner'], 'status does not take --role.'],
    [['rotate', '--secret-id', 's', '--endpoint', 'e'], 'rotate does not take --endpoint.'],
  ])('%j exits 2: %s', async (args, message) => {
    const result = await cli(args);
    expect(result).toMatchObject({ code: 2, out: '' });
    expect(result.err).toContain(message);
    expect(sm.calls()).toHaveLength(0);
  });

  it('exits 2 for an option it does not know, saying which', async () => {
    const result = await cli(['status', '--secret-id', 's', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/--bogus/);
  });
});
