import {
  AuthClient,
  AuthClientConfiguration,
  CacheClient,
  CacheGet,
  Configurations,
  CredentialProvider,
  ListCaches,
  RefreshApiKey,
  type MomentoLogger,
  type MomentoLoggerFactory,
} from '@gomomento/sdk';
import { channel } from 'node:diagnostics_channel';
import { logger } from '../observability/logger.js';
import type { EndpointOverride } from './endpoint-override.js';
import type { MomentoApi, ProbeOutcome, RefreshOutcome } from './momento-api.js';

/**
 * Published once, when this module (and with it the Momento SDK) is loaded: the benchmark
 * subscribes to prove that steps which never talk to Momento never load it.
 */
export const MOMENTO_SDK_LOADED_CHANNEL = 'momento-secret-rotation:momento-sdk-loaded';
channel(MOMENTO_SDK_LOADED_CHANNEL).publish({});

/**
 * MomentoApi on @gomomento/sdk. Loaded with import() on first use, so steps that
 * never talk to Momento (setSecret, finishSecret) do not pay for loading it.
 * Clients are built per call (a Momento client is bound to one key) and closed after.
 */
export class SdkMomentoApi implements MomentoApi {
  constructor(private readonly override: EndpointOverride | undefined) {}

  async refreshApiKey(apiKey: string, refreshToken: string): Promise<RefreshOutcome> {
    let auth: AuthClient | undefined;
    try {
      auth = new AuthClient({
        credentialProvider: this.credentials(apiKey),
        configuration: new AuthClientConfiguration({ loggerFactory: quietLoggerFactory }),
      });
      const response = await auth.refreshApiKey(refreshToken);
      if (response instanceof RefreshApiKey.Success) {
        const validUntil = response.expiresAt.doesExpire() ? response.expiresAt.epoch() : undefined;
        return { ok: true, apiKey: response.apiKey, refreshToken: response.refreshToken, validUntil };
      }
      if (response instanceof RefreshApiKey.Error) {
        return { ok: false, code: response.errorCode(), message: response.message() };
      }
      return { ok: false, code: 'UNKNOWN_ERROR', message: 'unexpected response to refreshApiKey' };
    } catch (error) {
      return failureFrom(error);
    } finally {
      closeAuthClient(auth);
    }
  }

  async probeApiKey(apiKey: string, cacheName: string | undefined, endpoint?: string): Promise<ProbeOutcome> {
    let client: CacheClient | undefined;
    try {
      client = new CacheClient({
        configuration: Configurations.Lambda.latest(quietLoggerFactory),
        credentialProvider: this.credentials(apiKey, endpoint),
        defaultTtlSeconds: 60,
      });
      if (cacheName !== undefined) {
        // Any key will do: a Hit or a Miss both prove the key authenticated.
        const response = await client.get(cacheName, 'momento-secret-rotation-probe');
        if (response instanceof CacheGet.Error) return { ok: false, code: response.errorCode(), message: response.message() };
        return { ok: true, call: 'get' };
      }
      const response = await client.listCaches();
      if (response instanceof ListCaches.Error) return { ok: false, code: response.errorCode(), message: response.message() };
      return { ok: true, call: 'listCaches' };
    } catch (error) {
      return failureFrom(error);
    } finally {
      client?.close();
    }
  }

  private credentials(apiKey: string, endpoint?: string): CredentialProvider {
    if (endpoint !== undefined) {
      // v2 keys. fromApiKeyV2 always uses TLS, so the loopback test mode sends the same key through our own provider.
      if (this.override === undefined) return CredentialProvider.fromApiKeyV2({ apiKey, endpoint });
      return new LoopbackV2CredentialProvider(apiKey, this.override.address);
    }
    if (this.override === undefined) return CredentialProvider.fromString({ apiKey });
    const address = this.override.address;
    return CredentialProvider.fromString({
      apiKey,
      endpointOverrides: {
        controlEndpoint: address,
        cacheEndpoint: address,
        tokenEndpoint: address,
        secureConnection: false,
      },
    });
  }
}

/**
 * A v2 key sent as fromApiKeyV2 sends it (raw, in the authorization header), but to one
 * plaintext loopback address: MOMENTO_ENDPOINT_OVERRIDE's test-only mode, which
 * parseEndpointOverride restricts to loopback hosts.
 */
export class LoopbackV2CredentialProvider extends CredentialProvider {
  constructor(
    private readonly apiKey: string,
    private readonly address: string,
  ) {
    super();
  }
  getAuthToken = () => this.apiKey;
  getControlEndpoint = () => this.address;
  getCacheEndpoint = () => this.address;
  getTokenEndpoint = () => this.address;
  isControlEndpointSecure = () => false;
  isCacheEndpointSecure = () => false;
  isTokenEndpointSecure = () => false;
  isEndpointSecure = () => false;
  areEndpointsOverridden = () => true;
  withMomentoLocal = (): CredentialProvider => this;
}

function failureFrom(error: unknown): RefreshOutcome & { ok: false } {
  const code =
    typeof error === 'object' && error !== null && typeof (error as { errorCode?: unknown }).errorCode === 'function'
      ? String((error as { errorCode: () => unknown }).errorCode())
      : 'UNKNOWN_ERROR';
  return { ok: false, code, message: error instanceof Error ? error.message : String(error) };
}

/**
 * AuthClient has no close(); its gRPC channels would stay open until the container
 * is frozen. @gomomento/sdk 1.118 keeps them on its internal client as `authClient` and
 * `tokenClient` (grpc-js clients); test/momento/sdk-momento-api.test.ts fails if an SDK
 * upgrade moves them.
 */
export function authClientChannels(auth: AuthClient): { close(): void }[] {
  const internal = (auth as unknown as { authClient?: Record<string, unknown> }).authClient;
  return ['authClient', 'tokenClient']
    .map((name) => internal?.[name] as { close?: unknown } | undefined)
    .filter((client): client is { close(): void } => typeof client?.close === 'function');
}

function closeAuthClient(auth: AuthClient | undefined): void {
  if (!auth) return;
  const channels = authClientChannels(auth);
  if (channels.length === 0) logger.warn("Could not close the Momento AuthClient's gRPC channels: the SDK's internals changed");
  for (const grpcClient of channels) grpcClient.close();
}

/** The SDK's own log lines go to the structured logger (and its redaction), warnings and up only. */
export const sdkLogger: MomentoLogger = {
  error: (msg: string, ...args: unknown[]) => logger.error('Momento SDK', { sdkMessage: format(msg, args) }),
  warn: (msg: string, ...args: unknown[]) => logger.warn('Momento SDK', { sdkMessage: format(msg, args) }),
  info: () => undefined,
  debug: () => undefined,
  trace: () => undefined,
};
const quietLoggerFactory: MomentoLoggerFactory = { getLogger: () => sdkLogger };

function format(msg: string, args: unknown[]): string {
  const parts = args.map((a) => {
    if (typeof a === 'string') return a;
    try {
      return JSON.stringify(a);
    } catch {
      return String(a);
    }
  });
  return [msg, ...parts].join(' ');
}
