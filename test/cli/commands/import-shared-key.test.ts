import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { APP_ROLE_ID } from '../../support/momento-roles.js';
import { literal, useLocalCli, v2Value } from '../local-cli.js';

// `import` of a v2 key that AWSCURRENT of another secret in the Region already holds: one key, one secret.
const { stack, cli, name, current, exists } = useLocalCli('import-shared');

const SHARING =
  "when either secret rotates the key out, the rotation function may revoke it (if it was minted for that secret, or RevokeImportedKeys is on), and the other secret's applications stop authenticating. " +
  'Each secret should have a key of its own';

describe('import of a key another secret holds', () => {
  it('is refused, naming that secret, storing nothing (a new secret, or over an existing one)', async () => {
    const holderName = name('holder');
    const { key } = await stack().storeV2Key(holderName);
    const refusal =
      `AWSCURRENT of secret ${holderName} already holds key ${key.keyId}. Two secrets sharing one key break each other: ${SHARING}: ` +
      'create a new key in the Momento console for this secret. To store this one anyway, pass --shared-key (nothing was stored).';

    const secretName = name('new');
    const created = await cli(['import', '--secret-id', secretName, '--role', APP_ROLE_ID], key.apiKey);
    expect(created).toMatchObject({ code: 1, out: '' });
    expect(created.err.split('\n').at(-1)).toBe(refusal);
    expect(await exists(secretName)).toBe(false);

    const existing = await stack().storeV2Key(name('existing'));
    const stages = await stack().service.stages(existing.arn);
    const management = await stack().storeManagementKey(name('mgmt'));
    const over = await cli(['import', '--secret-id', existing.arn, '--management-secret-id', management.arn], key.apiKey);
    expect(over).toEqual({ code: 1, out: '', err: refusal });
    expect(await stack().service.stages(existing.arn)).toEqual(stages);
    expect((await current(existing.arn)).apiKey).toBe(existing.key.apiKey);
  });

  it('with --shared-key, is stored, with a warning that says what sharing means', async () => {
    const holderName = name('holder');
    const { key } = await stack().storeV2Key(holderName);
    const secretName = name('shared');
    const result = await cli(['import', '--secret-id', secretName, '--role', APP_ROLE_ID, '--shared-key'], key.apiKey);
    expect(result.code).toBe(0);
    expect(result.err.split('\n')).toContain(
      `Warning: AWSCURRENT of secret ${holderName} already holds key ${key.keyId}, and this secret will hold it too (--shared-key). ` +
        `Sharing it: ${SHARING}; replace it with a new key when you can.`,
    );
    expect(await current(secretName)).toMatchObject({ apiKey: key.apiKey, keyId: key.keyId });
  });

  it('finds the key held as a bare key: importing the management key into an application\'s secret is refused', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    const bareName = name('bare-mgmt');
    await stack().createSecret(bareName, management.key.apiKey);
    const secretName = name('app');
    const result = await cli(['import', '--secret-id', secretName, '--role', APP_ROLE_ID], management.key.apiKey);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      new RegExp(`^AWSCURRENT of secrets (${literal(bareName)}, \\S+|\\S+, ${literal(bareName)}) already holds key ${management.key.keyId}\\. Two secrets sharing one key`, 'm'),
    );
    expect(await exists(secretName)).toBe(false);
  });

  it('is not refused when the only holder is the secret itself, or when another secret holds it only as AWSPREVIOUS', async () => {
    const self = await stack().storeV2Key(name('self'));
    const again = await cli(['import', '--secret-id', self.arn, '--role', APP_ROLE_ID], self.key.apiKey);
    expect(again).toMatchObject({ code: 0, err: expect.not.stringMatching(/already holds/) });

    const { arn, key } = await stack().storeV2Key(name('rotated-away'));
    await stack().service.client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: v2Value(stack().momento.issueV2Key()) }));
    const secretName = name('after-previous');
    const result = await cli(['import', '--secret-id', secretName, '--role', APP_ROLE_ID], key.apiKey);
    expect(result.code).toBe(0);
    expect(result.err).not.toMatch(/already holds/);
    expect((await current(secretName)).keyId).toBe(key.keyId);
  });

  it('--shared-key is for v2 keys (usage)', async () => {
    const result = await cli(['import', '--secret-id', name('v1'), '--shared-key'], JSON.stringify(stack().momento.issueKey()));
    expect(result).toMatchObject({ code: 2, err: expect.stringMatching(/^--endpoint, --role, --role-id, --key-id, --management-secret-id and --shared-key are for v2 keys; this is not one\./) });
  });

  it('--help explains --shared-key', async () => {
    const result = await cli(['import', '--help']);
    expect(result.out).toMatch(/--shared-key {17}v2: store a key another secret holds too\. When either secret rotates/);
    expect(result.out).toMatch(/A key that AWSCURRENT of another secret in this Region already holds is refused/);
  });
});
