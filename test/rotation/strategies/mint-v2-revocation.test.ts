import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { metrics } from '../../../src/observability/metrics.js';
import { forgetSecrets, scrub } from '../../../src/observability/redact.js';
import { mintedKeyDescription, revokeRetiredKeys } from '../../../src/rotation/strategies/mint-v2.js';
import { captureOutputAndCheckForLeaks } from '../../support/capture-output.js';
import { MANAGEMENT_SECRET_ID, rotationHarness, V2_ENDPOINT, type Harness } from '../../support/harness.js';
import { APP_ROLE_ID, OPERATOR_ROLE_ID } from '../../support/momento-roles.js';
import { serviceError } from '../../support/secrets-manager-model.js';
import { consoleKeyFile, fakeJwt, fakeV2Key } from '../../support/secrets.js';

/**
 * revokeRetiredKeys' decision, case by case: which keys it revokes, which it keeps and why, what
 * it reports, and when it revokes nothing at all. The scenarios of whole rotations are in
 * mint-v2.test.ts; here the secret's versions are arranged directly.
 */
const output = captureOutputAndCheckForLeaks();
let h: Harness;

beforeEach(() => {
  h = rotationHarness({ managementSecretId: MANAGEMENT_SECRET_ID });
});
afterEach(() => h.restore());

const deadline = () => h.clock.now + 60_000;

function useHarness(options: Parameters<typeof rotationHarness>[0]): void {
  h.restore();
  h = rotationHarness({ managementSecretId: MANAGEMENT_SECRET_ID, ...options });
}

/** A key described as minted for this secret's version `versionId` (after `predecessorKeyId`, when given). */
function mintedFor(versionId: string, predecessorKeyId?: string): { apiKey: string; keyId: string } {
  return h.keyApi.issueKey(APP_ROLE_ID, mintedKeyDescription(h.sm, versionId, predecessorKeyId), Math.floor(h.clock.now / 1000) + 30 * 86_400);
}

/** A version with no value and no label: createSecret minted for it and died, and the rotation was cancelled. */
function abandonedVersion(): string {
  const versionId = h.sm.startRotation();
  h.sm.unlabel(versionId, 'AWSPENDING');
  return versionId;
}

function keyFile(key: { apiKey: string; keyId?: string }): string {
  return JSON.stringify({ apiKey: key.apiKey, endpoint: V2_ENDPOINT, roleId: APP_ROLE_ID, ...(key.keyId ? { keyId: key.keyId } : {}) });
}

/** A version of the secret holding `value`, with these staging labels (none: a deprecated version). */
function storeVersion(versionId: string, value: string | undefined, labels: string[]): void {
  h.sm.versions.set(versionId, { value, stages: new Set(labels) });
}

function logRecords(): Record<string, unknown>[] {
  return output
    .lines()
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((r) => typeof r.message === 'string');
}

/** Why each key was revoked, by key id, as the log says it. */
function revocationReasons(): Record<string, unknown> {
  return Object.fromEntries(logRecords().filter((r) => r.message === 'Revoked a retired key').map((r) => [r.keyId, r.reason]));
}

/** The error the pass logged when it gave up ("Could not check for keys to revoke"). */
function abandonedPassError(): string {
  const record = logRecords().find((r) => String(r.message).startsWith('Could not check for keys to revoke'));
  expect(record, 'the pass was abandoned').toBeDefined();
  return String(record!.error);
}

/** From now on: returns the metrics recorded since, as published (metrics left by earlier tests are flushed first). */
function metricsFromNow(): () => string {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  const start = output.text().length;
  return () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    return output.text().slice(start);
  };
}

