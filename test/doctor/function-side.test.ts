import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeployDeps } from '../../src/deploy/custom-resource.js';
import { answerDeployRequest } from '../../src/deploy/expiry-report-on-deploy.js';
import { createHandler } from '../../src/handler.js';
import { HttpKeyManagementApi } from '../../src/momento/http-key-management.js';
import { reportKeyExpiry } from '../../src/rotation/report-expiry.js';
import { captureOutputAndCheckForLeaks } from '../support/capture-output.js';
import { MANAGEMENT_SECRET_ID, rotationHarness } from '../support/harness.js';
import { consoleKeyFile, fakeV2Key, leakedSecrets } from '../support/secrets.js';
import { functionSideChecks } from '../../src/doctor/function-side.js';

// The deploy-time function-side checks have a budget of their own (handler.ts). Without it they
// shared the custom resource's deadline with the report: when Momento's key-management API does
// not answer (a VPC without NAT, which is what the checks diagnose; or an outage), each request
// waits its 10 s timeout (http-key-management.ts) and is retried within the deadline, so the
// checks took ~92 s of the 120 s function timeout (template.yaml) and the report's own listing
// ran past it: Lambda ended the invocation, CloudFormation got no answer, and the stack waited
// for the custom resource's ServiceTimeout (600 s).
const output = captureOutputAndCheckForLeaks();
const LAMBDA_TIMEOUT_MS = 120_000; // template.yaml Timeout: 120

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

function unreachableKeyApi(clock: { now: number }) {
  // A request to an unreachable host: it fails after the 10 s AbortSignal.timeout. Time is the
  // harness's clock; two requests in flight at once overlap, as they do on a real event loop.
  const after = async (ms: number) => {
    const start = clock.now;
    await new Promise((resolve) => setImmediate(resolve));
    clock.now = Math.max(clock.now, start + ms);
  };
  vi.stubGlobal('fetch', async () => {
    await after(10_000);
    throw Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
  });
  return new HttpKeyManagementApi({ baseUrl: 'https://mga.registry.prod.a.momentohq.com', now: () => clock.now, sleep: after });
}

const request = (secretId: string) => ({
  RequestType: 'Create' as const,
  ResponseURL: 'https://cloudformation-custom-resource-response.s3.amazonaws.com/stack?X-Amz-Signature=abc',
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/rotation/1',
  RequestId: 'req-1',
  LogicalResourceId: 'DeployTimeReport',
  ResourceProperties: { SecretId: secretId },
});

function deployAt(clock: { now: number }) {
  const answered: number[] = [];
  const deploy: DeployDeps = {
    sendResponse: async () => void answered.push(clock.now),
    reportVisible: async () => true,
    stackStatus: async () => 'CREATE_IN_PROGRESS',
    now: () => clock.now,
  };
  return { deploy, answered };
}

describe('DeployTimeReport with doctor checks, while Momento\'s key API does not answer', () => {
  it('answers CloudFormation before the function times out (as the report alone does)', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5); // the retries' jitter, fixed
    const h = rotationHarness({ managementSecretId: MANAGEMENT_SECRET_ID });
    try {
      h.storeCurrent(consoleKeyFile(20)); // a v1 secret on a function with a management secret (migration pending, say)
      const deps = { ...h.deps, keyApi: unreachableKeyApi(h.clock) };

      // The report alone (before issue 23): answered within the timeout.
      const alone = deployAt(h.clock);
      let start = h.clock.now;
      const deadline = start + LAMBDA_TIMEOUT_MS - 5_000; // as handler.ts computes it
      await answerDeployRequest(request(h.sm.arn), { report: (id) => reportKeyExpiry(id, deps, deadline), revokeMinted: undefined }, () => undefined, alone.deploy, deadline);
      expect(alone.answered[0]! - start).toBeLessThan(LAMBDA_TIMEOUT_MS);

      // The handler as deployed: doctor's checks first, then the report.
      const withChecks = deployAt(h.clock);
      start = h.clock.now;
      await createHandler(() => ({ ...deps, deploy: withChecks.deploy }))(request(h.sm.arn), { getRemainingTimeInMillis: () => LAMBDA_TIMEOUT_MS });
      expect(output.text()).toContain('doctor: management-key failed');
      // Without the checks' budget: answered ~122 s after the invocation began, past the timeout.
      expect(withChecks.answered[0]! - start).toBeLessThan(LAMBDA_TIMEOUT_MS);
    } finally {
      h.restore();
    }
  });
});

describe('the function-side checks never log a key', () => {
  it('not even one stored in the wrong field ({"apiKey": <endpoint>, "endpoint": <key>})', async () => {
    const h = rotationHarness();
    try {
      const key = fakeV2Key({ exp: Math.floor(h.clock.now / 1000) + 60 * 86_400 });
      h.sm.storeCurrent(JSON.stringify({ apiKey: 'cell-4-us-west-2-1.prod.a.momentohq.com', endpoint: key }));
      const checks = await functionSideChecks(h.sm.arn, h.deps, h.clock.now + 60_000);
      // logChecks logs `saw` as is, and the logger's scrub() knows only the whole stored value, not
      // the key inside it: the parse problem must never quote a stored field (key-file.ts).
      expect(leakedSecrets(JSON.stringify(checks))).toEqual([]);
    } finally {
      h.restore();
    }
  });
});
