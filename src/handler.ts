import type { Context } from 'aws-lambda';
import { readConfig } from './config.js';
import { createRotationDeps } from './dependencies.js';
import { logger } from './observability/logger.js';
import { rememberSecret, scrubError } from './observability/redact.js';
import { parseRotationEvent } from './rotation/event.js';
import { rotate, type RotationDeps, type StepResult } from './rotation/rotate.js';

/** Used when there is no Lambda context (local runs): the longest a Lambda may run. */
const DEFAULT_TIME_BUDGET_MS = 15 * 60 * 1000;

/**
 * The Lambda entry point, with its dependencies injectable for tests. A failed step
 * throws, so Secrets Manager sees the failure; the thrown error is scrubbed of secrets.
 */
export function createHandler(getDeps: () => RotationDeps) {
  return async (event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<StepResult> => {
    const remainingMs = context?.getRemainingTimeInMillis() ?? DEFAULT_TIME_BUDGET_MS;
    rememberSecret((event as { RotationToken?: string } | null)?.RotationToken);
    try {
      const rotationEvent = parseRotationEvent(event);
      logger.appendKeys({
        step: rotationEvent.Step,
        secretId: rotationEvent.SecretId,
        clientRequestToken: rotationEvent.ClientRequestToken,
      });
      const deps = getDeps();
      const result = await rotate(rotationEvent, deps, deps.now() + remainingMs);
      logger.info('Step succeeded', { outcome: result.outcome });
      return result;
    } catch (error) {
      const safe = scrubError(error);
      logger.error('Step failed', { error: safe });
      throw safe;
    } finally {
      logger.resetKeys();
    }
  };
}

let containerDeps: RotationDeps | undefined;

export const handler = createHandler(() => (containerDeps ??= createRotationDeps(readConfig())));
