import { logger } from '../observability/logger.js';
import { scrubError } from '../observability/redact.js';
import { revokeKeysMintedFor } from '../rotation/retire.js';
import type { RotationDeps } from '../rotation/rotation-deps.js';
import { readManagementKey } from '../rotation/strategies/management-key.js';
import { heldKeyIdsOf, type RevocationReport } from '../rotation/strategies/mint-v2.js';
import type { DeployAnswer, DeployDeps, DeployRequest } from './custom-resource.js';

/**
 * The Delete of the `DeployTimeReport` custom resource: on stack delete, revoke every live key
 * minted for the stack's secret, and say in the stack's log what was revoked and what failed
 * (key ids only). It never blocks the delete: whatever fails, CloudFormation hears SUCCESS.
 *
 * CloudFormation sends Delete in more cases than a stack delete, and the request does not say
 * which ("Delete" in the custom resource request reference:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requesttypes-delete.html
 * — "When the template developer deletes the stack or removes the custom resource from the stack",
 * and "If the value returned [for PhysicalResourceId by an Update] is different, CloudFormation
 * recognizes the update as a replacement and sends a delete request to the old resource"; the
 * request carries the same fields either way). The same Delete comes for the old resource of an
 * update that replaces it (a changed logical id or type), for a resource removed from the
 * template, and for what a failed create or update rolls back. In all of those the secret lives
 * on with the keys its versions hold, so revoking them would take its applications down.
 *
 * What tells them apart is the stack's own status (DescribeStacks, "Stack status codes" in the
 * CloudFormation User Guide): DELETE_IN_PROGRESS is "ongoing removal of one or more stacks";
 * an update's clean-up is UPDATE_COMPLETE_CLEANUP_IN_PROGRESS, a rollback ROLLBACK_IN_PROGRESS,
 * UPDATE_ROLLBACK_IN_PROGRESS or UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS. So keys are
 * revoked only while the stack is DELETE_IN_PROGRESS (a nested stack, as the Serverless
 * Application Repository deploys it, is DELETE_IN_PROGRESS when its parent deletes it). When the
 * status cannot be read, nothing is revoked: a key left valid expires on its own (every minted
 * key does, KeyLifetimeDays), a key wrongly revoked breaks an application at once.
 *
 * In template.yaml (and the construct) the RotationSchedule depends on this resource, so a
 * stack delete removes the schedule first: no rotation starts minting while this revokes.
 */
export const STACK_BEING_DELETED = 'DELETE_IN_PROGRESS';

/** What the Delete revokes with: undefined when the function has no management secret (v1 keys only). */
export type RevokeMinted = ((secretId: string) => Promise<RevocationReport>) | undefined;

export async function answerDelete(request: DeployRequest, revokeMinted: RevokeMinted, deps: DeployDeps, deadline: number): Promise<DeployAnswer> {
  const secretId = request.ResourceProperties?.SecretId;
  if (typeof secretId !== 'string' || secretId.trim() === '') return { status: 'SUCCESS', reason: 'Nothing to delete' };
  if (revokeMinted === undefined) {
    return { status: 'SUCCESS', reason: 'Revoked nothing: the function has no management secret (MOMENTO_MANAGEMENT_SECRET_ARN) to revoke keys with' };
  }
  let timer: NodeJS.Timeout | undefined;
  const outOfTime = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RevocationDeadlineError()), Math.max(0, deadline - deps.now()));
  });
  try {
    return await Promise.race([revokeIfStackDeleted(request, secretId, revokeMinted, deps), outOfTime]);
  } catch (error) {
    const safe = scrubError(error);
    logger.warn("Stack delete: could not revoke the keys minted for the secret; the delete goes on. Revoke them in the Momento console (their descriptions name the secret)", {
      secretId,
      error: `${safe.name}: ${safe.message}`,
    });
    return { status: 'SUCCESS', reason: `Revoked no keys, or only those the log names (${safe.name}: ${safe.message})`.slice(0, 1000) };
  } finally {
    clearTimeout(timer);
  }
}

async function revokeIfStackDeleted(request: DeployRequest, secretId: string, revokeMinted: NonNullable<RevokeMinted>, deps: DeployDeps): Promise<DeployAnswer> {
  let stackStatus: string | undefined;
  try {
    stackStatus = await deps.stackStatus(request.StackId);
  } catch (error) {
    const safe = scrubError(error);
    logger.warn("Revoked nothing: could not read the stack's status, so this Delete could not be told from a replacement's or a rollback's", {
      secretId,
      error: `${safe.name}: ${safe.message}`,
    });
    return { status: 'SUCCESS', reason: `Revoked nothing: could not read the stack's status (${safe.name})` };
  }
  if (stackStatus !== STACK_BEING_DELETED) {
    logger.info('Revoked nothing: the stack is not being deleted (a replacement, a removal from the template or a rollback), so the secret keeps its keys', {
      secretId,
      stackStatus,
    });
    return { status: 'SUCCESS', reason: `Revoked nothing: the stack is ${stackStatus ?? 'not found'}, not being deleted` };
  }
  const { revoked, failed } = await revokeMinted(secretId);
  const summary = { secretId, revoked: [...revoked], failed: [...failed] };
  if (failed.length > 0) logger.warn('Stack delete: revoked the keys minted for the secret, but some failed; revoke those in the Momento console', summary);
  else logger.info('Stack delete: revoked the keys minted for the secret', summary);
  return { status: 'SUCCESS', reason: `Revoked ${revoked.length} key(s) minted for the secret; ${failed.length} could not be revoked` };
}

class RevocationDeadlineError extends Error {
  override readonly name = 'RevocationDeadlineError';
  constructor() {
    super('the invocation ran out of time before the revocations finished');
  }
}

/**
 * Revokes every live key minted for the secret, except the management key. The tag in a minted
 * key's description is made from the secret's complete ARN, and SecretId may be a name (the
 * construct passes a secret imported by name as its name): DescribeSecret gives the ARN. A secret
 * deleted already still has its ARN in SecretId (template.yaml requires the complete ARN).
 */
export async function revokeKeysMintedForSecret(
  secretId: string,
  deps: Pick<RotationDeps, 'secrets' | 'managementSecretId' | 'keyApi' | 'now'>,
  deadline: number,
): Promise<RevocationReport> {
  const management = await readManagementKey(deps);
  let secretArn: string;
  let keep: ReadonlySet<string> = new Set();
  try {
    const secret = await deps.secrets.describe(secretId);
    secretArn = secret.arn;
    // The stack never owned the secret: while it lives on (not scheduled for deletion), the keys its
    // versions hold are in use (a nested stack deleted by its parent's rollback looks like a stack delete,
    // and a secret moved to another stack keeps its keys). Those are reported, not revoked.
    if (secret.deletedDate === undefined) keep = await heldKeyIdsOf(secretId, deps);
  } catch (error) {
    if (!secretId.startsWith('arn:') || !/ResourceNotFound/.test(String((error as { name?: unknown }).name))) throw error;
    secretArn = secretId;
  }
  const report = await revokeKeysMintedFor(secretArn, deps.keyApi, management, deadline, deps.now(), keep);
  if (report.notRevoked !== undefined) {
    logger.warn('Stack delete: kept the keys the secret still holds (it is not scheduled for deletion); revoke them with `momento-secret-rotation retire` before deleting the secret', {
      secretId,
      keptKeyIds: [...report.notRevoked],
    });
  }
  return report;
}
