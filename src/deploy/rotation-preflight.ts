import { KeyExpiredError, MissingEndpointError, MissingRefreshTokenError, MissingRoleIdError, NoCurrentValueError } from '../rotation/errors.js';
import type { RotationDeps } from '../rotation/rotation-deps.js';
import { keyFileFrom } from '../rotation/stored-key-file.js';
import { chooseStrategy } from '../rotation/strategies/key-strategy.js';
import { readManagementKey } from '../rotation/strategies/management-key.js';
import { describeKeyFile } from '../secret/key-file.js';
import { AWSCURRENT } from '../secrets-manager/secret-store.js';

/**
 * Before the first rotation (the deploy-time report; RotationSchedule depends on it): what
 * that rotation's createSecret needs, so a deploy that would leave a stuck AWSPENDING fails
 * instead, with createSecret's own error and what to do. A v2 key (or a v1 key migrating)
 * needs its role and endpoint, a configured management secret, readable, holding a v2 key;
 * a v1 key needs its refresh token and must not have expired (refresh-v1.ts refuses one). Read-only.
 */
export async function checkFirstRotation(secretId: string, deps: Pick<RotationDeps, 'secrets' | 'managementSecretId' | 'now'>): Promise<void> {
  const stored = await deps.secrets.read(secretId, AWSCURRENT);
  if (!stored.found) throw new NoCurrentValueError(secretId);
  const current = keyFileFrom(stored.secretString, secretId, AWSCURRENT);
  if (chooseStrategy(secretId, current, deps) === 'refresh-v1') {
    if (current.refreshToken === undefined) throw new MissingRefreshTokenError(secretId, '');
    if (current.validUntil !== undefined && current.validUntil * 1000 <= deps.now()) {
      throw new KeyExpiredError(secretId, describeKeyFile(current, deps.now()).keyFingerprint, current.validUntil);
    }
    return;
  }
  if (current.roleId === undefined) throw new MissingRoleIdError(secretId, AWSCURRENT);
  if (current.endpoint === undefined) throw new MissingEndpointError(secretId, AWSCURRENT);
  await readManagementKey(deps);
}
