import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEYS_URL, HttpKeyManagementApi, parseApiKeysUrl } from '../../src/momento/http-key-management.js';
import { KeyApiError, keyManagementAccess } from '../../src/momento/key-management.js';
import { scrub } from '../../src/observability/redact.js';
import { captureOutputAndCheckForLeaks, expectFailure } from '../support/capture-output.js';
import { fakeJwt, fakeRefreshToken, fakeV1Key, fakeV2Key } from '../support/secrets.js';

// The adapter against answers Momento's key API should not give but could: a scripted HTTP
// server on 127.0.0.1 answers each request from a queue, and records what it was sent.
interface Seen { method: string; url: string; headers: IncomingMessage['headers']; body: string }
let server: Server;
let baseUrl: string;
let answers: Array<{ status: number; body: string }>;
let seen: Seen[];
// Every test's output is checked for the keys and tokens these tests make (secrets.ts registers them).
const output = captureOutputAndCheckForLeaks();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const answer = answers.shift() ?? { status: 500, body: 'no answer queued' };
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  answers = [];
  seen = [];
});

const api = () => new HttpKeyManagementApi({ baseUrl, sleep: async () => undefined });
const deadline = () => Date.now() + 60_000;
const answer = (status: number, body: unknown) => answers.push({ status, body: typeof body === 'string' ? body : JSON.stringify(body) });
const key = (id: string, extra: Record<string, unknown> = {}) => ({ key_id: id, role_id: 'r', description: 'd', expires_at_epoch_seconds: 2_000_000_000, issued_at_epoch_seconds: 1_700_000_000, ...extra });
async function failure(promise: Promise<unknown>): Promise<KeyApiError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(KeyApiError);
  return error as KeyApiError;
}

describe('what the adapter sends', () => {
  it('POSTs a mint as JSON with the management key as Authorization; GETs and DELETEs carry no body', async () => {
    answer(200, { api_key: 'minted-key-0123456789', key_info: key('k1') });
    await expect(api().mint('mgmt-key', { roleId: 'app', description: 'desc', expiresAt: 123 }, deadline())).resolves.toEqual({
      apiKey: 'minted-key-0123456789',
      info: { keyId: 'k1', roleId: 'r', description: 'd', expiresAt: 2_000_000_000, issuedAt: 1_700_000_000 },
    });
    answer(200, { key_info: [] });
    await api().list('mgmt-key', deadline());
    answer(204, '');
    await expect(api().revoke('mgmt-key', 'a/b c', deadline())).resolves.toBe('revoked');
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['POST /api-keys', 'GET /api-keys?limit=100', 'DELETE /api-keys/a%2Fb%20c']);
    expect(seen.map((s) => s.headers.authorization)).toEqual(['mgmt-key', 'mgmt-key', 'mgmt-key']);
    expect(seen.map((s) => s.headers['content-type'])).toEqual(['application/json', undefined, undefined]);
    expect(JSON.parse(seen[0]!.body)).toEqual({ role_id: 'app', description: 'desc', expiry: 123, exclude_refresh_token: true });
    expect(seen[1]!.body).toBe('');
  });
});

