import { logger } from '../observability/logger.js';
import { rememberSecret, scrub } from '../observability/redact.js';
import { RetriesExhausted, withRetries } from '../shared/retry.js';
import { inspectApiKey } from './api-key.js';
import { isLoopback } from './endpoint-override.js';
import {
  KeyApiError,
  type KeyApiFailure,
  type KeyInfo,
  type KeyManagementApi,
  type MintRequest,
  type MintedKey,
  type PermissionRule,
  type RoleInfo,
} from './key-management.js';

/**
 * Momento's key-management HTTP API ("HTTP API for Momento API Keys", an unlisted page of
 * momentohq/public-dev-docs, docs/platform/authentication/api-keys-http-api.md). The only
 * file that knows its URL, routes, JSON fields and status codes:
 * - one global, account-wide endpoint; the caller's key goes raw in `Authorization`;
 * - POST /api-keys {role_id, description, expiry (epoch seconds or "never"), exclude_refresh_token}
 *   -> 200 {api_key, key_info, refresh_token?}: the plaintext key is returned this once only.
 *   An expiring key comes with a refresh_token unless exclude_refresh_token is true
 *   (momentohq/terraform-provider-momento, api_key_resource.go and its acceptance test): we
 *   always ask for none, and one that comes anyway is remembered for redaction and dropped;
 * - GET /api-keys?limit=1..100&next_token=... -> 200 {key_info: [...], next_token?};
 * - DELETE /api-keys/{key_id} -> 200 {}: the key stops authenticating at once;
 * - key_info: {key_id, account_id, description, role_id, expires_at_epoch_seconds (absent
 *   = never), issued_at_epoch_seconds};
 * - GET /roles?limit=&next_token=&type= -> 200 {roles: [{role_id, role_name, role_type,
 *   description?, permissions: {rules: [{type, permissions, items}], conditions?}}], next_token?}
 *   (docs/platform/authentication/roles-http-api.md, unlisted too); a super-user role (Owner)
 *   has permissions {super_user: true} instead of rules (Momento's CLI, custom_role/utils.rs test);
 * - errors: {code, message, err?}; 400 bad request, 401 caller key invalid or expired,
 *   403 caller's role may not manage keys, 404 unknown role (POST) or key (DELETE),
 *   429 throttled, 500 service trouble.
 * The auth service allows about 5 operations per second per account (docs/platform/limits/
 * auth.mdx), shared by every secret and everything else the account does: 429 and 5xx are
 * retried with backoff and jitter, within the invocation's remaining time, never hammered.
 */
export const DEFAULT_API_KEYS_URL = 'https://mga.registry.prod.a.momentohq.com';

const REQUEST_TIMEOUT_MS = 10_000;
const PAGE_SIZE = 100;
/** A listing longer than this many pages is a loop, not an account. */
const MAX_PAGES = 100;

export type ApiKeysUrlParse = { ok: true; url: string } | { ok: false; insecure: boolean; problem: string };

/** MOMENTO_API_KEYS_URL: https anywhere; http only to a loopback host (local tests), so keys never cross a network in clear. */
export function parseApiKeysUrl(raw: string | undefined): ApiKeysUrlParse {
  const value = raw?.trim() || DEFAULT_API_KEYS_URL;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, insecure: false, problem: `MOMENTO_API_KEYS_URL is not a URL: "${value}"` };
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (url.protocol === 'http:' && !isLoopback(host)) {
    return {
      ok: false,
      insecure: true,
      problem:
        `MOMENTO_API_KEYS_URL "${value}" uses http:// to a host that is not loopback. The management key ` +
        `would travel unencrypted: use https:// (the default is ${DEFAULT_API_KEYS_URL}), or http:// only to 127.0.0.1, ::1 or localhost for local tests.`,
    };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, insecure: false, problem: `MOMENTO_API_KEYS_URL must be an https:// URL, got "${value}"` };
  }
  return { ok: true, url: value.replace(/\/+$/, '') };
}

