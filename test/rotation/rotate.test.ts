import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  InvalidSecretValueError,
  KeyExpiredError,
  ManagementSecretNotConfiguredError,
  MissingRefreshTokenError,
  MomentoUnavailableError,
  NoCurrentValueError,
  NOT_A_MOMENTO_KEY,
  NotPendingError,
  PendingKeyRejectedError,
  PendingValueMissingError,
  PendingWriteFailedError,
  RefreshRejectedError,
  RotationDisabledError,
  SecretNotJsonError,
  TokenNotStagedError,
} from '../../src/rotation/errors.js';
import { STEPS } from '../../src/rotation/event.js';
import { captureOutputAndCheckForLeaks, expectFailure } from '../support/capture-output.js';
import { failure } from '../support/fake-momento.js';
import { MANAGEMENT_SECRET_ID, rotationHarness, type Harness } from '../support/harness.js';
import { serviceError } from '../support/secrets-manager-model.js';
import { consoleKeyFile, DAY, fakeRefreshToken, fakeRotationToken, fakeV1Key, fakeV2Key } from '../support/secrets.js';

const output = captureOutputAndCheckForLeaks();
let h: Harness;

beforeEach(() => {
  h = rotationHarness();
});
afterEach(() => h.restore());

function current(): Record<string, unknown> {
  return JSON.parse(h.sm.valueAt('AWSCURRENT')!) as Record<string, unknown>;
}

describe('a full rotation', () => {
  it('refreshes the key, stages it, tests it and promotes it; the old version becomes AWSPREVIOUS', async () => {
    const file = consoleKeyFile(30, Math.floor(h.clock.now / 1000));
    const oldVersion = h.storeCurrent(file);

    const token = await h.rotate();

    expect(h.momento.refreshCalls).toEqual([{ apiKey: file.apiKey, refreshToken: file.refreshToken }]);
    expect(h.sm.versionAt('AWSCURRENT')).toBe(token);
    expect(h.sm.versionAt('AWSPREVIOUS')).toBe(oldVersion);
    const next = current();
    expect(next.apiKey).not.toBe(file.apiKey);
    expect(h.momento.validKeys.has(next.apiKey as string)).toBe(true);
    expect(next.refreshToken).not.toBe(file.refreshToken);
    expect(next.validUntil).toBe(Math.floor(h.clock.now / 1000) + 30 * DAY);
    // testSecret proved the new key, not the old one.
    expect(h.momento.probeCalls.map((c) => c.apiKey)).toEqual([next.apiKey]);
  });

  it('runs twice in a row, each rotation refreshing with the refresh token the previous one stored', async () => {
    h.storeCurrent(consoleKeyFile());
    await h.rotate();
    const afterFirst = current();
    await h.rotate();
    expect(h.momento.refreshCalls[1]).toEqual({ apiKey: afterFirst.apiKey, refreshToken: afterFirst.refreshToken });
    expect(current().apiKey).not.toBe(afterFirst.apiKey);
  });

  it('makes 9 Secrets Manager calls, one fewer than AWS\'s template, by reusing the checks\' DescribeSecret in finishSecret', async () => {
    h.storeCurrent(consoleKeyFile());
    await h.rotate();
    expect(h.sm.count('DescribeSecret')).toBe(4);
    expect(h.sm.count('GetSecretValue')).toBe(3);
    expect(h.sm.count('PutSecretValue')).toBe(1);
    expect(h.sm.count('UpdateSecretVersionStage')).toBe(1);
  });

  it('logs each step as structured JSON with fingerprints, validUntil and days left, never a key', async () => {
    const file = consoleKeyFile(30, Math.floor(h.clock.now / 1000));
    h.storeCurrent(file);
    const token = await h.rotate();
    const records = output.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    const refreshed = records.find((r) => r.message === 'Refreshed the key at Momento')!;
    expect(refreshed).toMatchObject({
      level: 'INFO',
      step: 'createSecret',
      secretId: h.sm.arn,
      clientRequestToken: token,
      daysLeft: 30,
      keyFingerprint: expect.stringMatching(/^sha256:[0-9a-f]{8}$/),
      previousKeyFingerprint: expect.stringMatching(/^sha256:[0-9a-f]{8}$/),
    });
    expect(records.filter((r) => r.message === 'Step succeeded').map((r) => r.step)).toEqual([...STEPS]);
  });
});

