import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CacheClient } from '@gomomento/sdk';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MomentoClientProvider, MomentoKeyProvider } from '../../src/client/index.js';
import { consoleKeyFile } from '../support/secrets.js';

const sm = mockClient(SecretsManagerClient);
beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  sm.reset();
  vi.useRealTimers();
});

/** A stand-in CacheClient: records which key it was built for and whether it was closed. */
function fakeClient(apiKey: string) {
  return { apiKey, closed: false, close() { this.closed = true; } };
}
type FakeClient = ReturnType<typeof fakeClient>;
const authError = { errorCode: () => 'AUTHENTICATION_ERROR' };

function setup(secretValues: string[]) {
  sm.on(GetSecretValueCommand).callsFake(async () => ({ SecretString: secretValues[0] }));
  const keys = new MomentoKeyProvider({ secretId: 's', secretsManager: new SecretsManagerClient({ region: 'us-east-1' }), refreshIntervalMs: 1_000 });
  const built: FakeClient[] = [];
  const clients = new MomentoClientProvider({
    keys,
    closeGraceMs: 5_000,
    createClient: (apiKey) => {
      const client = fakeClient(apiKey);
      built.push(client);
      return client as unknown as CacheClient;
    },
  });
  return { keys, clients, built, rotateTo: (value: string) => secretValues.unshift(value) };
}

describe('MomentoClientProvider', () => {
  it('builds one client per key, and a new one when the key changes', async () => {
    const [a, b] = [consoleKeyFile(), consoleKeyFile()];
    const { clients, built, rotateTo } = setup([JSON.stringify(a)]);
    const first = await clients.getClient();
    expect(await clients.getClient()).toBe(first);
    rotateTo(JSON.stringify(b));
    vi.advanceTimersByTime(1_001);
    const second = (await clients.getClient()) as unknown as FakeClient;
    expect(built.map((c) => c.apiKey)).toEqual([a.apiKey, b.apiKey]);
    expect(second.apiKey).toBe(b.apiKey);
  });

  it('closes a replaced client after the grace period, and not while a call still uses it', async () => {
    const { clients, built, rotateTo } = setup([JSON.stringify(consoleKeyFile())]);
    let finishSlowCall!: () => void;
    const slowCall = clients.run(() => new Promise<void>((resolve) => (finishSlowCall = resolve)));
    await vi.advanceTimersByTimeAsync(0);
    rotateTo(JSON.stringify(consoleKeyFile()));
    await vi.advanceTimersByTimeAsync(1_001);
    await clients.getClient(); // swaps to the new key
    await vi.advanceTimersByTimeAsync(10_000); // past the grace period
    expect(built[0]!.closed).toBe(false); // the slow call still holds it
    finishSlowCall();
    await slowCall;
    expect(built[0]!.closed).toBe(true);
    expect(built[1]!.closed).toBe(false);
  });

  it('after AUTHENTICATION_ERROR, re-reads the secret, rebuilds, and retries once with the new key', async () => {
    const [a, b] = [consoleKeyFile(), consoleKeyFile()];
    const { clients, rotateTo } = setup([JSON.stringify(a)]);
    await clients.getClient();
    rotateTo(JSON.stringify(b)); // rotated; the cache still holds a
    const usedKeys: string[] = [];
    const result = await clients.run(async (client) => {
      usedKeys.push((client as unknown as FakeClient).apiKey);
      return usedKeys.length === 1 ? authError : 'hit';
    });
    expect(result).toBe('hit');
    expect(usedKeys).toEqual([a.apiKey, b.apiKey]);
  });

  it('returns the AUTHENTICATION_ERROR when the key has not changed, without a second call', async () => {
    const { clients } = setup([JSON.stringify(consoleKeyFile())]);
    let calls = 0;
    const result = await clients.run(async () => {
      calls++;
      return authError;
    });
    expect(result).toBe(authError);
    expect(calls).toBe(1);
  });

  it('retries a thrown AUTHENTICATION_ERROR too (clients with throwOnErrors)', async () => {
    const [a, b] = [consoleKeyFile(), consoleKeyFile()];
    const { clients, rotateTo } = setup([JSON.stringify(a)]);
    await clients.getClient();
    rotateTo(JSON.stringify(b));
    let calls = 0;
    const result = await clients.run(async () => {
      if (++calls === 1) throw Object.assign(new Error('Invalid signature'), authError);
      return 'ok';
    });
    expect(result).toBe('ok');
  });

  it('close() closes every client', async () => {
    const { clients, built } = setup([JSON.stringify(consoleKeyFile())]);
    await clients.getClient();
    await clients.close();
    expect(built.every((c) => c.closed)).toBe(true);
    await expect(clients.getClient()).rejects.toThrow(/closed/);
  });
});
