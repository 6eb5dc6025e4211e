import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/observability/fingerprint.js';
import {
  daysLeft,
  describeConflict,
  describeKeyFile,
  keyFileAfterMint,
  keyFileAfterRefresh,
  parseKeyFile,
  type MomentoKeyFile,
} from '../../src/secret/key-file.js';
import { fakeJwt, fakeV1Key, fakeV2Key } from '../support/secrets.js';

const ENDPOINT = 'cell-4-us-west-2-1.prod.a.momentohq.com';
const KEY_NOT_A_JWT = 'k'.repeat(40);

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
    const v2 = fakeV2Key({ jti: 'id' });
    // " id " trimmed is the key's own id: no conflict.
    const same = parse({ apiKey: v2, authToken: v2, refreshToken: ' r-token ', endpoint: ` ${ENDPOINT} `, roleId: ' role ', keyId: ' id ' });
    expect(same).toMatchObject({ ok: true, file: { apiKey: v2, refreshToken: 'r-token', endpoint: ENDPOINT, roleId: 'role', keyId: 'id', conflicts: [] } });
    const blank = parse({ apiKey: ` ${KEY} `, refreshToken: '  ', endpoint: ' ', roleId: null, keyId: '' });
    expect(blank).toMatchObject({ ok: true, file: { apiKey: KEY, refreshToken: undefined, endpoint: undefined, roleId: undefined, keyId: undefined, conflicts: [] } });
    const blankV2 = parse({ apiKey: ` ${v2} `, keyId: '  ' });
    expect(blankV2).toMatchObject({ ok: true, file: { apiKey: v2, keyId: 'id', conflicts: [] } });
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

describe('a v2 key says its own id and expiry (jti, exp); the stored fields only agree or conflict', () => {
  const EXP = 1_800_000_000;
  const file = (value: Record<string, unknown>) => ok(JSON.stringify(value));

  it('takes the key id from the jti, with no conflict when "keyId" agrees or is absent', () => {
    const apiKey = fakeV2Key({ jti: 'key-real' });
    expect(file({ apiKey, keyId: 'key-real' })).toMatchObject({ keyId: 'key-real', conflicts: [] });
    expect(file({ apiKey })).toMatchObject({ keyId: 'key-real', conflicts: [] });
  });

  it('a stored "keyId" naming another key: the key id is still the jti, and the disagreement is a conflict', () => {
    const apiKey = fakeV2Key({ jti: 'key-real' });
    const parsed = file({ apiKey, keyId: 'key-of-another-app' });
    expect(parsed.keyId).toBe('key-real');
    expect(parsed.conflicts).toEqual([{ field: 'keyId', stored: 'key-of-another-app', fromKey: 'key-real' }]);
    expect(describeConflict(parsed.conflicts[0]!)).toBe(
      `"keyId" says key-of-another-app, but the key's own id (its jti claim) is key-real; the key's id is used.`,
    );
  });

  it('a key without a jti has no key id, whatever "keyId" says; a stored one is a conflict', () => {
    const apiKey = fakeV2Key({ jti: null });
    expect(file({ apiKey })).toMatchObject({ keyId: undefined, conflicts: [] });
    const parsed = file({ apiKey, keyId: 'key-claimed' });
    expect(parsed.keyId).toBeUndefined();
    expect(parsed.conflicts).toEqual([{ field: 'keyId', stored: 'key-claimed', fromKey: undefined }]);
    expect(describeConflict(parsed.conflicts[0]!)).toBe(
      '"keyId" says key-claimed, but the key has no key id (jti claim): it is never revoked by id.',
    );
    // A jti that could not be an id (white space in it) is no id either.
    expect(file({ apiKey: fakeJwt({ t: 'g', jti: 'key 1' }), keyId: 'key 1' })).toMatchObject({ keyId: undefined });
  });

  it('takes validUntil from exp when the file has none, and keeps the stored one when the key has no exp', () => {
    expect(file({ apiKey: fakeV2Key({ exp: EXP }) })).toMatchObject({ validUntil: EXP, conflicts: [] });
    expect(file({ apiKey: fakeV2Key(), validUntil: EXP + 5 })).toMatchObject({ validUntil: EXP + 5, conflicts: [] });
    expect(file({ apiKey: fakeV2Key() }).validUntil).toBeUndefined();
  });

  it('a stored validUntil that agrees with exp (as seconds, milliseconds or a string) is no conflict', () => {
    const apiKey = fakeV2Key({ exp: EXP });
    for (const validUntil of [EXP, EXP * 1000, String(EXP)]) {
      expect(file({ apiKey, validUntil })).toMatchObject({ validUntil: EXP, conflicts: [] });
    }
  });

  it('a stored validUntil that disagrees with exp: exp wins, and the disagreement is a conflict', () => {
    const apiKey = fakeV2Key({ exp: EXP });
    const parsed = file({ apiKey, validUntil: EXP - 86_400 });
    expect(parsed.validUntil).toBe(EXP);
    expect(parsed.conflicts).toEqual([{ field: 'validUntil', stored: EXP - 86_400, fromKey: EXP }]);
    expect(describeConflict(parsed.conflicts[0]!)).toBe(
      `"validUntil" says ${new Date((EXP - 86_400) * 1000).toISOString()}, but the key expires at ${new Date(EXP * 1000).toISOString()} (its exp claim); the key's expiry is used.`,
    );
  });

  it('reports both conflicts at once, and never the key', () => {
    const apiKey = fakeV2Key({ jti: 'key-real', exp: EXP });
    const parsed = file({ apiKey, keyId: 'key-typo', validUntil: EXP + 1 });
    expect(parsed.conflicts.map((c) => c.field)).toEqual(['keyId', 'validUntil']);
    const said = JSON.stringify(parsed.conflicts) + parsed.conflicts.map(describeConflict).join('\n');
    expect(said).not.toContain(apiKey);
    expect(said).not.toContain(apiKey.split('.')[1]!);
  });

  it('other kinds of key have no key id and no conflicts, whatever the file says', () => {
    for (const apiKey of [fakeV1Key(), fakeJwt({ c: 'cache.example', cp: 'control.example' }), KEY_NOT_A_JWT]) {
      expect(file({ apiKey, keyId: 'key-1', validUntil: EXP })).toMatchObject({ keyId: undefined, validUntil: EXP, conflicts: [] });
    }
  });
});

