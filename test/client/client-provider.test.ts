import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CacheClient } from '@gomomento/sdk';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isAuthenticationError, withEndpoint } from '../../src/client/client-provider.js';
import { credentialProviderFor, KeyNotUsableError, MomentoClientProvider, MomentoKeyProvider, type MomentoKey } from '../../src/client/index.js';
import { consoleKeyFile, fakeV1Key, fakeV2Key } from '../support/secrets.js';

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

function setup(secretValues: string[], options: { refreshIntervalMs?: number; reReadIntervalMs?: number } = {}) {
  sm.on(GetSecretValueCommand).callsFake(async () => ({ SecretString: secretValues[0] }));
  const keys = new MomentoKeyProvider({ secretId: 's', secretsManager: new SecretsManagerClient({ region: 'us-east-1' }), refreshIntervalMs: 1_000, ...options });
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

  it('handleAuthenticationError() re-reads the secret at once and returns a client for the new key', async () => {
    const [a, b] = [consoleKeyFile(), consoleKeyFile()];
    const { clients, built, rotateTo } = setup([JSON.stringify(a)]);
    await clients.getClient();
    rotateTo(JSON.stringify(b)); // within the refresh interval: only a re-read finds it
    const reads = sm.commandCalls(GetSecretValueCommand).length;
    const client = (await clients.handleAuthenticationError()) as unknown as FakeClient;
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(reads + 1);
    expect(client.apiKey).toBe(b.apiKey);
    expect(built.map((c) => c.apiKey)).toEqual([a.apiKey, b.apiKey]);
  });

  it('close() closes the replaced clients still in their grace period, not only the current one', async () => {
    const { clients, built, rotateTo } = setup([JSON.stringify(consoleKeyFile())]);
    await clients.getClient();
    rotateTo(JSON.stringify(consoleKeyFile()));
    await vi.advanceTimersByTimeAsync(1_001);
    await clients.getClient(); // the first client is now retired, within its grace period
    expect(built.map((c) => c.closed)).toEqual([false, false]);
    await clients.close();
    expect(built.map((c) => c.closed)).toEqual([true, true]);
    await expect(clients.getClient()).rejects.toThrow(/closed/);
  });

  it('never keeps a process or an invocation alive: the grace timer is unref\'d', async () => {
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const { clients, rotateTo } = setup([JSON.stringify(consoleKeyFile())]);
    await clients.getClient();
    rotateTo(JSON.stringify(consoleKeyFile()));
    await vi.advanceTimersByTimeAsync(1_001);
    const before = timers.mock.results.length;
    await clients.getClient(); // retires the first client, arming its close timer
    const armed = timers.mock.results.slice(before).map((r) => r.value as { hasRef(): boolean });
    expect(armed).toHaveLength(1);
    expect(armed[0]!.hasRef()).toBe(false);
    timers.mockRestore();
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

describe('MomentoClientProvider when AWSCURRENT itself is revoked', () => {
  const reads = () => sm.commandCalls(GetSecretValueCommand).length;
  /** A key provider that would not re-read on its own for an hour: every read here is one an authentication error caused. */
  const hour = { refreshIntervalMs: 3_600_000 };
  /** A call that fails authentication while `revoked` holds the key it was given, after `latencyMs`. */
  const callWith = (revoked: Set<string>, used: string[] = [], latencyMs = 0) => async (client: CacheClient) => {
    const { apiKey } = client as unknown as FakeClient;
    used.push(apiKey);
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    return revoked.has(apiKey) ? authError : 'hit';
  };

  it('AWSCURRENT revoked: 50 concurrent run() calls that fail authentication cause one secret read, not 50', async () => {
    const a = consoleKeyFile();
    const { clients } = setup([JSON.stringify(a)], hour);
    await clients.getClient();
    const before = reads();
    const used: string[] = [];
    // In flight together, answered over 50 ms as a real fleet's calls are: each failure meets the last one's re-read done.
    const results = Array.from({ length: 50 }, (_, i) => clients.run(callWith(new Set([a.apiKey]), used, i + 1)));
    await vi.advanceTimersByTimeAsync(100);
    expect(await Promise.all(results)).toEqual(Array(50).fill(authError)); // each fails with the authentication error...
    expect(used).toHaveLength(50); // ...without a retry: the key did not change
    expect(reads() - before).toBe(1);
  });

  it('a re-read within 5 s of the last one reuses it: a rotated key revoked 1 s later fails without a read, and the re-read 5 s on finds its successor', async () => {
    const [a, b, c] = [consoleKeyFile(), consoleKeyFile(), consoleKeyFile()];
    const { clients, rotateTo } = setup([JSON.stringify(a)], hour);
    await clients.getClient();
    const revoked = new Set([a.apiKey]);
    rotateTo(JSON.stringify(b)); // the normal swap: a revoked, b picked up on the first authentication error
    expect(await clients.run(callWith(revoked))).toBe('hit');
    expect(reads()).toBe(2);
    await vi.advanceTimersByTimeAsync(1_000);
    rotateTo(JSON.stringify(c));
    revoked.add(b.apiKey);
    expect(await clients.run(callWith(revoked))).toBe(authError); // within 5 s: b, as the last re-read found it
    await vi.advanceTimersByTimeAsync(3_999);
    expect(await clients.run(callWith(revoked))).toBe(authError);
    expect(reads()).toBe(2);
    await vi.advanceTimersByTimeAsync(1); // 5 s after the last re-read
    const used: string[] = [];
    expect(await clients.run(callWith(revoked, used))).toBe('hit');
    expect(used).toEqual([b.apiKey, c.apiKey]);
    expect(reads()).toBe(3);
  });

  it('a re-read returning the same key backs off: no read for 5 s, then one; then 10 s, 20 s, 40 s, 60 s, 60 s', async () => {
    const a = consoleKeyFile();
    const { clients } = setup([JSON.stringify(a)], hour);
    await clients.getClient();
    const run = () => clients.run(callWith(new Set([a.apiKey])));
    expect(await run()).toBe(authError);
    expect(reads()).toBe(2); // the first re-read: the same key
    for (const backoff of [5_000, 10_000, 20_000, 40_000, 60_000, 60_000]) {
      const before = reads();
      await vi.advanceTimersByTimeAsync(backoff - 1);
      expect(await run()).toBe(authError);
      expect(reads(), `1 ms before ${backoff} ms`).toBe(before);
      await vi.advanceTimersByTimeAsync(1);
      expect(await run()).toBe(authError);
      expect(await run()).toBe(authError);
      expect(reads(), `at ${backoff} ms`).toBe(before + 1);
    }
  });

  it('a new key after the backoff is used at once, and ends the backoff', async () => {
    const [a, b] = [consoleKeyFile(), consoleKeyFile()];
    const { clients, rotateTo } = setup([JSON.stringify(a)], hour);
    await clients.getClient();
    const revoked = new Set([a.apiKey]);
    expect(await clients.run(callWith(revoked))).toBe(authError); // re-read: a again, back off 5 s
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await clients.run(callWith(revoked))).toBe(authError); // re-read: a again, back off 10 s
    await vi.advanceTimersByTimeAsync(1_000);
    rotateTo(JSON.stringify(b)); // the operator stores a good key
    await vi.advanceTimersByTimeAsync(8_999);
    expect(await clients.run(callWith(revoked))).toBe(authError); // still backing off: no read
    expect(reads()).toBe(3);
    await vi.advanceTimersByTimeAsync(1); // 10 s after the last re-read
    const used: string[] = [];
    expect(await clients.run(callWith(revoked, used))).toBe('hit');
    expect(used).toEqual([a.apiKey, b.apiKey]); // the failed call retried with b at once
    expect(reads()).toBe(4);
    expect(await clients.run(callWith(revoked, used))).toBe('hit'); // and later calls use b, without a read
    expect(reads()).toBe(4);
    // The backoff starts again at 5 s: b revoked now is re-read for 5 s on, not 20.
    const c = consoleKeyFile();
    revoked.add(b.apiKey);
    rotateTo(JSON.stringify(c));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await clients.run(callWith(revoked))).toBe('hit');
    expect(reads()).toBe(5);
  });

  it('a rotation during the backoff, found by the scheduled refresh, is used by the next call without a re-read', async () => {
    const [a, b] = [consoleKeyFile(), consoleKeyFile()];
    const { clients, rotateTo } = setup([JSON.stringify(a)], { refreshIntervalMs: 2_000 });
    await clients.getClient();
    const revoked = new Set([a.apiKey]);
    expect(await clients.run(callWith(revoked))).toBe(authError);
    rotateTo(JSON.stringify(b));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await clients.run(callWith(revoked))).toBe('hit'); // the scheduled read found b
    expect(reads()).toBe(3);
  });

  it('handleAuthenticationError() is limited the same way, and returns the client held when the key has not changed', async () => {
    const a = consoleKeyFile();
    const { clients } = setup([JSON.stringify(a)], hour);
    const held = await clients.getClient();
    expect(await clients.handleAuthenticationError()).toBe(held);
    expect(await clients.handleAuthenticationError()).toBe(held);
    expect(reads()).toBe(2);
  });

  it('reReadIntervalMs: 0 turns the limit off: every failed call re-reads the secret, as before', async () => {
    const a = consoleKeyFile();
    const { clients } = setup([JSON.stringify(a)], { ...hour, reReadIntervalMs: 0 });
    await clients.getClient();
    for (let i = 0; i < 5; i++) expect(await clients.run(callWith(new Set([a.apiKey])))).toBe(authError);
    expect(reads()).toBe(6);
  });
});