describe('createSecret', () => {
  it('passes the event\'s RotationToken to PutSecretValue, and none when the event has none', async () => {
    h.storeCurrent(consoleKeyFile());
    const rotationToken = fakeRotationToken();
    await h.rotate({ RotationToken: rotationToken });
    await h.rotate();
    const puts = h.sm.calls.filter((c) => c.operation === 'PutSecretValue').map((c) => c.input);
    expect(puts[0]).toMatchObject({ RotationToken: rotationToken, VersionStages: ['AWSPENDING'] });
    expect(puts[1]).not.toHaveProperty('RotationToken');
  });

  it('reads the example refresh Lambda\'s format and writes back the documented one, keeping other fields', async () => {
    const file = consoleKeyFile();
    h.storeCurrent({
      cacheName: 'orders',
      authToken: file.apiKey,
      refreshToken: file.refreshToken,
      validUntil: String(file.validUntil),
      owner: { team: 'payments' },
    });
    await h.rotate();
    expect(h.momento.refreshCalls[0]?.apiKey).toBe(file.apiKey);
    const next = current();
    expect(Object.keys(next).sort()).toEqual(['apiKey', 'cacheName', 'owner', 'refreshToken', 'validUntil']);
    expect(next).toMatchObject({ cacheName: 'orders', owner: { team: 'payments' } });
    expect(typeof next.validUntil).toBe('number');
  });

  it('does nothing when AWSPENDING already holds a value', async () => {
    h.storeCurrent(consoleKeyFile());
    const token = h.sm.startRotation();
    await h.run('createSecret', token);
    const staged = h.sm.valueAt('AWSPENDING');
    await h.run('createSecret', token);
    await h.run('createSecret', token);
    expect(h.momento.refreshCalls).toHaveLength(1);
    expect(h.sm.count('PutSecretValue')).toBe(1);
    expect(h.sm.valueAt('AWSPENDING')).toBe(staged);
  });

  it('after a failed write, a retried createSecret stores the same refreshed key without refreshing again', async () => {
    h.storeCurrent(consoleKeyFile());
    const token = h.sm.startRotation();
    h.sm.failNext('PutSecretValue', () => serviceError('AccessDeniedException', 'not authorized'));

    await expectFailure(h.run('createSecret', token), PendingWriteFailedError);
    expect(h.sm.valueAt('AWSPENDING')).toBeUndefined();
    expect(h.deps.unstoredValues.size).toBe(1);

    await h.run('createSecret', token);
    expect(h.momento.refreshCalls).toHaveLength(1);
    expect(h.deps.unstoredValues.size).toBe(0);
    expect(h.momento.validKeys.has(JSON.parse(h.sm.valueAt('AWSPENDING')!).apiKey)).toBe(true);
    for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const) await h.run(step, token);
    expect(h.sm.versionAt('AWSCURRENT')).toBe(token);
  });

  it('stores a key refreshed for an abandoned rotation in the next rotation, without refreshing again', async () => {
    h.storeCurrent(consoleKeyFile());
    const abandoned = h.sm.startRotation();
    h.sm.failNext('PutSecretValue', () => serviceError('AccessDeniedException', 'not authorized'));
    await expectFailure(h.run('createSecret', abandoned), PendingWriteFailedError);
    h.sm.versions.get(abandoned)!.stages.delete('AWSPENDING'); // what `repair --yes` does

    const token = await h.rotate();
    expect(h.momento.refreshCalls).toHaveLength(1);
    expect(h.sm.versionAt('AWSCURRENT')).toBe(token);
    expect(h.momento.validKeys.has(current().apiKey as string)).toBe(true);
  });

  it('v2: a key minted for a rotation whose write failed, then the rotation abandoned (repair) and a new one started: the new rotation mints anew, and the remembered key, an orphan, is revoked', async () => {
    h = (h.restore(), rotationHarness({ managementSecretId: MANAGEMENT_SECRET_ID }));
    h.storeV2Current();
    const abandoned = h.sm.startRotation();
    h.sm.failNext('PutSecretValue', () => serviceError('AccessDeniedException', 'not authorized'));
    await expectFailure(h.run('createSecret', abandoned), PendingWriteFailedError);
    const orphan = [...h.keyApi.keys.values()].find((k) => k.description.includes(abandoned))!;
    h.sm.versions.get(abandoned)!.stages.delete('AWSPENDING'); // what `repair --yes` does

    const token = await h.rotate();
    expect(h.keyApi.count('mint')).toBe(2);
    expect(current().keyId).not.toBe(orphan.keyId);
    expect(h.sm.versionAt('AWSCURRENT')).toBe(token);
    // Minted for a version that exists with no value: revoked by that rotation's finishSecret.
    expect(h.keyApi.isValid(orphan.keyId)).toBe(false);
    expect(output.text()).toContain('Not storing a key minted for an earlier, abandoned rotation');
  });

  it('v2: a key minted before a failed write, revoked meanwhile (an expiry report took it for an orphan): the retried createSecret mints anew instead of storing a dead key', async () => {
    h = (h.restore(), rotationHarness({ managementSecretId: MANAGEMENT_SECRET_ID }));
    h.storeV2Current();
    const token = h.sm.startRotation();
    h.sm.failNext('PutSecretValue', () => serviceError('AccessDeniedException', 'not authorized'));
    await expectFailure(h.run('createSecret', token), PendingWriteFailedError);
    const first = [...h.keyApi.keys.values()].find((k) => k.description.includes(token))!;
    await h.keyApi.revoke(h.managementKey, first.keyId);

    await h.run('createSecret', token);
    const pending = JSON.parse(h.sm.valueAt('AWSPENDING')!) as { keyId: string };
    expect(h.keyApi.count('mint')).toBe(2);
    expect(pending.keyId).not.toBe(first.keyId);
    expect(h.keyApi.isValid(pending.keyId)).toBe(true);
    expect(output.text()).toContain('no longer valid at Momento');
    for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const) await h.run(step, token);
    expect(h.momento.validKeys.has(current().apiKey as string)).toBe(true);
  });

  it('v2: a retry of the same rotation stores the remembered minted key once Momento still lists it, minting nothing', async () => {
    h = (h.restore(), rotationHarness({ managementSecretId: MANAGEMENT_SECRET_ID }));
    h.storeV2Current();
    const token = h.sm.startRotation();
    h.sm.failNext('PutSecretValue', () => serviceError('AccessDeniedException', 'not authorized'));
    await expectFailure(h.run('createSecret', token), PendingWriteFailedError);
    await expect(h.run('createSecret', token)).resolves.toEqual({ step: 'createSecret', outcome: 'stored-earlier-key' });
    expect(h.keyApi.count('mint')).toBe(1);
    expect(h.keyApi.count('list')).toBe(1);
  });

  it('drops a remembered key once AWSCURRENT has changed (a new key was imported), and refreshes the new one', async () => {
    h.storeCurrent(consoleKeyFile());
    const abandoned = h.sm.startRotation();
    h.sm.failNext('PutSecretValue', () => serviceError('AccessDeniedException', 'not authorized'));
    await expectFailure(h.run('createSecret', abandoned), PendingWriteFailedError);
    h.sm.versions.get(abandoned)!.stages.delete('AWSPENDING');
    const imported = consoleKeyFile();
    h.storeCurrent(imported);

    await h.rotate();
    expect(h.momento.refreshCalls).toHaveLength(2);
    expect(h.momento.refreshCalls[1]).toEqual({ apiKey: imported.apiKey, refreshToken: imported.refreshToken });
  });

  it('retries a throttled or failing write with backoff within the invocation, refreshing once', async () => {
    h.storeCurrent(consoleKeyFile());
    const token = h.sm.startRotation();
    const before = h.clock.now;
    h.sm.failNext(
      'PutSecretValue',
      () => serviceError('ThrottlingException', 'Rate exceeded'),
      () => serviceError('InternalServiceError', 'oops', 500),
      () => Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }),
    );
    await h.run('createSecret', token);
    expect(h.sm.count('PutSecretValue')).toBe(4);
    expect(h.momento.refreshCalls).toHaveLength(1);
    expect(h.sm.valueAt('AWSPENDING')).toBeDefined();
    expect(h.clock.now).toBeGreaterThan(before); // it waited between attempts
    const retries = output.lines().filter((l) => l.includes('Storing AWSPENDING failed; retrying'));
    expect(retries).toHaveLength(3);
  });

  it.each(['EncryptionFailure', 'AccessDeniedException', 'DecryptionFailure'])(
    'does not repeat a write that failed with %s (final: only a policy or key change fixes it), and keeps the key',
    async (name) => {
      h.storeCurrent(consoleKeyFile());
      const token = h.sm.startRotation();
      h.sm.failNext('PutSecretValue', () => serviceError(name, 'KMS says no'));
      const error = await expectFailure(h.run('createSecret', token), PendingWriteFailedError);
      expect(error.message).toMatch(/after 1 attempt\(s\).*kms:GenerateDataKey/);
      expect(h.sm.count('PutSecretValue')).toBe(1);
      expect(h.deps.unstoredValues.size).toBe(1);
    },
  );

  it('stops retrying the write at the invocation\'s deadline and keeps the key for the next attempt', async () => {
    h = (h.restore(), rotationHarness({ remainingMs: 3_000 }));
    h.storeCurrent(consoleKeyFile());
    const token = h.sm.startRotation();
    const throttle = () => serviceError('ThrottlingException', 'Rate exceeded');
    h.sm.failNext('PutSecretValue', throttle, throttle, throttle, throttle, throttle, throttle);
    const start = h.clock.now;
    await expectFailure(h.run('createSecret', token), PendingWriteFailedError);
    expect(h.clock.now - start).toBeLessThan(3_000);
    expect(h.sm.count('PutSecretValue')).toBeLessThan(6);
    expect(h.deps.unstoredValues.size).toBe(1);
  });

  it('treats a write whose reply was lost as done: the repeat with the same value succeeds', async () => {
    h.storeCurrent(consoleKeyFile());
    const token = h.sm.startRotation();
    h.sm.failNext('PutSecretValue', () => 'apply-then-fail');
    await h.run('createSecret', token);
    expect(h.sm.count('PutSecretValue')).toBe(2);
    expect(h.momento.refreshCalls).toHaveLength(1);
  });

  it('accepts a value a concurrent invocation stored first (ResourceExistsException), without a second write', async () => {
    h.storeCurrent(consoleKeyFile());
    const token = h.sm.startRotation();
    // The other invocation stores between our read of AWSPENDING and our write.
    h.momento.answerRefresh(() => {
      h.sm.versions.get(token)!.value = JSON.stringify({ ...consoleKeyFile(), note: 'stored by the other invocation' });
      return { ok: true, apiKey: fakeV1Key(), refreshToken: fakeRefreshToken(), validUntil: undefined };
    });
    await h.run('createSecret', token);
    expect(JSON.parse(h.sm.valueAt('AWSPENDING')!).note).toBe('stored by the other invocation');
    expect(h.deps.unstoredValues.size).toBe(0);
  });

  it('succeeds when the refresh is refused because a concurrent invocation already used the refresh token and stored its key', async () => {
    h.storeCurrent(consoleKeyFile());
    const token = h.sm.startRotation();
    h.momento.answerRefresh(() => {
      h.sm.versions.get(token)!.value = JSON.stringify(consoleKeyFile());
      return failure('AUTHENTICATION_ERROR', 'refresh token already used');
    });
    const result = await h.run('createSecret', token);
    expect(result.outcome).toBe('pending-exists');
  });

  it.each([
    ['AUTHENTICATION_ERROR', RefreshRejectedError],
    ['INVALID_ARGUMENT_ERROR', RefreshRejectedError],
    ['PERMISSION_ERROR', RefreshRejectedError],
    ['TIMEOUT_ERROR', MomentoUnavailableError],
    ['SERVER_UNAVAILABLE', MomentoUnavailableError],
    ['INTERNAL_SERVER_ERROR', MomentoUnavailableError],
    ['CONNECTION_ERROR', MomentoUnavailableError],
    ['LIMIT_EXCEEDED_ERROR', MomentoUnavailableError],
  ] as [string, abstract new (...args: never[]) => Error][])('a refresh failing with %s throws %s and stages nothing', async (code, errorClass) => {
    h.storeCurrent(consoleKeyFile());
    const token = h.sm.startRotation();
    h.momento.answerRefresh(failure(code));
    const error = await expectFailure(h.run('createSecret', token), errorClass);
    expect(error.message).toContain(code);
    expect(h.sm.count('PutSecretValue')).toBe(0);
    expect(h.deps.unstoredValues.size).toBe(0);
    expect(h.sm.stagesOf(token)).toEqual(['AWSPENDING']);
  });
});

