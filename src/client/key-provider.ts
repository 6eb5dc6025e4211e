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
  /** Where warnings go (a read failed, the last good key is served). Default: console.warn. */
  readonly onWarning?: (message: string) => void;
  /** The clock, for tests. */
  readonly now?: () => number;
}

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
  private warnedSince: number | undefined;
  private readonly client: SecretsManagerClient;
  private readonly now: () => number;

  constructor(private readonly options: KeyProviderOptions) {
    this.client = options.secretsManager ?? new SecretsManagerClient({});
    this.now = options.now ?? Date.now;
  }

  /** The current key: from the cache while it is fresh, else read once for all concurrent callers. */
  getKey(): Promise<MomentoKey> {
    if (this.current !== undefined && this.now() < this.nextReadAt) return Promise.resolve(this.current);
    return this.refresh();
  }

  /** Reads the secret now (for example after an authentication error). Concurrent calls share one read. */
  refresh(): Promise<MomentoKey> {
    this.reading ??= this.read().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  /** The last key read, without reading. */
  peek(): MomentoKey | undefined {
    return this.current;
  }

  private async read(): Promise<MomentoKey> {
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.options.secretId, VersionStage: 'AWSCURRENT' }));
      const key = this.keyFrom(out.SecretString, out.VersionId);
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
