import { logger } from '../observability/logger.js';
import { recordDaysToExpiry, recordExpiryReported } from '../observability/metrics.js';
import { describeKeyFile } from '../secret/key-file.js';
import { AWSCURRENT } from '../secrets-manager/secret-store.js';
import { NoCurrentValueError } from './errors.js';
import type { RotationDeps } from './rotation-deps.js';
import { keyFileFrom } from './stored-key-file.js';
import { revokeRetiredKeys } from './strategies/mint-v2.js';

/**
 * Not a rotation step: invoked on a fixed schedule (template.yaml, every 12 hours), it
 * reports how many days AWSCURRENT's key has left (DaysToExpiry, for the expiry alarm) and
 * that it reported (ExpiryReported, whose absence for a day alarms too), so a rotation
 * schedule that silently stopped still pages someone in time.
 * For v2 keys it also retries the revocations a finishSecret could not complete.
 */
export async function reportKeyExpiry(secretId: string, deps: RotationDeps, deadline: number) {
  const stored = await deps.secrets.read(secretId, AWSCURRENT);
  if (!stored.found) throw new NoCurrentValueError(secretId);
  const file = keyFileFrom(stored.secretString, secretId, AWSCURRENT);
  const key = describeKeyFile(file, deps.now());
  if (key.daysLeft === undefined) {
    logger.warn('AWSCURRENT key file has no validUntil; no expiry to report', { keyFingerprint: key.keyFingerprint });
  } else {
    recordDaysToExpiry(key.daysLeft);
    logger.info("Reported the AWSCURRENT key's days to expiry", key);
  }
  recordExpiryReported();
  const revocations = await revokeRetiredKeys(secretId, deps, deadline);
  return { action: 'ReportKeyExpiry', daysLeft: key.daysLeft, ...(revocations ? { revocations } : {}) };
}