describe('why a key is revoked: each decision is logged with its reason', () => {
  it('a key that falls out of AWSPREVIOUS: "retired: fell out of AWSPREVIOUS"', async () => {
    h.storeV2Current();
    await h.rotate();
    const firstMinted = (JSON.parse(h.sm.valueAt('AWSCURRENT')!) as { keyId: string }).keyId;
    await h.rotate();
    await h.rotate(); // the first minted key falls out of AWSPREVIOUS
    expect(h.keyApi.revoked).toEqual([firstMinted]);
    expect(logRecords().find((r) => r.message === 'Revoked a retired key')).toMatchObject({
      level: 'INFO',
      keyId: firstMinted,
      roleId: APP_ROLE_ID,
      reason: 'retired: fell out of AWSPREVIOUS',
    });
  });

  it('a key whose mint reply was lost, its version now holding the key minted on retry: "orphan: its version holds another key"', async () => {
    h.storeV2Current();
    h.keyApi.failNext('mint', 'lost-reply');
    const token = h.sm.startRotation();
    await expect(h.run('createSecret', token)).rejects.toThrow();
    const [lost] = [...h.keyApi.keys.values()].filter((k) => k.description.includes(token));
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) await h.run(step, token);
    expect(h.keyApi.revoked).toEqual([lost!.keyId]);
    expect(revocationReasons()).toEqual({ [lost!.keyId]: 'orphan: its version holds another key' });
  });

  it('keys minted for versions without a label: retired when the version holds that very key, orphaned when it holds nothing or another key', async () => {
    h.storeV2Current();
    // A version that lost its labels while holding the key minted for it (a blue/green PINNED taken off, say).
    const unlabelled = mintedFor('v-unlabelled');
    storeVersion('v-unlabelled', keyFile(unlabelled), []);
    // createSecret minted, its container died before storing, the rotation was cancelled.
    const empty = abandonedVersion();
    const mintedForEmpty = mintedFor(empty);
    // A version that holds a key other than the one minted for it.
    const held = h.keyApi.issueKey(APP_ROLE_ID, 'created in the console');
    storeVersion('v-other', keyFile(held), []);
    const mintedForOther = mintedFor('v-other');

    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({
      revoked: [unlabelled.keyId, mintedForEmpty.keyId, mintedForOther.keyId],
      failed: [],
    });
    expect(revocationReasons()).toEqual({
      [unlabelled.keyId]: 'retired: its version no longer has a label',
      [mintedForEmpty.keyId]: 'orphan: minted for a version that holds no value or another key',
      [mintedForOther.keyId]: 'orphan: minted for a version that holds no value or another key',
    });
    // A key that was not minted for this secret is nobody's to revoke, even in an unlabelled version.
    expect(h.keyApi.isValid(held.keyId)).toBe(true);
  });

  it.each([
    ['minted for this secret: revoked once', 'ours'],
    ['imported (RevokeImportedKeys off): kept and reported once', 'imported'],
  ] as const)('a predecessor named by both the AWSCURRENT and the AWSPREVIOUS key is decided once: %s', async (_label, kind) => {
    const predecessor = kind === 'ours' ? mintedFor(randomUUID()) : h.keyApi.issueKey(APP_ROLE_ID, 'created in the console');
    // Two successors of the same key (a rotation re-run after AWSCURRENT was moved back by hand, say).
    h.sm.storeCurrent(keyFile(mintedFor(randomUUID(), predecessor.keyId)));
    h.sm.storeCurrent(keyFile(mintedFor(randomUUID(), predecessor.keyId)));
    const after = metricsFromNow();
    const report = await revokeRetiredKeys(h.sm.arn, h.deps, deadline());
    if (kind === 'ours') {
      expect(report).toEqual({ revoked: [predecessor.keyId], failed: [] });
      expect(h.keyApi.count('revoke')).toBe(1);
      expect(after()).toMatch(/"KeysRevoked":1[,}]/);
    } else {
      expect(report).toEqual({ revoked: [], failed: [], notRevoked: [predecessor.keyId] });
      expect(logRecords().filter((r) => String(r.message).startsWith('RetiredKeyNotRevoked: '))).toHaveLength(1);
      expect(after()).toMatch(/"RetiredKeyNotRevoked":1[,}]/);
    }
  });
});

describe('which keys vouch for a predecessor: only those AWSCURRENT and AWSPREVIOUS hold', () => {
  it('a key only a PINNED version holds names no predecessor: the imported key it names is not revoked, even with RevokeImportedKeys on', async () => {
    useHarness({ revokeImportedKeys: true });
    h.storeV2Current();
    const imported = h.keyApi.issueKey(APP_ROLE_ID, 'created in the console');
    const pinned = mintedFor('v-pinned', imported.keyId);
    storeVersion('v-pinned', keyFile(pinned), ['PINNED']);
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [], failed: [] });
    expect(h.keyApi.isValid(imported.keyId)).toBe(true);
    expect(h.keyApi.isValid(pinned.keyId)).toBe(true);
  });
});

