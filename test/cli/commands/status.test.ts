import { describe, expect, it } from 'vitest';
import { APP_ROLE_ID } from '../../support/momento-roles.js';
import { fakeV2Key } from '../../support/secrets.js';
import { FAKE_V2_ENDPOINT } from '../../stand-ins/local-stack.js';
import { literal, useLocalCli } from '../local-cli.js';

// `status` on v2 keys whose stored fields and own claims (jti, exp) tell different stories.
const { stack, cli, name } = useLocalCli('status');

const now = () => Math.floor(Date.now() / 1000);
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
const NEVER_REVOKED =
  'WARNING  The AWSCURRENT key has no key id (its jti claim): it rotates, but it is never revoked by id. Once it leaves the secret, ' +
  'revoke it in the Momento console; while a version holds it, the function revokes no key of this secret.';

describe('status, a v2 key and what it says of itself', () => {
  it('warns that a v2 key without a jti is never revoked by id', async () => {
    const exp = now() + 30 * 86_400;
    const arn = await stack().createSecret(name('no-jti'), JSON.stringify({ apiKey: fakeV2Key({ jti: null, exp }), endpoint: FAKE_V2_ENDPOINT, roleId: APP_ROLE_ID, validUntil: exp }));
    const result = await cli(['status', '--secret-id', arn]);
    expect(result.code).toBe(0);
    expect(result.out.split('\n')).toContain(NEVER_REVOKED);
    // It still rotates (by minting): only revocation by id is lost. No key id is shown.
    expect(result.out).toMatch(new RegExp(`AWSCURRENT\\s+sha256:[0-9a-f]{8}\\s+-\\s+${APP_ROLE_ID}\\s+${literal(iso(exp))}\\s+29\\s+mint$`, 'm'));
    expect(result.out).not.toMatch(/AWSCURRENT: "keyId"/);

    const json = JSON.parse((await cli(['status', '--secret-id', arn, '--json'])).out);
    expect(json.warnings).toContain(NEVER_REVOKED.slice('WARNING  '.length));
  });

  it('does not give that warning for a key with a jti', async () => {
    const { arn } = await stack().storeV2Key(name('with-jti'));
    const result = await cli(['status', '--secret-id', arn]);
    expect(result.code).toBe(0);
    expect(result.out).not.toMatch(/never revoked by id/);
    expect(result.out).not.toMatch(/AWSCURRENT: /);
  });

  it('warns when the stored keyId and validUntil disagree with the key (jti, exp), and shows the key\'s own', async () => {
    const key = stack().momento.issueV2Key();
    const typedUntil = key.validUntil - 10 * 86_400;
    const arn = await stack().createSecret(
      name('conflict'),
      JSON.stringify({ apiKey: key.apiKey, endpoint: FAKE_V2_ENDPOINT, roleId: APP_ROLE_ID, keyId: 'k-typed-by-hand', validUntil: typedUntil }),
    );
    const result = await cli(['status', '--secret-id', arn]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(
      new RegExp(`^WARNING {2}AWSCURRENT: "keyId" says k-typed-by-hand, but the key's own id \\(its jti claim\\) is ${key.keyId}; the key's id is used\\. Import the key again to store what the key says\\.$`, 'm'),
    );
    expect(result.out).toMatch(
      new RegExp(
        `^WARNING {2}AWSCURRENT: "validUntil" says ${literal(iso(typedUntil))}, but the key expires at ${literal(iso(key.validUntil))} \\(its exp claim\\); the key's expiry is used\\. Import the key again`,
        'm',
      ),
    );
    // The row shows the key's id and expiry, not the typed ones.
    expect(result.out).toMatch(new RegExp(`AWSCURRENT\\s+sha256:[0-9a-f]{8}\\s+${key.keyId}\\s+${APP_ROLE_ID}\\s+${literal(iso(key.validUntil))}\\s+59\\s+mint$`, 'm'));
    expect(result.out).not.toContain('k-typed-by-hand  ');
    expect(result.out).not.toMatch(/never revoked by id/);

    const json = JSON.parse((await cli(['status', '--secret-id', arn, '--json'])).out);
    expect(json.versions[0]).toMatchObject({ keyId: key.keyId, validUntil: iso(key.validUntil), conflicts: [expect.stringMatching(/^"keyId" says k-typed-by-hand/), expect.stringMatching(/^"validUntil" says/)] });
  });

  it('warns of a stored keyId beside a key without a jti: both that it names no key of its own and that the key is never revoked by id', async () => {
    const exp = now() + 30 * 86_400;
    const arn = await stack().createSecret(name('no-jti-typed'), JSON.stringify({ apiKey: fakeV2Key({ jti: null, exp }), endpoint: FAKE_V2_ENDPOINT, roleId: APP_ROLE_ID, keyId: 'k-typed-by-hand' }));
    const result = await cli(['status', '--secret-id', arn]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^WARNING {2}AWSCURRENT: "keyId" says k-typed-by-hand, but the key has no key id \(jti claim\): it is never revoked by id\. Import the key again/m);
    expect(result.out.split('\n')).toContain(NEVER_REVOKED);
  });
});
