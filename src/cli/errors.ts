/** A failure the operator can act on: printed as is, exit code 1 (or 2 for usage). */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

export const usage = (message: string) => new CliError(`${message}\nRun with --help for usage.`, 2);

/** AWS SDK errors, in words that say what to do. Matched by name, never HTTP status. */
export function explainAwsError(error: unknown, secretId: string | undefined): CliError | undefined {
  const name = typeof error === 'object' && error !== null ? String((error as { name?: unknown }).name ?? '') : '';
  const message = error instanceof Error ? error.message : String(error);
  const secret = secretId ? `secret "${secretId}"` : 'the secret';
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new CliError(
      'No AWS credentials found. Set AWS_PROFILE or pass --profile, run `aws configure` or `aws sso login`, ' +
        'or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
    );
  }
  if (/Region is missing/i.test(message)) {
    return new CliError('No AWS Region set. Pass --region (the secret\'s Region), or set AWS_REGION.');
  }
  if (name === 'ResourceNotFoundException') {
    return new CliError(`Secrets Manager has no ${secret} in this Region and account. Check the name or ARN, --region and --profile.`);
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnrecognizedClientException') {
    return new CliError(`Access denied to ${secret}: ${message}. The caller needs secretsmanager permissions on it (and kms for its key).`);
  }
  return undefined;
}

/** An AWS SDK error's name (how its errors are told apart), or "Error". */
export function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null ? String((error as { name?: unknown }).name ?? 'Error') : 'Error';
}