describe('v2 keys in the client library', () => {
  const v2 = (endpoint?: string): MomentoKey => ({
    apiKey: fakeV2Key(),
    kind: 'v2',
    endpoint,
    keyId: 'key-1',
    validUntil: undefined,
    versionId: 'v1',
    fingerprint: 'sha256:00000000',
  });

  it("uses the application's endpoint over MOMENTO_ENDPOINT over the secret's, for v2 keys only", () => {
    const key = v2('cell-1-us-east-1-1.prod.a.momentohq.com');
    const eu = 'cell-1-eu-west-1-1.prod.a.momentohq.com';
    const ap = 'cell-1-ap-south-1-1.prod.a.momentohq.com';
    expect(withEndpoint(key, undefined, {}).endpoint).toBe('cell-1-us-east-1-1.prod.a.momentohq.com');
    expect(withEndpoint(key, undefined, { MOMENTO_ENDPOINT: eu }).endpoint).toBe(eu);
    expect(withEndpoint(key, ap, { MOMENTO_ENDPOINT: eu }).endpoint).toBe(ap);
    expect(withEndpoint(v2(undefined), undefined, { MOMENTO_ENDPOINT: eu }).endpoint).toBe(eu);
    const v1: MomentoKey = { ...key, apiKey: fakeV1Key(), kind: 'v1', endpoint: undefined };
    expect(withEndpoint(v1, ap, { MOMENTO_ENDPOINT: eu })).toBe(v1); // a v1 key names its own endpoint
  });

  it('authenticates a v2 key with fromApiKeyV2 at its endpoint, and a v1 key with fromString', () => {
    const provider = credentialProviderFor(v2('cell-4-us-west-2-1.prod.a.momentohq.com'));
    expect(provider.getCacheEndpoint()).toContain('cell-4-us-west-2-1.prod.a.momentohq.com');
    expect(provider.isCacheEndpointSecure()).toBe(true);
    const v1Key = fakeV1Key('cell-us-east-1-1.prod.a.momentohq.com');
    const v1Provider = credentialProviderFor({ ...v2(), apiKey: v1Key, kind: 'v1' });
    expect(v1Provider.getCacheEndpoint()).toContain('cell-us-east-1-1.prod.a.momentohq.com');
  });

  it('refuses a v2 key without an endpoint, saying where to find one, without the key', () => {
    const key = v2(undefined);
    let error: unknown;
    try {
      credentialProviderFor(key);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KeyNotUsableError);
    expect((error as Error).message).toMatch(/v2 Momento key \(sha256:00000000\) without an "endpoint".*MOMENTO_ENDPOINT/);
    expect((error as Error).message).not.toContain(key.apiKey);
  });

  it('hands createClient the key with its resolved endpoint', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ apiKey: fakeV2Key({ jti: 'k' }), endpoint: 'cell-1-us-east-1-1.prod.a.momentohq.com', keyId: 'k' }) });
    const keys = new MomentoKeyProvider({ secretId: 's', secretsManager: new SecretsManagerClient({ region: 'us-east-1' }) });
    const seen: MomentoKey[] = [];
    const clients = new MomentoClientProvider({
      keys,
      endpoint: 'cell-9-eu-west-1-1.prod.a.momentohq.com',
      createClient: (apiKey, key) => {
        seen.push(key);
        return fakeClient(apiKey) as unknown as CacheClient;
      },
    });
    await clients.getClient();
    expect(seen).toMatchObject([{ kind: 'v2', endpoint: 'cell-9-eu-west-1-1.prod.a.momentohq.com', keyId: 'k' }]);
  });
});