describe('the management key is never revoked', () => {
  it('not even when it is a key minted for this secret that falls out of AWSPREVIOUS: rotations go on with it', async () => {
    h.storeV2Current({}, OPERATOR_ROLE_ID);
    await h.rotate();
    const first = JSON.parse(h.sm.valueAt('AWSCURRENT')!) as { apiKey: string; keyId: string };
    // Someone made this secret's key the management key too.
    h.sm.otherSecrets.set(MANAGEMENT_SECRET_ID, JSON.stringify({ apiKey: first.apiKey }));
    await h.rotate();
    await h.rotate(); // `first` falls out of AWSPREVIOUS, named as predecessor by a key minted for this secret
    expect(h.keyApi.isValid(first.keyId)).toBe(true);
    expect(h.keyApi.revoked).toEqual([]);
    await h.rotate(); // minted and revoked with it
    expect(h.keyApi.count('mint')).toBe(4);
    expect(h.keyApi.revoked).toHaveLength(1);
    expect(h.keyApi.isValid(first.keyId)).toBe(true);
  });
});

describe('when nothing is revoked, the report says so: no key revoked, none failed', () => {
  it('a labelled version holding a v2 key without a key id (jti)', async () => {
    h.storeV2Current();
    storeVersion('v-no-jti', keyFile({ apiKey: fakeV2Key({ jti: null }) }), ['PINNED']);
    const orphan = mintedFor(abandonedVersion());
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [], failed: [] });
    expect(h.keyApi.isValid(orphan.keyId)).toBe(true);
    expect(logRecords().find((r) => String(r.message).startsWith('Revoked nothing: a key in use has no key id'))).toMatchObject({
      versionsWithoutKeyId: ['v-no-jti'],
      managementKeyHasId: true,
    });
  });

  it('a management key without a key id (jti)', async () => {
    const managementKey = fakeV2Key({ jti: null });
    h.keyApi.managementKeys.set(managementKey, OPERATOR_ROLE_ID);
    h.sm.otherSecrets.set(MANAGEMENT_SECRET_ID, JSON.stringify({ apiKey: managementKey }));
    h.storeV2Current();
    const orphan = mintedFor(abandonedVersion());
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [], failed: [] });
    expect(h.keyApi.isValid(orphan.keyId)).toBe(true);
  });

  it("Momento's listing does not show the AWSCURRENT key's id", async () => {
    h.storeV2Current();
    const orphan = mintedFor(abandonedVersion());
    const list = h.keyApi.list.bind(h.keyApi);
    h.keyApi.list = async (managementKey: string) => (await list(managementKey)).map((k) => ({ ...k, keyId: k.keyId.toUpperCase() }));
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [], failed: [] });
    expect(h.keyApi.count('revoke')).toBe(0);
    expect(h.keyApi.isValid(orphan.keyId)).toBe(true);
  });

  it('v2 key minted into AWSPREVIOUS, then a v1 key put back as AWSCURRENT, then a listing whose ids are not the jtis: the AWSPREVIOUS key is not revoked', async () => {
    const previous = mintedFor(randomUUID());
    storeVersion('v2-version', keyFile(previous), ['AWSPREVIOUS']);
    h.storeCurrent(consoleKeyFile());
    const list = h.keyApi.list.bind(h.keyApi);
    h.keyApi.list = async (managementKey: string) => (await list(managementKey)).map((k) => ({ ...k, keyId: k.keyId.toUpperCase() }));
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [], failed: [] });
    expect(h.keyApi.count('revoke')).toBe(0);
    expect(h.keyApi.isValid(previous.keyId)).toBe(true);
    expect(logRecords().map((r) => r.message)).toContain(
      "Revoked nothing: Momento's listing shows none of this secret's keys, nor the management key, by its id (jti); key ids cannot be matched",
    );
  });

  it('v2 key minted into AWSPREVIOUS, then a v1 key put back as AWSCURRENT, then an orphan minted: with a true listing the orphan is revoked and AWSPREVIOUS kept', async () => {
    const previous = mintedFor(randomUUID());
    storeVersion('v2-version', keyFile(previous), ['AWSPREVIOUS']);
    h.storeCurrent(consoleKeyFile());
    const orphan = mintedFor(abandonedVersion());
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [orphan.keyId], failed: [] });
    expect(h.keyApi.isValid(previous.keyId)).toBe(true);
  });

  it('K1 minted, K2 after K1, K3 after K2 with K1\'s revocation failing, then AWSCURRENT moved back to K1\'s version during the next pass: K1 is not revoked', async () => {
    h.storeV2Current();
    await h.rotate();
    const v1 = h.sm.versionAt('AWSCURRENT')!;
    const k1 = (JSON.parse(h.sm.valueAt('AWSCURRENT')!) as { keyId: string }).keyId;
    await h.rotate();
    h.keyApi.failNext('revoke', 'unavailable');
    await h.rotate();
    expect(h.keyApi.isValid(k1)).toBe(true);
    // The operator rolls back after the pass has described the secret (V2 still AWSPREVIOUS, naming K1).
    let moved = false;
    h.sm.beforeCall = (operation, input) => {
      if (!moved && operation === 'GetSecretValue' && input.SecretId !== MANAGEMENT_SECRET_ID) {
        moved = true;
        h.sm.label(v1, 'AWSCURRENT');
      }
    };
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [], failed: [] });
    expect(moved).toBe(true);
    expect(h.keyApi.isValid(k1)).toBe(true);
    expect(logRecords().map((r) => r.message)).toContain(
      'Kept keys a labelled version holds again (its labels moved during this pass); nothing of this secret is revoked while a version holds it',
    );
  });

  it('a v2 key held as AWSPREVIOUS then revoked by hand, a v1 key as AWSCURRENT, an orphan minted, and a listing that shows neither held nor management key: nothing revoked, counted as postponed', async () => {
    const held = mintedFor(randomUUID());
    storeVersion('v2-version', keyFile(held), ['AWSPREVIOUS']);
    h.storeCurrent(consoleKeyFile());
    await h.keyApi.revoke(h.managementKey, held.keyId);
    const orphan = mintedFor(abandonedVersion());
    const after = metricsFromNow();
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [], failed: [] });
    expect(h.keyApi.isValid(orphan.keyId)).toBe(true);
    expect(after()).toMatch(/"RevocationPostponed":1[,}]/);
  });

  it('a replica Region is not InSync: the keys due are postponed and counted', async () => {
    h.storeV2Current();
    const orphan = mintedFor(abandonedVersion());
    h.sm.replicationStatus = [{ Region: 'eu-west-1', Status: 'InProgress' }];
    const after = metricsFromNow();
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [], failed: [] });
    expect(h.keyApi.isValid(orphan.keyId)).toBe(true);
    expect(after()).toMatch(/"RevocationPostponed":1[,}]/);
  });
});

