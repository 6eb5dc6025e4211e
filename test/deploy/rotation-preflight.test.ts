import { describe, expect, it } from 'vitest';
import { checkFirstRotation } from '../../src/deploy/rotation-preflight.js';
import { KeyExpiredError } from '../../src/rotation/errors.js';
import { keyFileFrom } from '../../src/rotation/stored-key-file.js';
import { refreshCurrentKey } from '../../src/rotation/strategies/refresh-v1.js';
import { describeKeyFile } from '../../src/secret/key-file.js';
import { AWSCURRENT, type StoredValue } from '../../src/secrets-manager/secret-store.js';
import { fakeRefreshToken, fakeV1Key } from '../support/secrets.js';

/**
 * The deploy-time preflight (src/deploy/rotation-preflight.ts) throws what the first rotation's
 * createSecret would throw, so a deploy fails instead of leaving the AWSPENDING version
 * RotateSecret staged stuck ("A previous rotation isn't complete" on the next deploy).
 */
const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:momento/api-key-AbCdEf';
const NOW = Date.parse('2026-12-01T12:00:00Z');

/** Secrets Manager holding one AWSCURRENT value (GetSecretValue by stage). */
function holding(secretString: string) {
  return {
    read: async (_id: string, stage: string): Promise<StoredValue> => (stage === AWSCURRENT ? { found: true, secretString } : { found: false }),
  } as never;
}

describe("the deploy-time preflight against the first rotation's createSecret", () => {
  it('fails the deploy for an expired v1 key, as createSecret then fails (KeyExpiredError: an expired key cannot be refreshed)', async () => {
    const stored = JSON.stringify({ apiKey: fakeV1Key(), refreshToken: fakeRefreshToken(), validUntil: Math.floor(NOW / 1000) - 86_400 });
    // What createSecret does with it (refresh-v1.ts): throws before calling Momento.
    const current = keyFileFrom(stored, SECRET, AWSCURRENT);
    const context = { secretId: SECRET, current, currentInfo: describeKeyFile(current, NOW), deps: { now: () => NOW } } as never;
    await expect(refreshCurrentKey(context)).rejects.toBeInstanceOf(KeyExpiredError);
    // The preflight fails the deploy the same way, before the schedule exists.
    await expect(checkFirstRotation(SECRET, { secrets: holding(stored), managementSecretId: undefined, now: () => NOW })).rejects.toBeInstanceOf(KeyExpiredError);
  });

  it('passes a v1 key carrying roleId and endpoint when no management secret is set (it is refreshed, not migrated)', async () => {
    const stored = JSON.stringify({ apiKey: fakeV1Key(), refreshToken: fakeRefreshToken(), roleId: 'role-1', endpoint: 'cell-us-east-1-1.prod.a.momentohq.com' });
    await expect(checkFirstRotation(SECRET, { secrets: holding(stored), managementSecretId: undefined, now: () => NOW })).resolves.toBeUndefined();
  });

  it('fails the deploy for a v2 key without a management secret, or without its role or endpoint', async () => {
    const { fakeV2Key } = await import('../support/secrets.js');
    const { ManagementSecretNotConfiguredError, MissingEndpointError, MissingRoleIdError } = await import('../../src/rotation/errors.js');
    const key = fakeV2Key({ exp: Math.floor(NOW / 1000) + 30 * 86_400 });
    const full = { apiKey: key, roleId: 'r-x', endpoint: 'cell-4-us-west-2-1.prod.a.momentohq.com' };
    await expect(checkFirstRotation(SECRET, { secrets: holding(JSON.stringify(full)), managementSecretId: undefined, now: () => NOW })).rejects.toBeInstanceOf(ManagementSecretNotConfiguredError);
    const withManagement = (value: object) => checkFirstRotation(SECRET, { secrets: holding(JSON.stringify(value)), managementSecretId: 'momento/management', now: () => NOW });
    await expect(withManagement({ ...full, roleId: undefined })).rejects.toBeInstanceOf(MissingRoleIdError);
    await expect(withManagement({ ...full, endpoint: undefined })).rejects.toBeInstanceOf(MissingEndpointError);
  });
});
