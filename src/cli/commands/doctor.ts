import { DescribeRouteTablesCommand, DescribeVpcEndpointsCommand, type EC2Client, type RouteTable } from '@aws-sdk/client-ec2';
import { SimulatePrincipalPolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionCommand, GetPolicyCommand, type GetFunctionCommandOutput, type LambdaClient } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  EXPECTED_RUNTIME,
  exitCodeFor,
  fail,
  invokePermissionCheck,
  managementRoleChecks,
  notChecked,
  ok,
  permissionsCheck,
  scheduleCheck,
  secretCheck,
  stuckCheck,
  vpcCheck,
  warn,
  type Check,
  type SimulatedPermission,
  type VpcFacts,
} from '../../doctor/checks.js';
import { probeVerdict } from '../../momento/key-checks.js';
import type { KeyInfo, RoleInfo } from '../../momento/key-management.js';
import type { MomentoApi } from '../../momento/momento-api.js';
import { rememberSecret, scrub } from '../../observability/redact.js';
import { parseMintedKeyDescription } from '../../rotation/strategies/mint-v2.js';
import { parseKeyFile } from '../../secret/key-file.js';
import { CliError, explainAwsError } from '../errors.js';
import { inspectSecret, momentoKeysReport, type SecretReport, type VersionReport } from '../inspect-secret.js';
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
  /** Defaults to the rotation function's MOMENTO_MANAGEMENT_SECRET_ARN. */
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
    const tail = check.fix === undefined ? '' : check.verdict === 'not checked' ? ` (${check.fix})` : `  Fix: ${check.fix}`;
    const saw = check.verdict === 'not checked' ? `not checked: ${check.saw}` : check.saw;
    io.out(scrub(`${LABEL[check.verdict].padEnd(4)}  ${check.id.padEnd(width)}  ${saw}${tail}`));
  }
  const s = report.summary;
  io.out(`${s.ok} ok, ${s.warn} warn, ${s.fail} fail, ${s['not checked']} not checked`);
}

async function runChecks(clients: DoctorClients, options: DoctorOptions): Promise<{ list: Check[]; arn: string | undefined }> {
  const { secretId, aws } = options;
  const list: Check[] = [];
  let report: SecretReport;
  try {
    report = await inspectSecret(clients.secretsManager, secretId);
  } catch (error) {
    const known = explainAwsError(error, secretId);
    if (known === undefined || known.message.startsWith('No AWS')) throw known ?? error;
    const missing = (error as { name?: string }).name === 'ResourceNotFoundException';
    list.push(
      fail(
        'secret',
        known.message,
        missing
          ? `Create it with the key: echo -n "$KEY" | momento-secret-rotation import --secret-id ${secretId} --management-secret-id NAME${awsFlagsText(aws)}`
          : 'Grant the caller secretsmanager:DescribeSecret, ListSecretVersionIds and GetSecretValue on it (and kms:Decrypt on its key).',
      ),
    );
    return { list, arn: undefined };
  }
  const now = Date.now();
  const name = report.name;
  const current = report.versions.find((v) => v.versionId === report.currentVersionId);
  const v2 = current?.kind === 'v2';
  list.push(secretCheck(current, { secretName: report.name, now, awsFlags: awsFlagsText(aws) }));
  if ((current?.conflicts ?? []).length > 0) {
    list.push(warn('stored-fields', `AWSCURRENT: ${current!.conflicts!.join(' ')}`, 'Import the key again, which stores what the key itself says.'));
  }

  // Rotation wiring.
  list.push(
    report.rotationEnabled
      ? ok('rotation', `Automatic rotation is on (${report.schedule ?? 'no schedule'}${report.window ? `, window ${report.window}` : ''}).`)
      : fail('rotation', 'Automatic rotation is off for this secret.', `Deploy the SAM application with SecretArn=${report.arn} (or the CDK construct); it turns rotation on.`),
  );
  const fn = await rotationFunction(clients.lambda, report, v2, list);
  if (report.rotationEnabled) list.push(scheduleCheck({ validUntil: current?.validUntil, nextRotation: report.nextRotation, secretName: name }));
  const pending = report.versions.find((v) => v.versionId === report.pendingVersionId);
  list.push(stuckCheck({ pendingVersionId: report.pendingVersionId, pendingCreated: pending?.created, secretName: name, now }));

  // The key itself, at Momento.
  const stored = await currentKeyFile(clients.secretsManager, report);
  list.push(await keyWorksCheck(clients, stored, fn?.testCacheName, name));
  const managementSecretId = options.managementSecretId ?? fn?.managementSecretArn;
  list.push(...(await momentoChecks(clients.secretsManager, report, current, managementSecretId, options.managementSecretId !== undefined, aws, now)));

  // What the function's role may do, and where its network reaches.
  if (fn?.roleArn !== undefined) list.push(await simulatePermissions(clients.iam, fn.roleArn, report, fn.managementSecretArn));
  if (fn !== undefined) list.push(await vpcReach(clients.ec2, fn.vpc, v2, report.arn.split(':')[3] ?? ''));
  return { list, arn: report.arn };
}

