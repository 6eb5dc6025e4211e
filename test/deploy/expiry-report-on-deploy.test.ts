import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRotationDeps } from '../../src/dependencies.js';
import type { DeployDeps } from '../../src/deploy/custom-resource.js';
import { createHandler } from '../../src/handler.js';
import { readConfig } from '../../src/config.js';
import { captureOutputAndCheckForLeaks } from '../support/capture-output.js';
import { rotationHarness, type Harness } from '../support/harness.js';
import { consoleKeyFile } from '../support/secrets.js';

const output = captureOutputAndCheckForLeaks();
const RESPONSE_URL = 'https://cloudformation-custom-resource-response.s3.amazonaws.com/stack?X-Amz-Signature=abc';

function request(type: 'Create' | 'Update' | 'Delete', properties: Record<string, unknown>, physicalId?: string) {
  return {
    RequestType: type,
    ResponseURL: RESPONSE_URL,
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/rotation/1',
    RequestId: 'req-1',
    LogicalResourceId: 'DeployTimeReport',
    ResourceType: 'Custom::MomentoKeyExpiryReport',
    ...(physicalId ? { PhysicalResourceId: physicalId } : {}),
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:f', ...properties },
  };
}

/** What CloudFormation's custom resource sees: the answers sent, and when CloudWatch was asked. */
function fakeDeploy(visible = true) {
  const sent: { url: string; body: Record<string, any> }[] = [];
  const events: string[] = [];
  const deploy: DeployDeps = {
    async sendResponse(url, body) {
      events.push('answered');
      sent.push({ url, body: JSON.parse(body) });
    },
    async reportVisible() {
      // By now the report's EMF line must be in the log, or CloudWatch could never show it.
      const emitted = output.lines().some((l) => l.includes('"ExpiryReported"'));
      events.push(emitted ? 'waited after the report was logged' : 'waited before the report was logged');
      return visible;
    },
    async stackStatus() {
      events.push('asked the stack status');
      return 'DELETE_IN_PROGRESS';
    },
    now: Date.now,
  };
  return { deploy, sent, events };
}