describe('answers that are not what Momento documents', () => {
  it.each([
    ['no api_key', { key_info: key('k1') }],
    ['an empty api_key', { api_key: '', key_info: key('k1') }],
    ['no key_info', { api_key: 'minted-key-0123456789' }],
    ['a key_info without key_id', { api_key: 'minted-key-0123456789', key_info: { role_id: 'r' } }],
  ])('a mint answered with %s fails as unavailable, not retried', async (_label, body) => {
    answer(200, body);
    const error = await failure(api().mint('m', { roleId: 'r', description: 'd', expiresAt: 1 }, deadline()));
    expect([error.failure, error.operation, error.detail]).toEqual(['unavailable', 'mint', 'the answer had no api_key or key_info']);
    expect(seen).toHaveLength(1);
  });

  it('a listing without a key_info list fails as unavailable, not retried', async () => {
    answer(200, { keys: [] });
    const error = await failure(api().list('m', deadline()));
    expect([error.failure, error.operation, error.detail]).toEqual(['unavailable', 'list', 'the answer had no key_info list']);
    expect(seen).toHaveLength(1);
  });

  it('skips listed entries that are not keys, and reads missing fields as empty or unknown', async () => {
    answer(200, {
      key_info: [null, 'text', 7, { role_id: 'r' }, { key_id: '' }, { key_id: 5 }, { key_id: 'bare' }, key('odd', { role_id: 3, description: null, expires_at_epoch_seconds: 0, issued_at_epoch_seconds: -5 }), key('text-times', { expires_at_epoch_seconds: '2000000000', issued_at_epoch_seconds: Infinity }), key('tiny', { expires_at_epoch_seconds: 1 })],
    });
    await expect(api().list('m', deadline())).resolves.toEqual([
      { keyId: 'bare', roleId: '', description: '', expiresAt: undefined, issuedAt: undefined },
      { keyId: 'odd', roleId: '', description: '', expiresAt: undefined, issuedAt: undefined },
      { keyId: 'text-times', roleId: 'r', description: 'd', expiresAt: undefined, issuedAt: undefined },
      { keyId: 'tiny', roleId: 'r', description: 'd', expiresAt: 1, issuedAt: 1_700_000_000 },
    ]);
  });

  it('follows next_token until it is absent or empty, passing it back', async () => {
    answer(200, { key_info: [key('a')], next_token: 'page 2' });
    answer(200, { key_info: [key('b')], next_token: '' });
    await expect(api().list('m', deadline())).resolves.toMatchObject([{ keyId: 'a' }, { keyId: 'b' }]);
    expect(seen.map((s) => s.url)).toEqual(['/api-keys?limit=100', '/api-keys?limit=100&next_token=page+2']);
    answer(200, { key_info: [key('c')], next_token: 42 });
    await expect(api().list('m', deadline())).resolves.toMatchObject([{ keyId: 'c' }]);
  });

  it('stops after 100 pages', async () => {
    for (let i = 0; i < 101; i++) answer(200, { key_info: [], next_token: `t${i}` });
    const error = await failure(api().list('m', deadline()));
    expect(error.detail).toBe('more than 100 pages of keys');
    expect(seen).toHaveLength(100);
  });

  it('reads status, code and message into the detail, and maps the status to a failure', async () => {
    answer(400, { code: 'BAD_EXPIRY', message: 'expiry in the past' });
    let error = await failure(api().mint('m', { roleId: 'r', description: 'd', expiresAt: 1 }, deadline()));
    expect([error.failure, error.detail]).toEqual(['bad-request', 'HTTP 400 BAD_EXPIRY: expiry in the past']);
    answer(403, { code: 7, message: ['x'] });
    error = await failure(api().list('m', deadline()));
    expect([error.failure, error.detail]).toEqual(['forbidden', 'HTTP 403']);
    answer(401, 'not json');
    error = await failure(api().list('m', deadline()));
    expect([error.failure, error.detail]).toEqual(['unauthorized', 'HTTP 401']);
    answer(404, { message: 'no key' });
    await expect(api().revoke('m', 'k', deadline())).resolves.toBe('not-found');
    answer(404, { code: 'NO_ROLE' });
    error = await failure(api().mint('m', { roleId: 'r', description: 'd', expiresAt: 1 }, deadline()));
    expect([error.failure, error.detail]).toEqual(['not-found', 'HTTP 404 NO_ROLE']);
  });

  it('retries what may pass (429, 5xx, odd statuses) 8 times in all, reporting the attempts', async () => {
    for (let i = 0; i < 8; i++) answer(i % 2 ? 503 : 418, { message: 'busy' });
    const error = await failure(api().list('m', deadline()));
    expect([error.failure, error.operation, error.detail, error.attempts]).toEqual(['unavailable', 'list', 'HTTP 503: busy', 8]);
    expect(seen).toHaveLength(8);
  });

  it('names a connection that failed by its error and code', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const closed = new HttpKeyManagementApi({ baseUrl: `http://127.0.0.1:${port}`, sleep: async () => undefined });
    const error = await failure(closed.revoke('m', 'k', deadline()));
    expect([error.failure, error.operation, error.attempts]).toEqual(['unavailable', 'revoke', 8]);
    expect(error.detail).toBe('TypeError ECONNREFUSED');
    expect(error.message).toBe('revoke: unavailable (TypeError ECONNREFUSED)');
  });
});

