import { keyManagementAccess, type RoleInfo } from '../momento/key-management.js';

/**
 * `doctor`'s verdicts, from what was observed: pure functions, no I/O, so that each rule is
 * tested on its own and the command (src/cli/commands/doctor.ts) only gathers and prints.
 * Every warn and fail carries the exact fix: a command or a template parameter.
 */
export type Verdict = 'ok' | 'warn' | 'fail' | 'not checked';

export interface Check {
  /** Stable, for --json and scripts: e.g. "secret", "invoke-permission". */
  readonly id: string;
  readonly verdict: Verdict;
  /** What was seen, in words; never a key or a token. */
  readonly saw: string;
  /** For warn and fail: what to run or set. For not checked: why not. */
  readonly fix?: string;
}

export const ok = (id: string, saw: string): Check => ({ id, verdict: 'ok', saw });
export const warn = (id: string, saw: string, fix: string): Check => ({ id, verdict: 'warn', saw, fix });
export const fail = (id: string, saw: string, fix: string): Check => ({ id, verdict: 'fail', saw, fix });
export const notChecked = (id: string, why: string): Check => ({ id, verdict: 'not checked', saw: why });

/** What AWSCURRENT holds, as `status` and the function describe it (never the key itself). */
export interface KeyFacts {
  readonly versionId: string;
  readonly holds: 'key-file' | 'bare-key' | 'other' | 'no-value';
  readonly kind?: 'v1' | 'legacy' | 'v2' | 'unrecognised';
  readonly rotatesBy: 'refresh' | 'mint' | undefined;
  readonly problem: string | undefined;
  readonly fingerprint: string | undefined;
  readonly keyId?: string;
  readonly roleId?: string;
  readonly validUntil: string | undefined;
}

/** AWSCURRENT holds a key the function can rotate: v1 with its refresh token, unexpired; v2 with endpoint, role and key id. */
export function secretCheck(current: KeyFacts | undefined, input: { secretName: string; now: number; awsFlags?: string }): Check {
  const now = input.now;
  const flags = input.awsFlags ?? '';
  const id = 'secret';
  const importV2 = `echo -n "$KEY" | momento-secret-rotation import --secret-id ${input.secretName} --management-secret-id NAME${flags}`;
  const importV1 = `momento-secret-rotation import --secret-id ${input.secretName} --file momento_token.info.json${flags}`;
  if (current === undefined) return fail(id, 'No version holds AWSCURRENT with a value.', `Import a key: ${importV2}`);
  const expired = current.validUntil !== undefined && Date.parse(current.validUntil) <= now;
  const described = `AWSCURRENT (version ${current.versionId}) holds`;
  if (current.kind === 'v2') {
    if (current.rotatesBy === undefined) return fail(id, `${described} a v2 key that cannot be rotated: ${current.problem}.`, `Import the key again, which derives them: ${importV2}`);
    if (expired) {
      return fail(id, `${described} a v2 key (key id ${current.keyId ?? '?'}) that expired at ${current.validUntil}: applications cannot authenticate.`, `Rotate now, which mints a new key with the management key: momento-secret-rotation rotate --secret-id ${input.secretName}${flags}`);
    }
    if (current.keyId === undefined) {
      return warn(id, `${described} a v2 key without a key id (no jti claim): it rotates, but the function never revokes it, and revokes no key of this secret while a version holds it.`, `Once it has rotated out, revoke it in the Momento console.`);
    }
    return ok(id, `${described} a v2 key ${current.fingerprint} (key id ${current.keyId}, role ${current.roleId}), valid until ${current.validUntil ?? 'never'}: rotated by minting.`);
  }
  if (current.holds !== 'key-file' || current.rotatesBy === undefined) {
    return fail(id, `${described} ${current.problem ?? 'no key file'}: the function cannot refresh it.`, `Store the JSON file the Momento console downloads with a new key: ${importV1}`);
  }
  if (expired) {
    return fail(id, `${described} a ${current.kind} key that expired at ${current.validUntil}: it can no longer be refreshed, and applications cannot authenticate.`, `Generate a new key in the Momento console and import it: ${importV2}`);
  }
  return ok(id, `${described} a ${current.kind} key ${current.fingerprint} with its refresh token, valid until ${current.validUntil ?? 'never'}: rotated by refreshing.`);
}

