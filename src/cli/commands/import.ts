import {
  CreateSecretCommand,
  DescribeSecretCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { readFile } from 'node:fs/promises';
import { inspectApiKey } from '../../momento/api-key.js';
import { rememberSecret } from '../../observability/redact.js';
import { keyManagementAccess, type KeyInfo, type RoleInfo } from '../../momento/key-management.js';
import { describeKeyFile, parseKeyFile, type MomentoKeyFile } from '../../secret/key-file.js';
import { endpointFor } from '../endpoint.js';
import { CliError, usage } from '../errors.js';
import { keyApiAccess, listKeys, listRoles, resolveRole } from '../key-api.js';
import { secretNames, secretsHoldingKey } from '../key-holders.js';
import type { Output } from '../output.js';

export interface ImportOptions {
  readonly secretId: string;
  /** A path, or undefined to read standard input. */
  readonly file: string | undefined;
  readonly kmsKeyId: string | undefined;
  readonly description: string | undefined;
  readonly tags: readonly { Key: string; Value: string }[];
  /** v2 keys: the region base endpoint in any form Momento shows it (default: the secret's Region's). */
  readonly endpoint?: string | undefined;
  /** v2 keys: the key's role by name or id (default: Momento's listing of the key, with a management secret). */
  readonly role?: string | undefined;
  /** v2 keys: the key's role by id. */
  readonly roleId?: string | undefined;
  /** v2 keys: must equal the key's own id (its jti claim), which is what is stored. */
  readonly keyId?: string | undefined;
  /** v2 keys: derive the role and check the key at Momento (GET /api-keys, GET /roles) with this management secret. */
  readonly managementSecretId?: string | undefined;
  /** v2 keys: store a key that AWSCURRENT of another secret in the Region holds too (warned, not refused). */
  readonly sharedKey?: boolean | undefined;
}

/**
 * Stores a key file downloaded from the Momento console: checks it, then creates the
 * secret, or stores the key as a new AWSCURRENT version of an existing one.
 */
export async function importKey(client: SecretsManagerClient, options: ImportOptions, io: Output, readStdin: () => Promise<string>, now = Date.now()) {
  const source = options.file ?? 'standard input';
  let text: string;
  try {
    text = options.file === undefined ? await readStdin() : await readFile(options.file, 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
  }
  let existing;
  try {
    existing = await client.send(new DescribeSecretCommand({ SecretId: options.secretId }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
  }
  const file = await checkImport(client, text, source, { ...options, existingArn: existing?.ARN }, io, now);
  const secretString = JSON.stringify(file.fields);
  const key = describeKeyFile(file, now);
  const expiry = key.validUntil === undefined ? 'no expiry' : `valid until ${key.validUntil} (${key.daysLeft} days left)`;
  const summary = `key ${key.keyFingerprint}${file.keyId ? `, key id ${file.keyId}, role ${file.roleId}` : ''}, ${expiry}`;

  if (existing === undefined) {
    const created = await client.send(
      new CreateSecretCommand({
        Name: options.secretId,
        SecretString: secretString,
        ...(options.kmsKeyId ? { KmsKeyId: options.kmsKeyId } : {}),
        Description: options.description ?? 'Momento API key (momento_token.info.json), rotated by momento-secret-rotation',
        ...(options.tags.length > 0 ? { Tags: [...options.tags] } : {}),
      }),
    );
    io.out(`Created secret ${created.ARN} with ${summary}.`);
    io.out('Next: deploy the rotation function for it (sam deploy), then check it with `status`.');
    return { action: 'created', arn: created.ARN, versionId: created.VersionId };
  }
  if (options.kmsKeyId || options.description || options.tags.length > 0) {
    io.err('The secret exists: --kms-key-id, --description and --tag apply only when creating it, and were ignored.');
  }
  const stages = existing.VersionIdsToStages ?? {};
  const previous = Object.keys(stages).find((v) => stages[v]?.includes('AWSCURRENT'));
  const pending = Object.keys(stages).find((v) => stages[v]?.includes('AWSPENDING') && v !== previous);
  const put = await client.send(new PutSecretValueCommand({ SecretId: existing.ARN ?? options.secretId, SecretString: secretString }));
  io.out(`Stored ${summary} as the new AWSCURRENT version ${put.VersionId} of ${existing.ARN}${previous ? ` (previous: ${previous})` : ''}.`);
  if (pending) {
    io.out(`The rotation in progress (version ${pending}) is abandoned by this change; the next rotation starts from the imported key.`);
  }
  return { action: 'stored', arn: existing.ARN, versionId: put.VersionId };
}

/** A v2 key (pasted bare, or a JSON file) or a v1 key file, checked for what its rotation needs. */
async function checkImport(
  client: SecretsManagerClient,
  text: string,
  source: string,
  options: CheckOptions,
  io: Output,
  now: number,
): Promise<MomentoKeyFile> {
  const bare = text.trim();
  let fields: Record<string, unknown> | undefined;
  if (inspectApiKey(bare).kind === 'v2') {
    rememberSecret(bare);
    fields = { apiKey: bare };
  } else {
    const parsed = parseKeyFile(text);
    if (parsed.ok && inspectApiKey(parsed.file.apiKey).kind === 'v2') {
      rememberSecret(parsed.file.apiKey);
      fields = { ...parsed.file.fields };
    } else if (!parsed.ok && parsed.reason === 'invalid') {
      // A v2 key file with a field in error (an endpoint with a port, say): still a v2 key, whose checks below name the field.
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // trailing commas: read as a v1 file below, whose check names the problem
      }
      if (typeof json?.apiKey === 'string' && inspectApiKey(json.apiKey.trim()).kind === 'v2') {
        rememberSecret(json.apiKey.trim());
        fields = { ...json, apiKey: json.apiKey.trim() };
      }
    }
  }
  if (fields === undefined) {
    const v2Flags = [options.endpoint, options.role, options.roleId, options.keyId, options.managementSecretId, options.sharedKey || undefined];
    if (v2Flags.some((v) => v !== undefined)) {
      throw usage('--endpoint, --role, --role-id, --key-id, --management-secret-id and --shared-key are for v2 keys; this is not one.');
    }
    return checkKeyFile(text, source, now);
  }
  return deriveV2KeyFile(client, fields, source, options, io, now);
}

/** What the checks need besides the options: the target secret's ARN, when it exists (left out of the shared-key scan). */
type CheckOptions = ImportOptions & { readonly existingArn: string | undefined };

/** Where each derived field came from, printed so the operator sees what was stored and why. */
interface Derivation {
  readonly field: string;
  readonly value: string;
  readonly from: string;
}

/**
 * A pasted v2 key becomes a rotatable secret: the key id and expiry are the key's own
 * claims (jti, exp); the role is Momento's listing of that key id (or --role without a
 * management key); the endpoint is --endpoint, the file's, or the secret's AWS Region's in
 * Momento's regions table. Nothing is stored when any of it does not hold.
 */
async function deriveV2KeyFile(
  client: SecretsManagerClient,
  fields: Record<string, unknown>,
  source: string,
  options: CheckOptions,
  io: Output,
  now: number,
): Promise<MomentoKeyFile> {
  const apiKey = fields.apiKey as string;
  const claims = inspectApiKey(apiKey);
  const derived: Derivation[] = [];
  if (options.role !== undefined && options.roleId !== undefined) throw usage('Pass --role or --role-id, not both.');
  const roleArg = options.roleId ?? options.role;
  const roleFlag = options.roleId !== undefined ? '--role-id' : '--role';

  // The key id is the key's own (jti): a stored or typed id that differs would name another key for revocation.
  for (const [given, what] of [
    [typeof fields.keyId === 'string' ? fields.keyId : undefined, `${source}'s "keyId"`],
    [options.keyId, '--key-id'],
  ] as const) {
    if (given !== undefined && given !== claims.keyId) {
      throw new CliError(
        `${what} is ${given}, but the key's own id (its jti claim) is ${claims.keyId ?? 'absent'}. The key id is read from the key: ` +
          `drop ${what === '--key-id' ? '--key-id' : '"keyId"'} (nothing was stored).`,
      );
    }
  }
  if (claims.keyId !== undefined) derived.push({ field: 'keyId', value: claims.keyId, from: 'the key (its jti claim)' });
  else io.err('Warning: this key has no key id (jti claim): it will rotate, but it can never be revoked by id.');

  // Expiry: the key's exp claim, over a file's validUntil.
  let validUntil = claims.expiresAt;
  const storedValidUntil = typeof fields.validUntil === 'number' || typeof fields.validUntil === 'string' ? Number(fields.validUntil) : undefined;
  if (validUntil !== undefined) {
    if (storedValidUntil !== undefined && storedValidUntil !== validUntil) {
      io.err(`Warning: ${source}'s "validUntil" (${iso(storedValidUntil)}) differs from the key's own expiry (${iso(validUntil)}, its exp claim); the key's is stored.`);
    }
    derived.push({ field: 'validUntil', value: iso(validUntil), from: 'the key (its exp claim)' });
  }

  // Endpoint: as pasted (any form Momento shows), else the secret's AWS Region's cell.
  const fileEndpoint = typeof fields.endpoint === 'string' ? fields.endpoint : undefined;
  const { endpoint, from } = await endpointFor(
    client,
    options.endpoint ?? fileEndpoint,
    options.endpoint !== undefined ? '--endpoint' : `${source}'s "endpoint"`,
  );
  derived.push({ field: 'endpoint', value: endpoint, from });

  // Role: Momento's listing of this key id, checked against what the user said.
  let roleId: string;
  const storedRoleId = typeof fields.roleId === 'string' && fields.roleId.trim() !== '' ? fields.roleId.trim() : undefined;
  if (validUntil !== undefined && validUntil * 1000 <= now) {
    throw new CliError(`${source} holds a key that expired at ${iso(validUntil)}. Create a new key in the console (nothing was stored).`);
  }
  if (options.managementSecretId === undefined) {
    if (roleArg !== undefined && storedRoleId !== undefined && roleArg !== storedRoleId) {
      throw new CliError(`${source} says "roleId" is ${storedRoleId}, but ${roleFlag} says ${roleArg}. Which role is the key's? (nothing was stored)`);
    }
    const given = roleArg ?? storedRoleId;
    if (given === undefined) {
      throw new CliError(
        `Which role does this key have? Pass --role (its name or id, as the Momento console shows it), or ` +
          `--management-secret-id NAME to read it from Momento (nothing was stored).`,
      );
    }
    roleId = given;
    if (validUntil === undefined && storedValidUntil === undefined && claims.keyId !== undefined) {
      io.err('The key has no exp claim: it never expires, unless Momento says otherwise (pass --management-secret-id to ask).');
    }
    derived.push({ field: 'roleId', value: roleId, from: `${roleArg !== undefined ? roleFlag : source}, not checked at Momento` });
    io.err(
      `Not checked at Momento: that key ${claims.keyId ?? ''} exists, is not revoked, and has role ${roleId}` +
        `${roleArg !== undefined && !/^r-/.test(roleArg) ? ' (if that is a role name, not its id, the first rotation fails and names the id)' : ''}. ` +
        'Pass --management-secret-id to check before storing.',
    );
  } else {
    const access = await keyApiAccess(client, options.managementSecretId);
    const what = 'check the key at Momento (nothing was stored)';
    const listed = await listKeys(access, what);
    if (claims.keyId === undefined) throw new CliError('The key has no key id (jti claim), so Momento\'s listing cannot be checked for it (nothing was stored).');
    const info = listed.find((k) => k.keyId === claims.keyId);
    if (info === undefined) {
      throw new CliError(
        `Momento does not list key ${claims.keyId} in the management key's account: it was revoked, has expired, or belongs to another account (nothing was stored).`,
      );
    }
    if (info.expiresAt !== undefined && info.expiresAt * 1000 <= now) {
      throw new CliError(`Key ${info.keyId} expired at ${iso(info.expiresAt)}, says Momento. Create a new key in the console (nothing was stored).`);
    }
    const roles = await listRoles(access, what);
    const listedRole = roles.find((r) => r.roleId === info.roleId);
    for (const [given, flag] of [
      [roleArg, roleFlag],
      [storedRoleId, `${source}'s "roleId"`],
    ] as const) {
      if (given === undefined) continue;
      const role = resolveRole(roles, given, flag, flag === '--role' ? 'name-or-id' : 'id');
      if (role.roleId !== info.roleId) {
        throw new CliError(
          `${flag} says role ${role.roleName} (${role.roleId}), but Momento lists key ${info.keyId} with role ` +
            `${listedRole?.roleName ?? '?'} (${info.roleId}): its successors would get the wrong role. Drop ${flag}, or check the key (nothing was stored).`,
        );
      }
    }
    roleId = info.roleId;
    derived.push({ field: 'roleId', value: roleId, from: `Momento's listing of key ${info.keyId}${listedRole ? ` (role ${listedRole.roleName})` : ''}` });
    if (validUntil === undefined && info.expiresAt !== undefined) {
      validUntil = info.expiresAt;
      derived.push({ field: 'validUntil', value: iso(validUntil), from: `Momento's listing of key ${info.keyId}` });
    }
    adviseOnManagementKey(access.managementKeyId, listed, roles, options.managementSecretId, io);
  }
  if (validUntil !== undefined && validUntil * 1000 <= now) {
    throw new CliError(`${source} holds a key that expired at ${iso(validUntil)}. Create a new key in the console (nothing was stored).`);
  }

  const next: Record<string, unknown> = { ...fields, apiKey, endpoint, roleId };
  delete next.keyId;
  delete next.validUntil;
  if (claims.keyId !== undefined) next.keyId = claims.keyId;
  if (validUntil !== undefined) next.validUntil = validUntil;
  const parsed = parseKeyFile(JSON.stringify(next));
  if (!parsed.ok) throw new CliError(`${source} is not a Momento key file: ${parsed.problem}.`);
  if (claims.keyId !== undefined) await refuseSharedKey(client, claims.keyId, options, io);
  io.out('Derived for the secret:');
  for (const d of derived) io.out(`  ${d.field.padEnd(10)}  ${d.value}  (from ${d.from})`);
  return parsed.file;
}

/**
 * One key, one secret: a key that AWSCURRENT of another secret in the Region holds is refused
 * (or, with --shared-key, stored with a warning), because when either secret rotates it out
 * the function may revoke it, and the other secret's applications stop authenticating.
 */
async function refuseSharedKey(client: SecretsManagerClient, keyId: string, options: CheckOptions, io: Output): Promise<void> {
  const scan = await secretsHoldingKey(client, keyId, options.existingArn);
  if (scan.listFailed !== undefined) {
    io.err(`Not checked whether another secret in ${scan.region} holds key ${keyId}: ${scan.listFailed}.`);
  } else if (scan.unreadable.length > 0) {
    io.err(
      `Not checked whether ${scan.unreadable.length === 1 ? 'secret' : 'secrets'} ${secretNames(scan.unreadable)} in ${scan.region} ` +
        `hold${scan.unreadable.length === 1 ? 's' : ''} key ${keyId}: ${scan.unreadable.length === 1 ? 'its' : 'their'} AWSCURRENT could not be read (${scan.unreadable[0]!.reason}).`,
    );
  }
  if (scan.holders.length === 0) return;
  const one = scan.holders.length === 1;
  const where = `AWSCURRENT of ${one ? 'secret' : 'secrets'} ${secretNames(scan.holders)} already holds key ${keyId}`;
  const sharing =
    'when either secret rotates the key out, the rotation function may revoke it (if it was minted for that secret, or ' +
    "RevokeImportedKeys is on), and the other secret's applications stop authenticating. Each secret should have a key of its own";
  if (!options.sharedKey) {
    throw new CliError(
      `${where}. Two secrets sharing one key break each other: ${sharing}: create a new key in the Momento console for this ` +
        'secret. To store this one anyway, pass --shared-key (nothing was stored).',
    );
  }
  io.err(`Warning: ${where}, and this secret will hold it too (--shared-key). Sharing it: ${sharing}; replace it with a new key when you can.`);
}

/** Whether the management key can rotate, read from its own role at Momento; advice only, never a refusal. */
function adviseOnManagementKey(
  managementKeyId: string | undefined,
  listed: readonly KeyInfo[],
  roles: readonly RoleInfo[],
  managementSecretId: string,
  io: Output,
): void {
  const roleId = listed.find((k) => k.keyId === managementKeyId)?.roleId;
  const role = roles.find((r) => r.roleId === roleId);
  if (role === undefined) {
    io.err(`Not checked: whether the management key in ${managementSecretId} may mint and revoke keys (Momento did not list its role).`);
    return;
  }
  if (!keyManagementAccess(role).mintAndRevoke) {
    io.err(
      `Warning: the management key in ${managementSecretId} has role ${role.roleName} (${role.roleId}), which may list keys but not mint or revoke them: ` +
        'the rotation function cannot rotate with it. Store a key whose role grants auth_management read, write and list (docs/secret-format.md, "The management key").',
    );
  }
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** The file must be one the rotation can work with: a parseable key, a refresh token, a future validUntil. */
async function checkKeyFile(text: string, source: string, now: number): Promise<MomentoKeyFile & { validUntil: number }> {
  const parsed = parseKeyFile(text);
  if (!parsed.ok) {
    throw new CliError(
      parsed.reason === 'not-json'
        ? `${source} is not JSON. Use the file the Momento console downloads when you create an API key (momento_token.info.json).`
        : `${source} is not a Momento key file: ${parsed.problem}.`,
    );
  }
  const file = parsed.file;
  rememberSecret(text);
  rememberSecret(file.apiKey);
  rememberSecret(file.refreshToken);
  const kind = inspectApiKey(file.apiKey).kind;
  if (kind === 'unrecognised' || !(await momentoSdkAccepts(file.apiKey))) {
    throw new CliError(`${source}: "apiKey" is not a key the Momento SDK can use. Download the key file again from the console.`);
  }
  if (file.refreshToken === undefined) {
    throw new CliError(`${source} has no "refreshToken": the key cannot be refreshed. Keys that never expire have none; create one that expires.`);
  }
  if (file.validUntil === undefined) throw new CliError(`${source} has no "validUntil": expected the key's expiry, in epoch seconds.`);
  if (file.validUntil * 1000 <= now) {
    throw new CliError(`${source} holds a key that expired at ${new Date(file.validUntil * 1000).toISOString()}. Create a new key in the console.`);
  }
  return { ...file, validUntil: file.validUntil };
}

async function momentoSdkAccepts(apiKey: string): Promise<boolean> {
  const { CredentialProvider } = await import('@gomomento/sdk');
  try {
    CredentialProvider.fromString({ apiKey });
    return true;
  } catch {
    return false; // its message quotes the key: never shown
  }
}
