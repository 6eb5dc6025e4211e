import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * CloudWatch metrics in Embedded Metric Format: written to the log, no API calls.
 * Namespace and service come from POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME
 * (template.yaml sets the service to the stack name, the alarms' dimension).
 */
export const METRICS_NAMESPACE = 'MomentoSecretRotation';

/** Where the metrics land: the namespace, and the `service` dimension the alarms select. */
export const metricsTarget = {
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  service: process.env.POWERTOOLS_SERVICE_NAME ?? 'momento-secret-rotation',
};

export const metrics = new Metrics({ namespace: metricsTarget.namespace, serviceName: metricsTarget.service });

/**
 * StepSucceeded / StepFailed: once per service (for alarms), and once per step (for
 * dashboards). A malformed event has no step and counts once, as a failure.
 */
export function recordStep(step: string | undefined, succeeded: boolean): void {
  const name = succeeded ? 'StepSucceeded' : 'StepFailed';
  metrics.addMetric(name, MetricUnit.Count, 1);
  if (step === undefined) return;
  const perStep = metrics.singleMetric();
  perStep.addDimension('Step', step);
  perStep.addMetric(name, MetricUnit.Count, 1);
}

/** Publishes what this invocation recorded (nothing, without a warning, when it recorded nothing). */
export function publishMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
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
