import type { MomentoFailure } from './momento-api.js';

/**
 * What Momento's error codes say about a key (design/momento-keys.md).
 * - authenticated: the call got past authentication. PERMISSION_ERROR (a data-only key
 *   on a control call) and NOT_FOUND (no such cache) can only be answered to a valid key.
 * - rejected: the key, or for a refresh the key or its refresh token, is not valid.
 * - unknown: timeouts, unavailability, internal errors. Never promote on these.
 */
export type KeyVerdict = 'authenticated' | 'rejected' | 'unknown';

export function probeVerdict(failure: MomentoFailure): KeyVerdict {
  switch (failure.code) {
    case 'PERMISSION_ERROR':
    case 'NOT_FOUND_ERROR':
      return 'authenticated';
    case 'AUTHENTICATION_ERROR':
      return 'rejected';
    default:
      return 'unknown';
  }
}

/** A refresh that failed: rejected (needs a new key from the console) or worth retrying. */
export function refreshVerdict(failure: MomentoFailure): 'rejected' | 'unknown' {
  switch (failure.code) {
    case 'AUTHENTICATION_ERROR':
    case 'INVALID_ARGUMENT_ERROR':
    case 'PERMISSION_ERROR':
    case 'NOT_FOUND_ERROR':
    case 'FAILED_PRECONDITION_ERROR':
    case 'BAD_REQUEST_ERROR':
      return 'rejected';
    default:
      return 'unknown';
  }
}
