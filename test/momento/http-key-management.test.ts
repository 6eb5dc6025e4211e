import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEYS_URL, HttpKeyManagementApi, parseApiKeysUrl } from '../../src/momento/http-key-management.js';
import { KeyApiError } from '../../src/momento/key-management.js';
import { scrub } from '../../src/observability/redact.js';
import { captureFileOutputAndCheckForLeaks } from '../support/capture-output.js';
import { jtiOf, leakedSecrets, registerSecret } from '../support/secrets.js';
import { FakeMomentoServer, type IssuedV2Key } from '../stand-ins/fake-momento-server.js';
import { APP_ROLE_ID, KEY_MANAGER_ROLE_ID, OPERATOR_ROLE_ID, OWNER_ROLE_ID, VIEWER_ROLE_ID } from '../support/momento-roles.js';

// The adapter against the fake Momento's key-management HTTP API, over real HTTP on 127.0.0.1.
const output = captureFileOutputAndCheckForLeaks();
/** The JSON log records written since `from` (an offset into the captured output). */
const logRecordsSince = (from: number) =>
  output
    .text()
    .slice(from)
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
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
  management = momento.issueV2Key({ roleId: OPERATOR_ROLE_ID });
  api = new HttpKeyManagementApi({ baseUrl: momento.apiKeysUrl, sleep: async (ms) => void sleeps.push(ms) });
});

