import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  KeyApiRequestRefusedError,
  KeyApiUnavailableError,
  ManagementKeyRejectedError,
  ManagementSecretInvalidError,
  MissingEndpointError,
  MissingRoleIdError,
  PendingWriteFailedError,
  UnknownRoleError,
} from '../../../src/rotation/errors.js';
import { createHash } from 'node:crypto';
import { fingerprint } from '../../../src/observability/fingerprint.js';
import { metrics } from '../../../src/observability/metrics.js';
import { mintedKeyDescription, parseMintedKeyDescription, revokeRetiredKeys, secretTag } from '../../../src/rotation/strategies/mint-v2.js';
import { captureOutputAndCheckForLeaks, expectFailure } from '../../support/capture-output.js';
import { MANAGEMENT_SECRET_ID, rotationHarness, V2_ENDPOINT, type Harness } from '../../support/harness.js';
import { serviceError } from '../../support/secrets-manager-model.js';
import { APP_ROLE_ID, APP_ROLE_NAME, OPERATOR_ROLE_ID, VIEWER_ROLE_ID } from '../../support/momento-roles.js';
import { consoleKeyFile, DAY, fakeV1Key, fakeV2Key, jtiOf } from '../../support/secrets.js';

const output = captureOutputAndCheckForLeaks();
let h: Harness;

beforeEach(() => {
  h = rotationHarness({ managementSecretId: MANAGEMENT_SECRET_ID });
});
afterEach(() => h.restore());

function valueAt(stage: string): Record<string, unknown> {
  return JSON.parse(h.sm.valueAt(stage)!) as Record<string, unknown>;
}

/** Key ids of this secret's keys that Momento still accepts (every key the fake knows but the management key). */
function liveKeyIds(): string[] {
  return [...h.keyApi.keys.keys()].sort();
}

function storedKeyIds(...stages: string[]): string[] {
  return stages.map((s) => valueAt(s).keyId as string).sort();
}

/** Replaces this test's harness (the management secret configured) with one made with `options`. */
function useHarness(options: Parameters<typeof rotationHarness>[0]): Harness {
  h.restore();
  h = rotationHarness({ managementSecretId: MANAGEMENT_SECRET_ID, ...options });
  return h;
}

/**
 * A version Secrets Manager has, with no value and no label: RotateSecret made it AWSPENDING,
 * createSecret minted and died before storing, and the rotation was cancelled (CancelRotateSecret).
 */
function abandonedVersion(): string {
  const versionId = h.sm.startRotation();
  h.sm.unlabel(versionId, 'AWSPENDING');
  return versionId;
}

/** A key described as minted for this secret's version `versionId`, as createSecret describes the keys it mints. */
function mintedFor(versionId: string, predecessorKeyId?: string, expiresAt?: number): { apiKey: string; keyId: string } {
  return h.keyApi.issueKey(APP_ROLE_ID, mintedKeyDescription(h.sm, versionId, predecessorKeyId), expiresAt);
}

function keyApiOps(): string[] {
  return h.keyApi.calls.map((c) => c.op);
}

/** The `RetiredKeyNotRevoked: <reason>` warnings logged so far. */
function notRevokedWarnings(): Record<string, unknown>[] {
  return logRecords().filter((r) => String(r.message).startsWith('RetiredKeyNotRevoked: '));
}

/** Output written from now on. */
function outputFromNow(): () => string {
  const start = output.text().length;
  return () => output.text().slice(start);
}

const REPORT = () => ({ Action: 'ReportKeyExpiry', SecretId: h.sm.arn });

async function expiryReport(): Promise<{ revocations?: { revoked: string[]; failed: string[]; notRevoked?: string[] } }> {
  return (await h.handler(REPORT())) as { revocations?: { revoked: string[]; failed: string[]; notRevoked?: string[] } };
}

describe('a v2 rotation', () => {
  it('mints a successor with the same role, stores {apiKey, endpoint, roleId, keyId, validUntil}, tests and promotes it', async () => {
    const { versionId, apiKey, keyId } = h.storeV2Current({ cacheName: 'orders' });
    const token = await h.rotate();

    expect(h.keyApi.count('mint')).toBe(1);
    const request = h.keyApi.calls.find((c) => c.op === 'mint')!.request!;
    expect(request.roleId).toBe(APP_ROLE_ID);
    expect(request.expiresAt).toBe(Math.floor(h.clock.now / 1000) + 30 * DAY);
    // The description names the secret and the version it was minted for.
    expect(request.description).toContain(h.sm.name);
    expect(request.description).toContain(token);
    expect(parseMintedKeyDescription(request.description)).toEqual({ secretTag: secretTag(h.sm.arn), versionId: token, predecessorKeyId: keyId });

    const next = valueAt('AWSCURRENT');
    expect(Object.keys(next).sort()).toEqual(['apiKey', 'cacheName', 'endpoint', 'keyId', 'roleId', 'validUntil']);
    expect(next).toMatchObject({ endpoint: V2_ENDPOINT, roleId: APP_ROLE_ID, cacheName: 'orders', validUntil: request.expiresAt });
    expect(next.apiKey).not.toBe(apiKey);
    expect(h.keyApi.keyIdOf(next.apiKey as string)).toBe(next.keyId);
    expect(h.sm.versionAt('AWSCURRENT')).toBe(token);
    expect(h.sm.versionAt('AWSPREVIOUS')).toBe(versionId);
    // testSecret probed the new key, with its endpoint.
    expect(h.momento.probeCalls).toEqual([{ apiKey: next.apiKey, cacheName: undefined }]);
    expect(h.momento.refreshCalls).toHaveLength(0);
  });

  it('uses MOMENTO_KEY_LIFETIME_DAYS for the minted key\'s expiry', async () => {
    (h.deps as { keyLifetimeDays: number }).keyLifetimeDays = 7;
    h.storeV2Current();
    await h.rotate();
    expect(valueAt('AWSCURRENT').validUntil).toBe(Math.floor(h.clock.now / 1000) + 7 * DAY);
  });

  it('makes at most 3 key-API calls when nothing fails: one mint, one listing, one revoke', async () => {
    h.storeV2Current();
    await h.rotate(); // the console key becomes AWSPREVIOUS: nothing falls out yet
    expect(keyApiOps()).toEqual(['mint', 'list']);
    h.keyApi.calls.length = 0;
    await h.rotate(); // the console key falls out of AWSPREVIOUS: imported, so kept (RevokeImportedKeys is off)
    expect(keyApiOps()).toEqual(['mint', 'list']);
    h.keyApi.calls.length = 0;
    await h.rotate(); // the first minted key falls out of AWSPREVIOUS
    expect(keyApiOps()).toEqual(['mint', 'list', 'revoke']);
  });

  it('with RevokeImportedKeys on, the rotation the console key falls out in makes 3 key-API calls: mint, list, revoke', async () => {
    useHarness({ revokeImportedKeys: true });
    h.storeV2Current();
    await h.rotate();
    h.keyApi.calls.length = 0;
    await h.rotate();
    expect(keyApiOps()).toEqual(['mint', 'list', 'revoke']);
  });

  it('logs key ids, roles and fingerprints, never a key', async () => {
    const { keyId } = h.storeV2Current();
    await h.rotate();
    const minted = output.lines().map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.message === 'Minted a successor key at Momento')!;
    expect(minted).toMatchObject({ keyId: valueAt('AWSCURRENT').keyId, roleId: APP_ROLE_ID, previousKeyId: keyId });
    expect(minted.keyFingerprint).toMatch(/^sha256:[0-9a-f]{8}$/);
  });

  it('rotates an expired v2 key: minting needs only the management key', async () => {
    h.storeV2Current({ validUntil: Math.floor(h.clock.now / 1000) - 60 });
    await h.rotate();
    expect(h.keyApi.count('mint')).toBe(1);
    expect(output.text()).toContain('The AWSCURRENT key has expired');
  });
});

describe('a minted key is never lost', () => {
  it('after a failed write, the retried createSecret stores the same minted key without minting again', async () => {
    h.storeV2Current();
    const token = h.sm.startRotation();
    h.sm.failNext('PutSecretValue', ...Array.from({ length: 6 }, () => () => serviceError('InternalServiceError', 'boom', 500)));
    await expect(h.run('createSecret', token)).rejects.toThrow();
    const minted = [...h.keyApi.keys.values()].find((k) => k.description.includes(token))!;
    await h.run('createSecret', token);
    expect(h.keyApi.count('mint')).toBe(1);
    expect(valueAt('AWSPENDING').apiKey).toBe(minted.apiKey);
  });

  it('a key minted by a container that died before storing it is revoked by the rotation that stores another', async () => {
    const { keyId: consoleKeyId } = h.storeV2Current();
    const token = h.sm.startRotation();
    // The first container mints, then dies before PutSecretValue: its key is in no version.
    h.sm.failNext('PutSecretValue', () => serviceError('InternalServiceError', 'container died', 500));
    const revive = dieOnFirstRetry(h);
    await expect(h.run('createSecret', token)).rejects.toThrow();
    h.deps.unstoredValues.clear(); // a fresh container: nothing in memory
    revive();
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) await h.run(step, token);
    expect(h.keyApi.count('mint')).toBe(2);
    // The orphan is gone; what stays valid is exactly AWSCURRENT's and AWSPREVIOUS's keys.
    expect(liveKeyIds()).toEqual([consoleKeyId, valueAt('AWSCURRENT').keyId].sort());
    await h.rotate();
    // The imported console key fell out of AWSPREVIOUS: kept (RevokeImportedKeys is off), every minted key but these two gone.
    expect(liveKeyIds()).toEqual([...storedKeyIds('AWSCURRENT', 'AWSPREVIOUS'), consoleKeyId].sort());
  });

  it('a mint whose reply was lost leaves an orphan that finishSecret revokes', async () => {
    h.storeV2Current();
    h.keyApi.failNext('mint', 'lost-reply');
    const token = h.sm.startRotation();
    await expectFailure(h.run('createSecret', token), KeyApiUnavailableError);
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) await h.run(step, token);
    expect(liveKeyIds()).toEqual(storedKeyIds('AWSCURRENT', 'AWSPREVIOUS'));
  });
});

