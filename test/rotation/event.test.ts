import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../src/rotation/errors.js';
import { parseFunctionEvent, parseRotationEvent, REPORT_KEY_EXPIRY } from '../../src/rotation/event.js';
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

  // Each problem's own words: the message's generic part names every field, so matching a bare
  // field name would pass whichever check threw.
  const SECRET_ID = /Invalid rotation event: "SecretId" must be a non-empty string \(the secret's ARN or name\)\. /;
  const TOKEN = /Invalid rotation event: "ClientRequestToken" must be a version id of 32 to 64 printable characters\. /;
  const ROTATION_TOKEN = /Invalid rotation event: "RotationToken" must be 36 to 256 letters, digits or hyphens\. /;
  it.each([
    ['not an object', 'createSecret', /Invalid rotation event: the event is not a JSON object\. /],
    ['null', null, /Invalid rotation event: the event is not a JSON object\. /],
    ['an array', [valid], /Invalid rotation event: the event is not a JSON object\. /],
    ['without SecretId', { ...valid, SecretId: undefined }, SECRET_ID],
    ['with a numeric SecretId', { ...valid, SecretId: 7 }, SECRET_ID],
    ['with an empty SecretId', { ...valid, SecretId: ' ' }, SECRET_ID],
    ['with a SecretId over 2048 characters', { ...valid, SecretId: 'a'.repeat(2049) }, SECRET_ID],
    ['without ClientRequestToken', { ...valid, ClientRequestToken: undefined }, TOKEN],
    ['with a short ClientRequestToken', { ...valid, ClientRequestToken: 'a'.repeat(31) }, TOKEN],
    ['with a long ClientRequestToken', { ...valid, ClientRequestToken: 'a'.repeat(65) }, TOKEN],
    ['with a space before the ClientRequestToken', { ...valid, ClientRequestToken: ` ${'a'.repeat(40)}` }, TOKEN],
    ['with a space after the ClientRequestToken', { ...valid, ClientRequestToken: `${'a'.repeat(40)} ` }, TOKEN],
    ['without Step', { ...valid, Step: undefined }, /Invalid rotation event: "Step" is undefined; it must be one of createSecret, setSecret, testSecret, finishSecret\. /],
    ['with a snake_case Step', { ...valid, Step: 'create_secret' }, /"Step" is "create_secret"; it must be one of createSecret, setSecret, testSecret, finishSecret\. /],
    ['with a long Step, shown cut to 40 characters', { ...valid, Step: `${'x'.repeat(40)}TAIL` }, new RegExp(`"Step" is "${'x'.repeat(40)}"; it must`)],
    ['with a numeric RotationToken', { ...valid, RotationToken: 42 }, ROTATION_TOKEN],
    ['with a short RotationToken', { ...valid, RotationToken: 'a'.repeat(35) }, ROTATION_TOKEN],
    ['with a long RotationToken', { ...valid, RotationToken: 'a'.repeat(257) }, ROTATION_TOKEN],
    ['with a RotationToken starting with another character', { ...valid, RotationToken: `_${'a'.repeat(40)}` }, ROTATION_TOKEN],
    ['with a RotationToken ending with another character', { ...valid, RotationToken: `${'a'.repeat(40)}_` }, ROTATION_TOKEN],
  ])('rejects an event %s with a message naming the problem', (_label, event, message) => {
    expect(() => parseRotationEvent(event)).toThrow(InvalidEventError);
    expect(() => parseRotationEvent(event)).toThrow(message);
  });

  it('accepts the limits of each field', () => {
    for (const event of [
      { ...valid, SecretId: 'a'.repeat(2048) },
      { ...valid, ClientRequestToken: '!'.repeat(32) },
      { ...valid, ClientRequestToken: '~'.repeat(64) },
      { ...valid, RotationToken: 'a'.repeat(36) },
      { ...valid, RotationToken: 'Z9-'.repeat(85) + 'a' },
      ...['setSecret', 'testSecret', 'finishSecret'].map((Step) => ({ ...valid, Step })),
    ]) {
      expect(parseRotationEvent(event)).toEqual(event);
    }
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

describe('parseFunctionEvent', () => {
  it('tells the scheduled expiry report from a rotation step', () => {
    expect(REPORT_KEY_EXPIRY).toBe('ReportKeyExpiry');
    expect(parseFunctionEvent({ Action: 'ReportKeyExpiry', SecretId: 'momento/api-key' })).toEqual({ kind: 'report-expiry', secretId: 'momento/api-key' });
    expect(parseFunctionEvent(valid)).toEqual({ kind: 'rotation', event: valid });
  });

  it.each([
    ['another Action', { Action: 'Rotate', SecretId: 'momento/api-key' }, /Invalid rotation event: "Action" must be "ReportKeyExpiry" \(the scheduled expiry report\), or absent\. /],
    ['an Action of undefined', { Action: undefined, SecretId: 'momento/api-key' }, /"Action" must be "ReportKeyExpiry"/],
    ['a report without SecretId', { Action: 'ReportKeyExpiry' }, /Invalid rotation event: "SecretId" must be a non-empty string/],
    ['a report with a numeric SecretId', { Action: 'ReportKeyExpiry', SecretId: 3 }, /Invalid rotation event: "SecretId" must be a non-empty string/],
    ['a report with a blank SecretId', { Action: 'ReportKeyExpiry', SecretId: '  ' }, /Invalid rotation event: "SecretId" must be a non-empty string/],
    ['a rotation event that is not one', { SecretId: 'momento/api-key' }, /"ClientRequestToken" must be/],
    ['null', null, /the event is not a JSON object/],
  ])('rejects %s', (_label, event, message) => {
    expect(() => parseFunctionEvent(event)).toThrow(InvalidEventError);
    expect(() => parseFunctionEvent(event)).toThrow(message);
  });
});
