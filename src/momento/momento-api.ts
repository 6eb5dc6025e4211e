/**
 * The two things the rotation asks of Momento, behind a small interface so the
 * protocol can be tested with a fake. Implementations report Momento's answer as
 * data (success, or the SDK's error code); `key-checks.ts` decides what it means.
 */
export interface MomentoApi {
  /** AuthClient.refreshApiKey with the current key. */
  refreshApiKey(apiKey: string, refreshToken: string): Promise<RefreshOutcome>;
  /**
   * The cheapest authenticated call: `get` in `cacheName` when given, else `listCaches`.
   * `endpoint` is the region base endpoint a v2 key needs; v1 keys carry their own.
   */
  probeApiKey(apiKey: string, cacheName: string | undefined, endpoint?: string): Promise<ProbeOutcome>;
}

export interface MomentoFailure {
  readonly ok: false;
  /** The SDK's MomentoErrorCode, e.g. AUTHENTICATION_ERROR. */
  readonly code: string;
  /** Momento's message, scrubbed of secrets by the caller before it is shown. */
  readonly message: string;
}

export type RefreshOutcome =
  | {
      readonly ok: true;
      /** A v1 key, ready for CredentialProvider.fromString. */
      readonly apiKey: string;
      readonly refreshToken: string;
      /** Epoch seconds; undefined when the key never expires. */
      readonly validUntil: number | undefined;
    }
  | MomentoFailure;

export type ProbeOutcome = { readonly ok: true; readonly call: 'get' | 'listCaches' } | MomentoFailure;
