import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidEventError, SecretNotJsonError } from '../src/rotation/errors.js';
import { captureOutputAndCheckForLeaks, expectFailure } from './support/capture-output.js';
import { rotationHarness, type Harness } from './support/harness.js';
import { consoleKeyFile, fakeRotationToken } from './support/secrets.js';

const output = captureOutputAndCheckForLeaks();

/** The log lines (metrics in Embedded Metric Format are JSON lines too, without a level). */
function logRecords(): Record<string, unknown>[] {
  return output
    .lines()
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((r) => 'level' in r);
}

/** The metrics published, by name, from the EMF lines. */
function publishedMetrics(): { name: string; value: unknown; dimensions: Record<string, unknown> }[] {
  return output
    .lines()
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((r) => '_aws' in r)
    .flatMap((r) => {
      const aws = r._aws as { CloudWatchMetrics: { Metrics: { Name: string }[]; Dimensions: string[][] }[] };
      return aws.CloudWatchMetrics.flatMap((m) =>
        m.Metrics.map((metric) => ({
          name: metric.Name,
          value: r[metric.Name],
          dimensions: Object.fromEntries(m.Dimensions.flat().map((d) => [d, r[d]])),
        })),
      );
    });
}

describe('createHandler', () => {
  let h: Harness;
  beforeEach(() => {
    h = rotationHarness();
  });
  afterEach(() => h.restore());

  it('rejects a malformed event before calling anything, and logs the failure', async () => {
    await expectFailure(h.handler({ Step: 'createSecret' }), InvalidEventError);
    expect(h.sm.calls).toHaveLength(0);
    const failure = logRecords().find((r) => r.level === 'ERROR');
    expect(failure).toMatchObject({ message: 'Step failed', error: { name: 'InvalidEventError' } });
  });

  it('never lets a RotationToken reach a log line or error, even from an unexpected error', async () => {
    h.storeCurrent(consoleKeyFile());
    const rotationToken = fakeRotationToken();
    const token = h.sm.startRotation();
    h.sm.failNext('DescribeSecret', () => new Error(`boom while handling ${rotationToken}`));
    const error = await expectFailure(h.run('setSecret', token, { RotationToken: rotationToken }), Error);
    expect(error.message).toBe('boom while handling [REDACTED]');
  });

  it('adds step, secret and token to every log line of a step, and clears them afterwards', async () => {
    h.storeCurrent(consoleKeyFile());
    const token = h.sm.startRotation();
    await h.run('setSecret', token);
    const records = logRecords();
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) expect(r).toMatchObject({ step: 'setSecret', secretId: h.sm.arn, clientRequestToken: token });
    await expectFailure(h.handler({}), InvalidEventError);
    const last = logRecords().at(-1)!;
    expect(last).not.toHaveProperty('step');
  });
});

