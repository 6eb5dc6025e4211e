import { createHash } from 'node:crypto';
import { inspectApiKey } from '../../momento/api-key.js';
import { KeyApiError, type KeyInfo, type RoleInfo } from '../../momento/key-management.js';
import { logger } from '../../observability/logger.js';
import { recordRetiredKeysNotRevoked, recordRevocationPostponed, recordRevocations } from '../../observability/metrics.js';
import { rememberSecret, scrub } from '../../observability/redact.js';
import { describeKeyFile, keyFileAfterMint, parseKeyFile } from '../../secret/key-file.js';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, errorName, type SecretDescription } from '../../secrets-manager/secret-store.js';
import { MissingEndpointError, MissingRoleIdError } from '../errors.js';
import type { NewKeyValue, NextKeyContext, RotationDeps } from '../rotation-deps.js';
import { keyApiFailureAsRotationError, readManagementKey, type ManagementKey } from './management-key.js';

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

/** Every key in the management key's account, or the error a user acts on (naming the secret being rotated). */
export async function listKeysOrExplain(secretId: string, deps: RotationDeps, deadline: number): Promise<readonly KeyInfo[]> {
  const management = await readManagementKey(deps);
  try {
    return await deps.keyApi.list(management.apiKey, deadline);
  } catch (error) {
    throw keyApiFailureAsRotationError(error, { secretId, managementSecretId: deps.managementSecretId! });
  }
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
  /** Retired keys left valid on purpose (imported, another secret's, unverifiable), by key id. */
  readonly notRevoked?: readonly string[];
}

/**
 * After a promotion (and on every expiry report), revokes what must stop working, by this rule:
 * only keys this function minted for this secret (or, with RevokeImportedKeys, keys it
 * retired from this secret), only once no labelled version of this secret holds them, never
 * a key any evidence says is still in use. When in doubt it does not revoke: it reports.
 * - Momento's keys are listed FIRST, then the secret's versions read: a key the listing shows
 *   was minted after its version existed, so the snapshot sees that version (an expiry report
 *   racing a rotation cannot mistake a just-stored key for an orphan).
 * - Held: the key (its jti) of every version with any staging label (AWSCURRENT, AWSPREVIOUS,
 *   AWSPENDING, and a blue/green PINNED or CANARY alike). A version that cannot be read aborts
 *   the pass. A key without a jti in any of them, or a management key without one: nothing
 *   is revoked.
 * - Retired: a key named as predecessor (`after key <jti>`) by a key minted for this secret
 *   that AWSCURRENT or AWSPREVIOUS holds now. Revoked when it too was minted for this secret;
 *   when it was imported (no tag), only with RevokeImportedKeys; never when minted for another
 *   secret.
 * - Orphaned: a key minted for this secret that no version holds, revoked only when the
 *   version it was minted for exists at Secrets Manager and holds no value or another key (a
 *   crash between mint and store, a lost reply). A version still AWSPENDING with no value is
 *   left alone: a concurrent createSecret may be about to store it. A description naming a
 *   version this secret never had proves nothing.
 * Never the management key, nor an expired key. Never throws: a failed revocation must not fail
 * a promotion that happened; it is logged, counted (RevocationFailed) and retried by the next
 * call. Does nothing, at no cost, without a management secret.
 */
