import { inspectApiKey } from '../momento/api-key.js';
import { probeVerdict, refreshVerdict } from '../momento/key-checks.js';
import type { MomentoApi } from '../momento/momento-api.js';
import { logger } from '../observability/logger.js';
import { recordDaysToExpiry } from '../observability/metrics.js';
import { rememberSecret, scrub } from '../observability/redact.js';
import { describeKeyFile, keyFileAfterRefresh, type KeyDescription } from '../secret/key-file.js';
import { AWSCURRENT, AWSPENDING, errorName, isFinalError, type SecretStore } from '../secrets-manager/secret-store.js';
import {
  InvalidSecretValueError,
  KeyExpiredError,
  MissingRefreshTokenError,
  MomentoUnavailableError,
  NoCurrentValueError,
  NotPendingError,
  PendingKeyRejectedError,
  PendingValueMissingError,
  PendingWriteFailedError,
  RefreshRejectedError,
  RotationDisabledError,
  TokenNotStagedError,
} from './errors.js';
import type { RotationEvent, Step } from './event.js';
import { RetriesExhausted, withRetries } from './retry.js';
import { keyFileFrom } from './stored-key-file.js';

export interface RotationDeps {
  readonly secrets: SecretStore;
  readonly momento: MomentoApi;
  /** MOMENTO_TEST_CACHE_NAME: probe with `get` in this cache instead of `listCaches`. */
  readonly testCacheName: string | undefined;
  /**
   * Refreshed key files not yet stored, by secret, with the AWSCURRENT version they were
   * refreshed from. The refresh token may be single-use, so a refreshed key must survive
   * a failed write: a later createSecret in the same container (a retry, or a new
   * rotation after the failed one was abandoned) stores it instead of refreshing again,
   * as long as AWSCURRENT has not changed since.
   */
  readonly unstoredValues: Map<string, UnstoredValue>;
  readonly now: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface RefreshedValue {
  /** The key file to store, as JSON. */
  readonly secretString: string;
  readonly keyInfo: KeyDescription;
}

export interface UnstoredValue {
  readonly sourceVersionId: string | undefined;
  readonly value: RefreshedValue;
}

export interface StepResult {
  readonly step: Step;
  readonly outcome: string;
}

/** Time kept back from the invocation's deadline, so a failure is reported rather than cut off. */
const DEADLINE_MARGIN_MS = 1_500;

/** One step of Secrets Manager's rotation protocol (design/rotation-protocol.md). Throws on failure. */
export async function rotate(event: RotationEvent, deps: RotationDeps, deadline: number): Promise<StepResult> {
  const { SecretId: secretId, ClientRequestToken: token, Step: step } = event;
  const secret = await deps.secrets.describe(secretId);
  const stages = secret.versionStages[token];
  if (secret.rotationEnabled === false) throw new RotationDisabledError(secretId);
  if (stages === undefined) throw new TokenNotStagedError(secretId, token);
  if (stages.includes(AWSCURRENT)) {
    logger.info('Version is already AWSCURRENT; nothing to do', { secretArn: secret.arn });
    return { step, outcome: 'already-current' };
  }
  if (!stages.includes(AWSPENDING)) throw new NotPendingError(secretId, token);
  const current = Object.keys(secret.versionStages).find((v) => secret.versionStages[v]?.includes(AWSCURRENT));

  switch (step) {
    case 'createSecret':
      return { step, outcome: await createSecret(event, current, deps, deadline) };
    case 'setSecret':
      // The refresh in createSecret already created the key at Momento: nothing to push.
      return { step, outcome: 'nothing-to-set' };
    case 'testSecret':
      return { step, outcome: await testSecret(secretId, token, deps) };
    case 'finishSecret': {
      try {
        await deps.secrets.moveCurrent(secretId, token, current);
      } catch (error) {
        // A concurrent delivery of this step may have moved the label first.
        if (!(await deps.secrets.describe(secretId)).versionStages[token]?.includes(AWSCURRENT)) throw error;
      }
      logger.info('Promoted AWSPENDING to AWSCURRENT', { fromVersion: current, toVersion: token });
      return { step, outcome: 'promoted' };
    }
  }
}

async function createSecret(event: RotationEvent, currentVersionId: string | undefined, deps: RotationDeps, deadline: number): Promise<string> {
  const { SecretId: secretId, ClientRequestToken: token } = event;
  if ((await deps.secrets.read(secretId, AWSPENDING, token)).found) {
    deps.unstoredValues.delete(secretId);
    logger.info('AWSPENDING already holds a value; nothing to create');
    return 'pending-exists';
  }
  const remembered = deps.unstoredValues.get(secretId);
  // A key refreshed from an earlier AWSCURRENT is no successor to today's: drop it.
  let value = remembered?.sourceVersionId === currentVersionId ? remembered?.value : undefined;
  const outcome = value === undefined ? 'created' : 'stored-earlier-refresh';
  if (value === undefined) {
    try {
      value = await refreshCurrentKey(secretId, deps);
    } catch (error) {
      // A concurrent delivery of this step may have used the refresh token; it stores its key within moments.
      if (error instanceof RefreshRejectedError && (await pendingAppears(secretId, token, deps))) {
        logger.info('Refresh refused, but AWSPENDING now holds a value stored by a concurrent invocation');
        return 'pending-exists';
      }
      throw error;
    }
    deps.unstoredValues.set(secretId, { sourceVersionId: currentVersionId, value });
  } else {
    logger.info('Storing the key refreshed by an earlier attempt, without refreshing again');
  }
  try {
    await withRetries(() => deps.secrets.putPending(secretId, token, value.secretString, event.RotationToken), {
      maxAttempts: 6,
      baseDelayMs: 250,
      maxDelayMs: 4_000,
      deadline: deadline - DEADLINE_MARGIN_MS,
      isRetryable: (error) => !isFinalError(error),
      onRetry: (attempt, error, delayMs) =>
        logger.warn('Storing AWSPENDING failed; retrying', { attempt, delayMs, error: errorName(error) }),
      now: deps.now,
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
    });
  } catch (error) {
    const last = error instanceof RetriesExhausted ? error.lastError : error;
    const attempts = error instanceof RetriesExhausted ? error.attempts : 1;
    // A concurrent invocation stored a different value under this token first: its value stands.
    if (errorName(last) === 'ResourceExistsException' && (await deps.secrets.read(secretId, AWSPENDING, token)).found) {
      deps.unstoredValues.delete(secretId);
      return 'pending-exists';
    }
    throw new PendingWriteFailedError(secretId, token, attempts, { cause: last });
  }
  deps.unstoredValues.delete(secretId);
  logger.info('Stored the refreshed key as AWSPENDING', value.keyInfo);
  return outcome;
}

async function testSecret(secretId: string, token: string, deps: RotationDeps): Promise<string> {
  const stored = await deps.secrets.read(secretId, AWSPENDING, token);
  if (!stored.found) throw new PendingValueMissingError(secretId, token);
  const pending = keyFileFrom(stored.secretString, secretId, AWSPENDING);
  const kind = inspectApiKey(pending.apiKey).kind;
  if (kind === 'unrecognised' || kind === 'v2') {
    throw new InvalidSecretValueError(secretId, AWSPENDING, `its key is ${describeKind(kind)}`);
  }
  const keyInfo = describeKeyFile(pending, deps.now());
  const outcome = await deps.momento.probeApiKey(pending.apiKey, deps.testCacheName);
  if (outcome.ok) {
    logger.info('AWSPENDING key authenticates against Momento', { ...keyInfo, probe: outcome.call });
    return 'authenticated';
  }
  const detail = scrub(outcome.message);
  switch (probeVerdict(outcome)) {
    case 'authenticated':
      logger.info('AWSPENDING key authenticates against Momento', { ...keyInfo, probeAnswer: outcome.code });
      return 'authenticated';
    case 'rejected':
      throw new PendingKeyRejectedError(secretId, token, keyInfo.keyFingerprint, `${outcome.code}: ${detail}`);
    case 'unknown':
      throw new MomentoUnavailableError('the test of the AWSPENDING key', outcome.code, detail);
  }
}

/** Whether AWSPENDING gets a value within a short wait (up to ~1.75 s); used only after a refused refresh. */
async function pendingAppears(secretId: string, token: string, deps: RotationDeps): Promise<boolean> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (const waitMs of [0, 250, 500, 1_000]) {
    if (waitMs > 0) await sleep(waitMs);
    if ((await deps.secrets.read(secretId, AWSPENDING, token)).found) return true;
  }
  return false;
}

