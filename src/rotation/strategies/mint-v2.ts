import { createHash } from 'node:crypto';
import { inspectApiKey } from '../../momento/api-key.js';
import type { KeyInfo } from '../../momento/key-management.js';
import { logger } from '../../observability/logger.js';
import { recordRevocations } from '../../observability/metrics.js';
import { rememberSecret, scrub } from '../../observability/redact.js';
import { describeKeyFile, keyFileAfterMint, parseKeyFile } from '../../secret/key-file.js';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, errorName, type SecretDescription } from '../../secrets-manager/secret-store.js';
import { MissingEndpointError, MissingRoleIdError } from '../errors.js';
import type { RotationDeps } from '../rotate.js';
import type { NewKeyValue, NextKeyContext } from './key-strategy.js';
import { keyApiFailureAsRotationError, readManagementKey } from './management-key.js';

/**
 * v2 keys: mint a successor with the same role through Momento's key-management API,
 * and, after each promotion, revoke what must stop working. Also used to migrate a v1
 * key that carries "roleId" and "endpoint".
 */
export async function mintSuccessorKey({ secretId, secret, token, current, currentInfo, deps, deadline }: NextKeyContext): Promise<NewKeyValue> {
  if (current.roleId === undefined) throw new MissingRoleIdError(secretId, AWSCURRENT);
  if (current.endpoint === undefined) throw new MissingEndpointError(secretId, AWSCURRENT);
  const managementSecretId = deps.managementSecretId!;
  const management = await readManagementKey(deps);
  const currentKind = inspectApiKey(current.apiKey).kind;
  if (currentKind === 'v2' && current.validUntil !== undefined && current.validUntil * 1000 <= deps.now()) {
    // Minting needs only the management key, so an expired key is recovered from, not a dead end.
    logger.warn('The AWSCURRENT key has expired; minting its successor with the management key', currentInfo);
  }
  const expiresAt = Math.floor(deps.now() / 1000) + deps.keyLifetimeDays * 86_400;
  const description = mintedKeyDescription(secret, token, current.keyId);
  let minted;
  try {
    minted = await deps.keyApi.mint(management.apiKey, { roleId: current.roleId, description, expiresAt }, deadline);
  } catch (error) {
    throw keyApiFailureAsRotationError(error, { secretId, managementSecretId, roleId: current.roleId });
  }
  rememberSecret(minted.apiKey);
  const next = {
    apiKey: minted.apiKey,
    endpoint: current.endpoint,
    roleId: current.roleId,
    keyId: minted.info.keyId,
    validUntil: minted.info.expiresAt ?? expiresAt,
  };
  const keyInfo = describeKeyFile(next, deps.now());
  logger.info('Minted a successor key at Momento', {
    ...keyInfo,
    previousKeyFingerprint: currentInfo.keyFingerprint,
    previousKeyId: current.keyId,
  });
  if (currentKind !== 'v2') {
    logger.warn(
      'Migrating from a v1 key to a v2 key. v1 keys cannot be revoked: the old key stays valid until it expires',
      { previousKeyFingerprint: currentInfo.keyFingerprint, previousKeyValidUntil: currentInfo.validUntil },
    );
  }
  return { secretString: keyFileAfterMint(current, next), keyInfo };
}

// ---- which keys are this secret's ------------------------------------------------------------

/**
 * The description of a minted key names the secret and the version it was minted for, so
 * a key minted for a version that never got stored can be found and revoked later. It
 * also names its predecessor's key id, so the key that falls out of AWSPREVIOUS is found
 * even when Momento did not mint it for us (an imported console key). The tag (a hash of
 * the secret's ARN) tells apart secrets of the same name in other accounts or regions
 * that share one Momento account: only the tag decides; the name is for people.
 */
export function mintedKeyDescription(secret: Pick<SecretDescription, 'arn' | 'name'>, versionId: string, predecessorKeyId: string | undefined): string {
  const name = secret.name.length > 64 ? `${secret.name.slice(0, 63)}~` : secret.name;
  const after = predecessorKeyId !== undefined && /^\S+$/.test(predecessorKeyId) ? ` after ${predecessorKeyId}` : '';
  return `${DESCRIPTION_PREFIX} ${secretTag(secret.arn)} ${name} version ${versionId}${after}`;
}

export interface MintedKeyDescription {
  readonly secretTag: string;
  readonly versionId: string;
  readonly predecessorKeyId: string | undefined;
}

export function parseMintedKeyDescription(description: string): MintedKeyDescription | undefined {
  const match = DESCRIPTION.exec(description);
  if (!match) return undefined;
  return { secretTag: match[1]!, versionId: match[2]!, predecessorKeyId: match[3] };
}

const DESCRIPTION_PREFIX = 'momento-secret-rotation';
const DESCRIPTION = /^momento-secret-rotation ([0-9a-f]{12}) \S+ version (\S+)(?: after (\S+))?$/;

export function secretTag(arn: string): string {
  return createHash('sha256').update(arn, 'utf8').digest('hex').slice(0, 12);
}

// ---- revocation -------------------------------------------------------------------------------

export interface RevocationReport {
  readonly revoked: readonly string[];
  readonly failed: readonly string[];
}