export async function revokeRetiredKeys(
  secretId: string,
  deps: RotationDeps,
  deadline: number,
): Promise<RevocationReport | undefined> {
  if (deps.managementSecretId === undefined) return undefined;
  try {
    let management: ManagementKey;
    let listed: readonly KeyInfo[];
    try {
      management = await readManagementKey(deps);
      listed = await deps.keyApi.list(management.apiKey, deadline);
    } catch (error) {
      // A secret that holds no v2 key has nothing to revoke: its pass does not fail for want of a listing.
      if (!(await labelledKeys(secretId, deps).then((state) => state.holdsV2, () => true))) return undefined;
      throw keyApiFailureAsRotationError(error, { secretId, managementSecretId: deps.managementSecretId });
    }
    const state = await labelledKeys(secretId, deps);
    if (!state.holdsV2) return undefined;
    // A key whose id cannot be read (no jti claim) cannot be told apart from the keys to revoke: revoke none.
    if (state.unidentifiedVersions.length > 0 || management.keyId === undefined) {
      logger.warn('Revoked nothing: a key in use has no key id (jti claim), so it could not be told apart from the keys to revoke', {
        versionsWithoutKeyId: state.unidentifiedVersions,
        managementKeyHasId: management.keyId !== undefined,
      });
      return { revoked: [], failed: [] };
    }
    // The listing's key_id must be the jti our "held" rests on: were AWSCURRENT's key missing from it, every
    // comparison below would be wrong, and the key just promoted could look like an orphan.
    if (state.currentKeyId !== undefined && !listed.some((k) => k.keyId === state.currentKeyId)) {
      logger.warn("Revoked nothing: Momento's listing does not show the AWSCURRENT key's id (its jti); key ids cannot be matched", {
        currentKeyId: state.currentKeyId,
      });
      // Counted as postponed: retired keys wait, and two days of it page (the RevocationPostponed alarm).
      recordRevocationPostponed(1);
      return { revoked: [], failed: [] };
    }
    // AWSCURRENT holds no v2 key (a v1 key put back after a migration, say): the same proof from the
    // keys that are live for certain. Were none of the held keys, nor the management key that just
    // listed, shown by its jti, an AWSPREVIOUS key would look like an orphan and be revoked.
    if (state.currentKeyId === undefined && !listingShowsKeyIds(listed, state.heldKeyIds, management.keyId)) {
      logger.warn("Revoked nothing: Momento's listing shows none of this secret's keys, nor the management key, by its id (jti); key ids cannot be matched", {
        heldKeyIds: [...state.heldKeyIds],
        managementKeyId: management.keyId,
      });
      recordRevocationPostponed(1);
      return { revoked: [], failed: [] };
    }
    const decisions = await retiredKeys(listed, state, management.keyId, secretId, deps);
    // A replica Region still catching up may serve a key about to be retired: revoke nothing until
    // all are InSync, and count what waits (RevocationPostponed), so a replica stuck out of sync shows.
    if (!state.replicasInSync) {
      recordRevocationPostponed(decisions.revoke.length);
      logger.warn('Revoked nothing: a replica of this secret is not InSync, and may still serve a key that would be revoked; the next pass retries', {
        postponedKeyIds: decisions.revoke.map((k) => k.keyId),
      });
      return { revoked: [], failed: [] };
    }
    // Labels move while a pass runs (an operator moving AWSCURRENT back to an older version), and
    // DescribeSecret is eventually consistent: just before revoking, ask again which keys the labelled
    // versions hold, and keep any key one of them holds now.
    const heldNow = decisions.revoke.length > 0 ? await keysHeldNow(secretId, state, deps) : undefined;
    const toRevoke = decisions.revoke.filter((k) => heldNow?.has(k.keyId) !== true);
    if (toRevoke.length < decisions.revoke.length) {
      logger.warn('Kept keys a labelled version holds again (its labels moved during this pass); nothing of this secret is revoked while a version holds it', {
        keptKeyIds: decisions.revoke.filter((k) => heldNow?.has(k.keyId) === true).map((k) => k.keyId),
      });
    }
    const revoked: string[] = [];
    const failed: string[] = [];
    for (const key of toRevoke) {
      try {
        // 'not-found': revoked or expired meanwhile (a concurrent delivery, say): gone either way.
        await deps.keyApi.revoke(management.apiKey, key.keyId, deadline);
        revoked.push(key.keyId);
        logger.info('Revoked a retired key', { keyId: key.keyId, roleId: key.roleId, reason: key.reason });
      } catch (error) {
        failed.push(key.keyId);
        logger.warn('Could not revoke a retired key; the next finishSecret or expiry report retries', {
          keyId: key.keyId,
          error: scrub(error instanceof Error ? `${error.name}: ${error.message}` : String(error)),
        });
      }
    }
    for (const key of decisions.keep) {
      logger.warn(`RetiredKeyNotRevoked: ${key.reason}`, { keyId: key.keyId, revokeWith: `momento-secret-rotation revoke --key-id ${key.keyId} --management-secret-id ${deps.managementSecretId}` });
    }
    recordRevocations(revoked.length, failed.length);
    recordRetiredKeysNotRevoked(decisions.keep.length);
    return { revoked, failed, ...(decisions.keep.length > 0 ? { notRevoked: decisions.keep.map((k) => k.keyId) } : {}) };
  } catch (error) {
    recordRevocations(0, 1);
    logger.warn('Could not check for keys to revoke; nothing was revoked; the next finishSecret or expiry report retries', {
      error: scrub(error instanceof Error ? `${error.name}: ${error.message}` : `${errorName(error)} ${String(error)}`),
    });
    return { revoked: [], failed: ['(listing)'] };
  }
}

