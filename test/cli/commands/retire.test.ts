import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mintedKeyDescription } from '../../../src/rotation/strategies/mint-v2.js';
import { OPERATOR_ROLE_ID } from '../../support/momento-roles.js';
import { literal, rotatedV2Secret, useLocalCli, v2Value } from '../local-cli.js';

// `retire --secret-id NAME --management-secret-id NAME [--yes]`: before a secret is deleted, every
// live key minted for it is revoked, the ones it holds included.
const { stack, cli, name, exists } = useLocalCli('retire');

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/**
 * A secret rotated twice (imported key gone from its versions, minted[0] AWSPREVIOUS, minted[1]
 * AWSCURRENT), a key minted for a version it never stored, its rotation configured, a management
 * key, and a key minted for another secret.
 */
async function secretToRetire(label: string) {
  const management = await stack().storeManagementKey(name(`${label}-mgmt`));
  const secretName = name(label);
  const rotated = await rotatedV2Secret(stack(), secretName, 2);
  const orphan = rotated.orphan();
  await stack().service.endRotation(rotated.arn, await stack().service.startRotation(rotated.arn, false));
  const othersKey = stack().momento.issueV2Key({
    description: mintedKeyDescription({ arn: `${rotated.arn.slice(0, -7)}x-AbCdEf`, name: 'other' }, randomUUID(), undefined),
  });
  return { ...rotated, secretName, orphan, management, othersKey };
}

