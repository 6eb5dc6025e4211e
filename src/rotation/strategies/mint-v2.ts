import { createHash } from 'node:crypto';
import { inspectApiKey } from '../../momento/api-key.js';
import { KeyApiError, type KeyInfo, type RoleInfo } from '../../momento/key-management.js';
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
    // A 404 names the role: say which roles exist, when the management key may list them.
    const roles = error instanceof KeyApiError && error.failure === 'not-found' ? await rolesIfListable(deps, management.apiKey, deadline) : undefined;
    throw keyApiFailureAsRotationError(error, { secretId, managementSecretId, roleId: current.roleId, ...(roles ? { roles } : {}) });
  }
  rememberSecret(minted.apiKey);
  // The key's own claims are its id and expiry; Momento's listing of it should say the same.
  const claims = inspectApiKey(minted.apiKey);
  if (claims.keyId !== minted.info.keyId) {
    logger.warn("The minted key's own id (jti) differs from the id Momento's answer gave; the key's id is used", {
      keyIdFromKey: claims.keyId,
      keyIdFromAnswer: minted.info.keyId,
    });
  }
  const next = {
    apiKey: minted.apiKey,
    endpoint: current.endpoint,
    roleId: current.roleId,
    keyId: claims.keyId,
    validUntil: claims.expiresAt ?? minted.info.expiresAt ?? expiresAt,
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

/** The account's roles, or undefined when they cannot be listed (the error being reported matters more). */
async function rolesIfListable(deps: RotationDeps, managementKey: string, deadline: number): Promise<readonly RoleInfo[] | undefined> {
  try {
    return await deps.keyApi.listRoles(managementKey, deadline);
  } catch {
    return undefined;
  }
}

// ---- which keys are this secret's ------------------------------------------------------------

/**
 * The description of a minted key names the secret and the version it was minted for, so
 * a key minted for a version that never got stored can be found and revoked later. It
 * also names its predecessor's key id (the predecessor key's own jti), so the key that falls
 * out of AWSPREVIOUS is found even when Momento did not mint it for us (an imported console key). The tag (a hash of
 * the secret's ARN) tells apart secrets of the same name in other accounts or regions
 * that share one Momento account: only the tag decides; the name is for people.
 */
export function mintedKeyDescription(secret: Pick<SecretDescription, 'arn' | 'name'>, versionId: string, predecessorKeyId: string | undefined): string {
  const name = secret.name.length > 64 ? `${secret.name.slice(0, 63)}~` : secret.name;
  const after = predecessorKeyId !== undefined && /^\S+$/.test(predecessorKeyId) ? ` after key ${predecessorKeyId}` : '';
  return `${DESCRIPTION_PREFIX} ${secretTag(secret.arn)} ${name} version ${versionId}${after}`;
}

export interface MintedKeyDescription {
  readonly secretTag: string;
  readonly versionId: string;
  /** The predecessor's own id (its jti), as `after key <id>` names it. */
  readonly predecessorKeyId: string | undefined;
  /**
   * `after <id>`, written before key ids were read from the keys: the id is the stored
   * "keyId", which may have been mistyped and name another application's key. Never revoked.
   */
  readonly unverifiedPredecessorKeyId?: string;
}

export function parseMintedKeyDescription(description: string): MintedKeyDescription | undefined {
  const match = DESCRIPTION.exec(description);
  if (!match) return undefined;
  if (match[3] === undefined && match[4] !== undefined) {
    return { secretTag: match[1]!, versionId: match[2]!, predecessorKeyId: undefined, unverifiedPredecessorKeyId: match[4] };
  }
  return { secretTag: match[1]!, versionId: match[2]!, predecessorKeyId: match[4] };
}

const DESCRIPTION_PREFIX = 'momento-secret-rotation';
const DESCRIPTION = /^momento-secret-rotation ([0-9a-f]{12}) \S+ version (\S+)(?: after (key )?(\S+))?$/;

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
 *   for this secret (so an imported console key goes too);
 * - any key minted for this secret that no labelled version holds. A key minted for a
 *   version that is AWSPENDING with no value yet is left alone: a concurrent createSecret
 *   may be about to store it.
 * Never revoked: a key held by AWSCURRENT, AWSPREVIOUS or a stored AWSPENDING, and the
 * management key. Nothing at all while a key in use has no key id. Never throws: a failed revocation must not fail a promotion that
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
    // A key whose id cannot be read (no jti claim) cannot be told apart from the keys to revoke: revoke none.
    if (state.unidentifiedVersions.length > 0 || management.keyId === undefined) {
      logger.warn('Revoked nothing: a key in use has no key id (jti claim), so it could not be told apart from the keys to revoke', {
        versionsWithoutKeyId: state.unidentifiedVersions,
        managementKeyHasId: management.keyId !== undefined,
      });
      return { revoked: [], failed: [] };
    }
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
    // Named by a description of the previous release (from a stored, maybe mistyped, "keyId"): reported, never revoked.
    for (const unverified of new Set([...ours.values()].map((d) => d.unverifiedPredecessorKeyId))) {
      if (unverified === undefined || predecessors.has(unverified) || state.heldKeyIds.has(unverified)) continue;
      if (!listed.some((k) => k.keyId === unverified)) continue;
      logger.warn('Not revoking a key named as a predecessor by a key minted before key ids were read from the keys: the name may be a mistyped "keyId"', {
        keyId: unverified,
        revokeWith: 'the Momento console, once you know no application uses it',
      });
    }
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
  /** Whether any of them is a v2 key: otherwise nothing here can be revoked. */
  readonly holdsV2: boolean;
  /** Versions holding a v2 key without a key id (jti claim). */
  readonly unidentifiedVersions: readonly string[];
  /** The AWSPENDING version, while it has no value yet. */
  readonly unstoredPendingVersion: string | undefined;
}

async function labelledKeys(secretId: string, deps: RotationDeps): Promise<LabelledKeys> {
  const secret = await deps.secrets.describe(secretId);
  const heldKeyIds = new Set<string>();
  let holdsV2 = false;
  const unidentifiedVersions: string[] = [];
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
    // The key's own id (its jti claim), never the stored "keyId" (key-file.ts).
    if (inspectApiKey(parsed.file.apiKey).kind !== 'v2') continue;
    holdsV2 = true;
    if (parsed.file.keyId !== undefined) heldKeyIds.add(parsed.file.keyId);
    else unidentifiedVersions.push(versionId);
  }
  return { arn: secret.arn, heldKeyIds, holdsV2, unidentifiedVersions, unstoredPendingVersion };
}
