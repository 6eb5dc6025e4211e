import { DescribeSecretCommand, GetSecretValueCommand, ListSecretsCommand, RotateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { inspectApiKey } from '../../momento/api-key.js';
import { rememberSecret } from '../../observability/redact.js';
import { fingerprint } from '../../observability/fingerprint.js';
import { replicasBehind } from '../../secrets-manager/secret-store.js';
import { KEY_FIELDS, parseKeyFile, parseLenientJson } from '../../secret/key-file.js';
import { CliError, errorName, explainAwsError } from '../errors.js';
import { inspectSecret } from '../inspect-secret.js';
import { explainKeyApiFailure, keyApiAccess, listKeys, type KeyApiAccess } from '../key-api.js';
import { keyIdsHeldIn, secretNames, secretsHoldingKey, secretValueText, unreadableText, type SecretRef } from '../key-holders.js';
import type { Output } from '../output.js';
import { awsFlagsText, revokeCommand, type AwsFlags } from './revoke.js';

export interface RotateOptions {
  readonly secretId: string;
  readonly wait: boolean;
  readonly timeoutSeconds: number;
  readonly pollMs?: number;
  /** Leak response: once AWSCURRENT has moved, revoke the key it held before, through this management secret. */
  readonly revokePreviousWith?: string;
  /** --region and --profile as given, for the revoke command printed when the leaked key was not revoked. */
  readonly aws?: AwsFlags;
  /** Where an interruption comes from (default: SIGINT and SIGTERM to this process). */
  readonly interrupts?: InterruptSource;
}

/** Calls `onInterrupt` when the operator interrupts; the returned function stops listening. */
export type InterruptSource = (onInterrupt: (signal: string) => void) => () => void;

export const processSignals: InterruptSource = (onInterrupt) => {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  // While listening, a signal no longer ends the process: the command ends itself, saying what it left undone.
  for (const signal of signals) process.on(signal, onInterrupt);
  return () => {
    for (const signal of signals) process.off(signal, onInterrupt);
  };
};

/** The operator interrupted the command (Ctrl-C). */
class Interrupted extends Error {
  constructor(readonly signal: string) {
    super(`Interrupted (${signal})`);
  }
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
  if (options.revokePreviousWith === undefined) return follow(client, options, before.rotationFunction, io);
  const leaked = await readLeakedKey(client, secretId);
  // From here on, every way out other than a revocation says that the leaked key is still valid.
  const progress: LeakProgress = { rotationRequested: false, moved: false, revoking: false, revoked: false, interrupted: false };
  let interrupt: (signal: string) => void = () => undefined;
  const interruption = new Promise<never>((_, reject) => {
    interrupt = (signal) => reject(new Interrupted(signal));
  });
  interruption.catch(() => undefined); // observed through `untilInterrupted`
  const stopListening = (options.interrupts ?? processSignals)((signal) => {
    progress.interrupted = true;
    interrupt(signal);
  });
  const untilInterrupted = <T>(work: Promise<T>) => Promise.race([work, interruption]);
  try {
    const leak = await untilInterrupted(checkRevocation(client, secretId, options.revokePreviousWith, leaked));
    return await follow(client, options, before.rotationFunction, io, { leak, progress, untilInterrupted });
  } catch (error) {
    if (progress.revoked || error instanceof ManagementKeyRefusal) throw error;
    throw new CliError(`${failureText(error, secretId)}\n${notRevoked(leaked, secretId, options, progress)}`);
  } finally {
    stopListening();
  }
}

/** How far a leak response got: whether AWSCURRENT moved off the leaked key, and whether it was revoked. */
interface LeakProgress {
  /** RotateSecret was sent: from then on the rotation may complete, whatever this command sees. */
  rotationRequested: boolean;
  moved: boolean;
  /**
   * Why the key was not revoked although AWSCURRENT moved: other secrets hold it (named); it is not
   * known whether one does (ListSecrets denied, a secret unreadable, the checks cut short); a
   * replica is behind; or AWSCURRENT holds it again.
   */
  blocked?: { readonly by: 'held'; readonly holders: readonly SecretRef[] } | { readonly by: 'unknown' | 'replica' | 'again' };
  revoking: boolean;
  revoked: boolean;
  interrupted: boolean;
}

/** A refusal to revoke the management key: the leaked key is not revoked, on purpose, and no revoke command would do it. */
class ManagementKeyRefusal extends CliError {}

interface LeakResponse {
  readonly leak: LeakedKey;
  readonly progress: LeakProgress;
  /** The work, or an Interrupted rejection as soon as the operator interrupts. */
  readonly untilInterrupted: <T>(work: Promise<T>) => Promise<T>;
}

/** Starts the rotation and follows it; with a leak response, revokes the leaked key once AWSCURRENT has moved. */
async function follow(client: SecretsManagerClient, options: RotateOptions, rotationFunction: string, io: Output, leakResponse?: LeakResponse) {
  const { secretId } = options;
  const guard = leakResponse?.untilInterrupted ?? (<T>(work: Promise<T>) => work);
  let token: string;
  try {
    // Naming the secret's own rotation function changes nothing on AWS, and makes moto (the
    // test stand-in) stage AWSPENDING as AWS does rather than copy the value itself.
    if (leakResponse) leakResponse.progress.rotationRequested = true;
    const started = await guard(client.send(new RotateSecretCommand({ SecretId: secretId, RotationLambdaARN: rotationFunction })));
    token = started.VersionId!;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (errorName(error) === 'InvalidRequestException') {
      throw new CliError(
        `Secrets Manager would not start a rotation: ${message}\n` +
          (/previous rotation/i.test(message)
            ? `A rotation is stuck: see \`momento-secret-rotation status --secret-id ${secretId}${awsFlagsText(options.aws ?? {})}\` and \`repair\`.`
            : 'Is rotation configured for this secret? Deploy the SAM application first.'),
      );
    }
    throw error;
  }
  io.out(`Rotation started: new version ${token}.`);
  if (!options.wait) {
    io.out(`Not waiting. Follow it with: momento-secret-rotation status --secret-id ${secretId}${awsFlagsText(options.aws ?? {})}`);
    return { token, outcome: 'started' as const };
  }

  const deadline = Date.now() + options.timeoutSeconds * 1000;
  let last = '';
  try {
    for (;;) {
      const state = await guard(versionState(client, secretId, token));
      if (state.label !== last) {
        io.out(`  ${new Date().toISOString()}  ${state.label}`);
        last = state.label;
      }
      if (state.phase === 'done') {
        io.out(
          state.superseded
            ? `Done: version ${token} (key ${state.keyFingerprint ?? '?'}) was promoted to AWSCURRENT, and a later rotation has since replaced it.`
            : `Done: AWSCURRENT is now version ${token} (key ${state.keyFingerprint ?? '?'}).`,
        );
        if (leakResponse) await revokeLeaked(client, secretId, leakResponse, io);
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
      await guard(sleep(options.pollMs ?? 2_000));
    }
  } catch (error) {
    if (error instanceof Interrupted && !leakResponse?.progress.moved) {
      throw new CliError(
        `${error.message}: stopped following the rotation to version ${token}, which goes on without this command. ` +
          `Follow it with: momento-secret-rotation status --secret-id ${secretId}${awsFlagsText(options.aws ?? {})}`,
      );
    }
    throw error;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What went wrong, in words, for an error that is not yet a CliError. */
function failureText(error: unknown, secretId: string): string {
  if (error instanceof CliError) return error.message;
  if (error instanceof Interrupted) return `${error.message}.`;
  const known = explainAwsError(error, secretId);
  if (known) return known.message;
  return `${error instanceof Error ? error.name : 'Error'}: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * The leaked key is still valid: says so, and how to revoke it. While AWSCURRENT still holds
 * it, revoking it stops the secret's applications, so the command comes with that warning.
 */
function notRevoked(leak: LeakedIdentity, secretId: string, options: RotateOptions, progress: LeakProgress): string {
  const interrupted = progress.interrupted;
  const command = revokeCommand(leak.keyId, options.revokePreviousWith!, options.aws);
  const flags = awsFlagsText(options.aws ?? {});
  const describe = `aws secretsmanager describe-secret --secret-id ${secretId}${flags}`;
  const key = `the leaked key (${leak.fingerprint})`;
  if (progress.revoking) {
    return (
      `Key ${leak.keyId} was NOT revoked, as far as this command knows: it was ${interrupted ? 'interrupted' : 'stopped'} while asking Momento to ` +
      `revoke ${key}. AWSCURRENT of ${secretId} has moved to a new key, so nothing here needs it: revoke it with:\n  ${command}\n` +
      '(If the revocation went through, that command says the key is already revoked.)'
    );
  }
  const moved = `Key ${leak.keyId} was NOT revoked: it is ${key}, and still valid. AWSCURRENT of ${secretId} has moved to a new key, but`;
  switch (progress.blocked?.by) {
    case 'held': {
      const holders = progress.blocked.holders;
      const one = holders.length === 1;
      return (
        `${moved} AWSCURRENT of ${secretNames(holders)} still holds it. Move ${one ? 'that secret' : 'each of them'} off it first: store a new key in it ` +
        `(for a key file the rotation function rotates, momento-secret-rotation rotate --secret-id ${holders[0]!.name}${flags} does that), then revoke it with:\n` +
        `  ${command}\n` +
        "That command refuses the key while AWSCURRENT of any secret in the Region holds it."
      );
    }
    case 'unknown':
      return (
        `${moved} whether another secret, or a replica of this one, still holds it is not known (see above). Once it can be checked, revoke it with:\n` +
        `  ${command}\n` +
        `That command checks the Region's secrets again, not replicas: if ${secretId} has any, first see that each is InSync (${describe}).`
      );
    case 'replica':
      return `${moved} a replica is not InSync (see above). Once every replica is InSync (${describe}), revoke it with:\n  ${command}`;
    case 'again':
      return (
        `Key ${leak.keyId} was NOT revoked: it is ${key}, and still valid, and AWSCURRENT of ${secretId} holds it again (put back after the rotation moved it). ` +
        `Move the secret off it: store a new key in it (for a key file, momento-secret-rotation rotate --secret-id ${secretId}${flags} does that), then revoke it with:\n  ${command}`
      );
    default:
      break;
  }
  if (progress.moved) {
    return `Key ${leak.keyId} was NOT revoked: it is ${key}, and still valid. AWSCURRENT of ${secretId} has moved to a new key, so nothing here needs it: revoke it now with:\n  ${command}`;
  }
  // Once RotateSecret was sent the rotation may complete after this command stops: running the
  // command again would then take the new key for the leaked one, so it says to look first.
  const mayComplete = progress.rotationRequested;
  return (
    `Key ${leak.keyId} was NOT revoked: it is ${key}, and still valid. AWSCURRENT of ${secretId} still holds it` +
    `${mayComplete ? ' (unless the rotation has completed since)' : ''}, so revoking it now stops every application reading the secret. ` +
    (mayComplete
      ? `See where it stands: momento-secret-rotation status --secret-id ${secretId}${flags}. While AWSCURRENT still holds key ${leak.keyId}, ` +
        'fix what is said above and run this command again; once AWSCURRENT has moved to a new key, do not (it would take the new key for the leaked one): revoke it with:\n'
      : 'Fix what is said above and run this command again, or, once AWSCURRENT has moved to a new key, revoke it with:\n') +
    `  ${command}\n` +
    'That command refuses a key an AWSCURRENT holds; add --force to revoke it at once anyway (the applications then fail until the secret rotates).'
  );
}

/**
 * Where the rotation to version `token` stands. DescribeSecret then GetSecretValue is two reads:
 * AWSPENDING can leave the version between them (an operator, or the service abandoning the
 * rotation). GetSecretValue with a VersionId and a VersionStage that no longer agree fails with
 * InvalidRequestException ("You provided a VersionStage that is not associated to the provided
 * VersionId": AWS's answer, as moto reproduces it since getmoto/moto#5238, checked there against
 * the AWS CLI), so that answer means "read again", not "fail".
 */
export async function versionState(client: SecretsManagerClient, secretId: string, token: string) {
  for (let attempt = 1; ; attempt++) {
    const described = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
    const stages = described.VersionIdsToStages?.[token] ?? [];
    // AWSPREVIOUS: promoted, then replaced by a later rotation before this poll (Secrets Manager
    // moves AWSPREVIOUS only onto the version that held AWSCURRENT).
    if (stages.includes('AWSCURRENT') || stages.includes('AWSPREVIOUS')) {
      const superseded = !stages.includes('AWSCURRENT');
      const value = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: token }));
      const parsed = parseKeyFile(value.SecretString ?? '');
      return {
        phase: 'done' as const,
        superseded,
        label: superseded ? 'promoted to AWSCURRENT, and since replaced by a later rotation (now AWSPREVIOUS)' : 'promoted to AWSCURRENT',
        keyFingerprint: parsed.ok ? fingerprint(parsed.file.apiKey) : undefined,
      };
    }
    if (!stages.includes('AWSPENDING')) return { phase: 'abandoned' as const, label: 'AWSPENDING removed without promotion' };
    try {
      await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: token, VersionStage: 'AWSPENDING' }));
      return { phase: 'created' as const, label: 'new key stored as AWSPENDING; testing and promoting' };
    } catch (error) {
      const name = errorName(error);
      if (name === 'ResourceNotFoundException') {
        return { phase: 'started' as const, label: 'waiting for createSecret to refresh and store the new key' };
      }
      // The label moved between the two reads: read again (a few times: it cannot keep moving for long).
      if (name === 'InvalidRequestException' && attempt < 3) continue;
      throw error;
    }
  }
}

