import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  EXPIRY_REPORTED,
  metrics,
  metricsTarget,
  publishMetrics,
  recordDaysToExpiry,
  recordExpiryReported,
  recordRevocationPostponed,
  recordRevocations,
  recordStep,
  SECRET_DIMENSION,
  secretIdNamedBy,
  useSecretDimension,
} from '../../src/observability/metrics.js';

// Metrics are Embedded Metric Format lines on stdout: read them back as CloudWatch would.
let lines: string[];
beforeEach(() => {
  lines = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  // Powertools writes EMF through console.log in its own Console.
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
});
afterEach(() => {
  metrics.clearMetrics();
  useSecretDimension(undefined);
  vi.restoreAllMocks();
});

interface Emf {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [field: string]: unknown;
}
function published(): Emf[] {
  publishMetrics();
  return lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as Emf);
}
const names = (emf: Emf) => emf._aws.CloudWatchMetrics[0]!.Metrics.map((m) => `${m.Name}:${m.Unit}`);

describe('metrics', () => {
  it('publish into the namespace and service the alarms select', () => {
    expect(metricsTarget).toEqual({ namespace: 'MomentoSecretRotation', service: 'momento-secret-rotation' });
    recordExpiryReported();
    const [emf] = published();
    expect(emf!._aws.CloudWatchMetrics[0]!.Namespace).toBe('MomentoSecretRotation');
    expect(emf!.service).toBe('momento-secret-rotation');
    expect(EXPIRY_REPORTED).toBe('ExpiryReported');
    expect(names(emf!)).toEqual(['ExpiryReported:Count']);
    expect(emf!.ExpiryReported).toBe(1);
  });

  it('count a step once for the service and once with its Step dimension; a step-less failure once', () => {
    recordStep('createSecret', true);
    const emfs = published();
    const perStep = emfs.find((e) => e.Step === 'createSecret')!;
    expect(perStep._aws.CloudWatchMetrics[0]!.Dimensions[0]).toContain('Step');
    expect(perStep.StepSucceeded).toBe(1);
    const service = emfs.find((e) => e.Step === undefined)!;
    expect(names(service)).toEqual(['StepSucceeded:Count']);

    lines = [];
    recordStep(undefined, false);
    const failed = published();
    expect(failed).toHaveLength(1);
    expect(names(failed[0]!)).toEqual(['StepFailed:Count']);
  });

  it('record days to expiry without a unit, and revocations only when there are any', () => {
    recordDaysToExpiry(12);
    recordRevocations(0, 0);
    let [emf] = published();
    expect(names(emf!)).toEqual(['DaysToExpiry:None']);
    expect(emf!.DaysToExpiry).toBe(12);

    lines = [];
    recordRevocations(2, 1);
    [emf] = published();
    expect(names(emf!).sort()).toEqual(['KeysRevoked:Count', 'RevocationFailed:Count']);
    expect(emf).toMatchObject({ KeysRevoked: 2, RevocationFailed: 1 });
  });

  it('count revocations postponed for a replica not InSync only when there are any', () => {
    recordRevocationPostponed(0);
    expect(published()).toEqual([]);
    recordRevocationPostponed(3);
    const [emf] = published();
    expect(names(emf!)).toEqual(['RevocationPostponed:Count']);
    expect(emf!.RevocationPostponed).toBe(3);
  });

  it('publish nothing, and warn of nothing, when nothing was recorded', () => {
    const warn = vi.spyOn(console, 'warn');
    expect(published()).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
  });
});

/**
 * One function may rotate several secrets (the CDK construct's addSecret). CloudWatch alarms
 * match a metric's dimension set exactly, so an alarm on `service` alone sees every secret's
 * reports together: one secret's missing report hides behind another's. Each metric is also
 * published under the secret the invocation names (CloudWatch User Guide, "Dimensions": a
 * metric is identified by its name, namespace and every dimension; EMF specification: each
 * array in Dimensions is one dimension set the values are published under).
 */
