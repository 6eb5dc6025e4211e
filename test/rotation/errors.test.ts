import { describe, expect, it } from 'vitest';
import * as errors from '../../src/rotation/errors.js';

// The catalogue of what users read when a step fails: each error's name (set as a literal, so
// minified bundles keep it), whether Secrets Manager's retry can fix it, and its whole message,
// which must say what is wrong and what to do. A change to any of them shows here.
const ID = 'momento/api-key';
const TOKEN = 'c6b1f3e0-5a7d-4f61-9e8f-0123456789ab';
const FP = 'sha256:2768d7cf';
const cause = new Error('underlying');
const ROLES = [
  { roleId: 'r-operator', roleName: 'Operator' },
  { roleId: 'r-5c1e0a7b', roleName: 'app-readwrite' },
  { roleId: 'r-nameless', roleName: '' },
];

// Built inside each test (not at import), so that coverage, and Stryker, see which test builds what.
const cases: Array<[string, () => errors.RotationError]> = [
  ['InvalidEventError', () => new errors.InvalidEventError('"Step" is missing')],
  ['ConfigurationError', () => new errors.ConfigurationError('MOMENTO_TEST_CACHE is empty')],
  ['InsecureKeyApiUrlError', () => new errors.InsecureKeyApiUrlError('MOMENTO_API_KEYS_URL must be https')],
  ['RotationDisabledError', () => new errors.RotationDisabledError(ID)],
  ['TokenNotStagedError', () => new errors.TokenNotStagedError(ID, TOKEN)],
  ['NotPendingError', () => new errors.NotPendingError(ID, TOKEN)],
  ['NoCurrentValueError', () => new errors.NoCurrentValueError(ID)],
  ['PendingValueMissingError', () => new errors.PendingValueMissingError(ID, TOKEN)],
  ['SecretNotJsonError', () => new errors.SecretNotJsonError(ID, 'AWSCURRENT')],
  ['InvalidSecretValueError', () => new errors.InvalidSecretValueError(ID, 'AWSPENDING', errors.NOT_A_MOMENTO_KEY)],
  ['MissingRefreshTokenError', () => new errors.MissingRefreshTokenError(ID, ' (a v1 key)')],
  ['KeyExpiredError', () => new errors.KeyExpiredError(ID, FP, 1_700_000_000)],
  ['RefreshRejectedError', () => new errors.RefreshRejectedError(ID, FP, 'NOT_FOUND', 'no such token')],
  ['RefreshRejectedError, no detail', () => new errors.RefreshRejectedError(ID, FP, 'NOT_FOUND', '')],
  ['PendingKeyRejectedError', () => new errors.PendingKeyRejectedError(ID, TOKEN, FP, 'UNAUTHENTICATED')],
  ['PendingKeyRejectedError, no detail', () => new errors.PendingKeyRejectedError(ID, TOKEN, FP, '')],
  ['MomentoUnavailableError', () => new errors.MomentoUnavailableError('the refresh', 'UNAVAILABLE', 'connection reset')],
  ['MomentoUnavailableError, no detail', () => new errors.MomentoUnavailableError('the refresh', 'UNAVAILABLE', '')],
  ['PendingWriteFailedError', () => new errors.PendingWriteFailedError(ID, TOKEN, 3, { cause })],
  ['ManagementSecretNotConfiguredError', () => new errors.ManagementSecretNotConfiguredError(ID)],
  ['ManagementSecretInvalidError', () => new errors.ManagementSecretInvalidError('momento/management', 'its value is not JSON', { cause })],
  ['ManagementKeyRejectedError, 401', () => new errors.ManagementKeyRejectedError('momento/management', 'unauthorized', 'expired')],
  ['ManagementKeyRejectedError, 401, no detail', () => new errors.ManagementKeyRejectedError('momento/management', 'unauthorized', '')],
  ['ManagementKeyRejectedError, 403', () => new errors.ManagementKeyRejectedError('momento/management', 'forbidden', 'role Viewer')],
  ['ManagementKeyRejectedError, 403, no detail', () => new errors.ManagementKeyRejectedError('momento/management', 'forbidden', '')],
  ['MissingRoleIdError', () => new errors.MissingRoleIdError(ID, 'AWSCURRENT')],
  ['UnknownRoleError', () => new errors.UnknownRoleError(ID, 'app-readwrite', 'role not found')],
  ['UnknownRoleError, no detail', () => new errors.UnknownRoleError(ID, 'app-readwrite', '')],
  ['UnknownRoleError, a role name sent, roles listed', () => new errors.UnknownRoleError(ID, 'App-ReadWrite', 'no role', ROLES)],
  ['UnknownRoleError, an unknown id sent, roles listed', () => new errors.UnknownRoleError(ID, 'r-deadbeef', 'no role', ROLES)],
  ['UnknownRoleError, no roles listed', () => new errors.UnknownRoleError(ID, 'r-deadbeef', '', [])],
  ['MissingEndpointError', () => new errors.MissingEndpointError(ID, 'AWSCURRENT')],
  ['KeyApiRequestRefusedError', () => new errors.KeyApiRequestRefusedError(ID, 'mint a key', 'bad expiry')],
  ['KeyApiRequestRefusedError, no detail', () => new errors.KeyApiRequestRefusedError(ID, 'mint a key', '')],
  ['KeyApiUnavailableError', () => new errors.KeyApiUnavailableError('mint a key', 4, '429 Too Many Requests', { cause })],
  ['KeyApiUnavailableError, no detail', () => new errors.KeyApiUnavailableError('mint a key', 4, '')],
];