/** The container dies at its first pause before a retry; returns what brings the harness back. */
function dieOnFirstRetry(harness: Harness): () => void {
  const original = harness.deps.sleep;
  (harness.deps as { sleep?: (ms: number) => Promise<void> }).sleep = async () => {
    throw new Error('container died');
  };
  return () => {
    (harness.deps as { sleep?: (ms: number) => Promise<void> }).sleep = original;
  };
}

describe('revocation rules', () => {
  it('1. never revokes the AWSCURRENT key, nor any key before its successor is AWSCURRENT', async () => {
    const { keyId: consoleKeyId } = h.storeV2Current();
    const revokeFn = h.keyApi.revoke.bind(h.keyApi);
    const seen: string[] = [];
    h.keyApi.revoke = async (managementKey, keyId) => {
      const current = valueAt('AWSCURRENT').keyId;
      const previous = valueAt('AWSPREVIOUS').keyId;
      expect(keyId).not.toBe(current);
      expect(keyId).not.toBe(previous);
      // The step that revokes has already moved AWSCURRENT to its token.
      expect(h.sm.calls.some((c) => c.operation === 'UpdateSecretVersionStage')).toBe(true);
      seen.push(keyId);
      return revokeFn(managementKey, keyId);
    };
    for (let i = 0; i < 4; i++) await h.rotate();
    // The first two minted keys; the imported console key is kept (RevokeImportedKeys is off).
    expect(seen).toHaveLength(2);
    expect(seen).not.toContain(consoleKeyId);
    expect(h.keyApi.isValid(consoleKeyId)).toBe(true);
  });

  it('1. a finishSecret whose promotion fails revokes nothing', async () => {
    h.storeV2Current();
    await h.rotate();
    const token = h.sm.startRotation();
    for (const step of ['createSecret', 'setSecret', 'testSecret'] as const) await h.run(step, token);
    h.sm.failNext('UpdateSecretVersionStage', () => serviceError('AccessDeniedException', 'denied'));
    await expect(h.run('finishSecret', token)).rejects.toThrow();
    expect(h.keyApi.count('revoke')).toBe(0);
    expect(h.keyApi.count('list')).toBe(1); // the first rotation's
  });

  it('2. after each finishSecret, of the keys minted for the secret exactly the AWSCURRENT and AWSPREVIOUS keys stay valid; the imported console key stays too when it falls out (RevokeImportedKeys off)', async () => {
    const { keyId: consoleKeyId } = h.storeV2Current();
    const stranger = h.keyApi.issueKey(APP_ROLE_ID, 'another application\'s key');
    await h.rotate();
    expect(h.keyApi.isValid(consoleKeyId)).toBe(true); // AWSPREVIOUS
    for (let i = 0; i < 3; i++) {
      await h.rotate();
      expect(liveKeyIds()).toEqual([...storedKeyIds('AWSCURRENT', 'AWSPREVIOUS'), stranger.keyId, consoleKeyId].sort());
    }
    expect(h.keyApi.revoked).toHaveLength(2); // the first two minted keys
    expect(h.keyApi.revoked).not.toContain(consoleKeyId);
    expect(notRevokedWarnings().map((w) => w.keyId)).toEqual([consoleKeyId]);
    expect(h.keyApi.isValid(stranger.keyId)).toBe(true);
  });

  it('2. with RevokeImportedKeys on, after each finishSecret exactly the AWSCURRENT and AWSPREVIOUS keys stay valid; the imported console key goes when it falls out', async () => {
    useHarness({ revokeImportedKeys: true });
    const { keyId: consoleKeyId } = h.storeV2Current();
    const stranger = h.keyApi.issueKey(APP_ROLE_ID, 'another application\'s key');
    await h.rotate();
    expect(h.keyApi.isValid(consoleKeyId)).toBe(true); // AWSPREVIOUS
    for (let i = 0; i < 3; i++) {
      await h.rotate();
      expect(liveKeyIds()).toEqual([...storedKeyIds('AWSCURRENT', 'AWSPREVIOUS'), stranger.keyId].sort());
    }
    expect(h.keyApi.revoked[0]).toBe(consoleKeyId);
    expect(h.keyApi.revoked).toHaveLength(3);
    expect(notRevokedWarnings()).toEqual([]);
    expect(h.keyApi.isValid(stranger.keyId)).toBe(true);
  });

  it('2. never touches keys minted for another secret, even one of the same name in another account', async () => {
    h.storeV2Current();
    const elsewhere = { arn: h.sm.arn.replace('123456789012', '210987654321'), name: h.sm.name };
    const other = h.keyApi.issueKey(APP_ROLE_ID, mintedKeyDescription(elsewhere, randomUUID(), undefined));
    await h.rotate();
    await h.rotate();
    expect(h.keyApi.isValid(other.keyId)).toBe(true);
  });

  it('2. leaves alone a key minted for a version that is AWSPENDING with no value yet (a createSecret in flight)', async () => {
    h.storeV2Current();
    await h.rotate();
    const stale = mintedFor(abandonedVersion());
    const inFlight = h.sm.startRotation();
    const minted = mintedFor(inFlight);
    const { revocations } = await expiryReport();
    expect(h.keyApi.isValid(minted.keyId)).toBe(true);
    expect(h.keyApi.isValid(stale.keyId)).toBe(false);
    // The in-flight key is neither revoked nor reported.
    expect(revocations).toEqual({ revoked: [stale.keyId], failed: [] });
  });

  it.each([
    ['its own key id', (apiKey: string, keyId: string) => JSON.stringify({ apiKey, keyId })],
    ['a "keyId" naming another key', (apiKey: string) => JSON.stringify({ apiKey, keyId: `key-${randomUUID()}` })],
    ['no "keyId"', (apiKey: string) => JSON.stringify({ apiKey })],
    ['the bare key', (apiKey: string) => apiKey],
  ])('2. never revokes the management key, even when it was once this secret\'s key and its secret stores %s', async (_label, managementSecret) => {
    const { apiKey, keyId } = h.storeV2Current({}, OPERATOR_ROLE_ID);
    h.sm.otherSecrets.set(MANAGEMENT_SECRET_ID, managementSecret(apiKey, keyId));
    await h.rotate();
    await h.rotate();
    await h.rotate();
    expect(h.keyApi.isValid(keyId)).toBe(true);
    // Revocation did run: the key that fell out of AWSPREVIOUS went, the management key stayed.
    expect(h.keyApi.revoked).toHaveLength(1);
    expect(liveKeyIds()).toEqual([keyId, ...storedKeyIds('AWSCURRENT', 'AWSPREVIOUS')].sort());
  });

  /** Rotates twice from a console key: the first minted key is AWSPREVIOUS, due to fall out at the next rotation. */
  async function firstMintedKeyAsPrevious(): Promise<{ consoleKeyId: string; firstMinted: string }> {
    const { keyId: consoleKeyId } = h.storeV2Current();
    await h.rotate();
    const firstMinted = valueAt('AWSCURRENT').keyId as string;
    await h.rotate();
    expect(valueAt('AWSPREVIOUS').keyId).toBe(firstMinted);
    return { consoleKeyId, firstMinted };
  }

  it('3. a failed revocation does not fail the promotion; it is logged, counted, and retried by the next expiry report', async () => {
    const { firstMinted } = await firstMintedKeyAsPrevious();
    const after = outputFromNow();
    h.keyApi.failNext('revoke', 'unavailable');
    const token = await h.rotate(); // the first minted key falls out of AWSPREVIOUS
    expect(h.sm.versionAt('AWSCURRENT')).toBe(token);
    expect(h.keyApi.isValid(firstMinted)).toBe(true);
    expect(after()).toContain('Could not revoke a retired key');
    expect(after()).toMatch(/"RevocationFailed":1/);

    await expect(expiryReport()).resolves.toMatchObject({ revocations: { revoked: [firstMinted], failed: [] } });
    expect(h.keyApi.isValid(firstMinted)).toBe(false);
  });

  it('3. with RevokeImportedKeys on, a failed revocation of the imported console key is retried by the next expiry report', async () => {
    useHarness({ revokeImportedKeys: true });
    const { keyId: consoleKeyId } = h.storeV2Current();
    await h.rotate();
    h.keyApi.failNext('revoke', 'unavailable');
    await h.rotate();
    expect(h.keyApi.isValid(consoleKeyId)).toBe(true);
    await expect(expiryReport()).resolves.toMatchObject({ revocations: { revoked: [consoleKeyId], failed: [] } });
    expect(h.keyApi.isValid(consoleKeyId)).toBe(false);
  });

  it('3. a listing that fails does not fail the promotion, and the next finishSecret retries', async () => {
    const { consoleKeyId, firstMinted } = await firstMintedKeyAsPrevious();
    h.keyApi.failNext('list', 'unavailable');
    const token = await h.rotate(); // the first minted key falls out of AWSPREVIOUS; the listing fails
    expect(h.sm.versionAt('AWSCURRENT')).toBe(token);
    expect(h.keyApi.isValid(firstMinted)).toBe(true);
    await h.rotate(); // no longer named by AWSCURRENT's or AWSPREVIOUS's key: found by the version it was minted for
    expect(h.keyApi.isValid(firstMinted)).toBe(false);
    expect(liveKeyIds()).toEqual([...storedKeyIds('AWSCURRENT', 'AWSPREVIOUS'), consoleKeyId].sort());
  });

  it('3. a repeated finishSecret (crash after the promotion) still revokes what must go', async () => {
    const { firstMinted } = await firstMintedKeyAsPrevious();
    h.keyApi.failNext('list', 'unavailable'); // as if the container died after the move
    const token = await h.rotate();
    expect(h.keyApi.isValid(firstMinted)).toBe(true);
    await h.run('finishSecret', token);
    expect(h.keyApi.isValid(firstMinted)).toBe(false);
  });

  it('3. with RevokeImportedKeys on, a repeated finishSecret (crash after the promotion) still revokes the imported console key', async () => {
    useHarness({ revokeImportedKeys: true });
    const { keyId: consoleKeyId } = h.storeV2Current();
    await h.rotate();
    h.keyApi.failNext('list', 'unavailable');
    const token = await h.rotate();
    expect(h.keyApi.isValid(consoleKeyId)).toBe(true);
    await h.run('finishSecret', token);
    expect(h.keyApi.isValid(consoleKeyId)).toBe(false);
  });

  it('4. the expiry report publishes DaysToExpiry for v2 keys', async () => {
    h.storeV2Current({ validUntil: Math.floor(h.clock.now / 1000) + 12 * DAY + 60 });
    await expect(h.handler({ Action: 'ReportKeyExpiry', SecretId: h.sm.arn })).resolves.toMatchObject({ daysLeft: 12 });
    expect(output.text()).toMatch(/"DaysToExpiry":12/);
  });
});

