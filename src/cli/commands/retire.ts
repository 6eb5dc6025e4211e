import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { KeyInfo, KeyManagementApi } from '../../momento/key-management.js';
import { logger } from '../../observability/logger.js';
import { liveKeysMintedFor, revokeKeysMintedFor } from '../../rotation/retire.js';
import { CliError } from '../errors.js';
import { inspectSecret, keysRetiredUnrevoked, type SecretReport } from '../inspect-secret.js';
import { explainKeyApiFailure, keyApiAccess, listKeys, type KeyApiAccess } from '../key-api.js';
import type { Output } from '../output.js';
import { awsFlagsText, revokeCommand, type AwsFlags } from './revoke.js';
import { mintedByFor } from './status.js';

export interface RetireOptions {
  readonly secretId: string;
  readonly managementSecretId: string;
  /** Revoke; without it, only list what would be revoked. */
  readonly yes: boolean;
  readonly aws: AwsFlags;
}

/** Revocations may take a while: Momento allows about 5 key operations a second per account. */
const DEADLINE_MS = 300_000;

/**
 * For a secret about to be deleted: revokes every live key minted for it (revokeKeysMintedFor),
 * the keys its versions hold included, and says what it left valid and what to do next. It
 * deletes nothing.
 */
export async function retire(client: SecretsManagerClient, options: RetireOptions, io: Output) {
  const described = await client.send(new DescribeSecretCommand({ SecretId: options.secretId }));
  const arn = described.ARN ?? options.secretId;
  const name = described.Name ?? arn;
  const report = await inspectSecret(client, arn);
  const access = await keyApiAccess(client, options.managementSecretId);
  const held = new Map(report.versions.filter((v) => v.keyId !== undefined).map((v) => [v.keyId!, v.stages.join(',') || 'no label']));
  const where = (keyId: string) => (held.has(keyId) ? ` (${held.get(keyId)})` : '');

  if (!options.yes) {
    const listed = await listKeys(access, 'list the keys at Momento (nothing was revoked)');
    const minted = liveKeysMintedFor(arn, listed, access.managementKeyId, Date.now());
    if (minted.length === 0) {
      io.out(`No live key at Momento was minted for ${name}: there is nothing to revoke.`);
    } else {
      io.out(`Would revoke ${count(minted.length, 'key')} minted for ${name} (${arn}):`);
      for (const key of minted) {
        const expires = key.expiresAt === undefined ? 'never expires' : `expires ${new Date(key.expiresAt * 1000).toISOString()}`;
        io.out(`  ${key.keyId}  ${held.get(key.keyId) ?? 'held by no version'}, ${expires}`);
      }
      if (minted.some((k) => held.get(k.keyId)?.split(',').includes('AWSCURRENT'))) {
        io.out(`One of them is the key AWSCURRENT holds: once it is revoked, applications still reading ${name} stop authenticating.`);
      }
    }
    leftValid(report, listed, access, options, io);
    if (minted.length > 0) {
      io.out(
        `Nothing was revoked. To revoke ${minted.length === 1 ? 'it' : 'them'}, run again with --yes: ` +
          `momento-secret-rotation retire --secret-id ${options.secretId} --management-secret-id ${options.managementSecretId}${awsFlagsText(options.aws)} --yes`,
      );
    }
    return { revoked: [], failed: [] };
  }

  const recorder = recording(access.api);
  // revokeKeysMintedFor logs for the function (JSON lines); here each outcome is said in words below.
  const level = logger.getLevelName();
  logger.setLogLevel('SILENT');
  let result;
  try {
    result = await revokeKeysMintedFor(arn, recorder.api, { apiKey: access.managementKey, keyId: access.managementKeyId }, Date.now() + DEADLINE_MS, Date.now());
  } catch (error) {
    throw explainKeyApiFailure(error, 'list the keys at Momento (nothing was revoked)');
  } finally {
    logger.setLogLevel(level);
  }

  if (result.revoked.length === 0 && result.failed.length === 0) io.out(`No live key at Momento was minted for ${name}: there was nothing to revoke.`);
  for (const keyId of result.revoked) {
    io.out(
      recorder.outcomes.get(keyId) === 'not-found'
        ? `Key ${keyId}${where(keyId)} was already revoked or had expired.`
        : `Revoked key ${keyId}${where(keyId)}: Momento no longer accepts it.`,
    );
  }
  for (const keyId of result.failed) {
    const error = recorder.errors.get(keyId);
    const why = error === undefined ? `Could not revoke key ${keyId}.` : explainKeyApiFailure(error, `revoke key ${keyId}${where(keyId)}`).message;
    const force = held.get(keyId)?.split(',').includes('AWSCURRENT') ? ' --force' : '';
    io.err(`${why} It is still valid: run retire again, or revoke it alone with: ${revokeCommand(keyId, options.managementSecretId, options.aws)}${force}`);
  }
  leftValid(report, recorder.listed, access, options, io);
  if (result.failed.length > 0) {
    throw new CliError(
      `${count(result.failed.length, 'key')} minted for ${name} ${result.failed.length === 1 ? 'was' : 'were'} NOT revoked (above). ` +
        'Run retire again before deleting the secret (it finds them by the secret\'s ARN, and revokes only what is still valid).',
    );
  }
  nextStep(described, report, arn, options.aws, io);
  return result;
}

