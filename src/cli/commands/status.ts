import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseMintedKeyDescription, secretTag } from '../../rotation/strategies/mint-v2.js';
import { inspectSecret, momentoKeysReport, type MintedBy, type MomentoKeysReport, type SecretReport } from '../inspect-secret.js';
import { keyApiAccess, listKeys } from '../key-api.js';
import { scrub } from '../../observability/redact.js';
import { table, type Output } from '../output.js';
import { revokeCommand, type AwsFlags } from './revoke.js';

export async function status(
  client: SecretsManagerClient,
  secretId: string,
  json: boolean,
  io: Output,
  managementSecretId?: string,
  aws: AwsFlags = {},
): Promise<SecretReport & { momento?: MomentoKeysReport }> {
  const report = await inspectSecret(client, secretId);
  let momento: MomentoKeysReport | undefined;
  if (managementSecretId !== undefined) {
    const access = await keyApiAccess(client, managementSecretId);
    const listed = await listKeys(access, 'list the keys at Momento');
    momento = momentoKeysReport(report, listed, mintedByFor(report.arn), Date.now(), access.managementKeyId);
  }
  const warnings = [...(momento ? momentoWarnings(report, momento, managementSecretId!, aws) : []), ...report.warnings];
  const full = { ...report, warnings, ...(momento ? { momento } : {}) };
  // Every value read was remembered: anything that still slipped into a message is redacted.
  const safe: Output = { out: (line) => io.out(scrub(line)), err: (line) => io.err(scrub(line)) };
  if (json) {
    safe.out(JSON.stringify(full, null, 2));
    return full;
  }
  printReport(full, safe);
  return full;
}

/** How a listed key's description relates to the secret with this ARN (its tag). */
export function mintedByFor(arn: string): (description: string) => MintedBy | undefined {
  const tag = secretTag(arn);
  return (description) => {
    const parsed = parseMintedKeyDescription(description);
    return parsed === undefined ? undefined : { forThisSecret: parsed.secretTag === tag, versionId: parsed.versionId, predecessorKeyId: parsed.predecessorKeyId };
  };
}

function momentoWarnings(report: SecretReport, momento: MomentoKeysReport, managementSecretId: string, aws: AwsFlags): string[] {
  const warnings: string[] = [];
  if (momento.currentRevoked) {
    const current = momento.versions.find((v) => v.stages.includes('AWSCURRENT'))!;
    warnings.push(
      `EMERGENCY: the AWSCURRENT key (key id ${current.keyId}) is revoked or expired at Momento: applications reading this ` +
        `secret cannot authenticate. Rotate now, which mints a new key with the management key: momento-secret-rotation rotate --secret-id ${report.name}`,
    );
  }
  for (const leftover of momento.leftovers) {
    warnings.push(
      `Key ${leftover.keyId} was minted for this secret (version ${leftover.mintedForVersion}) but no version stores it: ` +
        'a rotation stopped between minting and storing. The next rotation or expiry report revokes it.',
    );
  }
  for (const retired of momento.retiredNotRevoked) {
    warnings.push(
      `Key ${retired.keyId} left this secret but is still valid at Momento (key ${retired.namedBy}, minted for this secret, replaced it). ` +
        (retired.mintedForAnotherSecret
          ? 'It was minted for another secret, whose own rotation revokes it once it leaves that secret; the function never revokes it from here. '
          : 'It was imported (not minted for this secret), and the rotation function revokes imported keys only with RevokeImportedKeys on. ') +
        `Once no application uses it, revoke it with: ${revokeCommand(retired.keyId, managementSecretId, aws)}`,
    );
  }
  return warnings;
}

export function printReport(report: SecretReport & { momento?: MomentoKeysReport }, io: Output): void {
  io.out(`Secret      ${report.name}`);
  io.out(`            ${report.arn}`);
  io.out(`Rotation    ${report.rotationEnabled ? 'enabled' : 'OFF'}${report.schedule ? `, ${report.schedule}` : ''}${report.window ? `, window ${report.window}` : ''}`);
  io.out(`Function    ${report.rotationFunction ?? '-'}`);
  io.out(`Last        ${report.lastRotated ?? '-'}`);
  io.out(`Next        ${report.nextRotation ?? '-'}`);
  io.out('');
  const atMomento = new Map(report.momento?.versions.map((v) => [v.versionId, v.validAtMomento]));
  const v2 = report.versions.some((v) => v.kind === 'v2');
  const rows = [
    ['VERSION', 'STAGES', 'KEY', ...(v2 ? ['KEY ID', 'ROLE'] : []), 'VALID UNTIL', 'DAYS LEFT', 'ROTATES BY', ...(report.momento ? ['AT MOMENTO'] : [])],
    ...report.versions.map((v) => [
      v.versionId,
      v.stages.join(','),
      v.fingerprint ?? `(${v.holds})`,
      ...(v2 ? [v.keyId ?? '-', v.roleId ?? '-'] : []),
      v.validUntil ?? '-',
      v.daysLeft === undefined ? '-' : String(v.daysLeft),
      v.rotatesBy ?? `no: ${v.problem ?? '?'}`,
      ...(report.momento ? [atMomento.has(v.versionId) ? (atMomento.get(v.versionId) ? 'valid' : 'REVOKED') : '-'] : []),
    ]),
  ];
  for (const line of table(rows)) io.out(line);
  if (report.warnings.length > 0) {
    io.out('');
    for (const warning of report.warnings) io.out(`WARNING  ${warning}`);
  }
}