/** Stores a v2 key file as AWSCURRENT exactly as given (no harness defaults), with a console key that has these claims. */
function storeConsoleKey(claims: { exp?: number }, fields: (key: { apiKey: string; keyId: string }) => Record<string, unknown>) {
  const key = h.keyApi.issueKey(APP_ROLE_ID, 'created in the console', claims.exp);
  const versionId = h.sm.storeCurrent(JSON.stringify({ apiKey: key.apiKey, endpoint: V2_ENDPOINT, roleId: APP_ROLE_ID, ...fields(key) }));
  return { ...key, versionId };
}

function logRecords(): Record<string, unknown>[] {
  return output
    .lines()
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((r) => typeof r.message === 'string');
}

describe('the key says its own id and expiry: stored fields that disagree are reported, never trusted', () => {
  it('a stored "keyId" naming another application\'s live key (a typo): after two rotations that key is still valid, and the original (imported) key is kept and reported by its jti (RevokeImportedKeys off)', async () => {
    const other = h.keyApi.issueKey(APP_ROLE_ID, "another application's key");
    const original = storeConsoleKey({}, () => ({ keyId: other.keyId }));
    expect(jtiOf(original.apiKey)).toBe(original.keyId);

    await h.rotate();
    await h.rotate(); // the original key falls out of AWSPREVIOUS
    expect(h.keyApi.isValid(other.keyId)).toBe(true);
    expect(h.keyApi.isValid(original.keyId)).toBe(true);
    expect(h.keyApi.revoked).toEqual([]);
    expect(notRevokedWarnings().map((w) => w.keyId)).toEqual([original.keyId]);
    const firstMint = h.keyApi.calls.find((c) => c.op === 'mint')!.request!;
    expect(parseMintedKeyDescription(firstMint.description)?.predecessorKeyId).toBe(original.keyId);
  });

  it('a stored "keyId" naming another application\'s live key (a typo), RevokeImportedKeys on: after two rotations that key is still valid, and the original key was revoked by its jti', async () => {
    useHarness({ revokeImportedKeys: true });
    const other = h.keyApi.issueKey(APP_ROLE_ID, "another application's key");
    const original = storeConsoleKey({}, () => ({ keyId: other.keyId }));
    expect(jtiOf(original.apiKey)).toBe(original.keyId);

    await h.rotate();
    expect(h.keyApi.isValid(original.keyId)).toBe(true); // AWSPREVIOUS
    expect(h.keyApi.isValid(other.keyId)).toBe(true);

    await h.rotate(); // the original key falls out of AWSPREVIOUS
    expect(h.keyApi.isValid(other.keyId)).toBe(true);
    expect(h.keyApi.isValid(original.keyId)).toBe(false);
    expect(h.keyApi.revoked).toEqual([original.keyId]);
    expect(liveKeyIds()).toEqual([...storedKeyIds('AWSCURRENT', 'AWSPREVIOUS'), other.keyId].sort());
    // Because the first successor's description named its predecessor by the key's own id, not by what was stored.
    const firstMint = h.keyApi.calls.find((c) => c.op === 'mint')!.request!;
    expect(parseMintedKeyDescription(firstMint.description)?.predecessorKeyId).toBe(original.keyId);
  });

  it('upgrade: a key minted by the previous release names a mistyped "keyId" (another application\'s key) as its predecessor: that key is reported, never revoked', async () => {
    const other = h.keyApi.issueKey(APP_ROLE_ID, "another application's key");
    // What the previous release left: the original key in AWSPREVIOUS, its successor in AWSCURRENT, described `after <stored keyId>`.
    const original = h.storeV2Current();
    const token = h.sm.startRotation();
    const successor = h.keyApi.issueKey(APP_ROLE_ID, `${mintedKeyDescription(h.sm, token, undefined)} after ${other.keyId}`, Math.floor(h.clock.now / 1000) + 30 * DAY);
    h.sm.storePending(token, JSON.stringify({ apiKey: successor.apiKey, endpoint: V2_ENDPOINT, roleId: APP_ROLE_ID, keyId: successor.keyId }));
    for (const step of ['testSecret', 'finishSecret'] as const) await h.run(step, token);
    await h.rotate(); // the original key falls out of AWSPREVIOUS
    expect(h.keyApi.isValid(other.keyId)).toBe(true);
    expect(h.keyApi.revoked).not.toContain(other.keyId);
    expect(notRevokedWarnings()).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        keyId: other.keyId,
        message: expect.stringContaining('named as predecessor by a key minted before key ids were read from the keys') as unknown,
      }),
    );
    expect(h.keyApi.isValid(original.keyId)).toBe(true); // nothing trustworthy names it: it expires
  });

  it('a rotation whose AWSCURRENT stores a "keyId" other than its key\'s jti logs a warning naming both ids and the key\'s fingerprint, never the key', async () => {
    const original = storeConsoleKey({}, () => ({ keyId: 'key-mistyped' }));
    await h.rotate();
    const warnings = logRecords().filter((r) => r.level === 'WARN' && String(r.message).startsWith('The stored key file disagrees with its key'));
    expect(warnings.length).toBeGreaterThan(0);
    for (const warning of warnings) {
      expect(warning).toMatchObject({
        message: `The stored key file disagrees with its key: "keyId" says key-mistyped, but the key's own id (its jti claim) is ${original.keyId}; the key's id is used.`,
        field: 'keyId',
        stored: 'key-mistyped',
        fromKey: original.keyId,
        keyFingerprint: fingerprint(original.apiKey),
        secretVersion: 'AWSCURRENT',
      });
      expect(JSON.stringify(warning)).not.toContain(original.apiKey);
    }
    // The rotation went on, and wrote the successor's own id.
    expect(h.sm.versionAt('AWSPREVIOUS')).toBe(original.versionId);
    expect(valueAt('AWSCURRENT').keyId).toBe(jtiOf(valueAt('AWSCURRENT').apiKey as string));
  });

  it('a rotation whose stored "keyId" agrees with its key\'s jti logs no such warning', async () => {
    h.storeV2Current();
    await h.rotate();
    expect(output.text()).not.toContain('disagrees with its key');
  });

  it('a v2 key without a jti claim keeps rotating: the successor is minted and promoted, but nothing is revoked while it is held, with a warning', async () => {
    const noJti = fakeV2Key({ jti: null });
    // Momento lists it under some id, which nothing in the key says.
    h.keyApi.keys.set('key-listed-only', { keyId: 'key-listed-only', roleId: APP_ROLE_ID, description: 'created in the console', expiresAt: undefined, issuedAt: 0, apiKey: noJti });
    h.momento.validKeys.add(noJti);
    const versionId = h.sm.storeCurrent(JSON.stringify({ apiKey: noJti, endpoint: V2_ENDPOINT, roleId: APP_ROLE_ID, keyId: 'key-claimed' }));
    const orphan = mintedFor(abandonedVersion());

    const token = await h.rotate();
    expect(h.keyApi.count('mint')).toBe(1);
    expect(h.sm.versionAt('AWSCURRENT')).toBe(token);
    expect(h.sm.versionAt('AWSPREVIOUS')).toBe(versionId);
    // The successor carries its own id; its description names no predecessor (there is no id to name).
    expect(valueAt('AWSCURRENT').keyId).toBe(jtiOf(valueAt('AWSCURRENT').apiKey as string));
    expect(parseMintedKeyDescription(h.keyApi.calls.find((c) => c.op === 'mint')!.request!.description)?.predecessorKeyId).toBeUndefined();
    // Held by AWSPREVIOUS: nothing is revoked (Momento's keys are listed first, before the versions are read).
    expect(h.keyApi.count('list')).toBe(1);
    expect(h.keyApi.count('revoke')).toBe(0);
    expect(h.keyApi.isValid(orphan.keyId)).toBe(true);
    const revokedNothing = logRecords().find((r) => String(r.message).startsWith('Revoked nothing: a key in use has no key id'));
    expect(revokedNothing).toMatchObject({ level: 'WARN', versionsWithoutKeyId: [versionId], managementKeyHasId: true });
    expect(output.text()).toContain('"keyId\\" says key-claimed, but the key has no key id (jti claim)');

    await h.rotate(); // the key without a jti falls out of AWSPREVIOUS: revocation resumes
    expect(h.keyApi.isValid(orphan.keyId)).toBe(false);
    expect(h.keyApi.revoked).toEqual([orphan.keyId]);
    // The key without a jti cannot be told apart by id, so it is left to expire.
    expect(h.keyApi.isValid('key-listed-only')).toBe(true);
  });

  it('a management key without a jti claim: rotations mint and promote, but nothing is revoked, with a warning', async () => {
    const managementKey = fakeV2Key({ jti: null });
    h.keyApi.managementKeys.set(managementKey, OPERATOR_ROLE_ID);
    h.sm.otherSecrets.set(MANAGEMENT_SECRET_ID, JSON.stringify({ apiKey: managementKey, keyId: 'key-claimed' }));
    const { keyId: consoleKeyId } = h.storeV2Current();
    await h.rotate();
    const token = await h.rotate(); // the console key falls out of AWSPREVIOUS
    expect(h.keyApi.count('mint')).toBe(2);
    expect(h.sm.versionAt('AWSCURRENT')).toBe(token);
    expect(h.keyApi.isValid(consoleKeyId)).toBe(true);
    expect(h.keyApi.count('revoke')).toBe(0);
    const revokedNothing = logRecords().filter((r) => String(r.message).startsWith('Revoked nothing: a key in use has no key id'));
    expect(revokedNothing).toHaveLength(2);
    expect(revokedNothing[0]).toMatchObject({ versionsWithoutKeyId: [], managementKeyHasId: false });
  });

  it('validUntil comes from the key\'s exp when the file stores none: the expiry report and the rotation use it', async () => {
    const exp = Math.floor(h.clock.now / 1000) + 9 * DAY + 60;
    storeConsoleKey({ exp }, ({ keyId }) => ({ keyId }));
    expect(valueAt('AWSCURRENT').validUntil).toBeUndefined();
    await expect(h.handler({ Action: 'ReportKeyExpiry', SecretId: h.sm.arn })).resolves.toMatchObject({ daysLeft: 9 });
    expect(output.text()).toMatch(/"DaysToExpiry":9/);
    expect(output.text()).not.toContain('disagrees with its key');
  });

  it('a file whose validUntil disagrees with the key\'s exp: exp wins, with a warning naming both dates', async () => {
    const nowSeconds = Math.floor(h.clock.now / 1000);
    const exp = nowSeconds + 12 * DAY + 60;
    const stored = nowSeconds + 40 * DAY + 60;
    const key = storeConsoleKey({ exp }, ({ keyId }) => ({ keyId, validUntil: stored }));
    await expect(h.handler({ Action: 'ReportKeyExpiry', SecretId: h.sm.arn })).resolves.toMatchObject({ daysLeft: 12 });
    expect(output.text()).toMatch(/"DaysToExpiry":12/);
    expect(logRecords().find((r) => r.field === 'validUntil')).toMatchObject({
      level: 'WARN',
      message: `The stored key file disagrees with its key: "validUntil" says ${new Date(stored * 1000).toISOString()}, but the key expires at ${new Date(exp * 1000).toISOString()} (its exp claim); the key's expiry is used.`,
      stored,
      fromKey: exp,
      keyFingerprint: fingerprint(key.apiKey),
    });
  });

  it('a file that says its key is valid for 40 more days, whose key\'s exp has passed: the rotation treats it as expired and mints its successor', async () => {
    const nowSeconds = Math.floor(h.clock.now / 1000);
    storeConsoleKey({ exp: nowSeconds - 60 }, ({ keyId }) => ({ keyId, validUntil: nowSeconds + 40 * DAY }));
    const token = await h.rotate();
    expect(h.sm.versionAt('AWSCURRENT')).toBe(token);
    expect(output.text()).toContain('The AWSCURRENT key has expired');
    expect(output.text()).toContain('"field":"validUntil"');
  });
});

