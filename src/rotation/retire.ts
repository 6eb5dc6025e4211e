import type { KeyInfo, KeyManagementApi } from '../momento/key-management.js';
import { logger } from '../observability/logger.js';
import { recordRevocations } from '../observability/metrics.js';
import { scrub } from '../observability/redact.js';
import { listingShowsKeyIds, parseMintedKeyDescription, secretTag, type RevocationReport } from './strategies/mint-v2.js';

/**
 * The keys of Momento's listing that retiring the secret revokes: live, minted for it (their
 * description carries its tag), and not the management key (a self-rotating management
 * secret's keys are minted for it). `retire` without `--yes` lists these same keys.
 */
export function liveKeysMintedFor(secretArn: string, listed: readonly KeyInfo[], managementKeyId: string | undefined, nowMs: number): KeyInfo[] {
  const tag = secretTag(secretArn);
  return listed.filter(
    (key) =>
      parseMintedKeyDescription(key.description)?.secretTag === tag &&
      key.keyId !== managementKeyId &&
      (key.expiresAt === undefined || key.expiresAt * 1000 > nowMs),
  );
}

/**
 * Revokes every live key minted for one secret (its description carries the secret's tag),
 * for a secret about to be deleted: its stack's Delete, or `retire`. Keys it did not mint
 * (imported from the console) are left alone, as is the management key. Never throws for one
 * key: each failure is reported and the rest go on; a failed listing throws.
 */
export async function revokeKeysMintedFor(
  secretArn: string,
  keyApi: KeyManagementApi,
  management: { readonly apiKey: string; readonly keyId: string | undefined },
  deadline: number,
  nowMs: number,
  /** Key ids not to revoke (reported instead): the keys a secret that lives on still holds. */
  keep: ReadonlySet<string> = new Set(),
): Promise<RevocationReport> {
  const listed = await keyApi.list(management.apiKey, deadline);
  const minted = liveKeysMintedFor(secretArn, listed, management.keyId, nowMs);
  // The keys to keep are matched by their jti, as revokeRetiredKeys matches them.
  if (keep.size > 0 && !listingShowsKeyIds(listed, keep, management.keyId)) {
    logger.warn("Revoked nothing: Momento's listing shows none of the secret's keys, nor the management key, by its id (jti); key ids cannot be matched", {
      secretArn,
      keptKeyIds: [...keep],
    });
    return { revoked: [], failed: [], notRevoked: minted.map((key) => key.keyId) };
  }
  const ours = minted.filter((key) => !keep.has(key.keyId));
  const notRevoked = minted.filter((key) => keep.has(key.keyId)).map((key) => key.keyId);
  const revoked: string[] = [];
  const failed: string[] = [];
  for (const key of ours) {
    try {
      await keyApi.revoke(management.apiKey, key.keyId, deadline);
      revoked.push(key.keyId);
      logger.info('Revoked a key minted for a secret being retired', { keyId: key.keyId, secretArn });
    } catch (error) {
      failed.push(key.keyId);
      logger.warn('Could not revoke a key minted for a secret being retired; revoke it in the Momento console', {
        keyId: key.keyId,
        secretArn,
        error: scrub(error instanceof Error ? `${error.name}: ${error.message}` : String(error)),
      });
    }
  }
  recordRevocations(revoked.length, failed.length);
  return { revoked, failed, ...(notRevoked.length > 0 ? { notRevoked } : {}) };
}
