import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureFileOutputAndCheckForLeaks } from '../support/capture-output.js';
import { registerSecret } from '../support/secrets.js';
import type { FakeMomentoMethod, KeyApiFault, KeyApiRoute, MomentoFault } from '../stand-ins/fake-momento-server.js';
import type { HttpFault, SecretsManagerOperation } from '../stand-ins/fault-proxy.js';
import { startLocalStack, type LocalStack } from '../stand-ins/local-stack.js';

/**
 * Every fault, at every Secrets Manager operation and Momento call the rotation makes,
 * driven to the end with the service's retries. For each:
 * - at every moment (after every request moto applies), AWSCURRENT holds a key Momento accepts;
 * - in the end AWSCURRENT is a new key, and AWSPREVIOUS the old one;
 * - with single-use refresh tokens, a following rotation succeeds: nothing was lost;
 * - no secret appears in the logs (checked for the whole file).
 */
const output = captureFileOutputAndCheckForLeaks();
let stack: LocalStack;
const watched = new Set<string>();
/** v2 secrets by the lineage of their management key, to check them after each key-API request. */
const watchedByLineage = new Map<string, string>();
let keyApiChecks = 0;
const violations: string[] = [];
const results: { name: string; held: boolean }[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ onIssue: registerSecret });
  stack.proxy.onApplied = async (operation, secretId) => {
    if (secretId !== undefined && watched.has(secretId) && !(await stack.currentKeyWorks(secretId))) {
      violations.push(`${secretId}: AWSCURRENT did not work after ${operation}`);
    }
  };
  stack.momento.onKeyApiApplied = async (route, lineage) => {
    const secretId = watchedByLineage.get(lineage);
    if (secretId !== undefined) keyApiChecks++;
    if (secretId !== undefined && !(await stack.currentKeyWorks(secretId))) {
      violations.push(`${secretId}: AWSCURRENT did not work after key API ${route}`);
    }
  };
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  const held = results.filter((r) => r.held).length;
  output.print(`\nfault cases: ${results.length} run, ${held} held`);
  for (const r of results.filter((x) => !x.held)) output.print(`  did not hold: ${r.name}`);
});

// The function's Secrets Manager client gives up on an answer after 5 s; Momento's
// data-plane deadline (Lambda configuration) is 1.1 s, its control plane and AuthClient 60 s.
const SM_CLIENT_TIMEOUT_MS = 5_000;
const MOMENTO_CONTROL_DEADLINE_MS = 60_000;
const MOMENTO_DATA_DEADLINE_MS = 1_100;

interface FaultCase {
  readonly name: string;
  readonly inject: (arn: string, lineage: string) => void;
  readonly testCacheName?: string;
  /** A v2 secret, rotated by minting with a management key of its own (faults are scoped to its lineage). */
  readonly v2?: boolean;
}

const smOperations: SecretsManagerOperation[] = ['DescribeSecret', 'GetSecretValue', 'PutSecretValue', 'UpdateSecretVersionStage'];
const httpFaults: [string, HttpFault, number][] = [
  // Four in a row outlast the SDK's three attempts, so the function's and the service's retries act too.
  ['throttle', { kind: 'throttle' }, 4],
  ['500', { kind: 'error500' }, 4],
  ['dropped connection', { kind: 'drop' }, 4],
  ['delay past the client timeout', { kind: 'delay', ms: SM_CLIENT_TIMEOUT_MS + 1_000 }, 1],
];
const momentoCalls: [FakeMomentoMethod, string | undefined, number][] = [
  ['RefreshApiToken', undefined, MOMENTO_CONTROL_DEADLINE_MS],
  ['ListCaches', undefined, MOMENTO_CONTROL_DEADLINE_MS],
  ['Get', 'probe-cache', MOMENTO_DATA_DEADLINE_MS],
];
const momentoFaults = (deadlineMs: number): [string, MomentoFault, number][] => [
  ['throttle', { kind: 'throttle' }, 2],
  ['internal error', { kind: 'internal' }, 2],
  ['dropped connection', { kind: 'drop' }, 2],
  ['delay past the client deadline', { kind: 'delay', ms: deadlineMs + 1_000 }, 1],
];

const keyApiRoutes: KeyApiRoute[] = ['mint', 'list', 'revoke'];
const keyApiFaults: [string, KeyApiFault, number][] = [
  // Nine in a row outlast the adapter's eight attempts, so the service's retries act too.
  ['429', { kind: 'throttle' }, 9],
  ['500', { kind: 'error500' }, 9],
  ['dropped connection', { kind: 'drop' }, 3],
  ['reply lost after the request was applied', { kind: 'lost-reply' }, 1],
];

