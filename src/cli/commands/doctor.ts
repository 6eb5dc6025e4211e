import { DescribeRouteTablesCommand, DescribeVpcEndpointsCommand, type EC2Client, type RouteTable } from '@aws-sdk/client-ec2';
import { SimulatePrincipalPolicyCommand, type ContextEntry, type IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionCommand, GetPolicyCommand, type FunctionConfiguration, type LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeSecretCommand, GetSecretValueCommand, ListSecretVersionIdsCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  EXPECTED_RUNTIME,
  exitCodeFor,
  fail,
  invokePermissionCheck,
  isAwsServiceEndpoint,
  kmsPermissionsCheck,
  managementRoleChecks,
  migrationCheck,
  notChecked,
  ok,
  permissionsCheck,
  rotationWindowMs,
  scheduleCheck,
  secretCheck,
  stuckCheck,
  vpcCheck,
  warn,
  type Check,
  type KeyFacts,
  type KmsKeyUse,
  type Migration,
  type SimulatedPermission,
  type VpcFacts,
} from '../../doctor/checks.js';
import { inspectApiKey } from '../../momento/api-key.js';
import { probeVerdict } from '../../momento/key-checks.js';
import type { KeyInfo, RoleInfo } from '../../momento/key-management.js';
import type { MomentoApi } from '../../momento/momento-api.js';
import { rememberSecret, scrub } from '../../observability/redact.js';
import { parseMintedKeyDescription } from '../../rotation/strategies/mint-v2.js';
import { parseKeyFile } from '../../secret/key-file.js';
import { CliError, explainAwsError } from '../errors.js';
import { inspectSecret, momentoKeysReport, secretReportFrom, type SecretReport, type VersionReport } from '../inspect-secret.js';
import { keyApiAccess, type KeyApiAccess } from '../key-api.js';
import type { Output } from '../output.js';
import { revokeCommand, awsFlagsText, type AwsFlags } from './revoke.js';
import { mintedByFor } from './status.js';

/** What doctor reads from. Every call it makes through them is a read: Describe, Get, List, Simulate. */
export interface DoctorClients {
  readonly secretsManager: SecretsManagerClient;
  readonly lambda: LambdaClient;
  readonly iam: IAMClient;
  readonly ec2: EC2Client;
  /** Momento's data plane, for the same probe testSecret makes. */
  readonly momento: () => Promise<MomentoApi>;
}

export interface DoctorOptions {
  readonly secretId: string;
  /**
   * Used when the rotation function has no MOMENTO_MANAGEMENT_SECRET_ARN (or it cannot be read):
   * the function's own is what rotations use, so it is the one judged whenever it is set.
   */
  readonly managementSecretId?: string | undefined;
  readonly json: boolean;
  readonly aws: AwsFlags;
}

export interface DoctorReport {
  readonly secret: string;
  readonly arn: string | undefined;
  readonly checks: readonly Check[];
  readonly summary: Record<Check['verdict'], number>;
  readonly exitCode: 0 | 1;
}

/**
 * A read-only preflight of one secret's rotation: the secret and its key, the rotation
 * wiring (function, runtime, invoke permission, schedule), a stuck rotation, whether the key
 * authenticates, the management key and the v2 key at Momento, least privilege, the
 * function's IAM permissions and its VPC's routes. One line per check; exit 1 on any fail.
 */
export async function doctor(clients: DoctorClients, options: DoctorOptions, io: Output): Promise<DoctorReport> {
  const checks = await runChecks(clients, options);
  const summary = { ok: 0, warn: 0, fail: 0, 'not checked': 0 };
  for (const check of checks.list) summary[check.verdict]++;
  const report: DoctorReport = {
    secret: options.secretId,
    arn: checks.arn,
    checks: checks.list,
    summary,
    exitCode: exitCodeFor(checks.list) as 0 | 1,
  };
  if (options.json) io.out(scrub(JSON.stringify(report, null, 2)));
  else printChecks(report, io);
  return report;
}

const LABEL: Record<Check['verdict'], string> = { ok: 'ok', warn: 'WARN', fail: 'FAIL', 'not checked': '--' };

function printChecks(report: DoctorReport, io: Output): void {
  io.out(`doctor  ${report.arn ?? report.secret}`);
  const width = Math.max(...report.checks.map((c) => c.id.length));
  for (const check of report.checks) {
    const tail = check.fix === undefined ? '' : `  Fix: ${check.fix}`;
    const saw = check.verdict === 'not checked' ? `not checked: ${check.saw}` : check.saw;
    io.out(scrub(`${LABEL[check.verdict].padEnd(4)}  ${check.id.padEnd(width)}  ${saw}${tail}`));
  }
  const s = report.summary;
  io.out(`${s.ok} ok, ${s.warn} warn, ${s.fail} fail, ${s['not checked']} not checked`);
}

const errorName = (error: unknown) => String((error as { name?: unknown }).name ?? 'Error');
const firstLine = (error: unknown) => scrub(error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200);

