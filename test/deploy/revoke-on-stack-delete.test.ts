import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeployAnswer, DeployDeps, DeployRequest } from '../../src/deploy/custom-resource.js';
import { answerDelete } from '../../src/deploy/revoke-on-stack-delete.js';
import { createHandler } from '../../src/handler.js';
import { mintedKeyDescription } from '../../src/rotation/strategies/mint-v2.js';
import { captureOutputAndCheckForLeaks } from '../support/capture-output.js';
import { MANAGEMENT_SECRET_ID, rotationHarness, type Harness } from '../support/harness.js';
import { APP_ROLE_ID } from '../support/momento-roles.js';
import { serviceError } from '../support/secrets-manager-model.js';
import { fakeV2Key } from '../support/secrets.js';

/**
 * The DeployTimeReport custom resource's Delete (src/deploy/revoke-on-stack-delete.ts): on
 * stack delete it revokes every live key minted for the secret; on any other Delete
 * (replacement, removal from the template, rollback) it revokes nothing. Always SUCCESS.
 */
const output = captureOutputAndCheckForLeaks();
const RESPONSE_URL = 'https://cloudformation-custom-resource-response.s3.amazonaws.com/stack?X-Amz-Signature=abc';
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/rotation/1';
const OTHER_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/other-QwErTy';

function deleteRequest(properties: Record<string, unknown>) {
  return {
    RequestType: 'Delete',
    ResponseURL: RESPONSE_URL,
    StackId: STACK_ID,
    RequestId: 'req-9',
    LogicalResourceId: 'DeployTimeReport',
    ResourceType: 'Custom::MomentoKeyExpiryReport',
    PhysicalResourceId: 'DeployTimeReport-req-1',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:f', ...properties },
  };
}

/** CloudFormation as the custom resource sees it: the stack's status, and the answers sent. */
function fakeCloudFormation(status: string | (() => Promise<string | undefined>)) {
  const sent: Record<string, any>[] = [];
  const statusAsked: string[] = [];
  const deploy: DeployDeps = {
    async sendResponse(_url, body) {
      sent.push(JSON.parse(body));
    },
    async reportVisible() {
      throw new Error('a Delete reports nothing');
    },
    async stackStatus(stackId) {
      statusAsked.push(stackId);
      return typeof status === 'string' ? status : status();
    },
    now: Date.now,
  };
  return { deploy, sent, statusAsked };
}

/** The log records (not the EMF lines). */
const logRecords = () =>
  output
    .lines()
    .map((l) => JSON.parse(l) as Record<string, any>)
    .filter((r) => 'level' in r);

