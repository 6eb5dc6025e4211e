import {
  CreateSecretCommand,
  DescribeSecretCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { readFile } from 'node:fs/promises';
import { inspectApiKey } from '../../momento/api-key.js';
import { rememberSecret } from '../../observability/redact.js';
import { describeKeyFile, parseKeyFile, type MomentoKeyFile } from '../../secret/key-file.js';
import { checkEndpointHost, CliError, usage } from '../errors.js';
import type { KeyInfo } from '../../momento/key-management.js';
import { keyApiAccess, listKeys } from '../key-api.js';
import type { Output } from '../output.js';

export interface ImportOptions {
  readonly secretId: string;
  /** A path, or undefined to read standard input. */
  readonly file: string | undefined;
  readonly kmsKeyId: string | undefined;
  readonly description: string | undefined;
  readonly tags: readonly { Key: string; Value: string }[];
  /** v2 keys: the region base endpoint, role id and key id, for a bare key (or to fill a JSON file's gaps). */
  readonly endpoint?: string | undefined;
  readonly roleId?: string | undefined;
  readonly keyId?: string | undefined;
  /** v2 keys: check the key id, role and expiry at Momento (GET /api-keys) with this management secret. */
  readonly managementSecretId?: string | undefined;
}

/** Where the Momento console shows what a v2 secret needs beside the key. */
const V2_FIELDS_HINT =
  'The Momento console shows them when it creates the key, and its API keys page lists each key\'s id and role; ' +
  'the endpoint is the region base endpoint (e.g. cell-4-us-west-2-1.prod.a.momentohq.com).';

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
  const file = await checkImport(client, text, source, options, io, now);
  const secretString = JSON.stringify(file.fields);
  const key = describeKeyFile(file, now);
  const expiry = key.validUntil === undefined ? 'no expiry' : `valid until ${key.validUntil} (${key.daysLeft} days left)`;
  const summary = `key ${key.keyFingerprint}${file.keyId ? `, key id ${file.keyId}, role ${file.roleId}` : ''}, ${expiry}`;

  let existing;
  try {
    existing = await client.send(new DescribeSecretCommand({ SecretId: options.secretId }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
  }
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

/** A v2 key (JSON file, or a bare key with flags) or a v1 key file, checked for what its rotation needs. */
async function checkImport(
  client: SecretsManagerClient,
  text: string,
  source: string,
  options: ImportOptions,
  io: Output,
  now: number,
): Promise<MomentoKeyFile> {
  const bare = text.trim();
  const v2Flags = { endpoint: options.endpoint, roleId: options.roleId, keyId: options.keyId };
  const anyV2Flag = Object.values(v2Flags).some((v) => v !== undefined);
  let fields: Record<string, unknown> | undefined;
  if (inspectApiKey(bare).kind === 'v2') {
    rememberSecret(bare);
    fields = { apiKey: bare };
  } else {
    const parsed = parseKeyFile(text);
    if (parsed.ok && inspectApiKey(parsed.file.apiKey).kind === 'v2') {
      rememberSecret(parsed.file.apiKey);
      fields = { ...parsed.file.fields };
    }
  }
  if (fields === undefined) {
    if (anyV2Flag || options.managementSecretId) throw usage('--endpoint, --role-id, --key-id and --management-secret-id are for v2 keys; this is not one.');
    return checkKeyFile(text, source, now);
  }
  // Flags fill what the file lacks; a flag that contradicts the file is a mistake to stop on.
  for (const [field, flag] of Object.entries(v2Flags)) {
    if (flag === undefined) continue;
    if (typeof fields[field] === 'string' && fields[field] !== flag) {
      throw new CliError(`${source} says "${field}" is "${String(fields[field])}", but --${flagName(field)} says "${flag}". Which key is this?`);
    }
    fields[field] = flag;
  }
  const parsed = parseKeyFile(JSON.stringify(fields));
  if (!parsed.ok) throw new CliError(`${source} is not a Momento key file: ${parsed.problem}.`);
  const file = parsed.file;
  const missing = (['endpoint', 'roleId', 'keyId'] as const).filter((f) => file[f] === undefined);
  if (missing.length > 0) {
    throw new CliError(
      `${source} holds a v2 API key without ${missing.map((f) => `"${f}"`).join(', ')}: the rotation needs the endpoint to use the key, ` +
        `the role to mint its successor, and the key id to revoke it. Pass ${missing.map((f) => `--${flagName(f)}`).join(', ')}. ${V2_FIELDS_HINT}`,
    );
  }
  checkEndpointHost(file.endpoint!, '"endpoint"');
  if (file.validUntil !== undefined && file.validUntil * 1000 <= now) {
    throw new CliError(`${source} holds a key that expired at ${new Date(file.validUntil * 1000).toISOString()}. Create a new key in the console.`);
  }
  if (options.managementSecretId === undefined) {
    io.err(`Not checked at Momento: key id ${file.keyId} and role ${file.roleId}. Pass --management-secret-id to check them before storing.`);
    return file;
  }
  const access = await keyApiAccess(client, options.managementSecretId);
  return checkedAtMomento(file, await listKeys(access, 'check the key at Momento (nothing was stored)'), now);
}

/** The key as Momento lists it: the id must exist, with the file's role, unexpired. Momento's expiry becomes validUntil. */
export function checkedAtMomento(file: MomentoKeyFile, listed: readonly KeyInfo[], now: number): MomentoKeyFile {
  const info = listed.find((k) => k.keyId === file.keyId);
  if (!info) {
    throw new CliError(`Momento has no key with id ${file.keyId} in the management key's account: it was revoked, has expired, or the id is wrong. ${V2_FIELDS_HINT}`);
  }
  if (info.roleId !== file.roleId) {
    throw new CliError(`Key ${file.keyId} has role ${info.roleId} at Momento, not ${file.roleId}: its successors would get the wrong role. Pass --role-id ${info.roleId}, or check the key id.`);
  }
  if (info.expiresAt !== undefined && info.expiresAt * 1000 <= now) {
    throw new CliError(`Key ${file.keyId} expired at ${new Date(info.expiresAt * 1000).toISOString()}, says Momento. Create a new key in the console.`);
  }
  // Momento's expiry is the truth: the function reports days to expiry from validUntil.
  const validUntil = info.expiresAt ?? file.validUntil;
  return { ...file, validUntil, fields: { ...file.fields, ...(validUntil !== undefined ? { validUntil } : {}) } };
}

const flagName = (field: string) => field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

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