describe('the DeployTimeReport custom resource (a fresh stack reports before its missing-report alarm exists)', () => {
  let h: Harness;
  beforeEach(() => {
    h = rotationHarness();
  });
  afterEach(() => h.restore());
  const handlerWith = (deploy: DeployDeps) => createHandler(() => ({ ...h.deps, deploy }));
  const context = { getRemainingTimeInMillis: () => 120_000 };

  it.each(['Create', 'Update'] as const)('on %s: reports, waits until CloudWatch shows it, then answers SUCCESS', async (type) => {
    h.storeCurrent(consoleKeyFile(20));
    const { deploy, sent, events } = fakeDeploy();
    const answer = await handlerWith(deploy)(request(type, { SecretId: h.sm.arn }, type === 'Update' ? 'kept-id' : undefined), context);
    expect(answer).toMatchObject({ status: 'SUCCESS' });
    expect(events).toEqual(['waited after the report was logged', 'answered']);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.url).toBe(RESPONSE_URL);
    expect(sent[0]!.body).toMatchObject({
      Status: 'SUCCESS',
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/rotation/1',
      RequestId: 'req-1',
      LogicalResourceId: 'DeployTimeReport',
      Data: { DaysToExpiry: expect.stringMatching(/^(19|20)$/) },
    });
    // An update keeps the physical id, or CloudFormation would delete the old resource.
    if (type === 'Update') expect(sent[0]!.body.PhysicalResourceId).toBe('kept-id');
    else expect(sent[0]!.body.PhysicalResourceId).toEqual(expect.any(String));
    expect(output.text()).not.toContain('X-Amz-Signature'); // the pre-signed URL is a credential
  });

  it("logs doctor's function-side checks before reporting: a healthy v1 key passes them, and nothing is written", async () => {
    h.storeCurrent(consoleKeyFile(20));
    const { deploy } = fakeDeploy();
    await handlerWith(deploy)(request('Create', { SecretId: h.sm.arn }), context);
    const lines = output.lines().filter((l) => l.includes('"doctor: '));
    expect(lines.map((l) => JSON.parse(l).message)).toEqual(['doctor: stuck-rotation ok', 'doctor: secret ok', 'doctor: key-works ok']);
    expect(h.sm.count('PutSecretValue') + h.sm.count('UpdateSecretVersionStage')).toBe(0);
  });

  it('a first deploy that will fail says why: each failed check with its fix, then the summary', async () => {
    const { refreshToken: _dropped, ...withoutToken } = consoleKeyFile(20) as Record<string, unknown>;
    h.storeCurrent(withoutToken);
    h.sm.startRotation('stuck-token'); // a stray AWSPENDING
    const { deploy } = fakeDeploy();
    await handlerWith(deploy)(request('Create', { SecretId: h.sm.arn }), context);
    const logged = output.lines().filter((l) => l.includes('"doctor: ')).map((l) => JSON.parse(l) as Record<string, string>);
    const failed = logged.filter((l) => l.level === 'ERROR');
    expect(failed.map((l) => l.message)).toEqual(['doctor: stuck-rotation failed', 'doctor: secret failed', 'doctor: checks failed at deploy; the first rotation will fail. Run momento-secret-rotation doctor for the fixes']);
    expect(failed[0]).toMatchObject({ check: 'stuck-rotation', verdict: 'fail', fix: expect.stringContaining('momento-secret-rotation repair') });
    expect(failed[1]).toMatchObject({ check: 'secret', saw: expect.stringContaining('no refresh token'), fix: expect.stringContaining('import') });
  });

  it('a v2 secret without a management secret: logged as a failed check, and the deploy fails before any rotation, with the reason', async () => {
    h.storeV2Current();
    const { deploy, sent, events } = fakeDeploy();
    await handlerWith(deploy)(request('Create', { SecretId: h.sm.arn }), context);
    const failed = output.lines().filter((l) => l.includes('"doctor: function-management-secret failed"'));
    expect(failed).toHaveLength(1);
    expect(JSON.parse(failed[0]!)).toMatchObject({ fix: expect.stringContaining('ManagementSecretArn=') });
    // RotationSchedule depends on this resource: a FAILED answer means no RotateSecret, so no stray AWSPENDING.
    expect(events).toEqual(['answered']);
    expect(sent[0]!.body.Status).toBe('FAILED');
    expect(sent[0]!.body.Reason).toMatch(/^ManagementSecretNotConfiguredError: .*ManagementSecretArn/);
  });

  it('fails the deploy when the configured management secret is unreadable or holds no v2 key (what createSecret would hit)', async () => {
    const v2 = rotationHarness({ managementSecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/missing-AbCdEf' });
    try {
      v2.storeV2Current();
      const { deploy, sent } = fakeDeploy();
      await createHandler(() => ({ ...v2.deps, deploy }))(request('Create', { SecretId: v2.sm.arn }), context);
      expect(sent[0]!.body).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/^ManagementSecretInvalidError: .*momento\/missing/) });
    } finally {
      v2.restore();
    }
  });

  it('fails the deploy for a v1 key without its refresh token, before reporting', async () => {
    const { refreshToken: _dropped, ...withoutToken } = consoleKeyFile(20) as Record<string, unknown>;
    h.storeCurrent(withoutToken);
    const { deploy, sent, events } = fakeDeploy();
    await handlerWith(deploy)(request('Update', { SecretId: h.sm.arn }, 'kept-id'), context);
    expect(events).toEqual(['answered']);
    expect(sent[0]!.body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'kept-id', Reason: expect.stringMatching(/^MissingRefreshTokenError: /) });
  });

  it('answers SUCCESS with a warning when CloudWatch cannot be read (GetMetricData denied or throttled): waiting for a metric never blocks a deploy', async () => {
    h.storeCurrent(consoleKeyFile(20));
    const { deploy, sent } = fakeDeploy();
    const denied = Object.assign(new Error('User is not authorized to perform: cloudwatch:GetMetricData with an explicit deny in a service control policy'), { name: 'AccessDeniedException' });
    await handlerWith({ ...deploy, reportVisible: async () => Promise.reject(denied) })(request('Create', { SecretId: h.sm.arn }), context);
    expect(sent[0]!.body).toMatchObject({ Status: 'SUCCESS', Reason: "Reported the key's expiry (not confirmed: CloudWatch could not be read)" });
    expect(output.text()).toContain('Could not read the expiry report back from CloudWatch (GetMetricData)');
    expect(output.text()).toContain('AccessDeniedException');
  });

  describe('an invalid configuration (readConfig throws) still answers CloudFormation', () => {
    const unconfigured = (deploy: DeployDeps) => createHandler(() => createRotationDeps(readConfig({ MOMENTO_KEY_LIFETIME_DAYS: '7.5' })), () => deploy);

    it.each(['Create', 'Update'] as const)('%s: FAILED with the reason, at once', async (type) => {
      const { deploy, sent } = fakeDeploy();
      const answer = await unconfigured(deploy)(request(type, { SecretId: h.sm.arn }, type === 'Update' ? 'kept-id' : undefined), context);
      expect(answer).toMatchObject({ status: 'FAILED' });
      expect(sent).toHaveLength(1);
      expect(sent[0]!.body).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/^The function's configuration is invalid: ConfigurationError: .*MOMENTO_KEY_LIFETIME_DAYS/) });
      if (type === 'Update') expect(sent[0]!.body.PhysicalResourceId).toBe('kept-id');
    });

    it('Delete: SUCCESS, so a rollback does not end in DELETE_FAILED, saying what it did not do', async () => {
      const { deploy, sent } = fakeDeploy();
      await unconfigured(deploy)(request('Delete', { SecretId: h.sm.arn }, 'old-id'), context);
      expect(sent[0]!.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'old-id', Reason: expect.stringContaining('momento-secret-rotation retire') });
    });
  });

  it('still answers SUCCESS when CloudWatch is slow to show the report, and says the alarm may fire once', async () => {
    h.storeCurrent(consoleKeyFile(20));
    const { deploy, sent } = fakeDeploy(false);
    await handlerWith(deploy)(request('Create', { SecretId: h.sm.arn }), context);
    expect(sent[0]!.body.Status).toBe('SUCCESS');
    expect(output.text()).toContain('missing-report alarm may fire once');
  });

  it('fails the deploy with the reason when the secret cannot be reported (what every rotation would hit too), without the secret', async () => {
    h.sm.storeCurrent('not json, but a key: eyJhbGciOiJIUzI1NiJ9.secret');
    const { deploy, sent, events } = fakeDeploy();
    const answer = await handlerWith(deploy)(request('Create', { SecretId: h.sm.arn }), context);
    expect(answer).toMatchObject({ status: 'FAILED' });
    expect(events).toEqual(['answered']);
    expect(sent[0]!.body.Status).toBe('FAILED');
    expect(sent[0]!.body.Reason).toMatch(/^SecretNotJsonError: .*is not a JSON object/);
    expect(JSON.stringify(sent[0]!.body)).not.toContain('eyJhbGciOiJIUzI1NiJ9.secret');
  });

  it('fails the deploy when the resource names no SecretId', async () => {
    const { deploy, sent } = fakeDeploy();
    await handlerWith(deploy)(request('Create', {}), context);
    expect(sent[0]!.body).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('"SecretId"') });
  });

  it('on Delete, with no management secret (v1 keys): answers SUCCESS at once, reading nothing (revoke-on-stack-delete.test.ts has the rest)', async () => {
    const { deploy, sent, events } = fakeDeploy();
    await handlerWith(deploy)(request('Delete', { SecretId: h.sm.arn }, 'old-id'), context);
    expect(events).toEqual(['answered']);
    expect(sent[0]!.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'old-id' });
    expect(h.sm.count('GetSecretValue')).toBe(0);
  });

  it('throws when the answer cannot be sent, so Lambda retries the invocation (CloudFormation invokes asynchronously)', async () => {
    h.storeCurrent(consoleKeyFile(20));
    const deploy: DeployDeps = { ...fakeDeploy().deploy, sendResponse: async () => Promise.reject(new Error('connection reset')) };
    await expect(handlerWith(deploy)(request('Create', { SecretId: h.sm.arn }), context)).rejects.toThrow('connection reset');
  });
});

