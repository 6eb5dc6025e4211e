import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { withoutNodeFloorWarning } from '../../support/node-floor.js';
import { MOMENTO_CELLS_BY_AWS_REGION } from '../../../src/momento/regions.js';
import { APP_ROLE_ID, APP_ROLE_NAME, KEY_MANAGER_ROLE_ID, OPERATOR_ROLE_ID, OWNER_ROLE_ID, VIEWER_ROLE_ID } from '../../support/momento-roles.js';
import { fakeV2Key, jtiOf, leakedSecrets } from '../../support/secrets.js';
import { derivedLine, literal, useLocalCli, builtCliEnv } from '../local-cli.js';

// `import` of a v2 key as the console gives it (pasted bare on standard input): what it derives
// and from where, against moto_server and the fake Momento (test/stand-ins).
const { stack, cli, name, current, exists } = useLocalCli('import');

/** The CLI tests' Region (test/stand-ins/secrets-manager-service.ts), which Momento serves. */
const REGION = 'us-east-1';
const REGION_ENDPOINT = 'cell-us-east-1-1.prod.a.momentohq.com';
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
const ALL_ROLES = 'Owner → r-owner, Operator → r-operator, Viewer → r-viewer, app-readwrite → r-5c1e0a7b, key-rotation → r-9d2f4e60';

/** A management key of `roleId` in its own secret, as {"apiKey", "keyId"}. */
async function managementSecret(label: string, roleId: string) {
  const key = stack().momento.issueV2Key({ roleId });
  return { arn: await stack().createSecret(name(label), JSON.stringify({ apiKey: key.apiKey, keyId: key.keyId })), key };
}

it('runs where Momento serves the secret\'s Region (the table these tests rely on)', () => {
  expect(process.env.AWS_REGION).toBe(REGION);
  expect(`${MOMENTO_CELLS_BY_AWS_REGION[REGION]}.prod.a.momentohq.com`).toBe(REGION_ENDPOINT);
});

