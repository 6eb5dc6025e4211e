import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SecurityGroup, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// The construct as shipped (dist/cdk.js, through the package's own exports), which finds dist/lambda beside itself.
import { MomentoKeyRotation, scheduleExpression, type MomentoKeyRotationProps } from 'momento-secret-rotation/cdk';
import { ROTATION_FUNCTION_TAG } from '../../src/rotation-function-tag.js';
import { alarmMetric, dashboardMetrics, emittedMetrics, hasDimension, metricKey, metricNameOf, type DashboardBody } from '../support/dashboard.js';
import {
  KMS_KEY_ARN,
  MANAGEMENT_KMS_KEY_ARN,
  MANAGEMENT_SECRET_ARN,
  ofType,
  parameterValues,
  rendered,
  REPLICA_KMS_KEY_ARNS,
  resolved,
  SECRET_ARN,
  type Resource,
} from '../support/sam-template.js';

// Offline synth with aws-cdk-lib/assertions: no CDK CLI, no AWS account. The function's code
// is the built artifact (dist/lambda, from `npm run build`).
const OTHER_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:momento/other-QwErTy';
const OTHER_KMS_KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/7d3c2b1a-1234-4cde-8f00-123456789abc';
/** The deploy-time report's type: the one custom resource type the Serverless Application Repository accepts (template.yaml's). */
const CUSTOM_RESOURCE = 'AWS::CloudFormation::CustomResource';
/** Secrets Manager in the stack's Region acting for the function (kms:ViaService), as template.yaml's conditions say. */
const VIA_SECRETS_MANAGER = { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' };

function synth(props: (stack: Stack) => Partial<MomentoKeyRotationProps> = () => ({}), extra?: (r: MomentoKeyRotation, stack: Stack) => void) {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cdk-out-')) });
  const stack = new Stack(app, 'RotationStack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const rotation = new MomentoKeyRotation(stack, 'MomentoKeyRotation', {
    secret: Secret.fromSecretCompleteArn(stack, 'Secret', SECRET_ARN),
    ...props(stack),
  });
  extra?.(rotation, stack);
  return Template.fromStack(stack);
}

const SUBNET_IDS = ['subnet-0123456789abcdef0', 'subnet-89abcdef'];
const SECURITY_GROUP_ID = 'sg-0123456789abcdef0';
/** An existing VPC with two private subnets, and an existing security group. */
const inVpc = (stack: Stack): Partial<MomentoKeyRotationProps> => ({
  vpc: Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['eu-west-1a', 'eu-west-1b'], privateSubnetIds: SUBNET_IDS }),
  securityGroups: [SecurityGroup.fromSecurityGroupId(stack, 'FunctionSecurityGroup', SECURITY_GROUP_ID)],
});
const ENI_ACTIONS = ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'];
/** The dashboard's body as CloudFormation stores it (references to resources read `<their type>`). */
const dashboardBody = (resources: Record<string, Resource>, values: Record<string, string> = {}) =>
  JSON.parse(rendered(ofType(resources, 'AWS::CloudWatch::Dashboard')[0]![1].Properties.DashboardBody, resources, values)) as DashboardBody;

const statements = (template: Template) =>
  Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => (p as Resource).Properties.PolicyDocument.Statement as Record<string, unknown>[]);

