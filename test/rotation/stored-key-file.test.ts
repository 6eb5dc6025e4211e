import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/observability/fingerprint.js';
import { scrub } from '../../src/observability/redact.js';
import { InvalidSecretValueError } from '../../src/rotation/errors.js';
import { keyFileFrom } from '../../src/rotation/stored-key-file.js';
import { captureOutputAndCheckForLeaks } from '../support/capture-output.js';
import { fakeV1Key, fakeV2Key } from '../support/secrets.js';

const output = captureOutputAndCheckForLeaks();
const SECRET = 'momento/api-key';
const ENDPOINT = 'cell-4-us-west-2-1.prod.a.momentohq.com';

function warnings(): Record<string, unknown>[] {
  return output
    .lines()
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((r) => r.level === 'WARN');
}

describe('keyFileFrom', () => {
  it('a stored "keyId" and "validUntil" that both disagree with the key: one warning each, naming both values and the fingerprint, never the key', () => {
    const apiKey = fakeV2Key({ jti: 'key-real', exp: 1_800_000_000 });
    const file = keyFileFrom(JSON.stringify({ apiKey, endpoint: ENDPOINT, keyId: 'key-typo', validUntil: 1_700_000_000 }), SECRET, 'AWSCURRENT');
    expect(file).toMatchObject({ keyId: 'key-real', validUntil: 1_800_000_000 });
    expect(warnings()).toEqual([
      expect.objectContaining({
        message: `The stored key file disagrees with its key: "keyId" says key-typo, but the key's own id (its jti claim) is key-real; the key's id is used.`,
        secretVersion: 'AWSCURRENT',
        field: 'keyId',
        stored: 'key-typo',
        fromKey: 'key-real',
        keyFingerprint: fingerprint(apiKey),
      }),
      expect.objectContaining({
        message:
          'The stored key file disagrees with its key: "validUntil" says 2023-11-14T22:13:20.000Z, but the key expires at 2027-01-15T08:00:00.000Z (its exp claim); the key\'s expiry is used.',
        secretVersion: 'AWSCURRENT',
        field: 'validUntil',
        stored: 1_700_000_000,
        fromKey: 1_800_000_000,
        keyFingerprint: fingerprint(apiKey),
      }),
    ]);
    expect(output.text()).not.toContain(apiKey);
  });

  it('a key file that agrees with its key, a v1 key file with a "keyId", and a v2 key without "keyId": no warning', () => {
    const apiKey = fakeV2Key({ jti: 'key-real', exp: 1_800_000_000 });
    keyFileFrom(JSON.stringify({ apiKey, keyId: 'key-real', validUntil: 1_800_000_000 }), SECRET, 'AWSCURRENT');
    keyFileFrom(JSON.stringify({ apiKey: fakeV1Key(), refreshToken: 'r', keyId: 'key-1', validUntil: 5 }), SECRET, 'AWSCURRENT');
    keyFileFrom(JSON.stringify({ apiKey: fakeV2Key() }), SECRET, 'AWSPENDING');
    expect(warnings()).toEqual([]);
  });

  it('remembers the key for redaction before anything is logged', () => {
    const apiKey = fakeV2Key({ jti: 'key-real' });
    keyFileFrom(JSON.stringify({ apiKey, keyId: 'key-typo' }), SECRET, 'AWSPENDING');
    expect(scrub(`x ${apiKey} y`)).not.toContain(apiKey);
  });

  it('refuses an "endpoint" that is not a host, naming the form expected, without quoting the stored value', () => {
    expect(() => keyFileFrom(JSON.stringify({ apiKey: fakeV2Key(), endpoint: 'us-west-2' }), SECRET, 'AWSCURRENT')).toThrow(InvalidSecretValueError);
    expect(() => keyFileFrom(JSON.stringify({ apiKey: fakeV2Key(), endpoint: 'us-west-2' }), SECRET, 'AWSCURRENT')).toThrow(
      /"endpoint" is not a host name: expected Momento's region base endpoint/,
    );
  });
});
