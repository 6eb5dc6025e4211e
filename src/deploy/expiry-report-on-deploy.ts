import type { Check } from '../doctor/checks.js';
import { logger } from '../observability/logger.js';
import { scrubError } from '../observability/redact.js';
import { InvalidEventError } from '../rotation/errors.js';
import { responseBody, type DeployAnswer, type DeployDeps, type DeployRequest } from './custom-resource.js';
import { answerDelete, type RevokeMinted } from './revoke-on-stack-delete.js';

/**
 * The stack's `DeployTimeReport` custom resource (template.yaml): CloudFormation invokes the
 * function once on create (and on update), before it creates the alarm for a missing expiry
 * report. That alarm counts missing data as breaching, and the 12-hour schedule's first run is
 * up to 12 hours away, so without this a fresh stack would page at once. The function reports,
 * waits until CloudWatch can read the report (EMF metrics appear after the log line is
 * ingested), then answers CloudFormation on the pre-signed ResponseURL. It always answers:
 * a custom resource left unanswered holds the stack until its ServiceTimeout.
 * On Delete it revokes the secret's minted keys when the stack itself is being deleted
 * (revoke-on-stack-delete.ts), and answers SUCCESS whatever happens.
 */
/** What the custom resource does: report on Create and Update, revoke on a stack's Delete. */
export interface DeployActions {
  readonly report: (secretId: string) => Promise<{ daysLeft?: number | undefined }>;
  /** `doctor`'s checks the function can make itself (src/doctor/function-side.ts), logged before the first rotation. */
  readonly doctor?: (secretId: string) => Promise<readonly Check[]>;
  /** Throws what the first rotation's createSecret would throw (rotation-preflight.ts): the deploy fails instead of leaving AWSPENDING stuck. */
  readonly preflight?: (secretId: string) => Promise<void>;
  readonly revokeMinted: RevokeMinted;
}

export async function answerDeployRequest(
  request: DeployRequest,
  { report, revokeMinted, doctor, preflight }: DeployActions,
  publish: () => void,
  deps: DeployDeps,
  deadline: number,
): Promise<DeployAnswer> {
  let answer: DeployAnswer;
  let data: Record<string, string> = {};
  try {
    if (request.RequestType === 'Delete') {
      answer = await answerDelete(request, revokeMinted, deps, deadline);
    } else {
      const secretId = request.ResourceProperties?.SecretId;
      if (typeof secretId !== 'string' || secretId.trim() === '') {
        throw new InvalidEventError('the DeployTimeReport custom resource needs a "SecretId" property (the secret\'s ARN)');
      }
      if (doctor !== undefined) await logChecks(doctor, secretId);
      if (preflight !== undefined) await preflight(secretId);
      const since = deps.now();
      const result = await report(secretId);
      publish(); // the EMF line must reach the log before CloudWatch can show it
      if (result.daysLeft !== undefined) data = { DaysToExpiry: String(result.daysLeft) };
      const visible = await reportVisibleOrWarn(deps, since, deadline, secretId);
      if (visible === false) {
        logger.warn('CloudWatch did not show the expiry report before the deadline; the missing-report alarm may fire once until it does');
      }
      answer = {
        status: 'SUCCESS',
        reason: visible === true ? "Reported the key's expiry" : `Reported the key's expiry (${visible === false ? 'not yet visible in CloudWatch' : 'not confirmed: CloudWatch could not be read'})`,
      };
    }
  } catch (error) {
    // The deploy fails with the reason, which says what to do (a secret the function cannot read
    // would fail every rotation too). The message is scrubbed of secrets like any other.
    const safe = scrubError(error);
    answer = { status: 'FAILED', reason: `${safe.name}: ${safe.message}`.slice(0, 1000) };
    logger.error('Initial expiry report failed', { error: safe });
  }
  await deps.sendResponse(request.ResponseURL, responseBody(request, answer, data));
  logger.info('Answered CloudFormation', { requestType: request.RequestType, status: answer.status });
  return answer;
}

/**
 * A request the function cannot serve because its configuration is invalid (an environment
 * variable out of range: readConfig threw). It is still answered, or CloudFormation would wait
 * out the resource's timeout and a rollback's Delete would likely end in DELETE_FAILED:
 * Create and Update fail with the reason; Delete succeeds, saying what was not done.
 */
export async function answerUnconfigured(request: DeployRequest, error: unknown, deps: Pick<DeployDeps, 'sendResponse'>): Promise<DeployAnswer> {
  const safe = scrubError(error);
  const problem = `${safe.name}: ${safe.message}`;
  const answer: DeployAnswer =
    request.RequestType === 'Delete'
      ? {
          status: 'SUCCESS',
          reason: `The function's configuration is invalid (${problem}), so it did nothing on delete: keys minted for the secret (v2) were not revoked; revoke them with momento-secret-rotation retire.`.slice(0, 1000),
        }
      : { status: 'FAILED', reason: `The function's configuration is invalid: ${problem}`.slice(0, 1000) };
  logger.error('Cannot serve the deploy-time report: the configuration is invalid', { error: safe, requestType: request.RequestType });
  await deps.sendResponse(request.ResponseURL, responseBody(request, answer, {}));
  return answer;
}

/**
 * Whether CloudWatch shows the report; 'unread' when GetMetricData fails (denied by an
 * organisation policy, throttled, unreachable). Waiting for a metric must not block a deploy:
 * the report itself succeeded, so that is a warning, never a FAILED answer.
 */
async function reportVisibleOrWarn(deps: DeployDeps, since: number, deadline: number, secretId: string): Promise<boolean | 'unread'> {
  try {
    return await deps.reportVisible(since, deadline, secretId);
  } catch (error) {
    logger.warn('Could not read the expiry report back from CloudWatch (GetMetricData); the deploy goes on, and the missing-report alarm may fire once', {
      error: scrubError(error),
    });
    return 'unread';
  }
}

/**
 * Logs each of doctor's function-side checks, one line each (fail as an error, warn and not
 * checked as warnings), so that a first deploy whose rotation will fail says why in its log.
 * They never fail the deploy themselves: the report and the rotation that follow do.
 */
async function logChecks(doctor: NonNullable<DeployActions['doctor']>, secretId: string): Promise<void> {
  let checks: readonly Check[];
  try {
    checks = await doctor(secretId);
  } catch (error) {
    logger.warn('doctor could not run its checks at deploy', { error: scrubError(error) });
    return;
  }
  for (const check of checks) {
    const fields = { check: check.id, verdict: check.verdict, saw: check.saw, ...(check.fix ? { fix: check.fix } : {}) };
    if (check.verdict === 'fail') logger.error(`doctor: ${check.id} failed`, fields);
    else if (check.verdict === 'ok') logger.info(`doctor: ${check.id} ok`, fields);
    else logger.warn(`doctor: ${check.id} ${check.verdict}`, fields);
  }
  const failed = checks.filter((c) => c.verdict === 'fail').map((c) => c.id);
  if (failed.length > 0) logger.error('doctor: checks failed at deploy; the first rotation will fail. Run momento-secret-rotation doctor for the fixes', { failed });
}
