import { inspectApiKey } from '../../momento/api-key.js';
import type { MomentoKeyFile } from '../../secret/key-file.js';
import { AWSCURRENT } from '../../secrets-manager/secret-store.js';
import { InvalidSecretValueError, ManagementSecretNotConfiguredError, NOT_A_MOMENTO_KEY } from '../errors.js';
import type { NewKeyValue, NextKeyContext, RotationDeps } from '../rotation-deps.js';
import { mintSuccessorKey } from './mint-v2.js';
import { refreshCurrentKey } from './refresh-v1.js';

/**
 * Where the next key comes from: the one thing that differs between the two key kinds
 * in createSecret (design/key-strategies.md). What must stop working after a promotion
 * is `revokeRetiredKeys` (mint-v2.ts); v1 keys cannot be revoked and simply expire.
 */
export type KeyStrategy = 'refresh-v1' | 'mint-v2';

/**
 * - a v2 key is minted anew (we mint without a refresh token, and never refresh one);
 * - a v1 key with "roleId" and "endpoint", while a management secret is configured, is
 *   migrated: its successor is a minted v2 key;
 * - any other v1 key (or legacy token) is refreshed with its refresh token, as always.
 */
export function chooseStrategy(secretId: string, current: MomentoKeyFile, deps: Pick<RotationDeps, 'managementSecretId'>): KeyStrategy {
  const kind = inspectApiKey(current.apiKey).kind;
  if (kind === 'unrecognised') {
    throw new InvalidSecretValueError(secretId, AWSCURRENT, NOT_A_MOMENTO_KEY);
  }
  if (kind === 'v2') {
    if (deps.managementSecretId === undefined) throw new ManagementSecretNotConfiguredError(secretId);
    return 'mint-v2';
  }
  const migrating = deps.managementSecretId !== undefined && current.roleId !== undefined && current.endpoint !== undefined;
  return migrating ? 'mint-v2' : 'refresh-v1';
}

export function nextKeyValue(strategy: KeyStrategy, context: NextKeyContext): Promise<NewKeyValue> {
  return strategy === 'mint-v2' ? mintSuccessorKey(context) : refreshCurrentKey(context);
}
