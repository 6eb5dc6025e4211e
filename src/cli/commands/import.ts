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
import { CliError } from '../errors.js';
import type { Output } from '../output.js';

export interface ImportOptions {
  readonly secretId: string;
  /** A path, or undefined to read standard input. */
  readonly file: string | undefined;
  readonly kmsKeyId: string | undefined;
  readonly description: string | undefined;
  readonly tags: readonly { Key: string; Value: string }[];
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
  const file = await checkKeyFile(text, source, now);
  const secretString = JSON.stringify(file.fields);
  const key = describeKeyFile(file, now);
  const summary = `key ${key.keyFingerprint}, valid until ${key.validUntil} (${key.daysLeft} days left)`;

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
  if (kind === 'v2') throw new CliError(`${source} holds a v2 (global) API key: Momento does not refresh those, so it cannot be rotated.`);
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