describe('when the listing fails', () => {
  it('a secret that holds no v2 key has nothing to revoke: no failure is reported or counted', async () => {
    h.storeCurrent(consoleKeyFile());
    h.keyApi.failNext('list', 'unavailable');
    const after = metricsFromNow();
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toBeUndefined();
    expect(after()).not.toMatch(/"RevocationFailed"/);
    expect(output.text()).not.toContain('Could not check for keys to revoke');
  });

  it('and a labelled version cannot be read either: it may hold a v2 key, so the failure is reported and counted', async () => {
    h.storeCurrent(consoleKeyFile());
    storeVersion('v-unreadable', keyFile(mintedFor('v-unreadable')), ['PINNED']);
    h.sm.failWhile('GetSecretValue', (input) => input.VersionId === 'v-unreadable', () => serviceError('AccessDeniedException', 'not authorized'));
    h.keyApi.failNext('list', 'unavailable');
    const after = metricsFromNow();
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [], failed: ['(listing)'] });
    expect(after()).toMatch(/"RevocationFailed":1[,}]/);
    expect(abandonedPassError()).toMatch(/^KeyApiUnavailableError: /);
  });

  it('refused (403): the logged error names the management secret whose key was refused', async () => {
    h.storeV2Current();
    h.keyApi.failNext('list', 'forbidden');
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [], failed: ['(listing)'] });
    expect(abandonedPassError()).toContain(`ManagementKeyRejectedError: The management key in ${MANAGEMENT_SECRET_ID} is not allowed to manage API keys`);
  });
});