describe('migration from v1', () => {
  it('mints a v2 key for a v1 secret with roleId and endpoint, drops the refresh token, and says the v1 key stays valid', async () => {
    const file = consoleKeyFile(20, Math.floor(h.clock.now / 1000));
    h.storeCurrent({ ...file, roleId: APP_ROLE_ID, endpoint: V2_ENDPOINT });
    await h.rotate();
    const next = valueAt('AWSCURRENT');
    expect(next.refreshToken).toBeUndefined();
    expect(next).toMatchObject({ roleId: APP_ROLE_ID, endpoint: V2_ENDPOINT });
    expect(h.keyApi.keyIdOf(next.apiKey as string)).toBe(next.keyId);
    expect(h.momento.refreshCalls).toHaveLength(0);
    expect(output.text()).toContain('v1 keys cannot be revoked');
    expect(h.momento.validKeys.has(file.apiKey)).toBe(true);
    // The next rotations are plain v2 ones.
    await h.rotate();
    await h.rotate();
    expect(liveKeyIds()).toEqual(storedKeyIds('AWSCURRENT', 'AWSPREVIOUS'));
  });

  it('refreshes a v1 secret with roleId and endpoint as before when no management secret is configured', async () => {
    const v1 = rotationHarness();
    try {
      v1.storeCurrent({ ...consoleKeyFile(), roleId: APP_ROLE_ID, endpoint: V2_ENDPOINT });
      await v1.rotate();
      expect(v1.momento.refreshCalls).toHaveLength(1);
      expect(JSON.parse(v1.sm.valueAt('AWSCURRENT')!)).toMatchObject({ roleId: APP_ROLE_ID, endpoint: V2_ENDPOINT });
    } finally {
      v1.restore();
    }
  });
});

describe('migration needs both fields', () => {
  it.each([
    ['roleId without endpoint', { roleId: APP_ROLE_ID }],
    ['endpoint without roleId', { endpoint: V2_ENDPOINT }],
  ])('a v1 secret with %s is refreshed, not migrated, even with a management secret', async (_label, fields) => {
    h.storeCurrent({ ...consoleKeyFile(20, Math.floor(h.clock.now / 1000)), ...fields });
    await h.rotate();
    expect(h.momento.refreshCalls).toHaveLength(1);
    expect(h.keyApi.count('mint')).toBe(0);
    expect(valueAt('AWSCURRENT').refreshToken).toBeDefined();
  });
});

