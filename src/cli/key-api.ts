import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { inspectApiKey } from '../momento/api-key.js';
import { HttpKeyManagementApi, parseApiKeysUrl } from '../momento/http-key-management.js';
import type { KeyManagementApi } from '../momento/key-management.js';
import { rememberSecret } from '../observability/redact.js';
import { parseKeyFile } from '../secret/key-file.js';
import { CliError } from './errors.js';

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
  const value = await client.send(new GetSecretValueCommand({ SecretId: managementSecretId, VersionStage: 'AWSCURRENT' }));
  const parsed = parseKeyFile(value.SecretString ?? '');
  if (!parsed.ok || inspectApiKey(parsed.file.apiKey).kind !== 'v2') {
    throw new CliError(
      `The management secret ${managementSecretId} does not hold a v2 key as {"apiKey": "<key>"}` +
        `${parsed.ok ? '' : ` (${parsed.problem})`}. Store a key whose role may manage API keys (Operator or Owner) there.`,
    );
  }
  rememberSecret(parsed.file.apiKey);
  return { api: new HttpKeyManagementApi({ baseUrl: url.url }), managementKey: parsed.file.apiKey, managementKeyId: parsed.file.keyId };
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
        ? "the management key's role may not manage API keys: use a key with the Operator or Owner role"
        : failure === 'unavailable'
          ? "Momento's key-management API did not answer, after retries: try again"
          : `Momento answered: ${detail ?? String(error)}`;
  return new CliError(`Could not ${what}: ${reason}.`);
}
