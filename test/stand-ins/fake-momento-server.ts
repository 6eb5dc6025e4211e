import { auth, cache, control } from '@gomomento/generated-types';
import * as grpc from '@grpc/grpc-js';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APP_ROLE_ID, defaultRoles, fakeRoleAllows, type RoleJson } from '../support/momento-roles.js';

export type FakeMomentoMethod = 'RefreshApiToken' | 'ListCaches' | 'Get';

/** What an injected fault does to one call. */
export type MomentoFault =
  | { readonly kind: 'throttle' } // RESOURCE_EXHAUSTED
  | { readonly kind: 'internal' } // INTERNAL: Momento's 500
  | { readonly kind: 'drop' } // UNAVAILABLE, as a client sees a dropped connection
  | { readonly kind: 'delay'; readonly ms: number }; // answered late; not applied if the client gave up first

export interface IssuedKey {
  /** A v1 key, as the console and refreshApiKey produce: base64 of {"endpoint", "api_key"}. */
  readonly apiKey: string;
  readonly refreshToken: string;
  /** Epoch seconds. */
  readonly validUntil: number;
}

interface KeyRecord {
  readonly jwt: string;
  /** Keys refreshed from one another share a lineage; faults can be scoped to one. Keys minted share their management key's. */
  readonly lineage: string;
  readonly lifetimeSeconds: number;
  readonly validUntil: number;
  /** v2 keys: what the key-management API knows of them. */
  readonly v2?: { readonly keyId: string; readonly roleId: string; readonly description: string; readonly issuedAt: number };
}

export interface IssuedV2Key {
  /** A v2 key: a JWT with claim t = "g". */
  readonly apiKey: string;
  readonly keyId: string;
  readonly roleId: string;
  /** Epoch seconds. */
  readonly validUntil: number;
  readonly lineage: string;
}

export type KeyApiRoute = 'mint' | 'list' | 'revoke' | 'roles';

/** What an injected fault does to one key-API request. */
export type KeyApiFault =
  | { readonly kind: 'throttle' } // 429
  | { readonly kind: 'error500' }
  | { readonly kind: 'drop' } // the connection closes before the request is applied
  | { readonly kind: 'lost-reply' }; // applied (a key minted, say), then the connection closes

interface QueuedKeyApiFault {
  readonly route: KeyApiRoute;
  readonly fault: KeyApiFault;
  readonly lineage: string | undefined;
}

interface RefreshTokenRecord {
  readonly jwt: string;
  used: boolean;
}

interface QueuedFault {
  readonly method: FakeMomentoMethod;
  readonly fault: MomentoFault;
  readonly lineage: string | undefined;
}

const ENDPOINT = 'fake-momento.local';

/**
 * A Momento stand-in on 127.0.0.1, speaking the real gRPC services (from
 * @gomomento/generated-types) so the real @gomomento/sdk talks to it unchanged through
 * MOMENTO_ENDPOINT_OVERRIDE. It behaves like Momento as design/momento-keys.md describes:
 * RefreshApiToken issues a new key with the original lifetime counted from now; the
 * old key stays valid until it expires; expired and unknown keys get UNAUTHENTICATED.
 */