/** The runtime the artifact is built and tested for (template.yaml, the CDK construct). */
export const EXPECTED_RUNTIME = 'nodejs24.x';

/**
 * How long before the key's validUntil the next rotation must come: one failed rotation at the
 * schedule leaves this long to notice (the alarms) and fix it before applications lose the key.
 */
export const SCHEDULE_MARGIN_DAYS = 3;

const DAY_MS = 86_400_000;

/** The next scheduled rotation against the AWSCURRENT key's validUntil. */
export function scheduleCheck(input: { validUntil: string | undefined; nextRotation: string | undefined; secretName: string }): Check {
  const id = 'schedule';
  if (input.validUntil === undefined) return ok(id, 'The AWSCURRENT key does not expire.');
  if (input.nextRotation === undefined) {
    return fail(id, `No rotation is scheduled, and the AWSCURRENT key expires at ${input.validUntil}.`, `Turn rotation on (deploy the SAM application with SecretArn=${input.secretName}).`);
  }
  const marginDays = (Date.parse(input.validUntil) - Date.parse(input.nextRotation)) / DAY_MS;
  const saw = `Next rotation ${input.nextRotation}; the AWSCURRENT key is valid until ${input.validUntil}`;
  const fix =
    `Rotate now (momento-secret-rotation rotate --secret-id ${input.secretName}), and make the schedule ` +
    `(RotationScheduleExpression) shorter than the key's lifetime (KeyLifetimeDays for minted keys) by at least ${SCHEDULE_MARGIN_DAYS} days.`;
  if (marginDays < 0) return fail(id, `${saw}: the key expires before it is rotated.`, fix);
  if (marginDays < SCHEDULE_MARGIN_DAYS) return warn(id, `${saw}: under ${SCHEDULE_MARGIN_DAYS} days to spare if that rotation fails.`, fix);
  return ok(id, `${saw} (${Math.floor(marginDays)} days to spare).`);
}

/** AWSPENDING on a version other than AWSCURRENT's: a rotation running, or stuck. */
export function stuckCheck(input: { pendingVersionId: string | undefined; pendingCreated: string | undefined; secretName: string; now: number }): Check {
  const id = 'stuck-rotation';
  if (input.pendingVersionId === undefined) return ok(id, 'No rotation in progress: AWSPENDING is on no version other than AWSCURRENT\'s.');
  const ageMinutes = input.pendingCreated === undefined ? undefined : Math.floor((input.now - Date.parse(input.pendingCreated)) / 60_000);
  const age = ageMinutes === undefined ? 'of unknown age' : ageMinutes < 120 ? `${ageMinutes} minutes old` : `${Math.floor(ageMinutes / 60)} hours old`;
  const saw = `AWSPENDING is on version ${input.pendingVersionId} (${age}), not on AWSCURRENT's: Secrets Manager refuses new rotations until it clears.`;
  const repair = `momento-secret-rotation repair --secret-id ${input.secretName} --yes`;
  // A rotation takes seconds; repair itself refuses a pending version under 15 minutes old without --force.
  if (ageMinutes !== undefined && ageMinutes < 15) {
    return fail(id, saw, `If no rotation is running now (rotations take seconds): ${repair} --force; or wait 15 minutes and run ${repair}`);
  }
  return fail(id, saw, repair);
}

/** Lambda's resource policy: secretsmanager.amazonaws.com may invoke, limited to the secret's account. */
export function invokePermissionCheck(policy: string | undefined, input: { functionName: string; account: string }): Check {
  const id = 'invoke-permission';
  const fix =
    `aws lambda add-permission --function-name ${input.functionName} --statement-id SecretsManagerAccess ` +
    `--action lambda:InvokeFunction --principal secretsmanager.amazonaws.com --source-account ${input.account}`;
  const statements = policyStatements(policy).filter(
    (s) => s.Effect === 'Allow' && servicePrincipals(s.Principal).includes('secretsmanager.amazonaws.com') && actions(s.Action).some((a) => a === 'lambda:InvokeFunction' || a === 'lambda:*'),
  );
  if (statements.length === 0) return fail(id, 'The function\'s resource policy does not let secretsmanager.amazonaws.com invoke it: every rotation fails before it starts.', fix);
  const scoped = statements.find((s) => sourceAccounts(s.Condition).includes(input.account));
  if (scoped === undefined) {
    return warn(
      id,
      `secretsmanager.amazonaws.com may invoke the function without a SourceAccount condition of ${input.account}: any account's secret could (confused deputy).`,
      `Replace the statement with one that has --source-account: ${fix}`,
    );
  }
  return ok(id, `secretsmanager.amazonaws.com may invoke the function, for account ${input.account} only.`);
}

