import { DescribeSecretCommand, GetSecretValueCommand, RotateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { inspectApiKey } from '../../momento/api-key.js';
import { fingerprint } from '../../observability/fingerprint.js';
import { parseKeyFile } from '../../secret/key-file.js';
import { CliError } from '../errors.js';
import { inspectSecret } from '../inspect-secret.js';
import { explainKeyApiFailure, keyApiAccess, listKeys, type KeyApiAccess } from '../key-api.js';
import type { Output } from '../output.js';

export interface RotateOptions {
  readonly secretId: string;
  readonly wait: boolean;
  readonly timeoutSeconds: number;
  readonly pollMs?: number;
  /** Leak response: once AWSCURRENT has moved, revoke the key it held before, through this management secret. */
  readonly revokePreviousWith?: string;
}

/**
 * Starts a rotation and, unless told not to wait, follows it until AWSCURRENT moves to
 * the new version. Secrets Manager runs the steps; what can be seen from outside is the
 * new version appearing, getting a value (createSecret done), and becoming AWSCURRENT.
 */
export async function rotate(client: SecretsManagerClient, options: RotateOptions, io: Output) {
  const { secretId } = options;
  // Checked here, before RotateSecret: the answers are clearer than the service's.
  const before = await inspectSecret(client, secretId);
  if (!before.rotationFunction) {
    throw new CliError(
      `Rotation is not configured for ${before.name}: it has no rotation function. Deploy the SAM application ` +
        '(sam deploy) with this secret\'s ARN as SecretArn, then rotate.',
    );
  }
  if (before.pendingVersionId !== undefined) {
    throw new CliError(
      `A rotation is already in progress or stuck (AWSPENDING on version ${before.pendingVersionId}). ` +
        `Follow it with \`status\`; if it is stuck, clear it with: momento-secret-rotation repair --secret-id ${secretId}`,
    );
  }
  // Leak response: everything the revocation needs is checked before anything changes.
  let leak: LeakedKey | undefined;
  if (options.revokePreviousWith !== undefined) leak = await prepareRevocation(client, secretId, options.revokePreviousWith);
  let token: string;
  try {
    // Naming the secret's own rotation function changes nothing on AWS, and makes moto (the
    // test stand-in) stage AWSPENDING as AWS does rather than copy the value itself.
    const started = await client.send(new RotateSecretCommand({ SecretId: secretId, RotationLambdaARN: before.rotationFunction }));
    token = started.VersionId!;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if ((error as { name?: string }).name === 'InvalidRequestException') {
      throw new CliError(
        `Secrets Manager would not start a rotation: ${message}\n` +
          (/previous rotation/i.test(message)
            ? `A rotation is stuck: see \`momento-secret-rotation status --secret-id ${secretId}\` and \`repair\`.`
            : 'Is rotation configured for this secret? Deploy the SAM application first.'),
      );
    }
    throw error;
  }
  io.out(`Rotation started: new version ${token}.`);
  if (!options.wait) {
    io.out(`Not waiting. Follow it with: momento-secret-rotation status --secret-id ${secretId}`);
    return { token, outcome: 'started' as const };
  }

  const deadline = Date.now() + options.timeoutSeconds * 1000;
  let last = '';
  for (;;) {
    const state = await versionState(client, secretId, token);
    if (state.label !== last) {
      io.out(`  ${new Date().toISOString()}  ${state.label}`);
      last = state.label;
    }
    if (state.phase === 'done') {
      io.out(`Done: AWSCURRENT is now version ${token} (key ${state.keyFingerprint ?? '?'}).`);
      if (leak) await revokeLeaked(client, secretId, token, leak, io);
      return { token, outcome: 'rotated' as const };
    }
    if (state.phase === 'abandoned') {
      throw new CliError(
        `The rotation ended without promoting version ${token}: AWSCURRENT is unchanged and still works. ` +
          "Look for the failed step in the rotation function's logs (each failure says what to do), then rotate again.",
      );
    }
    if (Date.now() >= deadline) {
      throw new CliError(
        `Gave up waiting after ${options.timeoutSeconds} s: ${state.label}. AWSCURRENT is unchanged. ` +
          `${state.phase === 'created' ? 'createSecret stored the new key; testSecret or finishSecret has not completed.' : 'createSecret has not stored a new key yet.'} ` +
          "Secrets Manager keeps retrying; check the rotation function's logs, and `status` for a stuck rotation.",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 2_000));
  }
}

async function versionState(client: SecretsManagerClient, secretId: string, token: string) {
  const described = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
  const stages = described.VersionIdsToStages?.[token] ?? [];
  if (stages.includes('AWSCURRENT')) {
    const value = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: token }));
    const parsed = parseKeyFile(value.SecretString ?? '');
    return { phase: 'done' as const, label: 'promoted to AWSCURRENT', keyFingerprint: parsed.ok ? fingerprint(parsed.file.apiKey) : undefined };
  }
  if (!stages.includes('AWSPENDING')) return { phase: 'abandoned' as const, label: 'AWSPENDING removed without promotion' };
  try {
    await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: token, VersionStage: 'AWSPENDING' }));
    return { phase: 'created' as const, label: 'new key stored as AWSPENDING; testing and promoting' };
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
    return { phase: 'started' as const, label: 'waiting for createSecret to refresh and store the new key' };
  }
}