async function runChecks(clients: DoctorClients, options: DoctorOptions): Promise<{ list: Check[]; arn: string | undefined }> {
  const { secretId, aws } = options;
  const flags = awsFlagsText(aws);
  const inspected = await inspectForDoctor(clients.secretsManager, secretId, aws);
  if ('verdict' in inspected) return { list: [inspected], arn: undefined };
  const { report, valueUnreadable } = inspected;
  const now = Date.now();
  const name = report.name;
  const list: Check[] = [];

  // What AWSCURRENT holds, and what the function will do with it (chooseStrategy).
  const currentVersion = report.versions.find((v) => v.versionId === report.currentVersionId);
  const stored = valueUnreadable === undefined ? await readCurrentKey(clients.secretsManager, report) : undefined;
  const current: KeyFacts | undefined = currentVersion;
  const fn = await rotationFunction(clients.lambda, report);
  const functionManagement = fn.state === 'found' ? fn.managementSecretArn : undefined;
  const v1File = current?.holds === 'key-file' && (current.kind === 'v1' || current.kind === 'legacy');
  const storesMigration = v1File && stored?.roleId !== undefined && stored.endpoint !== undefined;
  const migration: Migration | undefined = !storesMigration ? undefined : fn.state === 'found' ? (functionManagement !== undefined ? 'yes' : 'no') : 'unknown';
  const mints = valueUnreadable !== undefined ? undefined : current?.kind === 'v2' || migration === 'yes';

  // The management secret judged: the function's (what rotations use) whenever it is set.
  const given = options.managementSecretId;
  const managementId = functionManagement ?? given;
  const management =
    managementId === undefined
      ? undefined
      : {
          id: managementId,
          source: functionManagement !== undefined ? " (the function's MOMENTO_MANAGEMENT_SECRET_ARN)" : '',
          described: await describeQuietly(clients.secretsManager, managementId),
        };

  list.push(
    valueUnreadable !== undefined
      ? notChecked(
          'secret',
          `the caller may not read the value of AWSCURRENT${currentVersion ? ` (version ${currentVersion.versionId})` : ''} (${valueUnreadable}); ` +
            "every check that does not need it is made. To check it too, grant the caller secretsmanager:GetSecretValue on the secret and kms:Decrypt on its KMS key",
        )
      : secretCheck(current, { secretName: name, now, awsFlags: flags, managementSecretId: managementId, migration }),
  );
  if ((currentVersion?.conflicts ?? []).length > 0) {
    list.push(warn('stored-fields', `AWSCURRENT: ${currentVersion!.conflicts!.join(' ')}`, 'Import the key again, which stores what the key itself says.'));
  }

  // Rotation wiring.
  list.push(
    report.rotationEnabled
      ? ok('rotation', `Automatic rotation is on (${report.schedule ?? 'no schedule'}${report.window ? `, window ${report.window}` : ''}).`)
      : fail('rotation', 'Automatic rotation is off for this secret.', `Deploy the SAM application with SecretArn=${report.arn} (or the CDK construct); it turns rotation on.`),
  );
  list.push(...fn.checks);
  const managementCheck = functionManagementCheck(fn, { v2: current?.kind === 'v2', migration, valueUnreadable: valueUnreadable !== undefined });
  if (managementCheck !== undefined) list.push(managementCheck);
  if (given !== undefined && functionManagement !== undefined) {
    const givenArn = (await describeQuietly(clients.secretsManager, given)).arn ?? given;
    const functionArn = management?.described.arn ?? functionManagement;
    if (givenArn !== functionArn) {
      list.push(
        warn(
          'management-secret',
          `--management-secret-id ${given} is not the function's management secret ${functionManagement} (MOMENTO_MANAGEMENT_SECRET_ARN), which its rotations use: doctor checked the function's.`,
          `If rotations should use ${given}, deploy with ManagementSecretArn=${givenArn} (CDK: managementSecret); otherwise leave out --management-secret-id.`,
        ),
      );
    }
  }
  if (report.rotationEnabled) {
    list.push(
      scheduleCheck({
        validUntil: current?.validUntil,
        expiryUnknown: expiryUnknown(current, valueUnreadable),
        nextRotation: report.nextRotation,
        secretName: name,
        now,
        windowMs: rotationWindowMs({ ...(report.window ? { Duration: report.window } : {}), ...(report.schedule ? { ScheduleExpression: report.schedule } : {}) }),
        pending: report.pendingVersionId !== undefined,
        awsFlags: flags,
      }),
    );
  }
  const pending = report.versions.find((v) => v.versionId === report.pendingVersionId);
  list.push(stuckCheck({ pendingVersionId: report.pendingVersionId, pendingCreated: pending?.created, secretName: name, now }));

  // The key itself, at Momento.
  list.push(await keyWorksCheck(clients, stored, valueUnreadable, fn.testCacheName, name));
  list.push(
    ...(await momentoChecks(clients.secretsManager, {
      report,
      current,
      stored,
      management,
      migration,
      valueUnreadable: valueUnreadable !== undefined,
      functionUnreadable: fn.state === 'unreadable',
      aws,
      now,
    })),
  );

  // What the function's role may do, and where its network reaches.
  if (fn.state === 'found') {
    if (fn.roleArn !== undefined) {
      const functionsManagement = functionManagement === undefined ? undefined : { arn: management?.described.arn ?? functionManagement, kmsKeyId: management?.described.kmsKeyId, undescribed: management?.described.problem };
      list.push(...(await simulatePermissions(clients.iam, fn, report, functionsManagement)));
    }
    list.push(await vpcReach(clients.ec2, fn.vpc, mints, report.arn.split(':')[3] ?? ''));
  } else if (fn.state === 'unreadable') {
    list.push(notChecked('permissions', `${fn.unreadable}, so the function's role is unknown`));
    list.push(notChecked('vpc', `${fn.unreadable}, so whether the function is in a VPC is unknown`));
  }
  return { list, arn: report.arn };
}

