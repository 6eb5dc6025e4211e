import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { createHandler } from '../../src/handler.js';
import { STEPS, type Step } from '../../src/rotation/event.js';
import type { RotationDeps, StepResult } from '../../src/rotation/rotate.js';
import { SecretStore } from '../../src/secrets-manager/secret-store.js';
import { FakeMomento } from './fake-momento.js';
import { SecretsManagerModel } from './secrets-manager-model.js';

/**
 * The real handler, with Secrets Manager mocked by a model of AWS's behaviour and
 * Momento faked. Time is simulated: retries' sleeps advance the clock.
 */
export function rotationHarness(options: { testCacheName?: string; remainingMs?: number } = {}) {
  const clock = { now: Math.floor(Date.now() / 1000) * 1000 };
  const sm = new SecretsManagerModel();
  const momento = new FakeMomento(() => clock.now);
  const deps: RotationDeps = {
    secrets: new SecretStore(
      new SecretsManagerClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
    ),
    momento,
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
    restore: () => sm.restore(),
  };
}

export type Harness = ReturnType<typeof rotationHarness>;
