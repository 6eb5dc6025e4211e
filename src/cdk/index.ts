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
 * rotation.addSecret(otherSecret, { schedule: 'cron(0 3 ? * MON *)' });
 * ```
 */
import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, CfnPermission, Code, Function as LambdaFn, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnRotationSchedule, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SecretRotationOptions {
  /** When to rotate: a Duration (whole hours from 4 to 23, or whole days up to 1000) or a rate()/cron() expression. Default 5 days. */
  readonly schedule?: Duration | string;
  /** The rotation window (1 to 24 hours); default Secrets Manager's (one hour for hours, the rest of the UTC day for days). */
  readonly rotationWindow?: Duration;
  /** Rotate when the schedule is created or changed. Default true. */
  readonly rotateImmediatelyOnUpdate?: boolean;
}

export interface MomentoKeyRotationProps extends SecretRotationOptions {
  /** The secret holding the Momento key (the function reads, stages and promotes its versions). */
  readonly secret: ISecret;
  /** v2 keys: the secret holding the management key, read only. */
  readonly managementSecret?: ISecret;
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

/** The artifact beside this file in the package: dist/lambda (the bundle the tests load). */
function shippedArtifact(): string {
  const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
  return join(here, 'lambda');
}

export class MomentoKeyRotation extends Construct {
  readonly function: LambdaFn;
  readonly role: Role;
  readonly logGroup: LogGroup;
  private readonly rotateStatement: PolicyStatement;
  private readonly kmsStatement: PolicyStatement;
  private readonly reports: CustomResource[] = [];
  private alarms: Alarm[] = [];
  private readonly permission: CfnPermission;
  private secrets = 0;

  constructor(scope: Construct, id: string, private readonly props: MomentoKeyRotationProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const lifetimeDays = props.keyLifetime?.toDays() ?? 30;
    if (!Number.isInteger(lifetimeDays) || lifetimeDays < 1 || lifetimeDays > 365) throw new Error('keyLifetime must be whole days from 1 to 365');

    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention ?? RetentionDays.THREE_MONTHS });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Rotates Momento key secrets; least privilege',
    });
    // Filled in by addSecret: exactly the secrets this construct rotates, and their KMS keys.
    this.rotateStatement = new PolicyStatement({
      sid: 'RotateTheSecret',
      actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
    });
    this.kmsStatement = new PolicyStatement({ sid: 'UseTheSecretsKmsKey', actions: ['kms:Decrypt', 'kms:GenerateDataKey'] });
    this.role.addToPolicy(this.rotateStatement);
    if (props.managementSecret) {
      this.role.addToPolicy(new PolicyStatement({ sid: 'ReadTheManagementKey', actions: ['secretsmanager:GetSecretValue'], resources: [arnForPolicies(props.managementSecret)] }));
      if (props.managementSecret.encryptionKey) {
        this.role.addToPolicy(new PolicyStatement({ sid: 'DecryptTheManagementKey', actions: ['kms:Decrypt'], resources: [props.managementSecret.encryptionKey.keyArn] }));
      }
      // A report's Delete revokes its secret's minted keys only when the stack itself is being deleted, which only the stack's status tells.
      this.role.addToPolicy(new PolicyStatement({ sid: 'ReadOwnStackStatus', actions: ['cloudformation:DescribeStacks'], resources: [stack.stackId] }));
    }
    // The deploy-time report waits until CloudWatch shows it; GetMetricData has no resource-level permissions.
    this.role.addToPolicy(new PolicyStatement({ sid: 'ReadOwnReportMetric', actions: ['cloudwatch:GetMetricData'], resources: ['*'] }));
    this.role.addToPolicy(new PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }));

    this.function = new LambdaFn(this, 'Function', {
      description: 'Rotates a Momento API key in Secrets Manager',
      code: props.code ?? Code.fromAsset(shippedArtifact()),
      handler: 'handler.handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      // As template.yaml: the worst cold step peaks at about 86 MB (README, "Benchmarks").
      memorySize: 160,
      // Outlasts the Momento SDK's fixed 60 s refresh deadline.
      timeout: Duration.seconds(120),
      role: this.role,
      logGroup: this.logGroup,
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
    // Secrets Manager may invoke the function, for this account only (no confused deputy).
    this.permission = new CfnPermission(this, 'SecretsManagerInvoke', {
      functionName: this.function.functionArn,
      action: 'lambda:InvokeFunction',
      principal: 'secretsmanager.amazonaws.com',
      sourceAccount: stack.account,
    });

    this.addSecret(props.secret, props);
    this.createAlarms();
  }

  /** Rotates another secret with the same function, on its own schedule. The role grants exactly the secrets added. */
  addSecret(secret: ISecret, options: SecretRotationOptions = {}): void {
    const n = this.secrets++;
    const suffix = n === 0 ? '' : String(n + 1);
    this.rotateStatement.addResources(arnForPolicies(secret));
    if (secret.encryptionKey) {
      this.kmsStatement.addResources(secret.encryptionKey.keyArn);
      if (this.kmsStatement.resources.length === 1) this.role.addToPolicy(this.kmsStatement);
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
    const report = new CustomResource(this, `InitialExpiryReport${suffix}`, {
      serviceToken: this.function.functionArn,
      resourceType: 'Custom::MomentoKeyExpiryReport',
      properties: { SecretId: secretIdOf(secret) },
      serviceTimeout: Duration.seconds(600),
    });
    this.reports.push(report);
    // As template.yaml: the report and the first rotation never overlap, and a secret the function
    // cannot read fails the deploy before any rotation starts. On stack delete the schedule goes
    // first, so no rotation mints while the report's Delete revokes the secret's minted keys.
    schedule.node.addDependency(report);
    // A fresh stack reports before any alarm exists (as template.yaml's DependsOn).
    for (const alarm of this.alarms) alarm.node.addDependency(report);
  }

  private createAlarms(): void {
    const service = { service: Stack.of(this).stackName };
    const metric = (metricName: string, statistic: string, period: Duration) =>
      new Metric({ namespace: 'MomentoSecretRotation', metricName, dimensionsMap: service, statistic, period });
    const action: IAlarmAction | undefined = this.props.alarmTopic ? new SnsAction(this.props.alarmTopic) : undefined;
    const { GREATER_THAN_OR_EQUAL_TO_THRESHOLD: atLeast, LESS_THAN_THRESHOLD: below } = ComparisonOperator;
    // The same four as template.yaml (the parity test compares them).
    const specs: [id: string, description: string, metric: Metric, threshold: number, operator: ComparisonOperator, missing: TreatMissingData][] = [
      ['RotationFailureAlarm', "A rotation step (or the expiry report) failed. Secrets Manager retries failed rotations; see the function's logs.",
        this.function.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }), 1, atLeast, TreatMissingData.NOT_BREACHING],
      ['RevocationFailureAlarm', "A retired Momento key could not be revoked; it is retried. The function's logs name the key id.",
        metric('RevocationFailed', 'Sum', Duration.hours(1)), 1, atLeast, TreatMissingData.NOT_BREACHING],
      ['KeyExpiryAlarm', 'A Momento key rotated here expires soon: check that rotation runs.',
        metric('DaysToExpiry', 'Minimum', Duration.days(1)), this.props.expiryWarningDays ?? 10, below, TreatMissingData.NOT_BREACHING],
      ['ExpiryReportMissingAlarm', 'No expiry report arrived for a day: the function or its schedule stopped.',
        metric('ExpiryReported', 'Sum', Duration.days(1)), 1, below, TreatMissingData.BREACHING],
    ];
    const alarms = specs.map(
      ([id, alarmDescription, alarmMetric, threshold, comparisonOperator, treatMissingData]) =>
        new Alarm(this, id, { alarmDescription, metric: alarmMetric, threshold, evaluationPeriods: 1, comparisonOperator, treatMissingData }),
    );
    for (const alarm of alarms) {
      if (action) alarm.addAlarmAction(action);
      for (const report of this.reports) alarm.node.addDependency(report);
    }
    this.alarms = alarms;
    if (action) for (const alarm of alarms.slice(2)) alarm.addOkAction(action);
  }
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
