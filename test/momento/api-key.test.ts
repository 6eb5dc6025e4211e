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
