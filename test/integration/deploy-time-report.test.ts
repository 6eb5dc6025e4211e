import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureOutputAndCheckForLeaks } from '../support/capture-output.js';
import { registerSecret } from '../support/secrets.js';
import { freePort } from '../stand-ins/ports.js';
import { loadLambdaArtifact, startLocalStack, type LocalStack } from '../stand-ins/local-stack.js';

// The deploy-time report (DeployTimeReport) through the built artifact, the bytes SAM deploys,
// with its real fetch PUT to CloudFormation's response URL (a local server here) and its real
// CloudWatch client, pointed at a closed port: GetMetricData fails, which must not fail a deploy.
// `npm run test:node24` runs this on the Lambda runtime's Node.
const output = captureOutputAndCheckForLeaks();
let stack: LocalStack;
let server: Server;
const answers: Record<string, unknown>[] = [];
let responseUrl = '';

beforeAll(async () => {
  stack = await startLocalStack({ onIssue: registerSecret });
  process.env.AWS_ENDPOINT_URL_CLOUDWATCH = `http://127.0.0.1:${await freePort()}`;
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      answers.push({ method: req.method, ...(JSON.parse(body) as Record<string, unknown>) });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  responseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/answer`;
}, 60_000);
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_CLOUDWATCH;
  server?.close();
  await stack?.stop();
});

const request = (type: 'Create' | 'Update' | 'Delete', secretId: string) => ({
  RequestType: type,
  ResponseURL: responseUrl,
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/rotation/1',
  RequestId: randomUUID(),
  LogicalResourceId: 'DeployTimeReport',
  ResourceType: 'AWS::CloudFormation::CustomResource',
  ResourceProperties: { SecretId: secretId },
});

describe('the deploy-time report, from the built artifact', () => {
  it('a healthy v1 secret: SUCCESS, though CloudWatch cannot be read back; doctor\'s checks logged', async () => {
    const { arn } = await stack.storeConsoleKey(`momento/deploy-${randomUUID().slice(0, 8)}`);
    await stack.newContainer()(request('Create', arn));
    expect(answers.at(-1)).toMatchObject({ method: 'PUT', Status: 'SUCCESS', Reason: "Reported the key's expiry (not confirmed: CloudWatch could not be read)" });
    expect(output.text()).toContain('"doctor: secret ok"');
    expect(output.text()).toContain('"doctor: key-works ok"');
  }, 60_000);

  it('a v2 secret on a function without a management secret: FAILED with the reason, before any rotation', async () => {
    const { arn } = await stack.storeV2Key(`momento/deploy-v2-${randomUUID().slice(0, 8)}`);
    await stack.newContainer()(request('Create', arn));
    expect(answers.at(-1)).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/^ManagementSecretNotConfiguredError: /) });
  }, 60_000);

  it('an invalid configuration: Create FAILED and Delete SUCCESS, answered at once', async () => {
    const { arn } = await stack.storeConsoleKey(`momento/deploy-bad-${randomUUID().slice(0, 8)}`);
    const artifact = await loadLambdaArtifact();
    process.env.MOMENTO_KEY_LIFETIME_DAYS = '7.5';
    try {
      const handler = artifact.createContainerHandler();
      await handler(request('Create', arn), { getRemainingTimeInMillis: () => 120_000 });
      expect(answers.at(-1)).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/^The function's configuration is invalid: ConfigurationError: .*MOMENTO_KEY_LIFETIME_DAYS/) });
      await handler(request('Delete', arn), { getRemainingTimeInMillis: () => 120_000 });
      expect(answers.at(-1)).toMatchObject({ Status: 'SUCCESS', Reason: expect.stringContaining('momento-secret-rotation retire') });
    } finally {
      delete process.env.MOMENTO_KEY_LIFETIME_DAYS;
    }
  }, 60_000);
});
