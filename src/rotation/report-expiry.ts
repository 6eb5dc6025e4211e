import { logger } from '../observability/logger.js';
import { recordDaysToExpiry } from '../observability/metrics.js';
import { describeKeyFile } from '../secret/key-file.js';
import { AWSCURRENT, type SecretStore } from '../secrets-manager/secret-store.js';
import { NoCurrentValueError } from './errors.js';
import { keyFileFrom } from './stored-key-file.js';

/**
 * Not a rotation step: invoked on a fixed schedule (template.yaml, every 12 hours), it
 * reports how many days AWSCURRENT's key has left. The expiry alarm watches that figure,
 * and its absence, so a rotation schedule that silently stopped still pages someone in time.
 */
export async function reportKeyExpiry(secretId: string, secrets: SecretStore, now: () => number) {
  const stored = await secrets.read(secretId, AWSCURRENT);
  if (!stored.found) throw new NoCurrentValueError(secretId);
  const file = keyFileFrom(stored.secretString, secretId, AWSCURRENT);
  const key = describeKeyFile(file, now());
  if (key.daysLeft === undefined) {
    logger.warn('AWSCURRENT key file has no validUntil; no expiry to report', { keyFingerprint: key.keyFingerprint });
    return { action: 'ReportKeyExpiry', daysLeft: undefined };
  }
  recordDaysToExpiry(key.daysLeft);
  logger.info('Reported the AWSCURRENT key\'s days to expiry', key);
  return { action: 'ReportKeyExpiry', daysLeft: key.daysLeft };
}
