import { describe, expect, it } from 'vitest';
import { checkedAtMomento } from '../../../src/cli/commands/import.js';
import { CliError } from '../../../src/cli/errors.js';
import { parseKeyFile } from '../../../src/secret/key-file.js';
import { fakeV2Key } from '../../support/secrets.js';

// What Momento's listing decides for a v2 import. (The fake Momento lists only live keys, so
// an expired key listed by Momento is covered here.)
describe('checkedAtMomento', () => {
  const now = 1_800_000_000_000;
  const parsed = parseKeyFile(JSON.stringify({ apiKey: fakeV2Key(), endpoint: 'cell-1.example', roleId: 'app', keyId: 'k1' }));
  const file = parsed.ok ? parsed.file : (undefined as never);
  const listed = (expiresAt: number | undefined, roleId = 'app') => [{ keyId: 'k1', roleId, description: 'console', expiresAt, issuedAt: undefined }];

  it('refuses a key Momento lists as expired, saying when', () => {
    expect(() => checkedAtMomento(file, listed(now / 1000 - 60), now)).toThrow(CliError);
    expect(() => checkedAtMomento(file, listed(now / 1000 - 60), now)).toThrow(/Key k1 expired at 2027-01-15T07:59:00.000Z, says Momento/);
  });

  it("takes Momento's expiry as validUntil, and keeps none for a key that never expires", () => {
    expect(checkedAtMomento(file, listed(now / 1000 + 86_400), now)).toMatchObject({ validUntil: now / 1000 + 86_400, fields: { validUntil: now / 1000 + 86_400 } });
    expect(checkedAtMomento(file, listed(undefined), now).validUntil).toBeUndefined();
  });
});