/** The leaked key: the v2 key AWSCURRENT holds now, by its id (jti). */
interface LeakedIdentity {
  readonly keyId: string;
  readonly fingerprint: string;
}

/** The key to revoke once AWSCURRENT has moved, and the access that revokes it. */
interface LeakedKey extends LeakedIdentity {
  readonly access: KeyApiAccess;
}

/** The key AWSCURRENT holds now must be a v2 key with a key id. */
async function readLeakedKey(client: SecretsManagerClient, secretId: string): Promise<LeakedIdentity> {
  const current = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }));
  rememberSecret(current.SecretString);
  const parsed = parseKeyFile(current.SecretString ?? '');
  if (!parsed.ok) throw new CliError(`AWSCURRENT of ${secretId} holds no key file (${parsed.problem}); nothing to revoke.`);
  rememberSecret(parsed.file.apiKey);
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
  // A rotation keeps a key file's other fields: a second copy of the key in one would stay in
  // AWSCURRENT, and the key could never be revoked.
  const fields = parseLenientJson(current.SecretString!) as Record<string, unknown>;
  const copies = Object.keys(fields).filter((field) => !(KEY_FIELDS as readonly string[]).includes(field) && keyIdsHeldIn(JSON.stringify(fields[field])).has(parsed.file.keyId!));
  if (copies.length > 0) {
    throw new CliError(
      `AWSCURRENT of ${secretId} holds the key also in ${copies.map((f) => `"${f}"`).join(', ')}, which a rotation keeps, so the new version would still hold it: ` +
        'nothing was rotated. Store the value without that field (aws secretsmanager put-secret-value), then run this again.',
    );
  }
  return { keyId: parsed.file.keyId, fingerprint: fingerprint(parsed.file.apiKey) };
}

