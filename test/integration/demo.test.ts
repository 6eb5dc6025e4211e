import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('npm run demo', () => {
  it('runs two rotations locally, shows steps and tables, proves the new key, exits 0 and leaves no process behind', () => {
    const run = spawnSync('npm', ['run', '--silent', 'demo'], { encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const out = run.stdout;
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      expect(out).toMatch(new RegExp(`rotation 2\\s+${step}\\s+ok`));
    }
    expect(out).toMatch(/After rotation 2[\s\S]*AWSPREVIOUS[\s\S]*AWSCURRENT/);
    expect(out).toMatch(/AWSCURRENT key sha256:[0-9a-f]{8} authenticates against Momento/);
    // The demo's keys live in its own process; none may be printed: nothing key-like, only fingerprints.
    expect(out).not.toMatch(/[A-Za-z0-9+/=_-]{48,}/);

    const pid = Number(/moto_server at \S+ \(pid (\d+)\)/.exec(out)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid, 0)).toThrow(); // no such process any more
  });
});
