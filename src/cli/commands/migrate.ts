import { GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { inspectApiKey } from '../../momento/api-key.js';
import { fingerprint } from '../../observability/fingerprint.js';
import { rememberSecret } from '../../observability/redact.js';
import { parseKeyFile } from '../../secret/key-file.js';
import { CliError } from '../errors.js';
import { endpointFor } from '../endpoint.js';
import { keyApiAccess, listRoles, resolveRole } from '../key-api.js';
import { inspectSecret } from '../inspect-secret.js';
import type { Output } from '../output.js';
import { rotate } from './rotate.js';

export interface MigrateOptions {
  readonly secretId: string;
  /** The role, by name or id (by id only when `byIdOnly`). */
  readonly role: string;
  readonly byIdOnly?: boolean;
  /** Any form Momento shows; undefined: the secret's AWS Region's. */
  readonly endpoint: string | undefined;
  /** Resolves and checks the role at Momento (GET /roles). */
  readonly managementSecretId?: string | undefined;
  /** Start the migrating rotation now and follow it. */
  readonly rotate: boolean;
  readonly timeoutSeconds: number;
  readonly pollMs?: number;
}

/**
 * Prepares a v1 secret for v2 keys: stores `roleId` and `endpoint` beside the same v1 key, as a
 * new AWSCURRENT version, so that the next rotation mints a v2 key with that role (the rotation
 * function needs a management secret for it). The v1 key itself is unchanged, and stays valid.
 */
export async function migrate(client: SecretsManagerClient, options: MigrateOptions, io: Output) {
  const { secretId } = options;
  const { endpoint } = await endpointFor(client, options.endpoint, '--endpoint');
  let roleId = options.role;
  if (options.managementSecretId !== undefined) {
    const roles = await listRoles(await keyApiAccess(client, options.managementSecretId), 'check the role at Momento (nothing was stored)');
    roleId = resolveRole(roles, options.role, options.byIdOnly ? '--role-id' : '--role', options.byIdOnly ? 'id' : 'name-or-id').roleId;
  } else {
    io.err(`Not checked at Momento: role ${roleId}${options.byIdOnly ? '' : ' (as an id; a role name is resolved only with --management-secret-id)'}.`);
  }
  const before = await inspectSecret(client, secretId);
  if (before.pendingVersionId !== undefined) {
    throw new CliError(
      `A rotation is in progress or stuck (AWSPENDING on version ${before.pendingVersionId}): a new AWSCURRENT now would abandon it. ` +
        `Let it finish, or clear it with: momento-secret-rotation repair --secret-id ${secretId}`,
    );
  }
  const current = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }));
  rememberSecret(current.SecretString);
  const parsed = parseKeyFile(current.SecretString ?? '');
  if (!parsed.ok) {
    throw new CliError(`AWSCURRENT of ${before.name} holds no key file (${parsed.problem}): import a key first (momento-secret-rotation import).`);
  }
  const file = parsed.file;
  rememberSecret(file.apiKey);
  rememberSecret(file.refreshToken);
  const kind = inspectApiKey(file.apiKey).kind;
  if (kind === 'v2') throw new CliError(`AWSCURRENT of ${before.name} already holds a v2 key: nothing to migrate.`);
  if (kind === 'unrecognised') throw new CliError(`AWSCURRENT of ${before.name} does not hold a Momento API key: import one first.`);

  const value = JSON.stringify({ ...file.fields, roleId, endpoint });
  const put = await client.send(new PutSecretValueCommand({ SecretId: before.arn, SecretString: value }));
  const until = file.validUntil ? `until ${new Date(file.validUntil * 1000).toISOString()}` : 'until it expires';
  io.out(
    `Stored role ${roleId} and endpoint ${endpoint} beside the same ${kind} key (${fingerprint(file.apiKey)}), as the new AWSCURRENT version ${put.VersionId}.`,
  );
  io.out(
    `The next rotation mints a v2 key with role ${roleId}; the rotation function needs a management secret for it (ManagementSecretArn). ` +
      `The ${kind} key stays valid ${until}: Momento cannot revoke it.`,
  );
  if (!options.rotate) {
    io.out(`Start that rotation now with: momento-secret-rotation rotate --secret-id ${secretId} (or run migrate with --rotate).`);
    return { versionId: put.VersionId, rotated: false };
  }
  await rotate(client, { secretId, wait: true, timeoutSeconds: options.timeoutSeconds, ...(options.pollMs ? { pollMs: options.pollMs } : {}) }, io);
  const after = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }));
  const migrated = parseKeyFile(after.SecretString ?? '');
  rememberSecret(after.SecretString);
  if (!migrated.ok || inspectApiKey(migrated.file.apiKey).kind !== 'v2') {
    throw new CliError(
      'The rotation finished, but AWSCURRENT does not hold a v2 key: the rotation function refreshed the v1 key instead. ' +
        'Deploy it with ManagementSecretArn set, then rotate again.',
    );
  }
  io.out(`Migrated: AWSCURRENT holds a v2 key (key id ${migrated.file.keyId}, role ${migrated.file.roleId}).`);
  return { versionId: put.VersionId, rotated: true };
}