const cases: FaultCase[] = [
  ...smOperations.flatMap((operation) =>
    httpFaults.map(([label, fault, count]): FaultCase => ({
      name: `Secrets Manager ${operation}: ${label}`,
      inject: (arn) => stack.proxy.failNext(operation, count, fault, arn),
    })),
  ),
  ...momentoCalls.flatMap(([method, testCacheName, deadline]) =>
    momentoFaults(deadline).map(([label, fault, count]): FaultCase => ({
      name: `Momento ${method}: ${label}`,
      inject: (_arn, lineage) => stack.momento.failNext(method, count, fault, lineage),
      ...(testCacheName ? { testCacheName } : {}),
    })),
  ),
  ...keyApiRoutes.flatMap((route) =>
    keyApiFaults.map(([label, fault, count]): FaultCase => ({
      name: `Momento key API ${route}: ${label}`,
      inject: (_arn, lineage) => stack.momento.failNextKeyApi(route, count, fault, lineage),
      v2: true,
    })),
  ),
  // v2 secrets meet the Secrets Manager faults too.
  ...smOperations.map((operation): FaultCase => ({
    name: `v2: Secrets Manager ${operation}: throttle`,
    inject: (arn) => stack.proxy.failNext(operation, 4, { kind: 'throttle' }, arn),
    v2: true,
  })),
];

describe.concurrent('faults, driven to the end with the service\'s retries', () => {
  it.each(cases)('$name', { timeout: 240_000 }, async (faultCase) => {
    let held = false;
    try {
      const name = `momento/fault-${randomUUID().slice(0, 8)}`;
      const management = faultCase.v2 ? await stack.storeManagementKey(`${name}-management`) : undefined;
      const { arn, key, lineage } = management
        ? { ...(await stack.storeV2Key(name)), lineage: management.key.lineage }
        : await stack.storeConsoleKey(name);
      const originalVersion = Object.keys(await stack.service.stages(arn))[0]!;
      watched.add(arn);
      if (management) watchedByLineage.set(management.key.lineage, arn);
      if (faultCase.testCacheName) stack.momento.caches.add(faultCase.testCacheName);
      const container = stack.newContainer({
        ...(faultCase.testCacheName ? { testCacheName: faultCase.testCacheName } : {}),
        // The console key is the function's to revoke here (RevokeImportedKeys): the invariant is exactly AWSCURRENT's and AWSPREVIOUS's keys.
        ...(management ? { managementSecretId: management.arn, revokeImportedKeys: true } : {}),
      });

      faultCase.inject(arn, lineage);
      await stack.service.rotate(arn, container);

      const current = JSON.parse(await stack.service.value(arn, 'AWSCURRENT')) as { apiKey: string };
      expect(current.apiKey).not.toBe(key.apiKey);
      expect(stack.momento.accepts(current.apiKey)).toBe(true);
      expect((await stack.service.stages(arn))[originalVersion]).toEqual(['AWSPREVIOUS']);

      // Nothing was lost: with single-use refresh tokens, the next rotation still works.
      await stack.service.rotate(arn, container);
      expect(await stack.currentKeyWorks(arn)).toBe(true);
      if (management) {
        // And no extra key stays valid: after the report retries any failed revocation, exactly AWSCURRENT's and AWSPREVIOUS's.
        await container({ Action: 'ReportKeyExpiry', SecretId: arn });
        const held = await Promise.all(['AWSCURRENT', 'AWSPREVIOUS'].map(async (s) => (JSON.parse(await stack.service.value(arn, s)) as { keyId: string }).keyId));
        const live = stack.momento.liveV2Keys().filter((k) => k.lineage === management.key.lineage && k.keyId !== management.key.keyId);
        expect(live.map((k) => k.keyId).sort()).toEqual(held.sort());
        expect(stack.momento.accepts(key.apiKey)).toBe(false);
      }
      expect(violations.filter((v) => v.startsWith(arn))).toEqual([]);
      held = true;
    } finally {
      results.push({ name: faultCase.name, held });
    }
  });
});

describe('the fault suite itself', () => {
  it('injected every fault it queued, and saw secrets handled in the logs', () => {
    expect(stack.proxy.pendingFaults()).toBe(0);
    expect(stack.momento.pendingFaults()).toBe(0);
    expect(output.text()).toContain('keyFingerprint');
    expect(keyApiChecks).toBeGreaterThan(50); // every key-API request of the v2 cases was followed by a check
  });
});