describe('the management secret rotating itself', () => {
  it.each([
    ['its own key id', undefined],
    ['a "keyId" naming another application\'s live key', 'other'],
    ['no "keyId"', null],
  ] as const)('mints its successor with its own key, and revokes the old key once it falls out of AWSPREVIOUS, when the secret stores %s', async (_label, storedKeyId) => {
    // The original key is imported (made in the console): revoked once it falls out only with RevokeImportedKeys.
    const self = rotationHarness({ managementSecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/api-key-AbCdEf', revokeImportedKeys: true });
    try {
      const other = self.keyApi.issueKey(APP_ROLE_ID, "another application's key");
      const extra = storedKeyId === 'other' ? { keyId: other.keyId } : storedKeyId === null ? { keyId: undefined } : {};
      const { keyId, apiKey } = self.storeV2Current(extra, OPERATOR_ROLE_ID);
      // Each mint is made with the key AWSCURRENT holds at the time: the secret manages itself.
      const mintedWith: string[] = [];
      const mint = self.keyApi.mint.bind(self.keyApi);
      self.keyApi.mint = async (managementKey, request) => {
        mintedWith.push(managementKey);
        return mint(managementKey, request);
      };
      await self.rotate();
      const first = JSON.parse(self.sm.valueAt('AWSCURRENT')!) as { keyId: string; roleId: string };
      expect(first.roleId).toBe(OPERATOR_ROLE_ID);
      expect(self.keyApi.isValid(keyId)).toBe(true);
      await self.rotate();
      expect(self.keyApi.isValid(keyId)).toBe(false);
      expect(self.keyApi.isValid(first.keyId)).toBe(true);
      expect([...self.keyApi.keys.keys()].sort()).toEqual(
        [...['AWSCURRENT', 'AWSPREVIOUS'].map((s) => (JSON.parse(self.sm.valueAt(s)!) as { keyId: string }).keyId), other.keyId].sort(),
      );
      // The key in use as the management key (AWSCURRENT's) was never revoked; the original was, by its jti.
      expect(self.keyApi.revoked).toEqual([keyId]);
      expect(mintedWith).toEqual([apiKey, (JSON.parse(self.sm.valueAt('AWSPREVIOUS')!) as { apiKey: string }).apiKey]);
      expect(self.keyApi.isValid(other.keyId)).toBe(true);
    } finally {
      self.restore();
    }
  });

  it('RevokeImportedKeys off: its original (imported) key is kept when it falls out of AWSPREVIOUS, and reported; the keys it minted go', async () => {
    const self = rotationHarness({ managementSecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/api-key-AbCdEf' });
    try {
      const { keyId } = self.storeV2Current({}, OPERATOR_ROLE_ID);
      await self.rotate();
      const first = (JSON.parse(self.sm.valueAt('AWSCURRENT')!) as { keyId: string }).keyId;
      await self.rotate(); // the original key falls out
      await self.rotate(); // the first minted key falls out
      expect(self.keyApi.isValid(keyId)).toBe(true);
      expect(self.keyApi.revoked).toEqual([first]);
      expect(output.text()).toContain(`RetiredKeyNotRevoked: retired imported key`);
      expect(output.text()).toContain(`"keyId":"${keyId}"`);
    } finally {
      self.restore();
    }
  });
});

describe('errors, each leaving AWSCURRENT untouched', () => {
  async function createFails<E extends Error>(errorClass: abstract new (...args: never[]) => E, arrange: () => void = () => h.storeV2Current()) {
    arrange();
    const before = h.sm.valueAt('AWSCURRENT');
    const token = h.sm.startRotation();
    const error = await expectFailure(h.run('createSecret', token), errorClass);
    expect(h.sm.valueAt('AWSCURRENT')).toBe(before);
    expect(h.sm.count('PutSecretValue')).toBe(0);
    return error;
  }

  it('management secret missing', async () => {
    h.sm.otherSecrets.clear();
    const error = await createFails(ManagementSecretInvalidError);
    expect(error.message).toContain('no AWSCURRENT value');
  });

  it('management secret unreadable (access denied) names the permission the role needs', async () => {
    // createSecret reads AWSPENDING, then AWSCURRENT, then the management secret: deny the third.
    const noFault = () => undefined as unknown as Error;
    h.sm.failNext('GetSecretValue', noFault, noFault, () => serviceError('AccessDeniedException', 'not authorized'));
    const error = await createFails(ManagementSecretInvalidError);
    expect(error.message).toContain('AccessDeniedException');
    expect(error.message).toContain('secretsmanager:GetSecretValue');
  });

  it('management secret holding a v1 key', async () => {
    h.sm.otherSecrets.set(MANAGEMENT_SECRET_ID, JSON.stringify({ apiKey: fakeV1Key() }));
    const error = await createFails(ManagementSecretInvalidError);
    expect(error.message).toContain('not a v2 API key');
  });

  it('management key rejected (401)', async () => {
    h.keyApi.managementKeys.clear();
    const error = await createFails(ManagementKeyRejectedError);
    expect(error.message).toContain('invalid or expired');
  });

  it('management key not allowed (403) names the permission it needs', async () => {
    h.keyApi.managementKeys.set(h.managementKey, VIEWER_ROLE_ID); // Viewer may list keys, not mint them
    const error = await createFails(ManagementKeyRejectedError);
    expect(error.message).toMatch(/needs auth_management read, write and list: use a key of r-operator or r-owner/);
    expect(error.message).toContain('(403;');
    expect(h.keyApi.count('mint')).toBe(1);
  });

  it('roleId missing', async () => {
    await createFails(MissingRoleIdError, () => h.storeV2Current({ roleId: undefined }));
  });

  it('a role Momento does not know (404)', async () => {
    const error = await createFails(UnknownRoleError, () => h.storeV2Current({ roleId: 'no-such-role' }));
    expect(error.message).toContain('no-such-role');
  });

  it('a mint refused with 404 for an unknown role id: the error names the id sent and lists the account\'s roles (name → id)', async () => {
    const error = await createFails(UnknownRoleError, () => h.storeV2Current({ roleId: 'r-0badc0de' }));
    expect(h.keyApi.calls.find((c) => c.op === 'mint')!.request!.roleId).toBe('r-0badc0de');
    expect(error.message).toContain('Momento does not know the role id "r-0badc0de" sent to mint the successor of the AWSCURRENT key');
    expect(error.message).toContain(
      "The account's roles (name → id): Owner → r-owner, Operator → r-operator, Viewer → r-viewer, app-readwrite → r-5c1e0a7b, key-rotation → r-9d2f4e60.",
    );
    expect(error.message).not.toContain('Did you mean');
    expect(h.keyApi.calls.map((c) => c.op)).toEqual(['mint', 'list-roles']);
  });

  it('a mint refused with 404 because "roleId" holds a role\'s name: the error asks "Did you mean" that role\'s id', async () => {
    const error = await createFails(UnknownRoleError, () => h.storeV2Current({ roleId: APP_ROLE_NAME }));
    expect(error.message).toContain(`Momento does not know the role id "${APP_ROLE_NAME}"`);
    expect(error.message).toContain(`Did you mean ${APP_ROLE_ID}? "${APP_ROLE_NAME}" is that role's name, not its id.`);
    expect(error.retryable).toBe(false);
  });

  it('a mint refused with 404, then the roles cannot be listed: the error still names the role id sent', async () => {
    h.keyApi.failNext('list-roles', 'unavailable');
    const error = await createFails(UnknownRoleError, () => h.storeV2Current({ roleId: APP_ROLE_NAME }));
    expect(error.message).toContain(`Momento does not know the role id "${APP_ROLE_NAME}" sent to mint`);
    expect(error.message).toContain('(the console lists roles under Access Control)');
    expect(error.message).not.toContain("The account's roles");
    expect(h.keyApi.count('list-roles')).toBe(1);
  });

  it('a mint that fails otherwise (403) lists no roles', async () => {
    h.keyApi.managementKeys.set(h.managementKey, VIEWER_ROLE_ID);
    await createFails(ManagementKeyRejectedError);
    expect(h.keyApi.count('list-roles')).toBe(0);
  });

  it('endpoint missing', async () => {
    await createFails(MissingEndpointError, () => h.storeV2Current({ endpoint: undefined }));
  });

  it('a bad request (400)', async () => {
    h.keyApi.failNext('mint', 'bad-request');
    await createFails(KeyApiRequestRefusedError);
  });

  it('key API unavailable after retries: retryable, so Secrets Manager tries again', async () => {
    h.keyApi.failNext('mint', 'unavailable');
    const error = await createFails(KeyApiUnavailableError);
    expect(error.retryable).toBe(true);
  });

  it('a pending v2 key without endpoint fails testSecret', async () => {
    h.storeV2Current();
    const token = h.sm.startRotation();
    await h.run('createSecret', token);
    const pending = valueAt('AWSPENDING');
    delete pending.endpoint;
    h.sm.versions.get(token)!.value = JSON.stringify(pending);
    await expectFailure(h.run('testSecret', token), MissingEndpointError);
  });
});

describe('minted-key descriptions', () => {
  const secret = { arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/api-key-AbCdEf', name: 'momento/api-key' };
  const tag = createHash('sha256').update(secret.arn).digest('hex').slice(0, 12);

  it('tags a key with the first 12 hex digits of the SHA-256 of the secret ARN', () => {
    expect(secretTag(secret.arn)).toBe(tag);
    expect(mintedKeyDescription(secret, 'v-1', 'key-0')).toBe(`momento-secret-rotation ${tag} momento/api-key version v-1 after key key-0`);
    expect(mintedKeyDescription(secret, 'v-1', undefined)).toBe(`momento-secret-rotation ${tag} momento/api-key version v-1`);
  });

  it('keeps a name of 64 characters, and cuts a longer one to 63 and a tilde', () => {
    const at64 = { ...secret, name: 'n'.repeat(64) };
    const at65 = { ...secret, name: `${'n'.repeat(63)}XY` };
    expect(mintedKeyDescription(at64, 'v', undefined)).toBe(`momento-secret-rotation ${tag} ${'n'.repeat(64)} version v`);
    expect(mintedKeyDescription(at65, 'v', undefined)).toBe(`momento-secret-rotation ${tag} ${'n'.repeat(63)}~ version v`);
  });

  it('leaves out a predecessor id holding white space, which could not be read back', () => {
    for (const id of ['key 1', ' key', 'key ']) {
      expect(mintedKeyDescription(secret, 'v', id)).toBe(`momento-secret-rotation ${tag} momento/api-key version v`);
    }
  });

  it('reads back what it writes, and nothing else', () => {
    expect(parseMintedKeyDescription(mintedKeyDescription(secret, 'v-1', 'key-0'))).toEqual({ secretTag: tag, versionId: 'v-1', predecessorKeyId: 'key-0' });
    expect(parseMintedKeyDescription(mintedKeyDescription(secret, 'v-1', undefined))).toEqual({ secretTag: tag, versionId: 'v-1', predecessorKeyId: undefined });
    // The previous release wrote `after <stored keyId>`: read, but only as an unverified name.
    expect(parseMintedKeyDescription(`momento-secret-rotation ${tag} momento/api-key version v-1 after key-0`)).toStrictEqual({
      secretTag: tag,
      versionId: 'v-1',
      predecessorKeyId: undefined,
      unverifiedPredecessorKeyId: 'key-0',
    });
    for (const other of [
      'created in the console',
      `x momento-secret-rotation ${tag} n version v`,
      `momento-secret-rotation ${tag} n version v after k trailing`,
      `momento-secret-rotation ${tag.slice(0, 11)} n version v`,
      `momento-secret-rotation ${tag}0 n version v`,
      `momento-secret-rotation ${tag.toUpperCase().replace(/[0-9]/g, 'G')} n version v`,
      `momento-secret-rotation ${tag}  version v`,
      `momento-secret-rotation ${tag} n version  after k`,
      `momento-secret-rotation ${tag} n version v after `,
    ]) {
      expect(parseMintedKeyDescription(other), other).toBeUndefined();
    }
  });
});

describe('revokeRetiredKeys, called directly', () => {
  const deadline = () => h.clock.now + 60_000;

  it('reports what it revoked and which retired keys it kept, and counts both', async () => {
    const { keyId: consoleKeyId } = h.storeV2Current();
    await h.rotate();
    await h.rotate(); // the console key falls out of AWSPREVIOUS: imported, so kept (RevokeImportedKeys is off)
    const orphan = mintedFor(abandonedVersion());
    const after = outputFromNow();
    const report = await revokeRetiredKeys(h.sm.arn, h.deps, deadline());
    expect(report).toEqual({ revoked: [orphan.keyId], failed: [], notRevoked: [consoleKeyId] });
    expect(h.keyApi.isValid(orphan.keyId)).toBe(false);
    expect(h.keyApi.isValid(consoleKeyId)).toBe(true);
    metrics.publishStoredMetrics();
    expect(after()).toMatch(/"KeysRevoked":1/);
    expect(after()).toMatch(/"RetiredKeyNotRevoked":1/);
    expect(after()).not.toMatch(/"RevocationFailed"/);
  });

  it('reports a failed revocation by key id, and counts it', async () => {
    h.storeV2Current();
    await h.rotate();
    const orphan = mintedFor(abandonedVersion());
    h.keyApi.failNext('revoke', 'unavailable');
    const after = outputFromNow();
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [], failed: [orphan.keyId] });
    metrics.publishStoredMetrics();
    expect(after()).toMatch(/"RevocationFailed":1/);
    expect(after()).toMatch(/Could not revoke a retired key/);
  });

  it('reports a listing that failed as "(listing)", and counts it', async () => {
    h.storeV2Current();
    h.keyApi.failNext('list', 'unavailable');
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [], failed: ['(listing)'] });
    metrics.publishStoredMetrics();
    expect(output.text()).toMatch(/"RevocationFailed":1/);
    expect(output.text()).toMatch(/Could not check for keys to revoke.*KeyApiUnavailableError/);
  });

  it('does nothing, with no key-API call, without a management secret', async () => {
    h.storeV2Current();
    await h.rotate();
    await h.rotate();
    mintedFor(abandonedVersion());
    const before = h.keyApi.calls.length;
    const smCallsBefore = h.sm.calls.length;
    await expect(revokeRetiredKeys(h.sm.arn, { ...h.deps, managementSecretId: undefined }, deadline())).resolves.toBeUndefined();
    expect(h.keyApi.calls.length).toBe(before);
    expect(h.sm.calls.length).toBe(smCallsBefore);
  });

  it('for a secret that holds no v2 key, with a management secret configured: one listing (it comes first), then nothing is revoked or reported', async () => {
    h.storeCurrent(consoleKeyFile());
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toBeUndefined();
    expect(keyApiOps()).toEqual(['list']);
  });

  it('counts a secret as holding v2 keys by its v2 key alone (no "keyId" needed); a "keyId" beside a v1 key counts for nothing', async () => {
    const { apiKey } = h.keyApi.issueKey(APP_ROLE_ID, 'created in the console');
    h.sm.storeCurrent(JSON.stringify({ apiKey, endpoint: V2_ENDPOINT, roleId: APP_ROLE_ID })); // no keyId
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [], failed: [] });
    expect(h.keyApi.count('list')).toBe(1);
    const v1WithId = rotationHarness({ managementSecretId: MANAGEMENT_SECRET_ID });
    try {
      v1WithId.storeCurrent({ ...consoleKeyFile(), keyId: 'imported-1' });
      await expect(revokeRetiredKeys(v1WithId.sm.arn, v1WithId.deps, deadline())).resolves.toBeUndefined();
      expect(v1WithId.keyApi.calls).toEqual([{ op: 'list' }]);
    } finally {
      v1WithId.restore();
    }
  });

  it('a Viewer management key lists, but its revocations are refused (403): reported by key id, the key stays valid', async () => {
    h.storeV2Current();
    await h.rotate();
    const orphan = mintedFor(abandonedVersion());
    h.keyApi.managementKeys.set(h.managementKey, VIEWER_ROLE_ID);
    const listsBefore = h.keyApi.count('list');
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [], failed: [orphan.keyId] });
    expect(h.keyApi.isValid(orphan.keyId)).toBe(true);
    expect(output.text()).toMatch(new RegExp(`Could not revoke a retired key.*"keyId":"${orphan.keyId}".*HTTP 403`));
    expect(h.keyApi.count('list')).toBe(listsBefore + 1);
  });

  it('a management key whose role has no auth_management rights (an application\'s role) may not even list: "(listing)" failed', async () => {
    h.storeV2Current();
    await h.rotate();
    const orphan = mintedFor(abandonedVersion());
    h.keyApi.managementKeys.set(h.managementKey, APP_ROLE_ID);
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [], failed: ['(listing)'] });
    expect(h.keyApi.isValid(orphan.keyId)).toBe(true);
    expect(output.text()).toMatch(/Could not check for keys to revoke.*ManagementKeyRejectedError/);
  });

  it('leaves a key that has expired already, even at this very second', async () => {
    h.storeV2Current();
    const nowSeconds = Math.floor(h.clock.now / 1000);
    const gone = mintedFor(abandonedVersion(), undefined, nowSeconds);
    const live = mintedFor(abandonedVersion(), undefined, nowSeconds + 1);
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [live.keyId], failed: [] });
    expect(h.keyApi.revoked).not.toContain(gone.keyId);
  });
});

