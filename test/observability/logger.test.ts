import { describe, expect, it } from 'vitest';
import { sdkLogger } from '../../src/momento/sdk-momento-api.js';
import { logger } from '../../src/observability/logger.js';
import { rememberSecret } from '../../src/observability/redact.js';
import { fakeRefreshToken, fakeV2Key } from '../support/secrets.js';

// The logger's JSON replacer is the one thing between a log line (ours, or the Momento SDK's
// through sdkLogger) and a leaked key: a remembered secret must come out as [REDACTED]. The
// output is captured by hand, not through captureOutputAndCheckForLeaks, so that this test
// sees the leak itself rather than the guard.
function captured(write: () => void): string {
  const chunks: string[] = [];
  const original = process.stdout.write;
  const originalErr = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => (chunks.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = process.stdout.write;
  try {
    write();
  } finally {
    process.stdout.write = original;
    process.stderr.write = originalErr;
  }
  return chunks.join('');
}

describe('the structured logger', () => {
  it('redacts a remembered secret in messages, in nested attributes and in errors', () => {
    const key = fakeV2Key();
    const token = fakeRefreshToken();
    rememberSecret(key);
    rememberSecret(token);
    const out = captured(() => {
      logger.warn(`refresh with ${token} failed`, { detail: { apiKey: key, list: [`prefix ${key} suffix`] } });
      logger.error('boom', { error: new Error(`bad key ${key}`) });
    });
    expect(out).toContain('[REDACTED]');
    expect(out.split('[REDACTED]').length - 1).toBeGreaterThanOrEqual(4);
    expect(out).not.toContain(key);
    expect(out).not.toContain(token);
  });

  it("redacts the Momento SDK's own log lines, passed through sdkLogger", () => {
    const key = fakeV2Key();
    rememberSecret(key);
    const out = captured(() => {
      sdkLogger.error('channel failed for %s', key);
      sdkLogger.warn(`retrying with ${key}`);
    });
    expect(out).toMatch(/"sdkMessage":"channel failed for %s \[REDACTED\]"/); // the SDK's arguments follow its message
    expect(out).toMatch(/"sdkMessage":"retrying with \[REDACTED\]"/);
    expect(out).not.toContain(key);
  });
});
