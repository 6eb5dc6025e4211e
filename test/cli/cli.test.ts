import { GetSecretValueCommand, UpdateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withoutNodeFloorWarning } from '../support/node-floor.js';
import { repair } from '../../src/cli/commands/repair.js';
import { runCli } from '../../src/cli/main.js';
import { STEPS } from '../../src/rotation/event.js';
import { captureFileOutputAndCheckForLeaks } from '../support/capture-output.js';
import { APP_ROLE_ID, APP_ROLE_NAME, OPERATOR_ROLE_ID } from '../support/momento-roles.js';
import { fakeV2Key, leakedSecrets, registerSecret } from '../support/secrets.js';
import { FAKE_V2_ENDPOINT, startLocalStack, type LocalStack } from '../stand-ins/local-stack.js';

// The operator CLI against moto_server (and, for `rotate`, the rotation function with the fake Momento).
captureFileOutputAndCheckForLeaks();
let stack: LocalStack;
let dir: string;

beforeAll(async () => {
  stack = await startLocalStack({ onIssue: registerSecret });
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  dir = await mkdtemp(join(tmpdir(), 'cli-test-'));
}, 60_000);
afterAll(async () => stack?.stop());

/** Runs the CLI in-process; its output must never hold a secret. */
async function cli(args: string[], stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  // The CLI talks to moto directly, as an operator's machine talks to Secrets Manager.
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = stack.moto.endpoint;
  try {
    const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) }, async () => stdin);
    const result = { code, out: out.join('\n'), err: err.join('\n') };
    expect(leakedSecrets(result.out + result.err), 'secrets in CLI output').toEqual([]);
    return result;
  } finally {
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = stack.proxy.endpoint;
  }
}

const name = (label: string) => `momento/cli-${label}-${randomUUID().slice(0, 8)}`;

async function keyFileOnDisk(fields: object): Promise<string> {
  const path = join(dir, `${randomUUID()}.json`);
  await writeFile(path, JSON.stringify(fields));
  return path;
}

/** A secret with a key, with rotation configured (as `sam deploy` leaves it) but not yet run. */
async function rotatableSecret(label: string) {
  const stored = await stack.storeConsoleKey(name(label));
  await stack.service.endRotation(stored.arn, await stack.service.startRotation(stored.arn, false));
  return stored;
}

