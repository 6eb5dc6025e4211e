import { UpdateSecretVersionStageCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CliError } from '../errors.js';
import { inspectSecret } from '../inspect-secret.js';
import type { Output } from '../output.js';

/** A pending version younger than this may belong to a rotation that is still running. */
const RECENT_MS = 15 * 60 * 1000;

/**
 * Finds a stuck rotation (AWSPENDING on a version other than AWSCURRENT's), explains it,
 * and with `yes` removes the stray label, leaving automatic rotation on (which
 * CancelRotateSecret would turn off).
 */
export async function repair(
  client: SecretsManagerClient,
  options: { secretId: string; yes: boolean; force: boolean },
  io: Output,
  now = Date.now(),
) {
  const report = await inspectSecret(client, options.secretId, now);
  const pendingId = report.pendingVersionId;
  if (pendingId === undefined) {
    io.out(`No stuck rotation: AWSPENDING is not on a version other than AWSCURRENT's. Nothing to repair.`);
    return { outcome: 'nothing-to-repair' as const };
  }
  const pending = report.versions.find((v) => v.versionId === pendingId)!;
  const ageMs = pending.created ? now - Date.parse(pending.created) : undefined;
  io.out(`Stuck rotation: version ${pendingId} holds AWSPENDING, but AWSCURRENT is on ${report.currentVersionId ?? 'no version'}.`);
  io.out(`  created ${pending.created ?? 'at an unknown time'}${ageMs === undefined ? '' : ` (${Math.round(ageMs / 60_000)} minutes ago)`}`);
  io.out(
    pending.holds === 'no-value'
      ? '  It has no value: createSecret never stored a key for it.'
      : `  It holds ${pending.fingerprint ? `key ${pending.fingerprint}` : 'a value'}: createSecret stored a refreshed key, but the rotation never promoted it.`,
  );
  io.out('  While it is there, Secrets Manager refuses new rotations ("A previous rotation isn\'t complete").');
  if (pending.holds === 'key-file') {
    io.out(
      `  Removing the label keeps that version (get-secret-value --version-id ${pendingId}). If the next rotation fails with ` +
        'RefreshRejectedError, its refresh used up the current refresh token: import that version\'s value instead.',
    );
  }
  if (!options.yes) {
    io.out(`Run again with --yes to remove AWSPENDING from version ${pendingId}. Automatic rotation stays on.`);
    return { outcome: 'explained' as const, pendingVersionId: pendingId };
  }
  if (ageMs !== undefined && ageMs < RECENT_MS && !options.force) {
    throw new CliError(
      `Version ${pendingId} is only ${Math.round(ageMs / 60_000)} minutes old: a rotation may still be running. ` +
        'Wait for it (status), or pass --force to remove the label anyway.',
    );
  }
  await client.send(
    new UpdateSecretVersionStageCommand({ SecretId: report.arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: pendingId }),
  );
  io.out(`Removed AWSPENDING from version ${pendingId}. Rotation can run again; automatic rotation is ${report.rotationEnabled ? 'still on' : 'off (it was before)'}.`);
  return { outcome: 'repaired' as const, pendingVersionId: pendingId };
}
