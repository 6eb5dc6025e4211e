/**
 * Remembers every secret string this process has handled (API keys, the JWT inside a
 * v1 key, refresh tokens, RotationTokens) and removes them from any text before it
 * is logged or thrown. This is the safety net behind "never log a secret": code
 * logs only fingerprints, and anything that slips through (an SDK error message
 * quoting its input, say) is scrubbed here.
 */
const MIN_SECRET_LENGTH = 8; // shorter strings would scrub ordinary words
const MAX_REMEMBERED = 256; // a warm container sees a few secrets per rotation

const remembered = new Set<string>();

export function rememberSecret(value: string | undefined): void {
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
  if (remembered.has(value)) return;
  remembered.add(value);
  if (remembered.size > MAX_REMEMBERED) {
    const oldest = remembered.values().next().value;
    if (oldest !== undefined) remembered.delete(oldest);
  }
}

export function scrub(text: string): string {
  let result = text;
  for (const secret of remembered) {
    if (result.includes(secret)) result = result.split(secret).join('[REDACTED]');
  }
  return result;
}

/** An error safe to rethrow: same name and class where possible, scrubbed message, stack and cause. */
export function scrubError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(scrub(String(error)));
  error.message = scrub(error.message);
  if (error.stack !== undefined) error.stack = scrub(error.stack);
  if (error.cause !== undefined) error.cause = scrubError(error.cause);
  return error;
}

/** For tests: forget everything remembered. */
export function forgetSecrets(): void {
  remembered.clear();
}