/** Plays Secrets Manager: waits for the rotation the CLI started, then runs the four steps. */
async function serviceRunsNextRotation(arn: string, config: { managementSecretId?: string } = {}) {
  const invoke = stack.newContainer(config);
  for (let i = 0; i < 100; i++) {
    const stages = await stack.service.stages(arn);
    const current = Object.keys(stages).find((v) => stages[v]!.includes('AWSCURRENT'));
    const token = Object.keys(stages).find((v) => stages[v]!.includes('AWSPENDING') && v !== current);
    if (token) {
      for (const Step of STEPS) await invoke({ Step, SecretId: arn, ClientRequestToken: token });
      await stack.service.endRotation(arn, token);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no rotation started');
}

describe('import', () => {
  it('creates the secret from the console download, printing only a fingerprint', async () => {
    const key = stack.momento.issueKey();
    const secretName = name('new');
    const result = await cli(['import', '--file', await keyFileOnDisk(key), '--secret-id', secretName, '--description', 'orders', '--tag', 'team=payments']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Created secret arn:aws:secretsmanager:\S+ with key sha256:[0-9a-f]{8}, valid until \S+ \(29 days left\)/);
    const stored = await stack.service.client.send(new GetSecretValueCommand({ SecretId: secretName, VersionStage: 'AWSCURRENT' }));
    expect(JSON.parse(stored.SecretString!)).toEqual(key);
  });

  it('stores a key as the new AWSCURRENT version of an existing secret, read from standard input', async () => {
    const { arn } = await stack.storeConsoleKey(name('existing'));
    const before = Object.keys(await stack.service.stages(arn))[0]!;
    const key = stack.momento.issueKey();
    const result = await cli(['import', '--secret-id', arn], JSON.stringify(key));
    expect(result.code).toBe(0);
    expect(result.out).toContain(`(previous: ${before})`);
    expect(JSON.parse(await stack.service.value(arn, 'AWSCURRENT'))).toEqual(key);
    expect((await stack.service.stages(arn))[before]).toEqual(['AWSPREVIOUS']);
  });

  it.each([
    ['not JSON', () => 'just-a-bare-key', /is not JSON/],
    ['no refresh token', () => JSON.stringify({ ...stack.momento.issueKey(), refreshToken: undefined }), /no "refreshToken"/],
    ['an expired key', () => JSON.stringify({ ...stack.momento.issueKey(), validUntil: 1_600_000_000 }), /expired at 2020/],
    ['no validUntil', () => JSON.stringify({ ...stack.momento.issueKey(), validUntil: undefined }), /no "validUntil"/],
    ['a v2 key and no role, nor a management secret to read it from', () => JSON.stringify({ apiKey: fakeV2Key(), validUntil: 4_000_000_000 }), /^Which role does this key have\? Pass --role \(its name or id.*or --management-secret-id NAME to read it from Momento \(nothing was stored\)\.$/],
    ['a key the SDK cannot parse', () => JSON.stringify({ apiKey: Buffer.from('{"endpoint":"x"}').toString('base64'), refreshToken: 'r'.repeat(20), validUntil: 4_000_000_000 }), /not a key the Momento SDK can use/],
  ])('refuses a file with %s, storing nothing', async (_label, content, message) => {
    const secretName = name('bad');
    const result = await cli(['import', '--file', await keyFileOnDisk({}).then(async (p) => (await writeFile(p, content()), p)), '--secret-id', secretName]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(message);
    const status = await cli(['status', '--secret-id', secretName]);
    expect(status.err).toMatch(/no secret "momento\/cli-bad-\w+" in this Region/);
  });

  it('says which file it cannot read', async () => {
    const result = await cli(['import', '--file', join(dir, 'missing.json'), '--secret-id', name('missing')]);
    expect(result).toMatchObject({ code: 1, err: expect.stringContaining('Cannot read') });
  });
});

describe('import, v2 keys', () => {
  const ENDPOINT = 'cell-4-us-west-2-1.prod.a.momentohq.com';
  const stored = async (secretName: string) => JSON.parse((await stack.service.client.send(new GetSecretValueCommand({ SecretId: secretName, VersionStage: 'AWSCURRENT' }))).SecretString!);

  it('stores a v2 key file after Momento confirms its key id and role, taking validUntil from the key (its exp claim)', async () => {
    const management = await stack.storeManagementKey(name('imp-mgmt'));
    const key = stack.momento.issueV2Key({ roleId: APP_ROLE_ID });
    const secretName = name('imp-v2');
    const file = { apiKey: key.apiKey, endpoint: ENDPOINT, roleId: APP_ROLE_ID, keyId: key.keyId };
    const result = await cli(['import', '--file', await keyFileOnDisk(file), '--secret-id', secretName, '--management-secret-id', management.arn]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(new RegExp(`Created secret \\S+ with key sha256:[0-9a-f]{8}, key id ${key.keyId}, role ${APP_ROLE_ID}, valid until \\S+ \\(59 days left\\)`));
    expect(await stored(secretName)).toEqual({ ...file, validUntil: key.validUntil });
  });

  it('stores a bare v2 key from standard input with --endpoint, --role-id and --key-id, saying it was not checked at Momento', async () => {
    const key = stack.momento.issueV2Key();
    const secretName = name('imp-bare');
    const result = await cli(['import', '--secret-id', secretName, '--endpoint', ENDPOINT, '--role-id', APP_ROLE_ID, '--key-id', key.keyId], `${key.apiKey}\n`);
    expect(result.code).toBe(0);
    expect(result.err).toBe(
      `Not checked at Momento: that key ${key.keyId} exists, is not revoked, and has role ${APP_ROLE_ID}. Pass --management-secret-id to check before storing.`,
    );
    expect(await stored(secretName)).toEqual({ apiKey: key.apiKey, endpoint: ENDPOINT, roleId: APP_ROLE_ID, keyId: key.keyId, validUntil: key.validUntil });
  });

  it.each([
    ['a bare key with no flags', (k: { apiKey: string }) => ({ stdin: k.apiKey, flags: [] as string[] }), /^Which role does this key have\? Pass --role .*--management-secret-id NAME to read it from Momento \(nothing was stored\)\.$/],
    ['a "keyId" in the file that is not the key\'s own', (k: { apiKey: string; keyId: string }) => ({ stdin: JSON.stringify({ apiKey: k.apiKey, endpoint: ENDPOINT, roleId: APP_ROLE_ID, keyId: 'someone-elses-key' }), flags: [] as string[] }), /standard input's "keyId" is someone-elses-key, but the key's own id \(its jti claim\) is [0-9a-f-]{36}\. The key id is read from the key: drop "keyId" \(nothing was stored\)\./],
    ['an expired key (its exp claim)', () => ({ stdin: JSON.stringify({ apiKey: fakeV2Key({ exp: 1_600_000_000 }), endpoint: ENDPOINT, roleId: APP_ROLE_ID }), flags: [] as string[] }), /standard input holds a key that expired at 2020-09-13T12:26:40\.000Z\. Create a new key in the console \(nothing was stored\)\./],
    ['an endpoint over http://', (k: { apiKey: string }) => ({ stdin: k.apiKey, flags: ['--endpoint', `http://${ENDPOINT}`, '--role-id', APP_ROLE_ID] }), /--endpoint "http:\/\/\S+" uses http:\/\/, not https:\/\/: expected Momento's region base endpoint/],
  ])('refuses %s, storing nothing', async (_label, input, message) => {
    const key = stack.momento.issueV2Key();
    const secretName = name('imp-bad');
    const { stdin, flags } = input(key);
    const result = await cli(['import', '--secret-id', secretName, ...flags], stdin);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(message);
    expect((await cli(['status', '--secret-id', secretName])).err).toMatch(/no secret/);
  });

  it.each([
    ['a key Momento no longer lists (revoked in the console)', (k: { apiKey: string; keyId: string }) => (stack.momento.revoke(k.apiKey), { keyId: k.keyId, roleId: APP_ROLE_ID }), (k: { keyId: string }) => new RegExp(`Momento does not list key ${k.keyId} in the management key's account: it was revoked, has expired, or belongs to another account \\(nothing was stored\\)`)],
    ['a role that is not the key\'s', (k: { keyId: string }) => ({ keyId: k.keyId, roleId: OPERATOR_ROLE_ID }), (k: { keyId: string }) => new RegExp(`--role-id says role Operator \\(${OPERATOR_ROLE_ID}\\), but Momento lists key ${k.keyId} with role ${APP_ROLE_NAME} \\(${APP_ROLE_ID}\\): its successors would get the wrong role`)],
  ])('with a management secret, refuses %s, storing nothing', async (_label, ids, message) => {
    const management = await stack.storeManagementKey(name('imp-mgmt'));
    const key = stack.momento.issueV2Key();
    const secretName = name('imp-mismatch');
    const { keyId, roleId } = ids(key);
    const result = await cli(['import', '--secret-id', secretName, '--endpoint', ENDPOINT, '--role-id', roleId, '--key-id', keyId, '--management-secret-id', management.arn], key.apiKey);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(message(key));
    expect((await cli(['status', '--secret-id', secretName])).err).toMatch(/no secret/);
  });

  it('refuses v2 flags for a v1 key file (usage)', async () => {
    const result = await cli(['import', '--secret-id', name('imp-v1'), '--endpoint', ENDPOINT], JSON.stringify(stack.momento.issueKey()));
    expect(result).toMatchObject({ code: 2, err: expect.stringMatching(/are for v2 keys; this is not one/) });
  });
});

describe('status', () => {
  it('shows rotation settings and every version with fingerprint, validUntil and days left', async () => {
    const { arn } = await rotatableSecret('status');
    await stack.service.rotate(arn, stack.newContainer());
    const result = await cli(['status', '--secret-id', arn]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Rotation {4}enabled/);
    expect(result.out).toMatch(/Function {4}arn:aws:lambda:/);
    expect(result.out).toMatch(/AWSCURRENT\s+sha256:[0-9a-f]{8}\s+\S+Z\s+29\s+refresh/);
    expect(result.out).toMatch(/AWSPREVIOUS\s+sha256:[0-9a-f]{8}/);
    expect(result.out).not.toContain('WARNING');

    const json = JSON.parse((await cli(['status', '--secret-id', arn, '--json'])).out);
    expect(json).toMatchObject({ arn, rotationEnabled: true, warnings: [] });
    expect(json.versions).toHaveLength(2);
  });

  it('warns in plain words: rotation off, a key that cannot be refreshed', async () => {
    const key = stack.momento.issueKey();
    const arn = await stack.createSecret(name('bare'), key.apiKey);
    const result = await cli(['status', '--secret-id', arn]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/WARNING {2}Automatic rotation is off/);
    expect(result.out).toMatch(/WARNING {2}The AWSCURRENT key cannot be refreshed \(a bare key, without its refresh token\)/);
    // The AWSCURRENT row itself: its fingerprint, no expiry or days left read from a bare key, and why it cannot rotate.
    expect(result.out).toMatch(/^\S+\s+AWSCURRENT\s+sha256:[0-9a-f]{8}\s+-\s+-\s+no: a bare key, without its refresh token$/m);
  });

  it('warns of a stuck rotation, pointing to repair', async () => {
    const { arn } = await stack.storeConsoleKey(name('stuck'), { lifetimeSeconds: 2 * 86_400 });
    await stack.service.startRotation(arn); // AWSPENDING on a new version that never completes
    const report = JSON.parse((await cli(['status', '--secret-id', arn, '--json'])).out);
    expect(report.pendingVersionId).toBeDefined();
    expect(report.warnings.join('\n')).toMatch(/A rotation is in progress or stuck/);
    expect(report.warnings.join('\n')).toMatch(/repair --secret-id/);
  });
});

describe('status, v2 keys', () => {
  it('shows key id, role and expiry per version; with a management secret, validity at Momento, leftovers, and a revoked AWSCURRENT as an emergency', async () => {
    const management = await stack.storeManagementKey(name('st-mgmt'));
    const { arn, key } = await stack.storeV2Key(name('st-v2'));
    const container = stack.newContainer({ managementSecretId: management.arn });
    await stack.service.rotate(arn, container);

    const plain = await cli(['status', '--secret-id', arn]);
    expect(plain.code).toBe(0);
    expect(plain.out).toMatch(/KEY ID\s+ROLE\s+VALID UNTIL\s+DAYS LEFT\s+ROTATES BY/);
    expect(plain.out).toMatch(new RegExp(`AWSPREVIOUS\\s+sha256:[0-9a-f]{8}\\s+${key.keyId}\\s+${APP_ROLE_ID}\\s+\\S+Z\\s+59\\s+mint`));
    expect(plain.out).toMatch(new RegExp(`AWSCURRENT\\s+sha256:[0-9a-f]{8}\\s+\\S+\\s+${APP_ROLE_ID}\\s+\\S+Z\\s+29\\s+mint`));
    expect(plain.out).not.toContain('WARNING');

    // A key minted for this secret that no version stores (a container died before storing it).
    const current = JSON.parse(await stack.service.value(arn, 'AWSCURRENT'));
    const leftover = stack.momento.issueV2Key({ description: `momento-secret-rotation ${(await import('../../src/rotation/strategies/mint-v2.js')).secretTag(arn)} x version 11111111-2222-3333-4444-555555555555 after ${current.keyId}` });
    const checked = JSON.parse((await cli(['status', '--secret-id', arn, '--json', '--management-secret-id', management.arn])).out);
    expect(checked.momento.versions.map((v: { validAtMomento: boolean }) => v.validAtMomento)).toEqual([true, true]);
    expect(checked.momento.leftovers).toEqual([expect.objectContaining({ keyId: leftover.keyId, mintedForVersion: '11111111-2222-3333-4444-555555555555' })]);
    expect(checked.momento.currentRevoked).toBe(false);
    expect(checked.warnings.join('\n')).toMatch(new RegExp(`Key ${leftover.keyId} was minted for this secret .* no version stores it`));

    stack.momento.revoke(current.apiKey);
    const emergency = await cli(['status', '--secret-id', arn, '--management-secret-id', management.arn]);
    expect(emergency.code).toBe(0);
    expect(emergency.out).toMatch(/AWSCURRENT.*REVOKED/);
    expect(emergency.out).toMatch(/WARNING {2}EMERGENCY: the AWSCURRENT key \(key id \S+\) is revoked or expired at Momento.*Rotate now/);
  });

  it('refuses a management secret without a v2 key, and a key-management URL that would send it in clear', async () => {
    const { arn } = await stack.storeV2Key(name('st-badmgmt'));
    const notV2 = await stack.createSecret(name('st-v1mgmt'), JSON.stringify(stack.momento.issueKey()));
    const wrong = await cli(['status', '--secret-id', arn, '--management-secret-id', notV2]);
    expect(wrong).toMatchObject({ code: 1, err: expect.stringMatching(/does not hold a v2 key, bare or as \{"apiKey": "<key>"\}\. Store there a key whose role may manage API keys \(auth_management read, write and list/) });

    const management = await stack.storeManagementKey(name('st-mgmt-url'));
    const saved = process.env.MOMENTO_API_KEYS_URL;
    process.env.MOMENTO_API_KEYS_URL = 'http://keys.example.com';
    try {
      const insecure = await cli(['status', '--secret-id', arn, '--management-secret-id', management.arn]);
      expect(insecure).toMatchObject({ code: 1, err: expect.stringMatching(/uses http:\/\/ to a host that is not loopback/) });
    } finally {
      process.env.MOMENTO_API_KEYS_URL = saved;
    }
  });

  it('warns that a v2 key without a role cannot be rotated, and says how to add it', async () => {
    const key = stack.momento.issueV2Key();
    const arn = await stack.createSecret(name('st-norole'), JSON.stringify({ apiKey: key.apiKey, endpoint: 'cell-1.example', keyId: key.keyId }));
    const result = await cli(['status', '--secret-id', arn]);
    expect(result.out).toMatch(/no: a v2 key without "roleId", which minting its successor needs/);
    expect(result.out).toMatch(/WARNING {2}The AWSCURRENT key cannot be rotated \(a v2 key without "roleId", which minting its successor needs\)\. Import the key again, which derives them: momento-secret-rotation import --secret-id \S+ --management-secret-id NAME/);
  });
});

describe('migrate (v1 to v2)', () => {
  const ENDPOINT = FAKE_V2_ENDPOINT;

  it('stores role and endpoint beside the same v1 key as a new AWSCURRENT, says the v1 key stays valid, and with --rotate ends on a v2 key', async () => {
    const { arn, key } = await rotatableSecret('mig');
    const management = await stack.storeManagementKey(name('mig-mgmt'));
    const [result] = await Promise.all([
      cli(['migrate', '--secret-id', arn, '--role-id', APP_ROLE_ID, '--endpoint', ENDPOINT, '--rotate']),
      serviceRunsNextRotation(arn, { managementSecretId: management.arn }),
    ]);
    expect(result.err).toBe(`Not checked at Momento: role ${APP_ROLE_ID}.`);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Stored role r-5c1e0a7b and endpoint \S+ beside the same v1 key \(sha256:[0-9a-f]{8}\)/);
    expect(result.out).toMatch(/The v1 key stays valid until \d{4}-\S+: Momento cannot revoke it/);
    expect(result.out).toMatch(/Migrated: AWSCURRENT holds a v2 key \(key id \S+, role r-5c1e0a7b\)/);
    const current = JSON.parse(await stack.service.value(arn, 'AWSCURRENT'));
    expect(current).toMatchObject({ endpoint: ENDPOINT, roleId: APP_ROLE_ID, keyId: expect.any(String) });
    expect(current.refreshToken).toBeUndefined();
    expect(await stack.currentKeyWorks(arn)).toBe(true);
    expect(stack.momento.accepts(key.apiKey)).toBe(true); // the v1 key is not revoked
    // AWSPREVIOUS is the migrated v1 version: the same key, with the role and endpoint added.
    expect(JSON.parse(await stack.service.value(arn, 'AWSPREVIOUS'))).toEqual({ ...key, roleId: APP_ROLE_ID, endpoint: ENDPOINT });
  });

  it('without --rotate, stores the fields and says how to start the rotation', async () => {
    const { arn, key } = await rotatableSecret('mig-norotate');
    const result = await cli(['migrate', '--secret-id', arn, '--role-id', APP_ROLE_ID, '--endpoint', ENDPOINT]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Start that rotation now with: momento-secret-rotation rotate --secret-id/);
    expect(JSON.parse(await stack.service.value(arn, 'AWSCURRENT'))).toEqual({ ...key, roleId: APP_ROLE_ID, endpoint: ENDPOINT });
  });

  it('refuses a secret that already holds a v2 key, a rotation in progress, and an endpoint that is not one; changing nothing', async () => {
    const v2 = await stack.storeV2Key(name('mig-v2'));
    const already = await cli(['migrate', '--secret-id', v2.arn, '--role-id', APP_ROLE_ID, '--endpoint', ENDPOINT]);
    expect(already).toMatchObject({ code: 1, err: expect.stringMatching(/already holds a v2 key: nothing to migrate/) });

    const { arn } = await rotatableSecret('mig-pending');
    await stack.service.startRotation(arn, false);
    const stages = await stack.service.stages(arn);
    const pending = await cli(['migrate', '--secret-id', arn, '--role-id', APP_ROLE_ID, '--endpoint', ENDPOINT]);
    expect(pending).toMatchObject({ code: 1, err: expect.stringMatching(/A rotation is in progress or stuck .*repair --secret-id/) });
    expect(await stack.service.stages(arn)).toEqual(stages);

    const url = await cli(['migrate', '--secret-id', arn, '--role-id', APP_ROLE_ID, '--endpoint', 'http://x']);
    expect(url).toMatchObject({ code: 1, err: expect.stringMatching(/^--endpoint "http:\/\/x" uses http:\/\/, not https:\/\/: expected Momento's region base endpoint/) });
    expect(await stack.service.stages(arn)).toEqual(stages);
    const bare = await stack.createSecret(name('mig-bare'), 'not a key file');
    const notAKeyFile = await cli(['migrate', '--secret-id', bare, '--role-id', APP_ROLE_ID, '--endpoint', ENDPOINT]);
    expect(notAKeyFile).toMatchObject({ code: 1, err: expect.stringMatching(/holds no key file .*import a key first/) });
    const missing = await cli(['migrate', '--secret-id', arn, '--endpoint', ENDPOINT]);
    expect(missing).toMatchObject({ code: 2, err: expect.stringMatching(/migrate needs --role \(the role the v2 keys get, by name or id\)/) });
  });
});

describe('rotate --revoke-previous (a key leaked)', () => {
  /** A v2 secret with rotation configured, and a management key in its own secret. */
  async function leakedV2Secret(label: string, extraFields: Record<string, unknown> = {}) {
    const management = await stack.storeManagementKey(name(`${label}-mgmt`));
    const stored = await stack.storeV2Key(name(label), { extraFields });
    await stack.service.endRotation(stored.arn, await stack.service.startRotation(stored.arn, false));
    return { ...stored, management };
  }

  it('rotates, then revokes the key AWSCURRENT held before, at once: it no longer authenticates, the new one does', async () => {
    const { arn, key, management } = await leakedV2Secret('leak');
    expect(stack.momento.accepts(key.apiKey)).toBe(true);
    const [result] = await Promise.all([
      cli(['rotate', '--secret-id', arn, '--revoke-previous', '--management-secret-id', management.arn]),
      serviceRunsNextRotation(arn, { managementSecretId: management.arn }),
    ]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain(`Revoked key ${key.keyId} (sha256:`);
    expect(stack.momento.accepts(key.apiKey)).toBe(false);
    expect(await stack.currentKeyWorks(arn)).toBe(true);
    expect(stack.momento.accepts(management.key.apiKey)).toBe(true);
  });

  it('refuses for a v1 key, which cannot be revoked: says until when it stays valid and what to do, and rotates nothing', async () => {
    const { arn, key } = await rotatableSecret('leak-v1');
    const management = await stack.storeManagementKey(name('leak-v1-mgmt'));
    const before = await stack.service.stages(arn);
    const result = await cli(['rotate', '--secret-id', arn, '--revoke-previous', '--management-secret-id', management.arn]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/holds a v1 key, and Momento cannot revoke v1 keys: a leaked one stays valid until \d{4}-.*migrating the secret to v2 keys makes revocation possible/);
    expect(await stack.service.stages(arn)).toEqual(before);
    expect(stack.momento.accepts(key.apiKey)).toBe(true);
  });

  it('refuses a v2 key with no key id (jti claim), whatever "keyId" says, and a management key Momento rejects, before rotating anything', async () => {
    const noId = await leakedV2Secret('leak-noid');
    // A "keyId" stored beside a key without a jti names no key of its own: it is never trusted for revocation.
    await stack.service.client.send(
      new UpdateSecretCommand({ SecretId: noId.arn, SecretString: JSON.stringify({ apiKey: fakeV2Key({ jti: null }), endpoint: 'cell-1.example', roleId: noId.key.roleId, keyId: noId.key.keyId }) }),
    );
    const stagesBefore = await stack.service.stages(noId.arn);
    const missing = await cli(['rotate', '--secret-id', noId.arn, '--revoke-previous', '--management-secret-id', noId.management.arn]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/The AWSCURRENT key of \S+ carries no key id \(its jti claim\), so it cannot be revoked by id: rotate without --revoke-previous, then revoke the old key in the Momento console/);
    expect(stack.momento.accepts(noId.key.apiKey)).toBe(true);
    expect(await stack.service.stages(noId.arn)).toEqual(stagesBefore);

    const { arn } = await leakedV2Secret('leak-badmgmt');
    const badManagement = await stack.createSecret(name('bad-mgmt'), JSON.stringify({ apiKey: fakeV2Key() }));
    const before = await stack.service.stages(arn);
    const rejected = await cli(['rotate', '--secret-id', arn, '--revoke-previous', '--management-secret-id', badManagement]);
    expect(rejected.code).toBe(1);
    expect(rejected.err).toMatch(/Could not use the management key \(nothing was rotated\): the management key is invalid or expired/);
    expect(await stack.service.stages(arn)).toEqual(before);
  });

  it('when the revocation fails after the rotation, says AWSCURRENT moved and names the key to revoke in the console', async () => {
    const { arn, key, management } = await leakedV2Secret('leak-fail');
    stack.momento.failNextKeyApi('revoke', 8, { kind: 'error500' }, management.key.lineage); // every attempt the CLI makes
    const [result] = await Promise.all([
      cli(['rotate', '--secret-id', arn, '--revoke-previous', '--management-secret-id', management.arn]),
      serviceRunsNextRotation(arn, { managementSecretId: management.arn }),
    ]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/Done: AWSCURRENT is now version/);
    expect(result.err).toMatch(new RegExp(`Could not revoke key ${key.keyId} \\(sha256:[0-9a-f]{8}, now AWSPREVIOUS; AWSCURRENT moved to a new key\\): Momento's key-management API did not answer`));
    // No answer after every retry: the revocation may have been applied, so "as far as this command knows".
    expect(result.err).toMatch(new RegExp(`^Key ${key.keyId} was NOT revoked, as far as this command knows: .*\\n {2}momento-secret-rotation revoke --key-id ${key.keyId} --management-secret-id \\S+$`, 'm'));
    expect(stack.momento.accepts(key.apiKey)).toBe(true);
    expect(await stack.currentKeyWorks(arn)).toBe(true);
  }, 60_000);

  it('refuses to revoke the management key itself (the management secret rotating itself)', async () => {
    const management = await stack.storeManagementKey(name('leak-self'));
    await stack.service.endRotation(management.arn, await stack.service.startRotation(management.arn, false));
    const result = await cli(['rotate', '--secret-id', management.arn, '--revoke-previous', '--management-secret-id', management.arn]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(new RegExp(`^Key ${management.key.keyId} was NOT revoked, and nothing was rotated: AWSCURRENT of \\S+ holds the management key itself, and revoking it would stop every rotation\\.`));
    expect(stack.momento.accepts(management.key.apiKey)).toBe(true);
  });

  it.each([
    [['--revoke-previous'], /--revoke-previous needs --management-secret-id/],
    [['--management-secret-id', 'm'], /--management-secret-id is only for --revoke-previous/],
    [['--revoke-previous', '--management-secret-id', 'm', '--no-wait'], /drop --no-wait/],
  ])('usage errors: %j', async (flags, message) => {
    const result = await cli(['rotate', '--secret-id', 'momento/x', ...flags]);
    expect(result).toMatchObject({ code: 2, err: expect.stringMatching(message) });
  });
});

describe('rotate', () => {
  it('starts a rotation and follows it until AWSCURRENT moves', async () => {
    const { arn, key } = await rotatableSecret('rotate');
    const [result] = await Promise.all([cli(['rotate', '--secret-id', arn, '--timeout', '30']), serviceRunsNextRotation(arn)]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Rotation started: new version [0-9a-f-]{36}/);
    expect(result.out).toMatch(/Done: AWSCURRENT is now version [0-9a-f-]{36} \(key sha256:[0-9a-f]{8}\)/);
    expect(JSON.parse(await stack.service.value(arn, 'AWSCURRENT')).apiKey).not.toBe(key.apiKey);
  });

  it('with --no-wait, starts it and returns', async () => {
    const { arn } = await rotatableSecret('no-wait');
    const result = await cli(['rotate', '--secret-id', arn, '--no-wait']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Not waiting/);
    expect((await cli(['status', '--secret-id', arn, '--json'])).out).toContain('pendingVersionId');
  });

  it('on timeout, says the state the secret is in and what to do', async () => {
    const { arn } = await rotatableSecret('timeout');
    const result = await cli(['rotate', '--secret-id', arn, '--timeout', '1']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/Gave up waiting after 1 s: waiting for createSecret/);
    expect(result.err).toMatch(/AWSCURRENT is unchanged/);
  });

  it('refuses a secret with no rotation function, and one with a rotation stuck', async () => {
    const { arn } = await stack.storeConsoleKey(name('unconfigured'));
    const unconfigured = await cli(['rotate', '--secret-id', arn]);
    expect(unconfigured).toMatchObject({ code: 1, out: '' });
    expect(unconfigured.err).toMatch(/Rotation is not configured .* Deploy the SAM application/);
    await stack.service.startRotation(arn);
    const stuck = await cli(['rotate', '--secret-id', arn]);
    expect(stuck.code).toBe(1);
    expect(stuck.err).toMatch(/already in progress or stuck .* repair --secret-id/);
  });
});

describe('repair', () => {
  it('explains a stuck rotation, refuses a recent one without --force, then clears it and rotation works again', async () => {
    const { arn } = await rotatableSecret('repair');
    const pending = await stack.service.startRotation(arn);

    const explained = await cli(['repair', '--secret-id', arn]);
    expect(explained.code).toBe(0);
    expect(explained.out).toContain(`Stuck rotation: version ${pending} holds AWSPENDING`);
    expect(explained.out).toContain('It has no value');
    expect(explained.out).toContain('Run again with --yes');
    expect((await stack.service.stages(arn))[pending]).toEqual(['AWSPENDING']);

    const recent = await cli(['repair', '--secret-id', arn, '--yes']);
    expect(recent).toMatchObject({ code: 1, err: expect.stringMatching(/may still be running/) });

    const repaired = await cli(['repair', '--secret-id', arn, '--yes', '--force']);
    expect(repaired.code).toBe(0);
    expect(repaired.out).toMatch(/Removed AWSPENDING from version .* automatic rotation is still on/);
    expect((await stack.service.stages(arn))[pending] ?? []).toEqual([]);

    const [rotated] = await Promise.all([cli(['rotate', '--secret-id', arn, '--timeout', '30']), serviceRunsNextRotation(arn)]);
    expect(rotated.code).toBe(0);
  });

  it('removes an old stuck label without --force, and says when there is nothing to repair', async () => {
    const { arn } = await rotatableSecret('repair-old');
    await stack.service.startRotation(arn);
    const lines: string[] = [];
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = stack.moto.endpoint;
    const inAnHour = Date.now() + 60 * 60 * 1000;
    await repair(stack.service.client, { secretId: arn, yes: true, force: false }, { out: (l) => lines.push(l), err: (l) => lines.push(l) }, inAnHour);
    expect(lines.join('\n')).toMatch(/Removed AWSPENDING/);
    expect((await cli(['repair', '--secret-id', arn])).out).toMatch(/No stuck rotation/);
  });
});

describe('common behaviour', () => {
  it('answers an unknown secret with exit 1 and a message naming it', async () => {
    const result = await cli(['status', '--secret-id', 'momento/does-not-exist']);
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      'Secrets Manager has no secret "momento/does-not-exist" in this Region and account. Check the name or ARN, --region and --profile.',
    );
  });

  it.each([
    [[], 0, /Commands:/],
    [['--help'], 0, /Commands:/],
    [['import', '--help'], 0, /--kms-key-id/],
    [['status', '-h'], 0, /--json/],
    [['help', 'rotate'], 0, /--no-wait/],
    [['repair', '--help'], 0, /--force/],
    [['frobnicate'], 2, /Unknown command "frobnicate"/],
    [['status'], 2, /status needs --secret-id/],
    [['status', '--secret-id', 'x', '--yes'], 2, /status does not take --yes/],
    [['status', '--secret-id'], 2, /argument missing|--secret-id/],
    [['import', '--secret-id', 'x', '--tag', 'novalue'], 2, /--tag takes KEY=VALUE/],
    [['rotate', '--secret-id', 'x', '--timeout', 'soon'], 2, /--timeout takes a whole number/],
    [['status', 'extra', '--secret-id', 'x'], 2, /Unexpected argument "extra"/],
  ])('%j exits %i', async (args, code, message) => {
    const result = await cli(args as string[]);
    expect(result.code).toBe(code);
    expect(code === 0 ? result.out : result.err).toMatch(message);
  });

  it('the built command runs from dist/cli.js, and says when credentials or the Region are missing', async () => {
    const { execFileSync } = await import('node:child_process');
    const run = (env: Record<string, string>) => {
      try {
        execFileSync(process.execPath, ['dist/cli.js', 'status', '--secret-id', 'x'], {
          env: { PATH: process.env.PATH ?? '', HOME: dir, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'), ...env },
          encoding: 'utf8',
          stdio: 'pipe',
        });
        return { code: 0, err: '' };
      } catch (error) {
        const e = error as { status: number; stderr: string };
        return { code: e.status, err: withoutNodeFloorWarning(e.stderr) };
      }
    };
    expect(run({})).toEqual({ code: 1, err: "No AWS Region set. Pass --region (the secret's Region), or set AWS_REGION.\n" });
    const noCredentials = run({ AWS_REGION: 'us-east-1' });
    expect(noCredentials.code).toBe(1);
    expect(noCredentials.err).toMatch(/^No AWS credentials found/);
  });

  it('does not disturb automatic rotation settings when reading (status is read-only)', async () => {
    const { arn } = await rotatableSecret('readonly');
    await stack.service.client.send(new UpdateSecretCommand({ SecretId: arn, Description: 'kept' }));
    const before = await stack.service.stages(arn);
    // Through the counting proxy this time: every operation status makes is a read.
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = stack.proxy.endpoint;
    const counts = { ...stack.proxy.counts };
    const code = await runCli(['status', '--secret-id', arn], { out: () => undefined, err: () => undefined });
    const used = Object.keys(stack.proxy.counts).filter((op) => stack.proxy.counts[op] !== counts[op]);
    expect(code).toBe(0);
    expect(used.sort()).toEqual(['DescribeSecret', 'GetSecretValue', 'ListSecretVersionIds']);
    expect(await stack.service.stages(arn)).toEqual(before);
  });
});
