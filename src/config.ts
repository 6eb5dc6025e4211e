import { parseEndpointOverride, type EndpointOverride } from './momento/endpoint-override.js';
import { parseApiKeysUrl } from './momento/http-key-management.js';
import { ConfigurationError, InsecureKeyApiUrlError } from './rotation/errors.js';

/**
 * The function's settings, from its environment. AWS_ENDPOINT_URL_SECRETS_MANAGER,
 * POWERTOOLS_* and LOG_LEVEL are read by the AWS SDK and Powertools themselves.
 */
export interface RotationConfig {
  /** MOMENTO_ENDPOINT_OVERRIDE: one loopback host:port for every Momento call, over plaintext gRPC. */
  readonly momentoEndpointOverride: EndpointOverride | undefined;
  /** MOMENTO_TEST_CACHE_NAME: testSecret probes with `get` in this cache instead of `listCaches`. */
  readonly testCacheName: string | undefined;
  /** MOMENTO_MANAGEMENT_SECRET_ARN: the secret holding the key that mints and revokes v2 keys. */
  readonly managementSecretId: string | undefined;
  /** MOMENTO_API_KEYS_URL: base URL of Momento's key-management API. */
  readonly apiKeysUrl: string;
  /** MOMENTO_KEY_LIFETIME_DAYS: lifetime of minted keys, 1 to 365 (default 30). */
  readonly keyLifetimeDays: number;
  /**
   * MOMENTO_REVOKE_IMPORTED_KEYS=true (the RevokeImportedKeys parameter): also revoke a retired
   * key this function did not mint (imported from the console). Off by default: such a key may
   * be held elsewhere too (another secret, a promoted replica), and revoking it would take
   * that down. Nothing else decides this.
   */
  readonly revokeImportedKeys: boolean;
}

export const DEFAULT_KEY_LIFETIME_DAYS = 30;

export function readConfig(env: NodeJS.ProcessEnv = process.env): RotationConfig {
  let momentoEndpointOverride: EndpointOverride | undefined;
  const rawOverride = env.MOMENTO_ENDPOINT_OVERRIDE?.trim();
  if (rawOverride) {
    const parsed = parseEndpointOverride(rawOverride);
    if (!parsed.ok) throw new ConfigurationError(parsed.problem);
    momentoEndpointOverride = parsed.override;
  }
  const testCacheName = env.MOMENTO_TEST_CACHE_NAME?.trim() || undefined;
  const managementSecretId = env.MOMENTO_MANAGEMENT_SECRET_ARN?.trim() || undefined;
  const apiKeysUrl = parseApiKeysUrl(env.MOMENTO_API_KEYS_URL);
  if (!apiKeysUrl.ok) {
    throw apiKeysUrl.insecure ? new InsecureKeyApiUrlError(apiKeysUrl.problem) : new ConfigurationError(apiKeysUrl.problem);
  }
  const rawLifetime = env.MOMENTO_KEY_LIFETIME_DAYS?.trim();
  const keyLifetimeDays = rawLifetime ? Number(rawLifetime) : DEFAULT_KEY_LIFETIME_DAYS;
  if (!/^\d+$/.test(rawLifetime ?? '30') || keyLifetimeDays < 1 || keyLifetimeDays > 365) {
    throw new ConfigurationError(
      `MOMENTO_KEY_LIFETIME_DAYS must be a whole number of days from 1 to 365 (every minted key expires), got "${rawLifetime}"`,
    );
  }
  const revokeImportedKeys = env.MOMENTO_REVOKE_IMPORTED_KEYS?.trim() === 'true';
  return { momentoEndpointOverride, testCacheName, managementSecretId, apiKeysUrl: apiKeysUrl.url, keyLifetimeDays, revokeImportedKeys };
}
