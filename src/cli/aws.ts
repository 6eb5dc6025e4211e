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
  return awsClient(SecretsManagerClient, options);
}

/**
 * Any AWS SDK v3 client (Lambda, IAM, EC2, ...) with the same credentials, Region and retries
 * as the Secrets Manager client; each honours its own AWS_ENDPOINT_URL_<SERVICE>.
 */
export function awsClient<T>(Client: new (config: { region?: string; maxAttempts?: number }) => T, options: AwsOptions): T {
  if (options.profile) process.env.AWS_PROFILE = options.profile;
  return new Client({
    ...(options.region ? { region: options.region } : {}),
    maxAttempts: 3,
  });
}
