import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { inspectApiKey } from '../momento/api-key.js';
import { fingerprint } from '../observability/fingerprint.js';
import { parseKeyFile } from '../secret/key-file.js';

/** The key AWSCURRENT holds, as the provider last read it. */
export interface MomentoKey {
  /** The API key itself: hand it to the Momento SDK, never to a log. */
  readonly apiKey: string;
  /**
   * `v2` (what Momento issues today: used with CredentialProvider.fromApiKeyV2 and an
   * endpoint), `v1` or `legacy` (they name their own endpoint: CredentialProvider.fromString),
   * or `unrecognised`.
   */
  readonly kind: 'v1' | 'legacy' | 'v2' | 'unrecognised';
  /** v2: the region base endpoint stored with the key (e.g. cell-4-us-west-2-1.prod.a.momentohq.com). */
  readonly endpoint: string | undefined;
  /** v2: Momento's id for the key (not a secret): the console's API keys page lists it. */
  readonly keyId: string | undefined;
  /** Epoch seconds; undefined for a bare key or a file without it. */
  readonly validUntil: number | undefined;
  /** The secret version it came from. */
  readonly versionId: string | undefined;
  /** `sha256:` and 8 hex characters: safe to log. */
  readonly fingerprint: string;
}

export interface KeyProviderOptions {
  /** The secret's name or ARN. */
  readonly secretId: string;
  /** Defaults to a client from the standard credential chain and Region. */
  readonly secretsManager?: SecretsManagerClient;
  /** How long a read key is served before the secret is read again. Default 5 minutes: far below a key's lifetime. */
  readonly refreshIntervalMs?: number;
  /** After a failed read, how long to serve the last good key before trying again. Default 30 s. */
  readonly retryIntervalMs?: number;
  /**
   * The JSON field holding the key. Default: the rotation function's "apiKey", or the
   * "authToken"/"apiToken" of Momento's example Lambda. A secret that is not JSON is read
   * as a bare key.
   */
  readonly keyField?: string;
  /**
   * Re-reads after an authentication error (`refreshAfterAuthenticationError`, which
   * MomentoClientProvider's `run` and `handleAuthenticationError` use) are limited to one per
   * this interval, shared by every caller of this provider: concurrent callers share one read,
   * and within the interval they get the key it returned instead of reading again. A re-read
   * that returns the key that failed (AWSCURRENT itself revoked, or a replica not yet updated)
   * backs off: the next forced re-read waits this long, doubling while the secret keeps
   * returning that key, to at most 60 s (or this interval, if longer), and back to this
   * interval once a different key arrives. Default 5 s. 0 turns the limit and the backoff off:
   * every authentication error reads the secret (concurrent ones still share one read).
   */
  readonly reReadIntervalMs?: number;
  /** Where warnings go (a read failed, the last good key is served). Default: console.warn. */
  readonly onWarning?: (message: string) => void;
  /** The clock, for tests. */
  readonly now?: () => number;
}

/** The backoff after re-reads that keep returning the key that failed grows to this, at most. */
const MAX_RE_READ_BACKOFF_MS = 60_000;

/** The secret could not be read, and there is no unexpired key to fall back on. */
export class KeyUnavailableError extends Error {
  override readonly name = 'KeyUnavailableError';
}

/**
 * Reads the Momento key in a secret's AWSCURRENT version and caches it. Create one per
 * secret and reuse it: in Lambda, at module scope; in a server, at start-up.
 */
export class MomentoKeyProvider {
  private current: MomentoKey | undefined;
  private nextReadAt = 0;
  private reading: Promise<MomentoKey> | undefined;
  /** The forced re-read in flight, shared by every caller that met an authentication error. */
  private reReading: Promise<MomentoKey> | undefined;
  /** When the last forced re-read started, and how long after it the next may start (the interval, or the backoff). */
  private lastReReadAt = -Infinity;
  private reReadWaitMs = 0;
  /** The wait after the next re-read that returns the key that failed. */
  private reReadBackoffMs: number;
  private readonly reReadIntervalMs: number;
  private warnedSince: number | undefined;
  private readonly client: SecretsManagerClient;
  private readonly now: () => number;

  constructor(private readonly options: KeyProviderOptions) {
    this.client = options.secretsManager ?? new SecretsManagerClient({});
    this.now = options.now ?? Date.now;
    this.reReadIntervalMs = Math.max(0, options.reReadIntervalMs ?? 5_000);
    this.reReadBackoffMs = this.reReadIntervalMs;
  }

  /** The current key: from the cache while it is fresh, else read once for all concurrent callers. */
  getKey(): Promise<MomentoKey> {
    if (this.current !== undefined && this.now() < this.nextReadAt) return Promise.resolve(this.current);
    return this.refresh();
  }