interface Decision {
  readonly keyId: string;
  readonly roleId: string;
  readonly reason: string;
}

/** Which listed keys to revoke, and which retired keys to leave valid (and say so), by the rule above. */
async function retiredKeys(
  listed: readonly KeyInfo[],
  state: LabelledKeys,
  managementKeyId: string,
  secretId: string,
  deps: RotationDeps,
): Promise<{ revoke: Decision[]; keep: Decision[] }> {
  const tag = secretTag(state.arn);
  const nowSeconds = deps.now() / 1000;
  const live = new Map(
    listed
      .filter((k) => !state.heldKeyIds.has(k.keyId) && k.keyId !== managementKeyId && (k.expiresAt === undefined || k.expiresAt > nowSeconds))
      .map((k) => [k.keyId, k]),
  );
  const minted = new Map<string, MintedKeyDescription>();
  for (const key of listed) {
    const parsed = parseMintedKeyDescription(key.description);
    if (parsed !== undefined) minted.set(key.keyId, parsed);
  }
  const ours = (keyId: string) => minted.get(keyId)?.secretTag === tag;
  const revoke: Decision[] = [];
  const keep: Decision[] = [];
  const decided = new Set<string>();
  const decide = (key: KeyInfo, into: Decision[], reason: string) => {
    if (decided.has(key.keyId)) return;
    decided.add(key.keyId);
    into.push({ keyId: key.keyId, roleId: key.roleId, reason });
  };

  // Retired: named by a key minted for this secret that AWSCURRENT or AWSPREVIOUS holds now.
  for (const namer of state.currentOrPreviousKeyIds) {
    const description = ours(namer) ? minted.get(namer) : undefined;
    for (const [named, verified] of [
      [description?.predecessorKeyId, true],
      [description?.unverifiedPredecessorKeyId, false],
    ] as const) {
      const key = named === undefined ? undefined : live.get(named);
      if (key === undefined) continue;
      if (!verified) decide(key, keep, 'named as predecessor by a key minted before key ids were read from the keys: the name may be a mistyped "keyId"');
      else if (ours(key.keyId)) decide(key, revoke, 'retired: fell out of AWSPREVIOUS');
      else if (minted.has(key.keyId)) decide(key, keep, 'retired, but minted for another secret: that secret may still hold it');
      else if (deps.revokeImportedKeys) decide(key, revoke, 'retired imported key (RevokeImportedKeys is on)');
      else decide(key, keep, 'retired imported key: it may be held elsewhere too; RevokeImportedKeys is off');
    }
  }

  // Orphaned: minted for this secret, held by no labelled version.
  let allVersions: ReadonlyMap<string, readonly string[]> | undefined;
  for (const key of live.values()) {
    const description = minted.get(key.keyId);
    if (decided.has(key.keyId) || description?.secretTag !== tag) continue;
    const version = description.versionId;
    if (version === state.unstoredPendingVersion) continue; // a createSecret in flight may be about to store it
    if (state.labelledVersions.has(version)) {
      // Labelled, and not holding this key (it is not held): it holds another key, or no value.
      decide(key, revoke, 'orphan: its version holds another key');
      continue;
    }
    allVersions ??= await deps.secrets.versionIds(secretId);
    const labels = allVersions.get(version);
    if (labels === undefined) {
      decide(key, keep, `its description names version ${version}, which this secret does not have: a description is no proof`);
      continue;
    }
    // Labelled after all (DescribeSecret is eventually consistent, and may not show a version just made): held.
    if (labels.length > 0) continue;
    const stored = await deps.secrets.readVersion(secretId, version);
    const holds = stored.found && stored.secretString !== undefined ? inspectApiKey(keyHeldIn(stored.secretString) ?? '').keyId : undefined;
    decide(key, revoke, holds === key.keyId ? 'retired: its version no longer has a label' : 'orphan: minted for a version that holds no value or another key');
  }
  return { revoke, keep };
}


