import { fingerprint } from '../observability/fingerprint.js';

/**
 * The secret's value: the key file the Momento console downloads
 * (`momento_token.info.json`: {"apiKey", "refreshToken", "validUntil"}), plus the
 * variants written by Momento's example refresh Lambda (key under "authToken" or
 * "apiToken", validUntil as a numeric string). Shared by the rotation function, the
 * CLI and the consumer library. Problems name fields, never values.
 */

/** Field names a key may be stored under, preferred first. */
export const KEY_FIELDS = ['apiKey', 'authToken', 'apiToken'] as const;

export interface MomentoKeyFile {
  readonly apiKey: string;
  readonly refreshToken: string | undefined;
  /** Epoch seconds; undefined when the file does not say. */
  readonly validUntil: number | undefined;
  /** Every field as stored, so that a rewrite keeps what the user added (a cache name, say). */
  readonly fields: Readonly<Record<string, unknown>>;
}

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
  return { ok: true, file: { apiKey, refreshToken, validUntil, fields } };
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

/** What may be said of a key in logs and output: a fingerprint, its expiry, and the days left. */
export type KeyDescription = {
  readonly keyFingerprint: string;
  /** ISO 8601; undefined when the file does not say. */
  readonly validUntil: string | undefined;
  readonly daysLeft: number | undefined;
};

export function describeKeyFile(file: Pick<MomentoKeyFile, 'apiKey' | 'validUntil'>, nowMs: number): KeyDescription {
  return {
    keyFingerprint: fingerprint(file.apiKey),
    validUntil: file.validUntil === undefined ? undefined : new Date(file.validUntil * 1000).toISOString(),
    daysLeft: file.validUntil === undefined ? undefined : daysLeft(file.validUntil, nowMs / 1000),
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
function parseLenientJson(text: string): unknown {
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