// Answers copied verbatim from Momento's docs (momentohq/public-dev-docs @ 019c888d,
// docs/platform/authentication/api-keys-http-api.md and roles-http-api.md, both unlisted), and the
// Owner role from Momento's CLI (momentohq/momento-cli, momento/src/commands/custom_role/utils.rs,
// test_deserialize_role_with_super_user_permissions). Collected in /tmp/research/momento-facts.md.
/** api-keys-http-api.md, "Generate an API key", the 200 response. */
const DOCS_MINT_ANSWER = `{
  "api_key": "api-key",
  "key_info": {
    "key_id": "api-key-id",
    "account_id": "account-id",
    "description": "For deploying to CI/CD environments",
    "role_id": "cicd-role",
    "expires_at_epoch_seconds": 1719363600,
    "issued_at_epoch_seconds": 1719360000
  }
}`;
/** api-keys-http-api.md, "List API keys", the 200 response: two keys, the second never expires, and a next_token. */
const DOCS_LIST_ANSWER = `{
  "key_info": [
    {
      "key_id": "api-key-id-1",
      "account_id": "account-id",
      "description": "For deploying to CI/CD environments",
      "role_id": "cicd-role",
      "expires_at_epoch_seconds": 1719363600,
      "issued_at_epoch_seconds": 1719360000
    },
    {
      "key_id": "api-key-id-2",
      "account_id": "account-id",
      "description": "Read-only access for the metrics dashboard",
      "role_id": "analytics-readonly-role",
      "issued_at_epoch_seconds": 1719000000
    }
  ],
  "next_token": "next-token"
}`;
/** api-keys-http-api.md, "API key object": here the last page of the listing. */
const DOCS_KEY_OBJECT = `{
  "key_id": "api-key-id",
  "account_id": "account-id",
  "description": "For deploying to CI/CD environments",
  "role_id": "cicd-role",
  "expires_at_epoch_seconds": 1719363600,
  "issued_at_epoch_seconds": 1719360000
}`;
/** roles-http-api.md, "List roles", the 200 response: two custom roles and a next_token. */
const DOCS_ROLES_ANSWER = `{
  "roles": [
    {
      "role_id": "cicd-role",
      "role_name": "cicd-role",
      "role_type": "custom",
      "description": "For deploying to CI/CD environments",
      "permissions": {
        "rules": [
          {
            "type": "cache",
            "permissions": ["read", "write"],
            "caches": { "name": "prod-cache" },
            "items": "*"
          }
        ]
      }
    },
    {
      "role_id": "analytics-readonly-role",
      "role_name": "analytics-readonly-role",
      "role_type": "custom",
      "description": "Read-only access for the analytics team",
      "permissions": {
        "rules": [
          {
            "type": "cache",
            "permissions": ["read", "list"],
            "caches": "*",
            "items": "*"
          }
        ]
      }
    }
  ],
  "next_token": "next-token"
}`;
/** momento-cli custom_role/utils.rs test: the Owner system role, a super-user without rules. */
const CLI_OWNER_ROLE = `{
    "role_id": "r-owner",
    "role_name": "Owner",
    "description": "superuser role",
    "permissions": {
        "super_user": true
    },
    "role_type": "system"
}`;
/** api-keys-http-api.md (and roles-http-api.md), "Errors": the error body. */
const DOCS_ERROR_BODY = `{
  "code": "Bad Request",
  "message": "A human-readable description of what went wrong."
}`;