describe('MomentoKeyRotation (momento-secret-rotation/cdk)', () => {
  it('creates the function from the shipped artifact, with the settings template.yaml has', () => {
    const template = synth();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'handler.handler',
      MemorySize: 160,
      Timeout: 120,
      Environment: {
        Variables: {
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_SERVICE_NAME: 'RotationStack',
          POWERTOOLS_METRICS_NAMESPACE: 'MomentoSecretRotation',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          MOMENTO_KEY_LIFETIME_DAYS: '30',
          MOMENTO_REVOKE_IMPORTED_KEYS: 'false',
        },
      },
    });
    synth(() => ({ revokeImportedKeys: true })).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ MOMENTO_REVOKE_IMPORTED_KEYS: 'true' }) },
    });
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    // Deleted with the stack, as template.yaml's (CDK's default would retain it).
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  it('takes keyLifetime in whole days from 1 to 365, refusing any other at synth, saying what to pass', () => {
    synth(() => ({ keyLifetime: Duration.hours(48) })).hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ MOMENTO_KEY_LIFETIME_DAYS: '2' }) } });
    synth(() => ({ keyLifetime: Duration.days(365) })).hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ MOMENTO_KEY_LIFETIME_DAYS: '365' }) } });
    for (const lifetime of [Duration.hours(36), Duration.days(7.5), Duration.minutes(90), Duration.days(0), Duration.days(366)]) {
      expect(() => synth(() => ({ keyLifetime: lifetime })), lifetime.toHumanString()).toThrow(/keyLifetime must be whole days from 1 to 365, got .*: use Duration\.days\(n\)/);
    }
  });

  it('grants the role exactly the secret, lets only Secrets Manager of this account invoke, and schedules after the permission', () => {
    const template = synth();
    expect(statements(template)).toEqual([
      {
        Sid: 'RotateTheSecret',
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
        Resource: SECRET_ARN,
      },
      { Sid: 'ReadOwnReportMetric', Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' },
      { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/Logs/), 'Arn'] } },
    ]);
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'secretsmanager.amazonaws.com', Action: 'lambda:InvokeFunction', SourceAccount: '123456789012' });
    const [[, schedule]] = Object.entries(template.findResources('AWS::SecretsManager::RotationSchedule')) as [[string, Resource]];
    expect(schedule.Properties).toMatchObject({ SecretId: SECRET_ARN, RotateImmediatelyOnUpdate: true, RotationRules: { ScheduleExpression: 'rate(5 days)' } });
    const permissionId = Object.keys(template.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'secretsmanager.amazonaws.com' } }))[0]!;
    expect([schedule.DependsOn].flat()).toContain(permissionId);
  });

  it('reports expiry every 12 hours and once at deploy, before every alarm', () => {
    const template = synth();
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(12 hours)',
      Targets: [Match.objectLike({ Input: JSON.stringify({ Action: 'ReportKeyExpiry', SecretId: SECRET_ARN }) })],
    });
    const reports = template.findResources(CUSTOM_RESOURCE);
    expect(Object.values(reports).map((r) => (r as Resource).Properties)).toEqual([expect.objectContaining({ SecretId: SECRET_ARN, ServiceTimeout: expect.anything() })]);
    // An integer, as the AWS::CloudFormation::CustomResource schema wants (CDK's validation warns of a string).
    expect(Object.values(reports).map((r) => (r as Resource).Properties.ServiceTimeout)).toEqual([600]);
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[]) {
      expect([alarm.DependsOn].flat()).toContain(Object.keys(reports)[0]);
    }
  });

  it('starts rotating only after the deploy-time report, as template.yaml: each schedule waits for its own secret\'s report', () => {
    const template = synth(undefined, (rotation, stack) => rotation.addSecret(Secret.fromSecretCompleteArn(stack, 'Other', OTHER_SECRET_ARN)));
    const reports = template.findResources(CUSTOM_RESOURCE) as Record<string, Resource>;
    const reportFor = (secretId: string) => Object.entries(reports).find(([, r]) => r.Properties.SecretId === secretId)![0];
    const schedules = Object.values(template.findResources('AWS::SecretsManager::RotationSchedule')) as Resource[];
    expect(schedules).toHaveLength(2);
    for (const schedule of schedules) {
      expect([schedule.DependsOn].flat()).toContain(reportFor(schedule.Properties.SecretId));
    }
    // Never the other way round (a cycle CloudFormation would refuse).
    for (const report of Object.values(reports)) expect(JSON.stringify(report)).not.toMatch(/Schedule/);
  });

  it('rotates several secrets with one function, each on its own schedule, granting exactly those', () => {
    const template = synth(undefined, (rotation, stack) =>
      rotation.addSecret(Secret.fromSecretCompleteArn(stack, 'Other', OTHER_SECRET_ARN), { schedule: 'cron(0 3 ? * MON *)', rotationWindow: Duration.hours(4) }),
    );
    template.resourceCountIs('AWS::Lambda::Function', 1);
    expect(statements(template).find((s) => s.Sid === 'RotateTheSecret')!.Resource).toEqual([SECRET_ARN, OTHER_SECRET_ARN]);
    const schedules = Object.values(template.findResources('AWS::SecretsManager::RotationSchedule')).map((r) => (r as Resource).Properties.RotationRules);
    expect(schedules).toEqual([{ ScheduleExpression: 'rate(5 days)' }, { ScheduleExpression: 'cron(0 3 ? * MON *)', Duration: '4h' }]);
    template.resourceCountIs(CUSTOM_RESOURCE, 2);
    template.resourceCountIs('AWS::Events::Rule', 2);
  });

  it('gives each secret its own expiry alarms, on its own metrics, created after its own report; the function-wide alarms after every report', () => {
    const resources = synth(undefined, (rotation, stack) => rotation.addSecret(Secret.fromSecretCompleteArn(stack, 'Other', OTHER_SECRET_ARN))).toJSON().Resources as Record<string, Resource>;
    const reportOf = Object.fromEntries(ofType(resources, CUSTOM_RESOURCE).map(([id, r]) => [r.Properties.SecretId as string, id]));
    const alarms = ofType(resources, 'AWS::CloudWatch::Alarm').map(([, a]) => a);
    const secretOf = (alarm: Resource) => (alarm.Properties.Dimensions as { Name: string; Value: string }[] | undefined)?.find((d) => d.Name === 'SecretId')?.Value;
    const perSecret = alarms.filter((a) => secretOf(a) !== undefined);
    // One secret's missing report no longer hides behind another's: an alarm per secret, each on its own dimension.
    expect(perSecret.map((a) => `${a.Properties.MetricName} ${secretOf(a)}`).sort()).toEqual(
      [`DaysToExpiry ${OTHER_SECRET_ARN}`, `DaysToExpiry ${SECRET_ARN}`, `ExpiryReported ${OTHER_SECRET_ARN}`, `ExpiryReported ${SECRET_ARN}`].sort(),
    );
    for (const alarm of perSecret) expect([alarm.DependsOn].flat()).toEqual([reportOf[secretOf(alarm)!]]);
    const functionWide = alarms.filter((a) => secretOf(a) === undefined);
    expect(functionWide.map((a) => a.Properties.MetricName).sort()).toEqual(['Errors', 'RevocationFailed', 'RevocationPostponed']);
    for (const alarm of functionWide) expect([alarm.DependsOn].flat().sort()).toEqual(Object.values(reportOf).sort());
  });

  it("uses the secrets' KMS keys, reads the management secret only, and notifies a topic", () => {
    const template = synth((stack) => ({
      secret: Secret.fromSecretAttributes(stack, 'Encrypted', { secretCompleteArn: SECRET_ARN, encryptionKey: Key.fromKeyArn(stack, 'K', KMS_KEY_ARN) }),
      managementSecret: Secret.fromSecretAttributes(stack, 'Mgmt', { secretCompleteArn: MANAGEMENT_SECRET_ARN, encryptionKey: Key.fromKeyArn(stack, 'MK', MANAGEMENT_KMS_KEY_ARN) }),
      alarmTopic: new Topic(stack, 'Alarms'),
      keyLifetime: Duration.days(14),
    }));
    const bySid = Object.fromEntries(statements(template).map((s) => [s.Sid, s]));
    // As template.yaml's (its test cites AWS's documentation): through Secrets Manager here, for that secret only.
    expect(bySid.UseTheSecretsKmsKey).toEqual({
      Sid: 'UseTheSecretsKmsKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: KMS_KEY_ARN,
      Condition: { StringEquals: { ...VIA_SECRETS_MANAGER, 'kms:EncryptionContext:SecretARN': SECRET_ARN } },
    });
    expect(bySid.ReadTheManagementKey).toMatchObject({ Action: 'secretsmanager:GetSecretValue', Resource: MANAGEMENT_SECRET_ARN });
    expect(bySid.DecryptTheManagementKey).toEqual({
      Sid: 'DecryptTheManagementKey', Effect: 'Allow', Action: 'kms:Decrypt', Resource: MANAGEMENT_KMS_KEY_ARN,
      Condition: { StringEquals: { ...VIA_SECRETS_MANAGER, 'kms:EncryptionContext:SecretARN': MANAGEMENT_SECRET_ARN } },
    });
    expect(bySid.DescribeTheKmsKeys).toEqual({ Sid: 'DescribeTheKmsKeys', Effect: 'Allow', Action: 'kms:DescribeKey', Resource: [MANAGEMENT_KMS_KEY_ARN, KMS_KEY_ARN], Condition: { StringEquals: VIA_SECRETS_MANAGER } });
    // A report's Delete revokes the minted keys only while this stack is being deleted.
    expect(bySid.ReadOwnStackStatus).toEqual({ Sid: 'ReadOwnStackStatus', Effect: 'Allow', Action: 'cloudformation:DescribeStacks', Resource: { Ref: 'AWS::StackId' } });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ MOMENTO_MANAGEMENT_SECRET_ARN: MANAGEMENT_SECRET_ARN, MOMENTO_KEY_LIFETIME_DAYS: '14' }) } });
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[]) expect(alarm.Properties.AlarmActions).toHaveLength(1);
  });

  it('grants the KMS keys it is given for secrets imported without one (kmsKey, managementKmsKey, and per added secret), each for its own secret', () => {
    // A secret imported by ARN or name has no encryptionKey: without these props the role had no KMS grant.
    const template = synth(
      (stack) => ({
        secret: Secret.fromSecretNameV2(stack, 'ByName', 'momento/api-key'),
        kmsKey: Key.fromKeyArn(stack, 'K', KMS_KEY_ARN),
        managementSecret: Secret.fromSecretCompleteArn(stack, 'Mgmt', MANAGEMENT_SECRET_ARN),
        managementKmsKey: Key.fromKeyArn(stack, 'MK', MANAGEMENT_KMS_KEY_ARN),
      }),
      (rotation, stack) => rotation.addSecret(Secret.fromSecretCompleteArn(stack, 'Other', OTHER_SECRET_ARN), { kmsKey: Key.fromKeyArn(stack, 'OK', OTHER_KMS_KEY_ARN) }),
    );
    const bySid = Object.fromEntries(statements(template).map((s) => [s.Sid, s]));
    // By name: Secrets Manager's encryption context holds the complete ARN, matched by `name-??????`.
    expect(bySid.UseTheSecretsKmsKey).toMatchObject({
      Resource: KMS_KEY_ARN,
      Condition: { StringEquals: VIA_SECRETS_MANAGER, StringLike: { 'kms:EncryptionContext:SecretARN': { 'Fn::Join': ['', [expect.stringMatching(/^arn:/), expect.anything(), expect.stringMatching(/:secret:momento\/api-key-\?{6}$/)]] } } },
    });
    expect(bySid.UseTheSecretsKmsKey2).toEqual({
      Sid: 'UseTheSecretsKmsKey2', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: OTHER_KMS_KEY_ARN,
      Condition: { StringEquals: { ...VIA_SECRETS_MANAGER, 'kms:EncryptionContext:SecretARN': OTHER_SECRET_ARN } },
    });
    expect(bySid.DecryptTheManagementKey).toMatchObject({ Resource: MANAGEMENT_KMS_KEY_ARN, Condition: { StringEquals: { 'kms:EncryptionContext:SecretARN': MANAGEMENT_SECRET_ARN } } });
    expect(bySid.DescribeTheKmsKeys!.Resource).toEqual([MANAGEMENT_KMS_KEY_ARN, KMS_KEY_ARN, OTHER_KMS_KEY_ARN]);
    // A management key without its secret is a mistake: said at synth.
    expect(() => synth((stack) => ({ managementKmsKey: Key.fromKeyArn(stack, 'MK', MANAGEMENT_KMS_KEY_ARN) }))).toThrow(/managementKmsKey is the key of the management secret: pass managementSecret too/);
  });

  it('grants the replicas\' keys (replicaKmsKeys) what replication needs, through Secrets Manager in any Region, for this secret\'s replicas only', () => {
    const template = synth((stack) => ({ replicaKmsKeys: REPLICA_KMS_KEY_ARNS.map((arn, i) => Key.fromKeyArn(stack, `R${i}`, arn)) }));
    expect(statements(template).filter((s) => String(s.Sid).startsWith('UseTheReplicaKmsKeys'))).toEqual([
      {
        Sid: 'UseTheReplicaKmsKeys', Effect: 'Allow', Action: ['kms:Encrypt', 'kms:GenerateDataKey'], Resource: REPLICA_KMS_KEY_ARNS,
        Condition: { StringLike: { 'kms:ViaService': 'secretsmanager.*.amazonaws.com', 'kms:EncryptionContext:SecretARN': 'arn:aws:secretsmanager:*:123456789012:secret:momento/api-key-AbCdEf' } },
      },
    ]);
    // Not the primary's key: nothing of the replicas' is needed to read the secret here.
    expect(statements(template).map((s) => s.Sid)).not.toContain('DescribeTheKmsKeys');
    expect(statements(synth()).map((s) => s.Sid)).not.toContain('UseTheReplicaKmsKeys');
  });

  it('tags the function, and only the function, with the tag `status --all` finds it by', () => {
    for (const template of [synth(), synth((stack) => ({ vpc: inVpc(stack).vpc }))]) {
      const tagged = Object.values(template.toJSON().Resources as Record<string, Resource>).filter((r) =>
        ((r.Properties?.Tags ?? []) as { Key: string }[]).some((t) => t.Key === ROTATION_FUNCTION_TAG.key),
      );
      expect(tagged.map((r) => r.Type)).toEqual(['AWS::Lambda::Function']);
      expect(tagged[0]!.Properties.Tags).toContainEqual({ Key: ROTATION_FUNCTION_TAG.key, Value: ROTATION_FUNCTION_TAG.value });
    }
  });

  it('creates a dashboard unless createDashboard is false, with its console URL as a property', () => {
    let rotation: MomentoKeyRotation | undefined;
    const template = synth(undefined, (r) => (rotation = r));
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'momento-key-rotation-RotationStack-eu-west-1' });
    const stack = Stack.of(rotation!);
    expect(stack.resolve(rotation!.dashboardUrl)).toEqual({
      'Fn::Join': ['', ['https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=', { Ref: stack.getLogicalId(rotation!.dashboard!) }]],
    });
    let quiet: MomentoKeyRotation | undefined;
    synth(() => ({ createDashboard: false }), (r) => (quiet = r)).resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(quiet!.dashboard).toBeUndefined();
    expect(quiet!.dashboardUrl).toBeUndefined();
  });

  it('graphs and alarms on only metrics the function emits, under the namespace and service (the stack name) its environment sets, each secret\'s expiry under its own dimension', async () => {
    const resources = synth(undefined, (rotation, stack) => rotation.addSecret(Secret.fromSecretCompleteArn(stack, 'Other', OTHER_SECRET_ARN))).toJSON().Resources as Record<string, Resource>;
    const variables = ofType(resources, 'AWS::Lambda::Function')[0]![1].Properties.Environment.Variables;
    const environment = { namespace: variables.POWERTOOLS_METRICS_NAMESPACE, service: variables.POWERTOOLS_SERVICE_NAME };
    // What an invocation for each secret publishes: the secret its events name (the schedule's input, the custom resource's SecretId).
    const secretIds = ofType(resources, 'AWS::Events::Rule').map(([, r]) => (JSON.parse(r.Properties.Targets[0].Input) as { SecretId: string }).SecretId);
    expect(secretIds).toEqual([SECRET_ARN, OTHER_SECRET_ARN]);
    expect(ofType(resources, CUSTOM_RESOURCE).map(([, r]) => r.Properties.SecretId)).toEqual(secretIds);
    const emitted = new Set((await Promise.all(secretIds.map((id) => emittedMetrics(environment, id)))).flatMap((keys) => [...keys]));
    const shown = dashboardMetrics(dashboardBody(resources));
    expect(shown.filter((key) => !emitted.has(key))).toEqual([]);
    const PER_SECRET = ['DaysToExpiry', 'ExpiryReported'];
    // Every total (service alone, per step) the function emits; the expiry lines once per secret.
    expect([...emitted].filter((key) => !hasDimension(key, 'SecretId') && !PER_SECRET.includes(metricNameOf(key)) && !shown.includes(key))).toEqual([]);
    for (const secretId of secretIds) {
      for (const name of PER_SECRET) expect(shown).toContain(metricKey('MomentoSecretRotation', name, { service: 'RotationStack', SecretId: secretId }));
    }
    const watched = ofType(resources, 'AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.Namespace === 'MomentoSecretRotation').map(([, a]) => alarmMetric(a.Properties as never, String));
    expect(watched.filter((key) => !emitted.has(key))).toEqual([]);
    expect(watched).toHaveLength(6);
  });

  it('names every secret it rotates on the dashboard, those added later too', () => {
    const resources = synth(undefined, (rotation, stack) => rotation.addSecret(Secret.fromSecretCompleteArn(stack, 'Other', OTHER_SECRET_ARN))).toJSON().Resources as Record<string, Resource>;
    const [text] = dashboardBody(resources).widgets.filter((w) => w.type === 'text');
    expect(text!.properties.markdown).toContain(`Rotates \`${SECRET_ARN}\`, \`${OTHER_SECRET_ARN}\`.`);
  });

  it('runs in the VPC it is given, its role then allowed to manage network interfaces before the function is created; outside any VPC otherwise', () => {
    const template = synth(inVpc);
    template.hasResourceProperties('AWS::Lambda::Function', { VpcConfig: { SubnetIds: SUBNET_IDS, SecurityGroupIds: [SECURITY_GROUP_ID] } });
    expect(statements(template).filter((s) => s.Sid === 'ManageVpcNetworkInterfaces')).toEqual([{ Sid: 'ManageVpcNetworkInterfaces', Effect: 'Allow', Action: ENI_ACTIONS, Resource: '*' }]);
    // Lambda checks the role may create the interfaces when it creates the function.
    const policyId = Object.keys(template.findResources('AWS::IAM::Policy'))[0]!;
    expect([Object.values(template.findResources('AWS::Lambda::Function'))[0]!.DependsOn].flat()).toContain(policyId);
    // No security group given: CDK makes one for the function.
    const ownGroup = synth((stack) => ({ vpc: inVpc(stack).vpc }));
    ownGroup.resourceCountIs('AWS::EC2::SecurityGroup', 1);
    ownGroup.hasResourceProperties('AWS::Lambda::Function', { VpcConfig: { SubnetIds: SUBNET_IDS, SecurityGroupIds: [{ 'Fn::GetAtt': [Match.anyValue(), 'GroupId'] }] } });

    const outside = synth();
    expect(Object.values(outside.findResources('AWS::Lambda::Function'))[0]!.Properties.VpcConfig).toBeUndefined();
    expect(statements(outside).map((s) => s.Sid)).not.toContain('ManageVpcNetworkInterfaces');
    // Subnets or security groups without a VPC: refused at synth, as template.yaml's Rule refuses one list without the other.
    expect(() => synth((stack) => ({ securityGroups: inVpc(stack).securityGroups! }))).toThrow(/without configuring a VPC/);
  });

  it('turns a Duration into a rate() Secrets Manager accepts, and refuses one it does not', () => {
    expect(scheduleExpression(Duration.hours(4))).toBe('rate(4 hours)');
    expect(scheduleExpression(Duration.days(1))).toBe('rate(1 day)');
    expect(scheduleExpression(Duration.hours(48))).toBe('rate(2 days)');
    expect(() => scheduleExpression(Duration.hours(2))).toThrow(/whole hours from 4 to 23/);
    expect(() => scheduleExpression(Duration.minutes(90))).toThrow();
  });
});

