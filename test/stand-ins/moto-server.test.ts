import { afterEach, describe, expect, it, vi } from 'vitest';
import { startMotoServer } from './moto-server.js';

afterEach(() => vi.unstubAllEnvs());

describe('startMotoServer', () => {
  it('fails, never skips, when moto_server is missing, and says how to install it', async () => {
    vi.stubEnv('MOTO_SERVER', '/nonexistent/moto_server');
    await expect(startMotoServer()).rejects.toThrow(/pip install "moto\[server\]"/);
  });

  it('starts on a free loopback port and stops by PID', async () => {
    const moto = await startMotoServer();
    expect((await fetch(`${moto.endpoint}/moto-api/`)).ok).toBe(true);
    await moto.stop();
    expect(() => process.kill(moto.pid, 0)).toThrow();
  });
});