describe('testSecret', () => {
  async function staged(): Promise<string> {
    h.storeCurrent(consoleKeyFile());
    const token = h.sm.startRotation();
    await h.run('createSecret', token);
    return token;
  }

  it('probes with listCaches by default and with get in MOMENTO_TEST_CACHE_NAME when set', async () => {
    const token = await staged();
    await h.run('testSecret', token);
    expect(h.momento.probeCalls[0]?.cacheName).toBeUndefined();

    h = (h.restore(), rotationHarness({ testCacheName: 'probe-cache' }));
    const token2 = await staged();
    await h.run('testSecret', token2);
    expect(h.momento.probeCalls[0]?.cacheName).toBe('probe-cache');
  });

  it.each([
    ['PERMISSION_ERROR', 'a data-only key on a control call'],
    ['NOT_FOUND_ERROR', 'a missing test cache'],
  ])('passes on %s (%s): only an authenticated key gets that answer', async (code) => {
    const token = await staged();
    h.momento.answerProbe(failure(code));
    await expect(h.run('testSecret', token)).resolves.toMatchObject({ outcome: 'authenticated' });
  });

  it('fails on AUTHENTICATION_ERROR and leaves AWSCURRENT alone', async () => {
    const token = await staged();
    const before = h.sm.versionAt('AWSCURRENT');
    h.momento.answerProbe(failure('AUTHENTICATION_ERROR', 'Invalid signature'));
    const error = await expectFailure(h.run('testSecret', token), PendingKeyRejectedError);
    expect(error.message).toMatch(/sha256:[0-9a-f]{8}/);
    expect(h.sm.versionAt('AWSCURRENT')).toBe(before);
  });

  it.each(['TIMEOUT_ERROR', 'SERVER_UNAVAILABLE', 'INTERNAL_SERVER_ERROR', 'CONNECTION_ERROR', 'UNKNOWN_ERROR'])(
    'fails on %s, so the step is retried and an untested key never promoted',
    async (code) => {
      const token = await staged();
      h.momento.answerProbe(failure(code));
      const error = await expectFailure(h.run('testSecret', token), MomentoUnavailableError);
      expect(error.retryable).toBe(true);
    },
  );

  it('passes for RotateImmediately=false: the AWSPENDING version is a copy of the current key', async () => {
    const file = consoleKeyFile();
    h.storeCurrent(file);
    const token = h.sm.startTestOnlyRotation();
    await h.run('testSecret', token);
    expect(h.momento.probeCalls).toEqual([{ apiKey: file.apiKey, cacheName: undefined }]);
    expect(h.momento.refreshCalls).toHaveLength(0);
  });

  it('fails clearly when AWSPENDING has no value yet', async () => {
    h.storeCurrent(consoleKeyFile());
    const token = h.sm.startRotation();
    await expectFailure(h.run('testSecret', token), PendingValueMissingError);
    expect(h.momento.probeCalls).toHaveLength(0);
  });

  it('can be repeated', async () => {
    const token = await staged();
    await h.run('testSecret', token);
    await h.run('testSecret', token);
    expect(h.momento.probeCalls).toHaveLength(2);
  });

  it('scrubs a key that Momento\'s error message quotes', async () => {
    const token = await staged();
    const pendingKey = JSON.parse(h.sm.valueAt('AWSPENDING')!).apiKey as string;
    h.momento.answerProbe(failure('AUTHENTICATION_ERROR', `bad key ${pendingKey}`));
    const error = await expectFailure(h.run('testSecret', token), PendingKeyRejectedError);
    expect(error.message).toContain('[REDACTED]');
  });
});

