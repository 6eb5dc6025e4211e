import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/errors.js';
import { findRole, keyApiAccess, listKeys, listRoles, resolveRole, rolesInWords, type KeyApiAccess } from '../../src/cli/key-api.js';
import { KeyApiError, type KeyManagementApi, type RoleInfo } from '../../src/momento/key-management.js';
import { APP_ROLE_ID, APP_ROLE_NAME, OPERATOR_ROLE_ID, OWNER_ROLE_ID, VIEWER_ROLE_ID } from '../support/momento-roles.js';
import { expectFailure } from '../support/capture-output.js';
import { consoleKeyFile, fakeV2Key, jtiOf, leakedSecrets } from '../support/secrets.js';

const role = (roleId: string, roleName: string): RoleInfo => ({ roleId, roleName, roleType: roleId.startsWith('r-') ? 'system' : 'custom', superUser: false, rules: [] });
const ROLES = [role(OWNER_ROLE_ID, 'Owner'), role(OPERATOR_ROLE_ID, 'Operator'), role(VIEWER_ROLE_ID, 'Viewer'), role(APP_ROLE_ID, APP_ROLE_NAME)];

describe('roles by name or id', () => {
  it('finds a role by its id or its name', () => {
    expect(findRole(ROLES, APP_ROLE_ID)?.roleId).toBe(APP_ROLE_ID);
    expect(findRole(ROLES, APP_ROLE_NAME)?.roleId).toBe(APP_ROLE_ID);
    expect(findRole(ROLES, 'Operator')?.roleId).toBe(OPERATOR_ROLE_ID);
    expect(findRole(ROLES, 'operator')).toBeUndefined(); // matched exactly, as Momento's CLI does
    expect(findRole(ROLES, 'r-nope')).toBeUndefined();
  });

  it('prefers an id over a name that happens to equal it', () => {
    const confusing = [role('r-aaaa', 'r-bbbb'), role('r-bbbb', 'other')];
    expect(findRole(confusing, 'r-bbbb')?.roleName).toBe('other');
    expect(findRole([...confusing].reverse(), 'r-bbbb')?.roleName).toBe('other');
  });

  it('refuses an unknown role, listing the account\'s roles name → id', () => {
    expect(() => resolveRole(ROLES, 'app-read-write', '--role')).toThrow(
      new CliError('--role "app-read-write" is neither the name nor the id of a role in this Momento account. Its roles (name → id): Owner → r-owner, Operator → r-operator, Viewer → r-viewer, app-readwrite → r-5c1e0a7b.'),
    );
    expect(resolveRole(ROLES, APP_ROLE_NAME, '--role')).toBe(ROLES[3]);
  });

  it('words a role without a name, and an account without roles', () => {
    expect(rolesInWords([role('r-x', '')])).toBe('(no name) → r-x');
    expect(rolesInWords([])).toBe('none');
  });
});

describe('keyApiAccess', () => {
  const sm = mockClient(SecretsManagerClient);
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.MOMENTO_API_KEYS_URL;
    delete process.env.MOMENTO_API_KEYS_URL;
  });
  afterEach(() => {
    sm.reset();
    if (saved === undefined) delete process.env.MOMENTO_API_KEYS_URL;
    else process.env.MOMENTO_API_KEYS_URL = saved;
  });
  const client = () => new SecretsManagerClient({ region: 'us-east-1' });

  it.each([
    ['a bare key', (k: string) => k],
    ['a bare key with a newline', (k: string) => `${k}\n`],
    ['{"apiKey"}', (k: string) => JSON.stringify({ apiKey: k })],
    ['{"apiKey", "keyId"} whose keyId is not the key\'s', (k: string) => JSON.stringify({ apiKey: k, keyId: 'typed' })],
  ])('reads the management key from %s, its id from its jti', async (_label, store) => {
    const apiKey = fakeV2Key();
    sm.on(GetSecretValueCommand, { SecretId: 'mgmt', VersionStage: 'AWSCURRENT' }).resolves({ SecretString: store(apiKey) });
    const access = await keyApiAccess(client(), 'mgmt');
    expect(access.managementKey).toBe(apiKey);
    expect(access.managementKeyId).toBe(jtiOf(apiKey));
  });

  it.each([
    ['a v1 key file', () => JSON.stringify(consoleKeyFile())],
    ['text', () => 'not a key'],
    ['a JSON object without a key', () => JSON.stringify({ key: fakeV2Key() })],
  ])('refuses a management secret holding %s, without quoting it', async (_label, value) => {
    const secret = value();
    sm.on(GetSecretValueCommand).resolves({ SecretString: secret });
    const error = await expectFailure(keyApiAccess(client(), 'mgmt'), CliError);
    expect(error.message).toMatch(/^The management secret mgmt does not hold a v2 key, bare or as \{"apiKey": "<key>"\}.*\(auth_management read, write and list: see docs\/secret-format\.md, "The management key"\)\.$/);
  });

  it('refuses to send the management key over http:// to another host, before reading it', async () => {
    process.env.MOMENTO_API_KEYS_URL = 'http://keys.example.com';
    await expect(keyApiAccess(client(), 'mgmt')).rejects.toThrow(/MOMENTO_API_KEYS_URL "http:\/\/keys\.example\.com" uses http:\/\/ to a host that is not loopback/);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });
});

describe('listKeys and listRoles', () => {
  const failing = (error: Error): KeyApiAccess => {
    const api: KeyManagementApi = {
      mint: async () => Promise.reject(error),
      list: async () => Promise.reject(error),
      revoke: async () => Promise.reject(error),
      listRoles: async () => Promise.reject(error),
    };
    return { api, managementKey: fakeV2Key(), managementKeyId: undefined };
  };

  it.each([
    ['forbidden', "the management key's role may not do this (listing needs auth_management list; minting and revoking also write): use a key whose role grants auth_management read, write and list"],
    ['unauthorized', 'the management key is invalid or expired: store a new one in the management secret'],
    ['unavailable', "Momento's key-management API did not answer, after retries: try again"],
  ] as const)('say what could not be done, and why, on %s', async (failure, reason) => {
    const access = failing(new KeyApiError(failure, 'list', 'HTTP 4xx'));
    const keys = await expectFailure(listKeys(access, 'check the key at Momento (nothing was stored)'), CliError);
    expect(keys.message).toBe(`Could not check the key at Momento (nothing was stored): ${reason}.`);
    const roles = await expectFailure(listRoles(access, 'check the role at Momento (nothing was stored)'), CliError);
    expect(roles.message).toBe(`Could not check the role at Momento (nothing was stored): ${reason}.`);
    expect(leakedSecrets(keys.message + roles.message)).toEqual([]);
  });

  it('pass what Momento lists through', async () => {
    const keys = [{ keyId: 'k1', roleId: APP_ROLE_ID, description: 'd', expiresAt: undefined, issuedAt: undefined }];
    const api = { list: async () => keys, listRoles: async () => ROLES } as unknown as KeyManagementApi;
    const access = { api, managementKey: fakeV2Key(), managementKeyId: undefined };
    expect(await listKeys(access, 'x')).toBe(keys);
    expect(await listRoles(access, 'x')).toBe(ROLES);
  });
});