/**
 * Holds the next call to the key API's listing until `release` is called; the listing then
 * answers with Momento's keys as they are at that moment.
 */
function holdNextListing(harness: Harness): { called: Promise<void>; release: () => void } {
  const list = harness.keyApi.list.bind(harness.keyApi);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let called!: () => void;
  const calledPromise = new Promise<void>((resolve) => (called = resolve));
  let armed = true;
  harness.keyApi.list = async (managementKey: string) => {
    if (armed) {
      armed = false;
      called();
      await gate;
    }
    return list(managementKey);
  };
  return { called: calledPromise, release };
}

describe('issue 21: revocation never hits a key someone still uses', () => {
  const deadline = () => h.clock.now + 60_000;

  // ---- 1. the same key in two secrets ----

  it("the same key in two secrets: secret B holds the console key secret A retires; A's rotations never revoke it (RetiredKeyNotRevoked logged and counted with its key id)", async () => {
    // Secret A is this secret. Secret B (staging, say) holds the same console key: to Momento, that is a valid key.
    const shared = h.storeV2Current();
    await h.rotate();
    const after = outputFromNow();
    await h.rotate(); // the shared key falls out of A's AWSPREVIOUS
    expect(h.keyApi.isValid(shared.keyId)).toBe(true);
    expect(await h.momento.probeApiKey(shared.apiKey, undefined)).toMatchObject({ ok: true }); // B's applications still authenticate
    expect(notRevokedWarnings()).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: expect.stringContaining('retired imported key') as unknown,
        keyId: shared.keyId,
        revokeWith: `momento-secret-rotation revoke --key-id ${shared.keyId} --management-secret-id ${MANAGEMENT_SECRET_ID}`,
      }),
    ]);
    expect(after()).toMatch(/"RetiredKeyNotRevoked":1/);
    // Nor do the next expiry report and rotations; the keys A minted go as they fall out.
    await expect(expiryReport()).resolves.toMatchObject({ revocations: { revoked: [], failed: [], notRevoked: [shared.keyId] } });
    await h.rotate();
    await h.rotate();
    expect(h.keyApi.isValid(shared.keyId)).toBe(true);
    expect(h.keyApi.revoked).toHaveLength(2);
    expect(h.keyApi.revoked).not.toContain(shared.keyId);
  });

  it("the same key in two secrets, RevokeImportedKeys on (the user says no other secret holds it): A's second rotation revokes the console key A retires", async () => {
    useHarness({ revokeImportedKeys: true });
    const shared = h.storeV2Current();
    await h.rotate();
    await h.rotate();
    expect(h.keyApi.isValid(shared.keyId)).toBe(false);
    expect(h.keyApi.revoked).toEqual([shared.keyId]);
    expect(logRecords().find((r) => r.message === 'Revoked a retired key')).toMatchObject({ keyId: shared.keyId, reason: 'retired imported key (RevokeImportedKeys is on)' });
    expect(notRevokedWarnings()).toEqual([]);
  });

  it('a key minted for another secret (a promoted replica\'s) named as predecessor is never revoked', async () => {
    // The primary secret in us-west-2 minted the key; replication copied it here; this replica was promoted and rotates on its own.
    const primary = { arn: h.sm.arn.replace('us-east-1', 'us-west-2'), name: h.sm.name };
    const primaryKey = h.keyApi.issueKey(APP_ROLE_ID, mintedKeyDescription(primary, randomUUID(), `key-${randomUUID()}`), Math.floor(h.clock.now / 1000) + 30 * DAY);
    h.sm.storeCurrent(JSON.stringify({ apiKey: primaryKey.apiKey, endpoint: V2_ENDPOINT, roleId: APP_ROLE_ID, keyId: primaryKey.keyId }));
    await h.rotate();
    expect(parseMintedKeyDescription(h.keyApi.calls.find((c) => c.op === 'mint')!.request!.description)?.predecessorKeyId).toBe(primaryKey.keyId);
    await h.rotate(); // the primary's key falls out of AWSPREVIOUS, named as predecessor by a key minted for this secret
    await expiryReport();
    await h.rotate();
    expect(h.keyApi.isValid(primaryKey.keyId)).toBe(true);
    expect(h.keyApi.revoked).not.toContain(primaryKey.keyId);
    expect(notRevokedWarnings()).toContainEqual(
      expect.objectContaining({ keyId: primaryKey.keyId, message: expect.stringContaining('minted for another secret') as unknown }),
    );
  });

  it('a key minted for another secret, RevokeImportedKeys on: still never revoked (the option is for imported keys only)', async () => {
    useHarness({ revokeImportedKeys: true });
    const primary = { arn: h.sm.arn.replace('us-east-1', 'us-west-2'), name: h.sm.name };
    const primaryKey = h.keyApi.issueKey(APP_ROLE_ID, mintedKeyDescription(primary, randomUUID(), undefined));
    h.sm.storeCurrent(JSON.stringify({ apiKey: primaryKey.apiKey, endpoint: V2_ENDPOINT, roleId: APP_ROLE_ID, keyId: primaryKey.keyId }));
    await h.rotate();
    await h.rotate();
    await h.rotate();
    expect(h.keyApi.isValid(primaryKey.keyId)).toBe(true);
  });

  // ---- 2. an expiry report running during a rotation ----

  it('an expiry report starts before RotateSecret; createSecret mints and stores the new key and testSecret passes while the report\'s listing is held; the listing answers; finishSecret promotes: AWSCURRENT\'s key is still valid at Momento', async () => {
    h.storeV2Current();
    const held = holdNextListing(h);
    const report = expiryReport();
    await held.called;
    const token = h.sm.startRotation(); // RotateSecret
    for (const step of ['createSecret', 'setSecret', 'testSecret'] as const) await h.run(step, token);
    const newKeyId = valueAt('AWSPENDING').keyId as string;
    held.release(); // the listing answers now: it shows the key createSecret minted and stored
    const { revocations } = await report;
    await h.run('finishSecret', token);
    expect(h.sm.versionAt('AWSCURRENT')).toBe(token);
    expect(valueAt('AWSCURRENT').keyId).toBe(newKeyId);
    expect(h.keyApi.isValid(newKeyId)).toBe(true);
    expect(await h.momento.probeApiKey(valueAt('AWSCURRENT').apiKey as string, undefined)).toMatchObject({ ok: true });
    expect(revocations).toEqual({ revoked: [], failed: [] });
  });

  it('an expiry report starts before RotateSecret; its listing answers after createSecret minted the new key and the report finishes before createSecret stores it: the key is not revoked, and the rotation completes with it', async () => {
    h.storeV2Current();
    const held = holdNextListing(h);
    const report = expiryReport();
    await held.called;
    const mint = h.keyApi.mint.bind(h.keyApi);
    h.keyApi.mint = async (managementKey, request) => {
      const minted = await mint(managementKey, request);
      held.release();
      await report; // the whole report runs between the mint and PutSecretValue
      return minted;
    };
    const token = h.sm.startRotation();
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) await h.run(step, token);
    const { revocations } = await report;
    expect(revocations).toEqual({ revoked: [], failed: [] });
    expect(h.sm.versionAt('AWSCURRENT')).toBe(token);
    expect(h.keyApi.isValid(valueAt('AWSCURRENT').keyId as string)).toBe(true);
    expect(await h.momento.probeApiKey(valueAt('AWSCURRENT').apiKey as string, undefined)).toMatchObject({ ok: true });
  });

  // ---- 3. a description is not proof ----

  it('a forged description: a key that copies our tag and names a victim as predecessor (`after key <victim>`) is not trusted: the victim is not revoked', async () => {
    const victim = h.keyApi.issueKey(OPERATOR_ROLE_ID, "another stack's management key");
    h.storeV2Current();
    await h.rotate();
    // Anyone who may create keys in the Momento account can copy our description, even with a real version id of this secret.
    const forged = mintedFor(h.sm.versionAt('AWSCURRENT')!, victim.keyId);
    expect(parseMintedKeyDescription(h.keyApi.keys.get(forged.keyId)!.description)).toMatchObject({ secretTag: secretTag(h.sm.arn), predecessorKeyId: victim.keyId });
    await expiryReport();
    await h.rotate();
    await h.rotate();
    await expiryReport();
    expect(h.keyApi.isValid(victim.keyId)).toBe(true);
    expect(h.keyApi.revoked).not.toContain(victim.keyId);
  });

  it('a forged description naming a victim as predecessor and a version this secret never had: neither the victim nor the forged key is revoked', async () => {
    const victim = h.keyApi.issueKey(APP_ROLE_ID, "another application's key");
    h.storeV2Current();
    await h.rotate();
    const forged = mintedFor(randomUUID(), victim.keyId);
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [], failed: [], notRevoked: [forged.keyId] });
    expect(h.keyApi.isValid(victim.keyId)).toBe(true);
    expect(h.keyApi.revoked).toEqual([]);
  });

  it('a key carrying our tag for a version this secret never had is not revoked (reported)', async () => {
    h.storeV2Current();
    await h.rotate();
    const neverHad = randomUUID();
    const stray = mintedFor(neverHad);
    const after = outputFromNow();
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [], failed: [], notRevoked: [stray.keyId] });
    metrics.publishStoredMetrics();
    expect(after()).toMatch(/"RetiredKeyNotRevoked":1/);
    expect(notRevokedWarnings()).toEqual([
      expect.objectContaining({
        keyId: stray.keyId,
        message: `RetiredKeyNotRevoked: its description names version ${neverHad}, which this secret does not have: a description is no proof`,
      }),
    ]);
    await h.rotate();
    await h.rotate();
    expect(h.keyApi.isValid(stray.keyId)).toBe(true);
  });

  // ---- 4. versions held by other labels ----

  it.each(['PINNED', 'CANARY'])('a version pinned with its own label (%s) keeps its key: two rotations later it is still valid; once the label is taken off, the next pass revokes it', async (label) => {
    h.storeV2Current();
    await h.rotate();
    const pinnedVersion = h.sm.versionAt('AWSCURRENT')!;
    const pinned = valueAt('AWSCURRENT').keyId as string;
    h.sm.label(pinnedVersion, label);
    await h.rotate();
    await h.rotate(); // the pinned version falls out of AWSPREVIOUS; it still has its label
    expect(h.sm.stagesOf(pinnedVersion)).toEqual([label]);
    expect(h.keyApi.isValid(pinned)).toBe(true);
    await expiryReport();
    await h.rotate();
    expect(h.keyApi.isValid(pinned)).toBe(true);
    // The key minted after it went as usual.
    expect(h.keyApi.revoked).toHaveLength(1);

    h.sm.unlabel(pinnedVersion, label);
    await expect(expiryReport()).resolves.toMatchObject({ revocations: { revoked: [pinned], failed: [] } });
    expect(h.keyApi.isValid(pinned)).toBe(false);
  });

  it.each([
    ['AccessDeniedException', 400],
    ['InternalServiceError', 500],
  ] as const)('a labelled version that cannot be read (GetSecretValue fails with %s) aborts the pass: nothing is revoked, the failure is reported', async (name, status) => {
    h.storeV2Current();
    await h.rotate();
    const pinnedVersion = h.sm.versionAt('AWSCURRENT')!;
    const pinned = valueAt('AWSCURRENT').keyId as string;
    h.sm.label(pinnedVersion, 'PINNED');
    await h.rotate();
    await h.rotate();
    const due = valueAt('AWSPREVIOUS').keyId as string; // falls out at the next rotation
    const readable = h.sm.failWhile('GetSecretValue', (input) => input.VersionId === pinnedVersion, () => serviceError(name, 'cannot read', status));
    const token = await h.rotate();
    expect(h.sm.versionAt('AWSCURRENT')).toBe(token); // the promotion stands
    expect(h.keyApi.isValid(due)).toBe(true);
    expect(h.keyApi.isValid(pinned)).toBe(true);
    expect(h.keyApi.count('revoke')).toBe(0);

    const after = outputFromNow();
    await expect(revokeRetiredKeys(h.sm.arn, h.deps, deadline())).resolves.toEqual({ revoked: [], failed: ['(listing)'] });
    metrics.publishStoredMetrics();
    expect(after()).toMatch(/"RevocationFailed":1/);
    expect(after()).toMatch(new RegExp(`Could not check for keys to revoke; nothing was revoked.*${name}`));
    expect(h.keyApi.count('revoke')).toBe(0);

    readable();
    await expect(expiryReport()).resolves.toMatchObject({ revocations: { revoked: [due], failed: [] } });
    expect(h.keyApi.isValid(pinned)).toBe(true);
  });

  // ---- orphans: the version a key was minted for decides ----

  /** createSecret mints for a new rotation, then its container dies before storing the key; returns the version and the orphan. */
  async function crashBetweenMintAndStore(): Promise<{ token: string; orphan: string }> {
    h.storeV2Current();
    await h.rotate();
    const token = h.sm.startRotation();
    h.sm.failNext('PutSecretValue', () => serviceError('InternalServiceError', 'container died', 500));
    const revive = dieOnFirstRetry(h);
    await expect(h.run('createSecret', token)).rejects.toThrow();
    revive();
    h.deps.unstoredValues.clear();
    const orphan = [...h.keyApi.keys.values()].find((k) => parseMintedKeyDescription(k.description)?.versionId === token)!;
    expect(h.sm.versions.get(token)?.value).toBeUndefined();
    // While the version is AWSPENDING with no value, a createSecret may be about to store it: left alone.
    await expect(expiryReport()).resolves.toMatchObject({ revocations: { revoked: [], failed: [] } });
    expect(h.keyApi.isValid(orphan.keyId)).toBe(true);
    return { token, orphan: orphan.keyId };
  }

  it('an orphan minted for a version that exists without a value (createSecret minted, the container died before storing, the rotation was cancelled: the version is no longer AWSPENDING) is revoked', async () => {
    const { token, orphan } = await crashBetweenMintAndStore();
    h.sm.unlabel(token, 'AWSPENDING'); // CancelRotateSecret
    await expect(expiryReport()).resolves.toMatchObject({ revocations: { revoked: [orphan], failed: [] } });
    expect(h.keyApi.isValid(orphan)).toBe(false);
  });

  it('an orphan minted for a version that exists without a value, superseded by the next RotateSecret, is revoked by that rotation\'s finishSecret', async () => {
    const { orphan } = await crashBetweenMintAndStore();
    await h.rotate(); // a new token: the crashed version loses AWSPENDING
    expect(h.keyApi.isValid(orphan)).toBe(false);
  });

  it('an orphan minted for a version that exists without a value, then forgotten by Secrets Manager (forgetVersion), is kept and reported', async () => {
    const { token, orphan } = await crashBetweenMintAndStore();
    h.sm.unlabel(token, 'AWSPENDING');
    h.sm.forgetVersion(token);
    await expect(expiryReport()).resolves.toMatchObject({ revocations: { revoked: [], failed: [], notRevoked: [orphan] } });
    await h.rotate();
    expect(h.keyApi.isValid(orphan)).toBe(true);
    expect(notRevokedWarnings().map((w) => w.keyId)).toContain(orphan);
  });
});

