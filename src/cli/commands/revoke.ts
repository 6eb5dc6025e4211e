import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CliError } from '../errors.js';
import { explainKeyApiFailure, keyApiAccess } from '../key-api.js';
import { secretNames, secretsHoldingKey, unreadableText } from '../key-holders.js';
import type { Output } from '../output.js';

/** --region and --profile as the operator gave them, for commands the CLI prints. */
export interface AwsFlags {
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
}

/** The command that revokes one key, as printed for the operator to run. */
export function revokeCommand(keyId: string, managementSecretId: string, aws: AwsFlags = {}): string {
  return `momento-secret-rotation revoke --key-id ${keyId} --management-secret-id ${managementSecretId}${awsFlagsText(aws)}`;
}

export function awsFlagsText(aws: AwsFlags): string {
  return `${aws.region ? ` --region ${aws.region}` : ''}${aws.profile ? ` --profile ${aws.profile}` : ''}`;
}

export interface RevokeOptions {
  readonly keyId: string;
  readonly managementSecretId: string;
  /** Revoke even a key that AWSCURRENT of a secret holds (never the management key). */
  readonly force: boolean;
  /** --region and --profile as given, for the commands it prints. */
  readonly aws?: AwsFlags;
}

/**
 * Revokes one v2 key at Momento (DELETE /api-keys/{id}) through the management key. Refuses,
 * revoking nothing: the management key itself (always), and a key that AWSCURRENT of any
 * secret in the Region holds, or may hold (a secret it cannot read), unless --force, which
 * warns, naming the secret.
 */
export async function revoke(client: SecretsManagerClient, options: RevokeOptions, io: Output): Promise<'revoked' | 'not-found'> {
  const { keyId, managementSecretId, force } = options;
  const flags = awsFlagsText(options.aws ?? {});
  const access = await keyApiAccess(client, managementSecretId);
  if (access.managementKeyId === undefined) {
    throw new CliError(
      `The management key in ${managementSecretId} carries no key id (jti claim), so it cannot be told apart from key ${keyId}: ` +
        `nothing was revoked. Revoke key ${keyId} in the Momento console, or store a management key with a key id.`,
    );
  }
  if (keyId === access.managementKeyId) {
    throw new CliError(
      `Key ${keyId} is the management key itself (AWSCURRENT of ${managementSecretId}): revoking it would stop every rotation ` +
        `and every command that uses it. Nothing was revoked, and --force does not change that. To retire it, store a new ` +
        `management key in ${managementSecretId} first, then revoke this one.`,
    );
  }

  const scan = await secretsHoldingKey(client, keyId);
  if (scan.listFailed !== undefined) {
    if (!force) {
      throw new CliError(
        `Could not check which secrets in ${scan.region} hold key ${keyId}: ${scan.listFailed}. Nothing was revoked. ` +
          'Run it with secretsmanager:ListSecrets, and GetSecretValue on the secrets, or pass --force to revoke it without checking.',
      );
    }
    io.err(`Warning: not checked whether a secret in ${scan.region} holds key ${keyId} (${scan.listFailed}); revoking it anyway (--force).`);
  }
  if (scan.unreadable.length > 0) {
    // One of them may hold the key: when in doubt, do not revoke.
    if (!force) {
      throw new CliError(
        `Could not check that no secret holds key ${keyId}: ${unreadableText(scan)}, and one of them may hold it. Nothing was revoked. ` +
          'Run it with GetSecretValue (and kms:Decrypt) on those secrets, or pass --force to revoke it without checking them.',
      );
    }
    io.err(`Warning: ${unreadableText(scan)}: if one of them holds key ${keyId}, its applications stop authenticating. Revoking it anyway (--force).`);
  }
  if (scan.holders.length > 0) {
    const names = secretNames(scan.holders);
    const one = scan.holders.length === 1;
    if (!force) {
      throw new CliError(
        `Key ${keyId} is what AWSCURRENT of ${one ? 'secret' : 'secrets'} ${names} holds: revoking it would stop every application ` +
          `reading ${one ? 'that secret' : 'them'} from authenticating. Nothing was revoked. Rotate first: ` +
          `momento-secret-rotation rotate --secret-id ${scan.holders[0]!.name} --revoke-previous --management-secret-id ${managementSecretId}${flags} ` +
          'revokes it as soon as AWSCURRENT has moved to a new key, when it is the key of that secret\'s key file (otherwise store a new key in the secret, then run this again). ' +
          'To revoke it now anyway, pass --force.',
      );
    }
    io.err(
      `Warning: AWSCURRENT of ${one ? 'secret' : 'secrets'} ${names} holds key ${keyId}: ${one ? 'its' : 'their'} applications stop ` +
        `authenticating until ${one ? 'it rotates' : 'they rotate'} (momento-secret-rotation rotate --secret-id ${scan.holders[0]!.name}${flags}). Revoking it anyway (--force).`,
    );
  }

  let outcome: 'revoked' | 'not-found';
  try {
    outcome = await access.api.revoke(access.managementKey, keyId, Date.now() + 60_000);
  } catch (error) {
    throw explainKeyApiFailure(error, `revoke key ${keyId}`);
  }
  io.out(
    outcome === 'revoked'
      ? `Revoked key ${keyId}: Momento no longer accepts it.`
      : `Key ${keyId} was already revoked or has expired: Momento does not know it (nor would it know a key of another account ` +
          "than the management key's). Nothing to do.",
  );
  return outcome;
}
