import { createHash } from 'node:crypto';
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

describe('the remembered set, at its limits', () => {
  it('remembers a secret of exactly 8 characters, not one of 7', () => {
    rememberSecret('12345678');
    rememberSecret('abcdefg');
    expect(scrub('12345678 abcdefg')).toBe('[REDACTED] abcdefg');
  });

  it('keeps the 256 newest secrets, forgetting the oldest first; remembering one again does not make it new', () => {
    const secrets = Array.from({ length: 257 }, (_, i) => `secret-${String(i).padStart(4, '0')}`);
    rememberSecret(secrets[0]);
    rememberSecret(secrets[0]);
    for (const secret of secrets.slice(1, 256)) rememberSecret(secret);
    expect(scrub(secrets[0]!)).toBe('[REDACTED]'); // 256 remembered: none forgotten yet
    rememberSecret(secrets[256]);
    expect(scrub(secrets[0]!)).toBe(secrets[0]);
    expect(scrub(secrets[1]!)).toBe('[REDACTED]');
    expect(scrub(secrets[256]!)).toBe('[REDACTED]');
  });

  it('scrubs an error without a stack or cause, and leaves them absent', () => {
    rememberSecret('key-material-1234');
    const error = new Error('x key-material-1234');
    error.stack = undefined;
    const safe = scrubError(error);
    expect(safe.stack).toBeUndefined();
    expect(safe.cause).toBeUndefined();
    expect(safe.message).toBe('x [REDACTED]');
  });
});

describe('fingerprint, exactly', () => {
  it('is "sha256:" and the first 8 hex digits of the SHA-256 of the UTF-8 text', () => {
    expect(fingerprint('abc')).toBe('sha256:ba7816bf');
    expect(fingerprint('é')).toBe(`sha256:${createHash('sha256').update(Buffer.from('é', 'utf8')).digest('hex').slice(0, 8)}`);
  });
});