describe('handler (the deployed entry point)', () => {
  beforeEach(() => {
    vi.resetModules();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('refuses a non-loopback MOMENTO_ENDPOINT_OVERRIDE with a ConfigurationError', async () => {
    vi.stubEnv('MOMENTO_ENDPOINT_OVERRIDE', 'cache.example.com:443');
    const { handler } = await import('../src/handler.js');
    // resetModules gave the handler fresh modules: compare against the same copy of the class.
    const { ConfigurationError } = await import('../src/rotation/errors.js');
    const error = await expectFailure(
      handler({ SecretId: 'x', ClientRequestToken: '6d4a0a4e-1c2b-4f3e-8a9b-0c1d2e3f4a5b', Step: 'setSecret' }),
      ConfigurationError,
    );
    expect(error.message).toContain('not a loopback address');
  });
});

/**
 * The deployed handler's own wiring for a CloudFormation Delete (src/deploy/revoke-on-stack-delete.ts
 * has the cases): the stack's status from CloudFormation, the management secret from
 * MOMENTO_MANAGEMENT_SECRET_ARN, the answer PUT to the response URL. AWS is mocked; the answer
 * goes to a local server.
 */
describe('handler (the deployed entry point) on a CloudFormation Delete', () => {
  const cloudFormation = mockClient(CloudFormationClient);
  const secretsManager = mockClient(SecretsManagerClient);
  const MANAGEMENT_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/management-XyZ123';
  const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/rotation/1';
  beforeEach(() => vi.resetModules());
  afterEach(() => {
    cloudFormation.reset();
    secretsManager.reset();
    vi.unstubAllEnvs();
  });

  /** Sends a Delete to a fresh deployed handler; resolves with the answer CloudFormation received. */
  async function deleteThroughHandler(): Promise<Record<string, unknown>> {
    let received = '';
    const server = createServer((req, res) => {
      req.on('data', (c) => (received += c));
      req.on('end', () => res.end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as { port: number };
      const { handler } = await import('../src/handler.js');
      await handler(
        {
          RequestType: 'Delete',
          ResponseURL: `http://127.0.0.1:${port}/answer`,
          StackId: STACK_ID,
          RequestId: 'req-1',
          LogicalResourceId: 'DeployTimeReport',
          ResourceType: 'Custom::MomentoKeyExpiryReport',
          PhysicalResourceId: 'DeployTimeReport-req-0',
          ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:f', SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/api-key-AbCdEf' },
        },
        { getRemainingTimeInMillis: () => 60_000 },
      );
      return JSON.parse(received) as Record<string, unknown>;
    } finally {
      server.close();
    }
  }

  it("in an update's clean-up (a replaced resource): asks CloudFormation for this stack's status, revokes nothing, answers SUCCESS", async () => {
    vi.stubEnv('MOMENTO_MANAGEMENT_SECRET_ARN', MANAGEMENT_ARN);
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'rotation', StackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', CreationTime: new Date() }] });
    const answer = await deleteThroughHandler();
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'DeployTimeReport-req-0', Reason: expect.stringContaining('not being deleted') });
    expect(cloudFormation.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input)).toEqual([{ StackName: STACK_ID }]);
    expect(secretsManager.calls()).toHaveLength(0); // not even the management key is read
  });

  it('on stack delete, with the management secret unreadable: answers SUCCESS, so the delete goes on', async () => {
    vi.stubEnv('MOMENTO_MANAGEMENT_SECRET_ARN', MANAGEMENT_ARN);
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'rotation', StackStatus: 'DELETE_IN_PROGRESS', CreationTime: new Date() }] });
    secretsManager.on(GetSecretValueCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $fault: 'client' }));
    const answer = await deleteThroughHandler();
    expect(answer).toMatchObject({ Status: 'SUCCESS', Reason: expect.stringContaining('ManagementSecretInvalidError') });
    expect(secretsManager.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toMatchObject({ SecretId: MANAGEMENT_ARN });
  });

  it('without MOMENTO_MANAGEMENT_SECRET_ARN (v1 keys only): answers SUCCESS without asking CloudFormation anything', async () => {
    vi.stubEnv('MOMENTO_MANAGEMENT_SECRET_ARN', '');
    const answer = await deleteThroughHandler();
    expect(answer).toMatchObject({ Status: 'SUCCESS', Reason: expect.stringContaining('no management secret') });
    expect(cloudFormation.calls()).toHaveLength(0);
  });
});