/** The leaked key is not the management key, and the management key works. */
async function checkRevocation(client: SecretsManagerClient, secretId: string, managementSecretId: string, leaked: LeakedIdentity): Promise<LeakedKey> {
  const access = await keyApiAccess(client, managementSecretId);
  if (access.managementKeyId === undefined) {
    throw new ManagementKeyRefusal(
      `Key ${leaked.keyId} was NOT revoked, and nothing was rotated: the management key in ${managementSecretId} carries no key id (jti claim), ` +
        'so the leaked key cannot be told apart from it. Store a management key with a key id and run this again, ' +
        'or rotate without --revoke-previous and revoke the leaked key in the Momento console.',
    );
  }
  if (leaked.keyId === access.managementKeyId) {
    throw new ManagementKeyRefusal(
      `Key ${leaked.keyId} was NOT revoked, and nothing was rotated: AWSCURRENT of ${secretId} holds the management key itself, and revoking it would stop every rotation. ` +
        'Revoke it in the console after storing a new management key.',
    );
  }
  // Proves the management key before anything changes: a key it cannot list, it cannot revoke.
  await listKeys(access, 'use the management key (nothing was rotated)');
  // Before revoking, every secret in the Region is checked for the key (revokeLeaked): without
  // ListSecrets that cannot be done, so it is known now, before anything changes.
  try {
    await client.send(new ListSecretsCommand({ MaxResults: 1 }));
  } catch (error) {
    if (errorName(error) !== 'AccessDeniedException') throw error;
    throw new CliError(
      `Could not list the secrets of the Region (${error instanceof Error ? error.message : 'AccessDeniedException'}), so it cannot check that no other secret ` +
        `holds the leaked key before revoking it: nothing was rotated. Grant secretsmanager:ListSecrets (and GetSecretValue on the secrets), ` +
        'or rotate without --revoke-previous, then revoke the key with revoke --force once you know no other secret holds it.',
    );
  }
  return { ...leaked, access };
}