/** Errors of GetSecretValue when the caller may not read or decrypt the value (Secrets Manager troubleshooting: "Access to KMS is not allowed"). */
const VALUE_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'DecryptionFailure']);

/**
 * The secret as `status` reads it; when the caller may describe it but not read its values
 * (a KMS key whose policy grants the function's role, not the operator), the description alone,
 * with the reason, so that every check not needing a value is still made.
 */
async function inspectForDoctor(client: SecretsManagerClient, secretId: string, aws: AwsFlags): Promise<{ report: SecretReport; valueUnreadable: string | undefined } | Check> {
  try {
    return { report: await inspectSecret(client, secretId), valueUnreadable: undefined };
  } catch (error) {
    if (VALUE_DENIED.has(errorName(error))) {
      const described = await describeOnly(client, secretId).catch(() => undefined);
      if (described !== undefined) return { report: described, valueUnreadable: `${errorName(error)}: ${firstLine(error)}` };
    }
    const known = explainAwsError(error, secretId);
    if (known === undefined || known.message.startsWith('No AWS')) throw known ?? error;
    const missing = errorName(error) === 'ResourceNotFoundException';
    return fail(
      'secret',
      known.message,
      missing
        ? `Create it with the key: echo -n "$KEY" | momento-secret-rotation import --secret-id ${secretId} --management-secret-id NAME${awsFlagsText(aws)}`
        : 'Grant the caller secretsmanager:DescribeSecret, ListSecretVersionIds and GetSecretValue on it (and kms:Decrypt on its key).',
    );
  }
}

/** inspectSecret without the values: DescribeSecret, and ListSecretVersionIds for the versions' ages where allowed. */
async function describeOnly(client: SecretsManagerClient, secretId: string): Promise<SecretReport> {
  const described = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
  const created = new Map<string, string | undefined>();
  try {
    const listed = await client.send(new ListSecretVersionIdsCommand({ SecretId: secretId, IncludeDeprecated: false }));
    for (const v of listed.Versions ?? []) created.set(v.VersionId ?? '', v.CreatedDate?.toISOString());
  } catch {
    // Ages unknown: the stuck check says so.
  }
  const versions: VersionReport[] = Object.entries(described.VersionIdsToStages ?? {})
    .filter(([, stages]) => stages.length > 0)
    .map(([versionId, stages]) => ({
      versionId,
      stages: [...stages].sort(),
      created: created.get(versionId),
      holds: 'no-value',
      fingerprint: undefined,
      validUntil: undefined,
      daysLeft: undefined,
      rotatesBy: undefined,
      refreshable: false,
      problem: 'a value the caller may not read',
    }));
  return { ...secretReportFrom(described, versions, secretId), warnings: [] };
}

/** A secret's ARN and KMS key, where the caller may describe it; otherwise why not. */
async function describeQuietly(client: SecretsManagerClient, secretId: string): Promise<{ arn?: string; kmsKeyId?: string; problem?: string }> {
  try {
    const described = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
    return { ...(described.ARN ? { arn: described.ARN } : {}), ...(described.KmsKeyId ? { kmsKeyId: described.KmsKeyId } : {}) };
  } catch (error) {
    return { problem: `${errorName(error)}: ${firstLine(error)}` };
  }
}

/** AWSCURRENT's key, read as the function reads it (its id and expiry are in the version's description). */
interface StoredKey {
  readonly apiKey: string;
  readonly kind: 'v1' | 'legacy' | 'v2' | 'unrecognised';
  /** The key alone, not a key file. */
  readonly bare: boolean;
  readonly endpoint: string | undefined;
  readonly roleId: string | undefined;
}

async function readCurrentKey(client: SecretsManagerClient, report: SecretReport): Promise<StoredKey | undefined> {
  const current = report.versions.find((v) => v.versionId === report.currentVersionId);
  if (current?.holds !== 'key-file' && current?.holds !== 'bare-key') return undefined;
  const value = await client.send(new GetSecretValueCommand({ SecretId: report.arn, VersionId: current.versionId }));
  rememberSecret(value.SecretString);
  const text = value.SecretString ?? '';
  if (current.holds === 'bare-key') {
    const apiKey = text.trim();
    rememberSecret(apiKey);
    return { apiKey, kind: inspectApiKey(apiKey).kind, bare: true, endpoint: undefined, roleId: undefined };
  }
  const parsed = parseKeyFile(text);
  if (!parsed.ok) return undefined;
  rememberSecret(parsed.file.apiKey);
  rememberSecret(parsed.file.refreshToken);
  return {
    apiKey: parsed.file.apiKey,
    kind: inspectApiKey(parsed.file.apiKey).kind,
    bare: false,
    endpoint: parsed.file.endpoint,
    roleId: parsed.file.roleId,
  };
}

/** Why AWSCURRENT's expiry is not known, when it is not (never "does not expire" by default). */
function expiryUnknown(current: KeyFacts | undefined, valueUnreadable: string | undefined): string | undefined {
  if (valueUnreadable !== undefined) return 'the caller may not read the AWSCURRENT key';
  if (current === undefined || current.holds === 'other' || current.holds === 'no-value') return 'AWSCURRENT holds no key';
  if (current.holds === 'bare-key' && current.kind !== 'v2') return 'AWSCURRENT holds a bare key, without the validUntil a key file stores';
  return undefined;
}

