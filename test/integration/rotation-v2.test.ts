import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SdkMomentoApi } from '../../src/momento/sdk-momento-api.js';
import { captureOutputAndCheckForLeaks } from '../support/capture-output.js';
import { APP_ROLE_ID, OPERATOR_ROLE_ID } from '../support/momento-roles.js';
import { registerSecret } from '../support/secrets.js';
import { FAKE_V2_ENDPOINT, startLocalStack, type LocalStack } from '../stand-ins/local-stack.js';

// v2 keys end to end: the function (real AWS SDK, real Momento SDK, real fetch) against
// moto_server, the fake Momento's gRPC services and its key-management HTTP API.
const output = captureOutputAndCheckForLeaks();
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ onIssue: registerSecret });
}, 60_000);
afterAll(async () => stack?.stop());

const uniqueName = (label: string) => `momento/${label}-${randomUUID().slice(0, 8)}`;

async function keyAt(secretId: string, stage: string) {
  return JSON.parse(await stack.service.value(secretId, stage)) as { apiKey: string; keyId: string; endpoint: string; roleId: string; validUntil: number };
}

/** Key ids Momento still accepts among those minted for, or stored in, this secret. */
function liveKeyIdsOf(lineages: string[], extra: string[] = []): string[] {
  return stack.momento
    .liveV2Keys()
    .filter((k) => lineages.includes(k.lineage) || extra.includes(k.keyId))
    .map((k) => k.keyId)
    .sort();
}

async function authenticates(apiKey: string): Promise<boolean> {
  const probe = await new SdkMomentoApi({ address: stack.momento.address }).probeApiKey(apiKey, undefined, FAKE_V2_ENDPOINT);
  if (!probe.ok && probe.code !== 'AUTHENTICATION_ERROR') throw new Error(`probe inconclusive: ${probe.code}`);
  return probe.ok;
}