/**
 * The two deploy paths cannot drift: the construct and template.yaml (as samtranslator expands
 * it, for the same secret, KMS keys and management secret) grant the same actions on the same
 * resources, the same invoke condition, the same schedule, function settings and alarms.
 */
describe('parity with template.yaml', () => {
  const params = { KmsKeyArn: KMS_KEY_ARN, ManagementSecretArn: MANAGEMENT_SECRET_ARN, ManagementKmsKeyArn: MANAGEMENT_KMS_KEY_ARN, ReplicaKmsKeyArns: REPLICA_KMS_KEY_ARNS.join(',') };
  const sam = resolved(params);
  const replicaKmsKeys = (stack: Stack) => REPLICA_KMS_KEY_ARNS.map((arn, i) => Key.fromKeyArn(stack, `R${i}`, arn));
  const cdk = synth((stack) => ({
    secret: Secret.fromSecretAttributes(stack, 'Encrypted', { secretCompleteArn: SECRET_ARN, encryptionKey: Key.fromKeyArn(stack, 'K', KMS_KEY_ARN) }),
    managementSecret: Secret.fromSecretAttributes(stack, 'Mgmt', { secretCompleteArn: MANAGEMENT_SECRET_ARN, encryptionKey: Key.fromKeyArn(stack, 'MK', MANAGEMENT_KMS_KEY_ARN) }),
    replicaKmsKeys: replicaKmsKeys(stack),
  })).toJSON().Resources as Record<string, Resource>;
  /** The stack CloudFormation would deploy template.yaml as: the synthesized one's name and Region. */
  const pseudo = { 'AWS::StackName': 'RotationStack', 'AWS::Region': 'eu-west-1' };
  const text = (x: unknown, resources: Record<string, Resource>) =>
    typeof x === 'string' ? x : JSON.stringify(x) === '{"Ref":"AWS::StackId"}' ? 'own stack' : x !== null && typeof x === 'object' && 'Fn::GetAtt' in x ? 'own log group' : rendered(x, resources, pseudo);
  const list = (v: unknown, resources: Record<string, Resource>) => [v].flat().map((x) => text(x, resources)).sort();
  /** Each statement's actions, resources and conditions (every value as text: a Sub of the Region as the Region it names). */
  const grants = (resources: Record<string, Resource>) => {
    const statements: Record<string, unknown>[] =
      ofType(resources, 'AWS::IAM::Role')[0]![1].Properties.Policies?.[0].PolicyDocument.Statement ?? ofType(resources, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    return Object.fromEntries(
      statements.map((s) => [
        s.Sid,
        {
          actions: list(s.Action, resources),
          resources: list(s.Resource, resources),
          conditions: Object.fromEntries(Object.entries((s.Condition ?? {}) as Record<string, Record<string, unknown>>).map(([op, keys]) => [op, Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, list(v, resources)]))])),
        },
      ]),
    );
  };

  it('grants the same actions on the same resources, under the same conditions (KMS: through Secrets Manager, for the secret only; the replicas\' keys too)', () => {
    expect(grants(cdk)).toEqual(grants(sam));
    // Not vacuous: the KMS grants and their conditions are compared.
    expect(Object.keys(grants(sam))).toEqual(expect.arrayContaining(['UseTheSecretsKmsKey', 'UseTheReplicaKmsKeys', 'DecryptTheManagementKey', 'DescribeTheKmsKeys']));
    expect(grants(sam).UseTheSecretsKmsKey!.conditions).toEqual({ StringEquals: { 'kms:ViaService': ['secretsmanager.eu-west-1.amazonaws.com'], 'kms:EncryptionContext:SecretARN': [SECRET_ARN] } });
  });

  it('grants the same with the KMS props (kmsKey, managementKmsKey, replicaKmsKeys) for secrets imported by ARN, which carry no key', () => {
    const withProps = synth((stack) => ({
      secret: Secret.fromSecretCompleteArn(stack, 'Plain', SECRET_ARN),
      kmsKey: Key.fromKeyArn(stack, 'K', KMS_KEY_ARN),
      managementSecret: Secret.fromSecretCompleteArn(stack, 'PlainMgmt', MANAGEMENT_SECRET_ARN),
      managementKmsKey: Key.fromKeyArn(stack, 'MK', MANAGEMENT_KMS_KEY_ARN),
      replicaKmsKeys: replicaKmsKeys(stack),
    })).toJSON().Resources as Record<string, Resource>;
    expect(grants(withProps)).toEqual(grants(sam));
    // Without them, neither grants any KMS key.
    const noKms = (g: Record<string, unknown>) => Object.keys(g).filter((sid) => /Kms|Decrypt/.test(sid));
    expect(noKms(grants(synth().toJSON().Resources as Record<string, Resource>))).toEqual([]);
    expect(noKms(grants(resolved()))).toEqual([]);
  });

  it('deletes the log group with the stack in both (and on replacement)', () => {
    const policies = (resources: Record<string, Resource>) =>
      ofType(resources, 'AWS::Logs::LogGroup').map(([, r]) => ({ deletion: (r as { DeletionPolicy?: string }).DeletionPolicy, replace: (r as { UpdateReplacePolicy?: string }).UpdateReplacePolicy }));
    expect(policies(cdk)).toEqual([{ deletion: 'Delete', replace: 'Delete' }]);
    expect(policies(cdk)).toEqual(policies(sam));
  });

  it('lets Secrets Manager invoke under the same condition, on the same schedule', () => {
    const pick = (resources: Record<string, Resource>) => {
      const permission = ofType(resources, 'AWS::Lambda::Permission').find(([, p]) => p.Properties.Principal === 'secretsmanager.amazonaws.com')![1].Properties;
      const schedule = ofType(resources, 'AWS::SecretsManager::RotationSchedule')[0]![1].Properties;
      return { principal: permission.Principal, hasSourceAccount: permission.SourceAccount !== undefined, rules: schedule.RotationRules, immediately: String(schedule.RotateImmediatelyOnUpdate) };
    };
    expect(pick(cdk)).toEqual(pick(sam));
  });

  it('runs the function with the same settings', () => {
    const pick = (resources: Record<string, Resource>) => {
      const fn = ofType(resources, 'AWS::Lambda::Function')[0]![1].Properties;
      return { runtime: fn.Runtime, arch: fn.Architectures, memory: Number(fn.MemorySize), timeout: Number(fn.Timeout), handler: fn.Handler, env: Object.keys(fn.Environment.Variables).sort(), nodeOptions: fn.Environment.Variables.NODE_OPTIONS };
    };
    expect(pick(cdk)).toEqual(pick(sam));
  });

  it('passes RevokeImportedKeys / revokeImportedKeys the same way: "false" by default, "true" when turned on', () => {
    const revoke = (resources: Record<string, Resource>) => String(ofType(resources, 'AWS::Lambda::Function')[0]![1].Properties.Environment.Variables.MOMENTO_REVOKE_IMPORTED_KEYS);
    expect(revoke(cdk)).toBe('false');
    expect(revoke(cdk)).toBe(revoke(sam));
    const samOn = resolved({ ...params, RevokeImportedKeys: 'true' });
    const cdkOn = synth(() => ({ revokeImportedKeys: true })).toJSON().Resources as Record<string, Resource>;
    expect(revoke(cdkOn)).toBe('true');
    expect(revoke(cdkOn)).toBe(revoke(samOn));
  });

  it('orders the schedule after the deploy-time report in both', () => {
    const scheduleWaitsForReport = (resources: Record<string, Resource>) => {
      const [reportId] = ofType(resources, CUSTOM_RESOURCE)[0]!;
      return [ofType(resources, 'AWS::SecretsManager::RotationSchedule')[0]![1].DependsOn].flat().includes(reportId);
    };
    expect(scheduleWaitsForReport(sam)).toBe(true);
    expect(scheduleWaitsForReport(cdk)).toBe(true);
  });

  it('has the same alarms, on the same metrics with the same dimensions (per secret for the expiry), and the same expiry report', () => {
    const alarms = (resources: Record<string, Resource>) =>
      ofType(resources, 'AWS::CloudWatch::Alarm')
        .map(([, a]) => a.Properties)
        .map((a) => ({
          metric: a.Namespace === 'AWS/Lambda' ? 'the function\'s Errors' : alarmMetric(a as never, (value) => rendered(value, resources, pseudo)),
          statistic: a.Statistic, period: Number(a.Period), evaluations: Number(a.EvaluationPeriods), threshold: Number(a.Threshold), operator: a.ComparisonOperator, missing: a.TreatMissingData,
        }))
        .sort((x, y) => x.metric.localeCompare(y.metric));
    expect(alarms(cdk)).toEqual(alarms(sam));
    expect(alarms(cdk).map((a) => a.metric)).toContain(metricKey('MomentoSecretRotation', 'ExpiryReported', { service: 'RotationStack', SecretId: SECRET_ARN }));
    const rule = (resources: Record<string, Resource>) => ofType(resources, 'AWS::Events::Rule')[0]![1].Properties.ScheduleExpression;
    expect(rule(cdk)).toBe(rule(sam));
    const report = (resources: Record<string, Resource>) => {
      const r = ofType(resources, CUSTOM_RESOURCE)[0]![1].Properties;
      return { secretId: r.SecretId, timeout: Number(r.ServiceTimeout) };
    };
    expect(report(cdk)).toEqual({ secretId: SECRET_ARN, timeout: 600 });
    expect(report(cdk)).toEqual(report(sam));
  });
});

