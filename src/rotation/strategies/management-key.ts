import { inspectApiKey } from '../../momento/api-key.js';
import { KeyApiError } from '../../momento/key-management.js';
import { rememberSecret, scrub } from '../../observability/redact.js';
import { parseKeyFile } from '../../secret/key-file.js';
import { AWSCURRENT, errorName, isFinalError } from '../../secrets-manager/secret-store.js';
import type { RotationDeps } from '../rotation-deps.js';
import {
  KeyApiRequestRefusedError,
  KeyApiUnavailableError,
  ManagementKeyRejectedError,
  ManagementSecretInvalidError,
  UnknownRoleError,
} from '../errors.js';

export interface ManagementKey {
  readonly apiKey: string;
  /**
   * The management key's own id, its `jti` claim (whatever its secret stores as "keyId"):
   * never revoke the key we manage with. Undefined when the key has none; then nothing is
   * revoked, since it could not be told apart from the keys being revoked.
   */
  readonly keyId: string | undefined;
}

/**
 * The management key, read from its own secret's AWSCURRENT on every use: when the
 * management secret rotates itself, a finishSecret must already use the new key. Like the
 * master secret of AWS's multi-user rotation templates, it is only read, never written.
 * The secret holds {"apiKey": "<v2 key>"} (other fields allowed) or the bare key.
 */
export async function readManagementKey(deps: Pick<RotationDeps, 'secrets' | 'managementSecretId'>): Promise<ManagementKey> {
  const secretId = deps.managementSecretId;
  if (secretId === undefined) throw new Error('readManagementKey called without a management secret');
  let stored;
  try {
    stored = await deps.secrets.read(secretId, AWSCURRENT);
  } catch (error) {
    if (!isFinalError(error)) throw error;
    throw new ManagementSecretInvalidError(
      secretId,
      `reading it failed with ${errorName(error)} (the function's role needs secretsmanager:GetSecretValue on it, and kms:Decrypt on its KMS key)`,
      { cause: error },
    );
  }
  if (!stored.found) throw new ManagementSecretInvalidError(secretId, 'it does not exist or has no AWSCURRENT value');
  if (stored.secretString === undefined) throw new ManagementSecretInvalidError(secretId, 'it is stored as SecretBinary, not SecretString');
  rememberSecret(stored.secretString);
  const text = stored.secretString.trim();
  let apiKey = text;
  if (text.startsWith('{')) {
    const parsed = parseKeyFile(text);
    if (!parsed.ok) throw new ManagementSecretInvalidError(secretId, parsed.problem);
    apiKey = parsed.file.apiKey;
  }
  rememberSecret(apiKey);
  const { kind, keyId } = inspectApiKey(apiKey);
  if (kind !== 'v2') {
    throw new ManagementSecretInvalidError(
      secretId,
      `its key is ${kind === 'unrecognised' ? 'not a Momento API key' : `a ${kind} key`}, not a v2 API key; only v2 keys can use Momento's key-management API`,
    );
  }
  return { apiKey, keyId };
}

/** A key-API failure as the error a user acts on. Anything else passes through unchanged. */
export function keyApiFailureAsRotationError(
  error: unknown,
  context: { secretId: string; managementSecretId: string; roleId?: string; roles?: readonly { roleId: string; roleName: string }[] },
): unknown {
  if (!(error instanceof KeyApiError)) return error;
  const detail = scrub(error.detail);
  switch (error.failure) {
    case 'unauthorized':
    case 'forbidden':
      return new ManagementKeyRejectedError(context.managementSecretId, error.failure, detail);
    case 'not-found':
      return new UnknownRoleError(context.secretId, context.roleId ?? '', detail, context.roles);
    case 'bad-request':
      return new KeyApiRequestRefusedError(context.secretId, error.operation, detail);
    case 'unavailable':
      return new KeyApiUnavailableError(error.operation, error.attempts, detail, { cause: error });
  }
}