describe('known limits and races of the revocation pass', () => {
  it('RevokeImportedKeys on: the console key falls out of AWSPREVIOUS in a rotation whose listing fails; once nothing held names it, it is left valid (never revoked blindly), and rotations go on', async () => {
    // A predecessor is believed only from a key AWSCURRENT or AWSPREVIOUS holds: after the key that
    // named it has gone too, nothing vouches for it. When in doubt, not revoked (README, "The revocation rule").
    useHarness({ revokeImportedKeys: true });
    const { keyId: consoleKeyId } = h.storeV2Current();
    await h.rotate();
    h.keyApi.failNext('list', 'unavailable');
    await h.rotate(); // the console key falls out; the pass that should revoke it cannot list
    expect(h.keyApi.isValid(consoleKeyId)).toBe(true);
    await h.rotate(); // the key that named it is no longer AWSCURRENT or AWSPREVIOUS: nothing names it any more
    expect(h.keyApi.isValid(consoleKeyId)).toBe(true);
    expect(h.keyApi.isValid(valueAt('AWSCURRENT').keyId as string)).toBe(true);
  });

  it('an expiry report lists and reads DescribeSecret; finishSecret promotes; the report reads the versions (by id alone): the key that was AWSCURRENT a moment ago (AWSPREVIOUS now) is not revoked', async () => {
    h.storeV2Current();
    await h.rotate();
    const wasCurrent = valueAt('AWSCURRENT').keyId as string;
    const token = h.sm.startRotation();
    for (const step of ['createSecret', 'setSecret', 'testSecret'] as const) await h.run(step, token);
    const describe = h.deps.secrets.describe.bind(h.deps.secrets);
    let armed = true;
    h.deps.secrets.describe = async (secretId: string) => {
      const description = await describe(secretId);
      if (armed) {
        armed = false;
        await h.run('finishSecret', token); // between the report's DescribeSecret and its reads
      }
      return description;
    };
    const { revocations } = await expiryReport();
    expect(h.sm.versionAt('AWSCURRENT')).toBe(token);
    expect(valueAt('AWSPREVIOUS').keyId).toBe(wasCurrent);
    expect(revocations?.revoked).not.toContain(wasCurrent);
    expect(h.keyApi.isValid(wasCurrent)).toBe(true);
  });
});