interface FunctionFacts {
  /** none: no RotationLambdaARN; missing: it does not exist; unreadable: lambda:GetFunction failed otherwise. */
  readonly state: 'none' | 'missing' | 'unreadable' | 'found';
  readonly checks: readonly Check[];
  readonly name: string;
  /** Why GetFunction failed (state unreadable). */
  readonly unreadable?: string;
  readonly roleArn?: string | undefined;
  readonly managementSecretArn?: string | undefined;
  readonly testCacheName?: string | undefined;
  readonly vpc?: { vpcId: string; subnetIds: readonly string[] } | undefined;
}

/** A function ARN's name and qualifier (alias or version): arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]. */
function functionArnParts(arn: string): { name: string; unqualified: string; qualifier: string | undefined } {
  const parts = arn.split(':');
  if (parts[0] === 'arn' && parts[5] === 'function' && parts[6]) return { name: parts[6], unqualified: parts.slice(0, 7).join(':'), qualifier: parts[7] || undefined };
  return { name: arn, unqualified: arn, qualifier: undefined };
}

/** The rotation function: exists, runs the expected runtime, may be invoked by Secrets Manager for this secret. */
async function rotationFunction(lambda: LambdaClient, report: SecretReport): Promise<FunctionFacts> {
  const arn = report.rotationFunction;
  const deploy = `Deploy the SAM application with SecretArn=${report.arn} (sam deploy), or the CDK construct.`;
  if (arn === undefined) return { state: 'none', name: '', checks: [fail('function', 'No rotation function is configured for this secret.', deploy)] };
  const { name, unqualified, qualifier } = functionArnParts(arn);
  const checks: Check[] = [];
  let config: FunctionConfiguration | undefined;
  let unreadable: string | undefined;
  try {
    config = (await lambda.send(new GetFunctionCommand({ FunctionName: arn }))).Configuration ?? {};
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') {
      return { state: 'missing', name, checks: [fail('function', `The rotation function ${arn} does not exist: every rotation fails.`, deploy)] };
    }
    unreadable = `lambda:GetFunction on ${arn} failed (${errorName(error)}: ${firstLine(error)})`;
  }
  if (config !== undefined) {
    checks.push(ok('function', `The rotation function ${config.FunctionName ?? arn}${qualifier ? ` (${qualifier})` : ''} exists.`));
    checks.push(
      config.Runtime === EXPECTED_RUNTIME
        ? ok('runtime', `It runs ${EXPECTED_RUNTIME}.`)
        : fail('runtime', `It runs ${config.Runtime ?? 'no managed runtime'}, not ${EXPECTED_RUNTIME}, which the artifact is built and tested for.`, 'Deploy the SAM application or the CDK construct of this release, which set the runtime.'),
    );
  } else {
    checks.push(notChecked('function', unreadable!));
    checks.push(notChecked('runtime', `${unreadable}, so its runtime is unknown`));
  }
  // GetPolicy needs no GetFunction; the alias or version Secrets Manager invokes has its own policy.
  const functionName = config?.FunctionName ?? name;
  const input = { functionName, qualifier, account: report.arn.split(':')[4] ?? '', secretArn: report.arn };
  try {
    const policy = await lambda.send(new GetPolicyCommand({ FunctionName: unqualified, ...(qualifier ? { Qualifier: qualifier } : {}) }));
    checks.push(invokePermissionCheck(policy.Policy, input));
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') checks.push(invokePermissionCheck(undefined, input));
    else checks.push(notChecked('invoke-permission', `lambda:GetPolicy failed (${errorName(error)})`));
  }
  if (config === undefined) return { state: 'unreadable', name: functionName, checks, unreadable: unreadable! };
  const env = config.Environment?.Variables ?? {};
  const subnetIds = config.VpcConfig?.SubnetIds ?? [];
  return {
    state: 'found',
    name: functionName,
    checks,
    roleArn: config.Role,
    // As the function reads it (src/config.ts).
    managementSecretArn: env.MOMENTO_MANAGEMENT_SECRET_ARN?.trim() || undefined,
    testCacheName: env.MOMENTO_TEST_CACHE_NAME?.trim() || undefined,
    vpc: subnetIds.length > 0 && config.VpcConfig?.VpcId ? { vpcId: config.VpcConfig.VpcId, subnetIds } : undefined,
  };
}

