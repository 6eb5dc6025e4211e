import type { Context } from 'aws-lambda';
import { readConfig, type RotationConfig } from './config.js';
import { createRotationDeps, type ContainerDeps } from './dependencies.js';
import { answerDeployRequest, isDeployRequest } from './deploy/expiry-report-on-deploy.js';
import { revokeKeysMintedForSecret } from './deploy/revoke-on-stack-delete.js';
import { functionSideChecks } from './doctor/function-side.js';
import { logger } from './observability/logger.js';
import { publishMetrics, recordStep } from './observability/metrics.js';
import { rememberSecret, scrubError } from './observability/redact.js';
import { parseFunctionEvent } from './rotation/event.js';
import { reportKeyExpiry } from './rotation/report-expiry.js';
import { rotate, type RotationDeps } from './rotation/rotate.js';

/** Used when there is no Lambda context (local runs): the longest a Lambda may run. */
const DEFAULT_TIME_BUDGET_MS = 15 * 60 * 1000;

/**
 * The Lambda entry point, with its dependencies injectable for tests. A failed step
 * throws, so Secrets Manager sees the failure; the thrown error is scrubbed of secrets.
 */
export function createHandler(getDeps: () => ContainerDeps) {
  return async (event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>) => {
    const remainingMs = context?.getRemainingTimeInMillis() ?? DEFAULT_TIME_BUDGET_MS;
    rememberSecret((event as { RotationToken?: string } | null)?.RotationToken);
    let step: string | undefined;
    let isRotation = true;
    try {
      if (isDeployRequest(event)) {
        isRotation = false;
        const deps = getDeps();
        if (!deps.deploy) throw new Error('this container cannot answer CloudFormation');
        logger.appendKeys({ action: 'InitialExpiryReport', requestType: event.RequestType });
        const deadline = deps.now() + remainingMs - 5_000;
        const actions = {
          report: (secretId: string) => reportKeyExpiry(secretId, deps, deadline),
          doctor: (secretId: string) => functionSideChecks(secretId, deps, deadline),
          // v2 keys only: without a management secret the function mints nothing and can revoke nothing.
          revokeMinted: deps.managementSecretId === undefined ? undefined : (secretId: string) => revokeKeysMintedForSecret(secretId, deps, deadline),
        };
        return await answerDeployRequest(event, actions, publishMetrics, deps.deploy, deadline);
      }
      const parsed = parseFunctionEvent(event);
      const deps = getDeps();
      if (parsed.kind === 'report-expiry') {
        isRotation = false;
        logger.appendKeys({ action: 'ReportKeyExpiry', secretId: parsed.secretId });
        return await reportKeyExpiry(parsed.secretId, deps, deps.now() + remainingMs - 1_500);
      }
      const rotationEvent = parsed.event;
      step = rotationEvent.Step;
      logger.appendKeys({ step, secretId: rotationEvent.SecretId, clientRequestToken: rotationEvent.ClientRequestToken });
      const result = await rotate(rotationEvent, deps, deps.now() + remainingMs);
      recordStep(step, true);
      logger.info('Step succeeded', { outcome: result.outcome });
      return result;
    } catch (error) {
      if (isRotation) recordStep(step, false);
      const safe = scrubError(error);
      logger.error('Step failed', { error: safe });
      throw safe;
    } finally {
      publishMetrics();
      logger.resetKeys();
    }
  };
}

/**
 * A handler with clients and memory of its own, made on first use from the environment (and
 * `overrides`): what one Lambda container has. The integration tests, the demo and the
 * benchmark make their containers with it from the built artifact, the one SAM deploys.
 */
export function createContainerHandler(overrides: Partial<RotationConfig> = {}) {
  let deps: ContainerDeps | undefined;
  return createHandler(() => (deps ??= createRotationDeps({ ...readConfig(), ...overrides })));
}

export const handler = createContainerHandler();
