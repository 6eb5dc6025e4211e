import { CancelRotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STEPS } from '../../src/rotation/event.js';
import { captureOutputAndCheckForLeaks } from '../support/capture-output.js';
import { registerSecret } from '../support/secrets.js';
import { startLocalStack, type LocalStack } from '../stand-ins/local-stack.js';

// Real wire protocols end to end: the function (real AWS SDK, real Momento SDK) against
// moto_server and the fake Momento gRPC server, driven as Secrets Manager drives it.
captureOutputAndCheckForLeaks();
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ onIssue: registerSecret });
}, 60_000);
afterAll(async () => stack?.stop());

const uniqueName = (label: string) => `momento/${label}-${randomUUID().slice(0, 8)}`;

async function keyAt(secretId: string, stage: string) {
  return JSON.parse(await stack.service.value(secretId, stage)) as Record<string, unknown>;
}

/** Runs one step on a container, returning the error it threw (or undefined). */
async function stepError(invoke: (e: Record<string, unknown>) => Promise<unknown>, event: Record<string, unknown>) {
  return invoke(event).then(
    () => undefined,
    (error: Error) => error,
  );
}

describe('rotation against moto_server and the fake Momento', () => {
  it('rotates twice in a row with single-use refresh tokens; each new key works, the old one becomes AWSPREVIOUS', async () => {
    const { arn, key } = await stack.storeConsoleKey(uniqueName('twice'));
    const container = stack.newContainer();
    const first = await stack.service.rotate(arn, container);
    const afterFirst = await keyAt(arn, 'AWSCURRENT');
    const second = await stack.service.rotate(arn, container);
    const afterSecond = await keyAt(arn, 'AWSCURRENT');

    expect([first.attempts, second.attempts]).toEqual([1, 1]);
    expect(new Set([key.apiKey, afterFirst.apiKey, afterSecond.apiKey]).size).toBe(3);
    expect(stack.momento.accepts(afterSecond.apiKey as string)).toBe(true);
    expect((await keyAt(arn, 'AWSPREVIOUS')).apiKey).toBe(afterFirst.apiKey);
    const stages = await stack.service.stages(arn);
    expect(stages[second.token]).toEqual(['AWSCURRENT']);
    expect(stages[first.token]).toEqual(['AWSPREVIOUS']);
    expect(typeof afterSecond.validUntil).toBe('number');
  });

  it('passes RotateImmediately=false (testSecret only, on a copy of the current key) without refreshing', async () => {
    const { arn, key } = await stack.storeConsoleKey(uniqueName('test-only'));
    const refreshesBefore = stack.momento.calls.RefreshApiToken;
    const run = await stack.service.testOnly(arn, stack.newContainer());
    expect(run.attempts).toBe(1);
    expect(stack.momento.calls.RefreshApiToken).toBe(refreshesBefore);
    expect((await keyAt(arn, 'AWSCURRENT')).apiKey).toBe(key.apiKey);
  });

  it('probes with get in MOMENTO_TEST_CACHE_NAME when configured', async () => {
    const { arn } = await stack.storeConsoleKey(uniqueName('cache-probe'));
    stack.momento.caches.add('probe-cache');
    const gets = stack.momento.calls.Get;
    await stack.service.rotate(arn, stack.newContainer({ testCacheName: 'probe-cache' }));
    expect(stack.momento.calls.Get).toBe(gets + 1);
  });

  it('ends in the same state when every step is repeated', async () => {
    const { arn } = await stack.storeConsoleKey(uniqueName('repeats'));
    const token = await stack.service.startRotation(arn);
    const container = stack.newContainer();
    const refreshes = stack.momento.calls.RefreshApiToken;
    for (const step of STEPS) {
      await container({ Step: step, SecretId: arn, ClientRequestToken: token });
      await container({ Step: step, SecretId: arn, ClientRequestToken: token });
    }
    // A different container (a cold start) repeating createSecret does nothing either.
    await stack.newContainer()({ Step: 'createSecret', SecretId: arn, ClientRequestToken: token });
    expect(stack.momento.calls.RefreshApiToken).toBe(refreshes + 1);
    expect((await stack.service.stages(arn))[token]).toContain('AWSCURRENT');
    expect(await stack.currentKeyWorks(arn)).toBe(true);
  });

  it('passes the RotationToken on to PutSecretValue', async () => {
    const { arn } = await stack.storeConsoleKey(uniqueName('rotation-token'));
    const rotationToken = `${randomUUID()}-${randomUUID()}`;
    registerSecret(rotationToken);
    await stack.service.rotate(arn, stack.newContainer(), { RotationToken: rotationToken });
    expect(await stack.currentKeyWorks(arn)).toBe(true);
  });

  it('rotates a secret written by Momento\'s example Lambda and writes back the documented shape, keeping other fields', async () => {
    const key = stack.momento.issueKey();
    const arn = await stack.createSecret(
      uniqueName('example-lambda'),
      JSON.stringify({ authToken: key.apiKey, refreshToken: key.refreshToken, validUntil: String(key.validUntil), cacheName: 'orders' }),
    );
    await stack.service.rotate(arn, stack.newContainer());
    const after = await keyAt(arn, 'AWSCURRENT');
    expect(Object.keys(after).sort()).toEqual(['apiKey', 'cacheName', 'refreshToken', 'validUntil']);
    expect(after.cacheName).toBe('orders');
    expect(stack.momento.accepts(after.apiKey as string)).toBe(true);
  });
});