/** The function has the management secret its rotations mint with: a v2 key, or a v1 key being migrated. */
function functionManagementCheck(fn: FunctionFacts, input: { v2: boolean; migration: Migration | undefined; valueUnreadable: boolean }): Check | undefined {
  const id = 'function-management-secret';
  const deploy = "Deploy with ManagementSecretArn=<the management secret's ARN> (CDK: managementSecret).";
  const relevant = input.v2 || input.migration !== undefined || input.valueUnreadable;
  if (!relevant) return undefined;
  if (fn.state === 'unreadable') return notChecked(id, `${fn.unreadable}, so whether it has a management secret is unknown`);
  if (fn.state !== 'found') return undefined;
  const has = fn.managementSecretArn;
  if (input.v2) {
    return has !== undefined
      ? ok(id, `The function mints with the management key in ${has}.`)
      : fail(id, 'The secret holds a v2 key, and the function has no management secret to mint its successor with: rotations fail at createSecret.', deploy);
  }
  if (input.migration === 'yes') return ok(id, `The function mints with the management key in ${has}: the next rotation migrates this v1 key to v2.`);
  if (input.migration === 'no') {
    return warn(
      id,
      'AWSCURRENT stores a role and an endpoint for a migration to v2 (`migrate`), but the function has no management secret: it keeps refreshing the v1 key.',
      `To migrate: ${deploy} To stay on v1, nothing.`,
    );
  }
  return has !== undefined
    ? ok(id, `The function has a management secret, ${has}, for v2 keys.`)
    : notChecked(id, 'the function has no management secret, which a v2 key needs; whether this secret holds one is unknown, as its value could not be read');
}

/** The AWSCURRENT key authenticates, through the probe testSecret makes (listCaches, or get in the test cache). */
async function keyWorksCheck(clients: DoctorClients, stored: StoredKey | undefined, valueUnreadable: string | undefined, testCacheName: string | undefined, secretName: string): Promise<Check> {
  const id = 'key-works';
  if (valueUnreadable !== undefined) return notChecked(id, 'the caller may not read the AWSCURRENT key');
  if (stored === undefined || stored.kind === 'unrecognised') return notChecked(id, 'AWSCURRENT holds no Momento key to try');
  if (stored.kind === 'v2' && stored.bare) return notChecked(id, 'AWSCURRENT holds a bare v2 key, which stores no endpoint to try it at (importing it stores one)');
  if (stored.kind === 'v2' && stored.endpoint === undefined) return notChecked(id, 'the v2 key has no endpoint to try it at');
  const momento = await clients.momento();
  const outcome = await momento.probeApiKey(stored.apiKey, testCacheName, stored.kind === 'v2' ? stored.endpoint : undefined);
  const at = stored.kind === 'v2' ? ` at ${stored.endpoint}` : '';
  if (outcome.ok) return ok(id, `The AWSCURRENT key authenticates${at} (${outcome.call}).`);
  switch (probeVerdict(outcome)) {
    case 'authenticated':
      return ok(id, `The AWSCURRENT key authenticates${at} (Momento answered ${outcome.code}, which only a valid key gets).`);
    case 'rejected':
      return fail(
        id,
        `Momento rejects the AWSCURRENT key${at} (${outcome.code}): applications reading this secret cannot authenticate.`,
        stored.kind === 'v2'
          ? `Rotate now, which mints a new key with the management key: momento-secret-rotation rotate --secret-id ${secretName}`
          : `Generate a new key in the Momento console and import it: momento-secret-rotation import --secret-id ${secretName} --file momento_token.info.json`,
      );
    default:
      return warn(id, `Could not tell whether the AWSCURRENT key works${at}: Momento answered ${outcome.code} (${scrub(outcome.message)}).`, 'Run doctor again; if it persists, check the endpoint and the network.');
  }
}

interface MomentoContext {
  readonly report: SecretReport;
  readonly current: KeyFacts | undefined;
  readonly stored: StoredKey | undefined;
  readonly management: { id: string; source: string } | undefined;
  readonly migration: Migration | undefined;
  readonly valueUnreadable: boolean;
  readonly functionUnreadable: boolean;
  readonly aws: AwsFlags;
  readonly now: number;
}

/**
 * At Momento, through the management key: it is valid and may manage keys; the secret's key is
 * live and its role exists (v2), or the role a migration mints with exists (v1 being migrated);
 * no minted key is left over.
 */
