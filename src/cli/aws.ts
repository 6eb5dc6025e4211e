import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface AwsOptions {
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
}

/**
 * A Secrets Manager client from the standard credential chain. --profile and --region
 * win over the environment; AWS_ENDPOINT_URL_SECRETS_MANAGER is honoured by the SDK.
 */
export function secretsManagerClient(options: AwsOptions): SecretsManagerClient {
  if (options.profile) process.env.AWS_PROFILE = options.profile;
  return new SecretsManagerClient({
    ...(options.region ? { region: options.region } : {}),
    maxAttempts: 3,
  });
}
