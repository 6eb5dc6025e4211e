import type { Context } from 'aws-lambda';
import { readConfig, type RotationConfig } from './config.js';
import { createRotationDeps, deployDeps, type ContainerDeps } from './dependencies.js';
import { isDeployRequest, type DeployDeps } from './deploy/custom-resource.js';
import { answerDeployRequest, answerUnconfigured } from './deploy/expiry-report-on-deploy.js';
import { revokeKeysMintedForSecret } from './deploy/revoke-on-stack-delete.js';
import { checkFirstRotation } from './deploy/rotation-preflight.js';
import { functionSideChecks } from './doctor/function-side.js';
import { logger } from './observability/logger.js';
import { publishMetrics, recordStep, secretIdNamedBy, useSecretDimension } from './observability/metrics.js';
import { rememberSecret, scrubError } from './observability/redact.js';
import { parseFunctionEvent } from './rotation/event.js';
import { reportKeyExpiry } from './rotation/report-expiry.js';
import { rotate } from './rotation/rotate.js';
import type { RotationDeps } from './rotation/rotation-deps.js';

/** How long doctor's function-side checks may take at deploy, of the function's 120 s. */
const DEPLOY_CHECKS_BUDGET_MS = 20_000;

/** Used when there is no Lambda context (local runs): the longest a Lambda may run. */
const DEFAULT_TIME_BUDGET_MS = 15 * 60 * 1000;

/**
 * The Lambda entry point, with its dependencies injectable for tests. A failed step
 * throws, so Secrets Manager sees the failure; the thrown error is scrubbed of secrets.
 */
export function createHandler(getDeps: () => ContainerDeps, unconfiguredDeploy: () => Pick<DeployDeps, 'sendResponse'> = deployDeps) {
  return async (event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>) => {
    const remainingMs = context?.getRemainingTimeInMillis() ?? DEFAULT_TIME_BUDGET_MS;
    rememberSecret((event as { RotationToken?: string } | null)?.RotationToken);
    // Every metric of this invocation is also published under the secret its event names (per-secret alarms).
    useSecretDimension(secretIdNamedBy(event));
    let step: string | undefined;
    let isRotation = true;
    try {
      if (isDeployRequest(event)) {
        isRotation = false;
        let deps: ContainerDeps;
        try {
          deps = getDeps();
        } catch (error) {
          // An invalid configuration (readConfig threw) must not leave CloudFormation waiting.
          return await answerUnconfigured(event, error, unconfiguredDeploy());
        }
        if (!deps.deploy) throw new Error('this container cannot answer CloudFormation');
        logger.appendKeys({ action: 'DeployTimeReport', requestType: event.RequestType });
        const deadline = deps.now() + remainingMs - 5_000;
        const actions = {
          report: (secretId: string) => reportKeyExpiry(secretId, deps, deadline),
          // A budget of their own: what they diagnose (a key API that does not answer) must not
          // eat the time the report and CloudFormation's answer need.
          doctor: (secretId: string) => functionSideChecks(secretId, deps, Math.min(deadline, deps.now() + DEPLOY_CHECKS_BUDGET_MS)),
          preflight: (secretId: string) => checkFirstRotation(secretId, deps),
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