describe('retire', () => {
  it('without --yes, lists the keys it would revoke (AWSCURRENT\'s too), and what it leaves valid; revokes nothing', async () => {
    const { arn, secretName, imported, minted, orphan, management, othersKey } = await secretToRetire('dry');
    const revokesBefore = stack().momento.keyApiCalls.revoke;
    const result = await cli(['retire', '--secret-id', secretName, '--management-secret-id', management.arn]);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out.split('\n')).toEqual([
      `Would revoke 3 keys minted for ${secretName} (${arn}):`,
      `  ${minted[0]!.keyId}  AWSPREVIOUS, expires ${iso(minted[0]!.validUntil)}`,
      `  ${minted[1]!.keyId}  AWSCURRENT, expires ${iso(minted[1]!.validUntil)}`,
      `  ${orphan.keyId}  held by no version, expires ${iso(orphan.validUntil)}`,
      `One of them is the key AWSCURRENT holds: once it is revoked, applications still reading ${secretName} stop authenticating.`,
      `Not revoked: key ${imported.keyId} left this secret earlier (replaced by key ${minted[0]!.keyId}) and was not minted for it, so retire leaves it valid. ` +
        `Once the secret is deleted and no application uses it, revoke it with: momento-secret-rotation revoke --key-id ${imported.keyId} --management-secret-id ${management.arn}`,
      `Nothing was revoked. To revoke them, run again with --yes: momento-secret-rotation retire --secret-id ${secretName} --management-secret-id ${management.arn} --yes`,
    ]);
    expect(stack().momento.keyApiCalls.revoke).toBe(revokesBefore);
    for (const key of [imported, ...minted, orphan, othersKey]) expect(stack().momento.accepts(key.apiKey)).toBe(true);
  });

  it('with --yes, revokes every live key minted for the secret, AWSCURRENT\'s included, and says how to delete it; deletes nothing', async () => {
    const { arn, secretName, imported, minted, orphan, management, othersKey } = await secretToRetire('yes');
    const result = await cli(['retire', '--secret-id', arn, '--management-secret-id', management.arn, '--yes', '--region', 'us-east-1']);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out.split('\n')).toEqual([
      `Revoked key ${minted[0]!.keyId} (AWSPREVIOUS): Momento no longer accepts it.`,
      `Revoked key ${minted[1]!.keyId} (AWSCURRENT): Momento no longer accepts it.`,
      `Revoked key ${orphan.keyId}: Momento no longer accepts it.`,
      expect.stringMatching(new RegExp(`^Not revoked: key ${imported.keyId} left this secret earlier .* --management-secret-id ${literal(management.arn)} --region us-east-1$`)),
      'Next: delete the secret (retire does not):',
      `  aws secretsmanager delete-secret --secret-id ${arn} --region us-east-1`,
      'Its rotation is on: a rotation before the deletion mints a new key for it; run retire again after one.',
    ]);
    for (const key of [...minted, orphan]) expect(stack().momento.accepts(key.apiKey)).toBe(false);
    for (const key of [imported, othersKey, management.key]) expect(stack().momento.accepts(key.apiKey)).toBe(true);
    expect(await exists(arn)).toBe(true);

    const again = await cli(['retire', '--secret-id', secretName, '--management-secret-id', management.arn, '--yes']);
    expect(again).toMatchObject({ code: 0, err: '' });
    expect(again.out).toMatch(new RegExp(`^No live key at Momento was minted for ${literal(secretName)}: there was nothing to revoke\\.$`, 'm'));
  });

  it('when a revocation fails: says which, why and what to do, revokes the rest, gives no next step, and exits 1; run again, it finishes', async () => {
    const { secretName, minted, orphan, management } = await secretToRetire('fails');
    stack().momento.failNextKeyApi('revoke', 8, { kind: 'error500' }, management.key.lineage); // every attempt at the first key
    const result = await cli(['retire', '--secret-id', secretName, '--management-secret-id', management.arn, '--yes']);
    expect(result.code).toBe(1);
    expect(result.err.split('\n')).toEqual([
      `Could not revoke key ${minted[0]!.keyId} (AWSPREVIOUS): Momento's key-management API did not answer, after retries: try again. ` +
        `It is still valid: run retire again, or revoke it alone with: momento-secret-rotation revoke --key-id ${minted[0]!.keyId} --management-secret-id ${management.arn}`,
      `1 key minted for ${secretName} was NOT revoked (above). Run retire again before deleting the secret (it finds them by the secret's ARN, and revokes only what is still valid).`,
    ]);
    expect(result.out).toContain(`Revoked key ${minted[1]!.keyId} (AWSCURRENT)`);
    expect(result.out).toContain(`Revoked key ${orphan.keyId}:`);
    expect(result.out).not.toMatch(/Next:|delete-secret/);
    expect(stack().momento.accepts(minted[0]!.apiKey)).toBe(true);

    const again = await cli(['retire', '--secret-id', secretName, '--management-secret-id', management.arn, '--yes']);
    expect(again).toMatchObject({ code: 0, err: '' });
    expect(again.out.split('\n')[0]).toBe(`Revoked key ${minted[0]!.keyId} (AWSPREVIOUS): Momento no longer accepts it.`);
    expect(stack().momento.accepts(minted[0]!.apiKey)).toBe(false);
  }, 60_000);

  it('leaves an imported AWSCURRENT key and a v1 key valid, saying what to do with each', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    const imported = await stack().storeV2Key(name('imported'));
    const result = await cli(['retire', '--secret-id', imported.arn, '--management-secret-id', management.arn, '--yes']);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toMatch(/^No live key at Momento was minted for \S+: there was nothing to revoke\.$/m);
    expect(result.out).toContain(
      `Not revoked: key ${imported.key.keyId} (AWSCURRENT) was not minted for this secret (imported, or another secret's), so retire leaves it valid. ` +
        `Once the secret is deleted and no application uses it, revoke it with: momento-secret-rotation revoke --key-id ${imported.key.keyId} --management-secret-id ${management.arn}`,
    );
    expect(result.out).not.toMatch(/rotation is on/);
    expect(stack().momento.accepts(imported.key.apiKey)).toBe(true);

    const v1 = await stack().storeConsoleKey(name('v1'));
    const legacy = await cli(['retire', '--secret-id', v1.arn, '--management-secret-id', management.arn]);
    expect(legacy).toMatchObject({ code: 0, err: '' });
    expect(legacy.out).toMatch(
      new RegExp(`^Not revoked: version \\S+ \\(AWSCURRENT\\) holds a v1 key \\(sha256:[0-9a-f]{8}\\), which Momento cannot revoke: it stays valid until ${literal(iso(v1.key.validUntil))}\\.$`, 'm'),
    );
  });

  it('retiring a management secret that rotates itself: the dry run lists what --yes then revokes, and neither touches the key in use (its own AWSCURRENT, minted for it)', async () => {
    // The management secret holds K2, minted for it; K1 was minted for it too and no version holds it;
    // K0, the console's key it was created with, is AWSPREVIOUS.
    const secretName = name('self-mgmt');
    const management = await stack().storeManagementKey(secretName);
    const secret = { arn: management.arn, name: secretName };
    const [k1, k2] = ['v-1', 'v-2'].map((versionId) => stack().momento.issueV2Key({ roleId: OPERATOR_ROLE_ID, description: mintedKeyDescription(secret, versionId, undefined) }));
    await stack().service.client.send(new PutSecretValueCommand({ SecretId: management.arn, SecretString: JSON.stringify({ apiKey: k2!.apiKey, keyId: k2!.keyId }) }));
    const retire = (...flags: string[]) => cli(['retire', '--secret-id', management.arn, '--management-secret-id', management.arn, ...flags]);

    const dry = await retire();
    expect(dry).toMatchObject({ code: 0, err: '' });
    const lines = dry.out.split('\n');
    expect(lines.slice(0, 2)).toEqual([
      `Would revoke 1 key minted for ${secret.name} (${management.arn}):`,
      `  ${k1!.keyId}  held by no version, expires ${iso(k1!.validUntil)}`,
    ]);
    expect(lines).toContain(`Not revoked: key ${k2!.keyId} (AWSCURRENT) is the management key, which retire never revokes.`);
    expect(lines.at(-1)).toBe(`Nothing was revoked. To revoke it, run again with --yes: momento-secret-rotation retire --secret-id ${management.arn} --management-secret-id ${management.arn} --yes`);
    expect(dry.out).not.toMatch(/One of them is the key AWSCURRENT holds/);
    for (const key of [management.key, k1!, k2!]) expect(stack().momento.accepts(key.apiKey)).toBe(true);

    const yes = await retire('--yes');
    expect(yes).toMatchObject({ code: 0, err: '' });
    expect(yes.out.split('\n').filter((line) => /^Revoked key|was already revoked/.test(line))).toEqual([`Revoked key ${k1!.keyId}: Momento no longer accepts it.`]);
    expect(stack().momento.accepts(k1!.apiKey)).toBe(false);
    for (const key of [management.key, k2!]) expect(stack().momento.accepts(key.apiKey)).toBe(true);

    const after = await retire();
    expect(after).toMatchObject({ code: 0, err: '' });
    expect(after.out.split('\n')[0]).toBe(`No live key at Momento was minted for ${secret.name}: there is nothing to revoke.`);
    expect(after.out).not.toMatch(/Nothing was revoked\. To revoke/);
  });

  it('for a secret a CloudFormation stack created, says to remove it through the stack rather than delete-secret', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    const key = stack().momento.issueV2Key();
    const created = await stack().service.client.send(
      new CreateSecretCommand({ Name: name('stack'), SecretString: v2Value(key), Tags: [{ Key: 'aws:cloudformation:stack-name', Value: 'orders-rotation' }] }),
    );
    const result = await cli(['retire', '--secret-id', created.ARN!, '--management-secret-id', management.arn, '--yes']);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toContain('Next: CloudFormation stack orders-rotation created this secret: remove it from that stack (or delete the stack), rather than deleting it yourself.');
    expect(result.out).not.toContain('delete-secret');
  });

  it('says which management secret it could not read, and lists nothing', async () => {
    const { arn } = await stack().storeV2Key(name('no-mgmt'));
    const missing = name('missing-mgmt');
    const result = await cli(['retire', '--secret-id', arn, '--management-secret-id', missing]);
    expect(result).toEqual({
      code: 1,
      out: '',
      err: `The management secret: Secrets Manager has no secret "${missing}" in this Region and account. Check the name or ARN, --region and --profile.`,
    });
  });

  it.each([
    [['retire', '--secret-id', 's'], /^retire needs --management-secret-id \(the secret holding the management key, which revokes the keys\)\./],
    [['retire', '--management-secret-id', 'm'], /^retire needs --secret-id \(the secret's name or ARN\)\./],
    [['retire', '--secret-id', 's', '--management-secret-id', 'm', '--force'], /^retire does not take --force\./],
  ])('usage: %j exits 2', async (args, message) => {
    const result = await cli(args);
    expect(result).toMatchObject({ code: 2, out: '' });
    expect(result.err).toMatch(message);
  });

  it('--help says that the keys the secret holds ARE revoked, and that --yes is needed', async () => {
    const result = await cli(['retire', '--help']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^Usage: momento-secret-rotation retire --secret-id NAME --management-secret-id NAME \[--yes\]$/m);
    expect(result.out).toMatch(/AWSCURRENT's and AWSPREVIOUS's keys are minted keys too, and ARE revoked/);
    expect(result.out).toMatch(/Without\n--yes it lists what it would revoke, and revokes nothing/);
    expect(result.out).toMatch(/It does not delete the secret/);
    expect((await cli(['help'])).out).toMatch(/^ {2}retire {3}before deleting a secret: revoke every key minted for it, the ones it holds included$/m);
  });
});