describe('bad inputs leave AWSCURRENT untouched and working', () => {
  async function failsCreate(arn: string, errorName: string) {
    const before = await stack.service.value(arn, 'AWSCURRENT');
    const error = await stack.service.rotate(arn, stack.newContainer()).then(
      () => undefined,
      (e: Error) => e.cause as Error,
    );
    expect(error?.name).toBe(errorName);
    expect(await stack.service.value(arn, 'AWSCURRENT')).toBe(before);
    return error!;
  }

  it('a bare key stored as plain text', async () => {
    const key = stack.momento.issueKey();
    const arn = await stack.createSecret(uniqueName('bare'), key.apiKey);
    await failsCreate(arn, 'SecretNotJsonError');
    expect(stack.momento.accepts(key.apiKey)).toBe(true);
  });

  it('a key file without its refresh token', async () => {
    const key = stack.momento.issueKey();
    const arn = await stack.createSecret(uniqueName('no-refresh'), JSON.stringify({ apiKey: key.apiKey, validUntil: key.validUntil }));
    await failsCreate(arn, 'MissingRefreshTokenError');
    expect(await stack.currentKeyWorks(arn)).toBe(true);
  });

  it('an expired key: refused before calling Momento', async () => {
    const { arn } = await stack.storeConsoleKey(uniqueName('expired'), { lifetimeSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const refreshes = stack.momento.calls.RefreshApiToken;
    await failsCreate(arn, 'KeyExpiredError');
    expect(stack.momento.calls.RefreshApiToken).toBe(refreshes);
  });

  it('a key Momento refuses to refresh (its refresh token already used)', async () => {
    const { arn, key } = await stack.storeConsoleKey(uniqueName('used-token'));
    stack.momento.singleUseRefreshTokens = true;
    expect((await refreshOutside(key.apiKey, key.refreshToken)).ok).toBe(true);
    await failsCreate(arn, 'RefreshRejectedError');
    expect(await stack.currentKeyWorks(arn)).toBe(true);
  });

  it('malformed events, unknown tokens, a version not AWSPENDING, and rotation turned off', async () => {
    const { arn } = await stack.storeConsoleKey(uniqueName('events'));
    const invoke = stack.newContainer();
    const currentVersion = Object.keys(await stack.service.stages(arn))[0]!;
    expect((await stepError(invoke, { Step: 'createSecret', SecretId: arn }))?.name).toBe('InvalidEventError');
    expect((await stepError(invoke, { Step: 'create_secret', SecretId: arn, ClientRequestToken: randomUUID() }))?.name).toBe('InvalidEventError');
    expect((await stepError(invoke, { Step: 'createSecret', SecretId: arn, ClientRequestToken: randomUUID() }))?.name).toBe('TokenNotStagedError');
    // The current version's token: "already AWSCURRENT", a success that does nothing.
    await expect(invoke({ Step: 'createSecret', SecretId: arn, ClientRequestToken: currentVersion })).resolves.toMatchObject({ outcome: 'already-current' });

    const run = await stack.service.rotate(arn, invoke);
    expect((await stepError(invoke, { Step: 'finishSecret', SecretId: arn, ClientRequestToken: currentVersion }))?.name).toBe('NotPendingError');

    // With rotation off, every step fails first on that check, as in AWS's templates.
    await stack.service.client.send(new CancelRotateSecretCommand({ SecretId: arn }));
    expect((await stepError(invoke, { Step: 'setSecret', SecretId: arn, ClientRequestToken: run.token }))?.name).toBe('RotationDisabledError');
    expect(await stack.currentKeyWorks(arn)).toBe(true);
  });
});

describe('at-least-once delivery', () => {
  it.each(STEPS)('%s delivered twice at once, to two containers, ends as if delivered once', async (step) => {
    const { arn } = await stack.storeConsoleKey(uniqueName(`twice-${step}`));
    const token = await stack.service.startRotation(arn);
    const [a, b] = [stack.newContainer(), stack.newContainer()];
    for (const earlier of STEPS.slice(0, STEPS.indexOf(step))) await a({ Step: earlier, SecretId: arn, ClientRequestToken: token });

    const event = { Step: step, SecretId: arn, ClientRequestToken: token };
    const results = await Promise.allSettled([a(event), b(event)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);

    for (const later of STEPS.slice(STEPS.indexOf(step) + 1)) await a({ Step: later, SecretId: arn, ClientRequestToken: token });
    const stages = await stack.service.stages(arn);
    expect(Object.entries(stages).filter(([, s]) => s.includes('AWSCURRENT')).map(([v]) => v)).toEqual([token]);
    expect(await stack.currentKeyWorks(arn)).toBe(true);
    // Nothing was lost: the stored refresh token still works for the next rotation.
    await stack.service.endRotation(arn, token);
    await stack.service.rotate(arn, a);
    expect(await stack.currentKeyWorks(arn)).toBe(true);
  });
});

async function refreshOutside(apiKey: string, refreshToken: string) {
  const { SdkMomentoApi } = await import('../../src/momento/sdk-momento-api.js');
  return new SdkMomentoApi({ address: stack.momento.address }).refreshApiKey(apiKey, refreshToken);
}