export class FakeMomentoServer {
  /** Refresh tokens work once (the default, and the assumption the rotation must survive). */
  singleUseRefreshTokens = true;
  /** Shifts the fake's clock, to make keys expire. */
  clockOffsetMs = 0;
  readonly caches = new Set<string>();
  /** Told of every secret the fake issues (keys, their JWTs, refresh tokens), for leak checks. */
  onIssue: ((secret: string) => void) | undefined;
  readonly calls: Record<FakeMomentoMethod, number> = { RefreshApiToken: 0, ListCaches: 0, Get: 0 };
  /** Calls the fake acted on (answered), as opposed to received: a call abandoned during a delay is received, not handled. */
  readonly handled: Record<FakeMomentoMethod, number> = { RefreshApiToken: 0, ListCaches: 0, Get: 0 };
  private readonly keys = new Map<string, KeyRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  private readonly faults: QueuedFault[] = [];
  /** Roles by id, as GET /roles lists them; a key may do what its role's rules say (momento-roles.ts). */
  readonly roles = new Map<string, RoleJson>(defaultRoles().map((r) => [r.role_id, r]));
  /** Momento's ~5 auth operations per second per account; 0 turns the limit off. */
  keyApiRatePerSecond = 5;
  readonly keyApiCalls: Record<KeyApiRoute, number> = { mint: 0, list: 0, revoke: 0, roles: 0 };
  /** Requests applied and answered 200: keyApiCalls less the 429s, 5xx, drops and refusals (the retries a rate limit causes). */
  readonly keyApiApplied: Record<KeyApiRoute, number> = { mint: 0, list: 0, revoke: 0, roles: 0 };
  /** Every mint request's role and whether it asked for no refresh token (exclude_refresh_token). */
  readonly mintRequests: { roleId: string; excludeRefreshToken: boolean }[] = [];
  /** Sends a refresh token with every expiring minted key, even when none was asked for: a Momento that misbehaves. */
  refreshTokenDespiteExclusion = false;
  /** Refresh tokens sent with minted keys. */
  readonly mintedRefreshTokens: string[] = [];
  /** 429s answered for the rate limit (injected throttles not counted). */
  keyApiThrottled = 0;
  /** Page size cap for GET /api-keys (Momento's is 100); tests lower it to exercise pagination. */
  keyApiMaxPageSize = 100;
  private readonly keyApiFaults: QueuedKeyApiFault[] = [];
  private bucket = { tokens: 5, at: Date.now() };
  private httpServer: Server | undefined;
  /** Base URL of the key-management HTTP API (MOMENTO_API_KEYS_URL). */
  apiKeysUrl = '';
  /** Runs after each key-API request is applied, before its answer goes out: the place to check invariants. */
  onKeyApiApplied: ((route: KeyApiRoute, callerLineage: string) => Promise<void>) | undefined;

  private constructor(
    private readonly server: grpc.Server,
    readonly address: string,
  ) {}

