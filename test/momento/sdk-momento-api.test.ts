import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { probeVerdict, refreshVerdict } from '../../src/momento/key-checks.js';
import { SdkMomentoApi } from '../../src/momento/sdk-momento-api.js';
import { captureOutputAndCheckForLeaks } from '../support/capture-output.js';
import { fakeRefreshToken, fakeV1Key } from '../support/secrets.js';

captureOutputAndCheckForLeaks();

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('SdkMomentoApi (the real @gomomento/sdk)', () => {
  it('reports an unreachable Momento as an inconclusive failure, never a throw or a pass', async () => {
    const api = new SdkMomentoApi({ address: `127.0.0.1:${await closedPort()}` });
    const apiKey = fakeV1Key();

    const refresh = await api.refreshApiKey(apiKey, fakeRefreshToken());
    expect(refresh.ok).toBe(false);
    if (!refresh.ok) expect(refreshVerdict(refresh)).toBe('unknown');

    const probe = await api.probeApiKey(apiKey, undefined);
    expect(probe.ok).toBe(false);
    if (!probe.ok) expect(probeVerdict(probe)).toBe('unknown');

    const get = await api.probeApiKey(apiKey, 'probe-cache');
    expect(get.ok).toBe(false);
    if (!get.ok) expect(probeVerdict(get)).toBe('unknown');
  });
});

describe("the AuthClient's gRPC channels (closed through SDK internals: AuthClient has no close())", () => {
  it('are found where @gomomento/sdk keeps them, and closing them shuts both down', async () => {
    const { AuthClient, CredentialProvider } = await import('@gomomento/sdk');
    const { authClientChannels } = await import('../../src/momento/sdk-momento-api.js');
    const auth = new AuthClient({ credentialProvider: CredentialProvider.fromString({ apiKey: fakeV1Key() }) });
    const channels = authClientChannels(auth) as unknown as { close(): void; getChannel(): { getConnectivityState(connect: boolean): number } }[];
    expect(channels, 'an SDK upgrade moved the AuthClient internals: update authClientChannels').toHaveLength(2);
    const SHUTDOWN = 4; // grpc-js ConnectivityState.SHUTDOWN
    expect(channels.map((c) => c.getChannel().getConnectivityState(false))).not.toContain(SHUTDOWN);
    for (const channel of channels) channel.close();
    expect(channels.map((c) => c.getChannel().getConnectivityState(false))).toEqual([SHUTDOWN, SHUTDOWN]);
  });
});
