import { CacheClient, Configurations, CredentialProvider } from '@gomomento/sdk';
import { parseRegionEndpoint } from '../momento/endpoint.js';
import type { MomentoKey, MomentoKeyProvider } from './key-provider.js';

export interface ClientProviderOptions {
  readonly keys: MomentoKeyProvider;
  /**
   * v2 keys: the region base endpoint to use, over the one stored in the secret. A v2 key
   * works in every region but its endpoint is regional, and a Secrets Manager replica carries
   * the same value to every region: an application in another region names its own. Default:
   * the `MOMENTO_ENDPOINT` environment variable (the SDK's convention), else the secret's.
   * Taken in any form Momento's regions page shows (`https://api.cache.<cell>…`) or as the base.
   */
  readonly endpoint?: string;
  /**
   * Builds a client for a key. Default: a CacheClient with the in-region configuration,
   * `defaultTtlSeconds`, and `credentialProviderFor(key)`. Pass your own for another
   * configuration (or, in tests, an endpoint override). `key.endpoint` is already resolved.
   */
  readonly createClient?: (apiKey: string, key: MomentoKey) => CacheClient | Promise<CacheClient>;
  /** For the default client. Default 60. */
  readonly defaultTtlSeconds?: number;
  /** How long a replaced client stays open for calls already holding it. Default 60 s. */
  readonly closeGraceMs?: number;
}

interface Entry {
  readonly key: MomentoKey;
  readonly client: Promise<CacheClient>;
  inFlight: number;
  retiredAt: number | undefined;
}

/**
 * Hands out a Momento CacheClient for the secret's current key, and a new one when the
 * key changes. A replaced client is closed after a grace period, once no call made through
 * `run` still uses it. The old key stays valid at Momento until it expires, so callers
 * never see an outage.
 */
export class MomentoClientProvider {
  private current: Entry | undefined;
  private readonly retired = new Set<Entry>();
  private closed = false;

  constructor(private readonly options: ClientProviderOptions) {
    // A mistyped endpoint option is a programming error: say so at construction, not at the first call.
    if (options.endpoint?.trim()) {
      const parsed = parseRegionEndpoint(options.endpoint, 'the endpoint option');
      if (!parsed.ok) throw new KeyNotUsableError(parsed.problem);
    }
  }

  /** The client for the current key. Prefer `run`, which also retries after an authentication error. */
  async getClient(): Promise<CacheClient> {
    return (await this.entry()).client;
  }

  /**
   * Runs `call` with the current client. If it fails with AUTHENTICATION_ERROR (returned
   * or thrown), the secret is read again and, when the key changed, the call is retried
   * once with a client for the new key. When it has not (AWSCURRENT itself revoked, or a
   * replica not yet updated), the authentication error is returned (or thrown) without a
   * retry. Re-reads are limited for all callers of the key provider (its `reReadIntervalMs`,
   * default 5 s): within that time of the last one, a caller gets the key it found instead
   * of reading again, and while re-reads keep finding the failed key they back off, up to
   * 60 s. So a revoked AWSCURRENT key makes every call fail until a good key is stored and
   * the next allowed re-read (or the scheduled refresh) finds it, but it costs Secrets
   * Manager one read per 5 s at most, not one per failed call.
   */
  async run<T>(call: (client: CacheClient) => Promise<T>): Promise<T> {
    const first = await this.entry();
    const outcome = await this.tracked(first, call);
    if (!isAuthenticationError(outcome)) return unwrap(outcome);
    const second = await this.afterAuthenticationError(first);
    if (second === first) return unwrap(outcome);
    return unwrap(await this.tracked(second, call));
  }

  /**
   * Call after an AUTHENTICATION_ERROR from a client you hold: re-reads the secret (as limited
   * for `run`) and returns the client to retry with. The client you hold, returned again,
   * means the key has not changed: retrying would fail the same way.
   */
  async handleAuthenticationError(): Promise<CacheClient> {
    return (await this.afterAuthenticationError(await this.entry())).client;
  }

  /** The fingerprint of the key the current client uses (safe to log). */
  currentKeyFingerprint(): string | undefined {
    return this.current?.key.fingerprint;
  }

