import { inspectApiKey } from '../momento/api-key.js';
import type { KeyManagementApi } from '../momento/key-management.js';
import { probeVerdict } from '../momento/key-checks.js';
import type { MomentoApi } from '../momento/momento-api.js';
import { logger } from '../observability/logger.js';
import { recordDaysToExpiry } from '../observability/metrics.js';
import { scrub } from '../observability/redact.js';
import { describeKeyFile } from '../secret/key-file.js';
import { AWSCURRENT, AWSPENDING, errorName, isFinalError, type SecretDescription, type SecretStore } from '../secrets-manager/secret-store.js';
import {
  InvalidSecretValueError,
  MissingEndpointError,
  MomentoUnavailableError,
  NoCurrentValueError,
  NOT_A_MOMENTO_KEY,
  NotPendingError,
  PendingKeyRejectedError,
  PendingValueMissingError,
  PendingWriteFailedError,
  RefreshRejectedError,
  RotationDisabledError,
  TokenNotStagedError,
} from './errors.js';
import type { RotationEvent, Step } from './event.js';
import { RetriesExhausted, withRetries } from '../shared/retry.js';
import { keyFileFrom } from './stored-key-file.js';
import type { NewKeyValue, RotationDeps, UnstoredValue } from './rotation-deps.js';
import { chooseStrategy, nextKeyValue } from './strategies/key-strategy.js';
import { listKeysOrExplain, revokeRetiredKeys } from './strategies/mint-v2.js';

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
    // A repeated finishSecret (after a crash past the promotion) still owes the revocations.
    if (step === 'finishSecret') await revokeRetiredKeys(secretId, deps, deadline - DEADLINE_MARGIN_MS);
    return { step, outcome: 'already-current' };
  }
  if (!stages.includes(AWSPENDING)) throw new NotPendingError(secretId, token);
  const current = Object.keys(secret.versionStages).find((v) => secret.versionStages[v]?.includes(AWSCURRENT));

  switch (step) {
    case 'createSecret':
      return { step, outcome: await createSecret(event, secret, current, deps, deadline) };
    case 'setSecret':
      // createSecret already created the key at Momento (refreshed or minted): nothing to push.
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
      // Only now, with the successor AWSCURRENT, may anything be revoked (v2 keys only).
      await revokeRetiredKeys(secretId, deps, deadline - DEADLINE_MARGIN_MS);
      return { step, outcome: 'promoted' };
    }
  }
}

async function createSecret(
  event: RotationEvent,
  secret: SecretDescription,
  currentVersionId: string | undefined,
  deps: RotationDeps,
  deadline: number,
): Promise<string> {
  const { SecretId: secretId, ClientRequestToken: token } = event;
  if ((await deps.secrets.read(secretId, AWSPENDING, token)).found) {
    deps.unstoredValues.delete(secretId);
    logger.info('AWSPENDING already holds a value; nothing to create');
    return 'pending-exists';
  }
  const remembered = deps.unstoredValues.get(secretId);
  // A key made from an earlier AWSCURRENT is no successor to today's: drop it.
  let value = remembered?.sourceVersionId === currentVersionId ? remembered?.value : undefined;
  if (value?.keyInfo.keyId !== undefined && !(await mintedKeyStillUsable(secretId, remembered!, token, deps, deadline))) {
    deps.unstoredValues.delete(secretId);
    value = undefined;
  }
  const outcome = value === undefined ? 'created' : 'stored-earlier-key';
  if (value === undefined) {
    try {
      value = await newKeyFromCurrent(secret, event, deps, deadline);
    } catch (error) {
      // A concurrent delivery of this step may have used the refresh token; it stores its key within moments.
      if (error instanceof RefreshRejectedError && (await pendingAppears(secretId, token, deps))) {
        logger.info('Refresh refused, but AWSPENDING now holds a value stored by a concurrent invocation');
        return 'pending-exists';
      }
      throw error;
    }
    deps.unstoredValues.set(secretId, { sourceVersionId: currentVersionId, token, value });
  } else {
    logger.info('Storing the key made by an earlier attempt, without refreshing or minting again');
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
  logger.info('Stored the new key as AWSPENDING', value.keyInfo);
  return outcome;
}

async function testSecret(secretId: string, token: string, deps: RotationDeps): Promise<string> {
  const stored = await deps.secrets.read(secretId, AWSPENDING, token);
  if (!stored.found) throw new PendingValueMissingError(secretId, token);
  const pending = keyFileFrom(stored.secretString, secretId, AWSPENDING);
  const kind = inspectApiKey(pending.apiKey).kind;
  if (kind === 'unrecognised') {
    throw new InvalidSecretValueError(secretId, AWSPENDING, NOT_A_MOMENTO_KEY);
  }
  if (kind === 'v2' && pending.endpoint === undefined) throw new MissingEndpointError(secretId, AWSPENDING);
  const keyInfo = describeKeyFile(pending, deps.now());
  const outcome = await deps.momento.probeApiKey(pending.apiKey, deps.testCacheName, kind === 'v2' ? pending.endpoint : undefined);
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

/**
 * Whether a remembered minted key may be stored: only by its own rotation (a new one would
 * store a key minted for an abandoned version), and only while Momento lists it unexpired
 * (an expiry report may have revoked it as an orphan meanwhile). Listing failures throw: the
 * step is retried rather than storing a key that may be dead.
 */
async function mintedKeyStillUsable(secretId: string, remembered: UnstoredValue, token: string, deps: RotationDeps, deadline: number): Promise<boolean> {
  const keyId = remembered.value.keyInfo.keyId;
  if (remembered.token !== token) {
    logger.info('Not storing a key minted for an earlier, abandoned rotation; minting anew', { keyId, mintedForVersion: remembered.token });
    return false;
  }
  const listed = await listKeysOrExplain(secretId, deps, deadline - DEADLINE_MARGIN_MS);
  const key = listed.find((k) => k.keyId === keyId);
  if (key !== undefined && (key.expiresAt === undefined || key.expiresAt * 1000 > deps.now())) return true;
  logger.warn('A key minted by an earlier attempt is no longer valid at Momento (revoked or expired); minting anew', { keyId });
  return false;
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

/** Reads AWSCURRENT and makes its successor with the strategy its key kind calls for. */
async function newKeyFromCurrent(secret: SecretDescription, event: RotationEvent, deps: RotationDeps, deadline: number): Promise<NewKeyValue> {
  const secretId = event.SecretId;
  const stored = await deps.secrets.read(secretId, AWSCURRENT);
  if (!stored.found) throw new NoCurrentValueError(secretId);
  const current = keyFileFrom(stored.secretString, secretId, AWSCURRENT);
  const currentInfo = describeKeyFile(current, deps.now());
  if (currentInfo.daysLeft !== undefined) recordDaysToExpiry(currentInfo.daysLeft);
  const strategy = chooseStrategy(secretId, current, deps);
  return nextKeyValue(strategy, {
    secretId,
    secret,
    token: event.ClientRequestToken,
    current,
    currentInfo,
    deps,
    deadline: deadline - DEADLINE_MARGIN_MS,
  });
}
