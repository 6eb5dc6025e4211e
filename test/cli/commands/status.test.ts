import { describe, expect, it } from 'vitest';
import { APP_ROLE_ID } from '../../support/momento-roles.js';
import { fakeV2Key } from '../../support/secrets.js';
import { FAKE_V2_ENDPOINT } from '../../stand-ins/local-stack.js';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { mintedKeyDescription } from '../../../src/rotation/strategies/mint-v2.js';
import { literal, rotatedV2Secret, useLocalCli, v2Value } from '../local-cli.js';

// `status` on v2 keys whose stored fields and own claims (jti, exp) tell different stories.
const { stack, cli, name } = useLocalCli('status');

const now = () => Math.floor(Date.now() / 1000);
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
const NEVER_REVOKED =
  'WARNING  The AWSCURRENT key has no key id (its jti claim): it rotates, but it is never revoked by id. Once it leaves the secret, ' +
  'revoke it in the Momento console; while a version holds it, the function revokes no key of this secret.';

describe('status, a v2 key and what it says of itself', () => {
  it('warns that a v2 key without a jti is never revoked by id', async () => {
    const exp = now() + 30 * 86_400;
    const arn = await stack().createSecret(name('no-jti'), JSON.stringify({ apiKey: fakeV2Key({ jti: null, exp }), endpoint: FAKE_V2_ENDPOINT, roleId: APP_ROLE_ID, validUntil: exp }));
    const result = await cli(['status', '--secret-id', arn]);
    expect(result.code).toBe(0);
    expect(result.out.split('\n')).toContain(NEVER_REVOKED);
    // It still rotates (by minting): only revocation by id is lost. No key id is shown.
    expect(result.out).toMatch(new RegExp(`AWSCURRENT\\s+sha256:[0-9a-f]{8}\\s+-\\s+${APP_ROLE_ID}\\s+${literal(iso(exp))}\\s+29\\s+mint$`, 'm'));
    expect(result.out).not.toMatch(/AWSCURRENT: "keyId"/);

    const json = JSON.parse((await cli(['status', '--secret-id', arn, '--json'])).out);
    expect(json.warnings).toContain(NEVER_REVOKED.slice('WARNING  '.length));
  });

  it('does not give that warning for a key with a jti', async () => {
    const { arn } = await stack().storeV2Key(name('with-jti'));
    const result = await cli(['status', '--secret-id', arn]);
    expect(result.code).toBe(0);
    expect(result.out).not.toMatch(/never revoked by id/);
    expect(result.out).not.toMatch(/AWSCURRENT: /);
  });

  it('warns when the stored keyId and validUntil disagree with the key (jti, exp), and shows the key\'s own', async () => {
    const key = stack().momento.issueV2Key();
    const typedUntil = key.validUntil - 10 * 86_400;
    const arn = await stack().createSecret(
      name('conflict'),
      JSON.stringify({ apiKey: key.apiKey, endpoint: FAKE_V2_ENDPOINT, roleId: APP_ROLE_ID, keyId: 'k-typed-by-hand', validUntil: typedUntil }),
    );
    const result = await cli(['status', '--secret-id', arn]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(
      new RegExp(`^WARNING {2}AWSCURRENT: "keyId" says k-typed-by-hand, but the key's own id \\(its jti claim\\) is ${key.keyId}; the key's id is used\\. Import the key again to store what the key says\\.$`, 'm'),
    );
    expect(result.out).toMatch(
      new RegExp(
        `^WARNING {2}AWSCURRENT: "validUntil" says ${literal(iso(typedUntil))}, but the key expires at ${literal(iso(key.validUntil))} \\(its exp claim\\); the key's expiry is used\\. Import the key again`,
        'm',
      ),
    );
    // The row shows the key's id and expiry, not the typed ones.
    expect(result.out).toMatch(new RegExp(`AWSCURRENT\\s+sha256:[0-9a-f]{8}\\s+${key.keyId}\\s+${APP_ROLE_ID}\\s+${literal(iso(key.validUntil))}\\s+59\\s+mint$`, 'm'));
    expect(result.out).not.toContain('k-typed-by-hand  ');
    expect(result.out).not.toMatch(/never revoked by id/);

    const json = JSON.parse((await cli(['status', '--secret-id', arn, '--json'])).out);
    expect(json.versions[0]).toMatchObject({ keyId: key.keyId, validUntil: iso(key.validUntil), conflicts: [expect.stringMatching(/^"keyId" says k-typed-by-hand/), expect.stringMatching(/^"validUntil" says/)] });
  });

  it('warns of a stored keyId beside a key without a jti: both that it names no key of its own and that the key is never revoked by id', async () => {
    const exp = now() + 30 * 86_400;
    const arn = await stack().createSecret(name('no-jti-typed'), JSON.stringify({ apiKey: fakeV2Key({ jti: null, exp }), endpoint: FAKE_V2_ENDPOINT, roleId: APP_ROLE_ID, keyId: 'k-typed-by-hand' }));
    const result = await cli(['status', '--secret-id', arn]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^WARNING {2}AWSCURRENT: "keyId" says k-typed-by-hand, but the key has no key id \(jti claim\): it is never revoked by id\. Import the key again/m);
    expect(result.out.split('\n')).toContain(NEVER_REVOKED);
  });
});

describe('status --management-secret-id: keys that left the secret unrevoked', () => {
  const retiredWarning = (keyId: string, namedBy: string, management: string) =>
    `WARNING  Key ${keyId} left this secret but is still valid at Momento (key ${namedBy}, minted for this secret, replaced it). ` +
    'It was imported (not minted for this secret), and the rotation function revokes imported keys only with RevokeImportedKeys on. ' +
    `Once no application uses it, revoke it with: momento-secret-rotation revoke --key-id ${keyId} --management-secret-id ${management}`;

  it('lists an imported key that rotated out of every version and is still valid, with the command that revokes it; revoked, it is gone', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    const { arn, imported, minted } = await rotatedV2Secret(stack(), name('retired'), 2);
    const result = await cli(['status', '--secret-id', arn, '--management-secret-id', management.arn]);
    expect(result.code).toBe(0);
    expect(result.out.split('\n')).toContain(retiredWarning(imported.keyId, minted[0]!.keyId, management.arn));

    const json = JSON.parse((await cli(['status', '--secret-id', arn, '--json', '--management-secret-id', management.arn])).out);
    expect(json.momento.retiredNotRevoked).toEqual([{ keyId: imported.keyId, namedBy: minted[0]!.keyId, mintedForAnotherSecret: false, expiresAt: iso(imported.validUntil) }]);
    expect(json.momento.leftovers).toEqual([]);
    expect(json.warnings).toContain(retiredWarning(imported.keyId, minted[0]!.keyId, management.arn).slice('WARNING  '.length));

    // The printed command works (no secret holds the key any more), and then status has nothing to say of it.
    const revoked = await cli(['revoke', '--key-id', imported.keyId, '--management-secret-id', management.arn]);
    expect(revoked).toMatchObject({ code: 0, err: '' });
    const after = JSON.parse((await cli(['status', '--secret-id', arn, '--json', '--management-secret-id', management.arn])).out);
    expect(after.momento.retiredNotRevoked).toEqual([]);
  });

  it('does not list the imported key while AWSPREVIOUS holds it, nor once it is revoked or expired, nor keys minted for the secret (leftovers)', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    const once = await rotatedV2Secret(stack(), name('previous'), 1);
    const json = JSON.parse((await cli(['status', '--secret-id', once.arn, '--json', '--management-secret-id', management.arn])).out);
    expect(json.momento.retiredNotRevoked).toEqual([]);

    const twice = await rotatedV2Secret(stack(), name('gone'), 2);
    stack().momento.revoke(twice.imported.apiKey);
    const orphan = twice.orphan();
    const gone = JSON.parse((await cli(['status', '--secret-id', twice.arn, '--json', '--management-secret-id', management.arn])).out);
    expect(gone.momento.retiredNotRevoked).toEqual([]);
    expect(gone.momento.leftovers).toEqual([expect.objectContaining({ keyId: orphan.keyId })]);
  });

  it('says so when the retired key was minted for another secret (whose rotation revokes it), and never lists the management key', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    const secretName = name('from-other');
    const othersKey = stack().momento.issueV2Key({
      description: mintedKeyDescription({ arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:other-AbCdEf', name: 'other' }, randomUUID(), undefined),
    });
    const arn = await stack().createSecret(secretName, v2Value(othersKey));
    for (const predecessor of [othersKey.keyId, management.key.keyId]) {
      const version = randomUUID();
      const key = stack().momento.issueV2Key({ description: mintedKeyDescription({ arn, name: secretName }, version, predecessor) });
      await stack().service.client.send(new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: version, SecretString: v2Value(key) }));
    }
    const result = await cli(['status', '--secret-id', arn, '--management-secret-id', management.arn]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(
      new RegExp(
        `^WARNING {2}Key ${othersKey.keyId} left this secret but is still valid at Momento \\(key \\S+, minted for this secret, replaced it\\)\\. ` +
          'It was minted for another secret, whose own rotation revokes it once it leaves that secret; the function never revokes it from here\\. ' +
          `Once no application uses it, revoke it with: momento-secret-rotation revoke --key-id ${othersKey.keyId} --management-secret-id ${literal(management.arn)}$`,
        'm',
      ),
    );
    expect(result.out).not.toContain(`Key ${management.key.keyId} left this secret`);
  });
});
