import { beforeEach, describe, expect, it } from 'vitest';
import { metrics } from '../../src/observability/metrics.js';
import { revokeKeysMintedFor } from '../../src/rotation/retire.js';
import { mintedKeyDescription } from '../../src/rotation/strategies/mint-v2.js';
import { captureOutputAndCheckForLeaks } from '../support/capture-output.js';
import { FakeKeyApi } from '../support/fake-key-api.js';
import { FakeMomento } from '../support/fake-momento.js';
import { APP_ROLE_ID, OPERATOR_ROLE_ID } from '../support/momento-roles.js';
import { jtiOf } from '../support/secrets.js';

/**
 * revokeKeysMintedFor (src/rotation/retire.ts): for a secret about to be deleted (its stack's
 * Delete, or `retire`), every live key minted for it is revoked; nothing else is.
 */
const output = captureOutputAndCheckForLeaks();
const SECRET = { arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/retired-AbCdEf', name: 'momento/retired' };
const NOW_MS = Math.floor(Date.now() / 1000) * 1000;
const NOW_SECONDS = NOW_MS / 1000;
const DEADLINE = NOW_MS + 60_000;

let keyApi: FakeKeyApi;
let management: { apiKey: string; keyId: string | undefined };

beforeEach(() => {
  keyApi = new FakeKeyApi(new FakeMomento(() => NOW_MS), () => NOW_MS);
  const apiKey = keyApi.issueManagementKey();
  management = { apiKey, keyId: jtiOf(apiKey) };
  // Metrics recorded by an earlier test are not this one's.
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
});

function mintedForSecret(versionId: string, expiresAt: number | undefined = NOW_SECONDS + 30 * 86_400, roleId = APP_ROLE_ID) {
  return keyApi.issueKey(roleId, mintedKeyDescription(SECRET, versionId, undefined), expiresAt);
}

/** The metrics recorded since the test began, as published. */
function publishedMetrics(since: number): string {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  return output.text().slice(since);
}

describe('revokeKeysMintedFor', () => {
  it('a secret that lives on (stack delete) holding K1 and K2, then a listing whose ids are not the jtis: nothing is revoked, every minted key reported', async () => {
    const current = mintedForSecret('v-2');
    const previous = mintedForSecret('v-1');
    const orphan = mintedForSecret('v-0');
    const list = keyApi.list.bind(keyApi);
    keyApi.list = async (managementKey: string) => (await list(managementKey)).map((k) => ({ ...k, keyId: `L-${k.keyId}` }));
    const keep = new Set([current.keyId, previous.keyId]);
    const report = await revokeKeysMintedFor(SECRET.arn, keyApi, management, DEADLINE, NOW_MS, keep);
    expect({ ...report, notRevoked: [...(report.notRevoked ?? [])].sort() }).toEqual({
      revoked: [],
      failed: [],
      notRevoked: [`L-${current.keyId}`, `L-${previous.keyId}`, `L-${orphan.keyId}`].sort(),
    });
    expect(keyApi.calls.filter((c) => c.op === 'revoke')).toEqual([]);
    expect(keyApi.isValid(current.keyId)).toBe(true);
  });

  it('a secret that lives on holding K1, with a true listing: K1 kept and reported, the orphan revoked', async () => {
    const current = mintedForSecret('v-2');
    const orphan = mintedForSecret('v-0');
    const report = await revokeKeysMintedFor(SECRET.arn, keyApi, management, DEADLINE, NOW_MS, new Set([current.keyId]));
    expect(report).toEqual({ revoked: [orphan.keyId], failed: [], notRevoked: [current.keyId] });
  });

  it('retiring the management secret itself: the key the revocations are made with is never revoked, the rest of its keys are', async () => {
    // The management secret rotates itself: its AWSCURRENT key, minted for it, is the management key.
    const current = mintedForSecret('v-2', undefined, OPERATOR_ROLE_ID);
    const previous = mintedForSecret('v-1', undefined, OPERATOR_ROLE_ID);
    const report = await revokeKeysMintedFor(SECRET.arn, keyApi, { apiKey: current.apiKey, keyId: current.keyId }, DEADLINE, NOW_MS);
    expect(report).toEqual({ revoked: [previous.keyId], failed: [] });
    expect(keyApi.isValid(current.keyId)).toBe(true);
    expect(keyApi.calls.filter((c) => c.op === 'revoke').map((c) => c.keyId)).toEqual([previous.keyId]);
  });

  it('revokes a key minted without an expiry, and one expiring in a second; leaves one that expires this very second (gone already)', async () => {
    const neverExpires = mintedForSecret('v-1', undefined);
    keyApi.keys.set(neverExpires.keyId, { ...keyApi.keys.get(neverExpires.keyId)!, expiresAt: undefined });
    const expiringNow = mintedForSecret('v-2', NOW_SECONDS);
    const expiringNext = mintedForSecret('v-3', NOW_SECONDS + 1);
    const report = await revokeKeysMintedFor(SECRET.arn, keyApi, management, DEADLINE, NOW_MS);
    expect(report).toEqual({ revoked: [neverExpires.keyId, expiringNext.keyId], failed: [] });
    expect(keyApi.calls.filter((c) => c.op === 'revoke').map((c) => c.keyId)).not.toContain(expiringNow.keyId);
  });

  it('counts what it revoked and what failed (KeysRevoked, RevocationFailed), and reports the failed key by id', async () => {
    const since = output.text().length;
    const keys = [mintedForSecret('v-1'), mintedForSecret('v-2'), mintedForSecret('v-3')];
    keyApi.failNext('revoke', 'unavailable');
    const report = await revokeKeysMintedFor(SECRET.arn, keyApi, management, DEADLINE, NOW_MS);
    expect(report).toEqual({ revoked: [keys[1]!.keyId, keys[2]!.keyId], failed: [keys[0]!.keyId] });
    const published = publishedMetrics(since);
    expect(published).toMatch(/"KeysRevoked":2[,}]/);
    expect(published).toMatch(/"RevocationFailed":1[,}]/);
  });

  it('reports kept keys only when it kept some: "notRevoked" names the keys a secret that lives on still holds', async () => {
    const held = mintedForSecret('v-2');
    const retired = mintedForSecret('v-1');
    await expect(revokeKeysMintedFor(SECRET.arn, keyApi, management, DEADLINE, NOW_MS, new Set([held.keyId]))).resolves.toEqual({
      revoked: [retired.keyId],
      failed: [],
      notRevoked: [held.keyId],
    });
    const other = mintedForSecret('v-3');
    // Nothing to keep (a secret being deleted): no "notRevoked" at all.
    const report = await revokeKeysMintedFor(SECRET.arn, keyApi, management, DEADLINE, NOW_MS, new Set());
    expect(report).toEqual({ revoked: [held.keyId, other.keyId], failed: [] });
  });
});