interface FunctionFacts {
  readonly roleArn: string | undefined;
  readonly managementSecretArn: string | undefined;
  readonly testCacheName: string | undefined;
  readonly vpc: { vpcId: string; subnetIds: readonly string[] } | undefined;
}

/** The rotation function: exists, runs the expected runtime, may be invoked by Secrets Manager, has a management secret for v2. */
async function rotationFunction(lambda: LambdaClient, report: SecretReport, v2: boolean, list: Check[]): Promise<FunctionFacts | undefined> {
  const arn = report.rotationFunction;
  const deploy = `Deploy the SAM application with SecretArn=${report.arn} (sam deploy), or the CDK construct.`;
  if (arn === undefined) {
    list.push(fail('function', 'No rotation function is configured for this secret.', deploy));
    return undefined;
  }
  let got: GetFunctionCommandOutput;
  try {
    got = await lambda.send(new GetFunctionCommand({ FunctionName: arn }));
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'ResourceNotFoundException') list.push(fail('function', `The rotation function ${arn} does not exist: every rotation fails.`, deploy));
    else list.push(notChecked('function', `lambda:GetFunction on ${arn} failed (${name}: ${(error as Error).message})`));
    return undefined;
  }
  const config = got.Configuration ?? {};
  const env = config.Environment?.Variables ?? {};
  list.push(ok('function', `The rotation function ${config.FunctionName ?? arn} exists.`));
  list.push(
    config.Runtime === EXPECTED_RUNTIME
      ? ok('runtime', `It runs ${EXPECTED_RUNTIME}.`)
      : fail('runtime', `It runs ${config.Runtime ?? 'no managed runtime'}, not ${EXPECTED_RUNTIME}, which the artifact is built and tested for.`, 'Deploy the SAM application or the CDK construct of this release, which set the runtime.'),
  );
  const account = report.arn.split(':')[4] ?? '';
  try {
    const policy = await lambda.send(new GetPolicyCommand({ FunctionName: arn }));
    list.push(invokePermissionCheck(policy.Policy, { functionName: config.FunctionName ?? arn, account }));
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'ResourceNotFoundException') list.push(invokePermissionCheck(undefined, { functionName: config.FunctionName ?? arn, account }));
    else list.push(notChecked('invoke-permission', `lambda:GetPolicy failed (${name})`));
  }
  const managementSecretArn = env.MOMENTO_MANAGEMENT_SECRET_ARN?.trim() || undefined;
  if (v2) {
    list.push(
      managementSecretArn !== undefined
        ? ok('function-management-secret', `The function mints with the management key in ${managementSecretArn}.`)
        : fail('function-management-secret', 'The secret holds a v2 key, and the function has no management secret to mint its successor with: rotations fail at createSecret.', 'Deploy with ManagementSecretArn=<the management secret\'s ARN> (CDK: managementSecret).'),
    );
  }
  const subnetIds = config.VpcConfig?.SubnetIds ?? [];
  return {
    roleArn: config.Role,
    managementSecretArn,
    testCacheName: env.MOMENTO_TEST_CACHE_NAME?.trim() || undefined,
    vpc: subnetIds.length > 0 && config.VpcConfig?.VpcId ? { vpcId: config.VpcConfig.VpcId, subnetIds } : undefined,
  };
}

