import { describe, expect, it } from 'vitest';
import { inspectApiKey } from '../../src/momento/api-key.js';
import { fakeJwt, fakeV1Key, fakeV2Key, jtiOf } from '../support/secrets.js';

describe('inspectApiKey', () => {
  it('recognises a v1 key and exposes its inner JWT and endpoint', () => {
    const key = fakeV1Key('cell-4-us-west-2-1.prod.a.momentohq.com');
    const info = inspectApiKey(key);
    expect(info.kind).toBe('v1');
    expect(info.endpoint).toBe('cell-4-us-west-2-1.prod.a.momentohq.com');
    expect(JSON.parse(Buffer.from(key, 'base64').toString()).api_key).toBe(info.innerJwt);
  });

  it('tells a legacy auth token from a v2 key', () => {
    expect(inspectApiKey(fakeJwt({ cp: 'control.x', c: 'cache.x' }))).toMatchObject({ kind: 'legacy', endpoint: 'cache.x' });
    expect(inspectApiKey(fakeV2Key()).kind).toBe('v2');
  });

  it.each(['', 'hello', 'a.b.c', Buffer.from('{"endpoint":"x"}').toString('base64'), Buffer.from('[1]').toString('base64')])(
    'calls %j unrecognised',
    (key) => {
      expect(inspectApiKey(key).kind).toBe('unrecognised');
    },
  );
});

describe('inspectApiKey, at the edges', () => {
  const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const jwt = (claims: unknown, signature = 'sig') => `${b64url({ alg: 'HS256' })}.${b64url(claims)}.${signature}`;
  const v1 = (fields: unknown) => Buffer.from(JSON.stringify(fields)).toString('base64');

  it('reads a JWT with an empty signature, and names a legacy token\'s endpoint only when it is a string', () => {
    expect(inspectApiKey(jwt({ t: 'g' }, ''))).toStrictEqual({ kind: 'v2', innerJwt: jwt({ t: 'g' }, ''), endpoint: undefined, keyId: undefined, expiresAt: undefined });
    expect(inspectApiKey(jwt({ c: 'cell-1.momentohq.com' }))).toStrictEqual({
      kind: 'legacy',
      innerJwt: jwt({ c: 'cell-1.momentohq.com' }),
      endpoint: 'cell-1.momentohq.com',
      keyId: undefined,
      expiresAt: undefined,
    });
    expect(inspectApiKey(jwt({ c: 5 }))).toStrictEqual({ kind: 'legacy', innerJwt: jwt({ c: 5 }), endpoint: undefined, keyId: undefined, expiresAt: undefined });
    expect(inspectApiKey(jwt({ t: 'x' })).kind).toBe('legacy');
  });

  it.each([
    ['a JWT with text around it', ` ${jwt({ t: 'g' })}`],
    ['a JWT followed by text', `${jwt({ t: 'g' })} x`],
    ['a JWT whose header has another character', `${b64url({ alg: 'HS256' })}!.${b64url({ t: 'g' })}.sig`],
    ['a JWT whose claims are not JSON', `${b64url({ alg: 'HS256' })}.bm90LWpzb24.sig`],
    ['a JWT whose claims are an array', `${b64url({})}.${b64url([1])}.sig`],
    ['a JWT whose claims are null', `${b64url({})}.${b64url(null)}.sig`],
    ['a JWT whose claims are a string', `${b64url({})}.${b64url('g')}.sig`],
    ['a JWT with an empty part', `.${b64url({ t: 'g' })}.sig`],
    ['a JWT with an empty claims part', `${b64url({})}..sig`],
    ['a v1 key without api_key', v1({ endpoint: 'cell-1' })],
    ['a v1 key with a numeric api_key', v1({ api_key: 1, endpoint: 'cell-1' })],
    ['a v1 key with an empty endpoint', v1({ api_key: 'a.b.c', endpoint: '' })],
    ['a v1 key with a numeric endpoint', v1({ api_key: 'a.b.c', endpoint: 1 })],
  ])('calls %s unrecognised', (_label, key) => {
    expect(inspectApiKey(key)).toStrictEqual({ kind: 'unrecognised', innerJwt: undefined, endpoint: undefined, keyId: undefined, expiresAt: undefined });
  });
});

