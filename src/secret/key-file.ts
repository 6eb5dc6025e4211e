import { inspectApiKey } from '../momento/api-key.js';
import { parseRegionEndpoint } from '../momento/endpoint.js';
import { fingerprint } from '../observability/fingerprint.js';

/**
 * The secret's value, for both key kinds:
 * - v2 (what Momento issues today): {"apiKey", "endpoint", "roleId", "keyId", "validUntil"}.
 *   `endpoint` is the region base endpoint for `CredentialProvider.fromApiKeyV2` (any form a
 *   user pastes is read as its base); `roleId` gives the successor the same role. The key id
 *   and expiry are the key's own claims (`jti`, `exp`): a stored "keyId" or "validUntil"
 *   that disagrees is reported as a conflict and the key wins, because a mistyped id would
 *   name another application's key for revocation.
 * - v1 (deprecated): the key file the Momento console downloads
 *   (`momento_token.info.json`: {"apiKey", "refreshToken", "validUntil"}), plus the
 *   variants written by Momento's example refresh Lambda (key under "authToken" or
 *   "apiToken", validUntil as a numeric string).
 * Shared by the rotation function, the CLI and the consumer library. Problems name
 * fields, never values.
 */

/** Field names a key may be stored under, preferred first. */
export const KEY_FIELDS = ['apiKey', 'authToken', 'apiToken'] as const;

export interface MomentoKeyFile {
  readonly apiKey: string;
  readonly refreshToken: string | undefined;
  /** Epoch seconds; undefined when the file does not say. */
  readonly validUntil: number | undefined;
  /** v2: the region base endpoint (e.g. cell-4-us-west-2-1.prod.a.momentohq.com). */
  readonly endpoint: string | undefined;
  /** v2: the Momento role the key is bound to; its successor gets the same. */
  readonly roleId: string | undefined;
  /**
   * v2: Momento's id for the key, by which it is revoked (not a secret): the key's own `jti`
   * claim, never the stored "keyId". Undefined for a v2 key without one (never revoked by
   * id) and for every other kind of key.
   */
  readonly keyId: string | undefined;
  /** Where the stored fields disagree with the key's own claims; the key's claims won. */
  readonly conflicts: readonly KeyFileConflict[];
  /** Every field as stored, so that a rewrite keeps what the user added (a cache name, say). */
  readonly fields: Readonly<Record<string, unknown>>;
}

export type KeyFileConflict =
  | { readonly field: 'keyId'; readonly stored: string; readonly fromKey: string | undefined }
  | { readonly field: 'validUntil'; readonly stored: number; readonly fromKey: number };

export type KeyFileParse =
  | { readonly ok: true; readonly file: MomentoKeyFile }
  | { readonly ok: false; readonly reason: 'not-json'; readonly problem: string }
  | { readonly ok: false; readonly reason: 'invalid'; readonly problem: string };

export function parseKeyFile(secretString: string): KeyFileParse {
  const parsed = parseLenientJson(secretString);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, reason: 'not-json', problem: 'the value is not a JSON object' };
  }
  const fields = parsed as Record<string, unknown>;

  const present = KEY_FIELDS.filter((f) => fields[f] !== undefined && fields[f] !== null);
  if (present.length === 0) {
    return invalid(`it has none of the fields ${KEY_FIELDS.map((f) => `"${f}"`).join(', ')}`);
  }
  const values = present.map((f) => fields[f]);
  if (values.some((v) => typeof v !== 'string' || v.trim() === '')) {
    return invalid(`"${present[0]}" must be a non-empty string`);
  }
  if (new Set(values).size > 1) {
    return invalid(`${present.map((f) => `"${f}"`).join(' and ')} hold different keys; keep only "apiKey"`);
  }
  const apiKey = (values[0] as string).trim();

  const rawRefresh = fields.refreshToken;
  if (rawRefresh !== undefined && rawRefresh !== null && typeof rawRefresh !== 'string') {
    return invalid('"refreshToken" must be a string');
  }
  const refreshToken = typeof rawRefresh === 'string' && rawRefresh.trim() !== '' ? rawRefresh.trim() : undefined;

  const validUntil = parseValidUntil(fields.validUntil);
  if (validUntil === 'invalid') {
    return invalid('"validUntil" must be epoch seconds (a number, or a string of digits)');
  }
  const v2Fields: Partial<Record<(typeof V2_FIELDS)[number], string>> = {};
  for (const field of V2_FIELDS) {
    const raw = fields[field];
    if (raw === undefined || raw === null) continue;
    if (typeof raw !== 'string') return invalid(`"${field}" must be a string`);
    if (raw.trim() !== '') v2Fields[field] = raw.trim();
  }
  const { roleId, keyId: storedKeyId } = v2Fields;
  let endpoint = v2Fields.endpoint;
  if (endpoint !== undefined) {
    // Unquoted: the value came from a secret, and may be a key pasted into the wrong field.
    const base = parseRegionEndpoint(endpoint, '"endpoint"', false);
    if (!base.ok) return invalid(base.problem);
    endpoint = base.endpoint;
  }
  const key = inspectApiKey(apiKey);
  if (key.kind !== 'v2') {
    return { ok: true, file: { apiKey, refreshToken, validUntil, endpoint, roleId, keyId: undefined, conflicts: [], fields } };
  }
  const conflicts: KeyFileConflict[] = [];
  if (storedKeyId !== undefined && storedKeyId !== key.keyId) conflicts.push({ field: 'keyId', stored: storedKeyId, fromKey: key.keyId });
  if (validUntil !== undefined && key.expiresAt !== undefined && validUntil !== key.expiresAt) {
    conflicts.push({ field: 'validUntil', stored: validUntil, fromKey: key.expiresAt });
  }
  return {
    ok: true,
    file: { apiKey, refreshToken, validUntil: key.expiresAt ?? validUntil, endpoint, roleId, keyId: key.keyId, conflicts, fields },
  };
}

