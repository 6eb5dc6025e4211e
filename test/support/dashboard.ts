import { vi } from 'vitest';
import { STEPS } from '../../src/rotation/event.js';

/**
 * What the dashboard and the alarms (template.yaml's, the construct's) are checked against: what
 * the function's own code writes, run here with the environment the template gives the function,
 * never a hand-copied list of metric names, dimensions or log fields.
 */

/** A metric as CloudWatch identifies it: namespace, name and every dimension with its value. */
export function metricKey(namespace: string, name: string, dimensions: Record<string, string>): string {
  const dims = Object.entries(dimensions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  return `${namespace} / ${name} {${dims.join(', ')}}`;
}

/** The metric name in a metricKey. */
export function metricNameOf(key: string): string {
  return key.slice(key.indexOf(' / ') + 3, key.lastIndexOf(' {'));
}

/** Whether a metricKey carries this dimension (its dimensions are `name=value`, separated by ", "). */
export function hasDimension(key: string, dimension: string): boolean {
  return key.slice(key.lastIndexOf(' {') + 2, -1).split(', ').some((d) => d.startsWith(`${dimension}=`));
}

/**
 * The metric a CloudWatch alarm watches, as a metricKey: its namespace, name and every dimension
 * (an alarm matches a metric's dimension set exactly). `render` turns a dimension's value (a Ref,
 * a Sub) into text as the dashboard's values are.
 */
export function alarmMetric(alarm: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] }, render: (value: unknown) => string): string {
  return metricKey(alarm.Namespace, alarm.MetricName, Object.fromEntries((alarm.Dimensions ?? []).map((d) => [d.Name, render(d.Value)])));
}

/** The JSON lines Powertools writes (EMF metrics on stdout, log lines on stdout or stderr) while `run` runs. */
async function jsonLinesWrittenBy(run: () => Promise<unknown> | unknown): Promise<Record<string, any>[]> {
  const chunks: string[] = [];
  const capture = (chunk: unknown) => void chunks.push(String(chunk));
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (capture(chunk), true)),
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (capture(chunk), true)),
    ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((method) => vi.spyOn(console, method).mockImplementation((...args: unknown[]) => capture(args.join(' ')))),
  ];
  try {
    await run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return chunks
    .join('\n')
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>);
}

