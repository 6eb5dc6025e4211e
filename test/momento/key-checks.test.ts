import { describe, expect, it } from 'vitest';
import { probeVerdict, refreshVerdict } from '../../src/momento/key-checks.js';

const f = (code: string) => ({ ok: false as const, code, message: '' });

describe('probeVerdict', () => {
  it.each([
    ['PERMISSION_ERROR', 'authenticated'],
    ['NOT_FOUND_ERROR', 'authenticated'],
    ['AUTHENTICATION_ERROR', 'rejected'],
    ['TIMEOUT_ERROR', 'unknown'],
    ['SERVER_UNAVAILABLE', 'unknown'],
    ['INTERNAL_SERVER_ERROR', 'unknown'],
    ['LIMIT_EXCEEDED_ERROR', 'unknown'],
    ['SOMETHING_NEW', 'unknown'],
  ])('%s -> %s', (code, verdict) => {
    expect(probeVerdict(f(code))).toBe(verdict);
  });
});

describe('refreshVerdict', () => {
  it.each([
    ['AUTHENTICATION_ERROR', 'rejected'],
    ['INVALID_ARGUMENT_ERROR', 'rejected'],
    ['PERMISSION_ERROR', 'rejected'],
    ['NOT_FOUND_ERROR', 'rejected'],
    ['FAILED_PRECONDITION_ERROR', 'rejected'],
    ['BAD_REQUEST_ERROR', 'rejected'],
    ['TIMEOUT_ERROR', 'unknown'],
    ['SERVER_UNAVAILABLE', 'unknown'],
    ['INTERNAL_SERVER_ERROR', 'unknown'],
    ['LIMIT_EXCEEDED_ERROR', 'unknown'],
  ])('%s -> %s', (code, verdict) => {
    expect(refreshVerdict(f(code))).toBe(verdict);
  });
});