  /** Closes every client. The provider cannot be used afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    const entries = [...this.retired, ...(this.current ? [this.current] : [])];
    this.retired.clear();
    this.current = undefined;
    await Promise.all(entries.map(async (e) => (await e.client.catch(() => undefined))?.close()));
  }

  private async entry(): Promise<Entry> {
    if (this.closed) throw new Error('MomentoClientProvider is closed');
    return this.entryFor(await this.options.keys.getKey());
  }

  private entryFor(read: MomentoKey): Entry {
    if (this.current?.key.apiKey === read.apiKey) return this.current;
    const previous = this.current;
    const key = withEndpoint(read, this.options.endpoint);
    const create = this.options.createClient ?? ((_: string, k: MomentoKey) => defaultClient(k, this.options.defaultTtlSeconds ?? 60));
    this.current = { key, client: Promise.resolve().then(() => create(key.apiKey, key)), inFlight: 0, retiredAt: undefined };
    if (previous) this.retire(previous);
    return this.current;
  }

  private async afterAuthenticationError(failed: Entry): Promise<Entry> {
    // Limited and shared by the key provider; another caller may already have moved on to a newer key.
    const key = await this.options.keys.refreshAfterAuthenticationError(failed.key);
    return key.apiKey === failed.key.apiKey ? failed : this.entryFor(key);
  }

  private async tracked<T>(entry: Entry, call: (client: CacheClient) => Promise<T>): Promise<Outcome<T>> {
    entry.inFlight++;
    try {
      return { value: await call(await entry.client) };
    } catch (error) {
      return { error };
    } finally {
      entry.inFlight--;
      if (entry.retiredAt !== undefined) this.closeWhenIdle(entry);
    }
  }

  private retire(entry: Entry): void {
    entry.retiredAt = Date.now();
    this.retired.add(entry);
    const timer = setTimeout(() => this.closeWhenIdle(entry), this.options.closeGraceMs ?? 60_000);
    timer.unref?.(); // never keep a process (or a Lambda invocation) alive for this
  }

  private closeWhenIdle(entry: Entry): void {
    if (!this.retired.has(entry) || entry.inFlight > 0) return;
    if (Date.now() - entry.retiredAt! < (this.options.closeGraceMs ?? 60_000)) return;
    this.retired.delete(entry);
    void entry.client.then((c) => c.close(), () => undefined);
  }
}

type Outcome<T> = { value: T } | { error: unknown };

function unwrap<T>(outcome: Outcome<T>): T {
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}

/** A Momento response (or thrown error) with errorCode() === AUTHENTICATION_ERROR. */
export function isAuthenticationError(outcome: Outcome<unknown> | unknown): boolean {
  const value = typeof outcome === 'object' && outcome !== null && ('value' in outcome || 'error' in outcome)
    ? ('value' in outcome ? outcome.value : outcome.error)
    : outcome;
  const errorCode = (value as { errorCode?: unknown } | null)?.errorCode;
  return typeof errorCode === 'function' && (errorCode as () => unknown).call(value) === 'AUTHENTICATION_ERROR';
}

/**
 * The key with the endpoint a v2 client uses: the application's option, else MOMENTO_ENDPOINT,
 * else the secret's (already read as its base). Any form Momento shows is taken and used as
 * its base (`https://api.cache.<cell>…` would make the SDK dial `cache.api.cache.…`); anything
 * else is refused with the expected form.
 */
export function withEndpoint(key: MomentoKey, option: string | undefined, env: NodeJS.ProcessEnv = process.env): MomentoKey {
  if (key.kind !== 'v2') return key;
  const given = option?.trim() ? { raw: option, what: 'the endpoint option' } : env.MOMENTO_ENDPOINT?.trim() ? { raw: env.MOMENTO_ENDPOINT, what: 'MOMENTO_ENDPOINT' } : undefined;
  if (given === undefined) return key;
  const parsed = parseRegionEndpoint(given.raw, given.what);
  if (!parsed.ok) throw new KeyNotUsableError(parsed.problem);
  return parsed.endpoint === key.endpoint ? key : { ...key, endpoint: parsed.endpoint };
}

/** The client library could not build a client for the key the secret holds. */
export class KeyNotUsableError extends Error {
  override readonly name = 'KeyNotUsableError';
}

/**
 * How the SDK authenticates with this key: a v2 key with CredentialProvider.fromApiKeyV2 and
 * its region base endpoint; a v1 (or legacy) key, which names its own endpoints, with fromString.
 */
export function credentialProviderFor(key: MomentoKey): CredentialProvider {
  if (key.kind !== 'v2') return CredentialProvider.fromString({ apiKey: key.apiKey });
  if (key.endpoint === undefined) {
    throw new KeyNotUsableError(
      `the secret holds a v2 Momento key (${key.fingerprint}) without an "endpoint": add the region base endpoint ` +
        'the console shows with the key (e.g. cell-4-us-west-2-1.prod.a.momentohq.com) to the secret, or pass ' +
        'the endpoint option (or MOMENTO_ENDPOINT) to MomentoClientProvider',
    );
  }
  return CredentialProvider.fromApiKeyV2({ apiKey: key.apiKey, endpoint: key.endpoint });
}

function defaultClient(key: MomentoKey, defaultTtlSeconds: number): CacheClient {
  return new CacheClient({
    configuration: Configurations.InRegion.Default.latest(),
    credentialProvider: credentialProviderFor(key),
    defaultTtlSeconds,
  });
}