/** The key to revoke once AWSCURRENT has moved, and the access that revokes it. */
interface LeakedKey {
  readonly access: KeyApiAccess;
  readonly keyId: string;
  readonly fingerprint: string;
}

/** The key AWSCURRENT holds now must be a v2 key with a key id, and the management key must work. */
async function prepareRevocation(client: SecretsManagerClient, secretId: string, managementSecretId: string): Promise<LeakedKey> {
  const current = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }));
  const parsed = parseKeyFile(current.SecretString ?? '');
  if (!parsed.ok) throw new CliError(`AWSCURRENT of ${secretId} holds no key file (${parsed.problem}); nothing to revoke.`);
  const kind = inspectApiKey(parsed.file.apiKey).kind;
  if (kind !== 'v2') {
    const until = parsed.file.validUntil ? new Date(parsed.file.validUntil * 1000).toISOString() : 'its expiry';
    throw new CliError(
      `AWSCURRENT of ${secretId} holds a ${kind} key, and Momento cannot revoke ${kind} keys: a leaked one stays valid until ` +
        `${until}. Rotate (without --revoke-previous) so that applications move to a new key, and create a v2 key in the ` +
        'Momento console to replace it; migrating the secret to v2 keys makes revocation possible from then on.',
    );
  }
  if (parsed.file.keyId === undefined) {
    throw new CliError(
      `The AWSCURRENT key of ${secretId} carries no key id (its jti claim), so it cannot be revoked by id: ` +
        'rotate without --revoke-previous, then revoke the old key in the Momento console.',
    );
  }
  const access = await keyApiAccess(client, managementSecretId);
  if (parsed.file.keyId === access.managementKeyId) {
    throw new CliError(`AWSCURRENT of ${secretId} holds the management key itself (key id ${parsed.file.keyId}): revoking it would stop every rotation. Revoke it in the console after storing a new management key.`);
  }
  // Proves the management key before anything changes: a key it cannot list, it cannot revoke.
  await listKeys(access, 'use the management key (nothing was rotated)');
  return { access, keyId: parsed.file.keyId, fingerprint: fingerprint(parsed.file.apiKey) };
}

/** Revokes the key that was AWSCURRENT before `token`, never the one AWSCURRENT holds now. */
async function revokeLeaked(client: SecretsManagerClient, secretId: string, token: string, leak: LeakedKey, io: Output) {
  const now = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: token }));
  const promoted = parseKeyFile(now.SecretString ?? '');
  if (promoted.ok && promoted.file.keyId === leak.keyId) {
    throw new CliError(`The new AWSCURRENT holds the same key (key id ${leak.keyId}); it was not revoked. Rotate again.`);
  }
  let outcome: 'revoked' | 'not-found';
  try {
    outcome = await leak.access.api.revoke(leak.access.managementKey, leak.keyId, Date.now() + 60_000);
  } catch (error) {
    throw explainKeyApiFailure(
      error,
      `revoke key ${leak.keyId} (${leak.fingerprint}, now AWSPREVIOUS; AWSCURRENT moved to a new key). Revoke it in the Momento console`,
    );
  }
  io.out(
    outcome === 'revoked'
      ? `Revoked key ${leak.keyId} (${leak.fingerprint}), the key AWSCURRENT held before: it no longer authenticates. Applications using momento-secret-rotation/client move to the new key on their next call.`
      : `Key ${leak.keyId} (${leak.fingerprint}) was already revoked or expired at Momento.`,
  );
}
