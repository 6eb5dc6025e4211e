import { APP_ROLE_ID } from '../support/momento-roles.js';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CacheClient, CacheGet, Configurations, CredentialProvider } from '@gomomento/sdk';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MomentoClientProvider, MomentoKeyProvider } from '../../src/client/index.js';
import { LoopbackV2CredentialProvider } from '../../src/momento/sdk-momento-api.js';
import { captureFileOutputAndCheckForLeaks } from '../support/capture-output.js';
import { leakedSecrets, registerSecret } from '../support/secrets.js';
import { FAKE_V2_ENDPOINT, startLocalStack, type LocalStack } from '../stand-ins/local-stack.js';
import { CREDENTIALS, REGION } from '../stand-ins/secrets-manager-service.js';

// The consumer library, as an application uses it, against moto_server (through the fault
// proxy) and the fake Momento, while the rotation function rotates the key.
captureFileOutputAndCheckForLeaks();
let stack: LocalStack;
const CACHE = 'orders';

beforeAll(async () => {
  stack = await startLocalStack({ onIssue: registerSecret });
  stack.momento.caches.add(CACHE);
}, 60_000);
afterAll(async () => stack?.stop());

/** An application's providers, reading through the fault proxy, with clients pointed at the fake Momento. */
function application(secretId: string, options: { refreshIntervalMs?: number; reReadIntervalMs?: number; keyField?: string } = {}) {
  const warnings: string[] = [];
  const keys = new MomentoKeyProvider({
    secretId,
    secretsManager: new SecretsManagerClient({ endpoint: stack.proxy.endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 }),
    refreshIntervalMs: options.refreshIntervalMs ?? 100,
    retryIntervalMs: 100,
    ...(options.reReadIntervalMs !== undefined ? { reReadIntervalMs: options.reReadIntervalMs } : {}),
    onWarning: (m) => warnings.push(m),
    ...(options.keyField ? { keyField: options.keyField } : {}),
  });
  const builtFor: string[] = [];
  const built: { kind: string; endpoint: string | undefined }[] = [];
  const momento = new MomentoClientProvider({
    keys,
    closeGraceMs: 200,
    // As the default client, but every endpoint the fake Momento's plaintext loopback address.
    createClient: (apiKey, key) => {
      builtFor.push(apiKey);
      built.push({ kind: key.kind, endpoint: key.endpoint });
      return new CacheClient({
        configuration: Configurations.Laptop.v1(),
        credentialProvider:
          key.kind === 'v2'
            ? new LoopbackV2CredentialProvider(apiKey, stack.momento.address)
            : CredentialProvider.fromString({
                apiKey,
                endpointOverrides: { controlEndpoint: stack.momento.address, cacheEndpoint: stack.momento.address, tokenEndpoint: stack.momento.address, secureConnection: false },
              }),
        defaultTtlSeconds: 60,
      });
    },
  });
  return { keys, momento, warnings, builtFor, built };
}

