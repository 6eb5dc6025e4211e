import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/observability/fingerprint.js';
import { daysLeft, describeKeyFile, keyFileAfterMint, keyFileAfterRefresh, parseKeyFile, type MomentoKeyFile } from '../../src/secret/key-file.js';

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

describe('the key file, exactly', () => {
  const KEY = 'k'.repeat(40);
  const parse = (value: unknown) => parseKeyFile(typeof value === 'string' ? value : JSON.stringify(value));
  const problem = (value: unknown) => {
    const result = parse(value);
    return result.ok ? undefined : `${result.reason}: ${result.problem}`;
  };

  it.each([
    ['a JSON array', [KEY], 'not-json: the value is not a JSON object'],
    ['JSON null', 'null', 'not-json: the value is not a JSON object'],
    ['no key field', { validUntil: 1 }, 'invalid: it has none of the fields "apiKey", "authToken", "apiToken"'],
    ['null key fields only', { apiKey: null, authToken: null }, 'invalid: it has none of the fields "apiKey", "authToken", "apiToken"'],
    ['a blank key', { authToken: '  ' }, 'invalid: "authToken" must be a non-empty string'],
    ['a numeric key', { apiKey: 7 }, 'invalid: "apiKey" must be a non-empty string'],
    ['two different keys', { apiKey: KEY, apiToken: `${KEY}x` }, 'invalid: "apiKey" and "apiToken" hold different keys; keep only "apiKey"'],
    ['a numeric refresh token', { apiKey: KEY, refreshToken: 5 }, 'invalid: "refreshToken" must be a string'],
    ['validUntil with letters', { apiKey: KEY, validUntil: '12a' }, 'invalid: "validUntil" must be epoch seconds (a number, or a string of digits)'],
    ['a negative validUntil', { apiKey: KEY, validUntil: -1 }, 'invalid: "validUntil" must be epoch seconds (a number, or a string of digits)'],
    ['a boolean validUntil', { apiKey: KEY, validUntil: true }, 'invalid: "validUntil" must be epoch seconds (a number, or a string of digits)'],
    ['a numeric endpoint', { apiKey: KEY, endpoint: 1 }, 'invalid: "endpoint" must be a string'],
    ['a numeric keyId', { apiKey: KEY, keyId: 1 }, 'invalid: "keyId" must be a string'],
  ])('refuses %s, naming the problem', (_label, value, expected) => {
    expect(problem(value)).toBe(expected);
  });

  it('takes the same key under two names, trimmed, and trims the refresh token and v2 fields', () => {
    const same = parse({ apiKey: KEY, authToken: KEY, refreshToken: ' r-token ', endpoint: ' cell-1 ', roleId: ' role ', keyId: ' id ' });
    expect(same).toMatchObject({ ok: true, file: { apiKey: KEY, refreshToken: 'r-token', endpoint: 'cell-1', roleId: 'role', keyId: 'id' } });
    const blank = parse({ apiKey: ` ${KEY} `, refreshToken: '  ', endpoint: ' ', roleId: null, keyId: '' });
    expect(blank).toMatchObject({ ok: true, file: { apiKey: KEY, refreshToken: undefined, endpoint: undefined, roleId: undefined, keyId: undefined } });
  });

  it.each([
    [undefined, undefined],
    [null, undefined],
    ['', undefined],
    [0, undefined],
    ['0', undefined],
    [' 1700000000 ', 1_700_000_000],
    [1_700_000_000.9, 1_700_000_000],
    [1e11, 1e11],
    [1_700_000_000_500, 1_700_000_000],
  ])('reads validUntil %j as %j', (raw, expected) => {
    const result = parse({ apiKey: KEY, ...(raw === undefined ? {} : { validUntil: raw }) });
    expect(result).toMatchObject({ ok: true, file: { validUntil: expected } });
  });

  it('forgives trailing commas in objects and arrays, and nothing else', () => {
    expect(parse(`{"apiKey": "${KEY}", "tags": ["a", ], }`)).toMatchObject({ ok: true, file: { apiKey: KEY } });
    expect(parse(`{"apiKey": "${KEY}",, }`)).toMatchObject({ ok: false, reason: 'not-json' });
  });

  it('rewrites after a mint: drops every key field and the refresh token, keeps the rest, sets or drops validUntil', () => {
    const previous = (parse({ authToken: KEY, refreshToken: 'r', validUntil: 5, cacheName: 'orders' }) as unknown as { file: MomentoKeyFile }).file;
    const minted = { apiKey: 'new', endpoint: 'cell-1', roleId: 'role', keyId: 'id', validUntil: 99 };
    expect(JSON.parse(keyFileAfterMint(previous, minted))).toEqual({ apiKey: 'new', endpoint: 'cell-1', roleId: 'role', keyId: 'id', validUntil: 99, cacheName: 'orders' });
    expect(JSON.parse(keyFileAfterMint(previous, { ...minted, validUntil: undefined }))).toEqual({ apiKey: 'new', endpoint: 'cell-1', roleId: 'role', keyId: 'id', cacheName: 'orders' });
  });

  it('rewrites after a refresh: the key under "apiKey" only, the new refresh token, validUntil set or dropped', () => {
    const previous = (parse({ apiToken: KEY, refreshToken: 'r', validUntil: '5', cacheName: 'orders' }) as unknown as { file: MomentoKeyFile }).file;
    expect(JSON.parse(keyFileAfterRefresh(previous, { apiKey: 'new', refreshToken: 'r2', validUntil: 9 }))).toEqual({ apiKey: 'new', refreshToken: 'r2', validUntil: 9, cacheName: 'orders' });
    expect(JSON.parse(keyFileAfterRefresh(previous, { apiKey: 'new', refreshToken: 'r2', validUntil: undefined }))).toEqual({ apiKey: 'new', refreshToken: 'r2', cacheName: 'orders' });
  });

  it('describes a key by fingerprint, ISO expiry, whole days left (negative once expired), and v2 ids when present', () => {
    const now = 1_700_000_000_000;
    expect(describeKeyFile({ apiKey: KEY, validUntil: 1_700_000_000 + 86_400 * 2 - 1 }, now)).toEqual({
      keyFingerprint: fingerprint(KEY),
      validUntil: new Date((1_700_000_000 + 86_400 * 2 - 1) * 1000).toISOString(),
      daysLeft: 1,
    });
    expect(describeKeyFile({ apiKey: KEY, validUntil: undefined, keyId: 'id', roleId: 'role' }, now)).toEqual({
      keyFingerprint: fingerprint(KEY),
      validUntil: undefined,
      daysLeft: undefined,
      keyId: 'id',
      roleId: 'role',
    });
    expect(daysLeft(1_700_000_000 - 1, 1_700_000_000)).toBe(-1);
    expect(daysLeft(1_700_000_000 + 86_400, 1_700_000_000)).toBe(1);
  });
});
