import { inspectApiKey } from '../momento/api-key.js';
import { fingerprint } from '../observability/fingerprint.js';
import { rememberSecret } from '../observability/redact.js';
import { describeConflict, describeKeyFile, parseKeyFile } from './key-file.js';

/** What a version holds, described without its secrets. */
export interface VersionReport {
  readonly versionId: string;
  readonly stages: readonly string[];
  readonly created: string | undefined;
  /** key-file: the console's JSON; bare-key: a key as plain text; other: neither. */
  readonly holds: 'key-file' | 'bare-key' | 'other' | 'no-value';
  readonly fingerprint: string | undefined;
  /** v2 keys: Momento's key id (the key's own jti claim) and role (not secrets). */
  readonly keyId?: string;
  /** Where the stored "keyId" or "validUntil" disagrees with the key's own claims, in words (the key wins). */
  readonly conflicts?: readonly string[];
  readonly roleId?: string;
  readonly validUntil: string | undefined;
  readonly daysLeft: number | undefined;
  /** The key's kind (v2 keys are minted and revoked; v1 and legacy keys are refreshed). */
  readonly kind?: 'v1' | 'legacy' | 'v2' | 'unrecognised';
  /** How the rotation function replaces this key: refresh (v1 with its token), mint (v2 with endpoint and role), or not at all. */
  readonly rotatesBy: 'refresh' | 'mint' | undefined;
  /** Whether the rotation function can refresh this key: a v1 key with its refresh token. */
  readonly refreshable: boolean;
  readonly problem: string | undefined;
}

/**
 * What a version's value holds, read as the rotation function reads it: its key's kind,
 * fingerprint, expiry, and whether (and how) the function can rotate it. Every secret in it
 * is remembered for redaction; none is returned. `status`, `status --all`, `doctor` and the
 * function's deploy-time checks read versions through it.
 */
export function describeStoredValue(
  base: { versionId: string; stages: readonly string[]; created: string | undefined },
  secretString: string | undefined,
  now: number,
): VersionReport {
  rememberSecret(secretString);
  const none = { fingerprint: undefined, validUntil: undefined, daysLeft: undefined, refreshable: false, rotatesBy: undefined };
  if (secretString === undefined) {
    return { ...base, ...none, holds: 'no-value', problem: 'no value (a rotation has not stored one yet)' };
  }
  const parsed = parseKeyFile(secretString);
  if (!parsed.ok) {
    const kind = inspectApiKey(secretString.trim()).kind;
    if (parsed.reason === 'not-json' && kind !== 'unrecognised') {
      // A bare v2 key still says its id and expiry (jti, exp); what it lacks is the key file.
      const claims = inspectApiKey(secretString.trim());
      const described = claims.expiresAt === undefined ? undefined : describeKeyFile({ apiKey: secretString.trim(), validUntil: claims.expiresAt }, now);
      const expiry = described === undefined ? {} : { validUntil: described.validUntil, daysLeft: described.daysLeft };
      return {
        ...base,
        ...none,
        ...expiry,
        holds: 'bare-key',
        kind,
        fingerprint: fingerprint(secretString.trim()),
        ...(claims.keyId !== undefined ? { keyId: claims.keyId } : {}),
        problem: kind === 'v2' ? 'a bare v2 key, without the endpoint and role that minting its successor needs' : 'a bare key, without its refresh token',
      };
    }
    return { ...base, ...none, holds: 'other', problem: parsed.problem };
  }
  const file = parsed.file;
  rememberSecret(file.apiKey);
  rememberSecret(file.refreshToken);
  const kind = inspectApiKey(file.apiKey).kind;
  const key = describeKeyFile(file, now);
  const missingV2 = (['endpoint', 'roleId'] as const).filter((f) => file[f] === undefined);
  const problem =
    kind === 'v2'
      ? missingV2.length > 0
        ? `a v2 key without ${missingV2.map((f) => `"${f}"`).join(' and ')}, which minting its successor needs`
        : undefined
      : kind === 'unrecognised'
        ? 'not a Momento API key'
        : file.refreshToken === undefined
          ? 'no refresh token'
          : undefined;
  return {
    ...base,
    holds: 'key-file',
    kind,
    rotatesBy: problem !== undefined ? undefined : kind === 'v2' ? 'mint' : 'refresh',
    fingerprint: key.keyFingerprint,
    ...(key.keyId !== undefined ? { keyId: key.keyId } : {}),
    ...(key.roleId !== undefined ? { roleId: key.roleId } : {}),
    validUntil: key.validUntil,
    daysLeft: key.daysLeft,
    refreshable: problem === undefined && kind !== 'v2',
    problem,
    ...(file.conflicts.length > 0 ? { conflicts: file.conflicts.map(describeConflict) } : {}),
  };
}
