import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('npm run demo', () => {
  it('rotates a v2 key three times locally, shows steps and tables with key ids, proves the new key, the revocation of the first minted key and that the imported key was left alone, exits 0 and leaves no process behind', () => {
    // The demo without its build step: npm test built the artifact, and a rebuild here would swap
    // dist/ under the integration tests running beside this one. (.ci/run runs `npm run demo`, build
    // included, first, on a clean clone.)
    const run = spawnSync(process.execPath, ['scripts/run-ts.mjs', 'scripts/demo.ts'], { encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const out = run.stdout;
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      expect(out).toMatch(new RegExp(`rotation 3\\s+${step}\\s+ok`));
    }
    expect(out).toMatch(/After rotation 3[\s\S]*AWSPREVIOUS[\s\S]*AWSCURRENT/);
    expect(out).toMatch(/AWSCURRENT key sha256:[0-9a-f]{8} \(id [0-9a-f-]{36}\) authenticates against Momento/);
    expect(out).toMatch(/First minted key sha256:[0-9a-f]{8} \(id [0-9a-f-]{36}\) was revoked once it fell out of AWSPREVIOUS: Momento now rejects it/);
    expect(out).toMatch(/Imported key sha256:[0-9a-f]{8} \(id [0-9a-f-]{36}\) still authenticates: the function did not mint it[\s\S]*momento-secret-rotation revoke --key-id [0-9a-f-]{36}/);
    expect(out).toMatch(/key id\s+role/);
    // import's check (one listing of keys, one of roles), then three rotations: three mints, three listings, one revocation.
    expect(out).toContain('Key-management API calls: mint 3, list 4, revoke 1, roles 1.');
    // The pasted key's id, role, expiry and endpoint are derived, each with its source; role ids are Momento's, not names.
    expect(out).toMatch(/keyId\s+[0-9a-f-]{36}\s+\(from the key \(its jti claim\)\)/);
    expect(out).toMatch(/roleId\s+r-[0-9a-f]{8}\s+\(from Momento's listing of key [0-9a-f-]{36} \(role app-readwrite\)\)/);
    expect(out).toMatch(/validUntil\s+\S+Z\s+\(from the key \(its exp claim\)\)/);
    expect(out).toMatch(/endpoint\s+cell-us-east-1-1\.prod\.a\.momentohq\.com\s+\(from the secret's AWS Region us-east-1/);
    expect(out).toContain('role r-operator');
    // Metrics stay behind --verbose with the other logs.
    expect(out).not.toContain('_aws');
    // The demo's keys live in its own process; none may be printed: nothing key-like, only fingerprints.
    expect(out).not.toMatch(/[A-Za-z0-9+/=_-]{48,}/);

    const pid = Number(/moto_server at \S+ \(pid (\d+)\)/.exec(out)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid, 0)).toThrow(); // no such process any more
  });
});
