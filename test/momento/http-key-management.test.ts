import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEYS_URL, HttpKeyManagementApi, parseApiKeysUrl } from '../../src/momento/http-key-management.js';
import { KeyApiError } from '../../src/momento/key-management.js';
import { captureFileOutputAndCheckForLeaks } from '../support/capture-output.js';
import { registerSecret } from '../support/secrets.js';
import { FakeMomentoServer, type IssuedV2Key } from '../stand-ins/fake-momento-server.js';

// The adapter against the fake Momento's key-management HTTP API, over real HTTP on 127.0.0.1.
captureFileOutputAndCheckForLeaks();
let momento: FakeMomentoServer;
let api: HttpKeyManagementApi;
let management: IssuedV2Key;
const sleeps: number[] = [];
const deadline = () => Date.now() + 60_000;

beforeAll(async () => {
  momento = await FakeMomentoServer.start();
  momento.onIssue = registerSecret;
});
afterAll(async () => momento?.stop());
beforeEach(() => {
  momento.keyApiRatePerSecond = 0;
  momento.clearFaults();
  sleeps.length = 0;
  management = momento.issueV2Key({ roleId: 'operator' });
  api = new HttpKeyManagementApi({ baseUrl: momento.apiKeysUrl, sleep: async (ms) => void sleeps.push(ms) });
});

describe('HttpKeyManagementApi', () => {
  it('mints a key with the role, description and expiry asked for, and Momento accepts it', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 86_400;
    const minted = await api.mint(management.apiKey, { roleId: 'app-readwrite', description: 'for a test', expiresAt }, deadline());
    registerSecret(minted.apiKey);
    expect(minted.info).toMatchObject({ roleId: 'app-readwrite', description: 'for a test', expiresAt });
    expect(momento.accepts(minted.apiKey)).toBe(true);
  });

  it('lists every page of keys', async () => {
    momento.keyApiMaxPageSize = 2;
    try {
      const ids = new Set<string>();
      for (let i = 0; i < 5; i++) ids.add(momento.issueV2Key({ lineage: 'paged' }).keyId);
      const before = momento.keyApiCalls.list;
      const listed = await api.list(management.apiKey, deadline());
      for (const id of ids) expect(listed.map((k) => k.keyId)).toContain(id);
      expect(momento.keyApiCalls.list - before).toBe(Math.ceil(listed.length / 2));
    } finally {
      momento.keyApiMaxPageSize = 100;
    }
  });

  it('revokes a key at once, and reports a key Momento no longer knows as not-found', async () => {
    const key = momento.issueV2Key();
    await expect(api.revoke(management.apiKey, key.keyId, deadline())).resolves.toBe('revoked');
    expect(momento.accepts(key.apiKey)).toBe(false);
    await expect(api.revoke(management.apiKey, key.keyId, deadline())).resolves.toBe('not-found');
  });

  it.each([
    ['an unknown management key', (): string => 'not-a-key', 'unauthorized'],
    ['a management key whose role may not manage keys', (): string => momento.issueV2Key({ roleId: 'viewer' }).apiKey, 'forbidden'],
  ] as const)('fails on %s without retrying', async (_label, key, failure) => {
    const error = await api.list(key(), deadline()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyApiError);
    expect((error as KeyApiError).failure).toBe(failure);
    expect(sleeps).toEqual([]);
  });

  it('maps an unknown role on mint to not-found', async () => {
    const error = await api.mint(management.apiKey, { roleId: 'nope', description: 'x', expiresAt: 2e9 }, deadline()).catch((e: unknown) => e);
    expect((error as KeyApiError).failure).toBe('not-found');
  });

  it.each([
    ['429', { kind: 'throttle' }],
    ['500', { kind: 'error500' }],
    ['a dropped connection', { kind: 'drop' }],
  ] as const)('retries %s with growing, jittered pauses, then succeeds', async (_label, fault) => {
    momento.failNextKeyApi('list', 3, fault, management.lineage);
    await api.list(management.apiKey, deadline());
    expect(sleeps).toHaveLength(3);
    // Equal jitter: each pause lies in [base/2, base] for base 250, 500, 1000 ms.
    sleeps.forEach((ms, i) => {
      const base = 250 * 2 ** i;
      expect(ms).toBeGreaterThanOrEqual(base / 2);
      expect(ms).toBeLessThanOrEqual(base);
    });
  });

  it('gives up as unavailable after its attempts, or sooner at the deadline', async () => {
    momento.failNextKeyApi('list', 8, { kind: 'error500' }, management.lineage);
    const error = (await api.list(management.apiKey, deadline()).catch((e: unknown) => e)) as KeyApiError;
    expect(error.failure).toBe('unavailable');
    expect(error.attempts).toBe(8);
    momento.clearFaults();
    momento.failNextKeyApi('list', 8, { kind: 'error500' }, management.lineage);
    const early = (await api.list(management.apiKey, Date.now() + 100).catch((e: unknown) => e)) as KeyApiError;
    expect(early.attempts).toBe(1);
  });

  it('stays under the fake\'s 5-per-second limit by backing off on 429', async () => {
    momento.keyApiRatePerSecond = 5;
    const paced = new HttpKeyManagementApi({ baseUrl: momento.apiKeysUrl });
    const throttledBefore = momento.keyApiThrottled;
    await Promise.all(Array.from({ length: 12 }, () => paced.list(management.apiKey, deadline())));
    expect(momento.keyApiThrottled).toBeGreaterThan(throttledBefore);
  });
});

describe('parseApiKeysUrl', () => {
  it.each([
    [undefined, DEFAULT_API_KEYS_URL],
    ['', DEFAULT_API_KEYS_URL],
    ['https://keys.example.com/', 'https://keys.example.com'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://localhost:8080', 'http://localhost:8080'],
    ['http://[::1]:8080', 'http://[::1]:8080'],
  ])('accepts %s', (raw, url) => {
    expect(parseApiKeysUrl(raw)).toEqual({ ok: true, url });
  });

  it.each([
    ['http://mga.registry.prod.a.momentohq.com', true],
    ['http://10.0.0.5:8080', true],
    ['ftp://example.com', false],
    ['not a url', false],
  ])('refuses %s', (raw, insecure) => {
    expect(parseApiKeysUrl(raw)).toMatchObject({ ok: false, insecure });
  });
});