describe('review findings: evidence a key is in use, or that ids cannot be matched, stops revocation', () => {
  it('a blue/green tool pins the AWSCURRENT key as a bare key under its own label (PINNED); two rotations later it is still valid', async () => {
    h.storeV2Current();
    await h.rotate();
    const pinned = valueAt('AWSCURRENT') as { apiKey: string; keyId: string };
    h.sm.versions.set('pinned-bare', { value: pinned.apiKey, stages: new Set(['PINNED']) });
    await h.rotate();
    await h.rotate();
    expect(h.keyApi.isValid(pinned.keyId)).toBe(true);
    h.sm.unlabel('pinned-bare', 'PINNED');
    await h.rotate(); // unpinned: it is an ordinary retired key now
    expect(h.keyApi.isValid(pinned.keyId)).toBe(false);
  });

  it('a labelled version whose value no key can be read from (a key file in error) stops the pass: nothing is revoked until it is fixed', async () => {
    h.storeV2Current();
    await h.rotate();
    const first = valueAt('AWSCURRENT') as { apiKey: string; keyId: string };
    h.sm.versions.set('pinned-broken', { value: JSON.stringify({ apiKey: first.apiKey, endpoint: 'cell-1.momentohq.com:443' }), stages: new Set(['PINNED']) });
    await h.rotate();
    await h.rotate();
    expect(h.keyApi.isValid(first.keyId)).toBe(true);
    expect(output.text()).toContain('holds a value no key can be read from');
  });

  it("Momento's listing names keys by ids other than their jti (a format change): the key just promoted is not taken for an orphan; nothing is revoked", async () => {
    h.storeV2Current();
    await h.rotate();
    const list = h.keyApi.list.bind(h.keyApi);
    h.keyApi.list = async (managementKey: string) => (await list(managementKey)).map((k) => ({ ...k, keyId: k.keyId.toUpperCase() }));
    await h.rotate();
    expect(h.keyApi.count('revoke')).toBe(0);
    expect(h.momento.validKeys.has(valueAt('AWSCURRENT').apiKey as string)).toBe(true);
    expect(output.text()).toContain("Momento's listing does not show the AWSCURRENT key's id");
  });

  it('a replica Region whose replication failed (it may still serve an older key): nothing is revoked until every replica is InSync', async () => {
    h.storeV2Current();
    await h.rotate();
    const first = valueAt('AWSCURRENT').keyId as string;
    h.sm.replicationStatus = [{ Region: 'eu-west-1', Status: 'Failed' }];
    await h.rotate();
    expect(output.text()).not.toMatch(/"RevocationPostponed"/); // nothing was due yet: nothing counted
    await h.rotate();
    expect(h.keyApi.isValid(first)).toBe(true);
    // Postponed, and counted: the key that is due, by id in the warning, and in the metric.
    expect(output.text()).toMatch(/"RevocationPostponed":1/);
    expect(output.text()).toMatch(new RegExp(`"postponedKeyIds":\\["${first}"\\]`));
    h.sm.replicationStatus = [{ Region: 'eu-west-1', Status: 'InSync' }];
    await h.handler(REPORT());
    expect(h.keyApi.isValid(first)).toBe(false);
  });

  it('an expiry report whose DescribeSecret is stale (it misses the AWSPENDING version createSecret just stored): the new key is not revoked, and finishSecret promotes a working key', async () => {
    h.storeV2Current();
    await h.rotate();
    const token = h.sm.startRotation();
    for (const step of ['createSecret', 'setSecret', 'testSecret'] as const) await h.run(step, token);
    const pendingKey = valueAt('AWSPENDING').keyId as string;
    const describe = h.deps.secrets.describe.bind(h.deps.secrets);
    h.deps.secrets.describe = async (secretId: string) => {
      const fresh = await describe(secretId);
      const { [token]: _missing, ...stale } = fresh.versionStages;
      return { ...fresh, versionStages: stale };
    };
    await h.handler(REPORT());
    h.deps.secrets.describe = describe;
    expect(h.keyApi.isValid(pendingKey)).toBe(true);
    await h.run('finishSecret', token);
    expect(h.momento.validKeys.has(valueAt('AWSCURRENT').apiKey as string)).toBe(true);
  });
});


describe('minting the successor: what the new key file says, and what is logged', () => {
  const EXPIRED_WARNING = 'The AWSCURRENT key has expired';

  it.each([
    ['expired a minute ago', -60, true],
    ['expiring this very second', 0, true],
    ['valid for one more second', 1, false],
    ['valid for 30 more days', 30 * DAY, false],
  ])('an AWSCURRENT v2 key %s: the "has expired" warning is logged only for an expired key', async (_label, secondsLeft, warned) => {
    h.storeV2Current({ validUntil: Math.floor(h.clock.now / 1000) + secondsLeft });
    await h.rotate();
    expect(h.keyApi.count('mint')).toBe(1);
    expect(output.text().includes(EXPIRED_WARNING)).toBe(warned);
  });

  it("Momento's answer names the minted key by another id than its jti: a warning names both, and the key's own id is stored", async () => {
    h.storeV2Current();
    await h.rotate(); // ids agree: no warning
    expect(output.text()).not.toContain("The minted key's own id (jti) differs");
    const mint = h.keyApi.mint.bind(h.keyApi);
    h.keyApi.mint = async (managementKey, request) => {
      const minted = await mint(managementKey, request);
      return { ...minted, info: { ...minted.info, keyId: 'key-as-answered' } };
    };
    await h.rotate();
    const stored = valueAt('AWSCURRENT');
    expect(stored.keyId).toBe(jtiOf(stored.apiKey as string));
    expect(logRecords().filter((r) => String(r.message).startsWith("The minted key's own id (jti) differs"))).toEqual([
      expect.objectContaining({ level: 'WARN', keyIdFromKey: stored.keyId, keyIdFromAnswer: 'key-as-answered' }),
    ]);
  });

  it("validUntil is the minted key's own exp when Momento shortened the lifetime, whatever its answer's expiry says", async () => {
    h.storeV2Current();
    const requested: number[] = [];
    const mint = h.keyApi.mint.bind(h.keyApi);
    h.keyApi.mint = async (managementKey, request) => {
      requested.push(request.expiresAt!);
      const minted = await mint(managementKey, { ...request, expiresAt: request.expiresAt! - DAY }); // the key's exp
      return { ...minted, info: { ...minted.info, expiresAt: request.expiresAt! - 2 * DAY } };
    };
    await h.rotate();
    expect(requested).toEqual([Math.floor(h.clock.now / 1000) + 30 * DAY]);
    expect(valueAt('AWSCURRENT').validUntil).toBe(requested[0]! - DAY);
  });

  it('a v2 rotation says nothing about migrating from v1', async () => {
    h.storeV2Current();
    await h.rotate();
    expect(output.text()).toContain('Minted a successor key at Momento');
    expect(output.text()).not.toContain('Migrating from a v1 key');
  });

  it('the minted key is redacted as soon as Momento returns it: a PutSecretValue error quoting it leaks it neither in the error nor in the log', async () => {
    h.storeV2Current();
    let mintedKey = '';
    const mint = h.keyApi.mint.bind(h.keyApi);
    h.keyApi.mint = async (managementKey, request) => {
      const minted = await mint(managementKey, request);
      mintedKey = minted.apiKey;
      return minted;
    };
    h.sm.failNext('PutSecretValue', () => serviceError('InvalidRequestException', `refused the value ${mintedKey}`));
    const token = h.sm.startRotation();
    const error = await expectFailure(h.run('createSecret', token), PendingWriteFailedError); // checks message, stack and cause for secrets
    expect(mintedKey).not.toBe('');
    expect(String(error.cause)).toContain('refused the value [REDACTED]');
    // captureOutputAndCheckForLeaks checks the log after the test.
  });

  it('a retried createSecret whose check of the key minted earlier is refused (403) fails naming the management secret, and mints nothing more', async () => {
    h.storeV2Current();
    const token = h.sm.startRotation();
    h.sm.failNext('PutSecretValue', ...Array.from({ length: 6 }, () => () => serviceError('InternalServiceError', 'boom', 500)));
    await expect(h.run('createSecret', token)).rejects.toThrow();
    h.keyApi.failNext('list', 'forbidden');
    const error = await expectFailure(h.run('createSecret', token), ManagementKeyRejectedError);
    expect(error.message).toContain(`The management key in ${MANAGEMENT_SECRET_ID} is not allowed to manage API keys (403`);
    expect(h.keyApi.count('mint')).toBe(1);
    expect(h.sm.versions.get(token)?.value).toBeUndefined();
  });

  it('a retried createSecret whose check of the key minted earlier is refused as a bad request (400) names the secret being rotated', async () => {
    h.storeV2Current();
    const token = h.sm.startRotation();
    h.sm.failNext('PutSecretValue', ...Array.from({ length: 6 }, () => () => serviceError('InternalServiceError', 'boom', 500)));
    await expect(h.run('createSecret', token)).rejects.toThrow();
    h.keyApi.failNext('list', 'bad-request');
    const error = await expectFailure(h.run('createSecret', token), KeyApiRequestRefusedError);
    expect(error.message).toContain(`refused to list for secret ${h.sm.arn} as a bad request`);
    expect(h.keyApi.count('mint')).toBe(1);
  });
});