describe('setSecret and finishSecret', () => {
  it('setSecret runs the checks and nothing else', async () => {
    h.storeCurrent(consoleKeyFile());
    const token = h.sm.startRotation();
    await expect(h.run('setSecret', token)).resolves.toEqual({ step: 'setSecret', outcome: 'nothing-to-set' });
    expect(h.sm.calls.map((c) => c.operation)).toEqual(['DescribeSecret']);
    expect(h.momento.refreshCalls.length + h.momento.probeCalls.length).toBe(0);
  });

  it('finishSecret moves AWSCURRENT from the current version to the token, and a repeat is a no-op', async () => {
    const old = h.storeCurrent(consoleKeyFile());
    const token = h.sm.startRotation();
    await h.run('createSecret', token);
    await h.run('finishSecret', token);
    const move = h.sm.calls.find((c) => c.operation === 'UpdateSecretVersionStage')!.input;
    expect(move).toEqual({ SecretId: h.sm.arn, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: old });
    await expect(h.run('finishSecret', token)).resolves.toEqual({ step: 'finishSecret', outcome: 'already-current' });
    expect(h.sm.count('UpdateSecretVersionStage')).toBe(1);
    expect(h.sm.stagesOf(old)).toEqual(['AWSPREVIOUS']);
  });

  it('finishSecret whose reply was lost (the move applied) succeeds by re-checking the stages', async () => {
    h.storeCurrent(consoleKeyFile());
    const token = h.sm.startRotation();
    await h.run('createSecret', token);
    h.sm.failNext('UpdateSecretVersionStage', () => 'apply-then-fail');
    await expect(h.run('finishSecret', token)).resolves.toMatchObject({ outcome: 'promoted' });
    expect(h.sm.versionAt('AWSCURRENT')).toBe(token);
    expect(h.sm.count('DescribeSecret')).toBe(3); // the checks of both steps, and the re-check
  });

  it('finishSecret still fails when the move failed and did not apply', async () => {
    h.storeCurrent(consoleKeyFile());
    const token = h.sm.startRotation();
    await h.run('createSecret', token);
    h.sm.failNext('UpdateSecretVersionStage', () => serviceError('AccessDeniedException', 'not authorized'));
    await expectFailure(h.run('finishSecret', token), Error);
    expect(h.sm.stagesOf(token)).toEqual(['AWSPENDING']);
  });
});