  /**
   * Reads the secret now. Concurrent calls share one read. After an authentication error, use
   * `refreshAfterAuthenticationError`, which limits the reads a revoked AWSCURRENT key causes.
   */
  refresh(): Promise<MomentoKey> {
    this.reading ??= this.read().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  /**
   * The key to retry with after `failed` met an authentication error: the secret read again,
   * at most once per `reReadIntervalMs` for all callers. Without a read, it returns the
   * current key: a newer one when another caller (or a scheduled read) has already moved on,
   * else the failed key itself, meaning there is nothing new to retry with. Callers share a
   * re-read in flight. A re-read that returns `failed` again (same key, so same fingerprint)
   * backs off, as `reReadIntervalMs` says.
   */
  refreshAfterAuthenticationError(failed: MomentoKey): Promise<MomentoKey> {
    if (this.reReading !== undefined) return this.reReading;
    const current = this.current;
    if (current !== undefined && (current.apiKey !== failed.apiKey || this.now() < this.lastReReadAt + this.reReadWaitMs)) {
      return Promise.resolve(current);
    }
    this.lastReReadAt = this.now();
    this.reReadWaitMs = this.reReadIntervalMs;
    this.reReading = this.refresh()
      .then((key) => {
        if (key.apiKey === failed.apiKey) {
          // Still the key that failed: back off before reading for it again.
          this.reReadWaitMs = this.reReadBackoffMs;
          this.reReadBackoffMs = Math.min(this.reReadBackoffMs * 2, Math.max(MAX_RE_READ_BACKOFF_MS, this.reReadIntervalMs));
        }
        return key;
      })
      .finally(() => {
        this.reReading = undefined;
      });
    return this.reReading;
  }

  /** The last key read, without reading. */
  peek(): MomentoKey | undefined {
    return this.current;
  }

  private async read(): Promise<MomentoKey> {
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.options.secretId, VersionStage: 'AWSCURRENT' }));
      const key = this.keyFrom(out.SecretString, out.VersionId);
      if (key.apiKey !== this.current?.apiKey) {
        // A different key, however it was read: stop backing off.
        this.reReadBackoffMs = this.reReadIntervalMs;
        this.reReadWaitMs = Math.min(this.reReadWaitMs, this.reReadIntervalMs);
      }
      this.current = key;
      this.nextReadAt = this.now() + (this.options.refreshIntervalMs ?? 5 * 60_000);
      if (this.warnedSince !== undefined) this.warn(`read secret ${this.options.secretId} again; serving key ${key.fingerprint}`);
      this.warnedSince = undefined;
      return key;
    } catch (error) {
      const last = this.current;
      const reason = error instanceof KeyUnavailableError ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
      if (last !== undefined && (last.validUntil === undefined || last.validUntil * 1000 > this.now())) {
        this.nextReadAt = this.now() + (this.options.retryIntervalMs ?? 30_000);
        if (this.warnedSince === undefined) {
          this.warnedSince = this.now();
          this.warn(
            `cannot read secret ${this.options.secretId} (${reason}); serving the last good key ${last.fingerprint}` +
              `${last.validUntil ? ` until it expires at ${new Date(last.validUntil * 1000).toISOString()}` : ''}`,
          );
        }
        return last;
      }
      throw new KeyUnavailableError(
        `Cannot read a Momento key from secret ${this.options.secretId}: ${reason}` +
          `${last ? ` (the last key read, ${last.fingerprint}, has expired)` : ''}`,
        { cause: error },
      );
    }
  }

  private keyFrom(secretString: string | undefined, versionId: string | undefined): MomentoKey {
    const id = this.options.secretId;
    if (secretString === undefined || secretString.trim() === '') {
      throw new KeyUnavailableError(`secret ${id} has no string value (SecretBinary is not read)`);
    }
    const field = this.options.keyField;
    let apiKey: string;
    let validUntil: number | undefined;
    let endpoint: string | undefined;
    let keyId: string | undefined;
    if (field !== undefined) {
      let value: unknown;
      try {
        value = (JSON.parse(secretString) as Record<string, unknown>)[field];
      } catch {
        throw new KeyUnavailableError(`secret ${id} is not JSON, so it has no "${field}" field`);
      }
      if (typeof value !== 'string' || value.trim() === '') throw new KeyUnavailableError(`secret ${id} has no string "${field}" field`);
      apiKey = value.trim();
    } else {
      const parsed = parseKeyFile(secretString);
      if (parsed.ok) {
        ({ apiKey, validUntil, endpoint, keyId } = parsed.file);
      } else if (parsed.reason === 'not-json') {
        apiKey = secretString.trim(); // a bare key stored as plain text
      } else {
        throw new KeyUnavailableError(`secret ${id} holds JSON without a key: ${parsed.problem}; set keyField to its field`);
      }
    }
    // A v2 key says its own id and expiry (jti, exp), whichever way it is stored.
    const claims = inspectApiKey(apiKey);
    keyId = claims.keyId ?? keyId;
    validUntil = claims.expiresAt ?? validUntil;
    return { apiKey, kind: claims.kind, endpoint, keyId, validUntil, versionId, fingerprint: fingerprint(apiKey) };
  }

  private warn(message: string): void {
    (this.options.onWarning ?? ((m: string) => console.warn(m)))(`momento-secret-rotation/client: ${message}`);
  }
}
