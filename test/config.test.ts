import { describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.js';
import { ConfigurationError, InsecureKeyApiUrlError } from '../src/rotation/errors.js';

describe('readConfig for v2 keys', () => {
  it('reads the management secret, the key API URL and the lifetime', () => {
    expect(
      readConfig({
        MOMENTO_MANAGEMENT_SECRET_ARN: ' arn:aws:secretsmanager:us-east-1:123456789012:secret:mgmt-AbCdEf ',
        MOMENTO_API_KEYS_URL: 'http://127.0.0.1:4000/',
        MOMENTO_KEY_LIFETIME_DAYS: '7',
      }),
    ).toMatchObject({
      managementSecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mgmt-AbCdEf',
      apiKeysUrl: 'http://127.0.0.1:4000',
      keyLifetimeDays: 7,
    });
  });

  it.each(['0', '366', '7.5', 'thirty', '-1'])('refuses MOMENTO_KEY_LIFETIME_DAYS=%s', (value) => {
    expect(() => readConfig({ MOMENTO_KEY_LIFETIME_DAYS: value })).toThrow(ConfigurationError);
  });

  it.each(['1', '365'])('accepts MOMENTO_KEY_LIFETIME_DAYS=%s', (value) => {
    expect(readConfig({ MOMENTO_KEY_LIFETIME_DAYS: value }).keyLifetimeDays).toBe(Number(value));
  });

  it('refuses an http:// key API URL that is not loopback with its own error', () => {
    expect(() => readConfig({ MOMENTO_API_KEYS_URL: 'http://mga.registry.prod.a.momentohq.com' })).toThrow(InsecureKeyApiUrlError);
    expect(() => readConfig({ MOMENTO_API_KEYS_URL: 'not a url' })).toThrow(ConfigurationError);
  });

  it('revokes imported keys only for MOMENTO_REVOKE_IMPORTED_KEYS=true exactly (the RevokeImportedKeys parameter)', () => {
    expect(readConfig({}).revokeImportedKeys).toBe(false);
    expect(readConfig({ MOMENTO_REVOKE_IMPORTED_KEYS: 'true' }).revokeImportedKeys).toBe(true);
    expect(readConfig({ MOMENTO_REVOKE_IMPORTED_KEYS: ' true ' }).revokeImportedKeys).toBe(true);
    for (const value of ['false', 'TRUE', '1', 'yes', '']) expect(readConfig({ MOMENTO_REVOKE_IMPORTED_KEYS: value }).revokeImportedKeys).toBe(false);
  });
});
