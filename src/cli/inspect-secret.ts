import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  type DescribeSecretCommandOutput,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { describeStoredValue, type VersionReport } from '../secret/stored-value.js';

export { describeStoredValue, type VersionReport };

export interface SecretReport {
  readonly arn: string;
  readonly name: string;
  readonly rotationEnabled: boolean;
  readonly rotationFunction: string | undefined;
  readonly schedule: string | undefined;
  readonly window: string | undefined;
  /** The secret's KMS key as DescribeSecret names it (ARN, id or alias); undefined for aws/secretsmanager. */
  readonly kmsKeyId?: string;
  readonly lastRotated: string | undefined;
  readonly nextRotation: string | undefined;
  readonly versions: readonly VersionReport[];
  readonly currentVersionId: string | undefined;
  /** The version holding AWSPENDING while it is not AWSCURRENT's: a rotation in progress, or stuck. */
  readonly pendingVersionId: string | undefined;
  readonly warnings: readonly string[];
}

export async function inspectSecret(client: SecretsManagerClient, secretId: string, now = Date.now()): Promise<SecretReport> {
  const described = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
  const listed = await client.send(new ListSecretVersionIdsCommand({ SecretId: secretId, IncludeDeprecated: false }));
  const created = new Map((listed.Versions ?? []).map((v) => [v.VersionId ?? '', v.CreatedDate?.toISOString()]));

  const versions: VersionReport[] = [];
  for (const [versionId, stages] of Object.entries(described.VersionIdsToStages ?? {})) {
    if (stages.length === 0) continue; // deprecated; moto lists them, AWS does not
    versions.push(await describeVersion(client, secretId, versionId, stages, created.get(versionId), now));
  }
  const report = secretReportFrom(described, versions, secretId);
  return { ...report, warnings: warningsFor(report, now) };
}

/**
 * The report of a described secret with its versions, before warnings: what `status` shows and
 * `doctor` judges (doctor builds the versions without values when the caller may not read them).
 */
export function secretReportFrom(described: DescribeSecretCommandOutput, versions: readonly VersionReport[], secretId: string): Omit<SecretReport, 'warnings'> {
  const holder = (stage: string) => versions.find((v) => v.stages.includes(stage))?.versionId;
  const currentVersionId = holder('AWSCURRENT');
  const pending = holder('AWSPENDING');
  const rules = described.RotationRules;
  return {
    arn: described.ARN ?? secretId,
    name: described.Name ?? secretId,
    rotationEnabled: described.RotationEnabled === true,
    rotationFunction: described.RotationLambdaARN,
    schedule: rules?.ScheduleExpression ?? (rules?.AutomaticallyAfterDays ? `every ${rules.AutomaticallyAfterDays} days` : undefined),
    window: rules?.Duration,
    ...(described.KmsKeyId ? { kmsKeyId: described.KmsKeyId } : {}),
    lastRotated: described.LastRotatedDate?.toISOString(),
    nextRotation: described.NextRotationDate?.toISOString(),
    versions,
    currentVersionId,
    pendingVersionId: pending !== undefined && pending !== currentVersionId ? pending : undefined,
  };
}

async function describeVersion(
  client: SecretsManagerClient,
  secretId: string,
  versionId: string,
  stages: readonly string[],
  created: string | undefined,
  now: number,
): Promise<VersionReport> {
  const base = { versionId, stages: [...stages].sort(), created };
  let secretString: string | undefined;
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId }));
    secretString = out.SecretString;
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
  }
  return describeStoredValue(base, secretString, now);
}

function warningsFor(report: Omit<SecretReport, 'warnings'>, now: number): string[] {
  const warnings: string[] = [];
  const id = report.name;
  const current = report.versions.find((v) => v.versionId === report.currentVersionId);
  if (!report.rotationEnabled) {
    warnings.push('Automatic rotation is off for this secret: deploy the SAM application (or turn rotation on) to rotate it.');
  }
  if (report.pendingVersionId !== undefined) {
    warnings.push(
      `A rotation is in progress or stuck: AWSPENDING is on version ${report.pendingVersionId}, not on AWSCURRENT's. ` +
        `Secrets Manager refuses new rotations until it clears; if it does not, run: momento-secret-rotation repair --secret-id ${id}`,
    );
  }
  if (!current) {
    warnings.push('No version holds AWSCURRENT with a value: import a key with `momento-secret-rotation import`.');
    return warnings;
  }
  if (current.holds !== 'key-file' || current.rotatesBy === undefined) {
    warnings.push(
      current.kind === 'v2'
        ? `The AWSCURRENT key cannot be rotated (${current.problem}). Import the key again, which derives them: ` +
            `momento-secret-rotation import --secret-id ${id} --management-secret-id NAME`
        : `The AWSCURRENT key cannot be refreshed (${current.problem ?? 'not a key file'}). Store the JSON file the Momento ` +
            `console downloads with a new key: momento-secret-rotation import --file momento_token.info.json --secret-id ${id}`,
    );
  }
  if (current.kind === 'v2' && current.holds === 'key-file' && current.keyId === undefined) {
    warnings.push(
      'The AWSCURRENT key has no key id (its jti claim): it rotates, but it is never revoked by id. Once it leaves the secret, ' +
        'revoke it in the Momento console; while a version holds it, the function revokes no key of this secret.',
    );
  }
  for (const conflict of current.conflicts ?? []) warnings.push(`AWSCURRENT: ${conflict} Import the key again to store what the key says.`);
  if (current.daysLeft !== undefined && current.validUntil !== undefined) {
    if (Date.parse(current.validUntil) <= now) {
      warnings.push(
        `The AWSCURRENT key expired at ${current.validUntil}. Generate a new key in the Momento console and import it.`,
      );
    } else if (report.nextRotation !== undefined && Date.parse(current.validUntil) < Date.parse(report.nextRotation)) {
      warnings.push(
        `The AWSCURRENT key expires at ${current.validUntil}, before the next scheduled rotation (${report.nextRotation}). ` +
          `Rotate now (momento-secret-rotation rotate --secret-id ${id}) or shorten the schedule.`,
      );
    }
  }
  return warnings;
}

