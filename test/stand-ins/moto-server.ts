import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort } from './ports.js';

export interface MotoServer {
  readonly endpoint: string;
  readonly pid: number;
  /** Clears every resource moto holds. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const INSTALL_HINT =
  'moto_server was not found. The integration tests and `npm run demo` run Secrets Manager locally with moto: ' +
  'install it with `pip install "moto[server]"` (moto 5.x), or set MOTO_SERVER to the path of its moto_server script.';

/**
 * Starts `moto_server` on a free loopback port and waits until it answers. It is
 * stopped by PID, and also when this process exits, so no server is left behind.
 */
export async function startMotoServer(options: { private?: boolean } = {}): Promise<MotoServer> {
  // `npm run mutate` starts one moto_server for all its runs (test/mutation/global-setup.ts):
  // starting one per test file per mutant cost about a second each. It is emptied before each
  // test file (test/mutation/fresh-moto.ts) and stopped by whoever started it.
  // `private`: a test that reads the whole Region (status --all lists every secret a tagged
  // function rotates) gets its own, as it did before that reset existed.
  const shared = options.private ? undefined : process.env.MOTO_SHARED_ENDPOINT;
  if (shared) {
    return {
      endpoint: shared,
      pid: -1,
      reset: () => resetMotoServer(shared),
      stop: async () => {},
    };
  }
  const command = process.env.MOTO_SERVER ?? 'moto_server';
  if (spawnSync(command, ['--help'], { stdio: 'ignore' }).error) throw new Error(INSTALL_HINT);

  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(command, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  try {
    await waitUntilReady(endpoint, child, () => stderr);
    await stubLambdas(endpoint);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }

  return {
    endpoint,
    pid: child.pid!,
    reset: () => resetMotoServer(endpoint),
    stop: async () => {
      process.removeListener('exit', killOnExit);
      await stopChild(child);
    },
  };
}

async function waitUntilReady(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${stderr()}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto_server did not answer at ${endpoint} within 30 s: ${stderr()}`);
}

/** Lambda functions registered for RotateSecret are stubs: never run them in Docker. */
async function stubLambdas(endpoint: string): Promise<void> {
  await post(`${endpoint}/moto-api/config`, { lambda: { use_docker: false } });
}

/** Clears every resource the moto_server at `endpoint` holds, keeping its Lambda stubs out of Docker. */
export async function resetMotoServer(endpoint: string): Promise<void> {
  await post(`${endpoint}/moto-api/reset`, {});
  await stubLambdas(endpoint);
}

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