async function momentoChecks(client: SecretsManagerClient, ctx: MomentoContext): Promise<Check[]> {
  const { report, current, management, migration, aws, now } = ctx;
  const flags = awsFlagsText(aws);
  const v2Anywhere = report.versions.some((v) => v.kind === 'v2') || current?.kind === 'v2';
  const mintsHere = v2Anywhere || migration === 'yes' || migration === 'unknown';
  if (management === undefined) {
    if (!mintsHere && !ctx.valueUnreadable) return [];
    return [
      notChecked(
        'management-key',
        ctx.functionUnreadable
          ? "no management secret: the function's configuration could not be read; pass --management-secret-id"
          : 'no management secret: pass --management-secret-id, or configure the function with one',
      ),
    ];
  }
  const { id: managementSecretId, source } = management;
  let access: KeyApiAccess;
  try {
    access = await keyApiAccess(client, managementSecretId);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    // The caller may be denied what the function's role may read: that is not a fault of the setup.
    if (/^The management secret: Access denied/.test(error.message)) return [notChecked('management-key', `${managementSecretId}${source}: ${error.message}`)];
    return [fail('management-key', `${managementSecretId}${source}: ${error.message}`, `Store a v2 management key in ${managementSecretId}, bare or as {"apiKey": "<key>"}.`)];
  }
  const deadline = () => Date.now() + 60_000;
  let listed: readonly KeyInfo[];
  try {
    listed = await access.api.list(access.managementKey, deadline());
  } catch (error) {
    return [keyApiFailureCheck(error, managementSecretId, source, 'list keys')];
  }
  let roles: readonly RoleInfo[];
  try {
    roles = await access.api.listRoles(access.managementKey, deadline());
  } catch (error) {
    return [keyApiFailureCheck(error, managementSecretId, source, 'list roles')];
  }
  const checks: Check[] = [];
  const live = (k: KeyInfo) => k.expiresAt === undefined || k.expiresAt * 1000 > now;
  const own = access.managementKeyId === undefined ? undefined : listed.find((k) => k.keyId === access.managementKeyId);
  checks.push(
    own !== undefined && live(own)
      ? ok('management-key', `The management key in ${managementSecretId}${source} is valid (key id ${own.keyId}, ${own.expiresAt === undefined ? 'never expires' : `valid until ${new Date(own.expiresAt * 1000).toISOString()}`}).`)
      : own !== undefined
        ? warn('management-key', `The management key in ${managementSecretId}${source} authenticates, but Momento's listing gives key id ${own.keyId} an expiry of ${new Date(own.expiresAt! * 1000).toISOString()}, which has passed by this machine's clock.`, `Store a new management key in ${managementSecretId}: create one with the key-management role in the Momento console.`)
        : warn('management-key', `The management key in ${managementSecretId}${source} authenticates, but its key id ${access.managementKeyId ?? '(none: no jti claim)'} is not in Momento's listing.`, 'Store a management key minted in this account, with a key id.'),
  );
  const ownRoleId = own?.roleId;
  checks.push(...managementRoleChecks(roles.find((r) => r.roleId === ownRoleId), { roleId: ownRoleId, managementSecretId, keyIdMissing: access.managementKeyId === undefined }));
  if (ctx.valueUnreadable) {
    const why = "the caller may not read the secret's values, so its keys are not known";
    return [...checks, notChecked('application-key', why), notChecked('leftover-keys', why)];
  }

  if (migration === 'yes' || migration === 'unknown') {
    const check = migrationCheck(ctx.stored?.roleId, roles, { secretName: report.name, managementSecretId, awsFlags: flags });
    checks.push(
      migration === 'yes' || check.verdict === 'ok'
        ? check
        : warn(check.id, `If the function has a management secret (its configuration could not be read): ${check.saw}`, check.fix!),
    );
  }
  if (!v2Anywhere && migration !== 'yes') return checks;

  // The application key, and the keys minted for this secret.
  const momento = momentoKeysReport(report, listed, mintedByFor(report.arn), now, access.managementKeyId);
  if (current?.kind === 'v2' && current.keyId !== undefined) {
    const bare = current.holds === 'bare-key';
    const listing = listed.find((k) => k.keyId === current.keyId);
    const role = roles.find((r) => r.roleId === current.roleId);
    const minted = listing === undefined ? undefined : parseMintedKeyDescription(listing.description);
    const ownTag = mintedByFor(report.arn);
    const rotate = `momento-secret-rotation rotate --secret-id ${report.name}${flags}`;
    const importAgain = `echo -n "$KEY" | momento-secret-rotation import --secret-id ${report.name} --management-secret-id ${managementSecretId}${flags}`;
    if (listing === undefined || !live(listing)) {
      checks.push(fail('application-key', `EMERGENCY: the AWSCURRENT key (key id ${current.keyId}) is revoked or expired at Momento: applications reading this secret cannot authenticate.`, `Rotate now: ${rotate}`));
    } else if (minted !== undefined && ownTag(listing.description)?.forThisSecret === false) {
      checks.push(
        fail(
          'application-key',
          `The AWSCURRENT key (key id ${current.keyId}) was minted for another secret (tag ${minted.secretTag}): a copy, or a promoted replica.`,
          `Rotate this secret now: its key belongs to ${otherSecretName(listing.description)} and will be revoked when that secret rotates it out. ${rotate}`,
        ),
      );
    } else if (bare) {
      // The secret check already fails a bare key: import stores its role, read from this listing.
      checks.push(ok('application-key', `The AWSCURRENT key (key id ${current.keyId}) is live at Momento, with role ${listing.roleId}.`));
    } else if (role === undefined) {
      checks.push(
        fail(
          'application-key',
          `The AWSCURRENT key's role ${current.roleId ?? '(none stored)'} is not among the account's roles: the next mint fails (404). Roles (name → id): ${roles.map((r) => `${r.roleName} → ${r.roleId}`).join(', ')}.`,
          `Store the id of an existing role: create a key with that role in the Momento console and import it (${importAgain}).`,
        ),
      );
    } else if (listing.roleId !== current.roleId) {
      checks.push(warn('application-key', `The secret stores role ${current.roleId}, but Momento lists key ${current.keyId} with role ${listing.roleId}: its successor gets ${current.roleId}.`, `Import the key again, which reads its role from Momento: ${importAgain}`));
    } else {
      checks.push(ok('application-key', `The AWSCURRENT key (key id ${current.keyId}) is live at Momento, with role ${role.roleName || '(no name)'} (${role.roleId}).`));
    }
  }
  checks.push(
    momento.leftovers.length === 0
      ? ok('leftover-keys', 'No key minted for this secret is left unstored.')
      : fail(
          'leftover-keys',
          `Minted for this secret, held by no version (a rotation stopped between minting and storing): ${momento.leftovers.map((k) => `key ${k.keyId} (for version ${k.mintedForVersion})`).join(', ')}. The next finishSecret or expiry report revokes them.`,
          `To revoke them now: ${momento.leftovers.map((k) => revokeCommand(k.keyId, managementSecretId, aws)).join(' ; ')}`,
        ),
  );
  if (momento.retiredNotRevoked.length > 0) {
    checks.push(
      warn(
        'retired-keys',
        `Left this secret and still valid at Momento (the function does not revoke them: imported, or another secret's): ${momento.retiredNotRevoked.map((k) => `key ${k.keyId}`).join(', ')}.`,
        `Once no application uses them: ${momento.retiredNotRevoked.map((k) => revokeCommand(k.keyId, managementSecretId, aws)).join(' ; ')}`,
      ),
    );
  }
  return checks;
}