describe('the client library, exactly', () => {
  const v2 = (endpoint?: string): MomentoKey => ({ apiKey: fakeV2Key(), kind: 'v2', endpoint, keyId: 'k', validUntil: undefined, versionId: 'v', fingerprint: 'sha256:00000000' });

  const CELL_1 = 'cell-1-us-east-1-1.prod.a.momentohq.com';
  const CELL_2 = 'cell-2-eu-west-1-1.prod.a.momentohq.com';
  const CELL_3 = 'cell-3-ap-south-1-1.prod.a.momentohq.com';

  it('trims the endpoint option and MOMENTO_ENDPOINT, skips blank ones, and keeps the key object when nothing changes', () => {
    const key = v2(CELL_1);
    expect(withEndpoint(key, `  ${CELL_2} `, {}).endpoint).toBe(CELL_2);
    expect(withEndpoint(key, '   ', { MOMENTO_ENDPOINT: ` ${CELL_3} ` }).endpoint).toBe(CELL_3);
    expect(withEndpoint(key, undefined, { MOMENTO_ENDPOINT: '  ' })).toBe(key);
    expect(withEndpoint(key, CELL_1, {})).toBe(key);
    const moved = withEndpoint(key, CELL_2, {});
    expect(moved).not.toBe(key);
    expect(moved).toEqual({ ...key, endpoint: CELL_2 });
  });

  it('takes the endpoint option and MOMENTO_ENDPOINT as Momento\'s regions page shows them, as their base, and refuses what is not a host', () => {
    const key = v2(CELL_1);
    expect(withEndpoint(key, `https://api.cache.${CELL_2}`, {}).endpoint).toBe(CELL_2);
    expect(withEndpoint(key, undefined, { MOMENTO_ENDPOINT: `cache.${CELL_3}` }).endpoint).toBe(CELL_3);
    expect(withEndpoint(key, `https://api.cache.${CELL_1}/`, {})).toBe(key);
    expect(() => withEndpoint(key, 'us-west-2', {})).toThrow(/the endpoint option "us-west-2" is not a host name: expected Momento's region base endpoint/);
    expect(() => withEndpoint(key, undefined, { MOMENTO_ENDPOINT: `http://${CELL_2}` })).toThrow(/MOMENTO_ENDPOINT "http:\/\/cell-2.*" uses http:\/\/, not https:\/\//);
    expect(() => withEndpoint(key, undefined, { MOMENTO_ENDPOINT: `http://${CELL_2}` })).toThrow(KeyNotUsableError);
  });

  it.each([
    ['an error response', { errorCode: () => 'AUTHENTICATION_ERROR' }, true],
    ['an outcome holding one', { value: { errorCode: () => 'AUTHENTICATION_ERROR' } }, true],
    ['a thrown one', { error: { errorCode: () => 'AUTHENTICATION_ERROR' } }, true],
    ['another error code', { errorCode: () => 'NOT_FOUND_ERROR' }, false],
    ['an errorCode that is not a function', { errorCode: 'AUTHENTICATION_ERROR' }, false],
    ['a success', { value: 'hit' }, false],
    ['null', null, false],
    ['a string', 'AUTHENTICATION_ERROR', false],
  ])('isAuthenticationError: %s → %s', (_label, outcome, expected) => {
    expect(isAuthenticationError(outcome)).toBe(expected);
  });

  it('refuses every call once closed', async () => {
    const { clients } = setup([JSON.stringify(consoleKeyFile())]);
    await clients.getClient();
    await clients.close();
    await expect(clients.getClient()).rejects.toThrow('MomentoClientProvider is closed');
    await expect(clients.run(async () => 1)).rejects.toThrow('MomentoClientProvider is closed');
    expect(clients.currentKeyFingerprint()).toBeUndefined();
  });

  it('names the current key by fingerprint only', async () => {
    const file = consoleKeyFile();
    const { clients } = setup([JSON.stringify(file)]);
    expect(clients.currentKeyFingerprint()).toBeUndefined();
    await clients.getClient();
    expect(clients.currentKeyFingerprint()).toMatch(/^sha256:[0-9a-f]{8}$/);
  });

  it('passes a non-authentication failure through without re-reading the secret', async () => {
    const { clients } = setup([JSON.stringify(consoleKeyFile())]);
    await clients.getClient();
    const before = sm.commandCalls(GetSecretValueCommand).length;
    await expect(clients.run(async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(sm.commandCalls(GetSecretValueCommand).length).toBe(before);
  });
});
