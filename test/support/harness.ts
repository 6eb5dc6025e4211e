import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { createHandler } from '../../src/handler.js';
import { STEPS, type Step } from '../../src/rotation/event.js';
import type { RotationDeps } from '../../src/rotation/rotation-deps.js';
import type { StepResult } from '../../src/rotation/rotate.js';
import { SecretStore } from '../../src/secrets-manager/secret-store.js';
import { FakeKeyApi } from './fake-key-api.js';
import { FakeMomento } from './fake-momento.js';
import { APP_ROLE_ID } from './momento-roles.js';
import { SecretsManagerModel } from './secrets-manager-model.js';

/**
 * The real handler, with Secrets Manager mocked by a model of AWS's behaviour and
 * Momento faked. Time is simulated: retries' sleeps advance the clock.
 */
export const MANAGEMENT_SECRET_ID = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/management-XyZ123';

/**
 * `managementSecretId`: MOMENTO_MANAGEMENT_SECRET_ARN. Unset by default, as in a v1-only
 * deployment; MANAGEMENT_SECRET_ID is a management secret holding a key the fake key API accepts.
 */
export function rotationHarness(options: { testCacheName?: string; remainingMs?: number; managementSecretId?: string; revokeImportedKeys?: boolean } = {}) {
  const clock = { now: Math.floor(Date.now() / 1000) * 1000 };
  const sm = new SecretsManagerModel();
  const momento = new FakeMomento(() => clock.now);
  const keyApi = new FakeKeyApi(momento, () => clock.now);
  const managementSecretId = options.managementSecretId;
  const managementKey = keyApi.issueManagementKey();
  if (managementSecretId === MANAGEMENT_SECRET_ID) sm.otherSecrets.set(MANAGEMENT_SECRET_ID, JSON.stringify({ apiKey: managementKey }));
  const deps: RotationDeps = {
    secrets: new SecretStore(
      new SecretsManagerClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
    ),
    momento,
    keyApi,
    managementSecretId,
    keyLifetimeDays: 30,
    revokeImportedKeys: options.revokeImportedKeys ?? false,
    testCacheName: options.testCacheName,
    unstoredValues: new Map(),
    now: () => clock.now,
    sleep: async (ms) => {
      clock.now += ms;
    },
  };
  const handler = createHandler(() => deps);
  const context = { getRemainingTimeInMillis: () => options.remainingMs ?? 30_000 };

  const run = (Step: Step, token: string, extra: Record<string, unknown> = {}) =>
    handler({ SecretId: sm.arn, ClientRequestToken: token, Step, ...extra }, context) as Promise<StepResult>;

  return {
    sm,
    momento,
    keyApi,
    managementKey,
    deps,
    clock,
    handler,
    run,
    /** RotateSecret followed by the four steps, as the service drives them. */
    async rotate(extra: Record<string, unknown> = {}): Promise<string> {
      const token = sm.startRotation(randomUUID());
      for (const step of STEPS) await run(step, token, extra);
      return token;
    },
    /** Stores a key file as AWSCURRENT and tells the fake Momento the key is valid. */
    storeCurrent(file: Record<string, unknown>): string {
      for (const field of ['apiKey', 'authToken', 'apiToken']) {
        if (typeof file[field] === 'string') momento.validKeys.add(file[field] as string);
      }
      return sm.storeCurrent(JSON.stringify(file));
    },
    /**
     * A v2 secret as a user stores it: the key from the console with its endpoint, role and key id.
     * The key expires in 60 days, or at `extra.validUntil` when that is a number: a stored
     * validUntil is then the key's own expiry (its exp claim), as the console shows it.
     */
    storeV2Current(extra: Record<string, unknown> = {}, roleId = APP_ROLE_ID): { versionId: string; apiKey: string; keyId: string } {
      const expiresAt = typeof extra.validUntil === 'number' ? extra.validUntil : Math.floor(clock.now / 1000) + 60 * 86_400;
      const { apiKey, keyId } = keyApi.issueKey(roleId, 'created in the console', expiresAt);
      const versionId = sm.storeCurrent(JSON.stringify({ apiKey, endpoint: V2_ENDPOINT, roleId, keyId, ...extra }));
      return { versionId, apiKey, keyId };
    },
    restore: () => sm.restore(),
  };
}

export const V2_ENDPOINT = 'cell-4-us-west-2-1.prod.a.momentohq.com';

export type Harness = ReturnType<typeof rotationHarness>;
