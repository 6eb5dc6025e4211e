import { createHash } from 'node:crypto';

/**
 * A short, stable, non-reversible label for a credential, safe to log and print.
 * Eight hex characters of SHA-256 tell keys apart in logs and `status` output
 * without giving an attacker anything to work with.
 */
export function fingerprint(secret: string): string {
  return `sha256:${createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 8)}`;
}
