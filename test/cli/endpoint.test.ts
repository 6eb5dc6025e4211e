import { describe, expect, it } from 'vitest';
import { endpointFor } from '../../src/cli/endpoint.js';
import { CliError } from '../../src/cli/errors.js';
import { MOMENTO_CELLS_BY_AWS_REGION } from '../../src/momento/regions.js';

// The endpoint a v2 key is stored with: as given (any form Momento shows), else the secret's Region's cell.
/** A Secrets Manager client as endpointFor sees it: only its Region; counts how often it is asked. */
function clientIn(region: string) {
  const asked = { count: 0 };
  return { client: { config: { region: async () => (asked.count++, region) } } as never, asked };
}

describe('endpointFor', () => {
  it.each([
    ['https://api.cache.cell-4-us-west-2-1.prod.a.momentohq.com', 'cell-4-us-west-2-1.prod.a.momentohq.com'],
    ['api.cache.cell-1-eu-west-1-1.prod.a.momentohq.com', 'cell-1-eu-west-1-1.prod.a.momentohq.com'],
    ['cache.cell-1-ap-southeast-1-1.prod.a.momentohq.com', 'cell-1-ap-southeast-1-1.prod.a.momentohq.com'],
    ['cell-us-east-1-1.prod.a.momentohq.com', 'cell-us-east-1-1.prod.a.momentohq.com'],
  ])('reads %j as the base %j, says it came from the flag, and does not look at the Region', async (given, endpoint) => {
    const { client, asked } = clientIn('eu-west-1');
    expect(await endpointFor(client, given, '--endpoint')).toEqual({ endpoint, from: '--endpoint' });
    expect(asked.count).toBe(0);
  });

  it.each([
    ['http://x', '--endpoint "http://x" uses http://, not https://: expected'],
    ['us-west-2', '--endpoint "us-west-2" is not a host name: expected'],
    ['https://console.gomomento.com', '--endpoint "https://console.gomomento.com" is Momento\'s console or website, not an endpoint: expected'],
    ['cell-4-us-west-2-1.prod.a.momentohq.com:443', 'names a port'],
    ['  ', '--endpoint is empty: expected'],
  ])('refuses %j with a CliError showing the expected form', async (given, message) => {
    const { client } = clientIn('us-east-1');
    const error = await endpointFor(client, given, '--endpoint').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(1);
    expect((error as CliError).message).toContain(message);
    expect((error as CliError).message).toMatch(/such as cell-4-us-west-2-1\.prod\.a\.momentohq\.com, or it as Momento's regions page shows it \(https:\/\/api\.cache\.cell-4-us-west-2-1\.prod\.a\.momentohq\.com\)\.$/);
  });

  it('names a value by where it came from', async () => {
    const { client } = clientIn('us-east-1');
    await expect(endpointFor(client, 'http://x', 'momento_token.info.json\'s "endpoint"')).rejects.toThrow(/^momento_token\.info\.json's "endpoint" "http:\/\/x" uses http:\/\//);
  });

  it.each(Object.entries(MOMENTO_CELLS_BY_AWS_REGION))('without one, gives Region %s its cell %s, saying so', async (region, cell) => {
    const { client } = clientIn(region);
    expect(await endpointFor(client, undefined, '--endpoint')).toEqual({
      endpoint: `${cell}.prod.a.momentohq.com`,
      from: `the secret's AWS Region ${region} (Momento's regions table)`,
    });
  });

  it('refuses a Region Momento has no cell in, listing those it serves and asking for --endpoint', async () => {
    const { client } = clientIn('sa-east-1');
    await expect(endpointFor(client, undefined, '--endpoint')).rejects.toThrow(
      new CliError(
        'No --endpoint given, and the secret\'s Region is sa-east-1. Momento has no public cell in AWS Region "sa-east-1". It serves ' +
          'us-east-1, us-east-2, us-west-2, eu-west-1, eu-west-2, eu-central-1, eu-north-1, ap-south-1, ap-northeast-1, ap-southeast-1, ap-southeast-2. ' +
          "Pass --endpoint with the endpoint the Momento console shows for your cache (a private cell's, or the nearest Region's).",
      ),
    );
  });
});