  static async start(): Promise<FakeMomentoServer> {
    const server = new grpc.Server();
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
    );
    const fake = new FakeMomentoServer(server, `127.0.0.1:${port}`);
    await fake.startKeyApi();
    server.addService(auth.auth.UnimplementedAuthService.definition, {
      RefreshApiToken: fake.unary('RefreshApiToken', (call: grpc.ServerUnaryCall<auth.auth._RefreshApiTokenRequest, unknown>) =>
        fake.refresh(call.request),
      ),
    });
    server.addService(control.control_client.UnimplementedScsControlService.definition, {
      ListCaches: fake.unary('ListCaches', (call) => fake.listCaches(call.metadata)),
    });
    server.addService(cache.cache_client.UnimplementedScsService.definition, {
      Get: fake.unary('Get', (call) => fake.get(call.metadata)),
    });
    return fake;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    this.server.forceShutdown();
    this.httpServer?.closeAllConnections();
    await new Promise<void>((resolve) => this.httpServer?.close(() => resolve()) ?? resolve());
  }

  // ---- arranging ---------------------------------------------------------------------------

  /** A key as the console would issue it, with its refresh token. */
  issueKey(options: { lifetimeSeconds?: number; lineage?: string } = {}): IssuedKey {
    return this.mint(options.lineage ?? randomUUID(), options.lifetimeSeconds ?? 30 * 86_400);
  }

  /** A v2 key as the console issues it, with its key id and role (a management key, with a managing role). */
  issueV2Key(options: { roleId?: string; lifetimeSeconds?: number; description?: string; lineage?: string } = {}): IssuedV2Key {
    return this.mintV2(
      options.lineage ?? randomUUID(),
      options.roleId ?? APP_ROLE_ID,
      options.description ?? 'created in the console',
      this.nowSeconds() + (options.lifetimeSeconds ?? 60 * 86_400),
    );
  }

  /** Revokes every v2 key alive now, as if the account were cleaned up: the benchmark's reset between sections. */
  revokeAllV2Keys(): number {
    const v2 = [...this.keys.entries()].filter(([, record]) => record.v2 !== undefined);
    for (const [jwt] of v2) this.keys.delete(jwt);
    return v2.length;
  }

  /** Makes a key invalid at once, as revoking it in the console would. */
  revoke(apiKey: string): void {
    this.keys.delete(innerJwt(apiKey));
  }

  /** The next `count` requests to `route` (made with a management key of `lineage`, when given) meet `fault`. */
  failNextKeyApi(route: KeyApiRoute, count: number, fault: KeyApiFault, lineage?: string): void {
    for (let i = 0; i < count; i++) this.keyApiFaults.push({ route, fault, lineage });
  }

  /** v2 keys Momento still accepts, with what the key-management API lists of them. */
  liveV2Keys(): { keyId: string; roleId: string; description: string; lineage: string }[] {
    return [...this.keys.values()]
      .filter((k) => k.v2 !== undefined && k.validUntil > this.nowSeconds())
      .map((k) => ({ keyId: k.v2!.keyId, roleId: k.v2!.roleId, description: k.v2!.description, lineage: k.lineage }));
  }

  /** The next `count` calls of `method` (for keys of `lineage`, when given) meet `fault`. */
  failNext(method: FakeMomentoMethod, count: number, fault: MomentoFault, lineage?: string): void {
    for (let i = 0; i < count; i++) this.faults.push({ method, fault, lineage });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  pendingFaults(): number {
    return this.faults.length + this.keyApiFaults.length;
  }

  // ---- inspecting ------------------------------------------------------------------------------

  /** Whether Momento would accept this key now (a v1 key or its inner JWT). */
  accepts(apiKey: string): boolean {
    const record = this.keys.get(innerJwt(apiKey));
    return record !== undefined && record.validUntil > this.nowSeconds();
  }

  lineageOf(apiKey: string): string | undefined {
    return this.keys.get(innerJwt(apiKey))?.lineage;
  }

  // ---- the services --------------------------------------------------------------------------

  private refresh(request: auth.auth._RefreshApiTokenRequest): auth.auth._RefreshApiTokenResponse {
    const key = this.authenticate(request.api_key);
    const token = this.refreshTokens.get(request.refresh_token);
    if (!token || token.jwt !== key.jwt) throw status(grpc.status.UNAUTHENTICATED, 'invalid refresh token');
    if (token.used && this.singleUseRefreshTokens) throw status(grpc.status.UNAUTHENTICATED, 'refresh token already used');
    token.used = true;
    const next = this.mint(key.lineage, key.lifetimeSeconds);
    return new auth.auth._RefreshApiTokenResponse({
      api_key: innerJwt(next.apiKey),
      refresh_token: next.refreshToken,
      endpoint: ENDPOINT,
      valid_until: next.validUntil,
    });
  }

  private listCaches(metadata: grpc.Metadata): control.control_client._ListCachesResponse {
    this.authenticate(header(metadata, 'authorization'));
    return new control.control_client._ListCachesResponse({
      cache: [...this.caches].map((name) => new control.control_client._Cache({ cache_name: name })),
    });
  }

  private get(metadata: grpc.Metadata): cache.cache_client._GetResponse {
    this.authenticate(header(metadata, 'authorization'));
    const cacheName = header(metadata, 'cache');
    if (!this.caches.has(cacheName)) throw status(grpc.status.NOT_FOUND, `cache not found: ${cacheName}`);
    return new cache.cache_client._GetResponse({ result: cache.cache_client.ECacheResult.Miss });
  }

  // ---- the key-management HTTP API (api-keys-http-api.md) ------------------------------------------

  private async startKeyApi(): Promise<void> {
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => this.handleKeyApi(request, response, body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.httpServer = server;
    this.apiKeysUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  private handleKeyApi(request: IncomingMessage, response: ServerResponse, body: string): void {
    const url = new URL(request.url ?? '/', 'http://fake');
    const route: KeyApiRoute | undefined =
      request.method === 'POST' && url.pathname === '/api-keys'
        ? 'mint'
        : request.method === 'GET' && url.pathname === '/api-keys'
          ? 'list'
          : request.method === 'DELETE' && url.pathname.startsWith('/api-keys/')
            ? 'revoke'
            : request.method === 'GET' && url.pathname === '/roles'
              ? 'roles'
              : undefined;
    const send = (status: number, json: unknown) => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(json));
    };
    // Momento's error body: {code, message, err?}; err only for some errors (api-keys-http-api.md).
    const fail = (status: number, code: string, message: string, err?: string) => send(status, { code, message, ...(err ? { err } : {}) });
    if (route === undefined) return fail(404, 'NotFound', 'no such route');
    this.keyApiCalls[route]++;

    const caller = this.keys.get(request.headers.authorization ?? '');
    const index = this.keyApiFaults.findIndex((f) => f.route === route && (f.lineage === undefined || f.lineage === caller?.lineage));
    const fault = index >= 0 ? this.keyApiFaults.splice(index, 1)[0]!.fault : undefined;
    if (fault?.kind === 'throttle') return fail(429, 'TooManyRequests', 'Request rate exceeded the limits for this account');
    if (fault?.kind === 'error500') return fail(500, 'InternalServerError', 'Internal server error');
    if (fault?.kind === 'drop') return void request.socket.destroy();
    if (!this.takeRateToken()) {
      this.keyApiThrottled++;
      return fail(429, 'TooManyRequests', 'Request rate exceeded the limits for this account');
    }

    if (!caller || caller.v2 === undefined || caller.validUntil <= this.nowSeconds()) {
      return fail(401, 'Unauthorized', 'Invalid or expired API key');
    }
    // GETs need auth_management "list", POST and DELETE "write": a Viewer key lists, and gets 403 on the rest.
    if (!fakeRoleAllows(this.roles.get(caller.v2.roleId), request.method === 'GET' ? 'read' : 'write')) {
      return fail(403, 'PermissionDenied', 'The API key does not grant the auth-management access this call needs');
    }

    let answer: [number, unknown];
    switch (route) {
      case 'mint': {
        let request: { role_id?: unknown; description?: unknown; expiry?: unknown; exclude_refresh_token?: unknown };
        try {
          request = JSON.parse(body) as typeof request;
        } catch {
          return fail(400, 'Bad Request', 'malformed JSON');
        }
        const { role_id: roleId, description, expiry, exclude_refresh_token: exclude } = request;
        if (typeof roleId !== 'string' || typeof description !== 'string' || !(expiry === 'never' || typeof expiry === 'number')) {
          return fail(400, 'Bad Request', 'role_id, description and expiry are required');
        }
        if (exclude !== undefined && typeof exclude !== 'boolean') return fail(400, 'Bad Request', 'exclude_refresh_token must be a boolean');
        this.mintRequests.push({ roleId, excludeRefreshToken: exclude === true });
        if (!this.roles.has(roleId)) return fail(404, 'NotFound', `Role not found`, `no role with id ${roleId}`);
        const minted = this.mintV2(caller.lineage, roleId, description, expiry === 'never' ? Number.MAX_SAFE_INTEGER : expiry);
        // An expiring key comes with a refresh token unless none was asked for; a key that never
        // expires never gets one (terraform-provider-momento's api_key_resource schema and tests).
        let refreshToken: string | undefined;
        if (expiry !== 'never' && (exclude !== true || this.refreshTokenDespiteExclusion)) {
          refreshToken = fakeJwt({ t: 'gr', akid: minted.keyId });
          this.mintedRefreshTokens.push(refreshToken);
          this.onIssue?.(refreshToken);
        }
        answer = [200, { api_key: minted.apiKey, ...(refreshToken ? { refresh_token: refreshToken } : {}), key_info: this.keyInfo(this.keys.get(minted.apiKey)!) }];
        break;
      }
      case 'list': {
        const limit = Number(url.searchParams.get('limit') ?? '100');
        if (!Number.isInteger(limit) || limit < 1 || limit > 100) return fail(400, 'Bad Request', 'limit must be 1 to 100');
        const offset = Number(url.searchParams.get('next_token') ?? '0');
        const all = [...this.keys.values()].filter((k) => k.v2 !== undefined && k.validUntil > this.nowSeconds());
        const size = Math.min(limit, this.keyApiMaxPageSize);
        const page = all.slice(offset, offset + size);
        answer = [200, { key_info: page.map((k) => this.keyInfo(k)), ...(offset + size < all.length ? { next_token: String(offset + size) } : {}) }];
        break;
      }
      case 'revoke': {
        const keyId = decodeURIComponent(url.pathname.slice('/api-keys/'.length));
        const record = [...this.keys.values()].find((k) => k.v2?.keyId === keyId);
        if (!record) return fail(404, 'NotFound', `no key ${keyId}`);
        this.keys.delete(record.jwt);
        answer = [200, {}];
        break;
      }
      case 'roles': {
        // GET /roles?limit=&next_token=&type=system|custom (roles-http-api.md): paged, filtered by type.
        const limit = Number(url.searchParams.get('limit') ?? '100');
        if (!Number.isInteger(limit) || limit < 1 || limit > 100) return fail(400, 'Bad Request', 'limit must be 1 to 100');
        const type = url.searchParams.get('type');
        if (type !== null && type !== 'system' && type !== 'custom') return fail(400, 'Bad Request', `unrecognized type ${type}`);
        const offset = Number(url.searchParams.get('next_token') ?? '0');
        const all = [...this.roles.values()].filter((r) => type === null || r.role_type === type);
        const size = Math.min(limit, this.keyApiMaxPageSize);
        answer = [200, { roles: all.slice(offset, offset + size), ...(offset + size < all.length ? { next_token: String(offset + size) } : {}) }];
        break;
      }
    }
    this.keyApiApplied[route]++;
    void (async () => {
      await this.onKeyApiApplied?.(route, caller.lineage);
      if (fault?.kind === 'lost-reply') request.socket.destroy();
      else send(...answer);
    })();
  }

  private keyInfo(record: KeyRecord) {
    const v2 = record.v2!;
    return {
      key_id: v2.keyId,
      account_id: 'fake-account',
      description: v2.description,
      role_id: v2.roleId,
      ...(record.validUntil < Number.MAX_SAFE_INTEGER ? { expires_at_epoch_seconds: record.validUntil } : {}),
      issued_at_epoch_seconds: v2.issuedAt,
    };
  }

  /** A full bucket, as after a quiet second. */
  bucketReset(): void {
    this.bucket = { tokens: this.keyApiRatePerSecond, at: Date.now() };
  }

  /** A token bucket: `keyApiRatePerSecond` a second, bursts of as many. */
  private takeRateToken(): boolean {
    if (this.keyApiRatePerSecond <= 0) return true;
    const now = Date.now();
    const rate = this.keyApiRatePerSecond;
    this.bucket = { tokens: Math.min(rate, this.bucket.tokens + ((now - this.bucket.at) / 1000) * rate), at: now };
    if (this.bucket.tokens < 1) return false;
    this.bucket.tokens -= 1;
    return true;
  }

  // ---- plumbing ---------------------------------------------------------------------------------

  private authenticate(jwt: string): KeyRecord {
    const record = this.keys.get(jwt);
    if (!record) throw status(grpc.status.UNAUTHENTICATED, 'Invalid signature');
    if (record.validUntil <= this.nowSeconds()) throw status(grpc.status.UNAUTHENTICATED, 'Token has expired');
    return record;
  }

  private mintV2(lineage: string, roleId: string, description: string, validUntil: number): IssuedV2Key {
    // Like Momento's, the key says its own id (jti) and expiry (exp; none for a key that never expires).
    const keyId = randomUUID();
    const apiKey = fakeJwt({ t: 'g', jti: keyId, ...(validUntil < Number.MAX_SAFE_INTEGER ? { exp: validUntil } : {}) });
    const issuedAt = this.nowSeconds();
    this.keys.set(apiKey, { jwt: apiKey, lineage, lifetimeSeconds: validUntil - issuedAt, validUntil, v2: { keyId, roleId, description, issuedAt } });
    this.onIssue?.(apiKey);
    return { apiKey, keyId, roleId, validUntil, lineage };
  }

  private mint(lineage: string, lifetimeSeconds: number): IssuedKey {
    const jwt = fakeJwt();
    const validUntil = this.nowSeconds() + lifetimeSeconds;
    this.keys.set(jwt, { jwt, lineage, lifetimeSeconds, validUntil });
    const refreshToken = randomBytes(32).toString('base64');
    this.refreshTokens.set(refreshToken, { jwt, used: false });
    const apiKey = Buffer.from(JSON.stringify({ endpoint: ENDPOINT, api_key: jwt })).toString('base64');
    for (const secret of [jwt, refreshToken, apiKey]) this.onIssue?.(secret);
    return { apiKey, refreshToken, validUntil };
  }

  private nowSeconds(): number {
    return Math.floor((Date.now() + this.clockOffsetMs) / 1000);
  }

  /** Wraps a handler with call counting, fault injection and error mapping. */
  private unary<Req, Res>(method: FakeMomentoMethod, handle: (call: grpc.ServerUnaryCall<Req, Res>) => Res) {
    return (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => {
      this.calls[method]++;
      const lineage = this.lineageOfCall(method, call);
      const index = this.faults.findIndex((f) => f.method === method && (f.lineage === undefined || f.lineage === lineage));
      const fault = index >= 0 ? this.faults.splice(index, 1)[0]!.fault : undefined;
      const respond = () => {
        this.handled[method]++;
        try {
          callback(null, handle(call));
        } catch (error) {
          callback(error as grpc.ServiceError);
        }
      };
      if (fault === undefined) return respond();
      switch (fault.kind) {
        case 'throttle':
          return callback(status(grpc.status.RESOURCE_EXHAUSTED, 'Request rate exceeded the limits for this account'));
        case 'internal':
          return callback(status(grpc.status.INTERNAL, 'Internal server error'));
        case 'drop':
          return callback(status(grpc.status.UNAVAILABLE, 'Connection dropped'));
        case 'delay':
          // A server that honours deadlines does not act on a call its client has abandoned.
          setTimeout(() => (call.cancelled ? undefined : respond()), fault.ms);
          return;
      }
    };
  }

  private lineageOfCall(method: FakeMomentoMethod, call: grpc.ServerUnaryCall<unknown, unknown>): string | undefined {
    const jwt =
      method === 'RefreshApiToken'
        ? (call.request as auth.auth._RefreshApiTokenRequest).api_key
        : header(call.metadata, 'authorization');
    return this.keys.get(jwt)?.lineage;
  }
}

function header(metadata: grpc.Metadata, name: string): string {
  const value = metadata.get(name)[0];
  return typeof value === 'string' ? value : (value?.toString() ?? '');
}

function status(code: grpc.status, details: string): Partial<grpc.ServiceError> {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

/** The JWT inside a v1 key (or the string itself when it is not a v1 key). */
function innerJwt(apiKey: string): string {
  try {
    const decoded = JSON.parse(Buffer.from(apiKey, 'base64').toString('utf8')) as { api_key?: unknown };
    if (typeof decoded.api_key === 'string') return decoded.api_key;
  } catch {
    // not a v1 key
  }
  return apiKey;
}

function fakeJwt(claims: Record<string, unknown> = {}): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: 'fake', jti: randomUUID(), ...claims })}.${randomBytes(24).toString('base64url')}`;
}
