import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseRegionEndpoint } from '../momento/endpoint.js';
import { endpointForAwsRegion } from '../momento/regions.js';
import { CliError } from './errors.js';

/**
 * The region base endpoint a v2 key is used with: as given, in any form Momento shows it
 * (read as its base), else Momento's cell in the secret's AWS Region. `from` says which, for
 * the operator.
 */
export async function endpointFor(
  client: Pick<SecretsManagerClient, 'config'>,
  given: string | undefined,
  what: string,
): Promise<{ endpoint: string; from: string }> {
  if (given !== undefined) {
    const parsed = parseRegionEndpoint(given, what);
    if (!parsed.ok) throw new CliError(`${parsed.problem}.`);
    return { endpoint: parsed.endpoint, from: what };
  }
  const region = await client.config.region();
  const lookup = endpointForAwsRegion(region);
  if (!lookup.ok) throw new CliError(`No --endpoint given, and the secret's Region is ${region}. ${lookup.problem}`);
  return { endpoint: lookup.endpoint, from: `the secret's AWS Region ${region} (Momento's regions table)` };
}