describe('the built bundle (npm run build)', () => {
  it('is one self-contained ESM file exporting handler, loadable with import()', () => {
    expect(existsSync('dist/handler.js'), 'dist/handler.js is missing: run `npm run build`').toBe(true);
    // A fresh process with node_modules out of reach proves the bundle needs nothing beside it.
    const script = `
      const m = await import(process.argv[1]);
      try { await m.handler({ Step: 'nope' }); } catch (e) { console.log(typeof m.handler, e.name); }
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, `${process.cwd()}/dist/handler.js`], {
      cwd: '/',
      env: { PATH: process.env.PATH ?? '', NODE_PATH: '' },
      encoding: 'utf8',
    });
    expect(out.trim().split('\n').at(-1)).toBe('function InvalidEventError');
  });
});

describe('metrics (Embedded Metric Format, no API calls)', () => {
  let h: Harness;
  beforeEach(() => {
    h = rotationHarness();
  });
  afterEach(() => h.restore());

  it('publishes each step\'s success, per service and per step, and the current key\'s days to expiry', async () => {
    const file = consoleKeyFile(20, Math.floor(h.clock.now / 1000));
    h.storeCurrent(file);
    await h.rotate();
    const published = publishedMetrics();
    const successes = published.filter((m) => m.name === 'StepSucceeded');
    expect(successes.filter((m) => m.dimensions.Step === undefined)).toHaveLength(4);
    expect(successes.map((m) => m.dimensions.Step).filter(Boolean)).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
    expect(published.filter((m) => m.name === 'DaysToExpiry').map((m) => m.value)).toEqual([20]);
    expect(published.every((m) => m.dimensions.service === 'momento-secret-rotation')).toBe(true);
  });

  it('publishes StepFailed for a failed step and for a malformed event, and DaysToExpiry even for an expired key', async () => {
    const file = consoleKeyFile(0, Math.floor(h.clock.now / 1000) - 2 * 86_400);
    h.storeCurrent(file);
    const token = h.sm.startRotation();
    await expectFailure(h.run('createSecret', token), Error);
    await expectFailure(h.handler({ nonsense: true }), InvalidEventError);
    const published = publishedMetrics();
    expect(published.filter((m) => m.name === 'StepFailed').map((m) => m.dimensions.Step ?? '-')).toEqual(['createSecret', '-', '-']); // the per-step metric is published at once, the rest at the end
    expect(published.find((m) => m.name === 'DaysToExpiry')?.value).toBe(-2);
  });
});

describe('the scheduled expiry report ({"Action": "ReportKeyExpiry"})', () => {
  let h: Harness;
  beforeEach(() => {
    h = rotationHarness();
  });
  afterEach(() => h.restore());

  const report = () => h.handler({ Action: 'ReportKeyExpiry', SecretId: h.sm.arn });

  it('reads AWSCURRENT and publishes its days to expiry, changing nothing', async () => {
    h.storeCurrent(consoleKeyFile(12, Math.floor(h.clock.now / 1000)));
    await expect(report()).resolves.toEqual({ action: 'ReportKeyExpiry', daysLeft: 12 });
    expect(h.sm.calls.map((c) => c.operation)).toEqual(['GetSecretValue']);
    expect(publishedMetrics()).toEqual([
      // Under the service, and under the service and the secret the event names (per-secret alarms).
      { name: 'DaysToExpiry', value: 12, dimensions: { service: 'momento-secret-rotation', SecretId: h.sm.arn } },
      { name: 'ExpiryReported', value: 1, dimensions: { service: 'momento-secret-rotation', SecretId: h.sm.arn } },
    ]);
  });

  it('fails for a secret that is not a key file, so the missing report raises the alarm', async () => {
    h.sm.storeCurrent('a bare key');
    await expectFailure(report(), SecretNotJsonError);
    expect(publishedMetrics()).toEqual([]);
  });

  it('reports no days, with a warning, for a key file without validUntil (but that it reported)', async () => {
    const { apiKey, refreshToken } = consoleKeyFile();
    h.storeCurrent({ apiKey, refreshToken });
    await expect(report()).resolves.toEqual({ action: 'ReportKeyExpiry', daysLeft: undefined });
    // No days to report, but the report itself counts: the missing-report alarm stays quiet.
    expect(publishedMetrics()).toEqual([{ name: 'ExpiryReported', value: 1, dimensions: { service: 'momento-secret-rotation', SecretId: h.sm.arn } }]);
    expect(logRecords().some((r) => r.level === 'WARN' && String(r.message).includes('no validUntil'))).toBe(true);
  });

  it('rejects an unknown Action', async () => {
    await expectFailure(h.handler({ Action: 'Rotate', SecretId: h.sm.arn }), InvalidEventError);
    expect(h.sm.calls).toHaveLength(0);
  });
});