describe('a refresh token in a mint answer, although none was asked for', () => {
  const mintOnce = () => api().mint('m', { roleId: 'r', description: 'd', expiresAt: 2_000_000_000 }, deadline());
  const warnings = () =>
    output
      .lines()
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r.refreshTokensDropped !== undefined);

  it('is dropped: the key is returned without it, one warning names the key id, and errors quoting it later show [REDACTED]', async () => {
    const apiKey = fakeV2Key({ jti: 'key-with-a-token' });
    const token = fakeJwt({ t: 'gr', akid: 'key-with-a-token' });
    answer(200, { api_key: apiKey, refresh_token: token, key_info: key('key-with-a-token') });
    const minted = await mintOnce();
    expect(minted).toStrictEqual({ apiKey, info: { keyId: 'key-with-a-token', roleId: 'r', description: 'd', expiresAt: 2_000_000_000, issuedAt: 1_700_000_000 } });
    expect(JSON.stringify(minted)).not.toContain(token);
    expect(warnings()).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'Momento returned a refresh token for a minted key although none was asked for; it was dropped',
        keyId: 'key-with-a-token',
        refreshTokensDropped: 1,
      }),
    ]);
    expect(output.text()).not.toContain(token);

    // Momento's words quoting the token (or the key) come out scrubbed, in the detail and the message.
    answer(400, { code: 'Bad Request', message: `token ${token} is not a key`, err: `saw ${token} and ${apiKey}` });
    const error = await expectFailure(api().list('m', deadline()), KeyApiError);
    expect(error.detail).toBe('HTTP 400 Bad Request: token [REDACTED] is not a key (saw [REDACTED] and [REDACTED])');
    expect(error.message).not.toContain(token);
  });

  it('is dropped from an answer that is otherwise unusable: the error and the warning carry neither it nor a key id', async () => {
    const token = fakeJwt({ t: 'gr', akid: 'k' });
    answer(200, { refresh_token: token });
    const error = await expectFailure(mintOnce(), KeyApiError);
    expect([error.failure, error.detail]).toEqual(['unavailable', 'the answer had no api_key or key_info']);
    expect(warnings()).toEqual([expect.objectContaining({ refreshTokensDropped: 1 })]);
    expect(warnings()[0]).not.toHaveProperty('keyId');
    expect(output.text()).not.toContain(token);
  });

  it('is dropped and remembered for redaction whatever its JSON type', async () => {
    const token = { token: `rt-${fakeRefreshToken()}` };
    answer(200, { api_key: 'minted-key-0123456789', refresh_token: token, key_info: key('k-object') });
    await expect(mintOnce()).resolves.toStrictEqual({ apiKey: 'minted-key-0123456789', info: expect.objectContaining({ keyId: 'k-object' }) });
    expect(warnings()).toEqual([expect.objectContaining({ keyId: 'k-object', refreshTokensDropped: 1 })]);
    expect(scrub(`got ${JSON.stringify(token)}`)).toBe('got [REDACTED]');
  });

  it('is not warned about when absent', async () => {
    answer(200, { api_key: 'minted-key-0123456789', key_info: key('k-plain') });
    await mintOnce();
    expect(warnings()).toEqual([]);
  });
});

