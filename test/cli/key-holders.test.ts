import { GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient, SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { keyIdsHeldIn, secretNames, secretsHoldingKey, secretValueText, unreadableText } from '../../src/cli/key-holders.js';
import { runCli } from '../../src/cli/main.js';
import { consoleKeyFile, fakeV2Key, jtiOf } from '../support/secrets.js';

// Which secrets of a Region hold a v2 key in AWSCURRENT (revoke's refusal, import's shared-key check).
const sm = mockClient(SecretsManagerClient);
afterEach(() => sm.reset());

const client = () => new SecretsManagerClient({ region: 'eu-west-1' });
const arn = (n: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${n}-AbCdEf`;
const awsError = (name: string, message = name) => new SecretsManagerServiceException({ name, message, $fault: 'client', $metadata: {} });

describe('secretsHoldingKey', () => {
  const key = fakeV2Key();
  const keyId = jtiOf(key);

  it('reads every page of ListSecrets and every secret\'s AWSCURRENT, finding the key as a key file, bare, or in a binary value', async () => {
    sm.on(ListSecretsCommand, { NextToken: undefined }).resolves({ SecretList: [{ ARN: arn('a'), Name: 'a' }, { ARN: arn('other'), Name: 'other' }], NextToken: 'p2' });
    sm.on(ListSecretsCommand, { NextToken: 'p2' }).resolves({
      SecretList: [{ ARN: arn('b'), Name: 'b' }, { ARN: arn('v1'), Name: 'v1' }, { ARN: arn('text'), Name: 'text' }, { ARN: arn('binary'), Name: 'binary' }, { ARN: arn('binary-other'), Name: 'binary-other' }],
    });
    sm.on(GetSecretValueCommand, { SecretId: arn('a') }).resolves({ SecretString: JSON.stringify({ apiKey: key, endpoint: 'cell-1.example', roleId: 'r' }) });
    sm.on(GetSecretValueCommand, { SecretId: arn('other') }).resolves({ SecretString: fakeV2Key() });
    sm.on(GetSecretValueCommand, { SecretId: arn('b') }).resolves({ SecretString: `${key}\n` });
    sm.on(GetSecretValueCommand, { SecretId: arn('v1') }).resolves({ SecretString: JSON.stringify(consoleKeyFile()) });
    sm.on(GetSecretValueCommand, { SecretId: arn('text') }).resolves({ SecretString: 'postgres://user:pw@db' });
    sm.on(GetSecretValueCommand, { SecretId: arn('binary') }).resolves({ SecretBinary: new TextEncoder().encode(`MOMENTO_API_KEY=${key}`) });
    sm.on(GetSecretValueCommand, { SecretId: arn('binary-other') }).resolves({ SecretBinary: new Uint8Array([0xff, 0x00, 0x2e]) });
    const found = await secretsHoldingKey(client(), keyId);
    expect(found).toEqual({
      region: 'eu-west-1',
      holders: [{ name: 'a', arn: arn('a') }, { name: 'b', arn: arn('b') }, { name: 'binary', arn: arn('binary') }],
      unreadable: [],
    });
    expect(sm.commandCalls(ListSecretsCommand)).toHaveLength(2);
    expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual(
      expect.arrayContaining(['a', 'other', 'b', 'v1', 'text'].map((n) => ({ SecretId: arn(n), VersionStage: 'AWSCURRENT' }))),
    );
  });

  it('leaves out the secret being written, secrets scheduled for deletion, and secrets with no AWSCURRENT value', async () => {
    sm.on(ListSecretsCommand).resolves({
      SecretList: [{ ARN: arn('self'), Name: 'self' }, { ARN: arn('deleted'), Name: 'deleted', DeletedDate: new Date() }, { ARN: arn('empty'), Name: 'empty' }],
    });
    sm.on(GetSecretValueCommand, { SecretId: arn('self') }).resolves({ SecretString: key });
    sm.on(GetSecretValueCommand, { SecretId: arn('empty') }).rejects(awsError('ResourceNotFoundException'));
    expect(await secretsHoldingKey(client(), keyId, arn('self'))).toEqual({ region: 'eu-west-1', holders: [], unreadable: [] });
    expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual([arn('empty')]);
  });

  it('names the secrets it could not read, and why', async () => {
    sm.on(ListSecretsCommand).resolves({ SecretList: [{ ARN: arn('locked'), Name: 'locked' }, { ARN: arn('kms'), Name: 'kms' }] });
    sm.on(GetSecretValueCommand, { SecretId: arn('locked') }).rejects(awsError('AccessDeniedException'));
    sm.on(GetSecretValueCommand, { SecretId: arn('kms') }).rejects(awsError('DecryptionFailure'));
    const found = await secretsHoldingKey(client(), keyId);
    expect(found.holders).toEqual([]);
    expect(found.unreadable).toEqual([
      { name: 'kms', arn: arn('kms'), reason: 'DecryptionFailure' },
      { name: 'locked', arn: arn('locked'), reason: 'AccessDeniedException' },
    ]);
  });

  it('says when ListSecrets is denied (nothing checked), and passes on other failures', async () => {
    sm.on(ListSecretsCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: secretsmanager:ListSecrets'));
    expect(await secretsHoldingKey(client(), keyId)).toEqual({
      region: 'eu-west-1',
      holders: [],
      unreadable: [],
      listFailed: 'ListSecrets was denied (not authorized to perform: secretsmanager:ListSecrets)',
    });
    sm.on(ListSecretsCommand).rejects(awsError('ThrottlingException'));
    await expect(secretsHoldingKey(client(), keyId)).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});

describe('unreadableText', () => {
  const unreadable = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `s${i + 1}`, arn: arn(`s${i + 1}`), reason: 'AccessDeniedException' }));

  it('names each secret it could not read, and why', () => {
    expect(unreadableText({ region: 'eu-west-1', holders: [], unreadable: unreadable(1) })).toBe(
      'AWSCURRENT of 1 secret in eu-west-1 could not be read (s1: AccessDeniedException)',
    );
  });

  it('counts them all, and names the first five', () => {
    expect(unreadableText({ region: 'eu-west-1', holders: [], unreadable: unreadable(6) })).toBe(
      'AWSCURRENT of 6 secrets in eu-west-1 could not be read (s1: AccessDeniedException, s2: AccessDeniedException, s3: AccessDeniedException, ' +
        's4: AccessDeniedException, s5: AccessDeniedException, …)',
    );
    expect(unreadableText({ region: 'eu-west-1', holders: [], unreadable: unreadable(5) })).toMatch(/s5: AccessDeniedException\)$/);
  });
});

describe('keyIdsHeldIn', () => {
  it.each([
    ['a key file', (k: string) => JSON.stringify({ apiKey: k }), true],
    ['a bare key', (k: string) => k, true],
    ['a key file with a field in error (an endpoint with a port)', (k: string) => JSON.stringify({ apiKey: k, endpoint: 'cell-1.example:443' }), true],
    ["the console's key/value form (another field name)", (k: string) => JSON.stringify({ MOMENTO_API_KEY: k }), true],
    ['KEY=value text', (k: string) => `MOMENTO_API_KEY=${k}\nOTHER=1`, true],
    ['text with dotted words right before it', (k: string) => `prod.momento.${k}`, true],
    ['a key file in base64 (a Kubernetes manifest)', (k: string) => `data:\n  key.json: ${Buffer.from(JSON.stringify({ apiKey: k })).toString('base64')}`, true],
    ['a run of dots', () => '.'.repeat(10_000), false],
    ['a v1 key file', () => JSON.stringify(consoleKeyFile()), false],
    ['text', () => 'hunter2 a.b.c', false],
  ])('reads %s', (_label, store, holds) => {
    const key = fakeV2Key();
    expect([...keyIdsHeldIn(store(key))]).toEqual(holds ? [jtiOf(key)] : []);
  });

  it('reads a binary value as UTF-8, and as UTF-16 when it holds NUL bytes (Windows PowerShell 5 output)', () => {
    const key = fakeV2Key();
    for (const encoding of ['utf8', 'utf16le'] as const) {
      const text = secretValueText({ SecretBinary: new Uint8Array(Buffer.from(`MOMENTO_API_KEY=${key}`, encoding)) });
      expect([...keyIdsHeldIn(text!)]).toEqual([jtiOf(key)]);
    }
    expect(secretValueText({ SecretString: 'text', SecretBinary: new Uint8Array([1]) })).toBe('text');
    expect(secretValueText({})).toBeUndefined();
  });

  it('finds every key a value holds', () => {
    const [a, b] = [fakeV2Key(), fakeV2Key()];
    expect(keyIdsHeldIn(JSON.stringify({ app: a, admin: { key: b } }))).toEqual(new Set([jtiOf(a), jtiOf(b)]));
  });
});

it('secretNames lists up to five, then how many more', () => {
  const refs = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `s${i}`, arn: arn(`s${i}`) }));
  expect(secretNames(refs(2))).toBe('s0, s1');
  expect(secretNames(refs(7))).toBe('s0, s1, s2, s3, s4 and 2 more');
});

/** `revoke --key-id k-1` with a management secret `mgmt`, and no Momento to reach: a call would fail, and none must be made. */
async function revokeWithoutMomento() {
  sm.on(GetSecretValueCommand, { SecretId: 'mgmt' }).resolves({ SecretString: JSON.stringify({ apiKey: fakeV2Key() }) });
  const saved = process.env.MOMENTO_API_KEYS_URL;
  process.env.MOMENTO_API_KEYS_URL = 'http://127.0.0.1:9'; // nothing listens
  try {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['revoke', '--key-id', 'k-1', '--management-secret-id', 'mgmt', '--region', 'eu-west-1'], { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  } finally {
    if (saved === undefined) delete process.env.MOMENTO_API_KEYS_URL;
    else process.env.MOMENTO_API_KEYS_URL = saved;
  }
}

describe('revoke, when it cannot tell which secrets hold the key', () => {
  it('ListSecrets denied: refuses without --force, saying what it needs; nothing reaches Momento', async () => {
    sm.on(ListSecretsCommand).rejects(awsError('AccessDeniedException', 'no ListSecrets for you'));
    expect(await revokeWithoutMomento()).toEqual({
      code: 1,
      out: [],
      err: [
        'Could not check which secrets in eu-west-1 hold key k-1: ListSecrets was denied (no ListSecrets for you). Nothing was revoked. ' +
          'Run it with secretsmanager:ListSecrets, and GetSecretValue on the secrets, or pass --force to revoke it without checking.',
      ],
    });
  });

  it('a secret it cannot read: refuses without --force (that secret may hold the key), naming it and what it needs; nothing reaches Momento', async () => {
    sm.on(ListSecretsCommand).resolves({ SecretList: [{ ARN: arn('locked'), Name: 'locked' }, { ARN: arn('open'), Name: 'open' }] });
    sm.on(GetSecretValueCommand, { SecretId: arn('locked') }).rejects(awsError('AccessDeniedException'));
    sm.on(GetSecretValueCommand, { SecretId: arn('open') }).resolves({ SecretString: fakeV2Key() });
    expect(await revokeWithoutMomento()).toEqual({
      code: 1,
      out: [],
      err: [
        'Could not check that no secret holds key k-1: AWSCURRENT of 1 secret in eu-west-1 could not be read (locked: AccessDeniedException), ' +
          'and one of them may hold it. Nothing was revoked. Run it with GetSecretValue (and kms:Decrypt) on those secrets, or pass --force to revoke it without checking them.',
      ],
    });
  });
});