describe('the checks before every step', () => {
  it.each(STEPS)('%s fails when rotation is disabled', async (step) => {
    h.storeCurrent(consoleKeyFile());
    const token = h.sm.startRotation();
    h.sm.rotationEnabled = false;
    const error = await expectFailure(h.run(step, token), RotationDisabledError);
    expect(error.message).toContain(h.sm.arn);
    expect(h.sm.writes()).toBe(0);
  });

  it('checks that rotation is enabled before anything else, even for a token already AWSCURRENT (a repeated finishSecret)', async () => {
    h.storeCurrent(consoleKeyFile());
    const token = await h.rotate();
    h.sm.rotationEnabled = false;
    const writes = h.sm.writes();
    for (const step of STEPS) await expectFailure(h.run(step, token), RotationDisabledError);
    expect(h.sm.writes()).toBe(writes);
  });

  it("waits for a concurrent delivery's stored key when its own refresh is refused (the token was used), and does not refresh again", async () => {
    h.storeCurrent(consoleKeyFile());
    const token = h.sm.startRotation();
    const concurrentValue = JSON.stringify(consoleKeyFile());
    h.momento.answerRefresh(() => ({ ok: false, code: 'AUTHENTICATION_ERROR', message: 'refresh token already used' }));
    // The other container stores its key only after this one has started waiting.
    const sleeps: number[] = [];
    (h.deps as { sleep?: (ms: number) => Promise<void> }).sleep = async (ms) => {
      sleeps.push(ms);
      h.clock.now += ms;
      if (sleeps.length === 2) h.sm.versions.get(token)!.value = concurrentValue;
    };
    await expect(h.run('createSecret', token)).resolves.toMatchObject({ outcome: 'pending-exists' });
    expect(sleeps).toEqual([250, 500]);
    expect(h.sm.valueAt('AWSPENDING')).toBe(concurrentValue);
    expect(h.momento.refreshCalls).toHaveLength(1);
  });

  it('treats an absent RotationEnabled as not false', async () => {
    h.storeCurrent(consoleKeyFile());
    h.sm.rotationEnabled = undefined;
    await h.rotate();
    expect(h.momento.refreshCalls).toHaveLength(1);
  });

  it.each(STEPS)('%s fails when the token has no version ("no stage for rotation")', async (step) => {
    h.storeCurrent(consoleKeyFile());
    h.sm.startRotation();
    await expectFailure(h.run(step, '6d4a0a4e-0000-4000-8000-000000000000'), TokenNotStagedError);
    expect(h.sm.writes()).toBe(0);
  });

  it.each(STEPS)('%s succeeds without doing anything when the token is already AWSCURRENT', async (step) => {
    const token = h.storeCurrent(consoleKeyFile());
    await expect(h.run(step, token)).resolves.toEqual({ step, outcome: 'already-current' });
    expect(h.sm.calls.map((c) => c.operation)).toEqual(['DescribeSecret']);
    expect(h.momento.refreshCalls.length + h.momento.probeCalls.length).toBe(0);
  });

  it.each(STEPS)('%s fails when the token is not AWSPENDING', async (step) => {
    const previous = h.storeCurrent(consoleKeyFile());
    h.storeCurrent(consoleKeyFile()); // `previous` is now AWSPREVIOUS only
    await expectFailure(h.run(step, previous), NotPendingError);
    expect(h.sm.writes()).toBe(0);
  });
});