interface StoredKey {
  readonly apiKey: string;
  readonly endpoint: string | undefined;
  readonly kind: VersionReport['kind'];
}

async function currentKeyFile(client: SecretsManagerClient, report: SecretReport): Promise<StoredKey | undefined> {
  const current = report.versions.find((v) => v.versionId === report.currentVersionId);
  if (current?.holds !== 'key-file') return undefined;
  const value = await client.send(new GetSecretValueCommand({ SecretId: report.arn, VersionId: current.versionId }));
  rememberSecret(value.SecretString);
  const parsed = parseKeyFile(value.SecretString ?? '');
  if (!parsed.ok) return undefined;
  rememberSecret(parsed.file.apiKey);
  rememberSecret(parsed.file.refreshToken);
  return { apiKey: parsed.file.apiKey, endpoint: parsed.file.endpoint, kind: current.kind };
}

/** The AWSCURRENT key authenticates, through the probe testSecret makes (listCaches, or get in the test cache). */
async function keyWorksCheck(clients: DoctorClients, stored: StoredKey | undefined, testCacheName: string | undefined, secretName: string): Promise<Check> {
  const id = 'key-works';
  if (stored === undefined || stored.kind === 'unrecognised') return notChecked(id, 'AWSCURRENT holds no Momento key to try');
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

/** v2 at Momento, through the management key: it is valid and may manage keys; the secret's key is live, its role exists, and no minted key is left over. */
async function momentoChecks(
  client: SecretsManagerClient,
  report: SecretReport,
  current: VersionReport | undefined,
  managementSecretId: string | undefined,
  given: boolean,
  aws: AwsFlags,
  now: number,
): Promise<Check[]> {
  const v2Anywhere = report.versions.some((v) => v.kind === 'v2') || current?.kind === 'v2';
  if (managementSecretId === undefined) {
    return v2Anywhere ? [notChecked('management-key', 'no management secret: pass --management-secret-id, or configure the function with one')] : [];
  }
  const source = given ? '' : ` (the function's MOMENTO_MANAGEMENT_SECRET_ARN)`;
  let access: KeyApiAccess;
  try {
    access = await keyApiAccess(client, managementSecretId);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
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
  const own = listed.find((k) => k.keyId === access.managementKeyId);
  checks.push(
    own !== undefined && live(own)
      ? ok('management-key', `The management key in ${managementSecretId}${source} is valid (key id ${own.keyId}, ${own.expiresAt === undefined ? 'never expires' : `valid until ${new Date(own.expiresAt * 1000).toISOString()}`}).`)
      : warn('management-key', `The management key in ${managementSecretId}${source} authenticates, but its key id ${access.managementKeyId ?? '(none: no jti claim)'} is not in Momento's listing.`, 'Store a management key minted in this account, with a key id.'),
  );
  const ownRoleId = own?.roleId;
  checks.push(...managementRoleChecks(roles.find((r) => r.roleId === ownRoleId), { roleId: ownRoleId, managementSecretId }));
  if (!v2Anywhere) return checks;

  // The application key, and the keys minted for this secret.
  const momento = momentoKeysReport(report, listed, mintedByFor(report.arn), now, access.managementKeyId);
  if (current?.kind === 'v2' && current.keyId !== undefined) {
    const listing = listed.find((k) => k.keyId === current.keyId);
    const role = roles.find((r) => r.roleId === current.roleId);
    const minted = listing === undefined ? undefined : parseMintedKeyDescription(listing.description);
    const ownTag = mintedByFor(report.arn);
    const rotate = `momento-secret-rotation rotate --secret-id ${report.name}${awsFlagsText(aws)}`;
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
    } else if (role === undefined) {
      checks.push(
        fail(
          'application-key',
          `The AWSCURRENT key's role ${current.roleId ?? '(none stored)'} is not among the account's roles: the next mint fails (404). Roles (name → id): ${roles.map((r) => `${r.roleName} → ${r.roleId}`).join(', ')}.`,
          `Store the id of an existing role: create a key with that role in the Momento console and import it (${`echo -n "$KEY" | momento-secret-rotation import --secret-id ${report.name} --management-secret-id ${managementSecretId}`}).`,
        ),
      );
    } else if (listing.roleId !== current.roleId) {
      checks.push(warn('application-key', `The secret stores role ${current.roleId}, but Momento lists key ${current.keyId} with role ${listing.roleId}: its successor gets ${current.roleId}.`, `Import the key again, which reads its role from Momento: echo -n "$KEY" | momento-secret-rotation import --secret-id ${report.name} --management-secret-id ${managementSecretId}`));
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
  const fixKey = `Store a valid key whose role grants auth_management read, write and list in ${managementSecretId} (README, "The management key").`;
  if (failure === 'unauthorized') return fail('management-key', `Momento rejects the management key in ${managementSecretId}${source}: invalid, revoked or expired.`, fixKey);
  if (failure === 'forbidden') return fail('management-role', `The management key in ${managementSecretId}${source} may not ${what} (403).`, fixKey);
  return warn('management-key', `Could not ${what} at Momento with the management key: ${scrub((error as Error).message)}.`, 'Run doctor again; if it persists, check MOMENTO_API_KEYS_URL and the network.');
}

/** iam:SimulatePrincipalPolicy for the function's role: describe, read, write and stage the secret; use its KMS key; read the management key. */
async function simulatePermissions(iam: IAMClient, roleArn: string, report: SecretReport, managementSecretArn: string | undefined): Promise<Check> {
  const requests: { actions: string[]; resource: string }[] = [
    { actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'], resource: report.arn },
  ];
  if (report.kmsKeyId?.startsWith('arn:')) requests.push({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resource: report.kmsKeyId });
  if (managementSecretArn?.startsWith('arn:')) requests.push({ actions: ['secretsmanager:GetSecretValue'], resource: managementSecretArn });
  const results: SimulatedPermission[] = [];
  try {
    for (const { actions, resource } of requests) {
      const out = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: roleArn, ActionNames: actions, ResourceArns: [resource] }));
      for (const r of out.EvaluationResults ?? []) results.push({ action: r.EvalActionName ?? '?', resource: r.EvalResourceName ?? resource, decision: r.EvalDecision ?? 'unknown' });
    }
  } catch (error) {
    const name = (error as { name?: string }).name ?? 'Error';
    const denied = /AccessDenied/.test(name);
    return notChecked(
      'permissions',
      denied
        ? `the caller may not call iam:SimulatePrincipalPolicy on ${roleArn}, so the function's permissions cannot be simulated`
        : `iam:SimulatePrincipalPolicy on ${roleArn} failed (${name}: ${scrub((error as Error).message).split('\n')[0]!.slice(0, 200)})`,
    );
  }
  const check = permissionsCheck(results, { roleArn });
  if (report.kmsKeyId !== undefined && !report.kmsKeyId.startsWith('arn:') && check.verdict === 'ok') {
    return { ...check, saw: `${check.saw} Its KMS key (${report.kmsKeyId}) is not named by ARN: not checked.` };
  }
  return check;
}

/** For a function in a VPC: does each subnet route to the internet (NAT), and which endpoints does the VPC have? */
async function vpcReach(ec2: EC2Client, vpc: FunctionFacts['vpc'], v2: boolean, region: string): Promise<Check> {
  if (vpc === undefined) return vpcCheck(undefined, { v2, region });
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
      otherInterfaceEndpoints: usable.filter((e) => !(e.ServiceName ?? '').startsWith('com.amazonaws.')).map((e) => e.ServiceName ?? '?'),
    };
  } catch (error) {
    const name = (error as { name?: string }).name ?? 'Error';
    return notChecked('vpc', `the function is in ${vpc.vpcId}; ec2:DescribeRouteTables or DescribeVpcEndpoints failed (${name}), so its routes are unknown`);
  }
  return vpcCheck(facts, { v2, region });
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
