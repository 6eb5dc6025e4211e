/**
 * momento-secret-rotation/cdk: the rotation function as a CDK construct. It creates what
 * template.yaml creates (test/cdk/ checks the two stay the same), from the prebuilt Lambda
 * artifact shipped in this package: no esbuild and no Docker at synth.
 *
 * ```ts
 * const rotation = new MomentoKeyRotation(this, 'MomentoKeyRotation', {
 *   secret: apiKeySecret,
 *   managementSecret,            // v2 keys
 *   schedule: Duration.days(5),
 * });
 * rotation.addSecret(otherSecret, { schedule: 'cron(0 3 ? * MON *)', kmsKey: otherSecretsKey });
 * ```
 *
 * In a VPC: pass `vpc` (and optionally `vpcSubnets`, `securityGroups`); the function must reach
 * Secrets Manager and Momento from there (docs/deploy.md, "Running in a VPC").
 */
import { CfnResource, CustomResource, Duration, Fn, Lazy, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Alarm, CfnDashboard, ComparisonOperator, Metric, TreatMissingData, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, CfnPermission, Code, Function as LambdaFn, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnRotationSchedule, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STEPS } from '../rotation/event.js';
import { ROTATION_FUNCTION_TAG } from '../rotation-function-tag.js';

/** Where the function's metrics land (POWERTOOLS_METRICS_NAMESPACE), as template.yaml's. */
const METRICS_NAMESPACE = 'MomentoSecretRotation';
/** The per-secret dimension the function publishes each metric under (src/observability/metrics.ts's SECRET_DIMENSION). */
const SECRET_DIMENSION = 'SecretId';

/**
 * What Lambda needs to create and remove a VPC function's network interfaces: the EC2 actions
 * of the AWS managed policy AWSLambdaVPCAccessExecutionRole (v3), as template.yaml grants them
 * (its comment says why inline, and why on '*').
 */
const VPC_NETWORK_INTERFACE_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

export interface SecretRotationOptions {
  /** When to rotate: a Duration (whole hours from 4 to 23, or whole days up to 1000) or a rate()/cron() expression. Default 5 days. */
  readonly schedule?: Duration | string;
  /** The rotation window (1 to 24 hours); default Secrets Manager's (one hour for hours, the rest of the UTC day for days). */
  readonly rotationWindow?: Duration;
  /** Rotate when the schedule is created or changed. Default true. */
  readonly rotateImmediatelyOnUpdate?: boolean;
  /**
   * The customer-managed KMS key that encrypts the secret (template.yaml's KmsKeyArn). Default the
   * secret's `encryptionKey`, which a secret imported by name or ARN does not have: pass the key
   * here, or the role gets no KMS grant and every rotation fails. None for aws/secretsmanager.
   */
  readonly kmsKey?: IKey;
  /**
   * The customer-managed KMS keys of the secret's replicas in other Regions (template.yaml's
   * ReplicaKmsKeyArns): each version the function writes is re-encrypted with them. None when the
   * secret is not replicated, or its replicas use aws/secretsmanager.
   */
  readonly replicaKmsKeys?: IKey[];
}

export interface MomentoKeyRotationProps extends SecretRotationOptions {
  /** The secret holding the Momento key (the function reads, stages and promotes its versions). */
  readonly secret: ISecret;
  /** v2 keys: the secret holding the management key, read only. */
  readonly managementSecret?: ISecret;
  /** The customer-managed KMS key that encrypts the management secret (template.yaml's ManagementKmsKeyArn). Default the management secret's `encryptionKey`. */
  readonly managementKmsKey?: IKey;
  /** A cache for the new key's test (a data-plane get); default listCaches. */
  readonly testCacheName?: string;
  /** v2 keys: how long minted keys live (1 to 365 days). Default 30 days. */
  readonly keyLifetime?: Duration;
  /**
   * v2 keys: also revoke a retired key the function did not mint (one imported from the Momento
   * console). Default false: the same key may be held elsewhere (another secret, a replica, an
   * application's config), and revoking it would break that holder. Turn it on only when the
   * imported key is held nowhere else (template.yaml's RevokeImportedKeys).
   */
  readonly revokeImportedKeys?: boolean;
  /** Where the alarms notify; none by default. */
  readonly alarmTopic?: ITopic;
  /** The expiry alarm's threshold, in days. Default 10. */
  readonly expiryWarningDays?: number;
  /** The function's log retention. Default 90 days. */
  readonly logRetention?: RetentionDays;
  /** The function's log level. Default INFO. */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** The function's code; default the artifact shipped in this package (dist/lambda). */
  readonly code?: Code;
  /**
   * A CloudWatch dashboard of the rotation: days to expiry, steps, revocations, expiry reports
   * and the last failed steps. Default true (template.yaml's CreateDashboard).
   */
  readonly createDashboard?: boolean;
  /**
   * Runs the function in this VPC (template.yaml's VpcSubnetIds and VpcSecurityGroupIds). From
   * there it must reach Secrets Manager and Momento over HTTPS: a NAT gateway, or VPC endpoints.
   * Default: outside any VPC.
   */
  readonly vpc?: IVpc;
  /** With `vpc`: the subnets; default the VPC's private subnets (CDK refuses public ones). */
  readonly vpcSubnets?: SubnetSelection;
  /** With `vpc`: the function's security groups; default one CDK creates, allowing all outbound traffic. */
  readonly securityGroups?: ISecurityGroup[];
}