interface LabelledKeys {
  readonly arn: string;
  /** Key ids (jti) of the keys every version with a staging label holds. */
  readonly heldKeyIds: ReadonlySet<string>;
  /** Key ids of the keys AWSCURRENT and AWSPREVIOUS hold: whose descriptions may name a retired predecessor. */
  readonly currentOrPreviousKeyIds: readonly string[];
  readonly labelledVersions: ReadonlySet<string>;
  /** Whether any of them is a v2 key: otherwise nothing here can be revoked. */
  readonly holdsV2: boolean;
  /** Versions holding a v2 key without a key id (jti claim). */
  readonly unidentifiedVersions: readonly string[];
  /** The AWSPENDING version, while it has no value yet. */
  readonly unstoredPendingVersion: string | undefined;
  /** The key id of AWSCURRENT's v2 key. */
  readonly currentKeyId: string | undefined;
  readonly replicasInSync: boolean;
  /** What each version read holds: a key id, null for a v1 key, undefined for a v2 key without an id. A version's value never changes. */
  readonly keyIdByVersion: ReadonlyMap<string, string | null | undefined>;
}

/** Every version with any staging label, read by its id; one that cannot be read throws (the pass is abandoned). */
async function labelledKeys(secretId: string, deps: Pick<RotationDeps, 'secrets'>): Promise<LabelledKeys> {
  const secret = await deps.secrets.describe(secretId);
  const heldKeyIds = new Set<string>();
  const currentOrPreviousKeyIds: string[] = [];
  const labelledVersions = new Set<string>();
  let holdsV2 = false;
  const unidentifiedVersions: string[] = [];
  let unstoredPendingVersion: string | undefined;
  let currentKeyId: string | undefined;
  const keyIdByVersion = new Map<string, string | null | undefined>();
  for (const [versionId, stages] of Object.entries(secret.versionStages)) {
    if (stages.length === 0) continue;
    labelledVersions.add(versionId);
    const keyId = await keyIdInVersion(secretId, versionId, stages, deps);
    if (keyId === UNSTORED) {
      unstoredPendingVersion = versionId;
      continue;
    }
    keyIdByVersion.set(versionId, keyId);
    if (keyId === null) continue; // a v1 key (or legacy token): never revoked, nothing to protect
    holdsV2 = true;
    if (keyId === undefined) {
      unidentifiedVersions.push(versionId);
      continue;
    }
    heldKeyIds.add(keyId);
    if (stages.includes(AWSCURRENT)) currentKeyId = keyId;
    if (stages.includes(AWSCURRENT) || stages.includes(AWSPREVIOUS)) currentOrPreviousKeyIds.push(keyId);
  }
  return {
    arn: secret.arn,
    heldKeyIds,
    currentOrPreviousKeyIds,
    currentKeyId,
    labelledVersions,
    holdsV2,
    unidentifiedVersions,
    unstoredPendingVersion,
    replicasInSync: secret.replicasInSync !== false,
    keyIdByVersion,
  };
}