/**
 * After a promotion (and on every expiry report), the secret's keys still valid at Momento
 * must be exactly those in AWSCURRENT and AWSPREVIOUS. Revoked:
 * - the key that fell out of AWSPREVIOUS, found as the predecessor named by a key minted
 *   for this secret (so an imported console key goes too, when its keyId was stored);
 * - any key minted for this secret that no labelled version holds. A key minted for a
 *   version that is AWSPENDING with no value yet is left alone: a concurrent createSecret
 *   may be about to store it.
 * Never revoked: a key held by AWSCURRENT, AWSPREVIOUS or a stored AWSPENDING, and the
 * management key. Never throws: a failed revocation must not fail a promotion that
 * happened; it is logged, counted (RevocationFailed) and retried by the next call.
 * Does nothing, at no cost, for a secret whose versions hold no v2 key.
 */
export async function revokeRetiredKeys(
  secretId: string,
  deps: RotationDeps,
  deadline: number,
): Promise<RevocationReport | undefined> {
  if (deps.managementSecretId === undefined) return undefined;
  try {
    const state = await labelledKeys(secretId, deps);
    if (!state.holdsV2) return undefined;
    const management = await readManagementKey(deps);
    let listed: readonly KeyInfo[];
    try {
      listed = await deps.keyApi.list(management.apiKey, deadline);
    } catch (error) {
      throw keyApiFailureAsRotationError(error, { secretId, managementSecretId: deps.managementSecretId });
    }
    const tag = secretTag(state.arn);
    const ours = new Map<string, MintedKeyDescription>();
    for (const key of listed) {
      const parsed = parseMintedKeyDescription(key.description);
      if (parsed?.secretTag === tag) ours.set(key.keyId, parsed);
    }
    const predecessors = new Set([...ours.values()].map((d) => d.predecessorKeyId).filter((id) => id !== undefined));
    const nowSeconds = deps.now() / 1000;
    const retired = listed.filter((key) => {
      if (state.heldKeyIds.has(key.keyId) || key.keyId === management.keyId) return false;
      if (key.expiresAt !== undefined && key.expiresAt <= nowSeconds) return false; // dead already
      const minted = ours.get(key.keyId);
      if (minted !== undefined) return minted.versionId !== state.unstoredPendingVersion;
      return predecessors.has(key.keyId);
    });

    const revoked: string[] = [];
    const failed: string[] = [];
    for (const key of retired) {
      try {
        // 'not-found': revoked or expired meanwhile (a concurrent delivery, say): gone either way.
        await deps.keyApi.revoke(management.apiKey, key.keyId, deadline);
        revoked.push(key.keyId);
        logger.info('Revoked a retired key', { keyId: key.keyId, roleId: key.roleId, mintedForVersion: ours.get(key.keyId)?.versionId });
      } catch (error) {
        failed.push(key.keyId);
        logger.warn('Could not revoke a retired key; the next finishSecret or expiry report retries', {
          keyId: key.keyId,
          error: scrub(error instanceof Error ? `${error.name}: ${error.message}` : String(error)),
        });
      }
    }
    recordRevocations(revoked.length, failed.length);
    return { revoked, failed };
  } catch (error) {
    recordRevocations(0, 1);
    logger.warn('Could not check for keys to revoke; the next finishSecret or expiry report retries', {
      error: scrub(error instanceof Error ? `${error.name}: ${error.message}` : `${errorName(error)} ${String(error)}`),
    });
    return { revoked: [], failed: ['(listing)'] };
  }
}

interface LabelledKeys {
  readonly arn: string;
  /** Key ids of the keys AWSCURRENT, AWSPREVIOUS and a stored AWSPENDING hold. */
  readonly heldKeyIds: ReadonlySet<string>;
  /** Whether any of them is a v2 key or has a key id: otherwise nothing here can be revoked. */
  readonly holdsV2: boolean;
  /** The AWSPENDING version, while it has no value yet. */
  readonly unstoredPendingVersion: string | undefined;
}

async function labelledKeys(secretId: string, deps: RotationDeps): Promise<LabelledKeys> {
  const secret = await deps.secrets.describe(secretId);
  const heldKeyIds = new Set<string>();
  let holdsV2 = false;
  let unstoredPendingVersion: string | undefined;
  for (const [versionId, stages] of Object.entries(secret.versionStages)) {
    const stage = [AWSCURRENT, AWSPREVIOUS, AWSPENDING].find((s) => stages.includes(s));
    if (stage === undefined) continue;
    const stored = await deps.secrets.read(secretId, stage, versionId);
    if (!stored.found) {
      if (stage === AWSPENDING) unstoredPendingVersion = versionId;
      continue;
    }
    if (stored.secretString === undefined) continue;
    rememberSecret(stored.secretString);
    const parsed = parseKeyFile(stored.secretString);
    if (!parsed.ok) continue;
    rememberSecret(parsed.file.apiKey);
    if (parsed.file.keyId !== undefined) heldKeyIds.add(parsed.file.keyId);
    if (parsed.file.keyId !== undefined || inspectApiKey(parsed.file.apiKey).kind === 'v2') holdsV2 = true;
  }
  return { arn: secret.arn, heldKeyIds, holdsV2, unstoredPendingVersion };
}
