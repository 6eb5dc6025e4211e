import { auth, cache, control } from '@gomomento/generated-types';
import * as grpc from '@grpc/grpc-js';
import { randomBytes, randomUUID } from 'node:crypto';

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
  /** Keys refreshed from one another share a lineage; faults can be scoped to one. */
  readonly lineage: string;
  readonly lifetimeSeconds: number;
  readonly validUntil: number;
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
  private readonly keys = new Map<string, KeyRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  private readonly faults: QueuedFault[] = [];

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
  }

  // ---- arranging ---------------------------------------------------------------------------

  /** A key as the console would issue it, with its refresh token. */
  issueKey(options: { lifetimeSeconds?: number; lineage?: string } = {}): IssuedKey {
    return this.mint(options.lineage ?? randomUUID(), options.lifetimeSeconds ?? 30 * 86_400);
  }

  /** Makes a key invalid at once, as revoking it in the console would. */
  revoke(apiKey: string): void {
    this.keys.delete(innerJwt(apiKey));
  }

  /** The next `count` calls of `method` (for keys of `lineage`, when given) meet `fault`. */
  failNext(method: FakeMomentoMethod, count: number, fault: MomentoFault, lineage?: string): void {
    for (let i = 0; i < count; i++) this.faults.push({ method, fault, lineage });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  pendingFaults(): number {
    return this.faults.length;
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

  // ---- plumbing ---------------------------------------------------------------------------------

  private authenticate(jwt: string): KeyRecord {
    const record = this.keys.get(jwt);
    if (!record) throw status(grpc.status.UNAUTHENTICATED, 'Invalid signature');
    if (record.validUntil <= this.nowSeconds()) throw status(grpc.status.UNAUTHENTICATED, 'Token has expired');
    return record;
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

function fakeJwt(): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: 'fake', jti: randomUUID() })}.${randomBytes(24).toString('base64url')}`;
}