/** What Momento's key-management API says of a v2 secret's keys (status --management-secret-id). */
export interface MomentoKeysReport {
  /** Per version that holds a v2 key with a key id: whether Momento still accepts it. */
  readonly versions: readonly { versionId: string; stages: readonly string[]; keyId: string; validAtMomento: boolean }[];
  /** Keys minted for this secret that no version holds: the next rotation or expiry report revokes them. */
  readonly leftovers: readonly { keyId: string; roleId: string; mintedForVersion: string; expiresAt: string | undefined }[];
  /**
   * Keys that left this secret and are still valid: named as predecessor by a key minted for
   * this secret, held by no version, and not minted for this secret themselves (imported from
   * the console, or another secret's), so the function does not revoke them (imported keys
   * only with RevokeImportedKeys on).
   */
  readonly retiredNotRevoked: readonly RetiredKey[];
  /** AWSCURRENT's key is revoked or expired at Momento: applications cannot authenticate. */
  readonly currentRevoked: boolean;
}

/** A key that retired from a secret unrevoked. */
export interface RetiredKey {
  readonly keyId: string;
  /** The key minted for this secret whose description names it as its predecessor. */
  readonly namedBy: string;
  /** Minted for another secret (whose own rotation revokes it), rather than imported. */
  readonly mintedForAnotherSecret: boolean;
  readonly expiresAt: string | undefined;
}

/** A listed key's description, read as the rotation function writes it (parseMintedKeyDescription). */
export interface MintedBy {
  /** Minted for the secret in question (its tag), not another. */
  readonly forThisSecret: boolean;
  readonly versionId: string;
  readonly predecessorKeyId: string | undefined;
}

type ListedKey = { keyId: string; roleId: string; description: string; expiresAt: number | undefined };

export function momentoKeysReport(
  report: SecretReport,
  listed: readonly ListedKey[],
  mintedBy: (description: string) => MintedBy | undefined,
  now = Date.now(),
  managementKeyId?: string,
): MomentoKeysReport {
  const live = new Map(listed.filter((k) => k.expiresAt === undefined || k.expiresAt * 1000 > now).map((k) => [k.keyId, k]));
  const versions = report.versions
    .filter((v) => v.kind === 'v2' && v.keyId !== undefined)
    .map((v) => ({ versionId: v.versionId, stages: v.stages, keyId: v.keyId!, validAtMomento: live.has(v.keyId!) }));
  const stored = new Set(report.versions.map((v) => v.keyId).filter((id): id is string => id !== undefined));
  const leftovers = [...live.values()].flatMap((k) => {
    const owned = mintedBy(k.description);
    if (!owned?.forThisSecret || stored.has(k.keyId)) return [];
    return [{ keyId: k.keyId, roleId: k.roleId, mintedForVersion: owned.versionId, expiresAt: k.expiresAt === undefined ? undefined : new Date(k.expiresAt * 1000).toISOString() }];
  });
  const retiredNotRevoked = keysRetiredUnrevoked(listed, mintedBy, stored, managementKeyId, now);
  const current = versions.find((v) => v.stages.includes('AWSCURRENT'));
  return { versions, leftovers, retiredNotRevoked, currentRevoked: current !== undefined && !current.validAtMomento };
}

/**
 * Keys that retired from a secret and are still valid at Momento, which the rotation function
 * leaves alone: live, held by no labelled version (`held`), named as predecessor
 * (`after key <id>`) by a key minted for this secret, and not minted for this secret
 * themselves. Never the management key.
 */
export function keysRetiredUnrevoked(
  listed: readonly ListedKey[],
  mintedBy: (description: string) => MintedBy | undefined,
  held: ReadonlySet<string>,
  managementKeyId: string | undefined,
  now = Date.now(),
): RetiredKey[] {
  const live = new Map(listed.filter((k) => k.expiresAt === undefined || k.expiresAt * 1000 > now).map((k) => [k.keyId, k]));
  const retired = new Map<string, RetiredKey>();
  for (const namer of listed) {
    const description = mintedBy(namer.description);
    const named = description?.forThisSecret ? description.predecessorKeyId : undefined;
    if (named === undefined || held.has(named) || named === managementKeyId) continue;
    const key = live.get(named);
    if (key === undefined) continue; // revoked or expired: nothing to do
    const itself = mintedBy(key.description);
    if (itself?.forThisSecret) continue; // the function's own: a leftover, which it revokes
    // Prefer a namer a version holds (the successor that replaced it) over an orphan's description.
    if (retired.has(named) && !held.has(namer.keyId)) continue;
    retired.set(named, {
      keyId: named,
      namedBy: namer.keyId,
      mintedForAnotherSecret: itself !== undefined,
      expiresAt: key.expiresAt === undefined ? undefined : new Date(key.expiresAt * 1000).toISOString(),
    });
  }
  return [...retired.values()];
}
