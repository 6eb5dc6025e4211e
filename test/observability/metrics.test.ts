import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  EXPIRY_REPORTED,
  metrics,
  metricsTarget,
  publishMetrics,
  recordDaysToExpiry,
  recordExpiryReported,
  recordRevocations,
  recordStep,
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

  it('publish nothing, and warn of nothing, when nothing was recorded', () => {
    const warn = vi.spyOn(console, 'warn');
    expect(published()).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
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
