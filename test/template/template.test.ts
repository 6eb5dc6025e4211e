import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { ROTATION_FUNCTION_TAG } from '../../src/rotation-function-tag.js';
import {
  alarmMetric,
  dashboardMetrics,
  emittedMetrics,
  failedStepLogLines,
  fieldOf,
  hasDimension,
  metricKey,
  metricNameOf,
  parseLogQuery,
  type DashboardBody,
  type FunctionEnvironment,
} from '../support/dashboard.js';
import {
  expanded,
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

const SUBNETS = 'subnet-0123456789abcdef0,subnet-89abcdef'; // the two lengths EC2 ids come in (17 and 8 hex digits)
const SECURITY_GROUPS = 'sg-0123456789abcdef0';

describe('template.yaml, expanded with samtranslator', () => {
  it('runs the function on nodejs24.x, arm64, with source-mapped stack traces and a name CloudFormation chooses', () => {
    const [[, fn]] = ofType(resolved(), 'AWS::Lambda::Function') as [[string, Resource & { Metadata: any }]];
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'handler.handler', Timeout: 120 });
    expect(fn.Properties.Timeout).toBeGreaterThan(60); // the Momento SDK's fixed refresh deadline
    // Lambda allows 64 characters; `${AWS::StackName}-rotation` broke stacks named over 55.
    expect(fn.Properties.FunctionName).toBeUndefined();
    expect(fn.Properties.Environment.Variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: { Ref: 'AWS::StackName' },
      POWERTOOLS_METRICS_NAMESPACE: 'MomentoSecretRotation',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      // A String parameter (whole days, by its AllowedPattern): the function reads the text.
      MOMENTO_KEY_LIFETIME_DAYS: '30',
      MOMENTO_REVOKE_IMPORTED_KEYS: 'false',
    });
    const v2 = ofType(resolved({ ManagementSecretArn: MANAGEMENT_SECRET_ARN, KeyLifetimeDays: '14', RevokeImportedKeys: 'true' }), 'AWS::Lambda::Function')[0]![1];
    expect(v2.Properties.Environment.Variables).toMatchObject({
      MOMENTO_MANAGEMENT_SECRET_ARN: MANAGEMENT_SECRET_ARN,
      MOMENTO_KEY_LIFETIME_DAYS: '14',
      MOMENTO_REVOKE_IMPORTED_KEYS: 'true',
    });
    const withCache = ofType(resolved({ TestCacheName: 'probe' }), 'AWS::Lambda::Function')[0]![1];
    expect(withCache.Properties.Environment.Variables.MOMENTO_TEST_CACHE_NAME).toBe('probe');
  });

  const readManagement = { Sid: 'ReadTheManagementKey', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: MANAGEMENT_SECRET_ARN };
  // v2 keys: a Delete of DeployTimeReport revokes only while this very stack is being deleted.
  const readStackStatus = { Sid: 'ReadOwnStackStatus', Effect: 'Allow', Action: 'cloudformation:DescribeStacks', Resource: { Ref: 'AWS::StackId' } };
  // Secrets Manager User Guide, "Lambda rotation function execution role permissions" (customer
  // managed key: the SecretARN encryption context) and "Secret encryption and decryption" (the
  // kms:ViaService key, secretsmanager.<Region>.amazonaws.com; the encryption context SecretARN).
  const viaSecretsManagerHere = { 'kms:ViaService': { 'Fn::Sub': 'secretsmanager.${AWS::Region}.amazonaws.com' } };
  const useSecretKey = {
    Sid: 'UseTheSecretsKmsKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: KMS_KEY_ARN,
    Condition: { StringEquals: { ...viaSecretsManagerHere, 'kms:EncryptionContext:SecretARN': SECRET_ARN } },
  };
  const decryptManagementKey = {
    Sid: 'DecryptTheManagementKey', Effect: 'Allow', Action: 'kms:Decrypt', Resource: MANAGEMENT_KMS_KEY_ARN,
    Condition: { StringEquals: { ...viaSecretsManagerHere, 'kms:EncryptionContext:SecretARN': MANAGEMENT_SECRET_ARN } },
  };
  // A DescribeKey request carries no encryption context (AWS KMS Developer Guide, "kms:EncryptionContext:context-key"
  // applies to cryptographic operations): under that condition it would never be allowed.
  const describeKeys = (...keys: string[]) => ({ Sid: 'DescribeTheKmsKeys', Effect: 'Allow', Action: 'kms:DescribeKey', Resource: keys, Condition: { StringEquals: viaSecretsManagerHere } });
  // ReplicateSecretToRegions (API reference) and "Troubleshoot replication": a replica's own key needs
  // kms:GenerateDataKey and kms:Encrypt; Secrets Manager uses it in the replica's Region, for the replica (same name, another Region).
  const useReplicaKeys = {
    Sid: 'UseTheReplicaKmsKeys', Effect: 'Allow', Action: ['kms:Encrypt', 'kms:GenerateDataKey'], Resource: REPLICA_KMS_KEY_ARNS,
    Condition: { StringLike: { 'kms:ViaService': 'secretsmanager.*.amazonaws.com', 'kms:EncryptionContext:SecretARN': 'arn:aws:secretsmanager:*:123456789012:secret:momento/api-key-AbCdEf' } },
  };
  it.each([
    ['without a KMS key', {}, []],
    ['with a KMS key: through Secrets Manager in this Region, for this secret only', { KmsKeyArn: KMS_KEY_ARN }, [useSecretKey, describeKeys(KMS_KEY_ARN)]],
    ['with a management secret (v2 keys): read-only, on that secret only, and its own stack\'s status', { ManagementSecretArn: MANAGEMENT_SECRET_ARN }, [readManagement, readStackStatus]],
    [
      'with a management secret and its KMS key: decrypt only, for the management secret only',
      { ManagementSecretArn: MANAGEMENT_SECRET_ARN, ManagementKmsKeyArn: MANAGEMENT_KMS_KEY_ARN },
      [readManagement, decryptManagementKey, describeKeys(MANAGEMENT_KMS_KEY_ARN), readStackStatus],
    ],
    [
      'with both KMS keys and replicas with keys of their own (ReplicaKmsKeyArns)',
      { KmsKeyArn: KMS_KEY_ARN, ReplicaKmsKeyArns: REPLICA_KMS_KEY_ARNS.join(','), ManagementSecretArn: MANAGEMENT_SECRET_ARN, ManagementKmsKeyArn: MANAGEMENT_KMS_KEY_ARN },
      [useSecretKey, useReplicaKeys, readManagement, decryptManagementKey, describeKeys(KMS_KEY_ARN, MANAGEMENT_KMS_KEY_ARN), readStackStatus],
    ],
    ['with replica keys but none of its own (the primary on aws/secretsmanager)', { ReplicaKmsKeyArns: REPLICA_KMS_KEY_ARNS[0]! }, [{ ...useReplicaKeys, Resource: [REPLICA_KMS_KEY_ARNS[0]] }]],
  ])('gives the one role exactly what rotation needs, %s', (_label, overrides, kmsStatements) => {
    const resources = resolved(overrides);
    const roles = ofType(resources, 'AWS::IAM::Role');
    expect(roles.map(([id]) => id)).toEqual(['RotationFunctionRole']);
    const role = roles[0]![1].Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    expect(role.Policies).toHaveLength(1);
    expect(role.Policies[0].PolicyDocument.Statement).toEqual([
      {
        Sid: 'RotateTheSecret',
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
        Resource: SECRET_ARN,
      },
      ...kmsStatements,
      { Sid: 'ReadOwnReportMetric', Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' },
      { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': ['RotationLogGroup', 'Arn'] } },
    ]);
    // The one wildcard: GetMetricData has no resource-level permissions, and only reads metrics.
    expect(JSON.stringify(role).match(/"\*"/g)).toHaveLength(1);
  });

  it('tags the rotation function with the tag `status --all` finds it by (src/rotation-function-tag.ts)', () => {
    const [[, fn]] = ofType(resolved(), 'AWS::Lambda::Function') as [[string, Resource]];
    const tags = fn.Properties.Tags as { Key: string; Value: string }[];
    expect(tags.filter((t) => t.Key === ROTATION_FUNCTION_TAG.key)).toEqual([{ Key: ROTATION_FUNCTION_TAG.key, Value: ROTATION_FUNCTION_TAG.value }]);
  });

  it('runs the function in a VPC only with both VpcSubnetIds and VpcSecurityGroupIds, and only then lets its role manage network interfaces', () => {
    const enis = {
      Sid: 'ManageVpcNetworkInterfaces',
      Effect: 'Allow',
      // AWSLambdaVPCAccessExecutionRole's EC2 actions (v3), nothing of its logs:* on every log group.
      Action: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      Resource: '*',
    };
    const pick = (overrides: Record<string, string>) => {
      const resources = resolved(overrides);
      const fn = ofType(resources, 'AWS::Lambda::Function')[0]![1].Properties;
      const role = ofType(resources, 'AWS::IAM::Role')[0]![1].Properties;
      return { vpcConfig: fn.VpcConfig, enis: role.Policies[0].PolicyDocument.Statement.filter((s: { Sid: string }) => s.Sid === enis.Sid), managed: role.ManagedPolicyArns };
    };
    const inVpc = pick({ VpcSubnetIds: SUBNETS, VpcSecurityGroupIds: SECURITY_GROUPS });
    expect(inVpc).toEqual({ vpcConfig: { SubnetIds: SUBNETS.split(','), SecurityGroupIds: [SECURITY_GROUPS] }, enis: [enis], managed: undefined });
    expect(pick({})).toEqual({ vpcConfig: undefined, enis: [], managed: undefined });
    // One list alone is refused by a Rule before deploy (below); the function stays out of any VPC.
    expect(pick({ VpcSubnetIds: SUBNETS })).toEqual({ vpcConfig: undefined, enis: [], managed: undefined });
    expect(pick({ VpcSecurityGroupIds: SECURITY_GROUPS })).toEqual({ vpcConfig: undefined, enis: [], managed: undefined });
  });

  it('lets Secrets Manager invoke the function for this account only, and the schedule waits for that permission', () => {
    const resources = resolved();
    const permissions = ofType(resources, 'AWS::Lambda::Permission').map(([, r]) => r.Properties);
    const forSecretsManager = permissions.filter((p) => p.Principal === 'secretsmanager.amazonaws.com');
    expect(forSecretsManager).toEqual([
      { FunctionName: { 'Fn::GetAtt': ['RotationFunction', 'Arn'] }, Action: 'lambda:InvokeFunction', Principal: 'secretsmanager.amazonaws.com', SourceAccount: { Ref: 'AWS::AccountId' } },
    ]);
    // The only other caller: the expiry report's schedule, scoped to its own rule.
    expect(permissions.filter((p) => p.Principal !== 'secretsmanager.amazonaws.com')).toEqual([
      { Action: 'lambda:InvokeFunction', FunctionName: { Ref: 'RotationFunction' }, Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': ['RotationFunctionExpiryReport', 'Arn'] } },
    ]);
    const [[, schedule]] = ofType(resources, 'AWS::SecretsManager::RotationSchedule') as [[string, Resource]];
    expect([schedule.DependsOn].flat()).toContain('RotationInvokePermission');
    expect(schedule.Properties).toEqual({
      SecretId: SECRET_ARN,
      RotationLambdaARN: { 'Fn::GetAtt': ['RotationFunction', 'Arn'] },
      RotateImmediatelyOnUpdate: 'true',
      RotationRules: { ScheduleExpression: 'rate(5 days)' },
    });
    const withWindow = ofType(resolved({ RotationWindow: '4h', RotationScheduleExpression: 'cron(0 3 ? * MON *)' }), 'AWS::SecretsManager::RotationSchedule')[0]![1];
    expect(withWindow.Properties.RotationRules).toEqual({ ScheduleExpression: 'cron(0 3 ? * MON *)', Duration: '4h' });
  });

  it.each([['true'], ['false']])(
    'starts rotating only after the deploy-time report (RotateImmediatelyOnDeploy=%s): the schedule waits for DeployTimeReport, never the other way round',
    (rotateNow) => {
      const resources = resolved({ RotateImmediatelyOnDeploy: rotateNow, ManagementSecretArn: MANAGEMENT_SECRET_ARN });
      const [[scheduleId, schedule]] = ofType(resources, 'AWS::SecretsManager::RotationSchedule') as [[string, Resource]];
      // The report and the first rotation never overlap, and a secret the report cannot read fails
      // the deploy before any rotation starts. On stack delete the order reverses: the schedule goes
      // first, so no rotation mints while the report's Delete revokes the minted keys.
      expect([schedule.DependsOn].flat()).toEqual(expect.arrayContaining(['RotationInvokePermission', 'DeployTimeReport']));
      expect(after(resources, scheduleId)).toContain('DeployTimeReport');
      expect(after(resources, 'DeployTimeReport')).not.toContain(scheduleId);
    },
  );

  it('reports days to expiry every 12 hours, for the expiry alarm', () => {
    const [[, rule]] = ofType(resolved(), 'AWS::Events::Rule') as [[string, Resource]];
    expect(rule.Properties.ScheduleExpression).toBe('rate(12 hours)');
    expect(rule.Properties.Targets[0].Input).toEqual({ 'Fn::Sub': '{"Action":"ReportKeyExpiry","SecretId":"${SecretArn}"}' });
  });

  it('alarms on failed invocations and on a key near expiry or unreported, notifying by email only when one is given', () => {
    const quiet = resolved();
    expect(ofType(quiet, 'AWS::SNS::Topic')).toEqual([]);
    const failure = quiet.RotationFailureAlarm!.Properties;
    expect(failure).toMatchObject({
      Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'RotationFunction' } }],
      Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
    });
    // This secret's own metrics (CloudWatch alarms match a metric's dimensions exactly): the
    // function publishes each under service alone and under service and SecretId.
    const thisSecret = [{ Name: 'service', Value: { Ref: 'AWS::StackName' } }, { Name: 'SecretId', Value: SECRET_ARN }];
    const expiry = quiet.KeyExpiryAlarm!.Properties;
    expect(expiry).toMatchObject({
      Namespace: 'MomentoSecretRotation', MetricName: 'DaysToExpiry', Dimensions: thisSecret,
      Statistic: 'Minimum', Period: 86400, EvaluationPeriods: 1, Threshold: 10, ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'notBreaching', // a key that never expires reports no days
    });
    expect(quiet.ExpiryReportMissingAlarm!.Properties).toMatchObject({
      Namespace: 'MomentoSecretRotation', MetricName: 'ExpiryReported', Dimensions: thisSecret,
      Statistic: 'Sum', Period: 86400, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    expect(failure.AlarmActions).toBeUndefined();
    expect(quiet.RevocationFailureAlarm!.Properties).toMatchObject({
      Namespace: 'MomentoSecretRotation', MetricName: 'RevocationFailed', Dimensions: [{ Name: 'service', Value: { Ref: 'AWS::StackName' } }],
      Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
    });

    const loud = resolved({ AlarmEmail: 'oncall@example.com', ExpiryWarningDays: '14' });
    expect(ofType(loud, 'AWS::SNS::Topic')[0]![1].Properties.Subscription).toEqual([{ Protocol: 'email', Endpoint: 'oncall@example.com' }]);
    expect(loud.RotationFailureAlarm!.Properties.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
    expect(loud.RevocationFailureAlarm!.Properties.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
    expect(loud.KeyExpiryAlarm!.Properties).toMatchObject({ Threshold: '14', AlarmActions: [{ Ref: 'AlarmTopic' }] });
  });

  it.each([['true'], ['false']])(
    'reports the key once at deploy (RotateImmediatelyOnDeploy=%s), before any alarm that counts missing data as breaching exists',
    (rotateNow) => {
      const resources = resolved({ RotateImmediatelyOnDeploy: rotateNow });
      expect(resources.DeployTimeReport).toMatchObject({
        // The one custom resource type the Serverless Application Repository accepts (serverless-repo.test.ts).
        Type: 'AWS::CloudFormation::CustomResource',
        Properties: { ServiceToken: { 'Fn::GetAtt': ['RotationFunction', 'Arn'] }, SecretId: SECRET_ARN },
      });
      expect(resources.DeployTimeReport!.Condition).toBeUndefined();
      const breachingOnMissing = ofType(resources, 'AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.TreatMissingData === 'breaching');
      expect(breachingOnMissing.map(([id]) => id)).toEqual(['ExpiryReportMissingAlarm']);
      for (const [, alarm] of breachingOnMissing) expect([alarm.DependsOn].flat()).toContain('DeployTimeReport');
      // CloudFormation waits this long for the answer; the function needs at most its timeout, retried twice.
      expect(Number(resources.DeployTimeReport!.Properties.ServiceTimeout)).toBeGreaterThanOrEqual(3 * 120);
    },
  );

  it('sends alarm email through a topic CloudWatch can publish to: not encrypted with the AWS managed SNS key', () => {
    const topic = resolved({ AlarmEmail: 'oncall@example.com' }).AlarmTopic!;
    expect(String(topic.Properties.KmsMasterKeyId ?? '')).not.toMatch(/^alias\/aws\//);
  });

  it('keeps its logs in a log group with retention, deleted with the stack', () => {
    const logGroup = resolved({ LogRetentionDays: '30' }).RotationLogGroup! as Resource & { DeletionPolicy?: string; UpdateReplacePolicy?: string };
    expect(logGroup.Properties).toEqual({
      LogGroupName: { 'Fn::Sub': '/momento-secret-rotation/${AWS::StackName}' },
      RetentionInDays: '30',
    });
    expect([logGroup.DeletionPolicy, logGroup.UpdateReplacePolicy]).toEqual(['Delete', 'Delete']);
  });

  it('fits every name it derives from the stack name within its limit, for a 128-character stack name (the longest)', () => {
    const stackName = `s${'x'.repeat(127)}`;
    const limits: Record<string, [string, number]> = {
      'AWS::Logs::LogGroup': ['LogGroupName', 512],
      'AWS::CloudWatch::Alarm': ['AlarmName', 255],
      'AWS::Lambda::Function': ['FunctionName', 64],
      'AWS::IAM::Role': ['RoleName', 64],
      'AWS::Events::Rule': ['Name', 64],
      'AWS::CloudWatch::Dashboard': ['DashboardName', 255],
    };
    const names: string[] = [];
    for (const [id, resource] of Object.entries(resolved())) {
      const limit = limits[resource.Type];
      const value = limit && resource.Properties[limit[0]];
      if (value === undefined) continue;
      const name = typeof value === 'string' ? value : String(value['Fn::Sub']).replaceAll('${AWS::StackName}', stackName);
      expect(name.length, `${id}.${limit![0]}`).toBeLessThanOrEqual(limit![1]);
      names.push(id);
    }
    expect(names).toContain('RotationLogGroup');
    expect(names).toContain('KeyExpiryAlarm');
    expect(names).toContain('Dashboard');
  });
});

describe('the dashboard (CreateDashboard, on by default)', () => {
  /** Scalar parameter values, as Fn::Sub puts them into the body. */
  const scalars = (overrides: Record<string, string>) =>
    Object.fromEntries(Object.entries(parameterValues(overrides)).filter(([, v]) => typeof v === 'string' || typeof v === 'number').map(([k, v]) => [k, String(v)]));
  /** The body as CloudFormation would store it, parameters put in; `${AWS::StackName}` and `${AWS::Region}` left as written. */
  const bodyOf = (overrides: Record<string, string> = {}) => {
    const resources = resolved(overrides);
    return JSON.parse(rendered(resources.Dashboard!.Properties.DashboardBody, resources, scalars(overrides))) as DashboardBody;
  };
  /** The namespace and service the function publishes under, from its environment in the template. */
  const functionEnvironment = (): FunctionEnvironment => {
    const resources = resolved();
    const variables = ofType(resources, 'AWS::Lambda::Function')[0]![1].Properties.Environment.Variables;
    return { namespace: rendered(variables.POWERTOOLS_METRICS_NAMESPACE, resources), service: rendered(variables.POWERTOOLS_SERVICE_NAME, resources) };
  };
  const notEmitted = (body: DashboardBody, emitted: Set<string>) => dashboardMetrics(body).filter((key) => !emitted.has(key));
  /**
   * The secret every event of this stack names, so the per-secret dimension the function publishes
   * under: the expiry report's schedule input, the deploy-time custom resource's SecretId, and the
   * rotation schedule's SecretId (Secrets Manager names the secret by ARN in rotation events).
   */
  const secretNamedByEvents = (): string => {
    const resources = resolved();
    const scheduled = JSON.parse(rendered(ofType(resources, 'AWS::Events::Rule')[0]![1].Properties.Targets[0].Input, resources, scalars({}))) as { SecretId: string };
    const named = [scheduled.SecretId, resources.DeployTimeReport!.Properties.SecretId, ofType(resources, 'AWS::SecretsManager::RotationSchedule')[0]![1].Properties.SecretId];
    expect(new Set(named)).toEqual(new Set([SECRET_ARN]));
    return SECRET_ARN;
  };
  /** Shown per secret only: the lines the per-secret alarms watch. The rest are the function's totals. */
  const PER_SECRET = ['DaysToExpiry', 'ExpiryReported'];

  it('exists unless CreateDashboard is false, and so do its name and console URL outputs', () => {
    expect(resolved().Dashboard!.Type).toBe('AWS::CloudWatch::Dashboard');
    expect(resolved({ CreateDashboard: 'false' }).Dashboard).toBeUndefined();
    expect(expanded.Parameters.CreateDashboard).toMatchObject({ Default: 'true', AllowedValues: ['true', 'false'] });
    const condition = expanded.Resources.Dashboard!.Condition;
    expect(condition).toBeDefined();
    expect(expanded.Outputs.DashboardName).toEqual({ Condition: condition, Description: expect.any(String), Value: { Ref: 'Dashboard' } });
    expect(expanded.Outputs.DashboardUrl!.Condition).toBe(condition);
    expect(rendered(expanded.Outputs.DashboardUrl!.Value, expanded.Resources)).toBe(
      'https://${AWS::Region}.console.aws.amazon.com/cloudwatch/home?region=${AWS::Region}#dashboards:name=<AWS::CloudWatch::Dashboard>',
    );
    // Dashboards are global to the account: a same-named stack in another Region gets its own.
    expect(rendered(resolved().Dashboard!.Properties.DashboardName, resolved())).toBe('momento-key-rotation-${AWS::StackName}-${AWS::Region}');
  });

  it('graphs only metrics the function emits (namespace, name and exact dimensions, as metrics.ts writes them), every total it emits, and the expiry per secret', async () => {
    const secretId = secretNamedByEvents();
    const emitted = await emittedMetrics(functionEnvironment(), secretId);
    const shown = dashboardMetrics(bodyOf());
    expect(notEmitted(bodyOf(), emitted)).toEqual([]);
    // Every total (service alone, and per step: every step, both outcomes), except those shown per secret.
    const totals = [...emitted].filter((key) => !hasDimension(key, 'SecretId') && !PER_SECRET.includes(metricNameOf(key)));
    expect(totals.filter((key) => !shown.includes(key))).toEqual([]);
    const perSecret = [...emitted].filter((key) => hasDimension(key, 'SecretId') && PER_SECRET.includes(metricNameOf(key)));
    expect(perSecret).toHaveLength(PER_SECRET.length);
    expect(perSecret.filter((key) => !shown.includes(key))).toEqual([]);
    // And every metric the function emits has a line, under one dimension set or another.
    expect([...new Set([...emitted].map(metricNameOf))].filter((name) => !shown.some((key) => metricNameOf(key) === name))).toEqual([]);
    expect(new Set(shown).size).toBe(shown.length);
    // Not vacuous: the per-step metrics carry the Step dimension and the stack's service; the expiry lines the secret.
    expect(shown).toContain(metricKey('MomentoSecretRotation', 'StepFailed', { service: '${AWS::StackName}', Step: 'finishSecret' }));
    expect(shown).toContain(metricKey('MomentoSecretRotation', 'DaysToExpiry', { service: '${AWS::StackName}', SecretId: SECRET_ARN }));
    expect(shown).toContain(metricKey('MomentoSecretRotation', 'RevocationPostponed', { service: '${AWS::StackName}' }));
  });

  it('alarms on exactly what the function emits: each alarm names a metric with its whole dimension set (an alarm matches dimensions exactly), the expiry alarms this secret\'s', async () => {
    const resources = resolved({ AlarmEmail: 'oncall@example.com' });
    const emitted = await emittedMetrics(functionEnvironment(), secretNamedByEvents());
    const watched = ofType(resources, 'AWS::CloudWatch::Alarm')
      .filter(([, alarm]) => alarm.Properties.Namespace === 'MomentoSecretRotation')
      .map(([id, alarm]) => [id, alarmMetric(alarm.Properties as never, (value) => rendered(value, resources, scalars({})))] as const);
    expect(watched.filter(([, key]) => !emitted.has(key))).toEqual([]);
    expect(Object.fromEntries(watched)).toEqual({
      RevocationFailureAlarm: metricKey('MomentoSecretRotation', 'RevocationFailed', { service: '${AWS::StackName}' }),
      RevocationPostponedAlarm: metricKey('MomentoSecretRotation', 'RevocationPostponed', { service: '${AWS::StackName}' }),
      KeyExpiryAlarm: metricKey('MomentoSecretRotation', 'DaysToExpiry', { service: '${AWS::StackName}', SecretId: SECRET_ARN }),
      ExpiryReportMissingAlarm: metricKey('MomentoSecretRotation', 'ExpiryReported', { service: '${AWS::StackName}', SecretId: SECRET_ARN }),
    });
    // Would catch an alarm on a dimension set the function never publishes (a misspelt name, a value that is not the secret's ARN).
    const misnamed = { ...resources.KeyExpiryAlarm!.Properties, Dimensions: [{ Name: 'service', Value: { Ref: 'AWS::StackName' } }, { Name: 'SecretArn', Value: SECRET_ARN }] };
    expect(emitted.has(alarmMetric(misnamed as never, (value) => rendered(value, resources)))).toBe(false);
    const byName = { ...resources.KeyExpiryAlarm!.Properties, Dimensions: [{ Name: 'service', Value: { Ref: 'AWS::StackName' } }, { Name: 'SecretId', Value: 'momento/api-key' }] };
    expect(emitted.has(alarmMetric(byName as never, (value) => rendered(value, resources)))).toBe(false);
  });

  it('would catch a misspelt metric name, a missing dimension, a wrong step, secret or namespace', async () => {
    const emitted = await emittedMetrics(functionEnvironment(), secretNamedByEvents());
    const mutated = (mutate: (rows: unknown[][]) => void) => {
      const body = bodyOf();
      mutate(body.widgets.filter((w) => w.type === 'metric').flatMap((w) => w.properties.metrics as unknown[][]));
      return notEmitted(body, emitted);
    };
    const row = (rows: unknown[][], name: string) => rows.find((r) => r[1] === name)!;
    expect(mutated((rows) => void (row(rows, 'KeysRevoked')[1] = 'KeyRevoked'))).toEqual([metricKey('MomentoSecretRotation', 'KeyRevoked', { service: '${AWS::StackName}' })]);
    expect(mutated((rows) => void row(rows, 'DaysToExpiry').splice(2, 2))).toEqual([metricKey('MomentoSecretRotation', 'DaysToExpiry', { SecretId: SECRET_ARN })]);
    expect(mutated((rows) => void (row(rows, 'ExpiryReported')[5] = 'momento/api-key'))).toHaveLength(1);
    expect(mutated((rows) => void (row(rows, 'StepFailed')[5] = 'rotateSecret'))).toHaveLength(1);
    expect(mutated((rows) => void (row(rows, 'ExpiryReported')[0] = 'AWS/Lambda'))).toHaveLength(1);
    expect(mutated((rows) => void (row(rows, 'RevocationFailed')[3] = 'momento-secret-rotation'))).toHaveLength(1);
  });

  it("puts the expiry alarm's threshold (ExpiryWarningDays) on the days-to-expiry graph, and every widget in the stack's Region", () => {
    const thresholds = (body: DashboardBody) => body.widgets.flatMap((w) => (w.properties.annotations?.horizontal ?? []) as { label: string; value: number }[]);
    expect(thresholds(bodyOf())).toContainEqual({ label: 'expiry alarm below', value: 10 });
    expect(thresholds(bodyOf({ ExpiryWarningDays: '14' }))).toContainEqual({ label: 'expiry alarm below', value: 14 });
    for (const widget of bodyOf().widgets.filter((w) => w.type !== 'text')) expect(widget.properties.region).toBe('${AWS::Region}');
  });

  it("lists the last failed steps from the function's own log group, by fields the function logs: step, secret and the error's name, never a value", async () => {
    const resources = resolved();
    const [widget] = bodyOf().widgets.filter((w) => w.type === 'log');
    const query = parseLogQuery(widget!.properties.query);
    expect(query.source).toBe(rendered(ofType(resources, 'AWS::Lambda::Function')[0]![1].Properties.LoggingConfig.LogGroup, resources));
    // Only these, whatever the line holds: no message (it may quote an endpoint or a description), no stack.
    expect(query.fields.every((f) => ['@timestamp', 'step', 'action', 'secretId', 'error.name'].includes(f)), query.fields.join()).toBe(true);

    const lines = await failedStepLogLines(functionEnvironment(), SECRET_ARN);
    const failed = lines.filter((line) => Object.entries(query.filters).every(([field, value]) => fieldOf(line, field) === value));
    // One rotation step and one expiry report failed; nothing else the function logged matches.
    expect(failed.map((l) => l.step ?? l.action)).toEqual(['testSecret', 'ReportKeyExpiry']);
    for (const field of query.fields.filter((f) => !f.startsWith('@'))) {
      expect(failed.some((line) => fieldOf(line, field) !== undefined), field).toBe(true);
    }
    expect(failed.map((l) => [fieldOf(l, 'secretId'), fieldOf(l, 'error.name')])).toEqual([
      [SECRET_ARN, 'ResourceNotFoundException'],
      [SECRET_ARN, 'ResourceNotFoundException'],
    ]);
  });
});

/** Every resource `id` waits for: DependsOn and references (Ref, GetAtt, Sub), followed to the end. */
function after(resources: Record<string, Resource>, id: string): Set<string> {
  const direct = (resource: Resource): string[] => {
    const found = new Set<string>([resource.DependsOn ?? []].flat());
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (typeof node !== 'object' || node === null) return;
      for (const [key, value] of Object.entries(node)) {
        if (key === 'Ref' && typeof value === 'string') found.add(value);
        else if (key === 'Fn::GetAtt') found.add(Array.isArray(value) ? String(value[0]) : String(value).split('.')[0]!);
        else if (key === 'Fn::Sub') for (const [, name] of String([value].flat()[0]).matchAll(/\$\{([A-Za-z0-9]+)[.}]/g)) found.add(name!);
        visit(value);
      }
    };
    visit(resource.Properties);
    return [...found].filter((name) => name in resources);
  };
  const seen = new Set<string>();
  const queue = direct(resources[id]!);
  while (queue.length > 0) {
    const next = queue.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...direct(resources[next]!));
  }
  return seen;
}

describe('template Rules: a rotation window that fits the schedule (Secrets Manager rejects the rest at deploy)', () => {
  /** Evaluates the template's Rules for these parameters, as CloudFormation does before it deploys. */
  function ruleFailures(overrides: Record<string, string | string[]>): string[] {
    const params = parameterValues(overrides);
    const evaluate = (node: any): any => {
      if (Array.isArray(node)) return node.map(evaluate);
      if (typeof node !== 'object' || node === null) return node;
      const [fn, arg] = Object.entries(node)[0]! as [string, any];
      if (fn === 'Ref') return params[arg];
      if (fn === 'Fn::Equals') return String(evaluate(arg[0])) === String(evaluate(arg[1]));
      if (fn === 'Fn::Contains') return (evaluate(arg[0]) as unknown[]).map(String).includes(String(evaluate(arg[1])));
      if (fn === 'Fn::EachMemberEquals') return (evaluate(arg[0]) as unknown[]).every((v) => String(v) === String(evaluate(arg[1])));
      if (fn === 'Fn::And') return arg.every(evaluate);
      if (fn === 'Fn::Or') return arg.some(evaluate);
      if (fn === 'Fn::Not') return !evaluate(arg[0]);
      throw new Error(`no evaluator for ${fn}`);
    };
    return Object.values(expanded.Rules ?? {})
      .filter((rule) => rule.RuleCondition === undefined || evaluate(rule.RuleCondition))
      .flatMap((rule) => rule.Assertions.filter((a) => !evaluate(a.Assert)).map((a) => a.AssertDescription));
  }

  const hours = Array.from({ length: 24 }, (_, i) => i + 1);
  it.each(Array.from({ length: 20 }, (_, i) => i + 4))('rate(%i hours): a window of at most that many hours, or none', (n) => {
    for (const h of hours) {
      const failures = ruleFailures({ RotationScheduleExpression: `rate(${n} hours)`, RotationWindow: `${h}h` });
      expect(failures.length === 0, `rate(${n} hours) with ${h}h`).toBe(h <= n);
      if (h > n) expect(failures[0]).toContain(`at most ${n}h`);
    }
    expect(ruleFailures({ RotationScheduleExpression: `rate(${n} hours)`, RotationWindow: '' })).toEqual([]);
  });

  it.each(['rate(1 day)', 'rate(5 days)', 'rate(1000 days)'])('%s: any window from 1h to 24h (it starts at midnight)', (schedule) => {
    for (const h of hours) expect(ruleFailures({ RotationScheduleExpression: schedule, RotationWindow: `${h}h` })).toEqual([]);
  });

  it('VpcSubnetIds and VpcSecurityGroupIds: both or neither, each with no empty entry', () => {
    expect(ruleFailures({})).toEqual([]);
    // An empty list parameter may reach the Rules as [""] or as []: both are "not set".
    expect(ruleFailures({ VpcSubnetIds: [], VpcSecurityGroupIds: [] })).toEqual([]);
    expect(ruleFailures({ VpcSubnetIds: SUBNETS, VpcSecurityGroupIds: SECURITY_GROUPS })).toEqual([]);
    const oneList: Record<string, string | string[]>[] = [{ VpcSubnetIds: SUBNETS }, { VpcSecurityGroupIds: SECURITY_GROUPS }, { VpcSubnetIds: SUBNETS, VpcSecurityGroupIds: [] }];
    for (const one of oneList) {
      expect(ruleFailures(one)).toEqual([expect.stringMatching(/^VpcSubnetIds and VpcSecurityGroupIds go together: set both .*, or leave\s+both empty/)]);
    }
    for (const gap of [`${SUBNETS},`, `,${SUBNETS}`, SUBNETS.replace(',', ',,')]) {
      expect(ruleFailures({ VpcSubnetIds: gap, VpcSecurityGroupIds: SECURITY_GROUPS })).toEqual([expect.stringMatching(/must not have an empty entry/)]);
    }
    expect(ruleFailures({ VpcSubnetIds: SUBNETS, VpcSecurityGroupIds: `${SECURITY_GROUPS},` })).toEqual([expect.stringMatching(/must not have an empty entry/)]);
  });

  it('ReplicaKmsKeyArns: empty, or key ARNs with no empty entry (which would reach the role as a Resource of "")', () => {
    expect(ruleFailures({ ReplicaKmsKeyArns: [] })).toEqual([]);
    expect(ruleFailures({ ReplicaKmsKeyArns: REPLICA_KMS_KEY_ARNS.join(',') })).toEqual([]);
    for (const gap of [`${REPLICA_KMS_KEY_ARNS[0]},`, `,${REPLICA_KMS_KEY_ARNS[0]}`, REPLICA_KMS_KEY_ARNS.join(',,')]) {
      expect(ruleFailures({ ReplicaKmsKeyArns: gap }), gap).toEqual([expect.stringMatching(/^ReplicaKmsKeyArns must not have an empty entry .* or leave it empty\.$/)]);
    }
  });

});

describe('parameter validation (AllowedPattern)', () => {
  const pattern = (name: string) => new RegExp(expanded.Parameters[name]!.AllowedPattern!);

  it.each(['rate(5 days)', 'rate(1 day)', 'rate(4 hours)', 'rate(23 hours)', 'rate(1000 days)', 'cron(0 3 ? * MON *)'])(
    'accepts the schedule %s',
    (value) => expect(pattern('RotationScheduleExpression').test(value)).toBe(true),
  );

  it.each(['rate(1 hour)', 'rate(3 hours)', 'rate(24 hours)', 'rate(0 days)', 'rate(1 days)', 'rate(5 day)', 'rate(5days)', 'rate(1001 days)', 'every 5 days', 'rate(5 days) ', ''])(
    'refuses the schedule %j',
    (value) => expect(pattern('RotationScheduleExpression').test(value)).toBe(false),
  );

  it('refuses what is not a secret ARN, a KMS key ARN, a window or an email address', () => {
    expect(pattern('SecretArn').test(SECRET_ARN)).toBe(true);
    expect(pattern('SecretArn').test('momento/api-key')).toBe(false);
    // A partial ARN (no six-character suffix) matches no secret in the role's policy: refused.
    expect(pattern('SecretArn').test('arn:aws:secretsmanager:eu-west-1:123456789012:secret:momento/api-key')).toBe(false);
    expect(pattern('ManagementSecretArn').test('arn:aws:secretsmanager:eu-west-1:123456789012:secret:momento/management')).toBe(false);
    expect(pattern('SecretArn').test('arn:aws:kms:eu-west-1:123456789012:key/x')).toBe(false);
    expect(pattern('KmsKeyArn').test(KMS_KEY_ARN)).toBe(true);
    expect(pattern('ManagementSecretArn').test('')).toBe(true);
    expect(pattern('ManagementSecretArn').test(MANAGEMENT_SECRET_ARN)).toBe(true);
    expect(pattern('ManagementSecretArn').test('momento/management')).toBe(false);
    expect(pattern('ManagementKmsKeyArn').test(MANAGEMENT_KMS_KEY_ARN)).toBe(true);
    expect(pattern('ManagementKmsKeyArn').test('alias/aws/secretsmanager')).toBe(false);
    expect(pattern('KmsKeyArn').test('alias/aws/secretsmanager')).toBe(false);
    expect(pattern('RotationWindow').test('4h')).toBe(true);
    expect(pattern('RotationWindow').test('25h')).toBe(false);
    expect(pattern('AlarmEmail').test('oncall@example.com')).toBe(true);
    expect(pattern('AlarmEmail').test('oncall')).toBe(false);
  });

  // A Number parameter accepts 7.5 (CloudFormation checks only MinValue and MaxValue); the function
  // then refuses its configuration before it can answer the deploy-time custom resource, and the
  // stack waits out the resource's timeout. Whole days only, refused before anything is created.
  it('takes KeyLifetimeDays in whole days from 1 to 365, and passes it to the function as it is', () => {
    expect(expanded.Parameters.KeyLifetimeDays).toMatchObject({ Type: 'String', Default: '30' });
    for (const days of ['1', '7', '30', '99', '100', '299', '359', '360', '365']) expect(pattern('KeyLifetimeDays').test(days), days).toBe(true);
    for (const days of ['7.5', '30.0', '0', '366', '400', '1000', '-1', '+7', '07', '1e2', ' 30', '30 ', '', 'thirty']) expect(pattern('KeyLifetimeDays').test(days), days).toBe(false);
    expect(pattern('KeyLifetimeDays').test(String(expanded.Parameters.KeyLifetimeDays!.Default))).toBe(true);
    const fn = ofType(resolved({ KeyLifetimeDays: '365' }), 'AWS::Lambda::Function')[0]![1];
    expect(fn.Properties.Environment.Variables.MOMENTO_KEY_LIFETIME_DAYS).toBe('365');
  });

  it('takes the replicas\' KMS key ARNs comma-delimited, empty by default', () => {
    expect(expanded.Parameters.ReplicaKmsKeyArns).toMatchObject({ Type: 'CommaDelimitedList', Default: '' });
    for (const arn of ['', ...REPLICA_KMS_KEY_ARNS]) expect(pattern('ReplicaKmsKeyArns').test(arn), arn).toBe(true);
    for (const wrong of ['alias/aws/secretsmanager', 'arn:aws:kms:us-east-1:123456789012:alias/replica', `${REPLICA_KMS_KEY_ARNS[0]} `, '4f1e2d3c-1234-4cde-8f00-123456789abc']) {
      expect(pattern('ReplicaKmsKeyArns').test(wrong), wrong).toBe(false);
    }
  });

  it('takes subnet and security group ids, comma-delimited, empty by default (the pattern applies to each entry)', () => {
    for (const [name, ids, wrong] of [
      ['VpcSubnetIds', SUBNETS, ['sg-0123456789abcdef0', 'subnet-123', ' subnet-89abcdef', 'subnet-0123456789ABCDEF0']],
      ['VpcSecurityGroupIds', SECURITY_GROUPS, ['subnet-89abcdef', 'sg-12345', 'sg-89abcdef ', 'default']],
    ] as const) {
      expect(expanded.Parameters[name]).toMatchObject({ Type: 'CommaDelimitedList', Default: '' });
      for (const id of ['', ...ids.split(',')]) expect(pattern(name).test(id), `${name} ${id}`).toBe(true);
      for (const id of wrong) expect(pattern(name).test(id), `${name} ${id}`).toBe(false);
    }
  });

  it('offers RevokeImportedKeys as "true" or "false", off by default, and says why in its description', () => {
    const parameter = expanded.Parameters.RevokeImportedKeys as { Default?: unknown; AllowedValues?: unknown; Description?: string };
    expect(parameter).toMatchObject({ Default: 'false', AllowedValues: ['true', 'false'] });
    // The trade-off: an imported key may be held elsewhere; on only when it is held nowhere else.
    expect(parameter.Description).toMatch(/held elsewhere \(another secret, a replica, an\s+application's config\)/);
    expect(parameter.Description).toMatch(/only when the imported key is held nowhere else/);
  });
});

describe('the console form (AWS::CloudFormation::Interface)', () => {
  const groups = JSON.parse(
    execFileSync('python3', ['-c', 'import json; from samtranslator.yaml_helper import yaml_parse; print(json.dumps(yaml_parse(open("template.yaml").read())["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"]))'], { encoding: 'utf8' }),
  ) as { Label: { default: string }; Parameters: string[] }[];

  it('shows every parameter in exactly one group: the dashboard with the alarms, the VPC in its own', () => {
    expect(groups.flatMap((g) => g.Parameters).sort()).toEqual(Object.keys(expanded.Parameters).sort());
    const groupOf = (name: string) => groups.find((g) => g.Parameters.includes(name))!.Label.default;
    expect(groupOf('CreateDashboard')).toBe(groupOf('AlarmEmail'));
    expect(groupOf('VpcSubnetIds')).toBe(groupOf('VpcSecurityGroupIds'));
    expect(groups.find((g) => g.Label.default === groupOf('VpcSubnetIds'))!.Parameters).toEqual(['VpcSubnetIds', 'VpcSecurityGroupIds']);
  });
});

describe('Serverless Application Repository metadata (AWS::ServerlessRepo::Application)', () => {
  // The template as written (samtranslator drops Metadata): parsed with SAM's own YAML loader.
  const metadata = JSON.parse(
    execFileSync('python3', ['-c', 'import json,sys; from samtranslator.yaml_helper import yaml_parse; print(json.dumps(yaml_parse(open("template.yaml").read())["Metadata"]["AWS::ServerlessRepo::Application"]))'], { encoding: 'utf8' }),
  ) as Record<string, unknown>;

  it("publishes package.json's version", () => {
    expect(metadata.SemanticVersion).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it('meets the limits SAM documents (names, lengths, labels), names files that exist, and uses no intrinsic function', () => {
    expect(metadata.Name).toMatch(/^[a-zA-Z0-9-]{1,140}$/);
    expect(String(metadata.Description).length).toBeGreaterThan(0);
    expect(String(metadata.Description).length).toBeLessThanOrEqual(256);
    expect(metadata.Author).toMatch(/^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$/);
    expect(String(metadata.Author).length).toBeLessThanOrEqual(127);
    expect(metadata.SpdxLicenseId).toBe(JSON.parse(readFileSync('package.json', 'utf8')).license);
    const labels = metadata.Labels as string[];
    expect(labels.length).toBeLessThanOrEqual(10);
    for (const label of labels) expect(label).toMatch(/^[a-zA-Z0-9+\-_:/@]{1,127}$/);
    for (const file of [metadata.LicenseUrl, metadata.ReadmeUrl]) expect(existsSync(String(file)), String(file)).toBe(true);
    expect(readFileSync('LICENSE', 'utf8')).toContain('Apache License');
    expect(JSON.stringify(metadata)).not.toMatch(/"(Ref|Fn::[A-Za-z]+)"/);
  });
});

describe('cfn-lint', () => {
  it('passes template.yaml with no error and no warning', () => {
    expect(() => execFileSync('cfn-lint', ['template.yaml'], { encoding: 'utf8' })).not.toThrow();
  });
});
