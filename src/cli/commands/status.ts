import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { inspectSecret, type SecretReport } from '../inspect-secret.js';
import { table, type Output } from '../output.js';

export async function status(client: SecretsManagerClient, secretId: string, json: boolean, io: Output): Promise<SecretReport> {
  const report = await inspectSecret(client, secretId);
  if (json) {
    io.out(JSON.stringify(report, null, 2));
    return report;
  }
  printReport(report, io);
  return report;
}

export function printReport(report: SecretReport, io: Output): void {
  io.out(`Secret      ${report.name}`);
  io.out(`            ${report.arn}`);
  io.out(`Rotation    ${report.rotationEnabled ? 'enabled' : 'OFF'}${report.schedule ? `, ${report.schedule}` : ''}${report.window ? `, window ${report.window}` : ''}`);
  io.out(`Function    ${report.rotationFunction ?? '-'}`);
  io.out(`Last        ${report.lastRotated ?? '-'}`);
  io.out(`Next        ${report.nextRotation ?? '-'}`);
  io.out('');
  const rows = [
    ['VERSION', 'STAGES', 'KEY', 'VALID UNTIL', 'DAYS LEFT', 'REFRESHABLE'],
    ...report.versions.map((v) => [
      v.versionId,
      v.stages.join(','),
      v.fingerprint ?? `(${v.holds})`,
      v.validUntil ?? '-',
      v.daysLeft === undefined ? '-' : String(v.daysLeft),
      v.refreshable ? 'yes' : `no: ${v.problem ?? '?'}`,
    ]),
  ];
  for (const line of table(rows)) io.out(line);
  if (report.warnings.length > 0) {
    io.out('');
    for (const warning of report.warnings) io.out(`WARNING  ${warning}`);
  }
}
