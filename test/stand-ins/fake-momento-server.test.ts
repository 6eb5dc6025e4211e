import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SdkMomentoApi } from '../../src/momento/sdk-momento-api.js';
import { FakeMomentoServer } from './fake-momento-server.js';

// The stand-in must behave like Momento, or the integration tests prove nothing:
// these tests drive it through the real SDK, via the function's own adapter.
let fake: FakeMomentoServer;
let api: SdkMomentoApi;

beforeAll(async () => {
  fake = await FakeMomentoServer.start();
  api = new SdkMomentoApi({ address: fake.address });
});
afterAll(async () => fake.stop());

describe('the fake Momento, through @gomomento/sdk', () => {
  it('refreshes a key: a new key and refresh token, the original lifetime counted from now, the old key still valid', async () => {
    const issued = fake.issueKey({ lifetimeSeconds: 3600 });
    const refreshed = await api.refreshApiKey(issued.apiKey, issued.refreshToken);
    if (!refreshed.ok) throw new Error(refreshed.code);
    expect(refreshed.apiKey).not.toBe(issued.apiKey);
    expect(refreshed.refreshToken).not.toBe(issued.refreshToken);
    expect(Math.abs(refreshed.validUntil! - (Date.now() / 1000 + 3600))).toBeLessThan(5);
    expect(fake.accepts(refreshed.apiKey)).toBe(true);
    expect(fake.accepts(issued.apiKey)).toBe(true);
    expect(await api.probeApiKey(refreshed.apiKey, undefined)).toEqual({ ok: true, call: 'listCaches' });
  });

  it('refuses a used refresh token when single-use, accepts it again when not', async () => {
    const issued = fake.issueKey();
    expect((await api.refreshApiKey(issued.apiKey, issued.refreshToken)).ok).toBe(true);
    expect(await api.refreshApiKey(issued.apiKey, issued.refreshToken)).toMatchObject({ ok: false, code: 'AUTHENTICATION_ERROR' });
    fake.singleUseRefreshTokens = false;
    try {
      expect((await api.refreshApiKey(issued.apiKey, issued.refreshToken)).ok).toBe(true);
    } finally {
      fake.singleUseRefreshTokens = true;
    }
  });

  it('answers unknown and expired keys with AUTHENTICATION_ERROR on refresh, listCaches and get', async () => {
    const stranger = fake.issueKey();
    const unknown = Buffer.from(JSON.stringify({ endpoint: 'x', api_key: 'not.a.key' })).toString('base64');
    const expired = fake.issueKey({ lifetimeSeconds: 60 });
    fake.clockOffsetMs = 120_000;
    try {
      for (const key of [unknown, expired.apiKey]) {
        expect(await api.refreshApiKey(key, stranger.refreshToken)).toMatchObject({ code: 'AUTHENTICATION_ERROR' });
        expect(await api.probeApiKey(key, undefined)).toMatchObject({ code: 'AUTHENTICATION_ERROR' });
        expect(await api.probeApiKey(key, 'c')).toMatchObject({ code: 'AUTHENTICATION_ERROR' });
      }
    } finally {
      fake.clockOffsetMs = 0;
    }
  });

  it('answers get with a miss in a known cache and NOT_FOUND in an unknown one', async () => {
    const issued = fake.issueKey();
    fake.caches.add('probe');
    expect(await api.probeApiKey(issued.apiKey, 'probe')).toEqual({ ok: true, call: 'get' });
    expect(await api.probeApiKey(issued.apiKey, 'missing')).toMatchObject({ ok: false, code: 'NOT_FOUND_ERROR' });
  });

  it('injects faults into the next calls of a method, for one lineage of keys only', async () => {
    const a = fake.issueKey();
    const b = fake.issueKey();
    fake.failNext('ListCaches', 1, { kind: 'throttle' }, fake.lineageOf(a.apiKey));
    expect(await api.probeApiKey(b.apiKey, undefined)).toMatchObject({ ok: true });
    expect(await api.probeApiKey(a.apiKey, undefined)).toMatchObject({ ok: false, code: 'LIMIT_EXCEEDED_ERROR' });
    expect(await api.probeApiKey(a.apiKey, undefined)).toMatchObject({ ok: true });

    fake.failNext('RefreshApiToken', 1, { kind: 'internal' });
    expect(await api.refreshApiKey(a.apiKey, a.refreshToken)).toMatchObject({ ok: false, code: 'INTERNAL_SERVER_ERROR' });
    fake.failNext('RefreshApiToken', 1, { kind: 'drop' });
    expect(await api.refreshApiKey(a.apiKey, a.refreshToken)).toMatchObject({ ok: false, code: 'SERVER_UNAVAILABLE' });
    // Neither failure used the refresh token.
    expect((await api.refreshApiKey(a.apiKey, a.refreshToken)).ok).toBe(true);
  });

  it('does not apply a delayed call its client abandoned at the deadline', async () => {
    const issued = fake.issueKey();
    fake.caches.add('probe');
    fake.failNext('Get', 1, { kind: 'delay', ms: 1_500 }); // the Lambda configuration's data-plane deadline is 1.1 s
    const started = Date.now();
    const handled = fake.handled.Get;
    expect(await api.probeApiKey(issued.apiKey, 'probe')).toMatchObject({ ok: false, code: 'TIMEOUT_ERROR' });
    expect(Date.now() - started).toBeLessThan(1_500);
    await new Promise((resolve) => setTimeout(resolve, 1_600 - (Date.now() - started))); // past the delay
    expect(fake.handled.Get).toBe(handled); // received, never acted on
    expect(await api.probeApiKey(issued.apiKey, 'probe')).toMatchObject({ ok: true }); // and the next one is
  });
});