describe('a mint answer without key_info', () => {
  const mintOnce = () => api().mint('m', { roleId: 'r-app', description: 'asked for', expiresAt: 2_000_000_000 }, deadline());

  it('still returns a v2 key whose claims name it: the id from jti, the expiry from exp, role and description as asked', async () => {
    const apiKey = fakeV2Key({ jti: 'key-from-claims', exp: 1_900_000_000 });
    answer(200, { api_key: apiKey });
    await expect(mintOnce()).resolves.toStrictEqual({
      apiKey,
      info: { keyId: 'key-from-claims', roleId: 'r-app', description: 'asked for', expiresAt: 1_900_000_000, issuedAt: undefined },
    });
    const neverExpires = fakeV2Key({ jti: 'key-without-exp' });
    answer(200, { api_key: neverExpires, key_info: null });
    await expect(mintOnce()).resolves.toStrictEqual({
      apiKey: neverExpires,
      info: { keyId: 'key-without-exp', roleId: 'r-app', description: 'asked for', expiresAt: undefined, issuedAt: undefined },
    });
  });

  it('prefers key_info, when there is one, to the claims', async () => {
    answer(200, { api_key: fakeV2Key({ jti: 'claimed-id', exp: 1_900_000_000 }), key_info: key('listed-id') });
    await expect(mintOnce()).resolves.toMatchObject({ info: { keyId: 'listed-id', roleId: 'r', description: 'd', expiresAt: 2_000_000_000 } });
  });

  it.each([
    ['a v2 key without jti', () => fakeV2Key({ jti: null, exp: 1_900_000_000 })],
    ['a legacy token with a jti', () => fakeJwt({ jti: 'legacy-id', c: 'cache.x' })],
    ['a v1 key', () => fakeV1Key()],
  ])('fails with %s, whose claims do not name it', async (_label, apiKey) => {
    answer(200, { api_key: apiKey() });
    const error = await expectFailure(mintOnce(), KeyApiError);
    expect([error.failure, error.detail]).toEqual(['unavailable', 'the answer had no api_key or key_info']);
  });
});

describe("err in Momento's error body", () => {
  it('is passed through in parentheses, scrubbed of secrets the adapter has seen', async () => {
    const minted = fakeV2Key({ jti: 'seen-key' });
    answer(200, { api_key: minted, key_info: key('seen-key') });
    await api().mint('m', { roleId: 'r', description: 'd', expiresAt: 1 }, deadline());
    answer(403, { code: 'PermissionDenied', message: 'no', err: `caller ${minted} lacks auth_management write` });
    const error = await expectFailure(api().revoke('m', 'seen-key', deadline()), KeyApiError);
    expect([error.failure, error.detail]).toEqual(['forbidden', 'HTTP 403 PermissionDenied: no (caller [REDACTED] lacks auth_management write)']);
  });

  it('is left out when empty or not a string', async () => {
    answer(404, { code: 'NotFound', message: 'Role not found', err: '' });
    let error = await failure(api().mint('m', { roleId: 'r', description: 'd', expiresAt: 1 }, deadline()));
    expect(error.detail).toBe('HTTP 404 NotFound: Role not found');
    answer(401, { code: 'Unauthorized', message: 'Invalid or expired API key', err: { why: 'expired' } });
    error = await failure(api().list('m', deadline()));
    expect([error.failure, error.detail]).toEqual(['unauthorized', 'HTTP 401 Unauthorized: Invalid or expired API key']);
    answer(400, { err: 'only err' });
    error = await failure(api().list('m', deadline()));
    expect(error.detail).toBe('HTTP 400 (only err)');
  });
});