export interface HttpKeyManagementOptions {
  readonly baseUrl: string;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export class HttpKeyManagementApi implements KeyManagementApi {
  constructor(private readonly options: HttpKeyManagementOptions) {}

  async mint(managementKey: string, request: MintRequest, deadline: number): Promise<MintedKey> {
    const body = await this.call('mint', deadline, () =>
      this.request(managementKey, 'POST', '/api-keys', {
        role_id: request.roleId,
        description: request.description,
        expiry: request.expiresAt,
        exclude_refresh_token: true,
      }),
    );
    const { api_key: apiKey, key_info: rawInfo, refresh_token: refreshToken } = (body ?? {}) as Record<string, unknown>;
    rememberSecret(typeof apiKey === 'string' ? apiKey : undefined);
    // The key's own claims say its id and expiry (api-key.ts): a key whose key_info is missing is not lost.
    const claims = typeof apiKey === 'string' ? inspectApiKey(apiKey) : undefined;
    const info =
      keyInfoFrom(rawInfo) ??
      (claims?.keyId !== undefined
        ? { keyId: claims.keyId, roleId: request.roleId, description: request.description, expiresAt: claims.expiresAt, issuedAt: undefined }
        : undefined);
    if (refreshToken !== undefined && refreshToken !== null) {
      // A credential we asked not to get: never stored, never logged, only counted.
      rememberSecret(typeof refreshToken === 'string' ? refreshToken : JSON.stringify(refreshToken));
      logger.warn('Momento returned a refresh token for a minted key although none was asked for; it was dropped', {
        keyId: info?.keyId,
        refreshTokensDropped: 1,
      });
    }
    if (typeof apiKey !== 'string' || apiKey === '' || info === undefined) {
      throw new KeyApiError('unavailable', 'mint', 'the answer had no api_key or key_info');
    }
    return { apiKey, info };
  }

  async list(managementKey: string, deadline: number): Promise<readonly KeyInfo[]> {
    return this.everyPage(managementKey, deadline, { operation: 'list', path: '/api-keys', field: 'key_info', noun: 'keys' }, keyInfoFrom);
  }

  async listRoles(managementKey: string, deadline: number): Promise<readonly RoleInfo[]> {
    return this.everyPage(managementKey, deadline, { operation: 'list-roles', path: '/roles', field: 'roles', noun: 'roles' }, roleInfoFrom);
  }

  /** GET `path` page by page (limit, next_token), reading each entry of `field`; a malformed entry is skipped. */
  private async everyPage<T>(
    managementKey: string,
    deadline: number,
    route: { operation: 'list' | 'list-roles'; path: string; field: string; noun: string },
    read: (raw: unknown) => T | undefined,
  ): Promise<T[]> {
    const items: T[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE), ...(nextToken ? { next_token: nextToken } : {}) });
      const body = (await this.call(route.operation, deadline, () => this.request(managementKey, 'GET', `${route.path}?${query}`))) as
        | Record<string, unknown>
        | undefined;
      const entries = body?.[route.field];
      if (!Array.isArray(entries)) throw new KeyApiError('unavailable', route.operation, `the answer had no ${route.field} list`);
      for (const raw of entries) {
        const item = read(raw);
        if (item !== undefined) items.push(item);
      }
      nextToken = typeof body?.next_token === 'string' && body.next_token !== '' ? body.next_token : undefined;
      if (nextToken === undefined) return items;
    }
    throw new KeyApiError('unavailable', route.operation, `more than ${MAX_PAGES} pages of ${route.noun}`);
  }

  async revoke(managementKey: string, keyId: string, deadline: number): Promise<'revoked' | 'not-found'> {
    try {
      await this.call('revoke', deadline, () => this.request(managementKey, 'DELETE', `/api-keys/${encodeURIComponent(keyId)}`));
      return 'revoked';
    } catch (error) {
      if (error instanceof KeyApiError && error.failure === 'not-found') return 'not-found';
      throw error;
    }
  }

  /** One operation, retried while Momento throttles or fails (429, 5xx, network), within the deadline. */
  private async call(operation: KeyApiError['operation'], deadline: number, send: () => Promise<Answer>): Promise<unknown> {
    try {
      return await withRetries(
        async () => {
          const answer = await send();
          if (answer.failure === undefined) return answer.body;
          throw new KeyApiError(answer.failure, operation, answer.detail);
        },
        {
          maxAttempts: 8,
          // Momento allows ~5 auth operations per second per account: start at a quarter second, with jitter.
          baseDelayMs: 250,
          maxDelayMs: 4_000,
          deadline,
          isRetryable: (error) => error instanceof KeyApiError && error.failure === 'unavailable',
          onRetry: (attempt, error, delayMs) =>
            logger.warn("Momento's key API did not answer; retrying", { operation, attempt, delayMs, detail: (error as Error).message }),
          ...(this.options.now ? { now: this.options.now } : {}),
          ...(this.options.sleep ? { sleep: this.options.sleep } : {}),
        },
      );
    } catch (error) {
      if (!(error instanceof RetriesExhausted)) throw error;
      const last = error.lastError;
      if (last instanceof KeyApiError) throw new KeyApiError(last.failure, operation, last.detail, error.attempts);
      throw last;
    }
  }

  private async request(managementKey: string, method: string, path: string, json?: unknown): Promise<Answer> {
    let response: Response;
    try {
      response = await fetch(`${this.options.baseUrl}${path}`, {
        method,
        headers: { Authorization: managementKey, ...(json !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      // A timeout or a dropped connection: the request may or may not have been applied.
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return { failure: 'unavailable', detail: `${(error as Error).name}${cause ? ` ${cause}` : ''}` };
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    if (response.ok) return { failure: undefined, body };
    const { code, message, err } = (body ?? {}) as { code?: unknown; message?: unknown; err?: unknown };
    const detail =
      `HTTP ${response.status}${typeof code === 'string' ? ` ${code}` : ''}${typeof message === 'string' ? `: ${message}` : ''}` +
      (typeof err === 'string' && err !== '' ? ` (${err})` : '');
    // Momento's words may quote what it was sent: scrubbed before anyone sees them.
    return { failure: failureFor(response.status), detail: scrub(detail) };
  }
}

type Answer = { failure: undefined; body: unknown } | { failure: KeyApiFailure; detail: string };

function failureFor(status: number): KeyApiFailure {
  switch (status) {
    case 400:
      return 'bad-request';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    default:
      // 429, 5xx, and anything unexpected: worth another try.
      return 'unavailable';
  }
}

function keyInfoFrom(raw: unknown): KeyInfo | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.key_id !== 'string' || r.key_id === '') return undefined;
  const seconds = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);
  return {
    keyId: r.key_id,
    roleId: typeof r.role_id === 'string' ? r.role_id : '',
    description: typeof r.description === 'string' ? r.description : '',
    expiresAt: seconds(r.expires_at_epoch_seconds),
    issuedAt: seconds(r.issued_at_epoch_seconds),
  };
}

function roleInfoFrom(raw: unknown): RoleInfo | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.role_id !== 'string' || r.role_id === '') return undefined;
  const permissions = (typeof r.permissions === 'object' && r.permissions !== null ? r.permissions : {}) as { rules?: unknown; super_user?: unknown };
  const rawRules = permissions.rules;
  const rules: PermissionRule[] = [];
  for (const rule of Array.isArray(rawRules) ? rawRules : []) {
    if (typeof rule !== 'object' || rule === null) continue;
    const { type, permissions } = rule as { type?: unknown; permissions?: unknown };
    if (typeof type !== 'string') continue;
    rules.push({ type, permissions: Array.isArray(permissions) ? permissions.filter((p): p is string => typeof p === 'string') : [] });
  }
  return {
    roleId: r.role_id,
    roleName: typeof r.role_name === 'string' ? r.role_name : '',
    roleType: typeof r.role_type === 'string' ? r.role_type : '',
    superUser: permissions.super_user === true,
    rules,
  };
}