describe('rotation errors', () => {
  it('covers every error class the module exports', () => {
    const exported = Object.entries(errors)
      .filter(([, value]) => typeof value === 'function' && value.prototype instanceof errors.RotationError)
      .map(([name]) => name)
      .sort();
    expect([...new Set(cases.map(([, make]) => make().constructor.name))].sort()).toEqual(exported);
  });

  it.each(cases)('%s: is a RotationError with its own name, and keeps its cause', (label, make) => {
    const error = make();
    expect(error).toBeInstanceOf(errors.RotationError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(label.split(',')[0]);
    expect(error.name).toBe(error.constructor.name);
    expect(String(error)).toBe(`${error.name}: ${error.message}`);
    if (label.startsWith('PendingWriteFailed') || label.startsWith('ManagementSecretInvalid') || label === 'KeyApiUnavailableError') {
      expect(error.cause).toBe(cause);
    } else {
      expect(error.cause).toBeUndefined();
    }
  });

  it('a configuration error about the key-management URL is a ConfigurationError', () => {
    expect(new errors.InsecureKeyApiUrlError('x')).toBeInstanceOf(errors.ConfigurationError);
  });

  it('says for each error whether a retry can fix it, and what to do', () => {
    const catalogue = Object.fromEntries(cases.map(([label, make]) => {
      const e = make();
      return [label, `${e.retryable ? 'retryable' : 'final'}: ${e.message}`];
    }));
    expect(catalogue).toMatchInlineSnapshot(`
      {
        "ConfigurationError": "final: Invalid configuration: MOMENTO_TEST_CACHE is empty",
        "InsecureKeyApiUrlError": "final: Invalid configuration: MOMENTO_API_KEYS_URL must be https",
        "InvalidEventError": "final: Invalid rotation event: "Step" is missing. This function expects the event Secrets Manager sends ({"SecretId", "ClientRequestToken", "Step", optional "RotationToken"}); invoke it through RotateSecret, or copy an event from events/ for a manual test.",
        "InvalidSecretValueError": "final: The AWSPENDING value of secret momento/api-key is not a Momento key file: its key is not a Momento API key (neither a v2 key, a v1 key nor a legacy auth token). Store the JSON file the Momento console downloads with a new API key (momento_token.info.json: {"apiKey", "refreshToken", "validUntil"}) as the secret value, for example with \`aws secretsmanager put-secret-value --secret-id <id> --secret-string file://momento_token.info.json\`.",
        "KeyApiRequestRefusedError": "final: Momento's key-management API refused to mint a key for secret momento/api-key as a bad request (bad expiry). Check "roleId" in the secret, and MOMENTO_API_KEYS_URL.",
        "KeyApiRequestRefusedError, no detail": "final: Momento's key-management API refused to mint a key for secret momento/api-key as a bad request. Check "roleId" in the secret, and MOMENTO_API_KEYS_URL.",
        "KeyApiUnavailableError": "retryable: Momento's key-management API did not answer mint a key after 4 attempt(s) (429 Too Many Requests). Nothing was promoted; Secrets Manager retries the rotation. If this persists, check that the function reaches the API's URL (MOMENTO_API_KEYS_URL; NAT or internet access from its VPC) and that nothing else in the Momento account is using up its ~5 key operations per second.",
        "KeyApiUnavailableError, no detail": "retryable: Momento's key-management API did not answer mint a key after 4 attempt(s). Nothing was promoted; Secrets Manager retries the rotation. If this persists, check that the function reaches the API's URL (MOMENTO_API_KEYS_URL; NAT or internet access from its VPC) and that nothing else in the Momento account is using up its ~5 key operations per second.",
        "KeyExpiredError": "final: The AWSCURRENT key of secret momento/api-key (sha256:2768d7cf) expired at 2023-11-14T22:13:20.000Z; an expired key cannot be refreshed. Generate a new API key in the Momento console and store its download. Store the JSON file the Momento console downloads with a new API key (momento_token.info.json: {"apiKey", "refreshToken", "validUntil"}) as the secret value, for example with \`aws secretsmanager put-secret-value --secret-id <id> --secret-string file://momento_token.info.json\`.",
        "ManagementKeyRejectedError, 401": "final: Momento rejected the management key in momento/management (401: invalid or expired; expired). Store a new management key in that secret. The management key is a v2 API key whose role may mint, list and revoke API keys (r-operator, r-owner, or a custom role with auth_management read, write and list). Create one in the Momento console (API keys, Generate) and store it, bare or as {"apiKey": "<key>"}, in its own secret; the function reads that secret's AWSCURRENT.",
        "ManagementKeyRejectedError, 401, no detail": "final: Momento rejected the management key in momento/management (401: invalid or expired). Store a new management key in that secret. The management key is a v2 API key whose role may mint, list and revoke API keys (r-operator, r-owner, or a custom role with auth_management read, write and list). Create one in the Momento console (API keys, Generate) and store it, bare or as {"apiKey": "<key>"}, in its own secret; the function reads that secret's AWSCURRENT.",
        "ManagementKeyRejectedError, 403": "final: The management key in momento/management is not allowed to manage API keys (403; role Viewer). Its role needs auth_management read, write and list: use a key of r-operator or r-owner, or give its custom role that rule. The management key is a v2 API key whose role may mint, list and revoke API keys (r-operator, r-owner, or a custom role with auth_management read, write and list). Create one in the Momento console (API keys, Generate) and store it, bare or as {"apiKey": "<key>"}, in its own secret; the function reads that secret's AWSCURRENT.",
        "ManagementKeyRejectedError, 403, no detail": "final: The management key in momento/management is not allowed to manage API keys (403). Its role needs auth_management read, write and list: use a key of r-operator or r-owner, or give its custom role that rule. The management key is a v2 API key whose role may mint, list and revoke API keys (r-operator, r-owner, or a custom role with auth_management read, write and list). Create one in the Momento console (API keys, Generate) and store it, bare or as {"apiKey": "<key>"}, in its own secret; the function reads that secret's AWSCURRENT.",
        "ManagementSecretInvalidError": "final: The management secret momento/management cannot be used: its value is not JSON. The management key is a v2 API key whose role may mint, list and revoke API keys (r-operator, r-owner, or a custom role with auth_management read, write and list). Create one in the Momento console (API keys, Generate) and store it, bare or as {"apiKey": "<key>"}, in its own secret; the function reads that secret's AWSCURRENT.",
        "ManagementSecretNotConfiguredError": "final: The AWSCURRENT key of secret momento/api-key is a v2 API key: it is rotated by minting a successor through Momento's key-management API, which needs a management key. None is configured: set MOMENTO_MANAGEMENT_SECRET_ARN (the ManagementSecretArn parameter of the SAM template). The management key is a v2 API key whose role may mint, list and revoke API keys (r-operator, r-owner, or a custom role with auth_management read, write and list). Create one in the Momento console (API keys, Generate) and store it, bare or as {"apiKey": "<key>"}, in its own secret; the function reads that secret's AWSCURRENT.",
        "MissingEndpointError": "final: The AWSCURRENT value of secret momento/api-key has no "endpoint": a v2 key works in every region, but each call names a regional endpoint. Add the region base endpoint the console shows beside the key (for example "cell-4-us-west-2-1.prod.a.momentohq.com") as "endpoint".",
        "MissingRefreshTokenError": "final: The AWSCURRENT value of secret momento/api-key has no "refreshToken", so its key cannot be refreshed (a v1 key). Store the JSON file the Momento console downloads with a new API key (momento_token.info.json: {"apiKey", "refreshToken", "validUntil"}) as the secret value, for example with \`aws secretsmanager put-secret-value --secret-id <id> --secret-string file://momento_token.info.json\`.",
        "MissingRoleIdError": "final: The AWSCURRENT value of secret momento/api-key has no "roleId": a successor key must get the same Momento role, so rotation needs it. Add the role id the console shows for this key (API keys, the key's Role) as "roleId" (Owner, Operator and Viewer are system roles; custom roles have their own ids).",
        "MomentoUnavailableError": "retryable: Momento did not answer the refresh conclusively: UNAVAILABLE (connection reset). Nothing was promoted; Secrets Manager retries the rotation. If this persists, check that the function can reach Momento's endpoints (NAT or internet access from its VPC).",
        "MomentoUnavailableError, no detail": "retryable: Momento did not answer the refresh conclusively: UNAVAILABLE. Nothing was promoted; Secrets Manager retries the rotation. If this persists, check that the function can reach Momento's endpoints (NAT or internet access from its VPC).",
        "NoCurrentValueError": "final: Secret momento/api-key has no AWSCURRENT value to rotate. Store the JSON file the Momento console downloads with a new API key (momento_token.info.json: {"apiKey", "refreshToken", "validUntil"}) as the secret value, for example with \`aws secretsmanager put-secret-value --secret-id <id> --secret-string file://momento_token.info.json\`.",
        "NotPendingError": "final: Version c6b1f3e0-5a7d-4f61-9e8f-0123456789ab of secret momento/api-key is not set as AWSPENDING for rotation. Another rotation may have replaced it; start a new rotation with RotateSecret.",
        "PendingKeyRejectedError": "final: The AWSPENDING key of secret momento/api-key (version c6b1f3e0-5a7d-4f61-9e8f-0123456789ab, sha256:2768d7cf) does not authenticate against Momento (UNAUTHENTICATED); it was not promoted and AWSCURRENT is unchanged. Check the key in the Momento console; if it was revoked, store a fresh download and rotate again.",
        "PendingKeyRejectedError, no detail": "final: The AWSPENDING key of secret momento/api-key (version c6b1f3e0-5a7d-4f61-9e8f-0123456789ab, sha256:2768d7cf) does not authenticate against Momento; it was not promoted and AWSCURRENT is unchanged. Check the key in the Momento console; if it was revoked, store a fresh download and rotate again.",
        "PendingValueMissingError": "retryable: AWSPENDING version c6b1f3e0-5a7d-4f61-9e8f-0123456789ab of secret momento/api-key holds no value: createSecret has not completed. Secrets Manager retries the rotation from createSecret; if invoking by hand, run createSecret first.",
        "PendingWriteFailedError": "retryable: Could not store the refreshed key as AWSPENDING version c6b1f3e0-5a7d-4f61-9e8f-0123456789ab of secret momento/api-key after 3 attempt(s). The refreshed key is kept in this function's memory and is stored, not refreshed again, when Secrets Manager retries the step. Check the function can call secretsmanager:PutSecretValue (and kms:GenerateDataKey for a customer-managed key).",
        "RefreshRejectedError": "final: Momento refused to refresh the AWSCURRENT key of secret momento/api-key (sha256:2768d7cf): NOT_FOUND (no such token). The key may be expired or revoked, or its refresh token already used. Generate a new API key in the Momento console and store its download. Store the JSON file the Momento console downloads with a new API key (momento_token.info.json: {"apiKey", "refreshToken", "validUntil"}) as the secret value, for example with \`aws secretsmanager put-secret-value --secret-id <id> --secret-string file://momento_token.info.json\`.",
        "RefreshRejectedError, no detail": "final: Momento refused to refresh the AWSCURRENT key of secret momento/api-key (sha256:2768d7cf): NOT_FOUND. The key may be expired or revoked, or its refresh token already used. Generate a new API key in the Momento console and store its download. Store the JSON file the Momento console downloads with a new API key (momento_token.info.json: {"apiKey", "refreshToken", "validUntil"}) as the secret value, for example with \`aws secretsmanager put-secret-value --secret-id <id> --secret-string file://momento_token.info.json\`.",
        "RotationDisabledError": "final: Rotation is not enabled for secret momento/api-key. Turn rotation on (RotateSecret with this function, or the RotationSchedule in the SAM template) before invoking the function.",
        "SecretNotJsonError": "final: The AWSCURRENT value of secret momento/api-key is not a JSON object. A bare API key cannot be refreshed: rotation needs the refresh token that comes with it. Store the JSON file the Momento console downloads with a new API key (momento_token.info.json: {"apiKey", "refreshToken", "validUntil"}) as the secret value, for example with \`aws secretsmanager put-secret-value --secret-id <id> --secret-string file://momento_token.info.json\`.",
        "TokenNotStagedError": "final: Secret momento/api-key has no stage for rotation on version c6b1f3e0-5a7d-4f61-9e8f-0123456789ab: the version does not exist. Start rotations with RotateSecret, which creates the version, rather than invoking the function directly.",
        "UnknownRoleError": "final: Momento does not know the role id "app-readwrite" sent to mint the successor of the AWSCURRENT key of secret momento/api-key (404; role not found). Set "roleId" to the id of a role in the same Momento account as the management key (the console lists roles under Access Control).",
        "UnknownRoleError, a role name sent, roles listed": "final: Momento does not know the role id "App-ReadWrite" sent to mint the successor of the AWSCURRENT key of secret momento/api-key (404; no role). Set "roleId" to the id of a role in the same Momento account as the management key. Did you mean r-5c1e0a7b? "App-ReadWrite" is that role's name, not its id. The account's roles (name → id): Operator → r-operator, app-readwrite → r-5c1e0a7b, (no name) → r-nameless.",
        "UnknownRoleError, an unknown id sent, roles listed": "final: Momento does not know the role id "r-deadbeef" sent to mint the successor of the AWSCURRENT key of secret momento/api-key (404; no role). Set "roleId" to the id of a role in the same Momento account as the management key. The account's roles (name → id): Operator → r-operator, app-readwrite → r-5c1e0a7b, (no name) → r-nameless.",
        "UnknownRoleError, no detail": "final: Momento does not know the role id "app-readwrite" sent to mint the successor of the AWSCURRENT key of secret momento/api-key (404). Set "roleId" to the id of a role in the same Momento account as the management key (the console lists roles under Access Control).",
        "UnknownRoleError, no roles listed": "final: Momento does not know the role id "r-deadbeef" sent to mint the successor of the AWSCURRENT key of secret momento/api-key (404). Set "roleId" to the id of a role in the same Momento account as the management key. The account's roles (name → id): none.",
      }
    `);
  });
});
