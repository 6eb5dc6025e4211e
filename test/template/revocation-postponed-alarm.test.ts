import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { MomentoKeyRotation } from 'momento-secret-rotation/cdk';
import { SecretStore } from '../../src/secrets-manager/secret-store.js';
import { ofType, resolved, SECRET_ARN, type Resource } from '../support/sam-template.js';

/**
 * A replica whose ReplicationStatus is Failed stays Failed until someone fixes it (Secrets Manager
 * user guide, "Troubleshoot AWS Secrets Manager replication": e.g. no kms:GenerateDataKey /
 * kms:Encrypt on the replica's key, which is what an empty ReplicaKmsKeyArns leaves). Every
 * revocation pass then postpones (mint-v2.ts), so no retired key is revoked: an alarm on
 * RevocationPostponed pages, in the template and the construct alike.
 */
describe('a replica stuck in Failed postpones every revocation', () => {
  it('counts a Failed replica as not InSync (so revocation waits for it)', async () => {
    const client = {
      send: async () => ({
        ARN: SECRET_ARN,
        Name: 'momento/api-key',
        VersionIdsToStages: {},
        ReplicationStatus: [{ Region: 'us-east-1', KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/x', Status: 'Failed', StatusMessage: 'Access denied to the KMS key' }],
      }),
    };
    expect((await new SecretStore(client as never).describe(SECRET_ARN)).replicasInSync).toBe(false);
  });

  const watches = (resources: Record<string, Resource>) => ofType(resources, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.MetricName as string);

  it('pages when revocations stay postponed two days (template.yaml)', () => {
    expect(watches(resolved())).toContain('RevocationPostponed');
    const [, alarm] = ofType(resolved(), 'AWS::CloudWatch::Alarm').find(([, a]) => a.Properties.MetricName === 'RevocationPostponed')!;
    expect(alarm.Properties).toMatchObject({ Statistic: 'Sum', Period: 86400, EvaluationPeriods: 2, DatapointsToAlarm: 2, Threshold: 1, TreatMissingData: 'notBreaching' });
  });

  it('pages when revocations stay postponed (the CDK construct)', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cdk-out-')) });
    const stack = new Stack(app, 'RotationStack', { env: { account: '123456789012', region: 'eu-west-1' } });
    new MomentoKeyRotation(stack, 'MomentoKeyRotation', { secret: Secret.fromSecretCompleteArn(stack, 'Secret', SECRET_ARN) });
    expect(watches(Template.fromStack(stack).toJSON().Resources as Record<string, Resource>)).toContain('RevocationPostponed');
  });
});