interface Statement {
  Effect?: string;
  Principal?: unknown;
  Action?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

function policyStatements(policy: string | undefined): Statement[] {
  if (policy === undefined) return [];
  try {
    const parsed = JSON.parse(policy) as { Statement?: Statement | Statement[] };
    return Array.isArray(parsed.Statement) ? parsed.Statement : parsed.Statement ? [parsed.Statement] : [];
  } catch {
    return [];
  }
}

const asList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)]);
const actions = (value: unknown) => asList(value);
const servicePrincipals = (principal: unknown) =>
  typeof principal === 'object' && principal !== null ? asList((principal as { Service?: unknown }).Service) : [];

/** AWS:SourceAccount under StringEquals (what `add-permission --source-account` writes), or ArnLike's AWS:SourceArn account. */
function sourceAccounts(condition: Statement['Condition']): string[] {
  if (condition === undefined) return [];
  const accounts: string[] = [];
  for (const [operator, keys] of Object.entries(condition)) {
    for (const [key, value] of Object.entries(keys ?? {})) {
      const name = key.toLowerCase();
      if (name === 'aws:sourceaccount' && /^StringEquals$/i.test(operator)) accounts.push(...asList(value));
      if (name === 'aws:sourcearn' && /^(ArnLike|ArnEquals|StringEquals|StringLike)$/i.test(operator)) {
        accounts.push(...asList(value).map((arn) => arn.split(':')[4] ?? ''));
      }
    }
  }
  return accounts;
}

/** The body of POST /roles for a management key's role: exactly what minting, listing and revoking keys need. */
export const MANAGEMENT_ROLE_BODY = {
  role_name: 'key-rotation',
  description: 'Mints, lists and revokes API keys for momento-secret-rotation',
  permissions: { rules: [{ type: 'auth_management', permissions: ['read', 'write', 'list'], items: '*' }] },
} as const;

/** The management key's role: it must mint, list and revoke; it should do nothing else. */
export function managementRoleChecks(role: RoleInfo | undefined, input: { roleId: string | undefined; managementSecretId: string }): Check[] {
  const createRole = `create a role with exactly auth_management read, write and list (POST /roles with ${JSON.stringify(MANAGEMENT_ROLE_BODY)}; README, "The management key"), mint a key with it, and store it in ${input.managementSecretId}`;
  if (role === undefined) {
    return [
      fail(
        'management-role',
        input.roleId === undefined
          ? "The management key's role could not be found: its key id is not in Momento's listing."
          : `The management key's role ${input.roleId} is not among the account's roles (GET /roles).`,
        createRole.replace(/^create/, 'Create'),
      ),
    ];
  }
  const access = keyManagementAccess(role);
  const named = `${role.roleName || '(no name)'} (${role.roleId})`;
  const checks: Check[] = [];
  if (!access.mintAndRevoke) {
    checks.push(
      fail(
        'management-role',
        `The management key's role ${named} may ${access.list ? 'list keys but not mint or revoke them' : 'not list, mint or revoke keys'}: its rules grant ${grantedAuth(role)}. v2 rotations fail at createSecret.`,
        createRole.replace(/^create/, 'Create'),
      ),
    );
    return checks;
  }
  checks.push(ok('management-role', `The management key's role ${named} may mint, list and revoke keys.`));
  const others = role.rules.filter((r) => r.type !== 'auth_management').map((r) => r.type);
  if (role.superUser) {
    checks.push(warn('least-privilege', `The management key's role ${named} is super-user: a leaked management key could do anything in the account.`, `For least privilege, ${createRole}.`));
  } else if (others.length > 0) {
    checks.push(warn('least-privilege', `The management key's role ${named} grants more than auth_management (${[...new Set(others)].join(', ')}).`, `For least privilege, ${createRole}.`));
  } else {
    checks.push(ok('least-privilege', `The management key's role ${named} grants auth_management only.`));
  }
  return checks;
}

