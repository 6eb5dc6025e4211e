import { describe, expect, it } from 'vitest';
import { inspectApiKey } from '../../src/momento/api-key.js';
import { fakeJwt, fakeV1Key, fakeV2Key } from '../support/secrets.js';

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
    expect(inspectApiKey(jwt({ t: 'g' }, ''))).toEqual({ kind: 'v2', innerJwt: jwt({ t: 'g' }, ''), endpoint: undefined });
    expect(inspectApiKey(jwt({ c: 'cell-1.momentohq.com' }))).toEqual({ kind: 'legacy', innerJwt: jwt({ c: 'cell-1.momentohq.com' }), endpoint: 'cell-1.momentohq.com' });
    expect(inspectApiKey(jwt({ c: 5 }))).toEqual({ kind: 'legacy', innerJwt: jwt({ c: 5 }), endpoint: undefined });
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
    expect(inspectApiKey(key)).toEqual({ kind: 'unrecognised', innerJwt: undefined, endpoint: undefined });
  });
});