/** The secret a minted key's description names (mintedKeyDescription: prefix, tag, name, version). */
function otherSecretName(description: string): string {
  return /^\S+ \S+ (\S+) version /.exec(description)?.[1] ?? 'another secret';
}

function keyApiFailureCheck(error: unknown, managementSecretId: string, source: string, what: string): Check {
  const failure = (error as { failure?: string }).failure;
  const fixKey = `Store a valid key whose role grants auth_management read, write and list in ${managementSecretId} (docs/secret-format.md, "The management key").`;
  if (failure === 'unauthorized') return fail('management-key', `Momento rejects the management key in ${managementSecretId}${source}: invalid, revoked or expired.`, fixKey);
  if (failure === 'forbidden') return fail('management-role', `The management key in ${managementSecretId}${source} may not ${what} (403).`, fixKey);
  return warn('management-key', `Could not ${what} at Momento with the management key: ${scrub((error as Error).message)}.`, 'Run doctor again; if it persists, check MOMENTO_API_KEYS_URL and the network.');
}

/** The AWS managed key, whose key policy lets every principal of the account use it through Secrets Manager: nothing to check. */
const isAwsManagedKey = (keyId: string) => keyId === 'alias/aws/secretsmanager' || keyId.endsWith(':alias/aws/secretsmanager');

