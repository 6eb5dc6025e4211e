import { inspectApiKey } from '../../momento/api-key.js';
import { refreshVerdict } from '../../momento/key-checks.js';
import { logger } from '../../observability/logger.js';
import { rememberSecret, scrub } from '../../observability/redact.js';
import { describeKeyFile, keyFileAfterRefresh } from '../../secret/key-file.js';
import { KeyExpiredError, MissingRefreshTokenError, MomentoUnavailableError, RefreshRejectedError } from '../errors.js';
import type { NewKeyValue, NextKeyContext, RotationDeps } from '../rotation-deps.js';

/**
 * v1 keys: refresh the AWSCURRENT key at Momento with its refresh token. The new key
 * lives as long as the original did, counted from now; the old one stays valid until it
 * expires (refresh is not revocation). The refresh token may be single-use, so the
 * protocol keeps the result in memory until it is stored.
 */
export async function refreshCurrentKey({ secretId, current, currentInfo, deps }: NextKeyContext): Promise<NewKeyValue> {
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
