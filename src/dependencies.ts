import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { RotationConfig } from './config.js';
import type { EndpointOverride } from './momento/endpoint-override.js';
import { HttpKeyManagementApi } from './momento/http-key-management.js';
import type { MomentoApi } from './momento/momento-api.js';
import type { RotationDeps } from './rotation/rotate.js';
import { SecretStore } from './secrets-manager/secret-store.js';

/**
 * What the rotation talks to, built once per container. Secrets Manager calls get
 * their own timeouts, so a hung connection fails one attempt instead of eating the
 * invocation. The Momento SDK is loaded on first use only.
 */
export function createRotationDeps(config: RotationConfig): RotationDeps {
  const client = new SecretsManagerClient({
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 5_000 },
  });
  return {
    secrets: new SecretStore(client),
    momento: lazyMomentoApi(config.momentoEndpointOverride),
    keyApi: new HttpKeyManagementApi({ baseUrl: config.apiKeysUrl }),
    managementSecretId: config.managementSecretId,
    keyLifetimeDays: config.keyLifetimeDays,
    testCacheName: config.testCacheName,
    unstoredValues: new Map(),
    now: Date.now,
  };
}

function lazyMomentoApi(override: EndpointOverride | undefined): MomentoApi {
  let loaded: Promise<MomentoApi> | undefined;
  const load = () =>
    (loaded ??= import('./momento/sdk-momento-api.js').then(({ SdkMomentoApi }) => new SdkMomentoApi(override)));
  return {
    refreshApiKey: async (apiKey, refreshToken) => (await load()).refreshApiKey(apiKey, refreshToken),
    probeApiKey: async (apiKey, cacheName, endpoint) => (await load()).probeApiKey(apiKey, cacheName, endpoint),
  };
}