/** A KMS key as DescribeSecret names it (key ARN, key id, or alias), as a key ARN where it can be. */
function kmsKeyArn(keyId: string, secretArn: string): { arn: string; account: string } | undefined {
  if (/^arn:[^:]+:kms:[^:]*:\d{12}:key\//.test(keyId)) return { arn: keyId, account: keyId.split(':')[4]! };
  if (/^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/i.test(keyId)) {
    const [, partition, , region, account] = secretArn.split(':');
    return { arn: `arn:${partition}:kms:${region}:${account}:key/${keyId}`, account: account! };
  }
  return undefined;
}

interface SimulationRequest {
  readonly actions: string[];
  readonly resource: string;
  readonly context?: ContextEntry[];
  /** For a KMS key: whose, as named. */
  readonly kms?: { of: string; key: string; account: string };
}

/**
 * iam:SimulatePrincipalPolicy for the function's role: describe, read, write and stage the
 * secret; read the management key; use their customer-managed KMS keys, with the context
 * Secrets Manager's calls carry (kms:ViaService, the encryption context naming the secret),
 * which the template's KMS statements require.
 */
async function simulatePermissions(
  iam: IAMClient,
  fn: FunctionFacts,
  report: SecretReport,
  management: { arn: string; kmsKeyId: string | undefined; undescribed: string | undefined } | undefined,
): Promise<Check[]> {
  const roleArn = fn.roleArn!;
  const requests: SimulationRequest[] = [
    { actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'], resource: report.arn },
  ];
  // What could not be simulated is said, never passed over: an unanswered action is not an allowed one.
  const unanswered: string[] = [];
  const unansweredKms: string[] = [];
  const undescribed = management?.undescribed === undefined ? '' : ` (the caller may not describe it: ${management.undescribed})`;
  if (management?.arn.startsWith('arn:')) requests.push({ actions: ['secretsmanager:GetSecretValue'], resource: management.arn });
  else if (management !== undefined) unanswered.push(`secretsmanager:GetSecretValue on the management secret ${management.arn}, whose ARN is not known${undescribed}`);
  const unresolved: KmsKeyUse[] = [];
  if (management?.undescribed !== undefined) unansweredKms.push(`the management secret's KMS key, which is not known${undescribed}`);
  const kmsKey = (of: string, keyId: string | undefined, secretArn: string, actions: string[]) => {
    if (keyId === undefined || isAwsManagedKey(keyId)) return;
    const key = kmsKeyArn(keyId, secretArn);
    if (key === undefined) {
      unresolved.push({ of, key: keyId, keyAccount: undefined, results: [] });
      return;
    }
    const region = secretArn.split(':')[3];
    const context: ContextEntry[] = [
      { ContextKeyName: 'kms:ViaService', ContextKeyValues: [`secretsmanager.${region}.amazonaws.com`], ContextKeyType: 'string' },
      { ContextKeyName: 'kms:EncryptionContext:SecretARN', ContextKeyValues: [secretArn], ContextKeyType: 'string' },
    ];
    requests.push({ actions, resource: key.arn, context, kms: { of, key: key.arn, account: key.account } });
  };
  kmsKey("the secret's", report.kmsKeyId, report.arn, ['kms:Decrypt', 'kms:GenerateDataKey']);
  if (management?.arn.startsWith('arn:')) kmsKey("the management secret's", management.kmsKeyId, management.arn, ['kms:Decrypt']);
  const usesKms = requests.some((r) => r.kms !== undefined) || unresolved.length > 0 || unansweredKms.length > 0;

  const permissions: SimulatedPermission[] = [];
  const kms: KmsKeyUse[] = [...unresolved];
  try {
    for (const request of requests) {
      const out = await iam.send(
        new SimulatePrincipalPolicyCommand({ PolicySourceArn: roleArn, ActionNames: request.actions, ResourceArns: [request.resource], ...(request.context ? { ContextEntries: request.context } : {}) }),
      );
      const results = (out.EvaluationResults ?? []).map((r) => ({ action: r.EvalActionName ?? '?', resource: r.EvalResourceName ?? request.resource, decision: r.EvalDecision ?? 'unknown' }));
      // IAM answers one result per action asked; an action it did not answer for is not known.
      const missing = request.actions.filter((action) => !results.some((r) => r.action === action));
      if (missing.length > 0) (request.kms !== undefined ? unansweredKms : unanswered).push(`${missing.join(', ')} on ${request.resource}`);
      if (request.kms !== undefined) kms.push({ of: request.kms.of, key: request.kms.key, keyAccount: request.kms.account, results });
      else permissions.push(...results);
    }
  } catch (error) {
    const name = errorName(error);
    if (name === 'NoSuchEntity' || name === 'NoSuchEntityException') {
      return [
        fail(
          'permissions',
          `The function's role ${roleArn} does not exist: Lambda cannot run the function, and every rotation fails.`,
          `Deploy the SAM application (or the CDK construct) again, which creates the role; or give the function an existing one: aws lambda update-function-configuration --function-name ${fn.name} --role ROLE_ARN`,
        ),
      ];
    }
    const why = /AccessDenied/.test(name)
      ? `the caller may not call iam:SimulatePrincipalPolicy on ${roleArn}, so the function's permissions cannot be simulated`
      : `iam:SimulatePrincipalPolicy on ${roleArn} failed (${name}: ${firstLine(error)})`;
    return [notChecked('permissions', why), ...(usesKms ? [notChecked('kms-permissions', why)] : [])];
  }
  const notKnown = (what: string[]) => `IAM's policy simulation for ${roleArn} gave no answer for ${what.join('; ')}, so the function's permissions are not known`;
  const checks = [unanswered.length > 0 ? notChecked('permissions', notKnown(unanswered)) : permissionsCheck(permissions, { roleArn })];
  const kmsCheck = unansweredKms.length > 0 ? notChecked('kms-permissions', notKnown(unansweredKms)) : kmsPermissionsCheck(kms, { roleArn, roleAccount: roleArn.split(':')[4] ?? '' });
  if (kmsCheck !== undefined) checks.push(kmsCheck);
  return checks;
}

/** For a function in a VPC: does each subnet route to the internet (NAT), and which endpoints does the VPC have? */
async function vpcReach(ec2: EC2Client, vpc: FunctionFacts['vpc'], mints: boolean | undefined, region: string): Promise<Check> {
  if (vpc === undefined) return vpcCheck(undefined, { mints, region });
  let facts: VpcFacts;
  try {
    // Each subnet's own route table, else its VPC's main one. The VPC id is read from the route
    // tables: GetFunction's VpcConfig.VpcId is the real one on AWS, but moto gives a placeholder.
    const own = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [...vpc.subnetIds] }] }))).RouteTables ?? [];
    const vpcId = own[0]?.VpcId ?? vpc.vpcId;
    const tableOf = (subnetId: string) => own.find((t) => t.Associations?.some((a) => a.SubnetId === subnetId));
    const main = vpc.subnetIds.every((id) => tableOf(id) !== undefined)
      ? undefined
      : ((await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'association.main', Values: ['true'] }] }))).RouteTables ?? [])[0];
    const endpoints = (await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).VpcEndpoints ?? [];
    const usable = endpoints.filter((e) => e.VpcEndpointType === 'Interface' && (e.State ?? '').toLowerCase() === 'available');
    facts = {
      vpcId,
      subnets: vpc.subnetIds.map((subnetId) => ({ subnetId, internet: routesToInternet(tableOf(subnetId) ?? main) })),
      secretsManagerEndpoint: usable.some((e) => e.ServiceName === `com.amazonaws.${region}.secretsmanager`),
      otherInterfaceEndpoints: usable.filter((e) => !isAwsServiceEndpoint(e.ServiceName ?? '')).map((e) => e.ServiceName ?? '?'),
    };
  } catch (error) {
    return notChecked('vpc', `the function is in ${vpc.vpcId}; ec2:DescribeRouteTables or DescribeVpcEndpoints failed (${errorName(error)}), so its routes are unknown`);
  }
  return vpcCheck(facts, { mints, region });
}

/**
 * A default route a Lambda ENI can use: through a NAT gateway, a NAT instance or a transit
 * gateway. An internet gateway alone does not serve Lambda: its ENIs have no public IP
 * (AWS Lambda developer guide, "Giving Lambda functions access to the internet").
 */
function routesToInternet(table: RouteTable | undefined): boolean {
  return (table?.Routes ?? []).some(
    (r) => r.DestinationCidrBlock === '0.0.0.0/0' && (r.State ?? 'active') === 'active' && (r.NatGatewayId !== undefined || r.InstanceId !== undefined || r.TransitGatewayId !== undefined),
  );
}
