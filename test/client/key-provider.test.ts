import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeyUnavailableError, MomentoKeyProvider } from '../../src/client/index.js';
import { APP_ROLE_ID } from '../support/momento-roles.js';
import { consoleKeyFile, fakeV1Key, fakeV2Key, leakedSecrets } from '../support/secrets.js';

const sm = mockClient(SecretsManagerClient);
afterEach(() => sm.reset());

function provider(options: Partial<ConstructorParameters<typeof MomentoKeyProvider>[0]> = {}) {
  const clock = { now: 1_800_000_000_000 };
  const warnings: string[] = [];
  const keys = new MomentoKeyProvider({
    secretId: 'momento/api-key',
    secretsManager: new SecretsManagerClient({ region: 'us-east-1' }),
    refreshIntervalMs: 60_000,
    now: () => clock.now,
    onWarning: (m) => warnings.push(m),
    ...options,
  });
  return { keys, clock, warnings };
}

const reads = () => sm.commandCalls(GetSecretValueCommand).length;

describe('MomentoKeyProvider', () => {
  it('reads AWSCURRENT once, serves it from cache, and reads again after the interval', async () => {
    const file = consoleKeyFile(30, 1_800_000_000);
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(file), VersionId: 'v1' });
    const { keys, clock } = provider();
    const key = await keys.getKey();
    expect(key).toMatchObject({ apiKey: file.apiKey, validUntil: file.validUntil, versionId: 'v1', fingerprint: expect.stringMatching(/^sha256:/) });
    expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: 'momento/api-key', VersionStage: 'AWSCURRENT' });
    clock.now += 59_000;
    await keys.getKey();
    expect(reads()).toBe(1);
    clock.now += 2_000;
    await keys.getKey();
    expect(reads()).toBe(2);
  });

  it('reads a v2 secret: the key, its kind, its endpoint and key id', async () => {
    const apiKey = fakeV2Key({ jti: 'key-123' });
    const value = { apiKey, endpoint: 'cell-4-us-west-2-1.prod.a.momentohq.com', roleId: APP_ROLE_ID, keyId: 'key-123', validUntil: 1_800_086_400 };
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(value), VersionId: 'v7' });
    expect(await provider().keys.getKey()).toMatchObject({
      apiKey,
      kind: 'v2',
      endpoint: 'cell-4-us-west-2-1.prod.a.momentohq.com',
      keyId: 'key-123',
      validUntil: 1_800_086_400,
      versionId: 'v7',
    });
    sm.reset();
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(consoleKeyFile(30, 1_800_000_000)), VersionId: 'v8' });
    expect(await provider().keys.getKey()).toMatchObject({ kind: 'v1', endpoint: undefined, keyId: undefined });
  });

  it('gives a v2 key the id and expiry its own claims say (jti, exp), whatever "keyId" and "validUntil" say, and the endpoint as its region base', async () => {
    const apiKey = fakeV2Key({ jti: 'key-real', exp: 1_800_172_800 });
    const value = { apiKey, endpoint: 'https://api.cache.cell-4-us-west-2-1.prod.a.momentohq.com', keyId: 'key-typo', validUntil: 1_800_086_400 };
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(value), VersionId: 'v9' });
    expect(await provider().keys.getKey()).toMatchObject({
      apiKey,
      kind: 'v2',
      endpoint: 'cell-4-us-west-2-1.prod.a.momentohq.com',
      keyId: 'key-real',
      validUntil: 1_800_172_800,
    });
    sm.reset();
    const noClaims = fakeV2Key({ jti: null });
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ ...value, apiKey: noClaims }), VersionId: 'v10' });
    expect(await provider().keys.getKey()).toMatchObject({ apiKey: noClaims, kind: 'v2', keyId: undefined, validUntil: 1_800_086_400 });
  });

  it('shares one GetSecretValue among concurrent first callers', async () => {
    sm.on(GetSecretValueCommand).callsFake(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { SecretString: JSON.stringify(consoleKeyFile()) };
    });
    const { keys } = provider();
    const results = await Promise.all(Array.from({ length: 50 }, () => keys.getKey()));
    expect(reads()).toBe(1);
    expect(new Set(results.map((k) => k.apiKey)).size).toBe(1);
  });

  it('re-reads on demand', async () => {
    const first = consoleKeyFile();
    const second = consoleKeyFile();
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: JSON.stringify(first) }).resolves({ SecretString: JSON.stringify(second) });
    const { keys } = provider();
    expect((await keys.getKey()).apiKey).toBe(first.apiKey);
    expect((await keys.refresh()).apiKey).toBe(second.apiKey);
    expect((await keys.getKey()).apiKey).toBe(second.apiKey);
  });

  it('keeps serving the last good key while Secrets Manager is unreachable, warning once, until the key expires', async () => {
    const file = consoleKeyFile(1, 1_800_000_000);
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: JSON.stringify(file) }).rejects(Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' }));
    const { keys, clock, warnings } = provider({ retryIntervalMs: 10_000 });
    await keys.getKey();
    for (let i = 0; i < 5; i++) {
      clock.now += 61_000;
      expect((await keys.getKey()).apiKey).toBe(file.apiKey);
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/cannot read secret momento\/api-key \(TimeoutError: connect ETIMEDOUT\); serving the last good key sha256:\w+ until it expires at/);
    expect(leakedSecrets(warnings.join())).toEqual([]);

    clock.now += 2 * 86_400_000; // past validUntil
    await expect(keys.getKey()).rejects.toThrow(KeyUnavailableError);
    await expect(keys.getKey()).rejects.toThrow(/the last key read, sha256:\w+, has expired/);
  });

  it('waits retryIntervalMs between read attempts during an outage', async () => {
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: JSON.stringify(consoleKeyFile(30, 1_800_000_000)) }).rejects(new Error('down'));
    const { keys, clock } = provider({ retryIntervalMs: 10_000 });
    await keys.getKey();
    clock.now += 61_000;
    await keys.getKey();
    await keys.getKey();
    clock.now += 5_000;
    await keys.getKey();
    expect(reads()).toBe(2);
    clock.now += 6_000;
    await keys.getKey();
    expect(reads()).toBe(3);
  });

  it('fails clearly with no key to fall back on', async () => {
    sm.on(GetSecretValueCommand).rejects(Object.assign(new Error('Secrets Manager can\'t find the specified secret.'), { name: 'ResourceNotFoundException' }));
    await expect(provider().keys.getKey()).rejects.toThrow(/Cannot read a Momento key from secret momento\/api-key: ResourceNotFoundException/);
  });

  it.each([
    ['the rotation function\'s JSON', (k: string) => JSON.stringify({ apiKey: k, refreshToken: 'x'.repeat(16), validUntil: 1_900_000_000 }), {}],
    ['the example Lambda\'s JSON', (k: string) => JSON.stringify({ authToken: k, validUntil: '1900000000' }), {}],
    ['a bare key as plain text', (k: string) => `${k}\n`, {}],
    ['a custom field', (k: string) => JSON.stringify({ momentoKey: k, other: 1 }), { keyField: 'momentoKey' }],
  ])('reads %s', async (_label, store, options) => {
    const apiKey = fakeV1Key();
    sm.on(GetSecretValueCommand).resolves({ SecretString: store(apiKey) });
    expect((await provider(options).keys.getKey()).apiKey).toBe(apiKey);
  });

  it.each([
    ['JSON without a key', JSON.stringify({ hello: 'world' }), {}, /holds JSON without a key.*set keyField/],
    ['a custom field that is missing', JSON.stringify({ apiKey: 'k' }), { keyField: 'momentoKey' }, /has no string "momentoKey" field/],
    ['an empty value', '  ', {}, /has no string value/],
  ])('refuses %s, without quoting the value', async (_label, value, options, message) => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: value });
    const error = await provider(options).keys.getKey().catch((e: Error) => e);
    expect(error).toBeInstanceOf(KeyUnavailableError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('MomentoKeyProvider.refreshAfterAuthenticationError', () => {
  /** AWSCURRENT holds `values[0]`; each read takes 20 ms of the injected clock's time to answer (real timers). */
  function secret(values: string[]) {
    sm.on(GetSecretValueCommand).callsFake(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { SecretString: values[0] };
    });
    return (value: string) => values.unshift(value);
  }

  it('AWSCURRENT revoked: 50 concurrent callers whose calls failed cause one secret read, not 50', async () => {
    const a = consoleKeyFile();
    secret([JSON.stringify(a)]);
    const { keys, clock } = provider();
    const failed = await keys.getKey();
    // The failures arrive 1 ms apart: the first caller's read is long done before the last asks.
    const results: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) {
      results.push(keys.refreshAfterAuthenticationError(failed));
      await new Promise((resolve) => setTimeout(resolve, 1));
      clock.now += 1;
    }
    expect((await Promise.all(results)).every((k) => (k as typeof failed).apiKey === a.apiKey)).toBe(true);
    expect(reads()).toBe(2); // the first read, and one re-read
  });

  it('concurrent callers share the re-read in flight', async () => {
    const [a, b] = [consoleKeyFile(), consoleKeyFile()];
    const rotateTo = secret([JSON.stringify(a)]);
    const { keys } = provider();
    const failed = await keys.getKey();
    rotateTo(JSON.stringify(b));
    const results = await Promise.all(Array.from({ length: 50 }, () => keys.refreshAfterAuthenticationError(failed)));
    expect(new Set(results.map((k) => k.apiKey))).toEqual(new Set([b.apiKey]));
    expect(reads()).toBe(2);
  });

  it('a re-read within 5 s of the last one reuses it (default reReadIntervalMs), and one after 5 s reads', async () => {
    const [a, b, c] = [consoleKeyFile(), consoleKeyFile(), consoleKeyFile()];
    const rotateTo = secret([JSON.stringify(a)]);
    const { keys, clock } = provider();
    const first = await keys.getKey();
    rotateTo(JSON.stringify(b));
    const second = await keys.refreshAfterAuthenticationError(first);
    expect(second.apiKey).toBe(b.apiKey);
    rotateTo(JSON.stringify(c));
    clock.now += 4_999;
    expect((await keys.refreshAfterAuthenticationError(second)).apiKey).toBe(b.apiKey);
    expect(reads()).toBe(2);
    clock.now += 1;
    expect((await keys.refreshAfterAuthenticationError(second)).apiKey).toBe(c.apiKey);
    expect(reads()).toBe(3);
  });

  it('a caller whose key is no longer current gets the current one, without a read', async () => {
    const [a, b] = [consoleKeyFile(), consoleKeyFile()];
    const rotateTo = secret([JSON.stringify(a)]);
    const { keys, clock } = provider({ reReadIntervalMs: 1_000 });
    const stale = await keys.getKey();
    rotateTo(JSON.stringify(b));
    await keys.refreshAfterAuthenticationError(stale);
    clock.now += 10_000; // past the interval: the limit is not what spares the read
    expect((await keys.refreshAfterAuthenticationError(stale)).apiKey).toBe(b.apiKey);
    expect(reads()).toBe(2);
  });

  it('a re-read returning the same key backs off: no read for 5 s, then one, doubling to 60 s, and back to 5 s once a different key arrives', async () => {
    const [a, b] = [consoleKeyFile(), consoleKeyFile()];
    const rotateTo = secret([JSON.stringify(a)]);
    const { keys, clock } = provider({ refreshIntervalMs: 3_600_000 });
    const failed = await keys.getKey();
    await keys.refreshAfterAuthenticationError(failed);
    expect(reads()).toBe(2);
    for (const backoff of [5_000, 10_000, 20_000, 40_000, 60_000, 60_000]) {
      const before = reads();
      clock.now += backoff - 1;
      await keys.refreshAfterAuthenticationError(failed);
      expect(reads(), `1 ms before ${backoff} ms`).toBe(before);
      clock.now += 1;
      await keys.refreshAfterAuthenticationError(failed);
      expect(reads(), `at ${backoff} ms`).toBe(before + 1);
    }
    rotateTo(JSON.stringify(b));
    clock.now += 60_000;
    const fresh = await keys.refreshAfterAuthenticationError(failed);
    expect(fresh.apiKey).toBe(b.apiKey);
    clock.now += 5_000; // b fails too: read again 5 s on, not 60
    const before = reads();
    await keys.refreshAfterAuthenticationError(fresh);
    expect(reads()).toBe(before + 1);
  });

  it('reReadIntervalMs sets the interval and where the backoff starts; 0 turns both off', async () => {
    secret([JSON.stringify(consoleKeyFile())]);
    const { keys, clock } = provider({ reReadIntervalMs: 1_000 });
    const failed = await keys.getKey();
    await keys.refreshAfterAuthenticationError(failed); // same key: back off 1 s
    clock.now += 999;
    await keys.refreshAfterAuthenticationError(failed);
    expect(reads()).toBe(2);
    clock.now += 1;
    await keys.refreshAfterAuthenticationError(failed); // back off 2 s
    clock.now += 1_999;
    await keys.refreshAfterAuthenticationError(failed);
    expect(reads()).toBe(3);
    clock.now += 1;
    await keys.refreshAfterAuthenticationError(failed);
    expect(reads()).toBe(4);

    const off = provider({ reReadIntervalMs: 0 });
    const key = await off.keys.getKey();
    for (let i = 0; i < 3; i++) await off.keys.refreshAfterAuthenticationError(key);
    expect(reads()).toBe(4 + 4);
  });
});

