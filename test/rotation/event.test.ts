import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../src/rotation/errors.js';
import { parseRotationEvent } from '../../src/rotation/event.js';
import { fakeRotationToken, leakedSecrets } from '../support/secrets.js';

const valid = {
  SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:momento-AbCdEf',
  ClientRequestToken: '6d4a0a4e-1c2b-4f3e-8a9b-0c1d2e3f4a5b',
  Step: 'createSecret',
};

describe('parseRotationEvent', () => {
  it('accepts the event Secrets Manager sends, with and without a RotationToken', () => {
    expect(parseRotationEvent(valid)).toEqual(valid);
    const rotationToken = fakeRotationToken();
    expect(parseRotationEvent({ ...valid, RotationToken: rotationToken })).toEqual({ ...valid, RotationToken: rotationToken });
    expect(parseRotationEvent({ ...valid, RotationToken: null })).toEqual(valid);
  });

  it.each([
    ['not an object', 'createSecret', /not a JSON object/],
    ['null', null, /not a JSON object/],
    ['an array', [valid], /not a JSON object/],
    ['without SecretId', { ...valid, SecretId: undefined }, /"SecretId"/],
    ['with an empty SecretId', { ...valid, SecretId: ' ' }, /"SecretId"/],
    ['without ClientRequestToken', { ...valid, ClientRequestToken: undefined }, /"ClientRequestToken"/],
    ['with a short ClientRequestToken', { ...valid, ClientRequestToken: 'abc' }, /"ClientRequestToken"/],
    ['without Step', { ...valid, Step: undefined }, /"Step" is undefined/],
    ['with a snake_case Step', { ...valid, Step: 'create_secret' }, /"Step" is "create_secret"; it must be one of createSecret/],
    ['with a numeric RotationToken', { ...valid, RotationToken: 42 }, /"RotationToken"/],
  ])('rejects an event %s with a message naming the problem', (_label, event, message) => {
    expect(() => parseRotationEvent(event)).toThrow(InvalidEventError);
    expect(() => parseRotationEvent(event)).toThrow(message);
  });

  it('rejects a malformed RotationToken without echoing it', () => {
    const malformed = `${fakeRotationToken()}!`;
    let thrown: unknown;
    try {
      parseRotationEvent({ ...valid, RotationToken: malformed });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidEventError);
    expect((thrown as Error).message).not.toContain(malformed.slice(0, 36));
    expect(leakedSecrets((thrown as Error).message)).toEqual([]);
  });
});
