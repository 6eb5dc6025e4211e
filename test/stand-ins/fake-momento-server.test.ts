import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SdkMomentoApi } from '../../src/momento/sdk-momento-api.js';
import {
  APP_ROLE_ID,
  APP_ROLE_NAME,
  defaultRoles,
  KEY_MANAGER_ROLE_ID,
  OPERATOR_ROLE_ID,
  OWNER_ROLE_ID,
  VIEWER_ROLE_ID,
} from '../support/momento-roles.js';
import { FakeMomentoServer, type IssuedV2Key } from './fake-momento-server.js';

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

describe("the fake Momento's key-management HTTP API (api-keys-http-api.md, roles-http-api.md)", () => {
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  async function call(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(`${fake.apiKeysUrl}${path}`, {
      method,
      headers: { Authorization: key, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }
  const mint = (key: string, body: Record<string, unknown>) => call('POST', '/api-keys', key, { role_id: APP_ROLE_ID, description: 'a test key', ...body });

  let operator: IssuedV2Key;
  beforeAll(() => {
    fake.keyApiRatePerSecond = 0;
    operator = fake.issueV2Key({ roleId: OPERATOR_ROLE_ID });
  });
  afterEach(() => {
    fake.refreshTokenDespiteExclusion = false;
    fake.keyApiMaxPageSize = 100;
  });

  it('counts every request in keyApiCalls, and only those it applied in keyApiApplied (a 429 of its rate limit is not)', async () => {
    const before = { calls: fake.keyApiCalls.list, applied: fake.keyApiApplied.list };
    fake.keyApiRatePerSecond = 1;
    fake.bucketReset();
    try {
      expect((await call('GET', '/api-keys', operator.apiKey)).status).toBe(200);
      expect((await call('GET', '/api-keys', operator.apiKey)).status).toBe(429);
    } finally {
      fake.keyApiRatePerSecond = 0;
    }
    expect(fake.keyApiCalls.list - before.calls).toBe(2);
    expect(fake.keyApiApplied.list - before.applied).toBe(1);
  });

  it('lets a Viewer key list keys and roles, and answers 403 PermissionDenied to its POST and DELETE, changing nothing', async () => {
    const viewer = fake.issueV2Key({ roleId: VIEWER_ROLE_ID });
    const target = fake.issueV2Key();
    const keys = await call('GET', '/api-keys', viewer.apiKey);
    expect(keys.status).toBe(200);
    expect((keys.json.key_info as { key_id: string }[]).map((k) => k.key_id)).toContain(target.keyId);
    const roles = await call('GET', '/roles', viewer.apiKey);
    expect(roles.status).toBe(200);
    expect((roles.json.roles as { role_id: string }[]).map((r) => r.role_id)).toContain(VIEWER_ROLE_ID);

    const live = fake.liveV2Keys().length;
    const denied = { code: 'PermissionDenied', message: 'The API key does not grant the auth-management access this call needs' };
    expect(await mint(viewer.apiKey, { expiry: nowSeconds() + 3_600 })).toEqual({ status: 403, json: denied });
    expect(await call('DELETE', `/api-keys/${target.keyId}`, viewer.apiKey)).toEqual({ status: 403, json: denied });
    expect(fake.accepts(target.apiKey)).toBe(true);
    expect(fake.liveV2Keys()).toHaveLength(live);
  });

  it('answers 403 to every route for a key whose role has no auth_management rule, and 401 to a key it does not know', async () => {
    const app = fake.issueV2Key({ roleId: APP_ROLE_ID });
    for (const [method, path] of [['GET', '/api-keys'], ['GET', '/roles'], ['DELETE', `/api-keys/${operator.keyId}`]] as const) {
      expect((await call(method, path, app.apiKey)).status).toBe(403);
      expect(await call(method, path, 'not-a-key')).toEqual({ status: 401, json: { code: 'Unauthorized', message: 'Invalid or expired API key' } });
    }
    expect((await mint(app.apiKey, { expiry: 'never' })).status).toBe(403);
    expect((await call('GET', '/roles', fake.issueV2Key({ roleId: OWNER_ROLE_ID }).apiKey)).status).toBe(200);
  });

  it('mints a v2 key whose jti is its key_info.key_id and whose exp is its expires_at_epoch_seconds, with a refresh token unless excluded', async () => {
    const expiry = nowSeconds() + 3_600;
    const before = { requests: fake.mintRequests.length, tokens: fake.mintedRefreshTokens.length };
    const { status, json } = await mint(operator.apiKey, { expiry });
    expect(status).toBe(200);
    const apiKey = json.api_key as string;
    const info = json.key_info as Record<string, unknown>;
    expect(claimsOf(apiKey)).toMatchObject({ t: 'g', jti: info.key_id, exp: expiry });
    expect(info).toEqual({
      key_id: expect.any(String),
      account_id: 'fake-account',
      description: 'a test key',
      role_id: APP_ROLE_ID,
      expires_at_epoch_seconds: expiry,
      issued_at_epoch_seconds: expect.any(Number),
    });
    expect(fake.accepts(apiKey)).toBe(true);
    // Asked for nothing about refresh tokens: an expiring key comes with one, naming its key in akid.
    expect(claimsOf(json.refresh_token as string)).toMatchObject({ t: 'gr', akid: info.key_id });
    expect(fake.mintedRefreshTokens.slice(before.tokens)).toEqual([json.refresh_token]);

    const excluded = await mint(operator.apiKey, { expiry, exclude_refresh_token: true });
    expect(excluded.status).toBe(200);
    expect(excluded.json).not.toHaveProperty('refresh_token');
    const notExcluded = await mint(operator.apiKey, { expiry, exclude_refresh_token: false });
    expect(notExcluded.json).toHaveProperty('refresh_token');
    expect(fake.mintRequests.slice(before.requests)).toEqual([
      { roleId: APP_ROLE_ID, excludeRefreshToken: false },
      { roleId: APP_ROLE_ID, excludeRefreshToken: true },
      { roleId: APP_ROLE_ID, excludeRefreshToken: false },
    ]);
  });

  it('sends a refresh token despite exclude_refresh_token when told to misbehave, and reports it to onIssue', async () => {
    const issued: string[] = [];
    fake.onIssue = (secret) => void issued.push(secret);
    fake.refreshTokenDespiteExclusion = true;
    try {
      const { json } = await mint(operator.apiKey, { expiry: nowSeconds() + 3_600, exclude_refresh_token: true });
      expect(typeof json.refresh_token).toBe('string');
      expect(fake.mintedRefreshTokens.at(-1)).toBe(json.refresh_token);
      expect(issued).toEqual([json.api_key, json.refresh_token]);
    } finally {
      fake.onIssue = undefined;
    }
  });

  it('mints a key that never expires for expiry "never": no exp, no expires_at_epoch_seconds, no refresh token, even when misbehaving', async () => {
    const tokens = fake.mintedRefreshTokens.length;
    for (const misbehave of [false, true]) {
      fake.refreshTokenDespiteExclusion = misbehave;
      const { status, json } = await mint(operator.apiKey, { expiry: 'never' });
      expect(status).toBe(200);
      expect(json).not.toHaveProperty('refresh_token');
      const claims = claimsOf(json.api_key as string);
      expect(claims).not.toHaveProperty('exp');
      expect(claims.jti).toBe((json.key_info as { key_id: string }).key_id);
      expect(json.key_info).not.toHaveProperty('expires_at_epoch_seconds');
      fake.clockOffsetMs = 10 * 365 * 86_400_000;
      try {
        expect(fake.accepts(json.api_key as string)).toBe(true);
      } finally {
        fake.clockOffsetMs = 0;
      }
    }
    expect(fake.mintedRefreshTokens).toHaveLength(tokens);
  });

  it('answers a mint for an unknown role with 404 NotFound carrying err, and a malformed one with 400', async () => {
    expect(await mint(operator.apiKey, { role_id: 'app-readwrite', expiry: 'never' })).toEqual({
      status: 404,
      json: { code: 'NotFound', message: 'Role not found', err: 'no role with id app-readwrite' },
    });
    expect((await mint(operator.apiKey, { expiry: 'tomorrow' })).status).toBe(400);
    expect((await mint(operator.apiKey, { expiry: 'never', exclude_refresh_token: 'yes' })).status).toBe(400);
    expect((await call('POST', '/api-keys', operator.apiKey, '{not json')).status).toBe(400);
  });

  it('issues v2 keys (issueV2Key) whose jti is their key id and exp their expiry, bound to the app role unless told', () => {
    const key = fake.issueV2Key({ lifetimeSeconds: 600 });
    expect(key.roleId).toBe(APP_ROLE_ID);
    expect(claimsOf(key.apiKey)).toMatchObject({ t: 'g', jti: key.keyId, exp: key.validUntil });
    expect(Math.abs(key.validUntil - (nowSeconds() + 600))).toBeLessThanOrEqual(1);
    expect(fake.liveV2Keys()).toContainEqual(expect.objectContaining({ keyId: key.keyId, roleId: APP_ROLE_ID }));
  });

  it('lists roles by page (limit, next_token) and type, and refuses a bad limit or type', async () => {
    const all = await call('GET', '/roles', operator.apiKey);
    expect((all.json.roles as { role_id: string }[]).map((r) => r.role_id)).toEqual([OWNER_ROLE_ID, OPERATOR_ROLE_ID, VIEWER_ROLE_ID, APP_ROLE_ID, KEY_MANAGER_ROLE_ID]);
    expect(all.json).not.toHaveProperty('next_token');
    expect(all.json.roles).toEqual(defaultRoles());

    const first = await call('GET', '/roles?limit=2', operator.apiKey);
    expect([(first.json.roles as unknown[]).length, first.json.next_token]).toEqual([2, '2']);
    const last = await call('GET', '/roles?limit=2&next_token=4', operator.apiKey);
    expect((last.json.roles as { role_id: string }[]).map((r) => r.role_id)).toEqual([KEY_MANAGER_ROLE_ID]);
    expect(last.json).not.toHaveProperty('next_token');
    fake.keyApiMaxPageSize = 3;
    expect(((await call('GET', '/roles?limit=100', operator.apiKey)).json.roles as unknown[]).length).toBe(3);

    const system = await call('GET', '/roles?type=system', operator.apiKey);
    expect((system.json.roles as { role_id: string }[]).map((r) => r.role_id)).toEqual([OWNER_ROLE_ID, OPERATOR_ROLE_ID, VIEWER_ROLE_ID]);
    const customRoles = await call('GET', '/roles?type=custom', operator.apiKey);
    expect((customRoles.json.roles as { role_id: string; role_name: string }[]).map((r) => [r.role_id, r.role_name])).toEqual([
      [APP_ROLE_ID, APP_ROLE_NAME],
      [KEY_MANAGER_ROLE_ID, 'key-rotation'],
    ]);
    expect(APP_ROLE_NAME).toBe('app-readwrite');

    for (const query of ['limit=0', 'limit=101', 'limit=ten', 'limit=1.5', 'type=all', 'type=System']) {
      expect((await call('GET', `/roles?${query}`, operator.apiKey)).status, query).toBe(400);
    }
  });
});