describe('secrets that cannot be refreshed', () => {
  async function createFails(value: string, errorClass: abstract new (...args: never[]) => Error) {
    h.sm.storeCurrent(value);
    const token = h.sm.startRotation();
    const error = await expectFailure(h.run('createSecret', token), errorClass);
    expect(h.momento.refreshCalls).toHaveLength(0);
    expect(h.sm.count('PutSecretValue')).toBe(0);
    return error;
  }

  it('a bare key (not JSON) fails with a message that says to store the console\'s JSON download', async () => {
    const error = await createFails(fakeV1Key(), SecretNotJsonError);
    expect(error.message).toContain('momento_token.info.json');
    expect(error.message).toContain('put-secret-value');
  });

  it('a JSON secret without a refresh token fails with MissingRefreshTokenError', async () => {
    const { apiKey, validUntil } = consoleKeyFile();
    await createFails(JSON.stringify({ apiKey, validUntil }), MissingRefreshTokenError);
  });

  it('a v2 key with no management secret configured says to configure one, and which role it needs', async () => {
    const error = await createFails(JSON.stringify({ apiKey: fakeV2Key(), endpoint: 'e.example', roleId: 'r' }), ManagementSecretNotConfiguredError);
    expect(error.message).toContain('MOMENTO_MANAGEMENT_SECRET_ARN');
    expect(error.message).toContain('ManagementSecretArn');
    expect(error.message).toContain('auth_management read, write and list');
  });

  it('an expired key fails before any call to Momento, saying to generate a new key', async () => {
    const file = consoleKeyFile();
    const error = await createFails(
      JSON.stringify({ ...file, validUntil: Math.floor(h.clock.now / 1000) - 60 }),
      KeyExpiredError,
    );
    expect(error.message).toMatch(/Generate a new API key/);
  });

  it.each([
    ['no key field', { refreshToken: 'abcdefghijkl', validUntil: 1 }],
    ['a key that is not a Momento key', { apiKey: 'definitely-not-a-key', refreshToken: 'abcdefghijkl' }],
    ['a non-numeric validUntil', { apiKey: 'K', refreshToken: 'abcdefghijkl', validUntil: 'next tuesday' }],
    ['apiKey and authToken that disagree', { apiKey: 'K', authToken: 'OTHER', refreshToken: 'abcdefghijkl' }],
  ] as [string, Record<string, unknown>][])('%s fails with InvalidSecretValueError', async (_label, fields) => {
    const value = { ...fields, apiKey: fields.apiKey === 'K' ? fakeV1Key() : fields.apiKey };
    await createFails(JSON.stringify(value), InvalidSecretValueError);
  });

  it('AWSCURRENT stays in place and working after each of these failures', async () => {
    const version = h.sm.storeCurrent('a bare key');
    const token = h.sm.startRotation();
    await expectFailure(h.run('createSecret', token), SecretNotJsonError);
    expect(h.sm.versionAt('AWSCURRENT')).toBe(version);
    expect(h.sm.valueAt('AWSCURRENT')).toBe('a bare key');
  });
});

