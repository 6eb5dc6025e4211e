import { describe, expect, it } from 'vitest';
import { parseRegionEndpoint } from '../../src/momento/endpoint.js';
import { endpointForAwsRegion, MOMENTO_CELLS_BY_AWS_REGION } from '../../src/momento/regions.js';

// Momento's regions page (momentohq/public-dev-docs docs/platform/regions/index.md): the Endpoint
// column of its Oct 2025 version (982ab0456), plus eu-north-1 (Stockholm, added in 089e65dd4, cell
// cell-1-eu-north-1-1 in the current table).
const REGIONS_PAGE: Record<string, string> = {
  'us-east-1': 'https://api.cache.cell-us-east-1-1.prod.a.momentohq.com',
  'us-east-2': 'https://api.cache.cell-1-us-east-2-1.prod.a.momentohq.com',
  'us-west-2': 'https://api.cache.cell-4-us-west-2-1.prod.a.momentohq.com',
  'eu-west-1': 'https://api.cache.cell-1-eu-west-1-1.prod.a.momentohq.com',
  'eu-west-2': 'https://api.cache.cell-1-eu-west-2-1.prod.a.momentohq.com',
  'eu-central-1': 'https://api.cache.cell-1-eu-central-1-1.prod.a.momentohq.com',
  'eu-north-1': 'https://api.cache.cell-1-eu-north-1-1.prod.a.momentohq.com',
  'ap-south-1': 'https://api.cache.cell-1-ap-south-1-1.prod.a.momentohq.com',
  'ap-northeast-1': 'https://api.cache.cell-ap-northeast-1-1.prod.a.momentohq.com',
  'ap-southeast-1': 'https://api.cache.cell-1-ap-southeast-1-1.prod.a.momentohq.com',
  'ap-southeast-2': 'https://api.cache.cell-1-ap-southeast-2-1.prod.a.momentohq.com',
};
const SERVED =
  'us-east-1, us-east-2, us-west-2, eu-west-1, eu-west-2, eu-central-1, eu-north-1, ap-south-1, ap-northeast-1, ap-southeast-1, ap-southeast-2';

describe('endpointForAwsRegion', () => {
  it('knows exactly the Regions on Momento\'s regions page', () => {
    expect(Object.keys(MOMENTO_CELLS_BY_AWS_REGION).sort()).toEqual(Object.keys(REGIONS_PAGE).sort());
  });

  it.each(Object.entries(REGIONS_PAGE))('gives %s the base of the page\'s endpoint, %s', (region, pageEndpoint) => {
    const base = pageEndpoint.slice('https://api.cache.'.length);
    expect(endpointForAwsRegion(region)).toEqual({ ok: true, endpoint: base });
    // What it gives is what a pasted endpoint normalises to.
    expect(parseRegionEndpoint(pageEndpoint)).toEqual({ ok: true, endpoint: base });
  });

  it('takes a Region in capitals or with spaces around it', () => {
    expect(endpointForAwsRegion(' US-WEST-2 ')).toEqual({ ok: true, endpoint: 'cell-4-us-west-2-1.prod.a.momentohq.com' });
  });

  it.each([
    ['a Region Momento has no public cell in', 'us-west-1'],
    ['a GovCloud Region', 'us-gov-west-1'],
    ['a China Region', 'cn-north-1'],
    ['a cell name', 'cell-4-us-west-2-1'],
    ['a near miss', 'us-west-2a'],
    ['empty', ''],
    ['__proto__', '__proto__'],
    ['constructor', 'constructor'],
    ['toString', 'toString'],
    ['hasOwnProperty', 'hasOwnProperty'],
    ['valueOf', 'valueOf'],
  ])('refuses %s, listing the Regions it serves', (_label, region) => {
    expect(endpointForAwsRegion(region)).toEqual({
      ok: false,
      problem:
        `Momento has no public cell in AWS Region "${region}". It serves ${SERVED}. ` +
        "Pass --endpoint with the endpoint the Momento console shows for your cache (a private cell's, or the nearest Region's).",
    });
  });

  it('quotes the Region as given', () => {
    const refused = endpointForAwsRegion(' Mars-1 ');
    expect(refused.ok ? '' : refused.problem).toMatch(/^Momento has no public cell in AWS Region " Mars-1 "\./);
  });
});
