import { describe, expect, it } from 'vitest';
import { ENDPOINT_EXAMPLE, parseRegionEndpoint } from '../../src/momento/endpoint.js';

// Momento's regions page (momentohq/public-dev-docs docs/platform/regions/index.md) shows
// https://api.cache.<cell>.prod.a.momentohq.com; RESP uses cache.<cell>…, SDKs <cell>…; Momento's
// CLI (momento/src/utils/user.rs, determine_endpoint) strips https://, api. and cache. in that order.
const BASE = 'cell-4-us-west-2-1.prod.a.momentohq.com';
const EXPECTED =
  "expected Momento's region base endpoint, such as cell-4-us-west-2-1.prod.a.momentohq.com, or it as Momento's regions page " +
  'shows it (https://api.cache.cell-4-us-west-2-1.prod.a.momentohq.com)';

describe('parseRegionEndpoint', () => {
  it.each([
    ['the regions page form', `https://api.cache.${BASE}`],
    ['it without https://', `api.cache.${BASE}`],
    ['the RESP form', `cache.${BASE}`],
    ['the SDK form (the base itself)', BASE],
    ['https:// with a trailing slash', `https://api.cache.${BASE}/`],
    ['https:// with trailing slashes', `https://${BASE}//`],
    ['capitals', `HTTPS://API.CACHE.${BASE.toUpperCase()}`],
    ['a trailing dot', `${BASE}.`],
    ['surrounding spaces', `  https://api.cache.${BASE}  \n`],
    ['api. without cache.', `api.${BASE}`],
  ])('takes %s', (_label, raw) => {
    expect(parseRegionEndpoint(raw)).toEqual({ ok: true, endpoint: BASE });
  });

  it.each([
    ['ap-southeast-1 from the regions page', 'https://api.cache.cell-1-ap-southeast-1-1.prod.a.momentohq.com', 'cell-1-ap-southeast-1-1.prod.a.momentohq.com'],
    ['a preprod cell', 'cache.cell-alpha-dev.preprod.a.momentohq.com', 'cell-alpha-dev.preprod.a.momentohq.com'],
    ['a host that is not Momento\'s (a private cell behind a name of its own)', 'https://api.cache.momento.internal.example.com', 'momento.internal.example.com'],
    ['a two-label host', 'example.com', 'example.com'],
    ['labels of 63 characters', `${'a'.repeat(63)}.example.com`, `${'a'.repeat(63)}.example.com`],
    ['digits and inner hyphens', '0-1.x9.a.momentohq.com', '0-1.x9.a.momentohq.com'],
  ])('takes %s', (_label, raw, endpoint) => {
    expect(parseRegionEndpoint(raw)).toEqual({ ok: true, endpoint });
  });

  it('strips each prefix at most once, in the CLI\'s order', () => {
    // cache. before api. is not stripped past: "api" is then the cell, which is no Momento base.
    expect(parseRegionEndpoint(`cache.api.${BASE}`).ok).toBe(false);
    expect(parseRegionEndpoint(`api.api.${BASE}`).ok).toBe(false);
    expect(parseRegionEndpoint('cache.cache.example.com')).toEqual({ ok: true, endpoint: 'cache.example.com' });
  });

  it.each([
    ['http://', `http://api.cache.${BASE}`, 'uses http://, not https://'],
    ['grpc://', `grpc://${BASE}`, 'uses grpc://, not https://'],
    ['a path', `https://api.cache.${BASE}/v1`, 'is not a host name (it has a path, query or spaces)'],
    ['a query', `${BASE}?region=us-west-2`, 'is not a host name (it has a path, query or spaces)'],
    ['a fragment', `${BASE}#x`, 'is not a host name (it has a path, query or spaces)'],
    ['user info', `https://user@${BASE}`, 'is not a host name (it has a path, query or spaces)'],
    ['a space inside', 'cell-4 us-west-2-1.prod.a.momentohq.com', 'is not a host name (it has a path, query or spaces)'],
    ['a port', `${BASE}:443`, 'names a port; Momento is reached on 443'],
    ['a port after https://', `https://api.cache.${BASE}:443/`, 'names a port; Momento is reached on 443'],
    ['the control host', `control.${BASE}`, 'is a service host, not the base'],
    ['the token host', `https://token.${BASE}`, 'is a service host, not the base'],
    ['the control host behind api.cache.', `api.cache.control.${BASE}`, 'is a service host, not the base'],
    ['a single label', 'localhost', 'is not a host name'],
    ['a bare AWS Region', 'us-west-2', 'is not a host name'],
    ['a bare cell name', 'cell-4-us-west-2-1', 'is not a host name'],
    ['an underscore', 'cell_4.prod.a.momentohq.com', 'is not a host name'],
    ['a label starting with a hyphen', '-cell.prod.a.momentohq.com', 'is not a host name'],
    ['a label ending with a hyphen', 'cell-.prod.a.momentohq.com', 'is not a host name'],
    ['an empty label', 'cell..prod.a.momentohq.com', 'is not a host name'],
    ['a label of 64 characters', `${'a'.repeat(64)}.example.com`, 'is not a host name'],
    ['https:// alone', 'https://', 'is not a host name'],
    ['the console', 'https://console.gomomento.com', "is Momento's console or website, not an endpoint"],
    ['gomomento.com', 'gomomento.com', "is Momento's console or website, not an endpoint"],
    ['momentohq.com', 'momentohq.com', 'is not a Momento region endpoint'],
    ['the docs site', 'https://docs.momentohq.com', 'is not a Momento region endpoint'],
    ['the key-management host', 'https://mga.registry.prod.a.momentohq.com', 'is not a Momento region endpoint'],
    ['a cell without its environment', 'cell-4-us-west-2-1.a.momentohq.com', 'is not a Momento region endpoint'],
    ['a Momento host outside a.', 'cell-4-us-west-2-1.prod.b.momentohq.com', 'is not a Momento region endpoint'],
  ])('refuses %s, saying why and what is expected', (_label, raw, why) => {
    expect(parseRegionEndpoint(raw)).toEqual({ ok: false, problem: `the endpoint "${raw.trim()}" ${why}: ${EXPECTED}` });
  });

  it('refuses an empty or blank value as empty', () => {
    expect(parseRegionEndpoint('')).toEqual({ ok: false, problem: `the endpoint is empty: ${EXPECTED}` });
    expect(parseRegionEndpoint(' \t ')).toEqual({ ok: false, problem: `the endpoint is empty: ${EXPECTED}` });
  });

  it('names the value as the caller calls it, quoting it as pasted (trimmed, case kept)', () => {
    expect(parseRegionEndpoint(' HTTP://Cache.Example.com ', '"endpoint"')).toEqual({
      ok: false,
      problem: `"endpoint" "HTTP://Cache.Example.com" uses http://, not https://: ${EXPECTED}`,
    });
    expect(parseRegionEndpoint('', '--endpoint')).toEqual({ ok: false, problem: `--endpoint is empty: ${EXPECTED}` });
  });

  it('shows an example that it takes itself, in both forms', () => {
    expect(ENDPOINT_EXAMPLE).toBe(BASE);
    expect(parseRegionEndpoint(ENDPOINT_EXAMPLE)).toEqual({ ok: true, endpoint: ENDPOINT_EXAMPLE });
    expect(parseRegionEndpoint(`https://api.cache.${ENDPOINT_EXAMPLE}`)).toEqual({ ok: true, endpoint: ENDPOINT_EXAMPLE });
  });
});