describe('on Delete, the DeployTimeReport custom resource revokes the keys minted for the secret only when the stack is being deleted', () => {
  let h: Harness;
  afterEach(() => h.restore());

  /**
   * A v2 secret: the console key it started with, two keys minted for it (the second in AWSCURRENT),
   * one minted for it that has expired, and a key minted for another secret in the same account.
   */
  function arrange(options: { remainingMs?: number; secretLivesOn?: boolean } = {}) {
    h = rotationHarness({ managementSecretId: MANAGEMENT_SECRET_ID, ...(options.remainingMs ? { remainingMs: options.remainingMs } : {}) });
    // The secret is deleted with (or before) the stack: DeleteSecret schedules it, and its keys may all go.
    if (!options.secretLivesOn) h.sm.deletedDate = new Date(h.clock.now);
    const nowSeconds = Math.floor(h.clock.now / 1000);
    const consoleKey = h.storeV2Current();
    const secret = { arn: h.sm.arn, name: h.sm.name };
    const first = h.keyApi.issueKey(APP_ROLE_ID, mintedKeyDescription(secret, 'v-1', consoleKey.keyId), nowSeconds + 30 * 86_400);
    const second = h.keyApi.issueKey(APP_ROLE_ID, mintedKeyDescription(secret, 'v-2', first.keyId), nowSeconds + 30 * 86_400);
    h.sm.storeCurrent(JSON.stringify({ apiKey: second.apiKey, endpoint: 'cell-4-us-west-2-1.prod.a.momentohq.com', keyId: second.keyId }));
    const expired = h.keyApi.issueKey(APP_ROLE_ID, mintedKeyDescription(secret, 'v-0', undefined), nowSeconds - 60);
    const otherSecrets = h.keyApi.issueKey(APP_ROLE_ID, mintedKeyDescription({ arn: OTHER_SECRET_ARN, name: 'momento/other' }, 'v-9', undefined), nowSeconds + 30 * 86_400);
    return { consoleKey, first, second, expired, otherSecrets };
  }

  const run = (deploy: DeployDeps, properties: Record<string, unknown>, remainingMs = 120_000) =>
    createHandler(() => ({ ...h.deps, deploy }))(deleteRequest(properties), { getRemainingTimeInMillis: () => remainingMs }) as Promise<DeployAnswer>;

  it('on stack delete while the secret lives on (not scheduled for deletion, or a nested stack deleted by its parent\'s rollback): revokes the minted keys no version holds, keeps AWSCURRENT\'s and says how to revoke it', async () => {
    const keys = arrange({ secretLivesOn: true });
    const answer = await run(fakeCloudFormation('DELETE_IN_PROGRESS').deploy, { SecretId: h.sm.arn });
    expect(answer).toEqual({ status: 'SUCCESS', reason: 'Revoked 1 key(s) minted for the secret; 0 could not be revoked' });
    expect(h.keyApi.revoked).toEqual([keys.first.keyId]);
    expect(h.keyApi.isValid(keys.second.keyId)).toBe(true);
    const kept = logRecords().find((r) => String(r.message).startsWith('Stack delete: kept the keys the secret still holds'));
    expect(kept).toMatchObject({ level: 'WARN', keptKeyIds: [keys.second.keyId] });
  });

  it('on stack delete (DELETE_IN_PROGRESS) of a secret scheduled for deletion: revokes every live key minted for the secret, logs their ids, and answers SUCCESS', async () => {
    const keys = arrange();
    const cfn = fakeCloudFormation('DELETE_IN_PROGRESS');
    const answer = await run(cfn.deploy, { SecretId: h.sm.arn });
    expect(answer).toEqual({ status: 'SUCCESS', reason: 'Revoked 2 key(s) minted for the secret; 0 could not be revoked' });
    expect(cfn.statusAsked).toEqual([STACK_ID]);
    expect([...h.keyApi.revoked].sort()).toEqual([keys.first.keyId, keys.second.keyId].sort());
    // Asked to revoke those two only: not the imported console key, a key minted for another secret, the management key, or a key expired already.
    expect(h.keyApi.calls.filter((c) => c.op === 'revoke').map((c) => c.keyId).sort()).toEqual([keys.first.keyId, keys.second.keyId].sort());
    expect(h.keyApi.isValid(keys.consoleKey.keyId)).toBe(true);
    expect(h.keyApi.isValid(keys.otherSecrets.keyId)).toBe(true);
    expect(cfn.sent).toHaveLength(1);
    expect(cfn.sent[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'DeployTimeReport-req-1', RequestId: 'req-9', Reason: answer.reason });
    const summary = logRecords().find((r) => r.message === 'Stack delete: revoked the keys minted for the secret');
    expect(summary).toMatchObject({ level: 'INFO', secretId: h.sm.arn, failed: [] });
    expect([...summary!.revoked].sort()).toEqual([keys.first.keyId, keys.second.keyId].sort());
    expect(output.text()).not.toContain('X-Amz-Signature');
  });

  it('finds the keys by the secret\'s complete ARN when SecretId is its name (a secret the construct imported by name)', async () => {
    const keys = arrange();
    const answer = await run(fakeCloudFormation('DELETE_IN_PROGRESS').deploy, { SecretId: h.sm.name });
    expect(answer.status).toBe('SUCCESS');
    expect([...h.keyApi.revoked].sort()).toEqual([keys.first.keyId, keys.second.keyId].sort());
  });

  it('revokes after real rotations too: both keys minted for the secret go, the imported console key stays', async () => {
    h = rotationHarness({ managementSecretId: MANAGEMENT_SECRET_ID });
    const consoleKey = h.storeV2Current();
    await h.rotate();
    await h.rotate();
    h.sm.deletedDate = new Date(h.clock.now);
    const minted = [...h.keyApi.keys.values()].filter((k) => k.description.startsWith('momento-secret-rotation ')).map((k) => k.keyId);
    expect(minted).toHaveLength(2);
    const answer = await run(fakeCloudFormation('DELETE_IN_PROGRESS').deploy, { SecretId: h.sm.arn });
    expect(answer.status).toBe('SUCCESS');
    for (const keyId of minted) expect(h.keyApi.isValid(keyId), keyId).toBe(false);
    expect(answer.reason).toMatch(/^Revoked 2 key\(s\) minted for the secret; 0 could not be revoked$/);
    // An imported key is never revoked by the Delete (whether a rotation retired it is RevokeImportedKeys' business).
    expect(h.keyApi.calls.filter((c) => c.op === 'revoke').slice(-2).map((c) => c.keyId)).not.toContain(consoleKey.keyId);
  });

  it.each([
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'the old resource of an update that replaced it, or one removed from the template'],
    ['UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'what a failed update created, rolled back'],
    ['UPDATE_ROLLBACK_IN_PROGRESS', 'a failed update rolling back'],
    ['ROLLBACK_IN_PROGRESS', 'a failed create rolling back'],
  ])('on a Delete while the stack is %s (%s): revokes nothing, reads no key, answers SUCCESS', async (status) => {
    const keys = arrange();
    const cfn = fakeCloudFormation(status);
    const answer = await run(cfn.deploy, { SecretId: h.sm.arn });
    expect(answer).toEqual({ status: 'SUCCESS', reason: `Revoked nothing: the stack is ${status}, not being deleted` });
    expect(h.keyApi.calls).toEqual([]);
    expect(h.sm.calls).toEqual([]);
    for (const key of [keys.first, keys.second, keys.consoleKey]) expect(h.keyApi.isValid(key.keyId)).toBe(true);
    expect(cfn.sent[0]).toMatchObject({ Status: 'SUCCESS', Reason: answer.reason });
    expect(logRecords().find((r) => String(r.message).startsWith('Revoked nothing: the stack is not being deleted'))).toMatchObject({ stackStatus: status });
  });

  it("revokes nothing when the stack's status cannot be read (it could be a replacement), and answers SUCCESS", async () => {
    const keys = arrange();
    const cfn = fakeCloudFormation(() => Promise.reject(serviceError('AccessDenied', 'not authorized to perform cloudformation:DescribeStacks', 403)));
    const answer = await run(cfn.deploy, { SecretId: h.sm.arn });
    expect(answer).toEqual({ status: 'SUCCESS', reason: "Revoked nothing: could not read the stack's status (AccessDenied)" });
    expect(h.keyApi.calls).toEqual([]);
    expect(h.keyApi.isValid(keys.second.keyId)).toBe(true);
    expect(logRecords().some((r) => r.level === 'WARN' && String(r.message).includes("could not read the stack's status"))).toBe(true);
  });

  it('answers SUCCESS with nothing revoked when the management secret is gone', async () => {
    const keys = arrange();
    h.sm.otherSecrets.delete(MANAGEMENT_SECRET_ID);
    const cfn = fakeCloudFormation('DELETE_IN_PROGRESS');
    const answer = await run(cfn.deploy, { SecretId: h.sm.arn });
    expect(answer.status).toBe('SUCCESS');
    expect(answer.reason).toMatch(/^Revoked no keys, or only those the log names \(ManagementSecretInvalidError: /);
    expect(h.keyApi.calls).toEqual([]);
    expect(h.keyApi.isValid(keys.second.keyId)).toBe(true);
    expect(cfn.sent[0]!.Status).toBe('SUCCESS');
    expect(logRecords().find((r) => r.level === 'WARN' && String(r.message).startsWith('Stack delete: could not revoke'))).toMatchObject({ secretId: h.sm.arn });
  });

  it("answers SUCCESS when Momento's key API is down (the listing fails)", async () => {
    arrange();
    h.keyApi.failNext('list', 'unavailable');
    const cfn = fakeCloudFormation('DELETE_IN_PROGRESS');
    const answer = await run(cfn.deploy, { SecretId: h.sm.arn });
    expect(answer.status).toBe('SUCCESS');
    expect(answer.reason).toContain('KeyApiError');
    expect(h.keyApi.revoked).toEqual([]);
    expect(cfn.sent[0]!.Status).toBe('SUCCESS');
  });

  it('revokes the rest when one revocation fails, names the failed key in the log, and answers SUCCESS with the counts', async () => {
    const keys = arrange();
    h.keyApi.failNext('revoke', 'unavailable');
    const cfn = fakeCloudFormation('DELETE_IN_PROGRESS');
    const answer = await run(cfn.deploy, { SecretId: h.sm.arn });
    expect(answer).toEqual({ status: 'SUCCESS', reason: 'Revoked 1 key(s) minted for the secret; 1 could not be revoked' });
    const mine = [keys.first.keyId, keys.second.keyId];
    const failed = mine.filter((id) => h.keyApi.isValid(id));
    expect(failed).toHaveLength(1);
    const summary = logRecords().find((r) => String(r.message).startsWith('Stack delete: revoked the keys minted for the secret, but some failed'));
    expect(summary).toMatchObject({ level: 'WARN', failed, revoked: mine.filter((id) => !failed.includes(id)) });
  });

  it('answers SUCCESS before the invocation runs out of time, when the key API does not answer', async () => {
    arrange();
    h.keyApi.list = () => new Promise<never>(() => {}); // never answers
    const cfn = fakeCloudFormation('DELETE_IN_PROGRESS');
    const started = Date.now();
    // 6 s left: the handler keeps 5 s back to answer, so the revocation gets about 1 s.
    const answer = await run(cfn.deploy, { SecretId: h.sm.arn }, 6_000);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(answer).toEqual({
      status: 'SUCCESS',
      reason: 'Revoked no keys, or only those the log names (RevocationDeadlineError: the invocation ran out of time before the revocations finished)',
    });
    expect(cfn.sent).toHaveLength(1);
    expect(cfn.sent[0]!.Status).toBe('SUCCESS');
  });

  it('with no management secret (v1 keys only): answers SUCCESS at once, asking nothing of CloudFormation, Secrets Manager or Momento', async () => {
    h = rotationHarness();
    const cfn = fakeCloudFormation('DELETE_IN_PROGRESS');
    const answer = await run(cfn.deploy, { SecretId: h.sm.arn });
    expect(answer).toEqual({ status: 'SUCCESS', reason: 'Revoked nothing: the function has no management secret (MOMENTO_MANAGEMENT_SECRET_ARN) to revoke keys with' });
    expect(cfn.statusAsked).toEqual([]);
    expect(h.sm.calls).toEqual([]);
    expect(h.keyApi.calls).toEqual([]);
    expect(cfn.sent[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'DeployTimeReport-req-1' });
  });

  it('with no SecretId property: answers SUCCESS, revoking nothing', async () => {
    arrange();
    const cfn = fakeCloudFormation('DELETE_IN_PROGRESS');
    const answer = await run(cfn.deploy, {});
    expect(answer).toEqual({ status: 'SUCCESS', reason: 'Nothing to delete' });
    expect(cfn.statusAsked).toEqual([]);
    expect(h.keyApi.calls).toEqual([]);
  });
  it('with no ResourceProperties at all: answers SUCCESS, revoking nothing', async () => {
    arrange();
    const cfn = fakeCloudFormation('DELETE_IN_PROGRESS');
    const { ResourceProperties: _none, ...request } = deleteRequest({});
    const answer = (await createHandler(() => ({ ...h.deps, deploy: cfn.deploy }))(request, { getRemainingTimeInMillis: () => 120_000 })) as DeployAnswer;
    expect(answer).toEqual({ status: 'SUCCESS', reason: 'Nothing to delete' });
    expect(cfn.statusAsked).toEqual([]);
    expect(h.keyApi.calls).toEqual([]);
  });

  it('with a blank SecretId: answers SUCCESS, revoking nothing, asking nothing of CloudFormation', async () => {
    arrange();
    const cfn = fakeCloudFormation('DELETE_IN_PROGRESS');
    const answer = await run(cfn.deploy, { SecretId: '   ' });
    expect(answer).toEqual({ status: 'SUCCESS', reason: 'Nothing to delete' });
    expect(cfn.statusAsked).toEqual([]);
    expect(h.keyApi.calls).toEqual([]);
  });

  it('when the stack is not found (DescribeStacks says nothing of it): revokes nothing, and says so', async () => {
    const keys = arrange();
    const cfn = fakeCloudFormation(async () => undefined);
    const answer = await run(cfn.deploy, { SecretId: h.sm.arn });
    expect(answer).toEqual({ status: 'SUCCESS', reason: 'Revoked nothing: the stack is not found, not being deleted' });
    expect(h.keyApi.calls).toEqual([]);
    expect(h.keyApi.isValid(keys.first.keyId)).toBe(true);
  });

  it('a key API that takes a moment to answer, with time to spare: the revocations finish, and are answered', async () => {
    const keys = arrange();
    const list = h.keyApi.list.bind(h.keyApi);
    h.keyApi.list = async (managementKey: string) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return list(managementKey);
    };
    const answer = await run(fakeCloudFormation('DELETE_IN_PROGRESS').deploy, { SecretId: h.sm.arn }, 120_000);
    expect(answer).toEqual({ status: 'SUCCESS', reason: 'Revoked 2 key(s) minted for the secret; 0 could not be revoked' });
    expect([...h.keyApi.revoked].sort()).toEqual([keys.first.keyId, keys.second.keyId].sort());
  });

  it('a failure with a long message: the reason sent to CloudFormation is cut to 1000 characters', async () => {
    arrange();
    h.keyApi.list = async () => {
      throw new Error(`the key API answered with a page: ${'<div>'.repeat(500)}`);
    };
    const cfn = fakeCloudFormation('DELETE_IN_PROGRESS');
    const answer = await run(cfn.deploy, { SecretId: h.sm.arn });
    expect(answer.status).toBe('SUCCESS');
    expect(answer.reason).toHaveLength(1000);
    expect(answer.reason.startsWith('Revoked no keys, or only those the log names (Error: the key API answered with a page: <div>')).toBe(true);
    expect(cfn.sent[0]).toMatchObject({ Status: 'SUCCESS', Reason: answer.reason });
  });

  it('answering leaves no deadline timer behind (it would outlive the invocation in a warm container)', async () => {
    h = rotationHarness(); // not used: answerDelete is called with a revocation that answers at once
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const cfn = fakeCloudFormation('DELETE_IN_PROGRESS');
      const request = deleteRequest({ SecretId: OTHER_SECRET_ARN }) as unknown as DeployRequest;
      const answer = await answerDelete(request, async () => ({ revoked: ['key-1'], failed: [] }), cfn.deploy, Date.now() + 60_000);
      expect(answer).toEqual({ status: 'SUCCESS', reason: 'Revoked 1 key(s) minted for the secret; 0 could not be revoked' });
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a secret deleted already (DescribeSecret: ResourceNotFound), named by its ARN: the keys minted for that ARN are revoked', async () => {
    const keys = arrange();
    h.sm.failWhile('DescribeSecret', () => true, () => serviceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret."));
    const answer = await run(fakeCloudFormation('DELETE_IN_PROGRESS').deploy, { SecretId: h.sm.arn });
    expect(answer).toEqual({ status: 'SUCCESS', reason: 'Revoked 2 key(s) minted for the secret; 0 could not be revoked' });
    expect([...h.keyApi.revoked].sort()).toEqual([keys.first.keyId, keys.second.keyId].sort());
    expect(h.keyApi.isValid(keys.otherSecrets.keyId)).toBe(true);
  });

  it('a secret deleted already, named by its name (its ARN, which the tags are made from, is unknown): revokes nothing, and says why', async () => {
    const keys = arrange();
    h.sm.failWhile('DescribeSecret', () => true, () => serviceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret."));
    const answer = await run(fakeCloudFormation('DELETE_IN_PROGRESS').deploy, { SecretId: h.sm.name });
    expect(answer).toEqual({
      status: 'SUCCESS',
      reason: "Revoked no keys, or only those the log names (ResourceNotFoundException: Secrets Manager can't find the specified secret.)",
    });
    expect(h.keyApi.revoked).toEqual([]);
    expect(h.keyApi.isValid(keys.second.keyId)).toBe(true);
  });

  it('a secret that cannot be described (AccessDenied): it may live on with its keys, so nothing is revoked', async () => {
    const keys = arrange({ secretLivesOn: true });
    h.sm.failWhile('DescribeSecret', () => true, () => serviceError('AccessDeniedException', 'not authorized to perform secretsmanager:DescribeSecret'));
    const answer = await run(fakeCloudFormation('DELETE_IN_PROGRESS').deploy, { SecretId: h.sm.arn });
    expect(answer).toEqual({
      status: 'SUCCESS',
      reason: 'Revoked no keys, or only those the log names (AccessDeniedException: not authorized to perform secretsmanager:DescribeSecret)',
    });
    expect(h.keyApi.calls.filter((c) => c.op === 'revoke')).toEqual([]);
    expect(h.keyApi.isValid(keys.second.keyId)).toBe(true);
  });

  it('a secret that lives on with versions holding keys without a key id (jti): no key is revoked (the held ones cannot be told apart), and the reason names the versions', async () => {
    const keys = arrange({ secretLivesOn: true });
    for (const [versionId, label] of [['v-no-jti-1', 'PINNED'], ['v-no-jti-2', 'CANARY']] as const) {
      h.sm.versions.set(versionId, { value: JSON.stringify({ apiKey: fakeV2Key({ jti: null }), endpoint: 'cell-4-us-west-2-1.prod.a.momentohq.com' }), stages: new Set([label]) });
    }
    const answer = await run(fakeCloudFormation('DELETE_IN_PROGRESS').deploy, { SecretId: h.sm.arn });
    expect(answer).toEqual({
      status: 'SUCCESS',
      reason: 'Revoked no keys, or only those the log names (Error: versions v-no-jti-1, v-no-jti-2 hold a key without a key id (jti claim))',
    });
    expect(h.keyApi.revoked).toEqual([]);
    expect(h.keyApi.isValid(keys.first.keyId)).toBe(true);
  });
});
