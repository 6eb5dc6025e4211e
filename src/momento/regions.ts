/**
 * Momento's cells by AWS Region, from Momento's regions page (momentohq/public-dev-docs,
 * docs/platform/regions/index.md), which lists each as https://api.cache.<cell>.prod.a.momentohq.com;
 * Momento's CLI (momento/src/utils/user.rs, determine_cell_prefix_for_region) agrees. A v2
 * key works in every Region, but each call names one of these. Update from that page.
 */
export const MOMENTO_CELLS_BY_AWS_REGION: Readonly<Record<string, string>> = {
  'us-east-1': 'cell-us-east-1-1',
  'us-east-2': 'cell-1-us-east-2-1',
  'us-west-2': 'cell-4-us-west-2-1',
  'eu-west-1': 'cell-1-eu-west-1-1',
  'eu-west-2': 'cell-1-eu-west-2-1',
  'eu-central-1': 'cell-1-eu-central-1-1',
  'eu-north-1': 'cell-1-eu-north-1-1',
  'ap-south-1': 'cell-1-ap-south-1-1',
  'ap-northeast-1': 'cell-ap-northeast-1-1',
  'ap-southeast-1': 'cell-1-ap-southeast-1-1',
  'ap-southeast-2': 'cell-1-ap-southeast-2-1',
};

export type RegionLookup = { readonly ok: true; readonly endpoint: string } | { readonly ok: false; readonly problem: string };

/** The region base endpoint Momento serves in an AWS Region, or a refusal that lists the Regions it serves. */
export function endpointForAwsRegion(region: string): RegionLookup {
  const key = region.trim().toLowerCase();
  const cell = Object.hasOwn(MOMENTO_CELLS_BY_AWS_REGION, key) ? MOMENTO_CELLS_BY_AWS_REGION[key] : undefined;
  if (cell !== undefined) return { ok: true, endpoint: `${cell}.prod.a.momentohq.com` };
  return {
    ok: false,
    problem:
      `Momento has no public cell in AWS Region "${region}". It serves ${Object.keys(MOMENTO_CELLS_BY_AWS_REGION).join(', ')}. ` +
      'Pass --endpoint with the endpoint the Momento console shows for your cache (a private cell\'s, or the nearest Region\'s).',
  };
}
