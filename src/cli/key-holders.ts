import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { inspectApiKey } from '../momento/api-key.js';
import { listEverySecret, mapBounded } from './list-secrets.js';
import { errorName } from './errors.js';

/** A secret, named for people and by ARN. */
export interface SecretRef {
  readonly name: string;
  readonly arn: string;
}

/**
 * Which secrets of a Region hold a v2 key in AWSCURRENT, as far as the caller may read them.
 * ListSecrets is eventually consistent: it "might not reflect changes from the last five minutes"
 * (Secrets Manager API Reference, ListSecrets), so a secret created moments ago can be missing.
 */
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
 * AWSCURRENT, to find those holding the v2 key with id `keyId` (its jti claim, in any shape:
 * keyIdsHeldIn). `skipArn` (the secret being written) is left out.
 * Values read are never returned.
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
      value = secretValueText(await client.send(new GetSecretValueCommand({ SecretId: secret.arn, VersionStage: 'AWSCURRENT' })));
    } catch (error) {
      // No AWSCURRENT value, or deleted since it was listed: it holds nothing.
      if (errorName(error) === 'ResourceNotFoundException') return;
      if (errorName(error) === 'InvalidRequestException' && /deletion/i.test(error instanceof Error ? error.message : '')) return;
      unreadable.push({ ...secret, reason: errorName(error) });
      return;
    }
    if (value !== undefined && keyIdsHeldIn(value).has(keyId)) holders.push(secret);
  });
  const byName = (a: SecretRef, b: SecretRef) => a.name.localeCompare(b.name);
  return { region, holders: holders.sort(byName), unreadable: unreadable.sort(byName) };
}

/**
 * The ids (jti) of the v2 keys a secret value holds, in whatever shape: a key file, a bare key,
 * and also a key under another JSON field (the console's key/value form), in text
 * (`MOMENTO_API_KEY=...`), or in base64 text (a key file stored encoded, as Kubernetes manifests
 * do), since a value copied by hand is still the key. Every run of key-like text (letters,
 * digits, `_`, `-`, `.`) is split on its dots, and each three consecutive parts that read as a
 * v2 key count; a long base64 run is decoded once and read the same way.
 *
 * Nothing read here is remembered for redaction: the scan prints none of it, and remembering
 * every value in a Region would push the keys this process holds out of the bounded list
 * (observability/redact.ts) and scrub ordinary text (a Region name) out of printed commands.
 */
export function keyIdsHeldIn(secretValue: string): Set<string> {
  const ids = new Set<string>();
  readKeys(secretValue, ids);
  for (const run of secretValue.match(/[A-Za-z0-9+/]{64,}={0,2}/g) ?? []) readKeys(Buffer.from(run, 'base64').toString('utf8'), ids);
  return ids;
}

function readKeys(text: string, ids: Set<string>): void {
  for (const run of text.split(/[^A-Za-z0-9_.-]+/)) {
    const parts = run.split('.');
    for (let i = 0; i + 3 <= parts.length; i++) {
      // A v2 key's header and claims are never empty: this keeps a run of dots from costing a parse each.
      if (parts[i] === '' || parts[i + 1] === '') continue;
      const key = inspectApiKey(parts.slice(i, i + 3).join('.'));
      if (key.kind === 'v2' && key.keyId !== undefined) ids.add(key.keyId);
    }
  }
}

/**
 * A secret value as text: SecretString, or SecretBinary read as UTF-8, and also as UTF-16 when
 * it holds NUL bytes (text saved by Windows PowerShell 5, then stored with `fileb://`).
 */
export function secretValueText(answer: { SecretString?: string | undefined; SecretBinary?: Uint8Array | undefined }): string | undefined {
  if (answer.SecretString !== undefined) return answer.SecretString;
  if (answer.SecretBinary === undefined) return undefined;
  const bytes = Buffer.from(answer.SecretBinary);
  return bytes.includes(0) ? `${bytes.toString('utf8')}\n${bytes.toString('utf16le')}` : bytes.toString('utf8');
}

/** Names of secrets for a message: all of them up to `max`, then how many more. */
export function secretNames(secrets: readonly SecretRef[], max = 5): string {
  const shown = secrets.slice(0, max).map((s) => s.name);
  return secrets.length > max ? `${shown.join(', ')} and ${secrets.length - max} more` : shown.join(', ');
}

/** Which secrets' AWSCURRENT could not be read, and why: they may hold the key too. */
export function unreadableText({ unreadable, region }: KeyHolders): string {
  return (
    `AWSCURRENT of ${unreadable.length} secret${unreadable.length === 1 ? '' : 's'} in ${region} could not be read ` +
    `(${unreadable.slice(0, 5).map((s) => `${s.name}: ${s.reason}`).join(', ')}${unreadable.length > 5 ? ', …' : ''})`
  );
}