describe('MomentoKeyProvider, exactly', () => {
  it('serves a read key for 5 minutes by default, and retries a failed read after 30 s by default', async () => {
    const file = consoleKeyFile(30, 1_800_000_000);
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: JSON.stringify(file) }).rejectsOnce(new Error('down')).resolves({ SecretString: JSON.stringify(file) });
    const { keys, clock } = provider({ refreshIntervalMs: undefined });
    await keys.getKey();
    clock.now += 5 * 60_000 - 1;
    await keys.getKey();
    expect(reads()).toBe(1);
    clock.now += 1;
    await keys.getKey(); // fails: the last good key is served
    expect(reads()).toBe(2);
    clock.now += 30_000 - 1;
    await keys.getKey();
    expect(reads()).toBe(2);
    clock.now += 1;
    await keys.getKey();
    expect(reads()).toBe(3);
  });

  it('says when it reads the secret again after an outage, once, and warns through console.warn by default', async () => {
    const file = consoleKeyFile(30, 1_800_000_000);
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: JSON.stringify(file) }).rejectsOnce(new Error('down')).resolves({ SecretString: JSON.stringify(file) });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const { keys, clock } = provider({ onWarning: undefined, retryIntervalMs: 1_000 });
      await keys.getKey();
      clock.now += 61_000;
      await keys.getKey();
      clock.now += 1_000;
      const key = await keys.getKey();
      clock.now += 61_000;
      await keys.getKey();
      expect(warn.mock.calls.map((c) => c[0])).toEqual([
        expect.stringMatching(/^momento-secret-rotation\/client: cannot read secret momento\/api-key \(Error: down\); serving the last good key sha256:\w{8} until it expires at \d{4}-/),
        `momento-secret-rotation/client: read secret momento/api-key again; serving key ${key.fingerprint}`,
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it('serves a key without validUntil through an outage for as long as it lasts, saying no expiry', async () => {
    const apiKey = fakeV1Key();
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: apiKey }).rejects(new Error('down'));
    const { keys, clock, warnings } = provider();
    await keys.getKey();
    clock.now += 365 * 86_400_000;
    expect((await keys.getKey()).apiKey).toBe(apiKey);
    expect(warnings[0]).toMatch(/serving the last good key sha256:\w{8}$/);
  });

  it('refuses a custom field in a secret that is not JSON, and keeps the failure as the cause', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: fakeV1Key() });
    const error = (await provider({ keyField: 'momentoKey' }).keys.getKey().catch((e: unknown) => e)) as KeyUnavailableError;
    expect(error).toBeInstanceOf(KeyUnavailableError);
    expect(error.name).toBe('KeyUnavailableError');
    expect(error.message).toBe('Cannot read a Momento key from secret momento/api-key: secret momento/api-key is not JSON, so it has no "momentoKey" field');
    expect(error.cause).toBeInstanceOf(KeyUnavailableError);
  });

  it('trims a custom field, refuses a blank one, and peeks without reading', async () => {
    const apiKey = fakeV1Key();
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: JSON.stringify({ k: ` ${apiKey} ` }) }).resolves({ SecretString: JSON.stringify({ k: '  ' }) });
    const { keys } = provider({ keyField: 'k' });
    expect(keys.peek()).toBeUndefined();
    expect((await keys.getKey()).apiKey).toBe(apiKey);
    expect(keys.peek()?.apiKey).toBe(apiKey);
    expect(reads()).toBe(1);
    const fresh = provider({ keyField: 'k' });
    await expect(fresh.keys.getKey()).rejects.toThrow('Cannot read a Momento key from secret momento/api-key: secret momento/api-key has no string "k" field');
  });

  it('refuses a secret with no string value, saying SecretBinary is not read', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1]) });
    await expect(provider().keys.getKey()).rejects.toThrow('Cannot read a Momento key from secret momento/api-key: secret momento/api-key has no string value (SecretBinary is not read)');
  });
});
