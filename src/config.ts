import { parseEndpointOverride, type EndpointOverride } from './momento/endpoint-override.js';
import { ConfigurationError } from './rotation/errors.js';

/**
 * The function's settings, from its environment. AWS_ENDPOINT_URL_SECRETS_MANAGER,
 * POWERTOOLS_* and LOG_LEVEL are read by the AWS SDK and Powertools themselves.
 */
export interface RotationConfig {
  /** MOMENTO_ENDPOINT_OVERRIDE: one loopback host:port for every Momento call, over plaintext gRPC. */
  readonly momentoEndpointOverride: EndpointOverride | undefined;
  /** MOMENTO_TEST_CACHE_NAME: testSecret probes with `get` in this cache instead of `listCaches`. */
  readonly testCacheName: string | undefined;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): RotationConfig {
  let momentoEndpointOverride: EndpointOverride | undefined;
  const rawOverride = env.MOMENTO_ENDPOINT_OVERRIDE?.trim();
  if (rawOverride) {
    const parsed = parseEndpointOverride(rawOverride);
    if (!parsed.ok) throw new ConfigurationError(parsed.problem);
    momentoEndpointOverride = parsed.override;
  }
  const testCacheName = env.MOMENTO_TEST_CACHE_NAME?.trim() || undefined;
  return { momentoEndpointOverride, testCacheName };
}