describe('what a labelled version holds decides what is held; one that cannot be told abandons the pass', () => {
  it('a labelled version (not AWSPENDING) that reads as not found: the pass is abandoned, naming the version and its labels', async () => {
    h.storeV2Current();
    await h.rotate();
    const previous = h.sm.versionAt('AWSPREVIOUS')!;
    h.sm.label(previous, 'PINNED');
    const orphan = mintedFor(abandonedVersion());
    h.sm.failWhile('GetSecretValue', (input) => input.VersionId === previous, () => serviceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value."));
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [], failed: ['(listing)'] });
    expect(h.keyApi.isValid(orphan.keyId)).toBe(true);
    expect(abandonedPassError()).toBe(`Error: version ${previous} (AWSPREVIOUS, PINNED) could not be read: not found`);
  });

  it('a version with two labels whose value no key can be read from: the pass is abandoned, naming both labels', async () => {
    h.storeV2Current();
    storeVersion('v-broken', JSON.stringify({ endpoint: V2_ENDPOINT }), ['PINNED', 'CANARY']);
    const orphan = mintedFor(abandonedVersion());
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [], failed: ['(listing)'] });
    expect(h.keyApi.isValid(orphan.keyId)).toBe(true);
    expect(abandonedPassError()).toBe('Error: version v-broken (PINNED, CANARY) holds a value no key can be read from; nothing is revoked while it is labelled');
  });

  it('a labelled version stored as SecretBinary: no key can be read from it, so the pass is abandoned', async () => {
    h.storeV2Current();
    storeVersion('v-binary', 'stands in for binary', ['PINNED']);
    const readVersion = h.deps.secrets.readVersion.bind(h.deps.secrets);
    h.deps.secrets.readVersion = async (secretId: string, versionId: string) =>
      versionId === 'v-binary' ? { found: true, secretString: undefined, binary: true } : readVersion(secretId, versionId);
    const orphan = mintedFor(abandonedVersion());
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [], failed: ['(listing)'] });
    expect(h.keyApi.isValid(orphan.keyId)).toBe(true);
    expect(abandonedPassError()).toBe('Error: version v-binary (PINNED) holds a value no key can be read from; nothing is revoked while it is labelled');
  });

  it('a bare key pasted with a trailing newline is read as that key: it is held, and the pass goes on', async () => {
    h.storeV2Current();
    const pinned = mintedFor('v-pinned');
    storeVersion('v-pinned', undefined, []);
    storeVersion('v-pinned-bare', `${pinned.apiKey}\n`, ['PINNED']);
    const orphan = mintedFor(abandonedVersion());
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [orphan.keyId], failed: [] });
    expect(h.keyApi.isValid(pinned.keyId)).toBe(true);
  });

  it.each([
    ['a legacy auth token', () => fakeJwt({ c: 'cell-us-east-1-1.prod.a.momentohq.com' })],
    ['a v1 key file', () => JSON.stringify(consoleKeyFile())],
  ])('a labelled version holding %s (never revoked, nothing to protect) does not stop the pass', async (_label, value) => {
    h.storeV2Current();
    storeVersion('v-old-kind', value(), ['PINNED']);
    const orphan = mintedFor(abandonedVersion());
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [orphan.keyId], failed: [] });
  });

  it('a PINNED version holding a key Momento no longer lists (revoked in the console) does not stop the pass: only the AWSCURRENT key must be listed', async () => {
    h.storeV2Current();
    const gone = h.keyApi.issueKey(APP_ROLE_ID, 'created in the console');
    await h.keyApi.revoke(h.managementKey, gone.keyId);
    storeVersion('v-pinned-gone', keyFile(gone), ['PINNED']); // described after AWSCURRENT's version
    const orphan = mintedFor(abandonedVersion());
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [orphan.keyId], failed: [] });
  });
});

describe('every value the pass reads is remembered for redaction', () => {
  it('the key a labelled key file holds, and the whole stored value (a v1 file\'s refresh token included)', async () => {
    h.storeV2Current();
    const pinned = mintedFor('v-pinned');
    storeVersion('v-pinned', keyFile(pinned), ['PINNED']);
    const v1File = consoleKeyFile();
    const v1Text = JSON.stringify(v1File);
    storeVersion('v-v1', v1Text, ['CANARY']);
    forgetSecrets();
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [], failed: [] });
    expect(scrub(`quoted: ${pinned.apiKey}`)).toBe('quoted: [REDACTED]');
    expect(scrub(`quoted: ${v1Text}`)).toBe('quoted: [REDACTED]');
    expect(scrub(`quoted: ${v1Text}`)).not.toContain(v1File.refreshToken);
  });
});