/**
 * The ARN a policy must name. A secret imported by name has a partial ARN (no six-character
 * suffix) that matches no secret in IAM; `name-??????` matches the one Secrets Manager made.
 */
function arnForPolicies(secret: ISecret): string {
  return secret.secretFullArn ?? `${secret.secretArn}-??????`;
}

/** How the function and Secrets Manager name the secret: its complete ARN, or its name when imported by name (a partial ARN is ambiguous). */
function secretIdOf(secret: ISecret): string {
  return secret.secretFullArn ?? secret.secretName;
}

/** Secrets Manager in this Region acting for the function (kms:ViaService): no direct use of the key. */
function viaSecretsManager(stack: Stack): Record<string, string> {
  return { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` };
}

/**
 * The conditions of a grant on a secret's KMS key, as template.yaml's: through Secrets Manager in
 * this Region, and for this secret only (Secrets Manager's encryption context names the secret's
 * ARN). A secret imported by name is matched by its `name-??????` pattern, so with StringLike.
 */
function forTheSecret(stack: Stack, secret: ISecret): Record<string, Record<string, string>> {
  const arn = { 'kms:EncryptionContext:SecretARN': arnForPolicies(secret) };
  return secret.secretFullArn ? { StringEquals: { ...viaSecretsManager(stack), ...arn } } : { StringEquals: viaSecretsManager(stack), StringLike: arn };
}

/** The secret's replicas: its ARN in any Region (the same partition, account, name and suffix), as template.yaml builds it. */
function replicasOf(secret: ISecret): string {
  const parts = Fn.split(':', arnForPolicies(secret), 7);
  return Fn.join('', ['arn:', parts[1]!, ':secretsmanager:*:', parts[4]!, ':secret:', parts[6]!]);
}

/** The artifact beside this file in the package: dist/lambda (the bundle the tests load). */
function shippedArtifact(): string {
  const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
  return join(here, 'lambda');
}

export class MomentoKeyRotation extends Construct {
  readonly function: LambdaFn;
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** The dashboard, unless `createDashboard` is false (template.yaml's DashboardName output is its name). */
  readonly dashboard?: CfnDashboard;
  /** The dashboard in the CloudWatch console (template.yaml's DashboardUrl output). */
  readonly dashboardUrl?: string;
  private readonly secretIds: string[] = [];
  private readonly rotateStatement: PolicyStatement;
  /** kms:DescribeKey on every customer-managed key of the secrets (not their replicas') and the management secret's; added with the first. */
  private readonly describeKeysStatement: PolicyStatement;
  private readonly reports: CustomResource[] = [];
  /** The alarms on the function as a whole (failed invocations, failed revocations); each secret has its own expiry alarms. */
  private functionAlarms: Alarm[] = [];
  private readonly alarmAction: IAlarmAction | undefined;
  private readonly permission: CfnPermission;
  private secrets = 0;

  constructor(scope: Construct, id: string, private readonly props: MomentoKeyRotationProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // Whole days, as template.yaml's KeyLifetimeDays: the function refuses any other at start.
    const lifetimeDays = props.keyLifetime?.toDays({ integral: false }) ?? 30;
    if (!Number.isInteger(lifetimeDays) || lifetimeDays < 1 || lifetimeDays > 365) {
      throw new Error(`keyLifetime must be whole days from 1 to 365, got ${props.keyLifetime?.toHumanString()}: use Duration.days(n)`);
    }
    if (props.managementKmsKey && !props.managementSecret) throw new Error('managementKmsKey is the key of the management secret: pass managementSecret too');
    this.alarmAction = props.alarmTopic ? new SnsAction(props.alarmTopic) : undefined;

    // Deleted with the stack, as template.yaml's (DeletionPolicy Delete; CDK's default retains it).
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention ?? RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Rotates Momento key secrets; least privilege',
    });
    // Filled in by addSecret: exactly the secrets this construct rotates, and their KMS keys.
    this.rotateStatement = new PolicyStatement({
      sid: 'RotateTheSecret',
      actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
    });
    // A DescribeKey request carries no encryption context: a statement of its own (template.yaml says more).
    this.describeKeysStatement = new PolicyStatement({ sid: 'DescribeTheKmsKeys', actions: ['kms:DescribeKey'], conditions: { StringEquals: viaSecretsManager(stack) } });
    this.role.addToPolicy(this.rotateStatement);
    if (props.managementSecret) {
      this.role.addToPolicy(new PolicyStatement({ sid: 'ReadTheManagementKey', actions: ['secretsmanager:GetSecretValue'], resources: [arnForPolicies(props.managementSecret)] }));
      const managementKey = props.managementKmsKey ?? props.managementSecret.encryptionKey;
      if (managementKey) {
        this.role.addToPolicy(
          new PolicyStatement({ sid: 'DecryptTheManagementKey', actions: ['kms:Decrypt'], resources: [managementKey.keyArn], conditions: forTheSecret(stack, props.managementSecret) }),
        );
        this.describeKey(managementKey);
      }
      // A report's Delete revokes its secret's minted keys only when the stack itself is being deleted, which only the stack's status tells.
      this.role.addToPolicy(new PolicyStatement({ sid: 'ReadOwnStackStatus', actions: ['cloudformation:DescribeStacks'], resources: [stack.stackId] }));
    }
    // The deploy-time report waits until CloudWatch shows it; GetMetricData has no resource-level permissions.
    this.role.addToPolicy(new PolicyStatement({ sid: 'ReadOwnReportMetric', actions: ['cloudwatch:GetMetricData'], resources: ['*'] }));
    this.role.addToPolicy(new PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }));
    // In a VPC only. The function is given this role, so CDK attaches no managed policy itself.
    if (props.vpc) this.role.addToPolicy(new PolicyStatement({ sid: 'ManageVpcNetworkInterfaces', actions: VPC_NETWORK_INTERFACE_ACTIONS, resources: ['*'] }));

    this.function = new LambdaFn(this, 'Function', {
      description: 'Rotates a Momento API key in Secrets Manager',
      code: props.code ?? Code.fromAsset(shippedArtifact()),
      handler: 'handler.handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      // As template.yaml: the worst cold step peaks at about 86 MB (docs/benchmarks.md).
      memorySize: 160,
      // Outlasts the Momento SDK's fixed 60 s refresh deadline.
      timeout: Duration.seconds(120),
      role: this.role,
      logGroup: this.logGroup,
      // Passed as given: CDK itself refuses subnets or security groups without a VPC.
      ...(props.vpc ? { vpc: props.vpc } : {}),
      ...(props.vpcSubnets ? { vpcSubnets: props.vpcSubnets } : {}),
      ...(props.securityGroups ? { securityGroups: props.securityGroups } : {}),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: stack.stackName,
        POWERTOOLS_METRICS_NAMESPACE: 'MomentoSecretRotation',
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        MOMENTO_KEY_LIFETIME_DAYS: String(lifetimeDays),
        MOMENTO_REVOKE_IMPORTED_KEYS: String(props.revokeImportedKeys ?? false),
        ...(props.testCacheName ? { MOMENTO_TEST_CACHE_NAME: props.testCacheName } : {}),
        ...(props.managementSecret ? { MOMENTO_MANAGEMENT_SECRET_ARN: secretIdOf(props.managementSecret) } : {}),
      },
    });
    // `status --all` finds the secrets this project rotates by this tag on their rotation function.
    Tags.of(this.function).add(ROTATION_FUNCTION_TAG.key, ROTATION_FUNCTION_TAG.value, { includeResourceTypes: ['AWS::Lambda::Function'] });
    // Secrets Manager may invoke the function, for this account only (no confused deputy).
    this.permission = new CfnPermission(this, 'SecretsManagerInvoke', {
      functionName: this.function.functionArn,
      action: 'lambda:InvokeFunction',
      principal: 'secretsmanager.amazonaws.com',
      sourceAccount: stack.account,
    });

    this.addSecret(props.secret, props);
    this.createFunctionAlarms();
    if (props.createDashboard ?? true) {
      // Dashboards are global to the account: the name carries the Region (as template.yaml's).
      this.dashboard = new CfnDashboard(this, 'Dashboard', {
        dashboardName: `momento-key-rotation-${stack.stackName}-${stack.region}`,
        // Lazy: the secrets addSecret adds later are listed too.
        dashboardBody: Lazy.string({
          produce: () =>
            stack.toJsonString(
              dashboardBody({ stackName: stack.stackName, region: stack.region, secretIds: this.secretIds, logGroupName: this.logGroup.logGroupName, expiryWarningDays: props.expiryWarningDays ?? 10 }),
            ),
        }),
      });
      this.dashboardUrl = `https://${stack.region}.console.aws.amazon.com/cloudwatch/home?region=${stack.region}#dashboards:name=${this.dashboard.ref}`;
    }
  }

  /**
   * Rotates another secret with the same function, on its own schedule, with its own expiry
   * alarms. The role grants exactly the secrets added, and their KMS keys for them only.
   */
  addSecret(secret: ISecret, options: SecretRotationOptions = {}): void {
    const stack = Stack.of(this);
    const n = this.secrets++;
    const secretId = secretIdOf(secret);
    this.secretIds.push(secretId);
    const suffix = n === 0 ? '' : String(n + 1);
    this.rotateStatement.addResources(arnForPolicies(secret));
    // As template.yaml's UseTheSecretsKmsKey and UseTheReplicaKmsKeys (the reasons are there), one
    // statement per secret: each key is used for its own secret only.
    const key = options.kmsKey ?? secret.encryptionKey;
    if (key) {
      this.role.addToPolicy(new PolicyStatement({ sid: `UseTheSecretsKmsKey${suffix}`, actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [key.keyArn], conditions: forTheSecret(stack, secret) }));
      this.describeKey(key);
    }
    const replicaKeys = options.replicaKmsKeys ?? [];
    if (replicaKeys.length > 0) {
      this.role.addToPolicy(
        new PolicyStatement({
          sid: `UseTheReplicaKmsKeys${suffix}`,
          actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
          resources: replicaKeys.map((k) => k.keyArn),
          conditions: { StringLike: { 'kms:ViaService': 'secretsmanager.*.amazonaws.com', 'kms:EncryptionContext:SecretARN': replicasOf(secret) } },
        }),
      );
    }
    const schedule = new CfnRotationSchedule(this, `Schedule${suffix}`, {
      secretId: secretIdOf(secret),
      rotationLambdaArn: this.function.functionArn,
      rotateImmediatelyOnUpdate: options.rotateImmediatelyOnUpdate ?? true,
      rotationRules: {
        scheduleExpression: scheduleExpression(options.schedule ?? Duration.days(5)),
        ...(options.rotationWindow ? { duration: `${options.rotationWindow.toHours()}h` } : {}),
      },
    });
    // Without the permission in place first, Secrets Manager cannot invoke the function at deploy.
    schedule.node.addDependency(this.permission);
    new Rule(this, `ExpiryReport${suffix}`, {
      description: "Report the Momento key's days to expiry",
      schedule: Schedule.rate(Duration.hours(12)),
      targets: [new LambdaFunction(this.function, { event: RuleTargetInput.fromObject({ Action: 'ReportKeyExpiry', SecretId: secretIdOf(secret) }), retryAttempts: 2 })],
    });
    // One report before the alarms exist (src/deploy/): the missing-report alarm counts missing data as breaching.
    // No resourceType: AWS::CloudFormation::CustomResource, as template.yaml's (the one the Serverless Application Repository accepts).
    const report = new CustomResource(this, `DeployTimeReport${suffix}`, {
      serviceToken: this.function.functionArn,
      properties: { SecretId: secretIdOf(secret) },
    });
    // Seconds CloudFormation waits for the answer (template.yaml's), as the integer that type's
    // schema wants: CDK's serviceTimeout writes a string, which its own validation warns of.
    (report.node.defaultChild as CfnResource).addPropertyOverride('ServiceTimeout', 600);
    this.reports.push(report);
    // As template.yaml: the report and the first rotation never overlap, and a secret the function
    // cannot read fails the deploy before any rotation starts. On stack delete the schedule goes
    // first, so no rotation mints while the report's Delete revokes the secret's minted keys.
    schedule.node.addDependency(report);
    // A fresh stack reports before any alarm exists (as template.yaml's DependsOn).
    for (const alarm of this.functionAlarms) alarm.node.addDependency(report);
    this.createSecretAlarms(secretId, suffix, report);
  }

  /** kms:DescribeKey on this key too, once (template.yaml's DescribeTheKmsKeys). */
  private describeKey(key: IKey): void {
    if (this.describeKeysStatement.resources.includes(key.keyArn)) return;
    this.describeKeysStatement.addResources(key.keyArn);
    if (this.describeKeysStatement.resources.length === 1) this.role.addToPolicy(this.describeKeysStatement);
  }

  /** A metric of the function's: under `service` alone, or also per secret (the dimension sets src/observability/metrics.ts publishes). */
  private metric(metricName: string, statistic: string, period: Duration, secretId?: string): Metric {
    const dimensionsMap = { service: Stack.of(this).stackName, ...(secretId === undefined ? {} : { [SECRET_DIMENSION]: secretId }) };
    return new Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap, statistic, period });
  }

  /** The alarms on the function as a whole, as template.yaml's RotationFailureAlarm, RevocationFailureAlarm and RevocationPostponedAlarm. */
  private createFunctionAlarms(): void {
    const { GREATER_THAN_OR_EQUAL_TO_THRESHOLD: atLeast } = ComparisonOperator;
    this.functionAlarms = [
      new Alarm(this, 'RotationFailureAlarm', {
        alarmDescription: "A rotation step (or the expiry report) failed. Secrets Manager retries failed rotations; see the function's logs.",
        metric: this.function.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }),
        threshold: 1, evaluationPeriods: 1, comparisonOperator: atLeast, treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      // Every secret's failures together: the logs name the secret and the key id.
      new Alarm(this, 'RevocationFailureAlarm', {
        alarmDescription: "A retired Momento key could not be revoked; it is retried. The function's logs name the secret and the key id.",
        metric: this.metric('RevocationFailed', 'Sum', Duration.hours(1)),
        threshold: 1, evaluationPeriods: 1, comparisonOperator: atLeast, treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      // A replica not InSync postpones revocations; one stuck in Failed would postpone them for good.
      new Alarm(this, 'RevocationPostponedAlarm', {
        alarmDescription:
          'Retired Momento keys have waited two days to be revoked: the keys stay valid meanwhile. Either a replica of the secret is not InSync ' +
          "(fix its ReplicationStatus; for a replica with its own KMS key, pass replicaKmsKeys; the logs name the key ids, postponedKeyIds), " +
          'or Momento\'s listing does not show the secret\'s keys by their ids (the logs say "key ids cannot be matched").',
        metric: this.metric('RevocationPostponed', 'Sum', Duration.days(1)),
        threshold: 1, evaluationPeriods: 2, datapointsToAlarm: 2, comparisonOperator: atLeast, treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const alarm of this.functionAlarms) {
      if (this.alarmAction) alarm.addAlarmAction(this.alarmAction);
      for (const report of this.reports) alarm.node.addDependency(report);
    }
  }

  /**
   * This secret's expiry alarms, as template.yaml's KeyExpiryAlarm and ExpiryReportMissingAlarm:
   * on its own metrics (one secret's missing report must not hide behind another's), created after
   * its deploy-time report (the missing-report alarm counts missing data as breaching).
   */
  private createSecretAlarms(secretId: string, suffix: string, report: CustomResource): void {
    const { LESS_THAN_THRESHOLD: below } = ComparisonOperator;
    const alarms = [
      new Alarm(this, `KeyExpiryAlarm${suffix}`, {
        alarmDescription: `The Momento key in ${secretId} expires soon: check that rotation runs (status, rotate) or store a new key from the console.`,
        metric: this.metric('DaysToExpiry', 'Minimum', Duration.days(1), secretId),
        threshold: this.props.expiryWarningDays ?? 10, evaluationPeriods: 1, comparisonOperator: below, treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, `ExpiryReportMissingAlarm${suffix}`, {
        alarmDescription: `No expiry report for the Momento key in ${secretId} arrived for a day: the function or its schedule stopped.`,
        metric: this.metric('ExpiryReported', 'Sum', Duration.days(1), secretId),
        threshold: 1, evaluationPeriods: 1, comparisonOperator: below, treatMissingData: TreatMissingData.BREACHING,
      }),
    ];
    for (const alarm of alarms) {
      alarm.node.addDependency(report);
      if (this.alarmAction) {
        alarm.addAlarmAction(this.alarmAction);
        alarm.addOkAction(this.alarmAction);
      }
    }
  }
}

/**
 * The dashboard template.yaml's Dashboard shows (the parity test compares the two): the metrics
 * src/observability/metrics.ts emits, with the `service` dimension Powertools adds (the stack
 * name), the days to expiry and the expiry reports per secret (the lines the alarms watch), and
 * the failed-step log lines of src/handler.ts, by the error's name only.
 */
function dashboardBody(p: { stackName: string; region: string; secretIds: readonly string[]; logGroupName: string; expiryWarningDays: number }): unknown {
  const { stackName, region } = p;
  const metric = (name: string, label: string, step?: string): unknown[] => [METRICS_NAMESPACE, name, 'service', stackName, ...(step ? ['Step', step] : []), { label }];
  const perSecret = (name: string) => p.secretIds.map((id) => [METRICS_NAMESPACE, name, 'service', stackName, SECRET_DIMENSION, id, { label: id }]);
  const graph = (layout: { x: number; y: number; width: number; height: number }, title: string, stat: string, period: number, metrics: unknown[][], threshold?: { label: string; value: number }) => ({
    type: 'metric',
    ...layout,
    properties: {
      title,
      view: 'timeSeries',
      region,
      stat,
      period,
      metrics,
      ...(threshold ? { annotations: { horizontal: [threshold] } } : {}),
      yAxis: { left: { min: 0 } },
    },
  });
  const steps = (name: string, all: string) => [...STEPS.map((step) => metric(name, step, step)), metric(name, all)];
  return {
    start: '-P14D',
    widgets: [
      {
        type: 'text', x: 0, y: 0, width: 24, height: 2,
        properties: {
          markdown: `## Momento key rotation: ${stackName}\nRotates ${p.secretIds.map((id) => `\`${id}\``).join(', ')}. The function never logs a key: the failed steps below show the error's name; its message is in the function's log group.`,
        },
      },
      graph({ x: 0, y: 2, width: 12, height: 6 }, 'Days until the current key expires, per secret', 'Minimum', 43200,
        perSecret('DaysToExpiry'), { label: 'expiry alarm below', value: p.expiryWarningDays }),
      graph({ x: 12, y: 2, width: 12, height: 6 }, 'Expiry reports per day, per secret', 'Sum', 86400,
        perSecret('ExpiryReported'), { label: 'missing-report alarm below', value: 1 }),
      graph({ x: 0, y: 8, width: 12, height: 6 }, 'Rotation steps succeeded, by step', 'Sum', 3600, steps('StepSucceeded', 'all steps')),
      graph({ x: 12, y: 8, width: 12, height: 6 }, 'Rotation steps failed, by step', 'Sum', 3600, steps('StepFailed', 'all steps, and malformed events')),
      graph({ x: 0, y: 14, width: 8, height: 8 }, 'Retired keys (v2 keys)', 'Sum', 3600, [
        metric('KeysRevoked', 'revoked'),
        metric('RevocationFailed', 'revocation failed (retried)'),
        metric('RetiredKeyNotRevoked', 'left valid on purpose (logged with its key id)'),
        metric('RevocationPostponed', 'postponed: a replica not InSync (retried)'),
      ]),
      {
        type: 'log', x: 8, y: 14, width: 16, height: 8,
        properties: {
          title: "Last failed steps (the error's name; its message is in the log group)",
          region,
          view: 'table',
          query: `SOURCE '${p.logGroupName}' | fields @timestamp, step, action, secretId, error.name | filter level = 'ERROR' and message = 'Step failed' | sort @timestamp desc | limit 50`,
        },
      },
    ],
  };
}

/** A Duration as Secrets Manager's rate(): whole hours from 4 to 23, or whole days up to 1000; a string passes as it is. */
export function scheduleExpression(schedule: Duration | string): string {
  if (typeof schedule === 'string') return schedule;
  const hours = schedule.toHours({ integral: false });
  if (Number.isInteger(hours) && hours >= 4 && hours <= 23) return `rate(${hours} hours)`;
  const days = schedule.toDays({ integral: false });
  if (Number.isInteger(days) && days >= 1 && days <= 1000) return days === 1 ? 'rate(1 day)' : `rate(${days} days)`;
  throw new Error(`schedule must be whole hours from 4 to 23, or whole days from 1 to 1000, got ${schedule.toHumanString()}`);
}
