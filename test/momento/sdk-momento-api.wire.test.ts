import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LoopbackV2CredentialProvider, SdkMomentoApi, sdkLogger } from '../../src/momento/sdk-momento-api.js';
import { FakeMomentoServer } from '../stand-ins/fake-momento-server.js';
import { captureOutputAndCheckForLeaks } from '../support/capture-output.js';
import { fakeRefreshToken } from '../support/secrets.js';

// The Momento adapter (src/momento/sdk-momento-api.ts) with the real @gomomento/sdk against the
// fake Momento gRPC server on 127.0.0.1, as the integration tests use it, but from src/.
const output = captureOutputAndCheckForLeaks();
let fake: FakeMomentoServer;
let api: SdkMomentoApi;

beforeAll(async () => {
  fake = await FakeMomentoServer.start();
  api = new SdkMomentoApi({ address: fake.address });
});
afterAll(async () => fake.stop());
afterEach(() => {
  fake.clearFaults();
  vi.restoreAllMocks();
});

describe('SdkMomentoApi against the fake Momento', () => {
  it('probes a v2 key at the override address with listCaches, or get when a cache is named', async () => {
    const key = fake.issueV2Key();
    expect(await api.probeApiKey(key.apiKey, undefined, 'cell-4-us-west-2-1.prod.a.momentohq.com')).toEqual({ ok: true, call: 'listCaches' });
    fake.caches.add('orders');
    expect(await api.probeApiKey(key.apiKey, 'orders', 'cell-4-us-west-2-1.prod.a.momentohq.com')).toEqual({ ok: true, call: 'get' });
    expect(await api.probeApiKey(key.apiKey, 'no-such-cache', 'cell-4-us-west-2-1.prod.a.momentohq.com')).toMatchObject({ ok: false, code: 'NOT_FOUND_ERROR' });
    fake.revoke(key.apiKey);
    expect(await api.probeApiKey(key.apiKey, undefined, 'cell-4-us-west-2-1.prod.a.momentohq.com')).toMatchObject({ ok: false, code: 'AUTHENTICATION_ERROR' });
    expect(await api.probeApiKey(key.apiKey, 'orders', 'cell-4-us-west-2-1.prod.a.momentohq.com')).toMatchObject({ ok: false, code: 'AUTHENTICATION_ERROR' });
  });

  it('reports a refresh that fails at Momento with its code and message', async () => {
    const issued = fake.issueKey();
    fake.failNext('RefreshApiToken', 1, { kind: 'internal' });
    const outcome = await api.refreshApiKey(issued.apiKey, issued.refreshToken);
    expect(outcome).toMatchObject({ ok: false, code: 'INTERNAL_SERVER_ERROR' });
    expect(outcome.ok === false && outcome.message.length).toBeGreaterThan(0);
  });

  it('turns a key the SDK refuses to use into a failure with the SDK\'s code, without throwing', async () => {
    const refresh = await api.refreshApiKey('not-a-momento-key', fakeRefreshToken());
    expect(refresh).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT_ERROR' });
    expect(refresh.ok === false && refresh.message).toMatch(/./);
    const probe = await api.probeApiKey('not-a-momento-key', undefined);
    expect(probe).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT_ERROR' });
  });

  it('closes the gRPC channels of every client it builds', async () => {
    const close = vi.spyOn(grpc.Client.prototype, 'close');
    const issued = fake.issueKey();
    await api.refreshApiKey(issued.apiKey, issued.refreshToken);
    expect(close.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(output.text()).not.toContain('Could not close the Momento AuthClient');
  });
});

describe('LoopbackV2CredentialProvider', () => {
  it('sends the key as it is to one plaintext address, for every endpoint', () => {
    const provider = new LoopbackV2CredentialProvider('the-key-0123456789', '127.0.0.1:9');
    expect(provider.getAuthToken()).toBe('the-key-0123456789');
    expect([provider.getControlEndpoint(), provider.getCacheEndpoint(), provider.getTokenEndpoint()]).toEqual(['127.0.0.1:9', '127.0.0.1:9', '127.0.0.1:9']);
    expect([provider.isControlEndpointSecure(), provider.isCacheEndpointSecure(), provider.isTokenEndpointSecure(), provider.isEndpointSecure()]).toEqual([false, false, false, false]);
    expect(provider.areEndpointsOverridden()).toBe(true);
    expect(provider.withMomentoLocal()).toBe(provider);
  });
});

describe('sdkLogger', () => {
  it('writes warnings and errors with their arguments, and drops info, debug and trace', () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    sdkLogger.warn('retrying %s', 'Get', { attempt: 2 });
    sdkLogger.error('gave up', circular);
    sdkLogger.info('chatty');
    sdkLogger.debug('chattier');
    sdkLogger.trace('chattiest');
    const text = output.text();
    expect(text).toContain('retrying %s Get {\\"attempt\\":2}');
    expect(text).toContain('gave up [object Object]');
    expect(text).not.toMatch(/chatty/);
    expect(text).toMatch(/"level":"WARN".*"message":"Momento SDK"/);
    expect(text).toMatch(/"level":"ERROR".*"message":"Momento SDK"/);
  });
});
