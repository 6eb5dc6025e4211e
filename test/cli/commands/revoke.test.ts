import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { FaultProxy } from '../../stand-ins/fault-proxy.js';
import { FAKE_V2_ENDPOINT } from '../../stand-ins/local-stack.js';
import { literal, useLocalCli } from '../local-cli.js';

// `revoke --key-id ID --management-secret-id NAME [--force]` against moto_server and the fake Momento.
// A moto of its own: revoke reads every secret in the Region (see rotate-revoke-previous.test.ts).
const { stack, cli, name, exists } = useLocalCli('revoke', { privateMoto: true });

const revoked = (keyId: string) => `Revoked key ${keyId}: Momento no longer accepts it.`;

describe('revoke', () => {
  it('revokes a key that no secret holds: Momento no longer accepts it', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    const key = stack().momento.issueV2Key(); // made in the console, never stored
    const result = await cli(['revoke', '--key-id', key.keyId, '--management-secret-id', management.arn]);
    expect(result).toEqual({ code: 0, out: revoked(key.keyId), err: '' });
    expect(stack().momento.accepts(key.apiKey)).toBe(false);
    expect(stack().momento.accepts(management.key.apiKey)).toBe(true);
  });

  it('reports a key Momento does not know as already revoked or expired (exit 0)', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    const key = stack().momento.issueV2Key();
    stack().momento.revoke(key.apiKey);
    const result = await cli(['revoke', '--key-id', key.keyId, '--management-secret-id', management.arn]);
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      `Key ${key.keyId} was already revoked or has expired: Momento does not know it (nor would it know a key of another account than the management key's). Nothing to do.`,
    );
  });

  it('refuses a key that AWSCURRENT of a secret holds, naming the secret and saying how to rotate first (with --region as given); revokes nothing', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    const holderName = name('holder');
    const { key } = await stack().storeV2Key(holderName);
    const revokesBefore = stack().momento.keyApiCalls.revoke;
    const result = await cli(['revoke', '--key-id', key.keyId, '--management-secret-id', management.arn, '--region', 'us-east-1']);
    expect(result).toMatchObject({ code: 1, out: '' });
    expect(result.err).toBe(
      `Key ${key.keyId} is what AWSCURRENT of secret ${holderName} holds: revoking it would stop every application reading that secret from authenticating. ` +
        `Nothing was revoked. Rotate first: momento-secret-rotation rotate --secret-id ${holderName} --revoke-previous --management-secret-id ${management.arn} --region us-east-1 ` +
        "revokes it as soon as AWSCURRENT has moved to a new key, when it is the key of that secret's key file (otherwise store a new key in the secret, then run this again). " +
          'To revoke it now anyway, pass --force.',
    );
    expect(stack().momento.accepts(key.apiKey)).toBe(true);
    expect(stack().momento.keyApiCalls.revoke).toBe(revokesBefore); // never asked
  });

  it('finds a key held as a bare key, and names every secret holding it', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    const key = stack().momento.issueV2Key();
    const bare = name('bare');
    const file = name('file');
    await stack().createSecret(bare, key.apiKey);
    await stack().createSecret(file, JSON.stringify({ apiKey: key.apiKey, endpoint: FAKE_V2_ENDPOINT, roleId: key.roleId }));
    const result = await cli(['revoke', '--key-id', key.keyId, '--management-secret-id', management.arn]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(new RegExp(`^Key ${key.keyId} is what AWSCURRENT of secrets (${literal(bare)}, ${literal(file)}|${literal(file)}, ${literal(bare)}) holds: revoking it would stop every application reading them`));
    expect(stack().momento.accepts(key.apiKey)).toBe(true);
  });

  it('with --force, revokes a key AWSCURRENT holds, warning that the secret\'s applications stop authenticating', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    const secretName = name('forced');
    const { arn, key } = await stack().storeV2Key(secretName);
    const result = await cli(['revoke', '--key-id', key.keyId, '--management-secret-id', management.arn, '--force']);
    expect(result).toMatchObject({ code: 0, out: revoked(key.keyId) });
    expect(result.err).toBe(
      `Warning: AWSCURRENT of secret ${secretName} holds key ${key.keyId}: its applications stop authenticating until it rotates ` +
        `(momento-secret-rotation rotate --secret-id ${secretName}). Revoking it anyway (--force).`,
    );
    expect(stack().momento.accepts(key.apiKey)).toBe(false);
    expect(await stack().currentKeyWorks(arn)).toBe(false);
  });

  it('a secret it cannot read may hold the key: refused, revoking nothing; with --force, revoked with a warning naming it', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    const key = stack().momento.issueV2Key();
    const lockedName = name('locked');
    const locked = await stack().storeV2Key(lockedName);
    const proxy = await FaultProxy.start(stack().moto.endpoint);
    try {
      proxy.failNext('GetSecretValue', 1, { kind: 'denied' }, locked.arn);
      const refused = await cli(['revoke', '--key-id', key.keyId, '--management-secret-id', management.arn], '', proxy.endpoint);
      expect(refused).toEqual({
        code: 1,
        out: '',
        err:
          `Could not check that no secret holds key ${key.keyId}: AWSCURRENT of 1 secret in us-east-1 could not be read (${lockedName}: AccessDeniedException), ` +
          'and one of them may hold it. Nothing was revoked. Run it with GetSecretValue (and kms:Decrypt) on those secrets, or pass --force to revoke it without checking them.',
      });
      expect(stack().momento.accepts(key.apiKey)).toBe(true);

      proxy.failNext('GetSecretValue', 1, { kind: 'denied' }, locked.arn);
      const forced = await cli(['revoke', '--key-id', key.keyId, '--management-secret-id', management.arn, '--force'], '', proxy.endpoint);
      expect(forced).toEqual({
        code: 0,
        out: revoked(key.keyId),
        err:
          `Warning: AWSCURRENT of 1 secret in us-east-1 could not be read (${lockedName}: AccessDeniedException): if one of them holds key ${key.keyId}, ` +
          'its applications stop authenticating. Revoking it anyway (--force).',
      });
      expect(stack().momento.accepts(key.apiKey)).toBe(false);
    } finally {
      await proxy.stop();
    }
  });

  it('revokes a key that only AWSPREVIOUS holds (applications read AWSCURRENT)', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    const { arn, key } = await stack().storeV2Key(name('previous'));
    const next = stack().momento.issueV2Key();
    await stack().service.client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ apiKey: next.apiKey, endpoint: FAKE_V2_ENDPOINT, roleId: next.roleId }) }));
    const result = await cli(['revoke', '--key-id', key.keyId, '--management-secret-id', management.arn]);
    expect(result).toEqual({ code: 0, out: revoked(key.keyId), err: '' });
    expect(await stack().currentKeyWorks(arn)).toBe(true);
  });

  it('refuses the management key itself, even with --force', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    for (const force of [[], ['--force']]) {
      const result = await cli(['revoke', '--key-id', management.key.keyId, '--management-secret-id', management.arn, ...force]);
      expect(result).toMatchObject({ code: 1, out: '' });
      expect(result.err).toBe(
        `Key ${management.key.keyId} is the management key itself (AWSCURRENT of ${management.arn}): revoking it would stop every rotation ` +
          `and every command that uses it. Nothing was revoked, and --force does not change that. To retire it, store a new ` +
          `management key in ${management.arn} first, then revoke this one.`,
      );
    }
    expect(stack().momento.accepts(management.key.apiKey)).toBe(true);
  });

  it('says why Momento did not revoke: the management key rejected, or the API not answering', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    const key = stack().momento.issueV2Key();
    stack().momento.failNextKeyApi('revoke', 8, { kind: 'error500' }, management.key.lineage);
    const unavailable = await cli(['revoke', '--key-id', key.keyId, '--management-secret-id', management.arn]);
    expect(unavailable).toMatchObject({ code: 1, out: '' });
    expect(unavailable.err).toMatch(new RegExp(`^Could not revoke key ${key.keyId}: Momento's key-management API did not answer, after retries: try again\\.$`, 'm'));
    expect(stack().momento.accepts(key.apiKey)).toBe(true);

    stack().momento.revoke(management.key.apiKey);
    const rejected = await cli(['revoke', '--key-id', key.keyId, '--management-secret-id', management.arn]);
    expect(rejected).toEqual({
      code: 1,
      out: '',
      err: `Could not revoke key ${key.keyId}: the management key is invalid or expired: store a new one in the management secret.`,
    });
    expect(stack().momento.accepts(key.apiKey)).toBe(true);
  }, 60_000);

  it('names the management secret when it does not exist', async () => {
    const missing = name('no-such-mgmt');
    const result = await cli(['revoke', '--key-id', 'k-1', '--management-secret-id', missing]);
    expect(result).toEqual({
      code: 1,
      out: '',
      err: `The management secret: Secrets Manager has no secret "${missing}" in this Region and account. Check the name or ARN, --region and --profile.`,
    });
    expect(await exists(missing)).toBe(false);
  });

  it.each([
    [['revoke', '--management-secret-id', 'm'], /^revoke needs --key-id \(the key's id: its jti claim, as status shows it under KEY ID\)\./],
    [['revoke', '--key-id', 'k-1'], /^revoke needs --management-secret-id \(the secret holding the management key\)\./],
    [['revoke', '--key-id', 'k 1', '--management-secret-id', 'm'], /^--key-id takes a key id/],
    [['revoke', '--key-id', 'k-1', '--management-secret-id', 'm', '--secret-id', 's'], /^revoke does not take --secret-id: it acts on a key, by --key-id, and reads every secret in the Region to find which ones hold it\./],
    [['revoke', '--key-id', 'k-1', '--management-secret-id', 'm', '--yes'], /^revoke does not take --yes\./],
  ])('usage: %j exits 2', async (args, message) => {
    const result = await cli(args);
    expect(result).toMatchObject({ code: 2, out: '' });
    expect(result.err).toMatch(message);
    expect(result.err).toMatch(/Run with --help for usage\.$/);
  });

  it('--help says what it refuses, and that --force does not cover the management key', async () => {
    const result = await cli(['revoke', '--help']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^Usage: momento-secret-rotation revoke --key-id ID --management-secret-id NAME \[--force\]$/m);
    expect(result.out).toMatch(/a key that AWSCURRENT of a secret holds, naming that secret/);
    expect(result.out).toMatch(/the management key itself, even with --force/);
    expect(result.out).not.toMatch(/--secret-id NAME/);
    expect((await cli(['--help'])).out).toMatch(/^ {2}revoke {3}revoke one v2 key at Momento by its key id/m);
  });
});