describe('GET /roles, at the edges', () => {
  const role = (id: string, extra: Record<string, unknown> = {}) => ({ role_id: id, role_name: `${id}-name`, role_type: 'custom', permissions: { rules: [] }, ...extra });

  it('follows next_token until it is absent, empty or not a string, passing it back', async () => {
    answer(200, { roles: [role('a')], next_token: 'page 2' });
    answer(200, { roles: [role('b')], next_token: '' });
    await expect(api().listRoles('m', deadline())).resolves.toMatchObject([{ roleId: 'a' }, { roleId: 'b' }]);
    expect(seen.map((s) => s.url)).toEqual(['/roles?limit=100', '/roles?limit=100&next_token=page+2']);
    answer(200, { roles: [role('c')], next_token: 7 });
    await expect(api().listRoles('m', deadline())).resolves.toMatchObject([{ roleId: 'c' }]);
    expect(seen).toHaveLength(3);
  });

  it('stops after 100 pages', async () => {
    for (let i = 0; i < 101; i++) answer(200, { roles: [], next_token: `t${i}` });
    const error = await failure(api().listRoles('m', deadline()));
    expect([error.failure, error.operation, error.detail]).toEqual(['unavailable', 'list-roles', 'more than 100 pages of roles']);
    expect(seen).toHaveLength(100);
  });

  it.each([
    ['no roles list', { role_info: [] }],
    ['roles that are not a list', { roles: { role_id: 'r' } }],
    ['a body that is not JSON', 'not json'],
  ])('fails on an answer with %s as unavailable, not retried', async (_label, body) => {
    answer(200, body);
    const error = await failure(api().listRoles('m', deadline()));
    expect([error.failure, error.operation, error.detail]).toEqual(['unavailable', 'list-roles', 'the answer had no roles list']);
    expect(seen).toHaveLength(1);
  });

  it('skips entries that are not roles, and reads odd permissions as granting nothing', async () => {
    answer(200, {
      roles: [
        null,
        'r-text',
        { role_id: '' },
        { role_id: 5 },
        { role_id: 'bare' },
        role('string-super-user', { permissions: { super_user: 'true' } }),
        role('super-and-rules', { role_type: 'system', permissions: { super_user: true, rules: [{ type: 'cache', permissions: ['read'] }] } }),
        role('odd-rules', {
          role_name: 7,
          role_type: null,
          permissions: {
            rules: [null, 'auth_management', { permissions: ['write'] }, { type: 3, permissions: ['list'] }, { type: 'auth_management', permissions: 'write' }, { type: 'auth_management', permissions: ['list', 4, null, 'write'] }],
          },
        }),
        role('rules-not-a-list', { permissions: { rules: { type: 'auth_management', permissions: ['write'] } } }),
        role('permissions-not-an-object', { permissions: 'super_user' }),
      ],
    });
    await expect(api().listRoles('m', deadline())).resolves.toStrictEqual([
      { roleId: 'bare', roleName: '', roleType: '', superUser: false, rules: [] },
      { roleId: 'string-super-user', roleName: 'string-super-user-name', roleType: 'custom', superUser: false, rules: [] },
      { roleId: 'super-and-rules', roleName: 'super-and-rules-name', roleType: 'system', superUser: true, rules: [{ type: 'cache', permissions: ['read'] }] },
      {
        roleId: 'odd-rules',
        roleName: '',
        roleType: '',
        superUser: false,
        rules: [
          { type: 'auth_management', permissions: [] },
          { type: 'auth_management', permissions: ['list', 'write'] },
        ],
      },
      { roleId: 'rules-not-a-list', roleName: 'rules-not-a-list-name', roleType: 'custom', superUser: false, rules: [] },
      { roleId: 'permissions-not-an-object', roleName: 'permissions-not-an-object-name', roleType: 'custom', superUser: false, rules: [] },
    ]);
  });

  it('maps 401, 403 and 400 like the other operations, without retrying, and retries 429', async () => {
    answer(401, { code: 'Unauthorized', message: 'Invalid or expired API key' });
    let error = await failure(api().listRoles('m', deadline()));
    expect([error.failure, error.operation, error.detail, error.attempts]).toEqual(['unauthorized', 'list-roles', 'HTTP 401 Unauthorized: Invalid or expired API key', 1]);
    answer(403, { code: 'PermissionDenied', message: 'auth_management list needed' });
    error = await failure(api().listRoles('m', deadline()));
    expect([error.failure, error.operation, error.detail, error.attempts]).toEqual(['forbidden', 'list-roles', 'HTTP 403 PermissionDenied: auth_management list needed', 1]);
    answer(400, { code: 'Bad Request', message: 'unrecognized type' });
    error = await failure(api().listRoles('m', deadline()));
    expect([error.failure, error.attempts]).toEqual(['bad-request', 1]);
    expect(seen).toHaveLength(3);
    answer(429, { code: 'TooManyRequests', message: 'slow down' });
    answer(200, { roles: [role('after-throttle')] });
    await expect(api().listRoles('m', deadline())).resolves.toMatchObject([{ roleId: 'after-throttle' }]);
    expect(seen).toHaveLength(5);
  });
});