describe('import of a pasted v2 key, with --management-secret-id', () => {
  it('creates the secret with keyId (jti), roleId (Momento\'s listing), validUntil (exp) and endpoint (the Region), printing each with its source', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    const key = stack().momento.issueV2Key();
    expect(jtiOf(key.apiKey)).toBe(key.keyId);
    const secretName = name('derived');
    const result = await cli(['import', '--secret-id', secretName, '--management-secret-id', management.arn], key.apiKey);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(await current(secretName)).toEqual({ apiKey: key.apiKey, keyId: key.keyId, roleId: APP_ROLE_ID, validUntil: key.validUntil, endpoint: REGION_ENDPOINT });

    const lines = result.out.split('\n');
    expect(lines[0]).toBe('Derived for the secret:');
    expect(result.out).toMatch(derivedLine('keyId', key.keyId, 'the key (its jti claim)'));
    expect(result.out).toMatch(derivedLine('validUntil', iso(key.validUntil), 'the key (its exp claim)'));
    expect(result.out).toMatch(derivedLine('endpoint', REGION_ENDPOINT, `the secret's AWS Region ${REGION} (Momento's regions table)`));
    expect(result.out).toMatch(derivedLine('roleId', APP_ROLE_ID, `Momento's listing of key ${key.keyId} (role ${APP_ROLE_NAME})`));
    expect(lines.filter((l) => l.includes('(from '))).toHaveLength(4);
    expect(result.out).toMatch(
      new RegExp(`^Created secret arn:aws:secretsmanager:${REGION}:\\S+ with key sha256:[0-9a-f]{8}, key id ${key.keyId}, role ${APP_ROLE_ID}, valid until ${literal(iso(key.validUntil))} \\(59 days left\\)\\.$`, 'm'),
    );
  });

  it('resolves --role given as a NAME to its id, and stores --endpoint in the regions page\'s form as its base', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    const key = stack().momento.issueV2Key();
    const secretName = name('by-name');
    const result = await cli(
      ['import', '--secret-id', secretName, '--management-secret-id', management.arn, '--role', APP_ROLE_NAME, '--endpoint', 'https://api.cache.cell-4-us-west-2-1.prod.a.momentohq.com'],
      key.apiKey,
    );
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(await current(secretName)).toMatchObject({ roleId: APP_ROLE_ID, endpoint: 'cell-4-us-west-2-1.prod.a.momentohq.com' });
    expect(result.out).toMatch(derivedLine('endpoint', 'cell-4-us-west-2-1.prod.a.momentohq.com', '--endpoint'));
    expect(result.out).toMatch(derivedLine('roleId', APP_ROLE_ID, `Momento's listing of key ${key.keyId} (role ${APP_ROLE_NAME})`));
  });

  it.each([
    ['cache.cell-4-us-west-2-1.prod.a.momentohq.com', 'cell-4-us-west-2-1.prod.a.momentohq.com'],
    ['api.cache.cell-1-eu-west-1-1.prod.a.momentohq.com', 'cell-1-eu-west-1-1.prod.a.momentohq.com'],
    ['HTTPS://Cell-4-US-West-2-1.prod.a.momentohq.com/', 'cell-4-us-west-2-1.prod.a.momentohq.com'],
  ])('reads --endpoint %j as the base %j', async (given, base) => {
    const key = stack().momento.issueV2Key();
    const secretName = name('endpoint-form');
    const result = await cli(['import', '--secret-id', secretName, '--role', APP_ROLE_ID, '--endpoint', given], key.apiKey);
    expect(result.code).toBe(0);
    expect((await current(secretName)).endpoint).toBe(base);
  });

  it('takes the endpoint of the Region given with --region', async () => {
    const key = stack().momento.issueV2Key();
    const secretName = name('other-region');
    const result = await cli(['import', '--secret-id', secretName, '--role', APP_ROLE_ID, '--region', 'us-west-2'], key.apiKey);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(derivedLine('endpoint', 'cell-4-us-west-2-1.prod.a.momentohq.com', "the secret's AWS Region us-west-2 (Momento's regions table)"));
    expect((await current(secretName, 'us-west-2')).endpoint).toBe('cell-4-us-west-2-1.prod.a.momentohq.com');
    expect(await exists(secretName)).toBe(false);
  });

  it('with a file "validUntil" that differs from the key\'s exp, warns and stores exp', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    const key = stack().momento.issueV2Key();
    const secretName = name('valid-until');
    const typed = key.validUntil - 86_400;
    const result = await cli(['import', '--secret-id', secretName, '--management-secret-id', management.arn], JSON.stringify({ apiKey: key.apiKey, validUntil: typed }));
    expect(result.code).toBe(0);
    expect(result.err).toBe(
      `Warning: standard input's "validUntil" (${iso(typed)}) differs from the key's own expiry (${iso(key.validUntil)}, its exp claim); the key's is stored.`,
    );
    expect((await current(secretName)).validUntil).toBe(key.validUntil);
    expect(result.out).toMatch(derivedLine('validUntil', iso(key.validUntil), 'the key (its exp claim)'));
  });

  it('with a management key of role Viewer (it may list, not mint or revoke), imports and warns that it cannot rotate', async () => {
    const viewer = await managementSecret('viewer', VIEWER_ROLE_ID);
    const key = stack().momento.issueV2Key();
    const secretName = name('viewer');
    const result = await cli(['import', '--secret-id', secretName, '--management-secret-id', viewer.arn], key.apiKey);
    expect(result.code).toBe(0);
    expect(result.err).toMatch(
      new RegExp(
        `^Warning: the management key in ${literal(viewer.arn)} has role Viewer \\(${VIEWER_ROLE_ID}\\), which may list keys but not mint or revoke them: ` +
          'the rotation function cannot rotate with it\\.',
      ),
    );
    expect(await current(secretName)).toMatchObject({ keyId: key.keyId, roleId: APP_ROLE_ID });
  });

  it('with a management key of role Operator or Owner, or the README\'s key-rotation role, says nothing about it', async () => {
    for (const role of [OPERATOR_ROLE_ID, OWNER_ROLE_ID, KEY_MANAGER_ROLE_ID]) {
      const management = await managementSecret(`mgmt-${role}`, role);
      const result = await cli(['import', '--secret-id', name('quiet'), '--management-secret-id', management.arn], stack().momento.issueV2Key().apiKey);
      expect(result).toMatchObject({ code: 0, err: '' });
    }
  });

  it('stores over an existing secret as its new AWSCURRENT version', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    const { arn } = await stack().storeConsoleKey(name('existing'));
    const before = Object.keys(await stack().service.stages(arn))[0]!;
    const key = stack().momento.issueV2Key();
    const result = await cli(['import', '--secret-id', arn, '--management-secret-id', management.arn], key.apiKey);
    expect(result.code).toBe(0);
    expect(result.out).toContain(`(previous: ${before})`);
    expect(await current(arn)).toMatchObject({ apiKey: key.apiKey, keyId: key.keyId, roleId: APP_ROLE_ID });
  });
});