describe("inspectApiKey: a v2 key's id (jti) and expiry (exp)", () => {
  const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const jwt = (claims: unknown) => `${b64url({ alg: 'HS256' })}.${b64url(claims)}.sig`;
  const v2 = (claims: Record<string, unknown>) => inspectApiKey(jwt({ t: 'g', ...claims }));

  it('reads jti as the key id and exp as the expiry, in epoch seconds', () => {
    const key = jwt({ t: 'g', jti: 'api-key-id', exp: 1719363600 });
    expect(inspectApiKey(key)).toStrictEqual({ kind: 'v2', innerJwt: key, endpoint: undefined, keyId: 'api-key-id', expiresAt: 1719363600 });
    const made = fakeV2Key({ jti: 'made-here', exp: 2_000_000_000 });
    expect(inspectApiKey(made)).toMatchObject({ kind: 'v2', keyId: 'made-here', expiresAt: 2_000_000_000 });
    expect(inspectApiKey(made).keyId).toBe(jtiOf(made));
  });

  it('has no key id without a jti, and no expiry without an exp (a key that never expires)', () => {
    expect(v2({ exp: 1719363600 })).toMatchObject({ kind: 'v2', keyId: undefined, expiresAt: 1719363600 });
    expect(v2({ jti: 'k' })).toMatchObject({ kind: 'v2', keyId: 'k', expiresAt: undefined });
    expect(inspectApiKey(fakeV2Key({ jti: null }))).toMatchObject({ kind: 'v2', keyId: undefined, expiresAt: undefined });
  });

  it.each([
    ['a number', 12345],
    ['an empty string', ''],
    ['a string with a space', 'key id'],
    ['a string with a newline', 'key\nid'],
    ['null', null],
    ['an object', { id: 'k' }],
  ])('has no key id when jti is %s', (_label, jti) => {
    expect(v2({ jti, exp: 1719363600 })).toMatchObject({ kind: 'v2', keyId: undefined, expiresAt: 1719363600 });
  });

  it.each([
    ['a numeric string', '1719363600'],
    ['a word', 'never'],
    ['zero', 0],
    ['negative', -1],
    ['null', null],
    ['a boolean', true],
    ['a list', [1719363600]],
  ])('ignores an exp that is %s', (_label, exp) => {
    expect(v2({ jti: 'k', exp })).toMatchObject({ kind: 'v2', keyId: 'k', expiresAt: undefined });
  });

  it('rounds a fractional exp down to whole seconds', () => {
    expect(v2({ exp: 1719363600.9 }).expiresAt).toBe(1719363600);
  });

  it('gives v1 keys and legacy tokens no key id or expiry, whatever their claims', () => {
    const v1 = Buffer.from(JSON.stringify({ endpoint: 'cell-1', api_key: jwt({ t: 'g', jti: 'inner', exp: 1719363600 }) })).toString('base64');
    expect(inspectApiKey(v1)).toMatchObject({ kind: 'v1', keyId: undefined, expiresAt: undefined });
    expect(inspectApiKey(fakeV1Key())).toMatchObject({ kind: 'v1', keyId: undefined, expiresAt: undefined });
    expect(inspectApiKey(jwt({ jti: 'legacy', exp: 1719363600, c: 'cache.x' }))).toMatchObject({ kind: 'legacy', keyId: undefined, expiresAt: undefined });
    // A refresh token (t: "gr") names its key in akid, not jti (momento-cli decode.rs): it is no v2 key.
    const refreshToken = inspectApiKey(jwt({ t: 'gr', akid: 'k', jti: 'refresh-id', exp: 1719363600 }));
    expect(refreshToken.kind).not.toBe('v2');
    expect(refreshToken).toMatchObject({ keyId: undefined, expiresAt: undefined });
  });
});
