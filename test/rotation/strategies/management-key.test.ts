import { describe, expect, it } from 'vitest';
import { KeyApiError } from '../../../src/momento/key-management.js';
import { scrub } from '../../../src/observability/redact.js';
import {
  KeyApiRequestRefusedError,
  KeyApiUnavailableError,
  ManagementKeyRejectedError,
  ManagementSecretInvalidError,
  UnknownRoleError,
} from '../../../src/rotation/errors.js';
import { keyApiFailureAsRotationError, readManagementKey } from '../../../src/rotation/strategies/management-key.js';
import type { StoredValue } from '../../../src/secrets-manager/secret-store.js';
import { expectFailure } from '../../support/capture-output.js';
import { serviceError } from '../../support/secrets-manager-model.js';
import { fakeV1Key, fakeV2Key } from '../../support/secrets.js';

const MANAGEMENT = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/management-XyZ123';

/** readManagementKey with a management secret whose AWSCURRENT read answers `stored` (or throws it). */
function read(stored: StoredValue | Error) {
  const reads: string[] = [];
  const secrets = {
    read: async (secretId: string, stage: string) => {
      reads.push(`${secretId} ${stage}`);
      if (stored instanceof Error) throw stored;
      return stored;
    },
  } as unknown as Parameters<typeof readManagementKey>[0]['secrets'];
  return { reads, result: readManagementKey({ secrets, managementSecretId: MANAGEMENT }) };
}

describe('readManagementKey', () => {
  it('reads AWSCURRENT of the management secret: {"apiKey", "keyId"} or the bare key, trimmed; its id is its jti either way', async () => {
    const key = fakeV2Key({ jti: 'mgmt-1' });
    const json = read({ found: true, secretString: ` ${JSON.stringify({ apiKey: key, keyId: 'mgmt-1', note: 'x' })}\n` });
    await expect(json.result).resolves.toEqual({ apiKey: key, keyId: 'mgmt-1' });
    expect(json.reads).toEqual([`${MANAGEMENT} AWSCURRENT`]);
    await expect(read({ found: true, secretString: `\n${key} ` }).result).resolves.toEqual({ apiKey: key, keyId: 'mgmt-1' });
  });

  it('takes the management key\'s id from its jti claim, never from a stored "keyId" that names another key or from none', async () => {
    const key = fakeV2Key({ jti: 'mgmt-real' });
    await expect(read({ found: true, secretString: JSON.stringify({ apiKey: key, keyId: 'key-of-an-app' }) }).result).resolves.toEqual({ apiKey: key, keyId: 'mgmt-real' });
    await expect(read({ found: true, secretString: JSON.stringify({ apiKey: key }) }).result).resolves.toEqual({ apiKey: key, keyId: 'mgmt-real' });
    const noJti = fakeV2Key({ jti: null });
    await expect(read({ found: true, secretString: JSON.stringify({ apiKey: noJti, keyId: 'mgmt-claimed' }) }).result).resolves.toEqual({ apiKey: noJti, keyId: undefined });
    await expect(read({ found: true, secretString: noJti }).result).resolves.toEqual({ apiKey: noJti, keyId: undefined });
  });

  it('remembers the management key and its secret text, so that logs and errors never show them', async () => {
    const key = fakeV2Key();
    const text = JSON.stringify({ apiKey: key });
    await read({ found: true, secretString: text }).result;
    expect(scrub(`a ${key} b`)).not.toContain(key);
    const bare = fakeV2Key();
    await read({ found: true, secretString: bare }).result;
    expect(scrub(`a ${bare} b`)).not.toContain(bare);
  });

  it.each([
    ['missing', { found: false } as StoredValue, 'it does not exist or has no AWSCURRENT value'],
    ['binary', { found: true, secretString: undefined, binary: true } as StoredValue, 'it is stored as SecretBinary, not SecretString'],
    ['JSON without apiKey', { found: true, secretString: '{"key": "x"}' } as StoredValue, '"apiKey"'],
    ['a v1 key', { found: true, secretString: JSON.stringify({ apiKey: fakeV1Key() }) } as StoredValue, 'its key is a v1 key, not a v2 API key; only v2 keys can use'],
    ['text that is no key', { found: true, secretString: 'hunter2-not-a-key' } as StoredValue, 'its key is not a Momento API key, not a v2 API key'],
  ])('refuses a management secret that is %s, saying why', async (_label, stored, problem) => {
    const error = await expectFailure(read(stored).result, ManagementSecretInvalidError);
    expect(error.message).toContain(`The management secret ${MANAGEMENT} cannot be used: `);
    expect(error.message).toContain(problem);
  });

  it('turns a final read error into ManagementSecretInvalidError naming the permissions, keeping the cause', async () => {
    const denied = serviceError('AccessDeniedException', 'not authorized');
    const error = await expectFailure(read(denied).result, ManagementSecretInvalidError);
    expect(error.message).toContain('reading it failed with AccessDeniedException (the function\'s role needs secretsmanager:GetSecretValue on it, and kms:Decrypt on its KMS key)');
    expect(error.cause).toBe(denied);
  });

  it('lets a transient read error through as it is, for the step to fail and be retried', async () => {
    const throttled = serviceError('ThrottlingException', 'slow down');
    await expect(read(throttled).result).rejects.toBe(throttled);
  });

  it('is a programming error without a management secret', async () => {
    await expect(readManagementKey({ secrets: {} as never, managementSecretId: undefined })).rejects.toThrow('readManagementKey called without a management secret');
  });
});

