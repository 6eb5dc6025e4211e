import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { inspectApiKey } from '../momento/api-key.js';
import { HttpKeyManagementApi, parseApiKeysUrl } from '../momento/http-key-management.js';
import type { KeyManagementApi, RoleInfo } from '../momento/key-management.js';
import { rememberSecret } from '../observability/redact.js';
import { parseKeyFile } from '../secret/key-file.js';
import { CliError, explainAwsError } from './errors.js';

/** Momento's key-management API with the management key, for the commands that revoke or check keys. */
export interface KeyApiAccess {
  readonly api: KeyManagementApi;
  readonly managementKey: string;
  /** The management key's own id, when its secret stores it: never revoked. */
  readonly managementKeyId: string | undefined;
}

/**
 * Reads the management key from its secret's AWSCURRENT, and finds the key-management API as
 * the rotation function does: MOMENTO_API_KEYS_URL, with the same default and the same rule
 * (http:// only to loopback).
 */
export async function keyApiAccess(client: SecretsManagerClient, managementSecretId: string): Promise<KeyApiAccess> {
  const url = parseApiKeysUrl(process.env.MOMENTO_API_KEYS_URL);
  if (!url.ok) throw new CliError(url.problem);
  let value;
  try {
    value = await client.send(new GetSecretValueCommand({ SecretId: managementSecretId, VersionStage: 'AWSCURRENT' }));
  } catch (error) {
    // Named as the management secret, not as --secret-id (which the caller's own explanation would name).
    const known = explainAwsError(error, managementSecretId);
    if (known) throw new CliError(`The management secret: ${known.message}`);
    throw error;
  }
  rememberSecret(value.SecretString);
  // {"apiKey": "<key>"} (other fields allowed) or the bare key, as the rotation function reads it.
  const text = (value.SecretString ?? '').trim();
  const parsed = text.startsWith('{') ? parseKeyFile(text) : undefined;
  const apiKey = parsed === undefined ? text : parsed.ok ? parsed.file.apiKey : '';
  const key = inspectApiKey(apiKey);
  if (key.kind !== 'v2') {
    throw new CliError(
      `The management secret ${managementSecretId} does not hold a v2 key, bare or as {"apiKey": "<key>"}` +
        `${parsed !== undefined && !parsed.ok ? ` (${parsed.problem})` : ''}. Store there a key whose role may manage API keys ` +
        '(auth_management read, write and list: see docs/secret-format.md, "The management key").',
    );
  }
  rememberSecret(apiKey);
  // The key's own id (jti), whatever the secret stores beside it.
  return { api: new HttpKeyManagementApi({ baseUrl: url.url }), managementKey: apiKey, managementKeyId: key.keyId };
}

/** Every role in the management key's account (GET /roles). */
export async function listRoles(access: KeyApiAccess, what: string): Promise<readonly RoleInfo[]> {
  try {
    return await access.api.listRoles(access.managementKey, Date.now() + 60_000);
  } catch (error) {
    throw explainKeyApiFailure(error, what);
  }
}

/** The account's roles as name → id, for messages. */
export function rolesInWords(roles: readonly RoleInfo[]): string {
  return roles.map((r) => `${r.roleName || '(no name)'} → ${r.roleId}`).join(', ') || 'none';
}

/**
 * A role given by name or id, as Momento's CLI takes it (--role-name / --role-id, matched
 * exactly against GET /roles): an id wins over a name. Undefined when no role has it.
 */
export function findRole(roles: readonly RoleInfo[], nameOrId: string): RoleInfo | undefined {
  return roles.find((r) => r.roleId === nameOrId) ?? roles.find((r) => r.roleName === nameOrId);
}

/** findRole (or, for `by: 'id'`, the role with that id only), or a refusal that lists the account's roles. */
export function resolveRole(roles: readonly RoleInfo[], nameOrId: string, flag: string, by: 'id' | 'name-or-id' = 'name-or-id'): RoleInfo {
  const role = by === 'id' ? roles.find((r) => r.roleId === nameOrId) : findRole(roles, nameOrId);
  if (role === undefined) {
    const named = by === 'id' ? roles.find((r) => r.roleName === nameOrId) : undefined;
    throw new CliError(
      `${flag} "${nameOrId}" is ${by === 'id' ? 'not the id' : 'neither the name nor the id'} of a role in this Momento account` +
        `${named ? ` (it is the name of ${named.roleId}: pass --role to give a name)` : ''}. Its roles (name → id): ${rolesInWords(roles)}.`,
    );
  }
  return role;
}

/** Every key in the management key's account (GET /api-keys); a failure says what could not be done, and why. */
export async function listKeys(access: KeyApiAccess, what: string) {
  try {
    return await access.api.list(access.managementKey, Date.now() + 60_000);
  } catch (error) {
    throw explainKeyApiFailure(error, what);
  }
}

/** What a key-API failure means to an operator. */
export function explainKeyApiFailure(error: unknown, what: string): CliError {
  const failure = (error as { failure?: string }).failure;
  const detail = (error as { detail?: string }).detail;
  const reason =
    failure === 'unauthorized'
      ? 'the management key is invalid or expired: store a new one in the management secret'
      : failure === 'forbidden'
        ? "the management key's role may not do this (listing needs auth_management list; minting and revoking also write): use a key whose role grants auth_management read, write and list"
        : failure === 'unavailable'
          ? "Momento's key-management API did not answer, after retries: try again"
          : `Momento answered: ${detail ?? String(error)}`;
  return new CliError(`Could not ${what}: ${reason}.`);
}