/** The function's modules, loaded afresh with these POWERTOOLS_* variables (they are read at import, as in Lambda). */
async function freshModules(env: FunctionEnvironment) {
  const saved = { ns: process.env.POWERTOOLS_METRICS_NAMESPACE, svc: process.env.POWERTOOLS_SERVICE_NAME };
  process.env.POWERTOOLS_METRICS_NAMESPACE = env.namespace;
  process.env.POWERTOOLS_SERVICE_NAME = env.service;
  try {
    vi.resetModules();
    const [metrics, handler] = await Promise.all([import('../../src/observability/metrics.js'), import('../../src/handler.js')]);
    return { metrics, handler };
  } finally {
    for (const [name, value] of [['POWERTOOLS_METRICS_NAMESPACE', saved.ns], ['POWERTOOLS_SERVICE_NAME', saved.svc]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** The function's POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME, as the template sets them. */
export interface FunctionEnvironment {
  readonly namespace: string;
  readonly service: string;
}

/**
 * Every metric src/observability/metrics.ts emits, by running each of its record* functions
 * (every step, success and failure) and reading back the EMF lines Powertools writes, in an
 * invocation whose event names `secretId` (as the handler sets it: every metric is then also
 * published per secret). A new record* function fails this until it is run here too, so the
 * list cannot fall behind.
 */
export async function emittedMetrics(env: FunctionEnvironment, secretId?: string): Promise<Set<string>> {
  const { metrics: m } = await freshModules(env);
  m.useSecretDimension(secretId);
  const recorders: Record<string, () => void> = {
    recordStep: () => {
      for (const step of STEPS) for (const succeeded of [true, false]) m.recordStep(step, succeeded);
      m.recordStep(undefined, false);
    },
    recordDaysToExpiry: () => m.recordDaysToExpiry(12),
    recordExpiryReported: () => m.recordExpiryReported(),
    recordRevocations: () => m.recordRevocations(2, 1),
    recordRetiredKeysNotRevoked: () => m.recordRetiredKeysNotRevoked(1),
    recordRevocationPostponed: () => m.recordRevocationPostponed(2),
  };
  const exported = Object.keys(m).filter((name) => /^record[A-Z]/.test(name) && typeof (m as Record<string, unknown>)[name] === 'function');
  if (exported.sort().join() !== Object.keys(recorders).sort().join()) {
    throw new Error(`metrics.ts exports the recorders ${exported.join(', ')}; test/support/dashboard.ts runs ${Object.keys(recorders).join(', ')}: run each one there`);
  }
  const lines = await jsonLinesWrittenBy(() => {
    for (const record of Object.values(recorders)) record();
    m.publishMetrics();
  });
  const keys = new Set<string>();
  for (const line of lines.filter((l) => l._aws)) {
    for (const directive of line._aws.CloudWatchMetrics as { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[]) {
      for (const dimensionSet of directive.Dimensions) {
        const dimensions = Object.fromEntries(dimensionSet.map((d) => [d, String(line[d])]));
        for (const metric of directive.Metrics) keys.add(metricKey(directive.Namespace, metric.Name, dimensions));
      }
    }
  }
  return keys;
}

type Widget = { type: string; properties: Record<string, any> };
export type DashboardBody = { widgets: Widget[] };

/**
 * The metrics a dashboard body graphs, one key per metric row. Rows are read as written:
 * [namespace, name, dimension, value, ..., {options}]; the "." / "..." shorthand and metric
 * math are refused, so nothing is left unchecked.
 */
export function dashboardMetrics(body: DashboardBody): string[] {
  return body.widgets
    .filter((w) => w.type === 'metric')
    .flatMap((w) => w.properties.metrics as unknown[][])
    .map((row) => {
      const parts = row.filter((x) => typeof x === 'string') as string[];
      if (parts.length !== row.length - (typeof row.at(-1) === 'object' ? 1 : 0) || parts.some((p) => p === '.' || p === '...') || parts.length < 2 || parts.length % 2 !== 0) {
        throw new Error(`a metric row this check cannot read: ${JSON.stringify(row)}`);
      }
      const [namespace, name, ...dims] = parts as [string, string, ...string[]];
      const dimensions: Record<string, string> = {};
      for (let i = 0; i < dims.length; i += 2) dimensions[dims[i]!] = dims[i + 1]!;
      return metricKey(namespace, name, dimensions);
    });
}

/** The log lines the function writes for a failed rotation step and a failed expiry report (each step's own logger keys). */
export async function failedStepLogLines(env: FunctionEnvironment, secretId: string): Promise<Record<string, any>[]> {
  const { handler } = await freshModules(env);
  // Every Secrets Manager call fails as AWS answers for a secret that is gone.
  const gone = Object.assign(new Error('Secrets Manager can\'t find the specified secret.'), { name: 'ResourceNotFoundException' });
  const secrets = new Proxy({}, { get: (_target, name) => (name === 'then' ? undefined : () => Promise.reject(gone)) });
  const invoke = createInvoker(handler.createHandler, secrets);
  const lines = await jsonLinesWrittenBy(async () => {
    await invoke({ Step: 'testSecret', SecretId: secretId, ClientRequestToken: '6e1f1a0e-6b36-4c8e-9d2a-0c9f2a8d1b7e' });
    await invoke({ Action: 'ReportKeyExpiry', SecretId: secretId });
  });
  return lines.filter((l) => !l._aws);
}

function createInvoker(createHandler: (getDeps: () => any) => (event: unknown) => Promise<unknown>, secrets: unknown) {
  const handle = createHandler(() => ({ secrets, unstoredValues: new Map(), now: Date.now, managementSecretId: undefined, keyLifetimeDays: 30, revokeImportedKeys: false }));
  return (event: unknown) => handle(event).then(
    () => Promise.reject(new Error('the step was meant to fail')),
    () => undefined,
  );
}

/** A Logs Insights query as a log widget holds it: its SOURCE, the fields it shows, and its `field = 'value'` filters. */
export function parseLogQuery(query: string): { source: string; fields: string[]; filters: Record<string, string> } {
  const commands = query.split('|').map((c) => c.trim());
  const source = /^SOURCE '([^']+)'$/.exec(commands[0] ?? '')?.[1];
  const fields = commands.find((c) => c.startsWith('fields '));
  const filter = commands.find((c) => c.startsWith('filter '));
  if (source === undefined || fields === undefined || filter === undefined) throw new Error(`a query this check cannot read: ${query}`);
  const filters: Record<string, string> = {};
  for (const clause of filter.slice('filter '.length).split(/\s+and\s+/)) {
    const match = /^([\w.@]+)\s*=\s*'([^']*)'$/.exec(clause.trim());
    if (!match) throw new Error(`a filter this check cannot read: ${clause}`);
    filters[match[1]!] = match[2]!;
  }
  return { source, fields: fields.slice('fields '.length).split(',').map((f) => f.trim()), filters };
}

/** A field of a JSON log line as Logs Insights names it (nested keys joined by dots). */
export function fieldOf(line: Record<string, any>, field: string): unknown {
  return field.split('.').reduce<any>((value, key) => (value === undefined || value === null ? undefined : value[key]), line);
}
