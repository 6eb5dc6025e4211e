import { afterEach, describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/observability/fingerprint.js';
import { forgetSecrets, rememberSecret, scrub, scrubError } from '../../src/observability/redact.js';

afterEach(() => forgetSecrets());

describe('scrub', () => {
  it('removes every remembered secret, wherever it occurs', () => {
    rememberSecret('key-material-1234');
    rememberSecret('refresh-token-5678');
    expect(scrub('a key-material-1234 b refresh-token-5678 c key-material-1234')).toBe(
      'a [REDACTED] b [REDACTED] c [REDACTED]',
    );
  });

  it('ignores strings too short to be secrets, and non-strings', () => {
    rememberSecret('abc');
    rememberSecret(undefined);
    expect(scrub('abc')).toBe('abc');
  });
});

describe('scrubError', () => {
  it('scrubs message, stack and cause in place, keeping the class', () => {
    rememberSecret('key-material-1234');
    class CustomError extends Error {}
    const error = new CustomError('failed for key-material-1234', { cause: new Error('inner key-material-1234') });
    const safe = scrubError(error);
    expect(safe).toBe(error);
    expect(safe.message).toBe('failed for [REDACTED]');
    expect(safe.stack).not.toContain('key-material-1234');
    expect((safe.cause as Error).message).toBe('inner [REDACTED]');
  });

  it('turns a thrown non-error into a scrubbed Error', () => {
    rememberSecret('key-material-1234');
    expect(scrubError('raw key-material-1234').message).toBe('raw [REDACTED]');
  });
});

describe('fingerprint', () => {
  it('is short, stable, and different for different keys', () => {
    expect(fingerprint('a')).toMatch(/^sha256:[0-9a-f]{8}$/);
    expect(fingerprint('a')).toBe(fingerprint('a'));
    expect(fingerprint('a')).not.toBe(fingerprint('b'));
  });
});
