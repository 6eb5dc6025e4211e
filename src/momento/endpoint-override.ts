import { isIP } from 'node:net';

/**
 * MOMENTO_ENDPOINT_OVERRIDE=host:port sends every Momento call to one plaintext gRPC
 * address. It exists for tests and local runs, so only loopback hosts are accepted:
 * a typo must never send keys unencrypted across a network.
 */
export interface EndpointOverride {
  /** host:port as gRPC wants it ("[::1]:port" for IPv6). */
  readonly address: string;
}

export type EndpointOverrideParse = { ok: true; override: EndpointOverride } | { ok: false; problem: string };

export function parseEndpointOverride(raw: string): EndpointOverrideParse {
  const value = raw.trim();
  const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(value);
  if (!match) {
    return { ok: false, problem: `MOMENTO_ENDPOINT_OVERRIDE must be host:port (e.g. 127.0.0.1:9999), got "${value}"` };
  }
  const host = (match[1] ?? match[2] ?? '').toLowerCase();
  const port = Number(match[3]);
  if (port < 1 || port > 65_535) {
    return { ok: false, problem: `MOMENTO_ENDPOINT_OVERRIDE port ${port} is out of range` };
  }
  if (!isLoopback(host)) {
    return {
      ok: false,
      problem:
        `MOMENTO_ENDPOINT_OVERRIDE host "${host}" is not a loopback address. The override sends keys over ` +
        'plaintext gRPC and exists for local tests only: use 127.0.0.1, ::1 or localhost, or unset it to reach Momento.',
    };
  }
  return { ok: true, override: { address: isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}` } };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  if (isIP(host) !== 4) return false;
  return host.split('.')[0] === '127';
}
