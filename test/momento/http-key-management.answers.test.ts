import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEYS_URL, HttpKeyManagementApi, parseApiKeysUrl } from '../../src/momento/http-key-management.js';
import { KeyApiError } from '../../src/momento/key-management.js';

// The adapter against answers Momento's key API should not give but could: a scripted HTTP
// server on 127.0.0.1 answers each request from a queue, and records what it was sent.
interface Seen { method: string; url: string; headers: IncomingMessage['headers']; body: string }
let server: Server;
let baseUrl: string;
let answers: Array<{ status: number; body: string }>;
let seen: Seen[];

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
    expect(JSON.parse(seen[0]!.body)).toEqual({ role_id: 'app', description: 'desc', expiry: 123 });
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
