/**
 * Every failure a user can cause has its own error class, with a message that says
 * what is wrong and what to do. Messages name fields and fingerprints, never values.
 */
export abstract class RotationError extends Error {
  /** Whether Secrets Manager's own retry of the rotation can succeed without a human. */
  abstract readonly retryable: boolean;

  /** Set by each class as a literal: bundlers minify class names, and this is what users see. */
  abstract override readonly name: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const CONSOLE_JSON_HINT =
  'Store the JSON file the Momento console downloads with a new API key (momento_token.info.json: ' +
  '{"apiKey", "refreshToken", "validUntil"}) as the secret value, for example with ' +
  '`aws secretsmanager put-secret-value --secret-id <id> --secret-string file://momento_token.info.json`.';

// ---- bad input to the function ---------------------------------------------------------

export class InvalidEventError extends RotationError {
  override readonly name = 'InvalidEventError';
  readonly retryable = false;
  constructor(problem: string) {
    super(
      `Invalid rotation event: ${problem}. This function expects the event Secrets Manager sends ` +
        '({"SecretId", "ClientRequestToken", "Step", optional "RotationToken"}); ' +
        'invoke it through RotateSecret, or copy an event from events/ for a manual test.',
    );
  }
}

export class ConfigurationError extends RotationError {
  override readonly name: string = 'ConfigurationError';
  readonly retryable = false;
  constructor(problem: string) {
    super(`Invalid configuration: ${problem}`);
  }
}

// ---- the secret's state in Secrets Manager ------------------------------------------------

export class RotationDisabledError extends RotationError {
  override readonly name = 'RotationDisabledError';
  readonly retryable = false;
  constructor(secretId: string) {
    super(
      `Rotation is not enabled for secret ${secretId}. Turn rotation on (RotateSecret with this ` +
        'function, or the RotationSchedule in the SAM template) before invoking the function.',
    );
  }
}

export class TokenNotStagedError extends RotationError {
  override readonly name = 'TokenNotStagedError';
  readonly retryable = false;
  constructor(secretId: string, token: string) {
    super(
      `Secret ${secretId} has no stage for rotation on version ${token}: the version does not exist. ` +
        'Start rotations with RotateSecret, which creates the version, rather than invoking the function directly.',
    );
  }
}

export class NotPendingError extends RotationError {
  override readonly name = 'NotPendingError';
  readonly retryable = false;
  constructor(secretId: string, token: string) {
    super(
      `Version ${token} of secret ${secretId} is not set as AWSPENDING for rotation. ` +
        'Another rotation may have replaced it; start a new rotation with RotateSecret.',
    );
  }
}

export class NoCurrentValueError extends RotationError {
  override readonly name = 'NoCurrentValueError';
  readonly retryable = false;
  constructor(secretId: string) {
    super(`Secret ${secretId} has no AWSCURRENT value to rotate. ${CONSOLE_JSON_HINT}`);
  }
}

export class PendingValueMissingError extends RotationError {
  override readonly name = 'PendingValueMissingError';
  readonly retryable = true;
  constructor(secretId: string, token: string) {
    super(
      `AWSPENDING version ${token} of secret ${secretId} holds no value: createSecret has not completed. ` +
        'Secrets Manager retries the rotation from createSecret; if invoking by hand, run createSecret first.',
    );
  }
}

// ---- the secret's value ---------------------------------------------------------------------

export class SecretNotJsonError extends RotationError {
  override readonly name = 'SecretNotJsonError';
  readonly retryable = false;
  constructor(secretId: string, version: string) {
    super(
      `The ${version} value of secret ${secretId} is not a JSON object. A bare API key cannot be ` +
        `refreshed: rotation needs the refresh token that comes with it. ${CONSOLE_JSON_HINT}`,
    );
  }
}

/** InvalidSecretValueError's problem when the key is of no kind Momento issues. */
export const NOT_A_MOMENTO_KEY = 'its key is not a Momento API key (neither a v2 key, a v1 key nor a legacy auth token)';

export class InvalidSecretValueError extends RotationError {
  override readonly name = 'InvalidSecretValueError';
  readonly retryable = false;
  constructor(secretId: string, version: string, problem: string) {
    super(`The ${version} value of secret ${secretId} is not a Momento key file: ${problem}. ${CONSOLE_JSON_HINT}`);
  }
}

export class MissingRefreshTokenError extends RotationError {
  override readonly name = 'MissingRefreshTokenError';
  readonly retryable = false;
  constructor(secretId: string, detail: string) {
    super(
      `The AWSCURRENT value of secret ${secretId} has no "refreshToken", so its key cannot be refreshed` +
        `${detail}. ${CONSOLE_JSON_HINT}`,
    );
  }
}

export class KeyExpiredError extends RotationError {
  override readonly name = 'KeyExpiredError';
  readonly retryable = false;
  constructor(secretId: string, keyFingerprint: string, validUntil: number) {
    super(
      `The AWSCURRENT key of secret ${secretId} (${keyFingerprint}) expired at ` +
        `${new Date(validUntil * 1000).toISOString()}; an expired key cannot be refreshed. Generate a new ` +
        `API key in the Momento console and store its download. ${CONSOLE_JSON_HINT}`,
    );
  }
}

// ---- Momento's answers ---------------------------------------------------------------------

export class RefreshRejectedError extends RotationError {
  override readonly name = 'RefreshRejectedError';
  readonly retryable = false;
  constructor(secretId: string, keyFingerprint: string, code: string, detail: string) {
    super(
      `Momento refused to refresh the AWSCURRENT key of secret ${secretId} (${keyFingerprint}): ${code}` +
        `${detail ? ` (${detail})` : ''}. The key may be expired or revoked, or its refresh token already used. ` +
        `Generate a new API key in the Momento console and store its download. ${CONSOLE_JSON_HINT}`,
    );
  }
}

export class PendingKeyRejectedError extends RotationError {
  override readonly name = 'PendingKeyRejectedError';
  readonly retryable = false;
  constructor(secretId: string, token: string, keyFingerprint: string, detail: string) {
    super(
      `The AWSPENDING key of secret ${secretId} (version ${token}, ${keyFingerprint}) does not authenticate ` +
        `against Momento${detail ? ` (${detail})` : ''}; it was not promoted and AWSCURRENT is unchanged. ` +
        'Check the key in the Momento console; if it was revoked, store a fresh download and rotate again.',
    );
  }
}

export class MomentoUnavailableError extends RotationError {
  override readonly name = 'MomentoUnavailableError';
  readonly retryable = true;
  constructor(operation: string, code: string, detail: string) {
    super(
      `Momento did not answer ${operation} conclusively: ${code}${detail ? ` (${detail})` : ''}. ` +
        'Nothing was promoted; Secrets Manager retries the rotation. If this persists, check that the ' +
        "function can reach Momento's endpoints (NAT or internet access from its VPC).",
    );
  }
}

export class PendingWriteFailedError extends RotationError {
  override readonly name = 'PendingWriteFailedError';
  readonly retryable = true;
  constructor(secretId: string, token: string, attempts: number, options: { cause: unknown }) {
    super(
      `Could not store the refreshed key as AWSPENDING version ${token} of secret ${secretId} after ` +
        `${attempts} attempt(s). The refreshed key is kept in this function's memory and is stored, not ` +
        'refreshed again, when Secrets Manager retries the step. Check the function can call ' +
        'secretsmanager:PutSecretValue (and kms:GenerateDataKey for a customer-managed key).',
      options,
    );
  }
}

// ---- v2 keys: the management key and Momento's key-management API ------------------------

const MANAGEMENT_KEY_HINT =
  'The management key is a v2 API key whose role may mint, list and revoke API keys (r-operator, r-owner, ' +
  'or a custom role with auth_management read, write and list). Create one in the Momento console (API keys, Generate) and ' +
  'store it, bare or as {"apiKey": "<key>"}, in its own secret; the function reads that secret\'s AWSCURRENT.';

/** A configuration error of its own kind: the management key would cross a network in clear. */
export class InsecureKeyApiUrlError extends ConfigurationError {
  override readonly name = 'InsecureKeyApiUrlError';
}

export class ManagementSecretNotConfiguredError extends RotationError {
  override readonly name = 'ManagementSecretNotConfiguredError';
  readonly retryable = false;
  constructor(secretId: string) {
    super(
      `The AWSCURRENT key of secret ${secretId} is a v2 API key: it is rotated by minting ` +
        "a successor through Momento's key-management API, which needs a management key. None is configured: set " +
        `MOMENTO_MANAGEMENT_SECRET_ARN (the ManagementSecretArn parameter of the SAM template). ${MANAGEMENT_KEY_HINT}`,
    );
  }
}

export class ManagementSecretInvalidError extends RotationError {
  override readonly name = 'ManagementSecretInvalidError';
  readonly retryable = false;
  constructor(managementSecretId: string, problem: string, options?: { cause?: unknown }) {
    super(`The management secret ${managementSecretId} cannot be used: ${problem}. ${MANAGEMENT_KEY_HINT}`, options);
  }
}

export class ManagementKeyRejectedError extends RotationError {
  override readonly name = 'ManagementKeyRejectedError';
  readonly retryable = false;
  constructor(managementSecretId: string, failure: 'unauthorized' | 'forbidden', detail: string) {
    super(
      failure === 'unauthorized'
        ? `Momento rejected the management key in ${managementSecretId} (401: invalid or expired${detail ? `; ${detail}` : ''}). ` +
            `Store a new management key in that secret. ${MANAGEMENT_KEY_HINT}`
        : `The management key in ${managementSecretId} is not allowed to manage API keys (403${detail ? `; ${detail}` : ''}). ` +
            'Its role needs auth_management read, write and list: use a key of r-operator or r-owner, or give its custom role ' +
            `that rule. ${MANAGEMENT_KEY_HINT}`,
    );
  }
}

export class MissingRoleIdError extends RotationError {
  override readonly name = 'MissingRoleIdError';
  readonly retryable = false;
  constructor(secretId: string, version: string) {
    super(
      `The ${version} value of secret ${secretId} has no "roleId": a successor key must get the same Momento role, so ` +
        'rotation needs it. Add the role id the console shows for this key (API keys, the key\'s Role) as "roleId" ' +
        '(Owner, Operator and Viewer are system roles; custom roles have their own ids).',
    );
  }
}

export class UnknownRoleError extends RotationError {
  override readonly name = 'UnknownRoleError';
  readonly retryable = false;
  /** `roles`: the account's roles, when the management key may list them (GET /roles). */
  constructor(secretId: string, roleId: string, detail: string, roles?: readonly { roleId: string; roleName: string }[]) {
    const named = roles?.find((r) => r.roleName.toLowerCase() === roleId.toLowerCase());
    const known =
      roles === undefined
        ? ' (the console lists roles under Access Control)'
        : `${named ? `. Did you mean ${named.roleId}? "${roleId}" is that role's name, not its id` : ''}. ` +
          `The account's roles (name → id): ${roles.map((r) => `${r.roleName || '(no name)'} → ${r.roleId}`).join(', ') || 'none'}`;
    super(
      `Momento does not know the role id "${roleId}" sent to mint the successor of the AWSCURRENT key of secret ${secretId} ` +
        `(404${detail ? `; ${detail}` : ''}). Set "roleId" to the id of a role in the same Momento account as the ` +
        `management key${known}.`,
    );
  }
}

export class MissingEndpointError extends RotationError {
  override readonly name = 'MissingEndpointError';
  readonly retryable = false;
  constructor(secretId: string, version: string) {
    super(
      `The ${version} value of secret ${secretId} has no "endpoint": a v2 key works in every region, but each call ` +
        'names a regional endpoint. Add the region base endpoint the console shows beside the key ' +
        '(for example "cell-4-us-west-2-1.prod.a.momentohq.com") as "endpoint".',
    );
  }
}

export class KeyApiRequestRefusedError extends RotationError {
  override readonly name = 'KeyApiRequestRefusedError';
  readonly retryable = false;
  constructor(secretId: string, operation: string, detail: string) {
    super(
      `Momento's key-management API refused to ${operation} for secret ${secretId} as a bad request` +
        `${detail ? ` (${detail})` : ''}. Check "roleId" in the secret, and MOMENTO_API_KEYS_URL.`,
    );
  }
}

export class KeyApiUnavailableError extends RotationError {
  override readonly name = 'KeyApiUnavailableError';
  readonly retryable = true;
  constructor(operation: string, attempts: number, detail: string, options?: { cause?: unknown }) {
    super(
      `Momento's key-management API did not answer ${operation} after ${attempts} attempt(s)` +
        `${detail ? ` (${detail})` : ''}. Nothing was promoted; Secrets Manager retries the rotation. If this ` +
        "persists, check that the function reaches the API's URL (MOMENTO_API_KEYS_URL; NAT or internet access " +
        "from its VPC) and that nothing else in the Momento account is using up its ~5 key operations per second.",
      options,
    );
  }
}