describe("the container's deploy dependencies (real fetch, CloudWatch mocked)", () => {
  const cloudWatch = mockClient(CloudWatchClient);
  const cloudFormation = mockClient(CloudFormationClient);
  afterEach(() => {
    cloudWatch.reset();
    cloudFormation.reset();
  });
  const deploy = () => createRotationDeps(readConfig({})).deploy!;

  it('PUTs the answer to the pre-signed URL with no content type, as S3 expects', async () => {
    let received: { method?: string; headers?: IncomingHttpHeaders; body?: string } = {};
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received = { method: req.method, headers: req.headers, body };
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as { port: number };
      await deploy().sendResponse(`http://127.0.0.1:${port}/answer?sig=1`, '{"Status":"SUCCESS"}');
      expect(received.method).toBe('PUT');
      expect(received.body).toBe('{"Status":"SUCCESS"}');
      expect(received.headers?.['content-type'] ?? '').toBe('');
    } finally {
      server.close();
    }
  });

  it("asks CloudWatch for this secret's ExpiryReported under this stack until a datapoint shows, and gives up at the deadline", async () => {
    cloudWatch
      .on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [{ Id: 'reported', Values: [] }] })
      .resolves({ MetricDataResults: [{ Id: 'reported', Values: [1] }] });
    const secret = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/a-AbCdEf';
    expect(await deploy().reportVisible(Date.now(), Date.now() + 30_000, secret)).toBe(true);
    const calls = cloudWatch.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.args[0].input.MetricDataQueries![0]!.MetricStat).toMatchObject({
      Metric: {
        Namespace: 'MomentoSecretRotation',
        MetricName: 'ExpiryReported',
        Dimensions: [
          { Name: 'service', Value: expect.any(String) },
          { Name: 'SecretId', Value: secret },
        ],
      },
      Stat: 'Sum',
    });

    cloudWatch.reset();
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'reported', Values: [] }] });
    const started = Date.now();
    expect(await deploy().reportVisible(started, started + 1_500, 'momento/a')).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 15_000);

  it("reads the stack's status with DescribeStacks by the stack's unique id (which answers for a stack being deleted)", async () => {
    const stackId = 'arn:aws:cloudformation:us-east-1:123456789012:stack/rotation/5b918d10-cd98-11ea-90d5-0a9cd3354c10';
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'rotation', StackId: stackId, StackStatus: 'DELETE_IN_PROGRESS', CreationTime: new Date() }] });
    expect(await deploy().stackStatus(stackId)).toBe('DELETE_IN_PROGRESS');
    expect(cloudFormation.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input)).toEqual([{ StackName: stackId }]);
    cloudFormation.reset();
    cloudFormation.on(DescribeStacksCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(deploy().stackStatus(stackId)).rejects.toThrow('denied');
  });
});