/** The parity of what each option adds, with and without it (the same secret, KMS keys and management secret as above). */
describe('parity with template.yaml: tag, dashboard and VPC', () => {
  const params = { KmsKeyArn: KMS_KEY_ARN, ManagementSecretArn: MANAGEMENT_SECRET_ARN, ManagementKmsKeyArn: MANAGEMENT_KMS_KEY_ARN };
  const secrets = (stack: Stack): Partial<MomentoKeyRotationProps> => ({
    secret: Secret.fromSecretAttributes(stack, 'Encrypted', { secretCompleteArn: SECRET_ARN, encryptionKey: Key.fromKeyArn(stack, 'K', KMS_KEY_ARN) }),
    managementSecret: Secret.fromSecretAttributes(stack, 'Mgmt', { secretCompleteArn: MANAGEMENT_SECRET_ARN, encryptionKey: Key.fromKeyArn(stack, 'MK', MANAGEMENT_KMS_KEY_ARN) }),
  });
  const cdkWith = (more: (stack: Stack) => Partial<MomentoKeyRotationProps> = () => ({})) =>
    synth((stack) => ({ ...secrets(stack), ...more(stack) })).toJSON().Resources as Record<string, Resource>;
  /** The synthesized stack's name and Region, and the template's parameters, as CloudFormation would put them into template.yaml. */
  const samValues = (overrides: Record<string, string>) => ({
    'AWS::StackName': 'RotationStack',
    'AWS::Region': 'eu-west-1',
    ...Object.fromEntries(Object.entries(parameterValues({ ...params, ...overrides })).filter(([, v]) => typeof v === 'string' || typeof v === 'number').map(([k, v]) => [k, String(v)])),
  });
  const fn = (resources: Record<string, Resource>) => ofType(resources, 'AWS::Lambda::Function')[0]![1].Properties;

  it('tags the function the same', () => {
    const tag = (resources: Record<string, Resource>) => (fn(resources).Tags as { Key: string; Value: string }[]).find((t) => t.Key === ROTATION_FUNCTION_TAG.key);
    expect(tag(cdkWith())).toEqual({ Key: ROTATION_FUNCTION_TAG.key, Value: ROTATION_FUNCTION_TAG.value });
    expect(tag(cdkWith())).toEqual(tag(resolved(params)));
  });

  it('shows the same dashboard under the same name, every widget and query alike; neither has one when it is turned off', () => {
    const sam = resolved(params);
    const cdk = cdkWith();
    expect(dashboardBody(cdk)).toEqual(dashboardBody(sam, samValues({})));
    const name = (resources: Record<string, Resource>, values: Record<string, string> = {}) => rendered(ofType(resources, 'AWS::CloudWatch::Dashboard')[0]![1].Properties.DashboardName, resources, values);
    expect(name(cdk)).toBe(name(sam, samValues({})));
    // The threshold line follows the expiry alarm's setting in both.
    expect(dashboardBody(cdkWith(() => ({ expiryWarningDays: 14 })))).toEqual(dashboardBody(resolved({ ...params, ExpiryWarningDays: '14' }), samValues({ ExpiryWarningDays: '14' })));
    expect(ofType(cdkWith(() => ({ createDashboard: false })), 'AWS::CloudWatch::Dashboard')).toEqual([]);
    expect(ofType(resolved({ ...params, CreateDashboard: 'false' }), 'AWS::CloudWatch::Dashboard')).toEqual([]);
  });

  it('runs in the same subnets with the same security groups, its role granted the same network-interface actions; neither in a VPC without one', () => {
    const sam = resolved({ ...params, VpcSubnetIds: SUBNET_IDS.join(','), VpcSecurityGroupIds: SECURITY_GROUP_ID });
    const cdk = cdkWith(inVpc);
    const network = (resources: Record<string, Resource>) => {
      const config = fn(resources).VpcConfig as { SubnetIds: string[]; SecurityGroupIds: string[] } | undefined;
      return config && { subnets: [...config.SubnetIds].sort(), securityGroups: [...config.SecurityGroupIds].sort() };
    };
    expect(network(cdk)).toEqual({ subnets: [...SUBNET_IDS].sort(), securityGroups: [SECURITY_GROUP_ID] });
    expect(network(cdk)).toEqual(network(sam));
    const eniGrant = (statements: Record<string, unknown>[]) => statements.filter((s) => s.Sid === 'ManageVpcNetworkInterfaces').map((s) => ({ actions: [s.Action].flat().sort(), resources: [s.Resource].flat() }));
    const samStatements = (resources: Record<string, Resource>) => ofType(resources, 'AWS::IAM::Role')[0]![1].Properties.Policies[0].PolicyDocument.Statement;
    const cdkStatements = (resources: Record<string, Resource>) => ofType(resources, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(eniGrant(cdkStatements(cdk))).toEqual([{ actions: [...ENI_ACTIONS].sort(), resources: ['*'] }]);
    expect(eniGrant(cdkStatements(cdk))).toEqual(eniGrant(samStatements(sam)));
    // Neither attaches a managed policy for it (AWSLambdaVPCAccessExecutionRole would add logs:* on every log group).
    expect(ofType(cdk, 'AWS::IAM::Role')[0]![1].Properties.ManagedPolicyArns).toBeUndefined();
    expect(ofType(sam, 'AWS::IAM::Role')[0]![1].Properties.ManagedPolicyArns).toBeUndefined();

    const samOutside = resolved(params);
    const cdkOutside = cdkWith();
    expect(network(cdkOutside)).toBeUndefined();
    expect(network(samOutside)).toBeUndefined();
    expect(eniGrant(cdkStatements(cdkOutside))).toEqual([]);
    expect(eniGrant(samStatements(samOutside))).toEqual([]);
  });
});

describe('examples/cdk', () => {
  it('synthesizes: one function for two secrets, granted by name with the suffix wildcard', async () => {
    const { execFileSync } = await import('node:child_process');
    const { readFileSync } = await import('node:fs');
    const outdir = mkdtempSync(join(tmpdir(), 'cdk-example-'));
    const out = execFileSync(process.execPath, ['examples/cdk/app.mjs'], { encoding: 'utf8', env: { ...process.env, CDK_OUTDIR: outdir } });
    expect(out).toMatch(/Synthesized MomentoKeyRotation to /);
    const template = JSON.parse(readFileSync(join(outdir, 'MomentoKeyRotation.template.json'), 'utf8')) as { Resources: Record<string, Resource> };
    expect(ofType(template.Resources, 'AWS::Lambda::Function')).toHaveLength(1);
    expect(ofType(template.Resources, 'AWS::SecretsManager::RotationSchedule')).toHaveLength(2);
    // A secret imported by name: IAM gets `name-??????` (its partial ARN would match nothing), the rest its name.
    expect(JSON.stringify(ofType(template.Resources, 'AWS::IAM::Policy'))).toContain(':secret:momento/api-key-??????');
    expect(ofType(template.Resources, 'AWS::SecretsManager::RotationSchedule').map(([, r]) => r.Properties.SecretId)).toEqual(['momento/api-key', 'momento/reporting-key']);
  });
});