/** Reads AWSCURRENT, refreshes its key at Momento, and returns the key file to store. */
async function refreshCurrentKey(secretId: string, deps: RotationDeps): Promise<RefreshedValue> {
  const stored = await deps.secrets.read(secretId, AWSCURRENT);
  if (!stored.found) throw new NoCurrentValueError(secretId);
  const current = keyFileFrom(stored.secretString, secretId, AWSCURRENT);
  const kind = inspectApiKey(current.apiKey).kind;
  const currentInfo = describeKeyFile(current, deps.now());
  if (currentInfo.daysLeft !== undefined) recordDaysToExpiry(currentInfo.daysLeft);
  if (kind === 'v2') throw new MissingRefreshTokenError(secretId, ': it is a v2 (global) API key, which Momento does not refresh');
  if (kind === 'unrecognised') throw new InvalidSecretValueError(secretId, AWSCURRENT, `its key is ${describeKind(kind)}`);
  if (current.refreshToken === undefined) throw new MissingRefreshTokenError(secretId, '');
  if (current.validUntil !== undefined && current.validUntil * 1000 <= deps.now()) {
    throw new KeyExpiredError(secretId, currentInfo.keyFingerprint, current.validUntil);
  }
  logger.info('Refreshing the AWSCURRENT key', currentInfo);

  const refreshed = await deps.momento.refreshApiKey(current.apiKey, current.refreshToken);
  if (!refreshed.ok) {
    const detail = scrub(refreshed.message);
    if (refreshVerdict(refreshed) === 'rejected') {
      throw new RefreshRejectedError(secretId, currentInfo.keyFingerprint, refreshed.code, detail);
    }
    throw new MomentoUnavailableError('the key refresh', refreshed.code, detail);
  }
  rememberSecret(refreshed.apiKey);
  rememberSecret(refreshed.refreshToken);
  rememberSecret(inspectApiKey(refreshed.apiKey).innerJwt);
  const secretString = keyFileAfterRefresh(current, refreshed);
  const keyInfo = describeKeyFile({ ...current, ...refreshed }, deps.now());
  logger.info('Refreshed the key at Momento', { ...keyInfo, previousKeyFingerprint: currentInfo.keyFingerprint });
  return { secretString, keyInfo };
}

function describeKind(kind: 'v2' | 'unrecognised'): string {
  return kind === 'v2'
    ? 'a v2 (global) API key, which this function cannot refresh'
    : 'not a Momento API key (neither a v1 key nor a legacy auth token)';
}