describe("recorded answers shaped exactly like the docs' examples", () => {
  // The docs' curl examples send the key raw: -H "Authorization: <token>", no "Bearer ".
  const MANAGEMENT_KEY = 'docs-management-key-v2';

  it('POST /api-keys: sends {role_id, description, expiry, exclude_refresh_token} as JSON, reads api_key and key_info', async () => {
    answers.push({ status: 200, body: DOCS_MINT_ANSWER });
    // The docs' request example: {"role_id": "cicd-role", "description": "For deploying to CI/CD environments", "expiry": 1719363600}.
    const minted = await api().mint(MANAGEMENT_KEY, { roleId: 'cicd-role', description: 'For deploying to CI/CD environments', expiresAt: 1719363600 }, deadline());
    expect(minted).toStrictEqual({
      apiKey: 'api-key',
      info: { keyId: 'api-key-id', roleId: 'cicd-role', description: 'For deploying to CI/CD environments', expiresAt: 1719363600, issuedAt: 1719360000 },
    });
    expect(seen).toHaveLength(1);
    const [post] = seen;
    expect([post!.method, post!.url]).toEqual(['POST', '/api-keys']);
    expect(post!.headers.authorization).toBe(MANAGEMENT_KEY);
    expect(post!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(post!.body)).toStrictEqual({
      role_id: 'cicd-role',
      description: 'For deploying to CI/CD environments',
      expiry: 1719363600,
      exclude_refresh_token: true,
    });
  });

  it('GET /api-keys: follows next_token to the last page, and reads a key without expires_at as never expiring', async () => {
    answers.push({ status: 200, body: DOCS_LIST_ANSWER });
    answers.push({ status: 200, body: `{\n  "key_info": [\n${DOCS_KEY_OBJECT.trimEnd()}\n  ]\n}` });
    await expect(api().list(MANAGEMENT_KEY, deadline())).resolves.toStrictEqual([
      { keyId: 'api-key-id-1', roleId: 'cicd-role', description: 'For deploying to CI/CD environments', expiresAt: 1719363600, issuedAt: 1719360000 },
      { keyId: 'api-key-id-2', roleId: 'analytics-readonly-role', description: 'Read-only access for the metrics dashboard', expiresAt: undefined, issuedAt: 1719000000 },
      { keyId: 'api-key-id', roleId: 'cicd-role', description: 'For deploying to CI/CD environments', expiresAt: 1719363600, issuedAt: 1719360000 },
    ]);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /api-keys?limit=100', 'GET /api-keys?limit=100&next_token=next-token']);
    expect(seen.map((s) => s.headers.authorization)).toEqual([MANAGEMENT_KEY, MANAGEMENT_KEY]);
    expect(seen.map((s) => [s.headers['content-type'], s.body])).toEqual([[undefined, ''], [undefined, '']]);
  });

  it('DELETE /api-keys/{key_id}: {} is revoked', async () => {
    answers.push({ status: 200, body: '{}' });
    await expect(api().revoke(MANAGEMENT_KEY, 'api-key-id', deadline())).resolves.toBe('revoked');
    expect(seen.map((s) => [s.method, s.url, s.headers.authorization, s.headers['content-type'], s.body])).toEqual([
      ['DELETE', '/api-keys/api-key-id', MANAGEMENT_KEY, undefined, ''],
    ]);
  });

  it('GET /roles: follows next_token, reads custom roles\' rules and the Owner\'s super_user', async () => {
    answers.push({ status: 200, body: DOCS_ROLES_ANSWER });
    answers.push({ status: 200, body: `{ "roles": [${CLI_OWNER_ROLE.trimEnd()}] }` });
    const roles = await api().listRoles(MANAGEMENT_KEY, deadline());
    expect(roles).toStrictEqual([
      { roleId: 'cicd-role', roleName: 'cicd-role', roleType: 'custom', superUser: false, rules: [{ type: 'cache', permissions: ['read', 'write'] }] },
      {
        roleId: 'analytics-readonly-role',
        roleName: 'analytics-readonly-role',
        roleType: 'custom',
        superUser: false,
        rules: [{ type: 'cache', permissions: ['read', 'list'] }],
      },
      { roleId: 'r-owner', roleName: 'Owner', roleType: 'system', superUser: true, rules: [] },
    ]);
    expect(roles.map((r) => keyManagementAccess(r))).toEqual([
      { list: false, mintAndRevoke: false },
      { list: false, mintAndRevoke: false },
      { list: true, mintAndRevoke: true },
    ]);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /roles?limit=100', 'GET /roles?limit=100&next_token=next-token']);
    expect(seen.map((s) => [s.headers.authorization, s.headers['content-type'], s.body])).toEqual([
      [MANAGEMENT_KEY, undefined, ''],
      [MANAGEMENT_KEY, undefined, ''],
    ]);
  });

  it('an error body {code, message} is read into the detail, and err (documented as optional) is added in parentheses', async () => {
    answers.push({ status: 400, body: DOCS_ERROR_BODY });
    let error = await failure(api().mint(MANAGEMENT_KEY, { roleId: 'cicd-role', description: 'd', expiresAt: 1 }, deadline()));
    expect([error.failure, error.operation, error.detail]).toEqual(['bad-request', 'mint', 'HTTP 400 Bad Request: A human-readable description of what went wrong.']);
    // The docs' example with the table's optional err field added (its value is ours: the docs show none).
    const withErr = { ...(JSON.parse(DOCS_ERROR_BODY) as object), err: 'expiry must be in the future' };
    answers.push({ status: 400, body: JSON.stringify(withErr) });
    error = await failure(api().mint(MANAGEMENT_KEY, { roleId: 'cicd-role', description: 'd', expiresAt: 1 }, deadline()));
    expect(error.detail).toBe('HTTP 400 Bad Request: A human-readable description of what went wrong. (expiry must be in the future)');
    expect(error.message).toBe('mint: bad-request (HTTP 400 Bad Request: A human-readable description of what went wrong. (expiry must be in the future))');
    expect(seen).toHaveLength(2);
  });
});

