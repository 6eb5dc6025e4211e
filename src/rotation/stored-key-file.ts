import { inspectApiKey } from '../momento/api-key.js';
import { fingerprint } from '../observability/fingerprint.js';
import { logger } from '../observability/logger.js';
import { rememberSecret } from '../observability/redact.js';
import { describeConflict, parseKeyFile, type MomentoKeyFile } from '../secret/key-file.js';
import { InvalidSecretValueError, SecretNotJsonError } from './errors.js';

/**
 * Parses a version's stored value into a key file, remembering its secrets for
 * redaction before anything can log them; a value that is not one throws the error
 * that says how to fix it. Where the stored "keyId" or "validUntil" disagrees with the key's
 * own claims, the key wins (see key-file.ts) and a warning names both.
 */
export function keyFileFrom(secretString: string | undefined, secretId: string, version: string): MomentoKeyFile {
  if (secretString === undefined) {
    throw new InvalidSecretValueError(secretId, version, 'it is stored as SecretBinary, not SecretString');
  }
  rememberSecret(secretString);
  const parsed = parseKeyFile(secretString);
  if (!parsed.ok) {
    if (parsed.reason === 'not-json') throw new SecretNotJsonError(secretId, version);
    throw new InvalidSecretValueError(secretId, version, parsed.problem);
  }
  rememberSecret(parsed.file.apiKey);
  rememberSecret(parsed.file.refreshToken);
  rememberSecret(inspectApiKey(parsed.file.apiKey).innerJwt);
  for (const conflict of parsed.file.conflicts) {
    logger.warn(`The stored key file disagrees with its key: ${describeConflict(conflict)}`, {
      secretVersion: version,
      field: conflict.field,
      stored: conflict.stored,
      fromKey: conflict.fromKey,
      keyFingerprint: fingerprint(parsed.file.apiKey),
    });
  }
  return parsed.file;
}