function grantedAuth(role: RoleInfo): string {
  const granted = role.rules.filter((r) => r.type === 'auth_management').flatMap((r) => r.permissions);
  return granted.length === 0 ? 'nothing on auth_management' : `auth_management ${[...new Set(granted)].join(', ')}`;
}

/** IAM's policy simulation for the function's role: one entry per action and resource. */
export interface SimulatedPermission {
  readonly action: string;
  readonly resource: string;
  readonly decision: string;
}

export function permissionsCheck(results: readonly SimulatedPermission[], input: { roleArn: string }): Check {
  const id = 'permissions';
  const denied = results.filter((r) => r.decision !== 'allowed');
  if (denied.length > 0) {
    return fail(
      id,
      `The function's role ${input.roleArn} may not: ${denied.map((d) => `${d.action} on ${d.resource} (${d.decision})`).join('; ')}.`,
      'Deploy the SAM application (or the CDK construct), whose role grants exactly these; or add them to the role. With a customer-managed KMS key, pass KmsKeyArn (and ManagementKmsKeyArn for the management secret\'s).',
    );
  }
  return ok(id, `The function's role may ${[...new Set(results.map((r) => r.action))].join(', ')} on this secret${results.some((r) => r.action.startsWith('kms:')) ? ' and its KMS key' : ''} (IAM policy simulation).`);
}

/** What a subnet's route table and the VPC's endpoints give a function in the VPC. */
export interface SubnetReach {
  readonly subnetId: string;
  /** A default route (0.0.0.0/0) through a NAT gateway, a NAT instance or a transit gateway. */
  readonly internet: boolean;
}

export interface VpcFacts {
  readonly vpcId: string;
  readonly subnets: readonly SubnetReach[];
  /** An interface endpoint com.amazonaws.<region>.secretsmanager, available, in the VPC. */
  readonly secretsManagerEndpoint: boolean;
  /** Interface endpoints to services that are not AWS's own: perhaps Momento's PrivateLink. */
  readonly otherInterfaceEndpoints: readonly string[];
}

export function vpcCheck(facts: VpcFacts | undefined, input: { v2: boolean; region: string }): Check {
  const id = 'vpc';
  if (facts === undefined) return ok(id, 'The function is not in a VPC: it reaches Secrets Manager and Momento over the internet.');
  const isolated = facts.subnets.filter((s) => !s.internet).map((s) => s.subnetId);
  const fix =
    `Give subnets ${isolated.join(', ')} a default route through a NAT gateway; or add an interface endpoint ` +
    `com.amazonaws.${input.region}.secretsmanager and Momento's PrivateLink (README, "Running in a VPC")` +
    (input.v2 ? '; minting and revoking v2 keys also need HTTPS to the key-management host, which needs NAT' : '');
  if (isolated.length === 0) return ok(id, `The function's subnets in ${facts.vpcId} route to the internet (NAT).`);
  const missing: string[] = [];
  if (!facts.secretsManagerEndpoint) missing.push('Secrets Manager (no NAT route, no secretsmanager interface endpoint)');
  if (facts.otherInterfaceEndpoints.length === 0) missing.push("Momento's endpoint (no NAT route, no PrivateLink endpoint)");
  if (input.v2) missing.push("Momento's key-management host over HTTPS (no NAT route)");
  if (missing.length > 0) return fail(id, `From subnets ${isolated.join(', ')} the function cannot reach: ${missing.join('; ')}.`, fix);
  return warn(
    id,
    `Subnets ${isolated.join(', ')} have no NAT route; the VPC has a Secrets Manager endpoint and other interface endpoints (${facts.otherInterfaceEndpoints.join(', ')}), which doctor cannot tell are Momento's PrivateLink.`,
    "Check that one of them is Momento's PrivateLink endpoint for your cell (README, \"Running in a VPC\").",
  );
}

/** Exit code: 1 when any check failed. */
export const exitCodeFor = (checks: readonly Check[]) => (checks.some((c) => c.verdict === 'fail') ? 1 : 0);
