// CloudFormation's custom resource protocol as the function serves it: the request, the answer,
// and what answering needs. Its own module, so the Create/Update side (expiry-report-on-deploy.ts)
// and the Delete side (revoke-on-stack-delete.ts) both build on it without importing each other.

export interface DeployRequest {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
}

export interface DeployDeps {
  /** PUTs CloudFormation's answer to the pre-signed S3 URL. */
  sendResponse(url: string, body: string): Promise<void>;
  /** Whether CloudWatch returns an ExpiryReported datapoint at or after `since`, asking until `deadline`. */
  reportVisible(since: number, deadline: number, secretId: string): Promise<boolean>;
  /** The stack's StackStatus (DescribeStacks on its id); undefined when CloudFormation returns none. */
  stackStatus(stackId: string): Promise<string | undefined>;
  now(): number;
}

/** CloudFormation's custom resource request, recognised by its fields. */
export function isDeployRequest(input: unknown): input is DeployRequest {
  if (typeof input !== 'object' || input === null) return false;
  const r = input as Record<string, unknown>;
  return typeof r.RequestType === 'string' && typeof r.ResponseURL === 'string' && typeof r.StackId === 'string' && typeof r.RequestId === 'string';
}

export interface DeployAnswer {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly reason: string;
}

/**
 * CloudFormation's response object. A Create that fails keeps the physical id it would have had,
 * so the rollback's Delete names the same resource.
 */
export function responseBody(request: DeployRequest, answer: DeployAnswer, data: Record<string, string>): string {
  return JSON.stringify({
    Status: answer.status,
    Reason: answer.reason,
    PhysicalResourceId: request.PhysicalResourceId ?? `${request.LogicalResourceId}-${request.RequestId}`,
    StackId: request.StackId,
    RequestId: request.RequestId,
    LogicalResourceId: request.LogicalResourceId,
    Data: data,
  });
}
