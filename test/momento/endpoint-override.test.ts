import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { parseEndpointOverride } from '../../src/momento/endpoint-override.js';
import { ConfigurationError } from '../../src/rotation/errors.js';

describe('parseEndpointOverride', () => {
  it.each([
    ['127.0.0.1:9999', '127.0.0.1:9999'],
    ['127.1.2.3:80', '127.1.2.3:80'],
    ['localhost:4443', 'localhost:4443'],
    ['LOCALHOST:4443', 'localhost:4443'],
    ['[::1]:9999', '[::1]:9999'],
  ])('accepts loopback %s', (raw, address) => {
    expect(parseEndpointOverride(raw)).toEqual({ ok: true, override: { address } });
  });

  it.each([
    ['a public name', 'cache.cell-us-east-1-1.prod.a.momentohq.com:443', /not a loopback/],
    ['a private address', '10.0.0.5:9999', /not a loopback/],
    ['a name that only starts like localhost', 'localhost.evil.com:9999', /not a loopback/],
    ['an IPv4-mapped address', '[::ffff:127.0.0.1]:9999', /not a loopback/],
    ['no port', '127.0.0.1', /host:port/],
    ['port 0', '127.0.0.1:0', /out of range/],
    ['port 70000', '127.0.0.1:70000', /out of range/],
  ])('refuses %s', (_label, raw, message) => {
    const parsed = parseEndpointOverride(raw);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.problem).toMatch(message);
  });
});

describe('readConfig', () => {
  it('reads nothing by default', () => {
    expect(readConfig({})).toEqual({
      momentoEndpointOverride: undefined,
      testCacheName: undefined,
      managementSecretId: undefined,
      apiKeysUrl: 'https://mga.registry.prod.a.momentohq.com',
      keyLifetimeDays: 30,
      revokeImportedKeys: false,
    });
  });

  it('reads the override and the test cache name', () => {
    expect(readConfig({ MOMENTO_ENDPOINT_OVERRIDE: '127.0.0.1:7000', MOMENTO_TEST_CACHE_NAME: ' probe ' })).toMatchObject({
      momentoEndpointOverride: { address: '127.0.0.1:7000' },
      testCacheName: 'probe',
    });
  });

  it('throws a ConfigurationError for a non-loopback override', () => {
    expect(() => readConfig({ MOMENTO_ENDPOINT_OVERRIDE: 'example.com:443' })).toThrow(ConfigurationError);
  });
});

describe('parseEndpointOverride, exactly', () => {
  it.each([
    [' 127.0.0.1:1 ', '127.0.0.1:1'],
    ['127.9.9.9:65535', '127.9.9.9:65535'],
    ['LOCALHOST:80', 'localhost:80'],
    ['[::1]:443', '[::1]:443'],
  ])('accepts %j as %j', (raw, address) => {
    expect(parseEndpointOverride(raw)).toEqual({ ok: true, override: { address } });
  });

  it.each([
    ['127.0.0.1:0', 'MOMENTO_ENDPOINT_OVERRIDE port 0 is out of range'],
    ['127.0.0.1:65536', 'MOMENTO_ENDPOINT_OVERRIDE port 65536 is out of range'],
    ['x127.0.0.1:1:2', 'MOMENTO_ENDPOINT_OVERRIDE must be host:port (e.g. 127.0.0.1:9999), got "x127.0.0.1:1:2"'],
    ['127.0.0.1:1 x', 'MOMENTO_ENDPOINT_OVERRIDE must be host:port (e.g. 127.0.0.1:9999), got "127.0.0.1:1 x"'],
    ['128.0.0.1:1', 'MOMENTO_ENDPOINT_OVERRIDE host "128.0.0.1" is not a loopback address. The override sends keys over plaintext gRPC and exists for local tests only: use 127.0.0.1, ::1 or localhost, or unset it to reach Momento.'],
    ['127.example.com:1', 'MOMENTO_ENDPOINT_OVERRIDE host "127.example.com" is not a loopback address. The override sends keys over plaintext gRPC and exists for local tests only: use 127.0.0.1, ::1 or localhost, or unset it to reach Momento.'],
    ['[::2]:1', 'MOMENTO_ENDPOINT_OVERRIDE host "::2" is not a loopback address. The override sends keys over plaintext gRPC and exists for local tests only: use 127.0.0.1, ::1 or localhost, or unset it to reach Momento.'],
  ])('refuses %j: %s', (raw, problem) => {
    expect(parseEndpointOverride(raw)).toEqual({ ok: false, problem });
  });
});