describe('HttpKeyManagementApi', () => {
  it('mints a key with the role, description and expiry asked for, and Momento accepts it', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 86_400;
    const minted = await api.mint(management.apiKey, { roleId: APP_ROLE_ID, description: 'for a test', expiresAt }, deadline());
    registerSecret(minted.apiKey);
    expect(minted.info).toMatchObject({ roleId: APP_ROLE_ID, description: 'for a test', expiresAt });
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
    ['an unknown management key', 'list', (): string => 'not-a-key', 'unauthorized'],
    ['a management key whose role may not manage keys', 'list', (): string => momento.issueV2Key({ roleId: APP_ROLE_ID }).apiKey, 'forbidden'],
    ['an unknown management key', 'list-roles', (): string => 'not-a-key', 'unauthorized'],
    ['a management key whose role may not manage keys', 'list-roles', (): string => momento.issueV2Key({ roleId: APP_ROLE_ID }).apiKey, 'forbidden'],
  ] as const)('fails on %s (%s) without retrying', async (_label, operation, key, failure) => {
    const error = await (operation === 'list' ? api.list(key(), deadline()) : api.listRoles(key(), deadline())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyApiError);
    expect((error as KeyApiError).failure).toBe(failure);
    expect((error as KeyApiError).operation).toBe(operation);
    expect(sleeps).toEqual([]);
  });

  it('maps an unknown role on mint to not-found, passing Momento\'s err through in the detail', async () => {
    const error = await api.mint(management.apiKey, { roleId: 'nope', description: 'x', expiresAt: 2e9 }, deadline()).catch((e: unknown) => e);
    expect((error as KeyApiError).failure).toBe('not-found');
    // The fake answers {code: "NotFound", message: "Role not found", err: "no role with id nope"}.
    expect((error as KeyApiError).detail).toBe('HTTP 404 NotFound: Role not found (no role with id nope)');
    expect((error as KeyApiError).message).toBe('mint: not-found (HTTP 404 NotFound: Role not found (no role with id nope))');
  });

  it('asks for no refresh token on every mint (exclude_refresh_token: true), and Momento sends none', async () => {
    const requestsBefore = momento.mintRequests.length;
    const tokensBefore = momento.mintedRefreshTokens.length;
    const soon = Math.floor(Date.now() / 1000) + 3_600;
    for (const roleId of [APP_ROLE_ID, OPERATOR_ROLE_ID, 'r-nope']) {
      const minted = await api.mint(management.apiKey, { roleId, description: 'no refresh token, please', expiresAt: soon }, deadline()).catch((e: unknown) => e);
      if (!(minted instanceof KeyApiError)) registerSecret((minted as { apiKey: string }).apiKey);
    }
    expect(momento.mintRequests.slice(requestsBefore)).toEqual([
      { roleId: APP_ROLE_ID, excludeRefreshToken: true },
      { roleId: OPERATOR_ROLE_ID, excludeRefreshToken: true },
      { roleId: 'r-nope', excludeRefreshToken: true },
    ]);
    // Both keys expire, so without the exclusion the fake would have sent a refresh token with each.
    expect(momento.mintedRefreshTokens.slice(tokensBefore)).toEqual([]);
  });

  it('drops a refresh token Momento sends anyway: not returned, not logged, redacted from errors; the warning names the key', async () => {
    momento.refreshTokenDespiteExclusion = true;
    try {
      const from = output.text().length;
      const tokensBefore = momento.mintedRefreshTokens.length;
      const expiresAt = Math.floor(Date.now() / 1000) + 3_600;
      const minted = await api.mint(management.apiKey, { roleId: APP_ROLE_ID, description: 'sent one anyway', expiresAt }, deadline());
      const sent = momento.mintedRefreshTokens.slice(tokensBefore);
      expect(sent).toHaveLength(1);
      const token = sent[0]!;
      // The fake registered it (onIssue): the file's leak check looks for it in every line too.
      expect(leakedSecrets(token)).toEqual([token]);

      expect(Object.keys(minted).sort()).toEqual(['apiKey', 'info']);
      expect(minted.info).toEqual({ keyId: jtiOf(minted.apiKey), roleId: APP_ROLE_ID, description: 'sent one anyway', expiresAt, issuedAt: expect.any(Number) });
      expect(JSON.stringify(minted)).not.toContain(token);

      const logged = output.text().slice(from);
      expect(logged).not.toContain(token);
      const warnings = logRecordsSince(from).filter((r) => r.refreshTokensDropped !== undefined);
      expect(warnings).toEqual([
        expect.objectContaining({
          level: 'WARN',
          message: 'Momento returned a refresh token for a minted key although none was asked for; it was dropped',
          keyId: minted.info.keyId,
          refreshTokensDropped: 1,
        }),
      ]);
      // Remembered for redaction: whatever quotes it later (an error, a log line) shows [REDACTED].
      expect(scrub(`refresh token ${token} rejected`)).toBe('refresh token [REDACTED] rejected');
    } finally {
      momento.refreshTokenDespiteExclusion = false;
    }
  });

  it('lists every page of roles, with their type, super_user and auth rules', async () => {
    momento.keyApiMaxPageSize = 2;
    try {
      const before = momento.keyApiCalls.roles;
      const roles = await api.listRoles(management.apiKey, deadline());
      // Five roles, two a page.
      expect(momento.keyApiCalls.roles - before).toBe(3);
      expect(roles.map((r) => r.roleId)).toEqual([OWNER_ROLE_ID, OPERATOR_ROLE_ID, VIEWER_ROLE_ID, APP_ROLE_ID, KEY_MANAGER_ROLE_ID]);
      expect(roles[0]).toEqual({ roleId: OWNER_ROLE_ID, roleName: 'Owner', roleType: 'system', superUser: true, rules: [] });
      expect(roles[2]).toEqual({
        roleId: VIEWER_ROLE_ID,
        roleName: 'Viewer',
        roleType: 'system',
        superUser: false,
        rules: [
          { type: 'account_management', permissions: ['read', 'list'] },
          { type: 'auth_management', permissions: ['read', 'list'] },
          { type: 'resource_management', permissions: ['read', 'list'] },
          { type: 'cache', permissions: ['read', 'list'] },
        ],
      });
      expect(roles[3]).toEqual({
        roleId: APP_ROLE_ID,
        roleName: 'app-readwrite',
        roleType: 'custom',
        superUser: false,
        rules: [{ type: 'cache', permissions: ['read', 'write'] }],
      });
    } finally {
      momento.keyApiMaxPageSize = 100;
    }
  });

  it('with a Viewer key lists keys and roles, but may not mint or revoke: forbidden, not retried, nothing done', async () => {
    const viewer = momento.issueV2Key({ roleId: VIEWER_ROLE_ID });
    const target = momento.issueV2Key();
    await expect(api.list(viewer.apiKey, deadline())).resolves.toContainEqual(expect.objectContaining({ keyId: target.keyId }));
    await expect(api.listRoles(viewer.apiKey, deadline())).resolves.toContainEqual(expect.objectContaining({ roleId: VIEWER_ROLE_ID }));
    const live = momento.liveV2Keys().length;
    const mint = (await api.mint(viewer.apiKey, { roleId: APP_ROLE_ID, description: 'x', expiresAt: 2e9 }, deadline()).catch((e: unknown) => e)) as KeyApiError;
    expect([mint.failure, mint.operation, mint.attempts]).toEqual(['forbidden', 'mint', 1]);
    const revoke = (await api.revoke(viewer.apiKey, target.keyId, deadline()).catch((e: unknown) => e)) as KeyApiError;
    expect([revoke.failure, revoke.operation, revoke.attempts]).toEqual(['forbidden', 'revoke', 1]);
    expect(momento.accepts(target.apiKey)).toBe(true);
    expect(momento.liveV2Keys()).toHaveLength(live);
    expect(sleeps).toEqual([]);
  });

  it('retries a throttled GET /roles, then lists', async () => {
    momento.failNextKeyApi('roles', 2, { kind: 'throttle' }, management.lineage);
    await expect(api.listRoles(management.apiKey, deadline())).resolves.toHaveLength(5);
    expect(sleeps).toHaveLength(2);
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