/** Cache calls in a loop until `stop` resolves; returns how many ran and how many failed. */
async function continuousUse(momento: MomentoClientProvider, stop: Promise<unknown>) {
  let running = true;
  void stop.finally(() => (running = false));
  const stats = { calls: 0, failed: 0, codes: new Set<string>() };
  const worker = async () => {
    while (running) {
      const response = await momento.run((client) => client.get(CACHE, 'order-42'));
      stats.calls++;
      if (response instanceof CacheGet.Error) {
        stats.failed++;
        stats.codes.add(response.errorCode());
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return stats;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('momento-secret-rotation/client, end to end', () => {
  it('rotations during continuous use cause zero failed cache calls, even when each old key is revoked at once', async () => {
    const { arn, key } = await stack.storeConsoleKey(`momento/app-${randomUUID().slice(0, 8)}`);
    // A long refresh interval: each swap must come from the authentication error the revoked key meets.
    // Rotations 300 ms apart: a re-read interval below that (the default 5 s would make the second
    // rotation's revoked key fail calls until 5 s after the first swap's re-read).
    const app = application(arn, { refreshIntervalMs: 60_000, reReadIntervalMs: 100 });
    const container = stack.newContainer();
    const rotations = (async () => {
      let old = key.apiKey;
      for (let i = 0; i < 3; i++) {
        await pause(300);
        await stack.service.rotate(arn, container);
        stack.momento.revoke(old); // harsher than Momento: the old key would stay valid until it expires
        old = JSON.parse(await stack.service.value(arn, 'AWSCURRENT')).apiKey;
      }
      await pause(300);
    })();
    const stats = await continuousUse(app.momento, rotations);
    await rotations;
    expect(stats.failed, `failed calls: ${[...stats.codes].join(', ')}`).toBe(0);
    expect(stats.calls).toBeGreaterThan(50);
    expect(new Set(app.builtFor).size).toBe(4); // one client per key: the original and three rotated
    expect(app.builtFor.at(-1)).toBe(JSON.parse(await stack.service.value(arn, 'AWSCURRENT')).apiKey);
    await app.momento.close();
  });

  it('v2 keys: rotations during continuous use cause zero failed calls, each previous key revoked the moment its successor is promoted', async () => {
    const management = await stack.storeManagementKey(`momento/app-mgmt-${randomUUID().slice(0, 8)}`);
    const { arn } = await stack.storeV2Key(`momento/app-v2-${randomUUID().slice(0, 8)}`);
    // A long refresh interval: each swap must come from the authentication error the revoked key meets.
    // Rotations 300 ms apart: a re-read interval below that (the default 5 s would make the second
    // rotation's revoked key fail calls until 5 s after the first swap's re-read).
    const app = application(arn, { refreshIntervalMs: 60_000, reReadIntervalMs: 100 });
    const container = stack.newContainer({ managementSecretId: management.arn });
    const rotations = (async () => {
      for (let i = 0; i < 3; i++) {
        await pause(300);
        const previous = JSON.parse(await stack.service.value(arn, 'AWSCURRENT')).apiKey as string;
        await stack.service.rotate(arn, container);
        stack.momento.revoke(previous); // a leak response: revoked as soon as AWSCURRENT moved
      }
      await pause(300);
    })();
    const stats = await continuousUse(app.momento, rotations);
    await rotations;
    expect(stats.failed, `failed calls: ${[...stats.codes].join(', ')}`).toBe(0);
    expect(stats.calls).toBeGreaterThan(50);
    expect(new Set(app.builtFor).size).toBe(4);
    expect(app.built.every((b) => b.kind === 'v2' && b.endpoint === FAKE_V2_ENDPOINT)).toBe(true);
    expect(app.builtFor.at(-1)).toBe(JSON.parse(await stack.service.value(arn, 'AWSCURRENT')).apiKey);
    await app.momento.close();
  });

  it('a v1 secret migrated to v2 under a running application: the key kind changes under it, and no call fails', async () => {
    const management = await stack.storeManagementKey(`momento/mig-mgmt-${randomUUID().slice(0, 8)}`);
    const { arn } = await stack.storeConsoleKey(`momento/mig-${randomUUID().slice(0, 8)}`, {
      extraFields: { roleId: APP_ROLE_ID, endpoint: FAKE_V2_ENDPOINT },
    });
    const app = application(arn, { refreshIntervalMs: 100 });
    const migration = (async () => {
      await pause(300);
      await stack.service.rotate(arn, stack.newContainer({ managementSecretId: management.arn }));
      await pause(500);
    })();
    const stats = await continuousUse(app.momento, migration);
    await migration;
    expect(stats.failed, `failed calls: ${[...stats.codes].join(', ')}`).toBe(0);
    expect(app.built.map((b) => b.kind)).toEqual(['v1', 'v2']);
    expect(app.built[1]!.endpoint).toBe(FAKE_V2_ENDPOINT);
    await app.momento.close();
  });

  it('AWSCURRENT revoked: 4 workers failing continuously re-read the secret once per interval, backing off, and a good key stored is used at the next re-read', async () => {
    const { arn, key } = await stack.storeConsoleKey(`momento/revoked-${randomUUID().slice(0, 8)}`);
    const app = application(arn, { refreshIntervalMs: 60_000, reReadIntervalMs: 500 });
    expect(await app.momento.run((client) => client.get(CACHE, 'k'))).toBeInstanceOf(CacheGet.Miss);
    stack.momento.revoke(key.apiKey); // AWSCURRENT itself: every re-read returns the same dead key
    const before = stack.proxy.counts.GetSecretValue ?? 0;
    const started = Date.now();
    const stats = await continuousUse(app.momento, pause(1_600));
    const elapsed = Date.now() - started;
    const reReads = (stack.proxy.counts.GetSecretValue ?? 0) - before;
    expect(stats.calls).toBeGreaterThan(50);
    expect(stats.failed).toBe(stats.calls); // each fails with the authentication error, no loop
    expect([...stats.codes]).toEqual(['AUTHENTICATION_ERROR']);
    // Re-reads at 0, 500 and 1,500 ms (the backoff doubling): never more than one per 500 ms.
    expect(reReads).toBeGreaterThanOrEqual(2);
    expect(reReads).toBeLessThanOrEqual(1 + Math.floor(elapsed / 500));

    const good = stack.momento.issueKey();
    await stack.service.client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ apiKey: good.apiKey }) }));
    await pause(2_100); // past the backoff (2 s after the re-read at 1,500 ms)
    expect(await app.momento.run((client) => client.get(CACHE, 'k'))).toBeInstanceOf(CacheGet.Miss);
    expect(app.builtFor).toEqual([key.apiKey, good.apiKey]);
    await app.momento.close();
  });

  it('keeps working through a Secrets Manager outage, on the last good key, and says so', async () => {
    const { arn } = await stack.storeConsoleKey(`momento/outage-${randomUUID().slice(0, 8)}`);
    const app = application(arn);
    await app.momento.run((client) => client.get(CACHE, 'k'));
    stack.proxy.failNext('GetSecretValue', 10, { kind: 'drop' }, arn);
    const stats = await continuousUse(app.momento, pause(1_500));
    expect(stats.failed).toBe(0);
    expect(app.warnings.join('\n')).toMatch(/cannot read secret .*; serving the last good key sha256:/);
    stack.proxy.clearFaults();
    await app.momento.close();
  });

  it('an authentication error makes it re-read the secret and rebuild the client', async () => {
    const { arn, key } = await stack.storeConsoleKey(`momento/auth-${randomUUID().slice(0, 8)}`);
    const app = application(arn, { refreshIntervalMs: 3_600_000 }); // it would not re-read on its own
    await app.momento.run((client) => client.get(CACHE, 'k'));
    await stack.service.rotate(arn, stack.newContainer());
    stack.momento.revoke(key.apiKey);
    const response = await app.momento.run((client) => client.get(CACHE, 'k'));
    expect(response).toBeInstanceOf(CacheGet.Miss);
    expect(app.builtFor).toHaveLength(2);
    await app.momento.close();
  });

  it('reads a bare key stored as plain text, and a key under a custom field', async () => {
    const bare = stack.momento.issueKey();
    const bareArn = await stack.createSecret(`momento/bare-${randomUUID().slice(0, 8)}`, bare.apiKey);
    const custom = stack.momento.issueKey();
    const customArn = await stack.createSecret(`momento/custom-${randomUUID().slice(0, 8)}`, JSON.stringify({ momento: custom.apiKey, region: 'eu' }));
    for (const app of [application(bareArn), application(customArn, { keyField: 'momento' })]) {
      expect(await app.momento.run((client) => client.get(CACHE, 'k'))).toBeInstanceOf(CacheGet.Miss);
      await app.momento.close();
    }
  });

  it('concurrent first calls make one GetSecretValue', async () => {
    const { arn } = await stack.storeConsoleKey(`momento/concurrent-${randomUUID().slice(0, 8)}`);
    const app = application(arn);
    const before = stack.proxy.counts.GetSecretValue ?? 0;
    const responses = await Promise.all(Array.from({ length: 25 }, () => app.momento.run((client) => client.get(CACHE, 'k'))));
    expect(responses.every((r) => r instanceof CacheGet.Miss)).toBe(true);
    expect((stack.proxy.counts.GetSecretValue ?? 0) - before).toBe(1);
    expect(leakedSecrets(app.warnings.join('\n'))).toEqual([]);
    await app.momento.close();
  });
});
