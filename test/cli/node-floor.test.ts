import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMotoServer, type MotoServer } from '../stand-ins/moto-server.js';

// Issue 24: Node 22 is the floor, and the built command run on Node 22 or later prints no runtime
// warning. The suites run on Node 22 and 24 in CI (.ci/run), and on the machine's own Node in
// `npm test`: on a Node below the floor the same runs must show the AWS SDK's warning, which
// proves this test sees a warning when there is one (the CLI no longer silences it).
const run = promisify(execFile);
const major = Number(process.versions.node.split('.')[0]);
const WARNING = /Warning|\(node:\d+\)/;

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMotoServer();
}, 60_000);
afterAll(async () => moto?.stop());

async function cliStderr(args: readonly string[]): Promise<string> {
  if (!existsSync('dist/cli.js')) throw new Error('dist/cli.js is missing: run npm run build (npm test builds it first)');
  const home = mkdtempSync(join(tmpdir(), 'node-floor-'));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(home, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
    AWS_ENDPOINT_URL: moto.endpoint,
  };
  try {
    return (await run(process.execPath, ['dist/cli.js', ...args], { env, encoding: 'utf8' })).stderr;
  } catch (error) {
    // status and doctor of a secret that does not exist exit 1: their stderr is what counts.
    return (error as { stderr: string }).stderr;
  }
}

describe(`the CLI on Node ${process.versions.node}`, () => {
  it('prints nothing on stderr for --help (it loads no AWS SDK)', async () => {
    expect(await cliStderr(['--help'])).toBe('');
  }, 60_000);

  // status builds a Secrets Manager client and calls it; doctor also loads the Lambda, IAM and EC2
  // clients from dist/cli-chunks/. (A secret that does not exist stops doctor before it loads the
  // Momento SDK: the built-command tests of doctor, import and rotate --revoke-previous, which run
  // against moto and the fake Momento, load it and compare their whole stderr, through
  // withoutNodeFloorWarning, which removes nothing on Node 22 and later.)
  const commands: readonly (readonly string[])[] = [['status', '--secret-id', 'node-floor-missing'], ['doctor', '--secret-id', 'node-floor-missing']];

  it.each(commands.map((args) => ({ command: args.join(' '), args })))(
    major >= 22 ? 'prints no runtime warning: $command' : "shows the AWS SDK's warning below the floor: $command",
    async ({ args }) => {
      const stderr = await cliStderr(args);
      if (major >= 22) expect(stderr).not.toMatch(WARNING);
      else expect(stderr).toMatch(/NodeVersionSupportWarning[\s\S]*will require node >=22/);
    },
    60_000,
  );

  it('reaches the AWS SDK in those runs (so a warning it emits would show)', async () => {
    const stderr = await cliStderr(['status', '--secret-id', 'node-floor-missing']);
    expect(stderr).toMatch(/node-floor-missing/);
  }, 60_000);
});