/** A conflict in words for logs and output: ids and dates only, never the key. */
export function describeConflict(conflict: KeyFileConflict): string {
  if (conflict.field === 'keyId') {
    // A stored "keyId" is quoted only when it looks like one: a value edited by hand may be a key.
    const stored = /^[A-Za-z0-9_-]{1,64}$/.test(conflict.stored) ? conflict.stored : 'something that is not a key id (not shown)';
    return conflict.fromKey === undefined
      ? `"keyId" says ${stored}, but the key has no key id (jti claim): it is never revoked by id.`
      : `"keyId" says ${stored}, but the key's own id (its jti claim) is ${conflict.fromKey}; the key's id is used.`;
  }
  const iso = (s: number) => new Date(s * 1000).toISOString();
  return `"validUntil" says ${iso(conflict.stored)}, but the key expires at ${iso(conflict.fromKey)} (its exp claim); the key's expiry is used.`;
}

const V2_FIELDS = ['endpoint', 'roleId', 'keyId'] as const;

/**
 * The key a stored value holds, whatever else is wrong with it: a key file's key (even when
 * another field is in error, an endpoint with a port, say), or the text itself (a bare key).
 * What kind of key it is, if any, is for inspectApiKey to say.
 */
export function apiKeyIn(secretString: string): string {
  const parsed = parseKeyFile(secretString);
  if (parsed.ok) return parsed.file.apiKey;
  if (parsed.reason === 'not-json') return secretString.trim();
  const fields = parseLenientJson(secretString) as Record<string, unknown>;
  const found = KEY_FIELDS.map((f) => fields[f]).find((v): v is string => typeof v === 'string');
  return found?.trim() ?? '';
}

/**
 * The value to store after minting a v2 successor: the documented v2 shape, with every
 * other field the user stored kept as it was. A refresh token (left from a v1 key being
 * migrated) is dropped: the keys we mint have none (we ask for none).
 */
export function keyFileAfterMint(
  previous: MomentoKeyFile,
  minted: { apiKey: string; endpoint: string; roleId: string; keyId: string | undefined; validUntil: number | undefined },
): string {
  const next: Record<string, unknown> = { ...previous.fields };
  for (const field of [...KEY_FIELDS, 'refreshToken', 'keyId']) delete next[field];
  Object.assign(next, { apiKey: minted.apiKey, endpoint: minted.endpoint, roleId: minted.roleId });
  if (minted.keyId !== undefined) next.keyId = minted.keyId;
  if (minted.validUntil === undefined) delete next.validUntil;
  else next.validUntil = minted.validUntil;
  return JSON.stringify(next);
}

/**
 * The value to store after a refresh: the documented shape (key under "apiKey",
 * numeric validUntil), with every other field the user stored kept as it was.
 */
export function keyFileAfterRefresh(
  previous: MomentoKeyFile,
  refreshed: { apiKey: string; refreshToken: string; validUntil: number | undefined },
): string {
  const next: Record<string, unknown> = { ...previous.fields };
  for (const field of KEY_FIELDS) delete next[field];
  next.apiKey = refreshed.apiKey;
  next.refreshToken = refreshed.refreshToken;
  if (refreshed.validUntil === undefined) delete next.validUntil;
  else next.validUntil = refreshed.validUntil;
  return JSON.stringify(next);
}

/**
 * What may be said of a key in logs and output: a fingerprint, its expiry, the days
 * left, and for v2 keys their key id and role (Momento's identifiers, not secrets).
 */
export type KeyDescription = {
  readonly keyFingerprint: string;
  /** ISO 8601; undefined when the file does not say. */
  readonly validUntil: string | undefined;
  readonly daysLeft: number | undefined;
  readonly keyId?: string;
  readonly roleId?: string;
};

export function describeKeyFile(
  file: Pick<MomentoKeyFile, 'apiKey' | 'validUntil'> & Partial<Pick<MomentoKeyFile, 'keyId' | 'roleId'>>,
  nowMs: number,
): KeyDescription {
  return {
    keyFingerprint: fingerprint(file.apiKey),
    validUntil: file.validUntil === undefined ? undefined : new Date(file.validUntil * 1000).toISOString(),
    daysLeft: file.validUntil === undefined ? undefined : daysLeft(file.validUntil, nowMs / 1000),
    ...(file.keyId !== undefined ? { keyId: file.keyId } : {}),
    ...(file.roleId !== undefined ? { roleId: file.roleId } : {}),
  };
}

/** Whole days from `nowSeconds` to `validUntil` (negative once expired). */
export function daysLeft(validUntil: number, nowSeconds: number): number {
  return Math.floor((validUntil - nowSeconds) / 86_400);
}

function invalid(problem: string): KeyFileParse {
  return { ok: false, reason: 'invalid', problem };
}

function parseValidUntil(raw: unknown): number | undefined | 'invalid' {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n) || n < 0) return 'invalid';
  // 0 is how "never expires" comes back from Momento: no expiry to report.
  if (n === 0) return undefined;
  // Milliseconds by mistake? Epoch seconds stay below 1e11 until the year 5138.
  return n > 1e11 ? Math.floor(n / 1000) : Math.floor(n);
}

/** JSON.parse that also takes the trailing commas hand-edited secrets sometimes carry. */
/** JSON.parse, forgiving trailing commas (values typed by hand in the console). */
export function parseLenientJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    try {
      return JSON.parse(text.replace(/,(\s*[}\]])/g, '$1'));
    } catch {
      return undefined;
    }
  }
}
