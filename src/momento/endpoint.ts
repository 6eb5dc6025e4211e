/**
 * A v2 key's region base endpoint, as `CredentialProvider.fromApiKeyV2({endpoint})` wants it:
 * `<cell>.prod.a.momentohq.com`; the SDK derives `control.`, `cache.` and `token.` hosts from
 * it. Momento's regions page (momentohq/public-dev-docs docs/platform/regions/index.md) shows
 * `https://api.cache.<cell>.prod.a.momentohq.com`, and Momento's CLI strips `https://`, `api.`
 * and `cache.` before using one (momentohq/momento-cli). So every form a user may paste is
 * taken, and the base is what is stored: stored as pasted, the SDK would dial `cache.cache.…`.
 */
export type RegionEndpointParse = { readonly ok: true; readonly endpoint: string } | { readonly ok: false; readonly problem: string };

export const ENDPOINT_EXAMPLE = 'cell-4-us-west-2-1.prod.a.momentohq.com';

const EXPECTED =
  `expected Momento's region base endpoint, such as ${ENDPOINT_EXAMPLE}, or it as Momento's regions page ` +
  `shows it (https://api.cache.${ENDPOINT_EXAMPLE})`;

const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Momento's own hosts: <cell>.<environment>.a.momentohq.com. */
const MOMENTO_BASE = /^[a-z0-9-]+\.[a-z0-9-]+\.a\.momentohq\.com$/;

/**
 * `quote`: name the value in the problem. A value read from a secret is never quoted: a key
 * file edited by hand may hold a key in its "endpoint" field, and the problem is logged.
 */
export function parseRegionEndpoint(raw: string, what = 'the endpoint', quote = true): RegionEndpointParse {
  const pasted = raw.trim();
  const refuse = (why: string): RegionEndpointParse => ({ ok: false, problem: `${what}${quote ? ` "${pasted}"` : ''} ${why}: ${EXPECTED}` });
  if (pasted === '') return { ok: false, problem: `${what} is empty: ${EXPECTED}` };
  let host = pasted.toLowerCase();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(host);
  if (scheme) {
    if (scheme[1] !== 'https') return refuse(`uses ${scheme[1]}://, not https://`);
    host = host.slice(scheme[0].length);
  }
  host = host.replace(/\/+$/, '');
  if (/[/?#@\s]/.test(host)) return refuse('is not a host name (it has a path, query or spaces)');
  if (host.includes(':')) return refuse('names a port; Momento is reached on 443');
  host = host.replace(/\.$/, '');
  // The order Momento's CLI strips them in.
  if (host.startsWith('api.')) host = host.slice('api.'.length);
  if (host.startsWith('cache.')) host = host.slice('cache.'.length);
  if (/^(control|token)\./.test(host)) return refuse('is a service host, not the base');
  const labels = host.split('.');
  if (labels.length < 2 || !labels.every((label) => HOST_LABEL.test(label))) return refuse('is not a host name');
  if (/(^|\.)gomomento\.com$/.test(host)) return refuse("is Momento's console or website, not an endpoint");
  if (/(^|\.)momentohq\.com$/.test(host) && !MOMENTO_BASE.test(host)) return refuse('is not a Momento region endpoint');
  return { ok: true, endpoint: host };
}