/**
 * Revokes the leaked key (AWSCURRENT's before the rotation) once nothing holds it: not AWSCURRENT
 * of this secret (read again last, just before revoking), nor of any other secret in the Region,
 * nor a replica behind. When in doubt it keeps the key, and the way out says why.
 */
async function revokeLeaked(client: SecretsManagerClient, secretId: string, { leak, progress, untilInterrupted }: LeakResponse, io: Output) {
  const current = async () => {
    const now = await untilInterrupted(client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' })));
    const value = secretValueText(now);
    rememberSecret(value);
    return { arn: now.ARN, holdsLeakedKey: keyIdsHeldIn(value ?? '').has(leak.keyId) };
  };
  // The rotation promoted a new version: until a check below says otherwise, a way out (an AWS
  // error, Ctrl-C) says AWSCURRENT moved and that whether the key is still held is not known.
  progress.moved = true;
  progress.blocked = { by: 'unknown' };
  // AWSCURRENT as it is now (a later rotation may have moved it past `token`), not as it was.
  const promoted = await current();
  if (promoted.holdsLeakedKey) {
    progress.moved = false;
    progress.blocked = undefined;
    throw new CliError(`The new AWSCURRENT holds the same key (key id ${leak.keyId}). Rotate again.`);
  }
  // Another secret may hold the same key (import --shared-key, a value copied by hand): revoking it
  // would stop that secret's applications. When in doubt (ListSecrets denied, a secret unreadable), keep it.
  const scan = await untilInterrupted(secretsHoldingKey(client, leak.keyId, promoted.arn));
  if (scan.holders.length > 0) {
    progress.blocked = { by: 'held', holders: scan.holders };
    const one = scan.holders.length === 1;
    throw new CliError(
      `AWSCURRENT of ${one ? 'secret' : 'secrets'} ${secretNames(scan.holders)} ${one ? 'holds' : 'hold'} the leaked key too (key id ${leak.keyId}): ` +
        `revoking it would stop every application reading ${one ? 'that secret' : 'them'} from authenticating.`,
    );
  }
  if (scan.listFailed !== undefined) {
    throw new CliError(`Could not check which other secrets in ${scan.region} hold key ${leak.keyId}: ${scan.listFailed}. It takes secretsmanager:ListSecrets, and GetSecretValue on the secrets.`);
  }
  if (scan.unreadable.length > 0) {
    throw new CliError(
      `Could not check that no other secret holds key ${leak.keyId}: ${unreadableText(scan)}. Access denied or a KMS error (the reason names it) ` +
        `needs GetSecretValue and kms:Decrypt on every secret in ${scan.region}; other reasons (throttling, expired credentials) need only another run.`,
    );
  }
  // A replica Region still serving the leaked key (catching up, or failed) would stop its
  // applications: as the function does (mint-v2.ts), nothing is revoked until every replica is InSync.
  const described = await untilInterrupted(client.send(new DescribeSecretCommand({ SecretId: secretId })));
  const behind = replicasBehind(described);
  if (behind.length > 0) {
    progress.blocked = { by: 'replica' };
    throw new CliError(
      `The replica of ${secretId} in ${behind.map((r) => `${r.Region ?? '?'} (${r.Status ?? 'no status'}${r.StatusMessage ? `: ${r.StatusMessage}` : ''})`).join(', ')} ` +
        'is not InSync: its applications may still read the leaked key, and would stop authenticating.',
    );
  }
  // Last, just before revoking: this secret's AWSCURRENT again (an operator moving it back, a value put back by hand).
  if ((await current()).holdsLeakedKey) {
    progress.blocked = { by: 'again' };
    throw new CliError(`AWSCURRENT of ${secretId} holds the leaked key again (key id ${leak.keyId}).`);
  }
  progress.blocked = undefined;
  progress.revoking = true;
  let outcome: 'revoked' | 'not-found';
  try {
    outcome = await untilInterrupted(leak.access.api.revoke(leak.access.managementKey, leak.keyId, Date.now() + 60_000));
  } catch (error) {
    if (error instanceof Interrupted) throw error;
    // Momento answered no (a 4xx): not revoked. No answer, or 5xx after retries ('unavailable'): may have been.
    if ((error as { failure?: string }).failure !== 'unavailable') progress.revoking = false;
    throw explainKeyApiFailure(error, `revoke key ${leak.keyId} (${leak.fingerprint}, now AWSPREVIOUS; AWSCURRENT moved to a new key)`);
  }
  progress.revoking = false;
  progress.revoked = true;
  io.out(
    outcome === 'revoked'
      ? `Revoked key ${leak.keyId} (${leak.fingerprint}), the key AWSCURRENT held before: it no longer authenticates. Applications using momento-secret-rotation/client move to the new key on their next call.`
      : `Key ${leak.keyId} (${leak.fingerprint}) was already revoked or expired at Momento.`,
  );
}