/**
 * Whether the listing's key_id is the jti the "held" sets rest on: it shows, by that id, one of
 * the keys a secret's versions hold or the management key that just listed (live for certain).
 * When not, a key in use could look like one to revoke: callers revoke nothing.
 */
export function listingShowsKeyIds(listed: readonly KeyInfo[], heldKeyIds: ReadonlySet<string>, managementKeyId: string | undefined): boolean {
  return listed.some((key) => key.keyId === managementKeyId || heldKeyIds.has(key.keyId));
}

/** A labelled AWSPENDING version that has no value yet: it holds no key. */
const UNSTORED = Symbol('unstored AWSPENDING version');

/**
 * What one labelled version holds: its v2 key's id (the jti claim, never the stored "keyId";
 * undefined for a v2 key without one), null for a v1 or legacy key, UNSTORED for an AWSPENDING
 * version with no value yet. Read by its version id alone: a concurrent finishSecret may move the
 * labels between DescribeSecret and this read. A version that cannot be read, or whose value no
 * key can be read from (binary, a key file in error) may hold a key in use: it throws.
 */
async function keyIdInVersion(secretId: string, versionId: string, stages: readonly string[], deps: Pick<RotationDeps, 'secrets'>): Promise<string | null | undefined | typeof UNSTORED> {
  const stored = await deps.secrets.readVersion(secretId, versionId);
  if (!stored.found) {
    if (!stages.includes(AWSPENDING)) throw new Error(`version ${versionId} (${stages.join(', ')}) could not be read: not found`);
    return UNSTORED;
  }
  const apiKey = keyHeldIn(stored.secretString);
  if (apiKey === undefined) throw new Error(`version ${versionId} (${stages.join(', ')}) holds a value no key can be read from; nothing is revoked while it is labelled`);
  return apiKey === null ? null : inspectApiKey(apiKey).keyId;
}

/**
 * The key ids the labelled versions hold now: one DescribeSecret, and a read only of a version not
 * read before (a version's value never changes). A version that holds a key without an id, or
 * cannot be read, throws: the pass is abandoned, and nothing revoked.
 */
async function keysHeldNow(secretId: string, before: LabelledKeys, deps: Pick<RotationDeps, 'secrets'>): Promise<ReadonlySet<string>> {
  const secret = await deps.secrets.describe(secretId);
  const held = new Set<string>();
  for (const [versionId, stages] of Object.entries(secret.versionStages)) {
    if (stages.length === 0) continue;
    const keyId = before.keyIdByVersion.has(versionId) ? before.keyIdByVersion.get(versionId) : await keyIdInVersion(secretId, versionId, stages, deps);
    if (keyId === UNSTORED) continue;
    if (keyId === undefined) throw new Error(`version ${versionId} (${stages.join(', ')}) holds a key without a key id (jti claim)`);
    if (keyId !== null) held.add(keyId);
  }
  return held;
}

/**
 * The v2 key a stored value holds, as a key file or a bare key (the client library reads both);
 * null for a v1 or legacy key; undefined when no key can be read from it.
 */
function keyHeldIn(secretString: string | undefined): string | null | undefined {
  if (secretString === undefined) return undefined;
  rememberSecret(secretString);
  const parsed = parseKeyFile(secretString);
  const apiKey = parsed.ok ? parsed.file.apiKey : secretString.trim();
  rememberSecret(apiKey);
  const kind = inspectApiKey(apiKey).kind;
  if (kind === 'v2') return apiKey;
  if (kind === 'v1' || kind === 'legacy') return null;
  return undefined;
}

/** Key ids (jti) of the keys every labelled version of the secret holds; throws when one cannot be told. */
export async function heldKeyIdsOf(secretId: string, deps: Pick<RotationDeps, 'secrets'>): Promise<ReadonlySet<string>> {
  const state = await labelledKeys(secretId, deps);
  if (state.unidentifiedVersions.length > 0) throw new Error(`versions ${state.unidentifiedVersions.join(', ')} hold a key without a key id (jti claim)`);
  return state.heldKeyIds;
}