describe('secrets never leave the function', () => {
  it('none of the keys, refresh tokens or the RotationToken appear in logs, even when an SDK error quotes them', async () => {
    const file = consoleKeyFile();
    h.storeCurrent(file);
    const rotationToken = fakeRotationToken();
    const token = h.sm.startRotation();
    h.momento.answerRefresh(failure('SERVER_UNAVAILABLE', `upstream said ${file.apiKey} / ${file.refreshToken}`));
    await expectFailure(h.run('createSecret', token, { RotationToken: rotationToken }), MomentoUnavailableError);
    await h.run('createSecret', token, { RotationToken: rotationToken });
    for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const) await h.run(step, token);
    // The afterEach leak check scans this output; here, make sure there was output to scan.
    expect(output.text()).toContain('[REDACTED]');
    expect(output.lines().length).toBeGreaterThan(8);
  });
});

describe('what each step answers, and what it passes on', () => {
  it('answers each step with its outcome: created, nothing-to-set, authenticated, promoted; repeats say so', async () => {
    h.storeCurrent(consoleKeyFile(30, Math.floor(h.clock.now / 1000)));
    const token = h.sm.startRotation();
    await expect(h.run('createSecret', token)).resolves.toEqual({ step: 'createSecret', outcome: 'created' });
    await expect(h.run('createSecret', token)).resolves.toEqual({ step: 'createSecret', outcome: 'pending-exists' });
    await expect(h.run('setSecret', token)).resolves.toEqual({ step: 'setSecret', outcome: 'nothing-to-set' });
    await expect(h.run('testSecret', token)).resolves.toEqual({ step: 'testSecret', outcome: 'authenticated' });
    await expect(h.run('finishSecret', token)).resolves.toEqual({ step: 'finishSecret', outcome: 'promoted' });
    await expect(h.run('testSecret', token)).resolves.toEqual({ step: 'testSecret', outcome: 'already-current' });
  });

  it('a createSecret retried after a failed write answers stored-earlier-key, and the failure keeps its cause', async () => {
    h.storeCurrent(consoleKeyFile(30, Math.floor(h.clock.now / 1000)));
    const token = h.sm.startRotation();
    h.sm.failNext('PutSecretValue', ...Array.from({ length: 6 }, () => () => serviceError('InternalServiceError', 'boom', 500)));
    const error = await expectFailure(h.run('createSecret', token), PendingWriteFailedError);
    expect((error.cause as Error).name).toBe('InternalServiceError');
    expect(error.message).toContain('after 6 attempt(s)');
    await expect(h.run('createSecret', token)).resolves.toEqual({ step: 'createSecret', outcome: 'stored-earlier-key' });
  });

  it('a key remembered from a failed write is dropped once AWSPENDING holds a value', async () => {
    h.storeCurrent(consoleKeyFile(30, Math.floor(h.clock.now / 1000)));
    const token = h.sm.startRotation();
    h.sm.failNext('PutSecretValue', ...Array.from({ length: 6 }, () => () => serviceError('InternalServiceError', 'boom', 500)));
    await expect(h.run('createSecret', token)).rejects.toThrow();
    expect(h.deps.unstoredValues.size).toBe(1);
    await h.deps.secrets.putPending(h.sm.arn, token, h.sm.valueAt('AWSCURRENT')!, undefined); // a concurrent delivery stored its own
    await expect(h.run('createSecret', token)).resolves.toMatchObject({ outcome: 'pending-exists' });
    expect(h.deps.unstoredValues.size).toBe(0);
  });

  it('fails createSecret with NoCurrentValueError when AWSCURRENT has no value', async () => {
    const token = h.sm.startRotation();
    const error = await expectFailure(h.run('createSecret', token), NoCurrentValueError);
    expect(error.message).toContain(`Secret ${h.sm.arn} has no AWSCURRENT value to rotate`);
  });

  it('fails testSecret with InvalidSecretValueError when AWSPENDING holds no Momento key', async () => {
    h.storeCurrent(consoleKeyFile(30, Math.floor(h.clock.now / 1000)));
    const token = h.sm.startRotation();
    await h.deps.secrets.putPending(h.sm.arn, token, JSON.stringify({ apiKey: 'not-a-momento-key', refreshToken: fakeRefreshToken(), validUntil: 1 }), undefined);
    const probe = vi.spyOn(h.momento, 'probeApiKey');
    const error = await expectFailure(h.run('testSecret', token), InvalidSecretValueError);
    expect(error.message).toContain(NOT_A_MOMENTO_KEY);
    expect(probe).not.toHaveBeenCalled();
  });

  it('probes a v1 key at its own endpoint, and says which test Momento did not answer', async () => {
    h.storeCurrent(consoleKeyFile(30, Math.floor(h.clock.now / 1000)));
    const probe = vi.spyOn(h.momento, 'probeApiKey');
    const token = await h.rotate();
    expect(probe).toHaveBeenCalledTimes(1);
    expect((probe.mock.calls[0] as unknown[])[2]).toBeUndefined(); // no endpoint for a v1 key

    const next = h.sm.startRotation();
    await h.run('createSecret', next);
    probe.mockResolvedValueOnce({ ok: false, code: 'UNAVAILABLE', message: 'connection reset' });
    const error = await expectFailure(h.run('testSecret', next), MomentoUnavailableError);
    expect(error.message).toContain('Momento did not answer the test of the AWSPENDING key conclusively: UNAVAILABLE (connection reset)');
    expect(token).not.toBe(next);
  });

  it('keeps back 1.5 s of the invocation\'s time from the key-management calls of finishSecret, repeated or not', async () => {
    const v2 = rotationHarness({ managementSecretId: MANAGEMENT_SECRET_ID, remainingMs: 30_000 });
    try {
      v2.storeV2Current();
      const deadlines: number[] = [];
      const list = v2.keyApi.list.bind(v2.keyApi);
      v2.keyApi.list = async (key: string, deadline?: number) => {
        deadlines.push(deadline!);
        return list(key);
      };
      const token = await v2.rotate();
      await v2.run('finishSecret', token);
      const calls = v2.keyApi.calls.length;
      await v2.run('testSecret', token); // an already-current step other than finishSecret revokes nothing
      expect(v2.keyApi.calls.length).toBe(calls);
      expect(deadlines).toEqual([v2.clock.now + 30_000 - 1_500, v2.clock.now + 30_000 - 1_500]);
    } finally {
      v2.restore();
    }
  });
});

