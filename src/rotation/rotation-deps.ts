import type { KeyManagementApi } from '../momento/key-management.js';
import type { MomentoApi } from '../momento/momento-api.js';
import type { KeyDescription, MomentoKeyFile } from '../secret/key-file.js';
import type { SecretDescription, SecretStore } from '../secrets-manager/secret-store.js';

// What the protocol (rotate.ts) hands its key strategies (strategies/), in a module of its own so
// that neither side imports the other's types: the strategies sit below the protocol.

export interface RotationDeps {
  readonly secrets: SecretStore;
  readonly momento: MomentoApi;
  /** Momento's key-management API: mints and revokes v2 keys. */
  readonly keyApi: KeyManagementApi;
  /** MOMENTO_MANAGEMENT_SECRET_ARN: where the key that may mint and revoke keys lives. */
  readonly managementSecretId: string | undefined;
  /** MOMENTO_KEY_LIFETIME_DAYS: minted keys expire after this many days. */
  readonly keyLifetimeDays: number;
  /** MOMENTO_REVOKE_IMPORTED_KEYS: revoke retired keys this function did not mint (off by default). */
  readonly revokeImportedKeys: boolean;
  /** MOMENTO_TEST_CACHE_NAME: probe with `get` in this cache instead of `listCaches`. */
  readonly testCacheName: string | undefined;
  /**
   * New key files (refreshed or minted) not yet stored, by secret, with the AWSCURRENT
   * version they succeed. A refresh token may be single-use, and a minted key's plaintext
   * exists once, so a new key must survive a failed write: a later createSecret in the
   * same container stores it instead of refreshing or minting again, as long as AWSCURRENT
   * has not changed since. A refreshed v1 key is reused by a new rotation too (its refresh
   * token may be spent). A minted v2 key only by a retry of its own rotation (the same
   * ClientRequestToken, the version its description names), and only while Momento still
   * lists it unexpired: after an abandoned rotation it is an orphan, which the next
   * revocation pass revokes, and it may be revoked already.
   */
  readonly unstoredValues: Map<string, UnstoredValue>;
  readonly now: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface UnstoredValue {
  readonly sourceVersionId: string | undefined;
  /** The ClientRequestToken it was made for. */
  readonly token: string;
  readonly value: NewKeyValue;
}

export interface NextKeyContext {
  /** As the event names it (ARN or name), for messages. */
  readonly secretId: string;
  readonly secret: SecretDescription;
  /** The version being created (ClientRequestToken). */
  readonly token: string;
  readonly current: MomentoKeyFile;
  readonly currentInfo: KeyDescription;
  readonly deps: RotationDeps;
  readonly deadline: number;
}

/** The key file to store as AWSPENDING, as JSON, with what may be logged about it. */
export interface NewKeyValue {
  readonly secretString: string;
  readonly keyInfo: KeyDescription;
}
