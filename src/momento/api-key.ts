/**
 * What kind of Momento key a string is, decided without the SDK (whose parse errors
 * quote their input). See design/momento-keys.md:
 * - v1: base64 of {"endpoint", "api_key": <jwt>}; refreshed with its refresh token.
 * - legacy: a JWT with "cp"/"c" endpoint claims.
 * - v2: a JWT with claim t = "g". Its claim `jti` is its key id at Momento and `exp` its
 *   expiry (Momento's CLI, momento/src/commands/api_key/decode.rs, reads them so). We mint
 *   v2 keys without a refresh token (exclude_refresh_token), and rotate them by minting.
 */
export type ApiKeyKind = 'v1' | 'legacy' | 'v2' | 'unrecognised';

export interface ApiKeyInfo {
  readonly kind: ApiKeyKind;
  /** The JWT inside the key, which travels on the wire and must be redacted too. */
  readonly innerJwt: string | undefined;
  /** The Momento endpoint a v1 key names (not a secret). */
  readonly endpoint: string | undefined;
  /** v2: the key's id at Momento, its `jti` claim (not a secret); undefined when the key has none. */
  readonly keyId: string | undefined;
  /** v2: the key's expiry, its `exp` claim, in epoch seconds; undefined when the key never expires. */
  readonly expiresAt: number | undefined;
}

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

const UNRECOGNISED: ApiKeyInfo = { kind: 'unrecognised', innerJwt: undefined, endpoint: undefined, keyId: undefined, expiresAt: undefined };

export function inspectApiKey(key: string): ApiKeyInfo {
  if (JWT.test(key)) {
    const claims = decodeJson(key.split('.')[1] ?? '', 'base64url');
    if (claims === undefined) return UNRECOGNISED;
    if (claims.t === 'g') {
      const keyId = typeof claims.jti === 'string' && /^\S+$/.test(claims.jti) ? claims.jti : undefined;
      const expiresAt = typeof claims.exp === 'number' && Number.isFinite(claims.exp) && claims.exp > 0 ? Math.floor(claims.exp) : undefined;
      return { kind: 'v2', innerJwt: key, endpoint: undefined, keyId, expiresAt };
    }
    return { kind: 'legacy', innerJwt: key, endpoint: typeof claims.c === 'string' ? claims.c : undefined, keyId: undefined, expiresAt: undefined };
  }
  const v1 = decodeJson(key, 'base64');
  if (v1 !== undefined && typeof v1.api_key === 'string' && typeof v1.endpoint === 'string' && v1.endpoint !== '') {
    return { kind: 'v1', innerJwt: v1.api_key, endpoint: v1.endpoint, keyId: undefined, expiresAt: undefined };
  }
  return UNRECOGNISED;
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
