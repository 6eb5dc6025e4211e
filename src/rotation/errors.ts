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
  override readonly name = 'ConfigurationError';
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