describe('parseApiKeysUrl', () => {
  it.each([
    [undefined, { ok: true, url: DEFAULT_API_KEYS_URL }],
    ['  ', { ok: true, url: DEFAULT_API_KEYS_URL }],
    [' https://keys.example.com/// ', { ok: true, url: 'https://keys.example.com' }],
    ['http://127.0.0.1:8080/', { ok: true, url: 'http://127.0.0.1:8080' }],
    ['http://[::1]:8080', { ok: true, url: 'http://[::1]:8080' }],
    ['http://LOCALHOST:1', { ok: true, url: 'http://LOCALHOST:1' }],
    ['keys.example.com', { ok: false, insecure: false, problem: 'MOMENTO_API_KEYS_URL is not a URL: "keys.example.com"' }],
    ['ftp://keys.example.com', { ok: false, insecure: false, problem: 'MOMENTO_API_KEYS_URL must be an https:// URL, got "ftp://keys.example.com"' }],
  ])('reads %j', (raw, expected) => {
    expect(parseApiKeysUrl(raw)).toEqual(expected);
  });

  it('refuses http:// to a host that is not loopback, as insecure, saying what to use', () => {
    expect(parseApiKeysUrl('http://keys.example.com')).toEqual({
      ok: false,
      insecure: true,
      problem:
        'MOMENTO_API_KEYS_URL "http://keys.example.com" uses http:// to a host that is not loopback. The management key would travel ' +
        'unencrypted: use https:// (the default is https://mga.registry.prod.a.momentohq.com), or http:// only to 127.0.0.1, ::1 or localhost for local tests.',
    });
    expect(parseApiKeysUrl('http://[::2]:80')).toMatchObject({ ok: false, insecure: true });
  });
});