describe('edges of v1 refresh and the expiry report', () => {
  it('refuses to refresh a key that expires at this very second, and refreshes one with a second left', async () => {
    const nowSeconds = Math.floor(h.clock.now / 1000);
    h.storeCurrent({ ...consoleKeyFile(30, nowSeconds), validUntil: nowSeconds });
    await expectFailure(h.run('createSecret', h.sm.startRotation()), KeyExpiredError);

    const fresh = rotationHarness();
    try {
      fresh.storeCurrent({ ...consoleKeyFile(30, nowSeconds), validUntil: Math.floor(fresh.clock.now / 1000) + 1 });
      await expect(fresh.run('createSecret', fresh.sm.startRotation())).resolves.toMatchObject({ outcome: 'created' });
    } finally {
      fresh.restore();
    }
  });

  it('says which call Momento did not answer when a refresh is inconclusive', async () => {
    h.storeCurrent(consoleKeyFile(30, Math.floor(h.clock.now / 1000)));
    vi.spyOn(h.momento, 'refreshApiKey').mockResolvedValueOnce({ ok: false, code: 'UNAVAILABLE', message: 'reset' });
    const error = await expectFailure(h.run('createSecret', h.sm.startRotation()), MomentoUnavailableError);
    expect(error.message).toContain('Momento did not answer the key refresh conclusively: UNAVAILABLE (reset)');
  });

  it('the expiry report fails with NoCurrentValueError for a secret with no AWSCURRENT value, and reports revocations for v2', async () => {
    await expectFailure(h.handler({ Action: 'ReportKeyExpiry', SecretId: h.sm.arn }), NoCurrentValueError);
    h.storeCurrent(consoleKeyFile(30, Math.floor(h.clock.now / 1000)));
    await expect(h.handler({ Action: 'ReportKeyExpiry', SecretId: h.sm.arn })).resolves.toEqual({ action: 'ReportKeyExpiry', daysLeft: 30 });

    // A second harness takes over the SDK mock: h is not used after this.
    const v2 = rotationHarness({ managementSecretId: MANAGEMENT_SECRET_ID });
    try {
      v2.storeV2Current({ validUntil: Math.floor(v2.clock.now / 1000) + 5 * DAY + 60 });
      await expect(v2.handler({ Action: 'ReportKeyExpiry', SecretId: v2.sm.arn })).resolves.toEqual({
        action: 'ReportKeyExpiry',
        daysLeft: 5,
        revocations: { revoked: [], failed: [] },
      });
    } finally {
      v2.restore();
    }
  });
});
