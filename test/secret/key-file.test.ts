import { describe, expect, it } from 'vitest';
import { daysLeft, keyFileAfterRefresh, parseKeyFile } from '../../src/secret/key-file.js';

function ok(text: string) {
  const parsed = parseKeyFile(text);
  if (!parsed.ok) throw new Error(`expected a parse, got ${parsed.problem}`);
  return parsed.file;
}

describe('parseKeyFile', () => {
  it('reads the console download', () => {
    const file = ok('{"apiKey":"K1","refreshToken":"R1","validUntil":1767225600}');
    expect(file).toMatchObject({ apiKey: 'K1', refreshToken: 'R1', validUntil: 1767225600 });
  });

  it('reads the example Lambda\'s "authToken" and string validUntil, and its "apiToken" alias', () => {
    expect(ok('{"authToken":"K1","refreshToken":"R1","validUntil":"1767225600"}')).toMatchObject({
      apiKey: 'K1',
      validUntil: 1767225600,
    });
    expect(ok('{"apiToken":"K1","refreshToken":"R1"}').apiKey).toBe('K1');
  });

  it('accepts the same key under two field names, and trailing commas from hand edits', () => {
    expect(ok('{"apiKey":"K1","authToken":"K1","refreshToken":"R1",}').apiKey).toBe('K1');
  });

  it('reads validUntil in milliseconds as seconds, and 0 as no expiry', () => {
    expect(ok('{"apiKey":"K","validUntil":1767225600000}').validUntil).toBe(1767225600);
    expect(ok('{"apiKey":"K","validUntil":0}').validUntil).toBeUndefined();
  });

  it.each([
    ['a bare key', 'eyJhbGciOi.eyJzdWIi.c2ln', 'not-json'],
    ['a JSON string', '"K1"', 'not-json'],
    ['a JSON array', '["K1"]', 'not-json'],
    ['no key field', '{"refreshToken":"R1"}', 'invalid'],
    ['an empty key', '{"apiKey":"  "}', 'invalid'],
    ['a numeric key', '{"apiKey":42}', 'invalid'],
    ['two different keys', '{"apiKey":"K1","authToken":"K2"}', 'invalid'],
    ['a numeric refresh token', '{"apiKey":"K1","refreshToken":7}', 'invalid'],
    ['a date as validUntil', '{"apiKey":"K1","validUntil":"2026-12-01"}', 'invalid'],
    ['a negative validUntil', '{"apiKey":"K1","validUntil":-5}', 'invalid'],
  ])('rejects %s', (_label, text, reason) => {
    const parsed = parseKeyFile(text);
    expect(parsed).toMatchObject({ ok: false, reason });
  });

  it('never puts a value in a problem description', () => {
    const parsed = parseKeyFile('{"apiKey":"SECRET-ONE","authToken":"SECRET-TWO"}');
    expect(parsed.ok).toBe(false);
    expect(JSON.stringify(parsed)).not.toMatch(/SECRET-/);
  });
});

describe('keyFileAfterRefresh', () => {
  it('writes the documented shape, keeping other fields in place', () => {
    const previous = ok('{"cacheName":"orders","authToken":"K1","refreshToken":"R1","validUntil":"100","note":{"a":1}}');
    const next = JSON.parse(keyFileAfterRefresh(previous, { apiKey: 'K2', refreshToken: 'R2', validUntil: 200 }));
    expect(next).toEqual({ cacheName: 'orders', note: { a: 1 }, apiKey: 'K2', refreshToken: 'R2', validUntil: 200 });
  });

  it('drops validUntil for a key that never expires', () => {
    const previous = ok('{"apiKey":"K1","refreshToken":"R1","validUntil":100}');
    expect(JSON.parse(keyFileAfterRefresh(previous, { apiKey: 'K2', refreshToken: 'R2', validUntil: undefined }))).toEqual({
      apiKey: 'K2',
      refreshToken: 'R2',
    });
  });
});

describe('daysLeft', () => {
  it('counts whole days, negative once expired', () => {
    expect(daysLeft(86_400 * 10, 0)).toBe(10);
    expect(daysLeft(86_400 * 10 - 1, 0)).toBe(9);
    expect(daysLeft(0, 3600)).toBe(-1);
  });
});