describe('keyApiFailureAsRotationError', () => {
  const context = { secretId: 'momento/api-key', managementSecretId: MANAGEMENT, roleId: 'app-readwrite' };

  it('maps each key-API failure to the error a user acts on', () => {
    const unauthorized = keyApiFailureAsRotationError(new KeyApiError('unauthorized', 'mint', '401 expired'), context);
    expect(unauthorized).toBeInstanceOf(ManagementKeyRejectedError);
    expect((unauthorized as Error).message).toContain(`Momento rejected the management key in ${MANAGEMENT} (401: invalid or expired; 401 expired)`);
    const forbidden = keyApiFailureAsRotationError(new KeyApiError('forbidden', 'list', 'role Viewer'), context);
    expect((forbidden as Error).message).toContain(`The management key in ${MANAGEMENT} is not allowed to manage API keys (403; role Viewer)`);
    const notFound = keyApiFailureAsRotationError(new KeyApiError('not-found', 'mint', 'no role'), context);
    expect(notFound).toBeInstanceOf(UnknownRoleError);
    expect((notFound as Error).message).toContain(
      'Momento does not know the role id "app-readwrite" sent to mint the successor of the AWSCURRENT key of secret momento/api-key (404; no role)',
    );
    expect((notFound as Error).message).toContain('(the console lists roles under Access Control)');
    const noRole = keyApiFailureAsRotationError(new KeyApiError('not-found', 'mint', ''), { secretId: 'momento/api-key', managementSecretId: MANAGEMENT });
    expect((noRole as Error).message).toContain('Momento does not know the role id "" sent to mint');
    const withRoles = keyApiFailureAsRotationError(new KeyApiError('not-found', 'mint', 'no role'), {
      ...context,
      roles: [
        { roleId: 'r-operator', roleName: 'Operator' },
        { roleId: 'r-5c1e0a7b', roleName: 'app-readwrite' },
      ],
    });
    expect(withRoles).toBeInstanceOf(UnknownRoleError);
    expect((withRoles as Error).message).toContain('Did you mean r-5c1e0a7b?');
    expect((withRoles as Error).message).toContain("The account's roles (name → id): Operator → r-operator, app-readwrite → r-5c1e0a7b.");
    const badRequest = keyApiFailureAsRotationError(new KeyApiError('bad-request', 'mint', 'bad expiry'), context);
    expect(badRequest).toBeInstanceOf(KeyApiRequestRefusedError);
    expect((badRequest as Error).message).toContain("refused to mint for secret momento/api-key as a bad request (bad expiry)");
    const failure = new KeyApiError('unavailable', 'revoke', '503', 4);
    const unavailable = keyApiFailureAsRotationError(failure, context);
    expect(unavailable).toBeInstanceOf(KeyApiUnavailableError);
    expect((unavailable as Error).message).toContain("did not answer revoke after 4 attempt(s) (503)");
    expect((unavailable as Error).cause).toBe(failure);
  });

  it('scrubs a remembered secret from Momento\'s detail', async () => {
    const key = fakeV2Key();
    await read({ found: true, secretString: key }).result;
    const error = keyApiFailureAsRotationError(new KeyApiError('bad-request', 'mint', `echoed ${key}`), context) as Error;
    expect(error.message).not.toContain(key);
  });

  it('passes any other error through unchanged', () => {
    const other = new TypeError('boom');
    expect(keyApiFailureAsRotationError(other, context)).toBe(other);
    expect(keyApiFailureAsRotationError('text', context)).toBe('text');
  });
});