describe('the per-secret dimension', () => {
  const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:momento/api-key-AbCdEf';
  const dimensionSets = (emf: Emf) => emf._aws.CloudWatchMetrics[0]!.Dimensions;

  it('publishes every metric under service alone and under service and the secret, in one line', () => {
    useSecretDimension(ARN);
    recordExpiryReported();
    recordDaysToExpiry(12);
    recordRevocations(0, 1);
    const [emf, ...more] = published();
    expect(more).toEqual([]);
    expect(dimensionSets(emf!)).toEqual([['service'], ['service', SECRET_DIMENSION]]);
    expect(emf![SECRET_DIMENSION]).toBe(ARN);
    expect(names(emf!).sort()).toEqual(['DaysToExpiry:None', 'ExpiryReported:Count', 'RevocationFailed:Count']);
  });

  it('publishes the per-step count under the step, and under the step and the secret, without a warning on each step', () => {
    // Powertools warns through its own Console, on stderr.
    const warnings: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (warnings.push(String(chunk)), true));
    useSecretDimension(ARN);
    recordStep('finishSecret', false);
    const perStep = published().find((e) => e.Step === 'finishSecret')!;
    expect(dimensionSets(perStep)).toEqual([['service', 'Step'], ['service', 'Step', SECRET_DIMENSION]]);
    expect(perStep[SECRET_DIMENSION]).toBe(ARN);
    expect(warnings).toEqual([]);
    // Without a secret: the step alone, as before.
    lines = [];
    useSecretDimension(undefined);
    recordStep('finishSecret', true);
    expect(dimensionSets(published().find((e) => e.Step === 'finishSecret')!)).toEqual([['service', 'Step']]);
  });

  it('publishes under service alone when the event names no secret, whatever a previous invocation named', () => {
    useSecretDimension(ARN);
    recordExpiryReported();
    published();
    lines = [];
    // The next invocation of the same (warm) container: a malformed event names no secret.
    useSecretDimension(undefined);
    recordStep(undefined, false);
    const [emf] = published();
    expect(dimensionSets(emf!)).toEqual([['service']]);
    expect(emf![SECRET_DIMENSION]).toBeUndefined();
  });

  it('replaces the previous invocation\'s secret, never adding a second one', () => {
    useSecretDimension(ARN);
    publishMetrics(); // nothing recorded: Powertools publishes (and clears) nothing
    useSecretDimension(`${ARN}-other`);
    recordExpiryReported();
    const [emf] = published();
    expect(dimensionSets(emf!)).toEqual([['service'], ['service', SECRET_DIMENSION]]);
    expect(emf![SECRET_DIMENSION]).toBe(`${ARN}-other`);
  });

  it('keeps the secret for what is recorded after a publish in the same invocation (the deploy-time report publishes, then waits)', () => {
    useSecretDimension(ARN);
    recordExpiryReported();
    publishMetrics();
    recordRevocations(1, 0);
    const emfs = published();
    expect(emfs).toHaveLength(2);
    for (const emf of emfs) expect(emf[SECRET_DIMENSION]).toBe(ARN);
  });

  it('takes the secret from each event the function serves: rotation steps, ReportKeyExpiry, the custom resource', () => {
    expect(secretIdNamedBy({ Step: 'createSecret', SecretId: ARN, ClientRequestToken: 't' })).toBe(ARN);
    expect(secretIdNamedBy({ Action: 'ReportKeyExpiry', SecretId: 'momento/api-key' })).toBe('momento/api-key');
    expect(secretIdNamedBy({ RequestType: 'Create', ResourceProperties: { ServiceToken: 'x', SecretId: ARN } })).toBe(ARN);
    // Nothing a dimension cannot hold (CloudWatch: a value of 1 to 1024 characters), nothing that is not a string.
    for (const event of [null, 'text', {}, { SecretId: 42 }, { SecretId: '' }, { SecretId: ' ' }, { SecretId: 'x'.repeat(1025) }, { ResourceProperties: null }, { ResourceProperties: { SecretId: {} } }]) {
      expect(secretIdNamedBy(event), JSON.stringify(event)).toBeUndefined();
    }
  });
});

describe('where metrics and logs go, from the environment', () => {
  const saved = { ns: process.env.POWERTOOLS_METRICS_NAMESPACE, svc: process.env.POWERTOOLS_SERVICE_NAME };
  afterEach(() => {
    for (const [name, value] of [['POWERTOOLS_METRICS_NAMESPACE', saved.ns], ['POWERTOOLS_SERVICE_NAME', saved.svc]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    vi.resetModules();
  });

  it('takes the namespace and service from POWERTOOLS_* when set (template.yaml sets the service to the stack name)', async () => {
    process.env.POWERTOOLS_METRICS_NAMESPACE = 'Custom/Namespace';
    process.env.POWERTOOLS_SERVICE_NAME = 'my-stack';
    vi.resetModules();
    const fresh = await import('../../src/observability/metrics.js');
    expect(fresh.metricsTarget).toEqual({ namespace: 'Custom/Namespace', service: 'my-stack' });
    expect(fresh.METRICS_NAMESPACE).toBe('MomentoSecretRotation');
    const { logger } = await import('../../src/observability/logger.js');
    logger.info('hello');
    expect(lines.join('')).toMatch(/"service":"my-stack"/);
  });

  it('logs as momento-secret-rotation by default, every string scrubbed', async () => {
    delete process.env.POWERTOOLS_SERVICE_NAME;
    vi.resetModules();
    const { logger } = await import('../../src/observability/logger.js');
    const { rememberSecret } = await import('../../src/observability/redact.js');
    rememberSecret('a-secret-value-123');
    logger.info('note', { detail: 'has a-secret-value-123 in it' });
    const text = lines.join('');
    expect(text).toMatch(/"service":"momento-secret-rotation"/);
    expect(text).toContain('has [REDACTED] in it');
  });
});
