import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { inspectApiKey } from '../momento/api-key.js';
import { rememberSecret } from '../observability/redact.js';
import { apiKeyIn } from '../secret/key-file.js';
import { listEverySecret, mapBounded } from './list-secrets.js';
import { errorName } from './errors.js';

/** A secret, named for people and by ARN. */
export interface SecretRef {
  readonly name: string;
  readonly arn: string;
}

/** Which secrets of a Region hold a v2 key in AWSCURRENT, as far as the caller may read them. */
export interface KeyHolders {
  /** The Region that was scanned. */
  readonly region: string;
  /** Secrets whose AWSCURRENT holds the key (its jti). */
  readonly holders: readonly SecretRef[];
  /** Secrets whose AWSCURRENT could not be read, with why: they may hold it too. */
  readonly unreadable: readonly (SecretRef & { readonly reason: string })[];
  /** Why ListSecrets itself failed (access denied): then nothing was checked. */
  readonly listFailed?: string;
}

/** How many GetSecretValue calls are in flight at once. */
const CONCURRENCY = 8;

/**
 * Lists every secret in the client's Region (ListSecrets, every page) and reads each one's
 * AWSCURRENT, to find those holding the v2 key with id `keyId` (its jti claim, whether
 * stored as a key file or as a bare key). `skipArn` (the secret being written) is left out.
 * Values read are remembered for redaction and never returned.
 */
export async function secretsHoldingKey(client: SecretsManagerClient, keyId: string, skipArn?: string): Promise<KeyHolders> {
  const region = await client.config.region();
  let secrets: SecretRef[];
  try {
    secrets = (await listEverySecret(client)).filter((s) => s.ARN !== skipArn).map((s) => ({ name: s.Name ?? s.ARN, arn: s.ARN }));
  } catch (error) {
    const name = errorName(error);
    if (name !== 'AccessDeniedException' && name !== 'AccessDenied') throw error;
    return { region, holders: [], unreadable: [], listFailed: `ListSecrets was denied (${error instanceof Error ? error.message : name})` };
  }

  const holders: SecretRef[] = [];
  const unreadable: (SecretRef & { reason: string })[] = [];
  await mapBounded(secrets, CONCURRENCY, async (secret) => {
    let value: string | undefined;
    try {
      value = (await client.send(new GetSecretValueCommand({ SecretId: secret.arn, VersionStage: 'AWSCURRENT' }))).SecretString;
    } catch (error) {
      // No AWSCURRENT value, or deleted since it was listed: it holds nothing.
      if (errorName(error) === 'ResourceNotFoundException') return;
      if (errorName(error) === 'InvalidRequestException' && /deletion/i.test(error instanceof Error ? error.message : '')) return;
      unreadable.push({ ...secret, reason: errorName(error) });
      return;
    }
    if (value !== undefined && keyIdHeldIn(value) === keyId) holders.push(secret);
  });
  const byName = (a: SecretRef, b: SecretRef) => a.name.localeCompare(b.name);
  return { region, holders: holders.sort(byName), unreadable: unreadable.sort(byName) };
}

/** The v2 key id (jti) a secret value holds: a key file's apiKey, or a bare key; undefined for anything else. */
export function keyIdHeldIn(secretString: string): string | undefined {
  rememberSecret(secretString);
  // A key file with a field in error (an endpoint with a port, say) still holds its key.
  const apiKey = apiKeyIn(secretString);
  const key = inspectApiKey(apiKey);
  if (key.kind !== 'v2') return undefined;
  rememberSecret(apiKey);
  return key.keyId;
}

/** Names of secrets for a message: all of them up to `max`, then how many more. */
export function secretNames(secrets: readonly SecretRef[], max = 5): string {
  const shown = secrets.slice(0, max).map((s) => s.name);
  return secrets.length > max ? `${shown.join(', ')} and ${secrets.length - max} more` : shown.join(', ');
}

/** The warning for secrets whose AWSCURRENT could not be read: they may hold key `keyId` too. */
export function unreadableWarning(scan: KeyHolders, keyId: string): string {
  const { unreadable, region } = scan;
  return (
    `Warning: could not read AWSCURRENT of ${unreadable.length} secret${unreadable.length === 1 ? '' : 's'} in ${region} ` +
    `(${unreadable.slice(0, 5).map((s) => `${s.name}: ${s.reason}`).join(', ')}${unreadable.length > 5 ? ', …' : ''}): ` +
    `if one of them holds key ${keyId}, its applications stop authenticating.`
  );
}
