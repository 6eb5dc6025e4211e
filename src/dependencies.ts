import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { RotationConfig } from './config.js';
import type { DeployDeps } from './deploy/custom-resource.js';
import type { EndpointOverride } from './momento/endpoint-override.js';
import { HttpKeyManagementApi } from './momento/http-key-management.js';
import type { MomentoApi } from './momento/momento-api.js';
import type { RotationDeps } from './rotation/rotation-deps.js';
import { SecretStore } from './secrets-manager/secret-store.js';
import { EXPIRY_REPORTED, metricsTarget, SECRET_DIMENSION } from './observability/metrics.js';

/** What one container holds: the rotation's dependencies, and what the deploy-time report needs. */
export interface ContainerDeps extends RotationDeps {
  readonly deploy?: DeployDeps;
}

/**
 * What the rotation talks to, built once per container. Secrets Manager calls get
 * their own timeouts, so a hung connection fails one attempt instead of eating the
 * invocation. The Momento SDK is loaded on first use only.
 */
export function createRotationDeps(config: RotationConfig): ContainerDeps {
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
    revokeImportedKeys: config.revokeImportedKeys,
    testCacheName: config.testCacheName,
    unstoredValues: new Map(),
    now: Date.now,
    deploy: deployDeps(),
  };
}

/** CloudFormation's answer goes by HTTPS PUT to a pre-signed S3 URL, with no content type (as cfn-response sends it). */
export function deployDeps(): DeployDeps {
  return {
    async sendResponse(url, body) {
      const response = await fetch(url, { method: 'PUT', body, headers: { 'content-type': '' }, signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`CloudFormation's response URL answered HTTP ${response.status}`);
    },
    async reportVisible(since, deadline, secretId) {
      // Loaded here only: no rotation step parses the CloudWatch client.
      const { CloudWatchClient, GetMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
      // Timeouts as the other clients': in a VPC with no route to CloudWatch a call would
      // otherwise hang until the function's timeout, leaving CloudFormation unanswered.
      const client = new CloudWatchClient({ maxAttempts: 3, requestHandler: { connectionTimeout: 3_000, requestTimeout: 5_000 } });
      try {
        while (Date.now() < deadline) {
          const { MetricDataResults } = await client.send(
            new GetMetricDataCommand({
              StartTime: new Date(since - 5 * 60_000),
              EndTime: new Date(Date.now() + 60_000),
              MetricDataQueries: [
                {
                  Id: 'reported',
                  MetricStat: {
                    // This secret's own report (its SecretId dimension): on a function rotating
                    // several secrets, another secret's report must not end this one's wait.
                    Metric: {
                      Namespace: metricsTarget.namespace,
                      MetricName: EXPIRY_REPORTED,
                      Dimensions: [
                        { Name: 'service', Value: metricsTarget.service },
                        { Name: SECRET_DIMENSION, Value: secretId },
                      ],
                    },
                    Period: 60,
                    Stat: 'Sum',
                  },
                },
              ],
            }),
          );
          if ((MetricDataResults?.[0]?.Values ?? []).some((v) => v > 0)) return true;
          await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, Math.max(0, deadline - Date.now()))));
        }
        return false;
      } finally {
        client.destroy();
      }
    },
    async stackStatus(stackId) {
      // Loaded here only, as CloudWatch's: a stack's Delete is the one caller. By the stack's
      // unique id, which DescribeStacks answers for a stack being deleted (and the role grants).
      const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
      const client = new CloudFormationClient({ maxAttempts: 3, requestHandler: { connectionTimeout: 3_000, requestTimeout: 5_000 } });
      try {
        const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackId }));
        return Stacks?.[0]?.StackStatus;
      } finally {
        client.destroy();
      }
    },
    now: Date.now,
  };
}

function lazyMomentoApi(override: EndpointOverride | undefined): MomentoApi {
  let loaded: Promise<MomentoApi> | undefined;
  // The SDK is imported here too, so that the build gives it a chunk of its own, apart from
  // our sdk-momento-api.ts: a chunk of dependencies only, which ships without a source map
  // (scripts/build.mjs). Both load in parallel.
  const load = () =>
    (loaded ??= Promise.all([import('@gomomento/sdk'), import('./momento/sdk-momento-api.js')]).then(
      ([, { SdkMomentoApi }]) => new SdkMomentoApi(override),
    ));
  return {
    refreshApiKey: async (apiKey, refreshToken) => (await load()).refreshApiKey(apiKey, refreshToken),
    probeApiKey: async (apiKey, cacheName, endpoint) => (await load()).probeApiKey(apiKey, cacheName, endpoint),
  };
}