describe('import of a pasted v2 key, refused: nothing is stored', () => {
  type Case = { args: (managementArn: string) => string[]; stdin: () => string; message: () => RegExp };

  /** Runs the refused import against a new secret name and against an existing secret; neither changes. */
  async function expectRefused({ args, stdin, message }: Case, managementArn: string) {
    const secretName = name('refused');
    const input = stdin();
    const refused = await cli(['import', '--secret-id', secretName, ...args(managementArn)], input);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(message());
    expect(refused.out).toBe('');
    expect(await exists(secretName)).toBe(false);

    const { arn, key } = await stack().storeConsoleKey(name('refused-existing'));
    const stages = await stack().service.stages(arn);
    const again = await cli(['import', '--secret-id', arn, ...args(managementArn)], input);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(message());
    expect(await stack().service.stages(arn)).toEqual(stages);
    expect(await current(arn)).toEqual(key);
  }

  let key: { apiKey: string; keyId: string; validUntil?: number } = { apiKey: '', keyId: '' };
  const withKey = (make: () => typeof key) => () => ((key = make()), key.apiKey);
  const issued = () => stack().momento.issueV2Key();

  it.each<[string, Case]>([
    [
      'a key Momento does not list (revoked in the console)',
      {
        args: (m) => ['--management-secret-id', m],
        stdin: withKey(() => {
          const k = issued();
          stack().momento.revoke(k.apiKey);
          return k;
        }),
        message: () =>
          new RegExp(`^Momento does not list key ${key.keyId} in the management key's account: it was revoked, has expired, or belongs to another account \\(nothing was stored\\)\\.$`),
      },
    ],
    [
      'a key that is not Momento\'s (another account)',
      {
        args: (m) => ['--management-secret-id', m],
        stdin: withKey(() => {
          const apiKey = fakeV2Key({ exp: Math.floor(Date.now() / 1000) + 86_400 });
          return { apiKey, keyId: jtiOf(apiKey) };
        }),
        message: () => new RegExp(`Momento does not list key ${key.keyId} in the management key's account`),
      },
    ],
    [
      'a key without a key id (jti claim), which Momento\'s listing cannot be checked for',
      { args: (m) => ['--management-secret-id', m], stdin: () => fakeV2Key({ jti: null }), message: () => /^The key has no key id \(jti claim\), so Momento's listing cannot be checked for it \(nothing was stored\)\.$/m },
    ],
    [
      'a file "keyId" that is not the key\'s jti',
      {
        args: (m) => ['--management-secret-id', m],
        stdin: () => JSON.stringify({ apiKey: ((key = issued()), key.apiKey), keyId: 'k-typed-by-hand' }),
        message: () =>
          new RegExp(`^standard input's "keyId" is k-typed-by-hand, but the key's own id \\(its jti claim\\) is ${key.keyId}\\. The key id is read from the key: drop "keyId" \\(nothing was stored\\)\\.$`),
      },
    ],
    [
      '--key-id that is not the key\'s jti',
      {
        args: (m) => ['--management-secret-id', m, '--key-id', 'k-typed-by-hand'],
        stdin: withKey(issued),
        message: () => new RegExp(`^--key-id is k-typed-by-hand, but the key's own id \\(its jti claim\\) is ${key.keyId}\\. The key id is read from the key: drop --key-id \\(nothing was stored\\)\\.$`),
      },
    ],
    [
      '--key-id for a key without a jti',
      { args: () => ['--role', APP_ROLE_ID, '--key-id', 'k-typed-by-hand'], stdin: () => fakeV2Key({ jti: null }), message: () => /^--key-id is k-typed-by-hand, but the key's own id \(its jti claim\) is absent\./ },
    ],
    [
      '--role (a name) contradicting Momento\'s listing',
      {
        args: (m) => ['--management-secret-id', m, '--role', 'Operator'],
        stdin: withKey(issued),
        message: () =>
          new RegExp(
            `^--role says role Operator \\(${OPERATOR_ROLE_ID}\\), but Momento lists key ${key.keyId} with role ${APP_ROLE_NAME} \\(${APP_ROLE_ID}\\): ` +
              'its successors would get the wrong role\\. Drop --role, or check the key \\(nothing was stored\\)\\.$',
          ),
      },
    ],
    [
      '--role-id contradicting Momento\'s listing',
      {
        args: (m) => ['--management-secret-id', m, '--role-id', OWNER_ROLE_ID],
        stdin: withKey(issued),
        message: () => new RegExp(`^--role-id says role Owner \\(${OWNER_ROLE_ID}\\), but Momento lists key ${key.keyId} with role ${APP_ROLE_NAME} \\(${APP_ROLE_ID}\\)`),
      },
    ],
    [
      'a file "roleId" contradicting Momento\'s listing',
      {
        args: (m) => ['--management-secret-id', m],
        stdin: () => JSON.stringify({ apiKey: ((key = issued()), key.apiKey), roleId: VIEWER_ROLE_ID }),
        message: () => new RegExp(`^standard input's "roleId" says role Viewer \\(${VIEWER_ROLE_ID}\\), but Momento lists key ${key.keyId} with role ${APP_ROLE_NAME}`),
      },
    ],
    [
      'an unknown --role name, listing the account\'s roles name → id',
      {
        args: (m) => ['--management-secret-id', m, '--role', 'app-read-write'],
        stdin: withKey(issued),
        message: () => new RegExp(`^--role "app-read-write" is neither the name nor the id of a role in this Momento account\\. Its roles \\(name → id\\): ${ALL_ROLES}\\.$`),
      },
    ],
    [
      'an endpoint over http:// (\'http://x\')',
      {
        args: (m) => ['--management-secret-id', m, '--endpoint', 'http://x'],
        stdin: withKey(issued),
        message: () => /^--endpoint "http:\/\/x" uses http:\/\/, not https:\/\/: expected Momento's region base endpoint, such as cell-4-us-west-2-1\.prod\.a\.momentohq\.com, or it as Momento's regions page shows it \(https:\/\/api\.cache\.cell-4-us-west-2-1\.prod\.a\.momentohq\.com\)\.$/,
      },
    ],
    [
      'an AWS Region as the endpoint (\'us-west-2\')',
      {
        args: (m) => ['--management-secret-id', m, '--endpoint', 'us-west-2'],
        stdin: withKey(issued),
        message: () => /^--endpoint "us-west-2" is not a host name: expected Momento's region base endpoint, such as cell-4-us-west-2-1\.prod\.a\.momentohq\.com/,
      },
    ],
    [
      'Momento\'s console as the endpoint',
      { args: (m) => ['--management-secret-id', m, '--endpoint', 'https://console.gomomento.com'], stdin: withKey(issued), message: () => /^--endpoint "https:\/\/console\.gomomento\.com" is Momento's console or website, not an endpoint/ },
    ],
    [
      'a file "endpoint" that is not one',
      {
        args: () => [],
        stdin: () => JSON.stringify({ apiKey: ((key = issued()), key.apiKey), endpoint: 'cell-1.momentohq.com:443', roleId: APP_ROLE_ID }),
        message: () => /^standard input's "endpoint" "cell-1\.momentohq\.com:443" names a port; Momento is reached on 443: expected Momento's region base endpoint/,
      },
    ],
    [
      'a role NAME given as --role-id (by id only), pointing at its id',
      {
        args: (m) => ['--management-secret-id', m, '--role-id', APP_ROLE_NAME],
        stdin: withKey(issued),
        message: () => new RegExp(`^--role-id "${APP_ROLE_NAME}" is not the id of a role in this Momento account \\(it is the name of ${APP_ROLE_ID}: pass --role to give a name\\)\\.`),
      },
    ],
    [
      'without a management key, --role contradicting the file\'s "roleId"',
      {
        args: () => ['--role-id', OWNER_ROLE_ID],
        stdin: () => JSON.stringify({ apiKey: ((key = issued()), key.apiKey), roleId: APP_ROLE_ID }),
        message: () => new RegExp(`^standard input says "roleId" is ${APP_ROLE_ID}, but --role-id says ${OWNER_ROLE_ID}\\. Which role is the key's\\? \\(nothing was stored\\)$`),
      },
    ],
    [
      'a key that expired (its exp claim)',
      { args: () => ['--role', APP_ROLE_ID], stdin: () => fakeV2Key({ exp: 1_600_000_000 }), message: () => /^standard input holds a key that expired at 2020-09-13T12:26:40\.000Z\. Create a new key in the console \(nothing was stored\)\.$/m },
    ],
  ])('%s', async (_label, refusal) => {
    const management = await stack().storeManagementKey(name('mgmt'));
    await expectRefused(refusal, management.arn);
  });

  it('a key whose exp has passed (minted by a Momento whose clock runs behind ours): says when, before asking for anything else', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    stack().momento.clockOffsetMs = -2 * 86_400_000;
    try {
      const lapsed = () => stack().momento.issueV2Key({ lifetimeSeconds: 86_400 }); // expired a day ago, by our clock
      await expectRefused(
        {
          args: (m) => ['--management-secret-id', m],
          stdin: withKey(lapsed),
          message: () => new RegExp(`^standard input holds a key that expired at ${literal(iso(key.validUntil!))}\\. Create a new key in the console \\(nothing was stored\\)\\.$`),
        },
        management.arn,
      );
    } finally {
      stack().momento.clockOffsetMs = 0;
    }
  });

  it('a management key whose role may not list keys (the app role): says why', async () => {
    const app = await managementSecret('app-mgmt', APP_ROLE_ID);
    await expectRefused(
      {
        args: (m) => ['--management-secret-id', m],
        stdin: withKey(issued),
        message: () =>
          /^Could not check the key at Momento \(nothing was stored\): the management key's role may not do this \(listing needs auth_management list; minting and revoking also write\): use a key whose role grants auth_management read, write and list\.$/,
      },
      app.arn,
    );
  });

  it('a management key Momento rejects (revoked): says to store a new one', async () => {
    const management = await stack().storeManagementKey(name('revoked-mgmt'));
    stack().momento.revoke(management.key.apiKey);
    await expectRefused(
      { args: (m) => ['--management-secret-id', m], stdin: withKey(issued), message: () => /^Could not check the key at Momento \(nothing was stored\): the management key is invalid or expired: store a new one in the management secret\.$/ },
      management.arn,
    );
  });

  it('a Region Momento has no cell in, without --endpoint: lists the Regions it serves', async () => {
    const secretName = name('no-cell');
    const result = await cli(['import', '--secret-id', secretName, '--role', APP_ROLE_ID, '--region', 'sa-east-1'], issued().apiKey);
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      'No --endpoint given, and the secret\'s Region is sa-east-1. Momento has no public cell in AWS Region "sa-east-1". It serves ' +
        `${Object.keys(MOMENTO_CELLS_BY_AWS_REGION).join(', ')}. Pass --endpoint with the endpoint the Momento console shows for your cache (a private cell's, or the nearest Region's).`,
    );
    expect(result.err).toContain('us-east-1, us-east-2, us-west-2, eu-west-1');
    expect(await exists(secretName, 'sa-east-1')).toBe(false);
  });
});

describe('import of a pasted v2 key, without --management-secret-id', () => {
  it('derives keyId and validUntil from the key, stores --role as given, and says it was not checked at Momento (asking it nothing)', async () => {
    const key = stack().momento.issueV2Key();
    const callsBefore = { ...stack().momento.keyApiCalls };
    const secretName = name('unchecked');
    const result = await cli(['import', '--secret-id', secretName, '--role', APP_ROLE_ID], key.apiKey);
    expect(result.code).toBe(0);
    expect(result.err).toBe(`Not checked at Momento: that key ${key.keyId} exists, is not revoked, and has role ${APP_ROLE_ID}. Pass --management-secret-id to check before storing.`);
    expect(await current(secretName)).toEqual({ apiKey: key.apiKey, keyId: key.keyId, validUntil: key.validUntil, roleId: APP_ROLE_ID, endpoint: REGION_ENDPOINT });
    expect(result.out).toMatch(derivedLine('keyId', key.keyId, 'the key (its jti claim)'));
    expect(result.out).toMatch(derivedLine('validUntil', iso(key.validUntil), 'the key (its exp claim)'));
    expect(result.out).toMatch(derivedLine('endpoint', REGION_ENDPOINT, `the secret's AWS Region ${REGION} (Momento's regions table)`));
    expect(result.out).toMatch(derivedLine('roleId', APP_ROLE_ID, '--role, not checked at Momento'));
    // No management key, nothing asked of Momento.
    expect(stack().momento.keyApiCalls).toEqual(callsBefore);
  });

  it('stores a role NAME as given, saying a name is not an id', async () => {
    const key = stack().momento.issueV2Key();
    const secretName = name('unchecked-name');
    const result = await cli(['import', '--secret-id', secretName, '--role', APP_ROLE_NAME], key.apiKey);
    expect(result.code).toBe(0);
    expect(result.err).toBe(
      `Not checked at Momento: that key ${key.keyId} exists, is not revoked, and has role ${APP_ROLE_NAME} ` +
        '(if that is a role name, not its id, the first rotation fails and names the id). Pass --management-secret-id to check before storing.',
    );
    expect((await current(secretName)).roleId).toBe(APP_ROLE_NAME);
  });

  it('takes the role from the file\'s "roleId", saying so', async () => {
    const key = stack().momento.issueV2Key();
    const secretName = name('file-role');
    const result = await cli(['import', '--secret-id', secretName], JSON.stringify({ apiKey: key.apiKey, roleId: APP_ROLE_ID }));
    expect(result.code).toBe(0);
    expect(result.out).toMatch(derivedLine('roleId', APP_ROLE_ID, 'standard input, not checked at Momento'));
    expect(await current(secretName)).toMatchObject({ roleId: APP_ROLE_ID, keyId: key.keyId, validUntil: key.validUntil });
  });

  it('refuses without a role (no --role, no "roleId"), storing nothing', async () => {
    const secretName = name('no-role');
    const result = await cli(['import', '--secret-id', secretName], stack().momento.issueV2Key().apiKey);
    expect(result).toMatchObject({ code: 1, out: '' });
    expect(result.err).toBe(
      'Which role does this key have? Pass --role (its name or id, as the Momento console shows it), or --management-secret-id NAME to read it from Momento (nothing was stored).',
    );
    expect(await exists(secretName)).toBe(false);
  });

  it('refuses --role with --role-id', async () => {
    const secretName = name('both-roles');
    const result = await cli(['import', '--secret-id', secretName, '--role', APP_ROLE_NAME, '--role-id', APP_ROLE_ID], stack().momento.issueV2Key().apiKey);
    expect(result).toMatchObject({ code: 2, err: 'Pass --role or --role-id, not both.\nRun with --help for usage.' });
    expect(await exists(secretName)).toBe(false);
  });

  it('warns that a key without a key id (jti claim) is never revoked by id, and stores no keyId', async () => {
    const apiKey = fakeV2Key({ jti: null, exp: Math.floor(Date.now() / 1000) + 30 * 86_400 });
    const secretName = name('no-jti');
    const result = await cli(['import', '--secret-id', secretName, '--role', APP_ROLE_ID], apiKey);
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/^Warning: this key has no key id \(jti claim\): it will rotate, but it can never be revoked by id\.$/m);
    expect(await current(secretName)).not.toHaveProperty('keyId');
  });
});

describe('import through the built command (dist/cli.js), the key piped in as `echo -n "$KEY" |` does', () => {
  it('creates the secret, and neither the key nor the management key appears in its output', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    const key = stack().momento.issueV2Key();
    const secretName = name('piped');
    const child = spawn(process.execPath, ['dist/cli.js', 'import', '--secret-id', secretName, '--management-secret-id', management.arn], {
      env: builtCliEnv(stack(), { AWS_REGION: REGION }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.stdin.end(key.apiKey);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(leakedSecrets(out + err)).toEqual([]);
    expect({ code, err: withoutNodeFloorWarning(err) }).toEqual({ code: 0, err: '' });
    expect(out).toMatch(derivedLine('roleId', APP_ROLE_ID, `Momento's listing of key ${key.keyId} (role ${APP_ROLE_NAME})`));
    expect(await current(secretName)).toEqual({ apiKey: key.apiKey, keyId: key.keyId, roleId: APP_ROLE_ID, validUntil: key.validUntil, endpoint: REGION_ENDPOINT });
  }, 30_000);
});
