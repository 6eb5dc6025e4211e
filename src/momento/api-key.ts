/**
 * What kind of Momento key a string is, decided without the SDK (whose parse errors
 * quote their input). See design/momento-keys.md:
 * - v1: base64 of {"endpoint", "api_key": <jwt>}; the only kind that refreshes.
 * - legacy: a JWT with "cp"/"c" endpoint claims.
 * - v2: a JWT with claim t = "g"; has no refresh token.
 */
export type ApiKeyKind = 'v1' | 'legacy' | 'v2' | 'unrecognised';

export interface ApiKeyInfo {
  readonly kind: ApiKeyKind;
  /** The JWT inside the key, which travels on the wire and must be redacted too. */
  readonly innerJwt: string | undefined;
  /** The Momento endpoint a v1 key names (not a secret). */
  readonly endpoint: string | undefined;
}

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function inspectApiKey(key: string): ApiKeyInfo {
  if (JWT.test(key)) {
    const claims = decodeJson(key.split('.')[1] ?? '', 'base64url');
    if (claims === undefined) return { kind: 'unrecognised', innerJwt: undefined, endpoint: undefined };
    if (claims.t === 'g') return { kind: 'v2', innerJwt: key, endpoint: undefined };
    return { kind: 'legacy', innerJwt: key, endpoint: typeof claims.c === 'string' ? claims.c : undefined };
  }
  const v1 = decodeJson(key, 'base64');
  if (v1 !== undefined && typeof v1.api_key === 'string' && typeof v1.endpoint === 'string' && v1.endpoint !== '') {
    return { kind: 'v1', innerJwt: v1.api_key, endpoint: v1.endpoint };
  }
  return { kind: 'unrecognised', innerJwt: undefined, endpoint: undefined };
}

function decodeJson(text: string, encoding: 'base64' | 'base64url'): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, encoding).toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