describe('v2 rotation against moto_server and the fake Momento', () => {
  it('rotates three times; the old keys stop authenticating once they leave AWSPREVIOUS; exactly AWSCURRENT and AWSPREVIOUS stay valid (RevokeImportedKeys on)', async () => {
    const management = await stack.storeManagementKey(uniqueName('management'));
    const { arn, key } = await stack.storeV2Key(uniqueName('v2'), { extraFields: { cacheName: 'orders' } });
    const container = stack.newContainer({ managementSecretId: management.arn, revokeImportedKeys: true });

    await stack.service.rotate(arn, container);
    const first = await keyAt(arn, 'AWSCURRENT');
    expect(first).toMatchObject({ endpoint: FAKE_V2_ENDPOINT, roleId: key.roleId, cacheName: 'orders' });
    expect(first.apiKey).not.toBe(key.apiKey);
    expect(await authenticates(first.apiKey)).toBe(true);
    expect(await authenticates(key.apiKey)).toBe(true); // AWSPREVIOUS

    await stack.service.rotate(arn, container);
    expect(await authenticates(key.apiKey)).toBe(false); // fell out of AWSPREVIOUS: revoked
    await stack.service.rotate(arn, container);
    expect(await authenticates(first.apiKey)).toBe(false);

    const held = [(await keyAt(arn, 'AWSCURRENT')).keyId, (await keyAt(arn, 'AWSPREVIOUS')).keyId].sort();
    expect(liveKeyIdsOf([management.key.lineage], [key.keyId]).filter((id) => id !== management.key.keyId)).toEqual(held);
    expect(await stack.currentKeyWorks(arn)).toBe(true);
    expect(output.text()).not.toContain('Could not revoke');
    // Every mint asked for no refresh token (POST /api-keys exclude_refresh_token, as Terraform's test shows).
    expect(stack.momento.mintRequests.length).toBeGreaterThanOrEqual(3);
    expect(stack.momento.mintRequests.every((m) => m.excludeRefreshToken)).toBe(true);
    expect(stack.momento.mintedRefreshTokens).toEqual([]);
  });

  it('Momento sends a refresh token with a minted key anyway: it is in no secret value, log line or error, and the log counts it by key id', async () => {
    const management = await stack.storeManagementKey(uniqueName('management'));
    const { arn } = await stack.storeV2Key(uniqueName('refresh-token'));
    stack.momento.refreshTokenDespiteExclusion = true;
    try {
      await stack.service.rotate(arn, stack.newContainer({ managementSecretId: management.arn }));
    } finally {
      stack.momento.refreshTokenDespiteExclusion = false;
    }
    const tokens = stack.momento.mintedRefreshTokens.slice(-1);
    expect(tokens).toHaveLength(1);
    const current = await keyAt(arn, 'AWSCURRENT');
    for (const stage of ['AWSCURRENT', 'AWSPREVIOUS']) expect(await stack.service.value(arn, stage)).not.toContain(tokens[0]);
    // The leak check of captureOutputAndCheckForLeaks covers every line and error: the token is registered through onIssue.
    expect(output.text()).not.toContain(tokens[0]);
    const records = output.lines().flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
    const dropped = records.find((r) => String(r.message).includes('refresh token'));
    expect(dropped).toMatchObject({ keyId: current.keyId, refreshTokensDropped: 1 });
  });

  it('a stored keyId that names another application\'s key (a typo): that key is never revoked; the key the secret held goes, found by its own id', async () => {
    const management = await stack.storeManagementKey(uniqueName('management'));
    const other = await stack.storeV2Key(uniqueName('other-app'));
    const { arn, key } = await stack.storeV2Key(uniqueName('typo'), { extraFields: { keyId: other.key.keyId } });
    const container = stack.newContainer({ managementSecretId: management.arn, revokeImportedKeys: true });
    await stack.service.rotate(arn, container);
    await stack.service.rotate(arn, container);
    await stack.service.rotate(arn, container);
    expect(await authenticates(other.key.apiKey)).toBe(true);
    expect(await authenticates(key.apiKey)).toBe(false);
    expect(output.text()).toContain(`says ${other.key.keyId}, but the key's own id (its jti claim) is ${key.keyId}`);
  });

  it('a container that dies between minting and storing leaves no extra valid key after this rotation and the next', async () => {
    const management = await stack.storeManagementKey(uniqueName('management'));
    const { arn, key } = await stack.storeV2Key(uniqueName('dies'));
    const token = await stack.service.startRotation(arn);
    // The first container mints, then every write is refused until it dies (its memory goes with it).
    stack.proxy.failNext('PutSecretValue', 40, { kind: 'error500' }, arn);
    const dying = stack.newContainer({ managementSecretId: management.arn, revokeImportedKeys: true });
    await expect(dying({ Step: 'createSecret', SecretId: arn, ClientRequestToken: token })).rejects.toThrow(/PutSecretValue|AWSPENDING/);
    stack.proxy.clearFaults();
    const minted = stack.momento.liveV2Keys().filter((k) => k.description.includes(token));
    expect(minted).toHaveLength(1);

    // Secrets Manager retries the rotation in a fresh container: it mints again and stores that key.
    const fresh = stack.newContainer({ managementSecretId: management.arn, revokeImportedKeys: true });
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) await fresh({ Step, SecretId: arn, ClientRequestToken: token });
    await stack.service.endRotation(arn, token);
    expect(await authenticates((await keyAt(arn, 'AWSCURRENT')).apiKey)).toBe(true);
    const held = async () => [(await keyAt(arn, 'AWSCURRENT')).keyId, (await keyAt(arn, 'AWSPREVIOUS')).keyId].sort();
    const ours = () => liveKeyIdsOf([management.key.lineage], [key.keyId]).filter((id) => id !== management.key.keyId);
    expect(ours()).toEqual(await held());
    expect(ours()).not.toContain(minted[0]!.keyId);

    await stack.service.rotate(arn, fresh);
    expect(ours()).toEqual(await held());
  });

  it('migrates a v1 secret that carries roleId and endpoint: the next key is v2; the v1 key is not revoked and stays valid', async () => {
    const management = await stack.storeManagementKey(uniqueName('management'));
    const { arn, key } = await stack.storeConsoleKey(uniqueName('migrate'), { extraFields: { roleId: APP_ROLE_ID, endpoint: FAKE_V2_ENDPOINT } });
    const container = stack.newContainer({ managementSecretId: management.arn });
    await stack.service.rotate(arn, container);
    const next = await keyAt(arn, 'AWSCURRENT');
    expect(next.keyId).toBeDefined();
    expect((next as { refreshToken?: string }).refreshToken).toBeUndefined();
    expect(await authenticates(next.apiKey)).toBe(true);
    await stack.service.rotate(arn, container);
    await stack.service.rotate(arn, container);
    expect(stack.momento.accepts(key.apiKey)).toBe(true); // v1: cannot be revoked; expires
    expect(output.text()).toContain('v1 keys cannot be revoked');
  });

  it('by default a retired console key is not revoked (it may be held elsewhere): logged and counted as RetiredKeyNotRevoked with its id and the command; keys the function minted are', async () => {
    const management = await stack.storeManagementKey(uniqueName('management'));
    const { arn, key } = await stack.storeV2Key(uniqueName('imported'));
    const container = stack.newContainer({ managementSecretId: management.arn });
    await stack.service.rotate(arn, container);
    const firstMinted = await keyAt(arn, 'AWSCURRENT');
    await stack.service.rotate(arn, container); // the console key leaves AWSPREVIOUS
    await stack.service.rotate(arn, container); // the first minted key leaves AWSPREVIOUS
    expect(await authenticates(key.apiKey)).toBe(true);
    expect(await authenticates(firstMinted.apiKey)).toBe(false);
    expect(output.text()).toContain('RetiredKeyNotRevoked: retired imported key');
    expect(output.text()).toContain(`momento-secret-rotation revoke --key-id ${key.keyId} --management-secret-id ${management.arn}`);
    expect(output.text()).toMatch(/"RetiredKeyNotRevoked":1/);
  });

  it('the same console key in two secrets (staging copied prod\'s): rotating one out never takes the other down', async () => {
    const management = await stack.storeManagementKey(uniqueName('management'));
    const prod = await stack.storeV2Key(uniqueName('prod'));
    const staging = await stack.createSecret(uniqueName('staging'), await stack.service.value(prod.arn, 'AWSCURRENT'));
    const container = stack.newContainer({ managementSecretId: management.arn });
    for (let i = 0; i < 3; i++) await stack.service.rotate(staging, container);
    expect(await authenticates(prod.key.apiKey)).toBe(true);
    expect(await stack.currentKeyWorks(prod.arn)).toBe(true);
  });

  it('the management secret rotates itself: it mints with its own key and revokes the old one once it falls out', async () => {
    const management = await stack.storeManagementKey(uniqueName('self'));
    // The management secret needs the fields any rotated v2 secret has.
    await stack.service.client.send(
      new PutSecretValueCommand({
        SecretId: management.arn,
        SecretString: JSON.stringify({ apiKey: management.key.apiKey, keyId: management.key.keyId, roleId: OPERATOR_ROLE_ID, endpoint: FAKE_V2_ENDPOINT }),
      }),
    );
    const container = stack.newContainer({ managementSecretId: management.arn, revokeImportedKeys: true });
    await stack.service.rotate(management.arn, container);
    const first = await keyAt(management.arn, 'AWSCURRENT');
    expect(first.roleId).toBe(OPERATOR_ROLE_ID);
    expect(stack.momento.accepts(management.key.apiKey)).toBe(true);
    await stack.service.rotate(management.arn, container);
    expect(stack.momento.accepts(management.key.apiKey)).toBe(false);
    expect(stack.momento.accepts(first.apiKey)).toBe(true);
    expect(await stack.currentKeyWorks(management.arn)).toBe(true);
  });

  it('RotateImmediately=false tests the current v2 key without minting', async () => {
    const management = await stack.storeManagementKey(uniqueName('management'));
    const { arn, key } = await stack.storeV2Key(uniqueName('test-only'));
    const mints = stack.momento.keyApiCalls.mint;
    await stack.service.testOnly(arn, stack.newContainer({ managementSecretId: management.arn }));
    expect(stack.momento.keyApiCalls.mint).toBe(mints);
    expect((await keyAt(arn, 'AWSCURRENT')).apiKey).toBe(key.apiKey);
  });

  it('the expiry report retries a revocation that failed at finishSecret', async () => {
    const management = await stack.storeManagementKey(uniqueName('management'));
    const { arn, key } = await stack.storeV2Key(uniqueName('report'));
    const container = stack.newContainer({ managementSecretId: management.arn, revokeImportedKeys: true });
    await stack.service.rotate(arn, container);
    stack.momento.failNextKeyApi('revoke', 8, { kind: 'error500' }, management.key.lineage);
    await stack.service.rotate(arn, container);
    expect(stack.momento.accepts(key.apiKey)).toBe(true);
    stack.momento.clearFaults();
    await container({ Action: 'ReportKeyExpiry', SecretId: arn });
    expect(stack.momento.accepts(key.apiKey)).toBe(false);
  });
});