describe('the "endpoint" field is read as the region base endpoint', () => {
  const endpointOf = (endpoint: string) => parseKeyFile(JSON.stringify({ apiKey: fakeV2Key(), endpoint }));
  const EXPECTED = `expected Momento's region base endpoint, such as ${ENDPOINT}, or it as Momento's regions page shows it (https://api.cache.${ENDPOINT})`;

  it.each([
    `https://api.cache.${ENDPOINT}`,
    `api.cache.${ENDPOINT}`,
    `cache.${ENDPOINT}`,
    ENDPOINT,
    ` HTTPS://API.CACHE.${ENDPOINT.toUpperCase()}/ `,
  ])('%s gives the base', (endpoint) => {
    expect(endpointOf(endpoint)).toMatchObject({ ok: true, file: { endpoint: ENDPOINT } });
  });

  it('normalises the endpoint of a v1 key file too (one being migrated to v2)', () => {
    expect(parseKeyFile(JSON.stringify({ apiKey: fakeV1Key(), refreshToken: 'r', endpoint: `https://api.cache.${ENDPOINT}` }))).toMatchObject({
      ok: true,
      file: { endpoint: ENDPOINT },
    });
  });

  it.each([
    [`http://${ENDPOINT}`, `"endpoint" uses http://, not https://: ${EXPECTED}`],
    [`${ENDPOINT}/path`, `"endpoint" is not a host name (it has a path, query or spaces): ${EXPECTED}`],
    ['us-west-2', `"endpoint" is not a host name: ${EXPECTED}`],
  ])('refuses %s, saying the form expected, without quoting the stored value', (endpoint, problem) => {
    expect(endpointOf(endpoint)).toEqual({ ok: false, reason: 'invalid', problem });
  });

  it('never quotes a stored "keyId" that is not shaped like a key id (a key pasted there by hand)', async () => {
    const { describeConflict } = await import('../../src/secret/key-file.js');
    const key = fakeV2Key({ jti: 'k-1' });
    const parsed = parseKeyFile(JSON.stringify({ apiKey: key, keyId: fakeV2Key() }));
    expect(parsed.ok).toBe(true);
    const words = parsed.ok ? parsed.file.conflicts.map(describeConflict).join(' ') : '';
    expect(words).toBe('"keyId" says something that is not a key id (not shown), but the key\'s own id (its jti claim) is k-1; the key\'s id is used.');
  });

  it('never quotes the value: a key pasted into "endpoint" by hand (apiKey and endpoint swapped) stays out of the problem, which is logged', () => {
    const key = fakeV2Key();
    const parsed = parseKeyFile(JSON.stringify({ apiKey: ENDPOINT, endpoint: key }));
    expect(parsed.ok).toBe(false);
    expect(JSON.stringify(parsed)).not.toContain(key);
  });
});

describe('apiKeyIn: the key a stored value holds, whatever else is wrong with it', () => {
  it('reads a key file, a key file with another field in error, and a bare key; nothing from anything else', async () => {
    const { apiKeyIn } = await import('../../src/secret/key-file.js');
    const key = fakeV2Key();
    expect(apiKeyIn(JSON.stringify({ apiKey: key, endpoint: 'cell-4-us-west-2-1.prod.a.momentohq.com' }))).toBe(key);
    expect(apiKeyIn(JSON.stringify({ authToken: ` ${key} `, endpoint: 'cell-1.momentohq.com:443' }))).toBe(key);
    expect(apiKeyIn(` ${key}\n`)).toBe(key);
    expect(apiKeyIn(JSON.stringify({ endpoint: 'x' }))).toBe('');
  });
});
