import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * CloudWatch metrics in Embedded Metric Format: written to the log, no API calls.
 * Namespace and service come from POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME
 * (template.yaml sets the service to the stack name).
 *
 * Each metric is published twice over, in one EMF line: under `service` alone (what the function
 * does for all its secrets: the dashboard's totals, the revocation alarm) and, when the invocation
 * names its secret, under `service` and `SecretId` (the per-secret expiry alarms and graphs: one
 * function may rotate several secrets, and one secret's missing report must not hide behind
 * another's). CloudWatch alarms match a dimension set exactly, so each alarm names one of these.
 */
export const METRICS_NAMESPACE = 'MomentoSecretRotation';

/** Where the metrics land: the namespace, and the `service` dimension every metric carries. */
export const metricsTarget = {
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  service: process.env.POWERTOOLS_SERVICE_NAME ?? 'momento-secret-rotation',
};

/** The per-secret dimension: the secret as the invocation's event names it (Secrets Manager's rotation events and template.yaml name its ARN). */
export const SECRET_DIMENSION = 'SecretId';

/** CloudWatch's limit on a dimension value's length. */
const MAX_DIMENSION_VALUE_LENGTH = 1024;

export const metrics = new Metrics({ namespace: metricsTarget.namespace, serviceName: metricsTarget.service });

/** The secret this invocation's metrics are also published under; undefined: `service` alone. */
let invocationSecretId: string | undefined;

/**
 * The secret an event names: `SecretId` (rotation steps, ReportKeyExpiry) or
 * `ResourceProperties.SecretId` (the deploy-time custom resource); undefined for anything else.
 */
export function secretIdNamedBy(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const e = event as { SecretId?: unknown; ResourceProperties?: { SecretId?: unknown } | null };
  const id = typeof e.SecretId === 'string' ? e.SecretId : e.ResourceProperties?.SecretId;
  return typeof id === 'string' && id.trim() !== '' && id.length <= MAX_DIMENSION_VALUE_LENGTH ? id : undefined;
}

/**
 * Publishes this invocation's metrics under `secretId` too (and under `service` alone), or under
 * `service` alone when undefined. Call it once at the start of every invocation: it replaces what
 * the previous invocation of a warm container set.
 */
export function useSecretDimension(secretId: string | undefined): void {
  invocationSecretId = secretId;
  applySecretDimension();
}

function applySecretDimension(): void {
  metrics.clearDimensions();
  if (invocationSecretId === undefined) return;
  // Two dimension sets on the stored metrics: `service` alone (an empty set adds nothing to the
  // default dimension) and `service` with the secret.
  metrics.addDimensions({});
  metrics.addDimensions({ [SECRET_DIMENSION]: invocationSecretId });
}

/**
 * StepSucceeded / StepFailed: once per service (and secret), for alarms and totals, and once per
 * step (and secret), for the dashboard. A malformed event has no step and counts once, as a failure.
 */
export function recordStep(step: string | undefined, succeeded: boolean): void {
  const name = succeeded ? 'StepSucceeded' : 'StepFailed';
  metrics.addMetric(name, MetricUnit.Count, 1);
  if (step === undefined) return;
  const perStep = metrics.singleMetric();
  // Step with `service` as the default dimensions, so that each set below carries both (a key in
  // two places makes Powertools warn on every step).
  perStep.setDefaultDimensions({ Step: step });
  if (invocationSecretId !== undefined) {
    perStep.addDimensions({});
    perStep.addDimensions({ [SECRET_DIMENSION]: invocationSecretId });
  }
  perStep.addMetric(name, MetricUnit.Count, 1);
}

/**
 * Publishes what this invocation recorded so far (nothing, without a warning, when it recorded
 * nothing). Powertools clears the dimensions when it publishes; the invocation's secret is put
 * back, so what is recorded after a publish (the deploy-time report publishes before it waits
 * for CloudWatch) still lands under it.
 */
export function publishMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  applySecretDimension();
}

/** Days before AWSCURRENT's key expires: the expiry alarm watches this. */
export function recordDaysToExpiry(days: number): void {
  metrics.addMetric('DaysToExpiry', MetricUnit.NoUnit, days);
}

/**
 * One per expiry report, whether or not the key expires: the missing-report alarm watches
 * this, so a schedule or function that silently stopped still pages someone.
 */
export const EXPIRY_REPORTED = 'ExpiryReported';
export function recordExpiryReported(): void {
  metrics.addMetric(EXPIRY_REPORTED, MetricUnit.Count, 1);
}

/** v2 keys revoked after a promotion or an expiry report, and revocations that failed (to be retried). */
export function recordRevocations(revoked: number, failed: number): void {
  if (revoked > 0) metrics.addMetric('KeysRevoked', MetricUnit.Count, revoked);
  if (failed > 0) metrics.addMetric('RevocationFailed', MetricUnit.Count, failed);
}

/**
 * Retired keys left valid on purpose: imported keys (RevokeImportedKeys off), keys minted for
 * another secret, keys named only by an unverifiable description. Each is logged with its key id.
 */
export function recordRetiredKeysNotRevoked(count: number): void {
  if (count > 0) metrics.addMetric('RetiredKeyNotRevoked', MetricUnit.Count, count);
}

/**
 * Retired keys whose revocation waits because a replica of the secret is not InSync (it may
 * still serve the key): retried by the next pass. Counted, so a replica stuck out of sync shows.
 */
export function recordRevocationPostponed(count: number): void {
  if (count > 0) metrics.addMetric('RevocationPostponed', MetricUnit.Count, count);
}
