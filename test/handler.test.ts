import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidEventError } from '../src/rotation/errors.js';
import { captureOutputAndCheckForLeaks, expectFailure } from './support/capture-output.js';
import { rotationHarness, type Harness } from './support/harness.js';
import { consoleKeyFile, fakeRotationToken } from './support/secrets.js';

const output = captureOutputAndCheckForLeaks();

describe('createHandler', () => {
  let h: Harness;
  beforeEach(() => {
    h = rotationHarness();
  });
  afterEach(() => h.restore());

  it('rejects a malformed event before calling anything, and logs the failure', async () => {
    await expectFailure(h.handler({ Step: 'createSecret' }), InvalidEventError);
    expect(h.sm.calls).toHaveLength(0);
    const failure = output.lines().map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.level === 'ERROR');
    expect(failure).toMatchObject({ message: 'Step failed', error: { name: 'InvalidEventError' } });
  });

  it('never lets a RotationToken reach a log line or error, even from an unexpected error', async () => {
    h.storeCurrent(consoleKeyFile());
    const rotationToken = fakeRotationToken();
    const token = h.sm.startRotation();
    h.sm.failNext('DescribeSecret', () => new Error(`boom while handling ${rotationToken}`));
    const error = await expectFailure(h.run('setSecret', token, { RotationToken: rotationToken }), Error);
    expect(error.message).toBe('boom while handling [REDACTED]');
  });

  it('adds step, secret and token to every log line of a step, and clears them afterwards', async () => {
    h.storeCurrent(consoleKeyFile());
    const token = h.sm.startRotation();
    await h.run('setSecret', token);
    const records = output.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) expect(r).toMatchObject({ step: 'setSecret', secretId: h.sm.arn, clientRequestToken: token });
    await expectFailure(h.handler({}), InvalidEventError);
    const last = JSON.parse(output.lines().at(-1)!) as Record<string, unknown>;
    expect(last).not.toHaveProperty('step');
  });
});

describe('handler (the deployed entry point)', () => {
  beforeEach(() => {
    vi.resetModules();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('refuses a non-loopback MOMENTO_ENDPOINT_OVERRIDE with a ConfigurationError', async () => {
    vi.stubEnv('MOMENTO_ENDPOINT_OVERRIDE', 'cache.example.com:443');
    const { handler } = await import('../src/handler.js');
    // resetModules gave the handler fresh modules: compare against the same copy of the class.
    const { ConfigurationError } = await import('../src/rotation/errors.js');
    const error = await expectFailure(
      handler({ SecretId: 'x', ClientRequestToken: '6d4a0a4e-1c2b-4f3e-8a9b-0c1d2e3f4a5b', Step: 'setSecret' }),
      ConfigurationError,
    );
    expect(error.message).toContain('not a loopback address');
  });
});

describe('the built bundle (npm run build)', () => {
  it('is one self-contained ESM file exporting handler, loadable with import()', () => {
    expect(existsSync('dist/handler.js'), 'dist/handler.js is missing: run `npm run build`').toBe(true);
    // A fresh process with node_modules out of reach proves the bundle needs nothing beside it.
    const script = `
      const m = await import(process.argv[1]);
      try { await m.handler({ Step: 'nope' }); } catch (e) { console.log(typeof m.handler, e.name); }
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, `${process.cwd()}/dist/handler.js`], {
      cwd: '/',
      env: { PATH: process.env.PATH ?? '', NODE_PATH: '' },
      encoding: 'utf8',
    });
    expect(out.trim().split('\n').at(-1)).toBe('function InvalidEventError');
  });
});