/** What retire leaves valid, each with what to do: imported keys, the management key, keys without an id, v1 keys. */
function leftValid(report: SecretReport, listed: readonly KeyInfo[], access: KeyApiAccess, options: RetireOptions, io: Output): void {
  const mintedBy = mintedByFor(report.arn);
  const now = Date.now();
  const live = new Set(listed.filter((k) => k.expiresAt === undefined || k.expiresAt * 1000 > now).map((k) => k.keyId));
  const afterDeletion = (keyId: string) =>
    `Once the secret is deleted and no application uses it, revoke it with: ${revokeCommand(keyId, options.managementSecretId, options.aws)}`;
  for (const v of report.versions) {
    const stages = v.stages.join(',');
    if (v.kind === 'v2' && v.keyId === undefined) {
      io.out(`Not revoked: version ${v.versionId} (${stages}) holds a v2 key without a key id (jti claim), which cannot be revoked by id: revoke it in the Momento console.`);
    } else if ((v.kind === 'v1' || v.kind === 'legacy') && v.fingerprint !== undefined) {
      io.out(`Not revoked: version ${v.versionId} (${stages}) holds a ${v.kind} key (${v.fingerprint}), which Momento cannot revoke: it stays valid until ${v.validUntil ?? 'its expiry'}.`);
    } else if (v.keyId !== undefined && v.keyId === access.managementKeyId) {
      io.out(`Not revoked: key ${v.keyId} (${stages}) is the management key, which retire never revokes.`);
    } else if (v.keyId !== undefined && live.has(v.keyId) && mintedBy(listed.find((k) => k.keyId === v.keyId)!.description)?.forThisSecret !== true) {
      io.out(`Not revoked: key ${v.keyId} (${stages}) was not minted for this secret (imported, or another secret's), so retire leaves it valid. ${afterDeletion(v.keyId)}`);
    }
  }
  const held = new Set(report.versions.map((v) => v.keyId).filter((id): id is string => id !== undefined));
  for (const retired of keysRetiredUnrevoked(listed, mintedBy, held, access.managementKeyId, now)) {
    io.out(`Not revoked: key ${retired.keyId} left this secret earlier (replaced by key ${retired.namedBy}) and was not minted for it, so retire leaves it valid. ${afterDeletion(retired.keyId)}`);
  }
}

/** The command that deletes the secret, and what to know first. */
function nextStep(described: { Tags?: { Key?: string; Value?: string }[] }, report: SecretReport, arn: string, aws: AwsFlags, io: Output): void {
  const stack = described.Tags?.find((t) => t.Key === 'aws:cloudformation:stack-name')?.Value;
  if (stack !== undefined) {
    io.out(`Next: CloudFormation stack ${stack} created this secret: remove it from that stack (or delete the stack), rather than deleting it yourself.`);
  } else {
    io.out('Next: delete the secret (retire does not):');
    io.out(`  aws secretsmanager delete-secret --secret-id ${arn}${awsFlagsText(aws)}`);
  }
  if (report.rotationEnabled) {
    io.out('Its rotation is on: a rotation before the deletion mints a new key for it; run retire again after one.');
  }
}

/** The management key's API, recording what revokeKeysMintedFor listed, and each revocation's outcome or error. */
function recording(api: KeyManagementApi) {
  const listed: KeyInfo[] = [];
  const outcomes = new Map<string, 'revoked' | 'not-found'>();
  const errors = new Map<string, unknown>();
  const wrapped: KeyManagementApi = {
    mint: (key, request, deadline) => api.mint(key, request, deadline),
    listRoles: (key, deadline) => api.listRoles(key, deadline),
    async list(key, deadline) {
      const keys = await api.list(key, deadline);
      listed.push(...keys);
      return keys;
    },
    async revoke(key, keyId, deadline) {
      try {
        const outcome = await api.revoke(key, keyId, deadline);
        outcomes.set(keyId, outcome);
        return outcome;
      } catch (error) {
        errors.set(keyId, error);
        throw error;
      }
    },
  };
  return { api: wrapped, listed, outcomes, errors };
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
