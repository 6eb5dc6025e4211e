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
  /** For warn and fail: what to run or set (a not-checked line says why in `saw`). */
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
  /** For a bare key too: doctor reads its kind from the key itself. */
  readonly kind?: 'v1' | 'legacy' | 'v2' | 'unrecognised';
  readonly rotatesBy: 'refresh' | 'mint' | undefined;
  readonly problem: string | undefined;
  readonly fingerprint: string | undefined;
  readonly keyId?: string;
  readonly roleId?: string;
  /** A bare v2 key's too: its exp claim. */
  readonly validUntil: string | undefined;
}

/**
 * What the function does with a v1 (or legacy) key file that stores "roleId" and "endpoint"
 * (chooseStrategy, src/rotation/strategies/key-strategy.ts): 'yes' it mints a v2 successor (the
 * function has a management secret), 'no' it refreshes (it has none), 'unknown' its
 * configuration could not be read.
 */
export type Migration = 'yes' | 'no' | 'unknown';

/** AWSCURRENT holds a key the function can rotate: v1 with its refresh token, unexpired; v2 with endpoint, role and key id; v1 being migrated with role and endpoint. */
export function secretCheck(
  current: KeyFacts | undefined,
  input: { secretName: string; now: number; awsFlags?: string; managementSecretId?: string | undefined; migration?: Migration | undefined },
): Check {
  const now = input.now;
  const flags = input.awsFlags ?? '';
  const id = 'secret';
  const importV2 = `echo -n "$KEY" | momento-secret-rotation import --secret-id ${input.secretName} --management-secret-id ${input.managementSecretId ?? 'NAME'}${flags}`;
  const importV1 = `momento-secret-rotation import --secret-id ${input.secretName} --file momento_token.info.json${flags}`;
  const rotate = `momento-secret-rotation rotate --secret-id ${input.secretName}${flags}`;
  if (current === undefined) return fail(id, 'No version holds AWSCURRENT with a value.', `Import a key: ${importV2}`);
  const expired = current.validUntil !== undefined && Date.parse(current.validUntil) <= now;
  const described = `AWSCURRENT (version ${current.versionId}) holds`;
  if (current.kind === 'v2') {
    if (current.holds === 'bare-key') {
      const seen = `${described} a bare v2 key${current.fingerprint ? ` ${current.fingerprint}` : ''} (the key alone, not the JSON key file the function reads)`;
      if (expired) return fail(id, `${seen}, which expired at ${current.validUntil}: applications cannot authenticate.`, `Generate a new key in the Momento console and import it: ${importV2}`);
      return fail(id, `${seen}: the function cannot rotate it, as it stores no endpoint or role to mint its successor with.`, `Import the key, which derives and stores them: ${importV2}`);
    }
    if (current.rotatesBy === undefined) return fail(id, `${described} a v2 key that cannot be rotated: ${current.problem}.`, `Import the key again, which derives them: ${importV2}`);
    if (expired) {
      return fail(id, `${described} a v2 key (key id ${current.keyId ?? '?'}) that expired at ${current.validUntil}: applications cannot authenticate.`, `Rotate now, which mints a new key with the management key: ${rotate}`);
    }
    if (current.keyId === undefined) {
      return warn(id, `${described} a v2 key without a key id (no jti claim): it rotates, but the function never revokes it, and revokes no key of this secret while a version holds it.`, `Once it has rotated out, revoke it in the Momento console.`);
    }
    return ok(id, `${described} a v2 key ${current.fingerprint} (key id ${current.keyId}, role ${current.roleId}), valid until ${current.validUntil ?? 'never'}: rotated by minting.`);
  }
  const v1File = current.holds === 'key-file' && (current.kind === 'v1' || current.kind === 'legacy');
  if (v1File && input.migration === 'yes') {
    // Minting needs neither the refresh token nor an unexpired key: only the management key.
    if (expired) {
      return fail(
        id,
        `${described} a ${current.kind} key that expired at ${current.validUntil}: applications cannot authenticate.`,
        `Rotate now: the function has a management secret, so the rotation mints a v2 key with role ${current.roleId} and migrates the secret: ${rotate}`,
      );
    }
    return ok(
      id,
      `${described} a ${current.kind} key ${current.fingerprint}, valid until ${current.validUntil ?? 'never'}, with a role (${current.roleId}) and an endpoint: the function has a management secret, so its next rotation migrates the secret to v2 by minting.`,
    );
  }
  if (v1File && input.migration === 'unknown' && current.rotatesBy === undefined && !expired) {
    return notChecked(
      id,
      `${described} a ${current.kind} key with ${current.problem}, and a role and an endpoint: only a migration to v2 (minting) can rotate it, which needs the function to have a management secret, and the function's configuration could not be read`,
    );
  }
  if (current.holds !== 'key-file' || current.rotatesBy === undefined) {
    return fail(id, `${described} ${current.problem ?? 'no key file'}: the function cannot refresh it.`, `Store the JSON file the Momento console downloads with a new key: ${importV1}`);
  }
  if (expired) {
    return fail(id, `${described} a ${current.kind} key that expired at ${current.validUntil}: it can no longer be refreshed, and applications cannot authenticate.`, `Generate a new key in the Momento console and import it: ${importV2}`);
  }
  const how =
    input.migration === 'unknown'
      ? 'rotated by refreshing; or, as it stores a role and an endpoint, migrated to v2 by minting if the function has a management secret (its configuration could not be read)'
      : input.migration === 'no'
        ? 'rotated by refreshing (it stores a role and an endpoint for a migration to v2, but the function has no management secret)'
        : 'rotated by refreshing';
  return ok(id, `${described} a ${current.kind} key ${current.fingerprint} with its refresh token, valid until ${current.validUntil ?? 'never'}: ${how}.`);
}

/** The runtime the artifact is built and tested for (template.yaml, the CDK construct). */
export const EXPECTED_RUNTIME = 'nodejs24.x';

/**
 * How long before the key's validUntil the next rotation must come: one failed rotation at the
 * schedule leaves this long to notice (the alarms) and fix it before applications lose the key.
 */
export const SCHEDULE_MARGIN_DAYS = 3;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

const ago = (ms: number) => (ms < 2 * HOUR_MS ? `${Math.floor(ms / 60_000)} minutes` : ms < 2 * DAY_MS ? `${Math.floor(ms / HOUR_MS)} hours` : `${Math.floor(ms / DAY_MS)} days`);

/**
 * The next scheduled rotation: not overdue, and before the AWSCURRENT key's validUntil.
 * A NextRotationDate in the past means the scheduled rotation did not run or failed
 * (RotateSecret's reference: "If rotation is unsuccessful, this date may be in the past"):
 * judged as `status --all` judges it, a warning within the rotation window (it may still run),
 * a failure beyond it.
 */
export function scheduleCheck(input: {
  validUntil: string | undefined;
  /** Why the key's expiry is not known (its value could not be read), when it is not. */
  expiryUnknown?: string | undefined;
  nextRotation: string | undefined;
  secretName: string;
  now: number;
  /** The rotation window (rotationWindowMs). */
  windowMs: number;
  /** AWSPENDING on a version other than AWSCURRENT's: a rotation started (stuck-rotation judges it). */
  pending: boolean;
  awsFlags?: string;
}): Check {
  const id = 'schedule';
  const flags = input.awsFlags ?? '';
  const rotate = `momento-secret-rotation rotate --secret-id ${input.secretName}${flags}`;
  const next = input.nextRotation === undefined ? undefined : Date.parse(input.nextRotation);
  if (next !== undefined && next < input.now) {
    const late = input.now - next;
    const saw = `The rotation due at ${input.nextRotation} (${ago(late)} ago) has not happened`;
    if (input.pending) {
      return warn(id, `${saw}: one has started and not finished (AWSPENDING, see stuck-rotation).`, `If it does not finish: momento-secret-rotation repair --secret-id ${input.secretName} --yes${flags}, then ${rotate}`);
    }
    const fix = `Read the rotation function's logs for why, then: ${rotate}`;
    if (late > input.windowMs) return fail(id, `${saw}: it did not run, or it failed (the rotation window of ${ago(input.windowMs)} has closed).`, fix);
    return warn(id, `${saw}, and the rotation window (${ago(input.windowMs)}) is still open: it may yet run.`, `If it has not run when the window closes: ${fix.charAt(0).toLowerCase()}${fix.slice(1)}`);
  }
  if (input.validUntil === undefined) {
    if (input.expiryUnknown !== undefined) return notChecked(id, `${input.expiryUnknown}, so its expiry is unknown${input.nextRotation ? ` (next rotation ${input.nextRotation})` : ''}`);
    return ok(id, `The AWSCURRENT key does not expire${input.nextRotation ? ` (next rotation ${input.nextRotation})` : ''}.`);
  }
  if (input.nextRotation === undefined) {
    return fail(id, `No rotation is scheduled, and the AWSCURRENT key expires at ${input.validUntil}.`, `Turn rotation on (deploy the SAM application with SecretArn=${input.secretName}).`);
  }
  const marginDays = (Date.parse(input.validUntil) - next!) / DAY_MS;
  const saw = `Next rotation ${input.nextRotation}; the AWSCURRENT key is valid until ${input.validUntil}`;
  const fix =
    `Rotate now (${rotate}), and make the schedule ` +
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

/**
 * Lambda's resource policy (of the function, or of the alias or version RotationLambdaARN
 * names: "Permissions apply to the ARN used to invoke the function", AddPermission): a statement
 * lets secretsmanager.amazonaws.com invoke it for THIS secret. Secrets Manager invokes with
 * aws:SourceArn = the secret's ARN and aws:SourceAccount = its account (Secrets Manager User
 * Guide, "Permissions for rotation": confused deputy); a statement whose condition names another
 * secret or account does not apply, and Lambda denies the invocation.
 */
export function invokePermissionCheck(
  policy: string | undefined,
  input: { functionName: string; qualifier?: string | undefined; account: string; secretArn: string },
): Check {
  const id = 'invoke-permission';
  const statements = policyStatements(policy);
  const target = `--function-name ${input.functionName}${input.qualifier ? ` --qualifier ${input.qualifier}` : ''}`;
  const taken = new Set(statements.map((s) => s.Sid).filter((sid): sid is string => typeof sid === 'string'));
  const freeSid = ['SecretsManagerAccess', ...Array.from({ length: 98 }, (_, i) => `SecretsManagerAccess${i + 2}`)].find((sid) => !taken.has(sid))!;
  const add = (sid: string, sourceArn: boolean) =>
    `aws lambda add-permission ${target} --statement-id ${sid} --action lambda:InvokeFunction --principal secretsmanager.amazonaws.com ` +
    `--source-account ${input.account}${sourceArn ? ` --source-arn ${input.secretArn}` : ''}`;
  const forService = statements.filter((s) => s.Effect === 'Allow' && s.NotPrincipal === undefined && principalIncludesSecretsManager(s.Principal) && allowsInvoke(s));
  const context = { secretArn: input.secretArn, account: input.account };
  const judged = forService.map((s) => ({ statement: s, ...judgeConditions(s.Condition, context) }));
  const applying = judged.filter((j) => j.applies === 'yes');
  if (applying.length > 0) {
    // One statement without an account is enough for any account's secret to invoke it.
    const unscoped = applying.find((j) => !j.pinsAccount);
    if (unscoped !== undefined) {
      const loose = unscoped.statement;
      const replace = typeof loose.Sid === 'string' ? `aws lambda remove-permission ${target} --statement-id ${loose.Sid} && ${add(loose.Sid, false)}` : add(freeSid, false);
      return warn(
        id,
        `secretsmanager.amazonaws.com may invoke the function without a SourceAccount condition of ${input.account}: any account's secret could (confused deputy).`,
        `Replace the statement with one that has --source-account: ${replace}`,
      );
    }
    return ok(id, `secretsmanager.amazonaws.com may invoke the function, for ${applying.every((j) => j.pinsSecret) ? 'this secret' : `account ${input.account}`} only.`);
  }
  const unknown = judged.filter((j) => j.applies === 'unknown');
  if (unknown.length > 0) {
    return notChecked(
      id,
      `secretsmanager.amazonaws.com may invoke the function only under conditions doctor cannot evaluate (${[...new Set(unknown.flatMap((j) => j.unknownKeys))].join(', ')}): ` +
        `check that they hold for ${input.secretArn} in account ${input.account}`,
    );
  }
  if (judged.length > 0) {
    const byArn = judged.some((j) => j.sourceConditions.some((c) => /sourcearn/i.test(c)));
    return fail(
      id,
      `The function's resource policy lets secretsmanager.amazonaws.com invoke it only for ${judged.map((j) => j.sourceConditions.join(' and ')).join('; or ')}: ` +
        `not for this secret (${input.secretArn}), whose rotations Lambda denies.`,
      add(freeSid, byArn),
    );
  }
  return fail(id, "The function's resource policy does not let secretsmanager.amazonaws.com invoke it: every rotation fails before it starts.", add(freeSid, false));
}

interface Statement {
  Sid?: unknown;
  Effect?: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
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

/** IAM's wildcards: `*` any run of characters, `?` one character (IAM User Guide, "Condition operators": StringLike). */
function wildcard(pattern: string, value: string, ignoreCase = false): boolean {
  const source = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

/** ArnLike/ArnEquals: each of the six colon-delimited parts matched on its own, with wildcards (IAM User Guide, "ARN condition operators"). */
function arnLike(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const parts = (s: string) => {
    const all = s.split(':');
    return all.length < 6 ? undefined : [...all.slice(0, 5), all.slice(5).join(':')];
  };
  const p = parts(pattern);
  const a = parts(arn);
  return p !== undefined && a !== undefined && p.every((segment, i) => wildcard(segment, a[i]!));
}

/** "*", {"AWS": "*"} (the same: IAM User Guide, "Principal"), or {"Service": "secretsmanager.amazonaws.com"}. */
function principalIncludesSecretsManager(principal: unknown): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  const { Service, AWS } = principal as { Service?: unknown; AWS?: unknown };
  return asList(Service).some((s) => s.toLowerCase() === 'secretsmanager.amazonaws.com') || asList(AWS).includes('*');
}

/** Action names are case-insensitive and take wildcards ("*", "lambda:*", "lambda:Invoke*"); NotAction allows all it does not name. */
function allowsInvoke(statement: Statement): boolean {
  const matches = (patterns: unknown) => asList(patterns).some((a) => wildcard(a, 'lambda:InvokeFunction', true));
  if (statement.Action !== undefined) return matches(statement.Action);
  if (statement.NotAction !== undefined) return !matches(statement.NotAction);
  return false;
}

interface ConditionJudgement {
  /** Whether the statement's Condition holds for a rotation of this secret. */
  readonly applies: 'yes' | 'no' | 'unknown';
  /** A condition that held pins the account: SourceAccount, or a SourceArn whose account part has no wildcard. */
  readonly pinsAccount: boolean;
  /** A SourceArn condition that held names this secret exactly. */
  readonly pinsSecret: boolean;
  /** The SourceArn and SourceAccount conditions, in words. */
  readonly sourceConditions: readonly string[];
  readonly unknownKeys: readonly string[];
}

/**
 * A statement's Condition for the request Secrets Manager makes: every operator and key must
 * hold (AND), any of a key's values may match (OR). Known keys: aws:SourceArn, aws:SourceAccount;
 * any other key, or an operator doctor does not know, makes the answer 'unknown'.
 */
function judgeConditions(condition: Statement['Condition'], context: { secretArn: string; account: string }): ConditionJudgement {
  const results: ('yes' | 'no' | 'unknown')[] = [];
  const sourceConditions: string[] = [];
  const unknownKeys: string[] = [];
  let pinsAccount = false;
  let pinsSecret = false;
  for (const [rawOperator, keys] of Object.entries(condition ?? {})) {
    const operator = rawOperator.replace(/^For(Any|All)Values:/i, '').replace(/IfExists$/i, '').toLowerCase();
    for (const [key, rawValues] of Object.entries(keys ?? {})) {
      const values = asList(rawValues);
      const name = key.toLowerCase();
      const actual = name === 'aws:sourcearn' ? context.secretArn : name === 'aws:sourceaccount' ? context.account : undefined;
      if (actual === undefined) {
        results.push('unknown');
        unknownKeys.push(`${rawOperator} ${key}`);
        continue;
      }
      sourceConditions.push(`${key} ${rawOperator} ${values.join(', ')}`);
      if (operator === 'null') {
        // Secrets Manager always sends both keys: "false" (the key is present) holds.
        results.push(values.some((v) => v.toLowerCase() === 'false') ? 'yes' : 'no');
        continue;
      }
      const negated = /^(string|arn)not/.test(operator);
      const base = operator.replace(/^(string|arn)not/, '$1');
      const match: ((pattern: string) => boolean) | undefined =
        base === 'stringequals'
          ? (p) => p === actual
          : base === 'stringequalsignorecase'
            ? (p) => p.toLowerCase() === actual.toLowerCase()
            : base === 'stringlike'
              ? (p) => wildcard(p, actual)
              : base === 'arnequals' || base === 'arnlike'
                ? (p) => arnLike(p, actual)
                : undefined;
      if (match === undefined) {
        results.push('unknown');
        unknownKeys.push(`${rawOperator} ${key}`);
        continue;
      }
      const matched = values.filter(match);
      const holds = negated ? matched.length === 0 : matched.length > 0;
      results.push(holds ? 'yes' : 'no');
      if (holds && !negated) {
        if (name === 'aws:sourceaccount' && matched.some((v) => !/[*?]/.test(v))) pinsAccount = true;
        if (name === 'aws:sourcearn' && matched.some((v) => !/[*?]/.test(v.split(':')[4] ?? '*'))) pinsAccount = true;
        if (name === 'aws:sourcearn' && matched.some((v) => !/[*?]/.test(v))) pinsSecret = true;
      }
    }
  }
  const applies = results.includes('no') ? 'no' : results.includes('unknown') ? 'unknown' : 'yes';
  return { applies, pinsAccount, pinsSecret, sourceConditions, unknownKeys };
}

/** The body of POST /roles for a management key's role: exactly what minting, listing and revoking keys need. */
export const MANAGEMENT_ROLE_BODY = {
  role_name: 'key-rotation',
  description: 'Mints, lists and revokes API keys for momento-secret-rotation',
  permissions: { rules: [{ type: 'auth_management', permissions: ['read', 'write', 'list'], items: '*' }] },
} as const;

/**
 * The management key's role: it must mint, list and revoke; it should do nothing else. A
 * management key without a key id (no jti claim) cannot be found in Momento's listing, so
 * neither can its role: a warning (the function may well mint with it), not a failure.
 */
export function managementRoleChecks(role: RoleInfo | undefined, input: { roleId: string | undefined; managementSecretId: string; keyIdMissing?: boolean }): Check[] {
  const createRole = `create a role with exactly auth_management read, write and list (POST /roles with ${JSON.stringify(MANAGEMENT_ROLE_BODY)}; docs/secret-format.md, "The management key"), mint a key with it, and store it in ${input.managementSecretId}`;
  if (role === undefined && input.keyIdMissing) {
    return [
      warn(
        'management-role',
        "The management key has no key id (no jti claim): doctor cannot find it in Momento's listing, nor its role, so whether it may mint and revoke keys is not known.",
        `Store a management key that has a key id: ${createRole}.`,
      ),
    ];
  }
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

/**
 * A v1 secret being migrated: its successor is minted with the stored "roleId", which must be
 * the id of a role in the management key's account (a role NAME stored there, as `migrate`
 * without --management-secret-id stores what it is given, makes the mint fail with 404).
 */
export function migrationCheck(
  roleId: string | undefined,
  roles: readonly RoleInfo[],
  input: { secretName: string; managementSecretId: string; awsFlags?: string },
): Check {
  const id = 'migration';
  const flags = input.awsFlags ?? '';
  const role = roles.find((r) => r.roleId === roleId);
  if (role !== undefined) return ok(id, `The next rotation migrates this v1 key to v2: it mints a key with role ${role.roleName || '(no name)'} (${role.roleId}), which exists.`);
  const byName = roles.find((r) => r.roleName === roleId);
  const migrate = `momento-secret-rotation migrate --secret-id ${input.secretName} ${byName ? `--role-id ${byName.roleId}` : '--role NAME'} --management-secret-id ${input.managementSecretId}${flags}`;
  return fail(
    id,
    `The next rotation migrates this v1 key to v2 and mints with the stored role "${roleId}", which is not the id of a role in the management key's account` +
      `${byName ? ` (it is the name of ${byName.roleId})` : ''}: the mint fails (404). Roles (name → id): ${roles.map((r) => `${r.roleName} → ${r.roleId}`).join(', ') || 'none'}.`,
    `Store the role's id: ${migrate}`,
  );
}

/** IAM's policy simulation for the function's role: one entry per action and resource. */
export interface SimulatedPermission {
  readonly action: string;
  readonly resource: string;
  readonly decision: string;
}

/** The function role's Secrets Manager permissions, from iam:SimulatePrincipalPolicy (which sees them all: no resource policy is involved). */
export function permissionsCheck(results: readonly SimulatedPermission[], input: { roleArn: string }): Check {
  const id = 'permissions';
  const denied = results.filter((r) => r.decision !== 'allowed');
  if (denied.length > 0) {
    return fail(
      id,
      `The function's role ${input.roleArn} may not: ${denied.map((d) => `${d.action} on ${d.resource} (${d.decision})`).join('; ')}.`,
      'Deploy the SAM application (or the CDK construct), whose role grants exactly these; or add them to the role.',
    );
  }
  const byResource = new Map<string, string[]>();
  for (const r of results) byResource.set(r.resource, [...(byResource.get(r.resource) ?? []), r.action]);
  return ok(id, `The function's role may ${[...byResource].map(([resource, actions]) => `${actions.join(', ')} on ${resource}`).join('; ')} (IAM policy simulation).`);
}

/** A customer-managed KMS key the function uses, and what the simulation of its identity policies said. */
export interface KmsKeyUse {
  /** Whose key: "the secret's" or "the management secret's". */
  readonly of: string;
  /** As DescribeSecret names it. */
  readonly key: string;
  /** The key's account, when it is named by ARN or id; undefined for an alias (not simulated). */
  readonly keyAccount: string | undefined;
  readonly results: readonly SimulatedPermission[];
}

/**
 * kms:Decrypt and kms:GenerateDataKey on the secrets' customer-managed keys. The simulation sees
 * the role's identity policies only, never the key's policy (IAM API reference,
 * SimulatePrincipalPolicy: without ResourcePolicy), and a key policy can grant the role by itself
 * within the key's account (KMS Developer Guide, "Key policies"). So, per key:
 * - an explicit deny fails (no key policy overrides it);
 * - in another account both policies must allow ("Allowing users in other accounts to use a KMS
 *   key"): an implicit deny fails, an allow is not checked (the key's policy decides);
 * - in the role's account an allow is ok, an implicit deny is not checked (the key's policy decides).
 */
export function kmsPermissionsCheck(keys: readonly KmsKeyUse[], input: { roleArn: string; roleAccount: string }): Check | undefined {
  if (keys.length === 0) return undefined;
  const id = 'kms-permissions';
  const failed: string[] = [];
  const unknown: string[] = [];
  const allowed: string[] = [];
  for (const use of keys) {
    const name = `${use.of} KMS key ${use.key}`;
    if (use.keyAccount === undefined) {
      unknown.push(`${name} is not named by ARN or id, so its use cannot be simulated`);
      continue;
    }
    const actions = (decision: (d: string) => boolean) => use.results.filter((r) => decision(r.decision)).map((r) => r.action);
    const explicit = actions((d) => d === 'explicitDeny');
    const notAllowed = actions((d) => d !== 'allowed' && d !== 'explicitDeny');
    const crossAccount = use.keyAccount !== input.roleAccount;
    if (explicit.length > 0) failed.push(`${explicit.join(', ')} on ${name} (explicitDeny)`);
    else if (crossAccount && notAllowed.length > 0) failed.push(`${notAllowed.join(', ')} on ${name}, in account ${use.keyAccount}: using another account's key needs the role's own IAM policy to allow it`);
    else if (crossAccount) unknown.push(`${name} is in account ${use.keyAccount}: its key policy must also allow the role, and doctor cannot read it`);
    else if (notAllowed.length > 0) {
      unknown.push(`the role's IAM policies do not grant ${notAllowed.join(', ')} on ${name}; only its key policy can, and doctor cannot read key policies (if it does not name the role, rotations fail: deploy with KmsKeyArn / ManagementKmsKeyArn set to the key)`);
    } else allowed.push(`${use.results.map((r) => r.action).join(', ')} on ${name}`);
  }
  if (failed.length > 0) {
    return fail(
      id,
      `The function's role ${input.roleArn} may not use: ${failed.join('; ')}.`,
      "Deploy the SAM application with KmsKeyArn (and ManagementKmsKeyArn for the management secret's key) set to the key's ARN, or the CDK construct, whose role grants them; or add them to the role. Another account's key must also allow the role in its key policy.",
    );
  }
  if (unknown.length > 0) return notChecked(id, `${unknown.join('; ')}${allowed.length > 0 ? `. The role's IAM policies allow ${allowed.join('; ')}` : ''}`);
  return ok(id, `The function's role may ${allowed.join('; ')} (IAM policy simulation; the key policy must let IAM policies grant it, as the default key policy does).`);
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
  /**
   * Interface endpoints to services that are not AWS's own: perhaps Momento's PrivateLink. A
   * provider's endpoint service is named com.amazonaws.vpce.<region>.vpce-svc-<id> (AWS
   * PrivateLink guide, "Share your services through AWS PrivateLink"): one of these.
   */
  readonly otherInterfaceEndpoints: readonly string[];
}

/** Whether an interface endpoint's service is one of AWS's own (com.amazonaws.<region>.<service>), not a provider's endpoint service. */
export const isAwsServiceEndpoint = (serviceName: string) => serviceName.startsWith('com.amazonaws.') && !serviceName.startsWith('com.amazonaws.vpce.');

/**
 * `mints`: whether rotations mint (a v2 key, or a v1 key being migrated), which needs HTTPS to
 * Momento's key-management host; undefined when that is not known (the value could not be read).
 */
export function vpcCheck(facts: VpcFacts | undefined, input: { mints: boolean | undefined; region: string }): Check {
  const id = 'vpc';
  if (facts === undefined) return ok(id, 'The function is not in a VPC: it reaches Secrets Manager and Momento over the internet.');
  const isolated = facts.subnets.filter((s) => !s.internet).map((s) => s.subnetId);
  const fix =
    `Give subnets ${isolated.join(', ')} a default route through a NAT gateway; or add an interface endpoint ` +
    `com.amazonaws.${input.region}.secretsmanager and Momento's PrivateLink (docs/deploy.md, "Running in a VPC")` +
    (input.mints !== false ? '; minting and revoking v2 keys also need HTTPS to the key-management host, which needs NAT' : '');
  if (isolated.length === 0) return ok(id, `The function's subnets in ${facts.vpcId} route to the internet (NAT).`);
  const missing: string[] = [];
  if (!facts.secretsManagerEndpoint) missing.push('Secrets Manager (no NAT route, no secretsmanager interface endpoint)');
  if (facts.otherInterfaceEndpoints.length === 0) missing.push("Momento's endpoint (no NAT route, no PrivateLink endpoint)");
  if (input.mints === true) missing.push("Momento's key-management host over HTTPS (no NAT route)");
  if (missing.length > 0) return fail(id, `From subnets ${isolated.join(', ')} the function cannot reach: ${missing.join('; ')}.`, fix);
  if (input.mints === undefined) {
    return notChecked(
      id,
      `subnets ${isolated.join(', ')} have no NAT route, so a rotation that mints (a v2 key) cannot reach Momento's key-management host; whether this secret's rotations mint is unknown, as its value could not be read`,
    );
  }
  return warn(
    id,
    `Subnets ${isolated.join(', ')} have no NAT route; the VPC has a Secrets Manager endpoint and other interface endpoints (${facts.otherInterfaceEndpoints.join(', ')}), which doctor cannot tell are Momento's PrivateLink.`,
    "Check that one of them is Momento's PrivateLink endpoint for your cell (docs/deploy.md, \"Running in a VPC\").",
  );
}

/** Exit code: 1 when any check failed. */
export const exitCodeFor = (checks: readonly Check[]) => (checks.some((c) => c.verdict === 'fail') ? 1 : 0);

/**
 * The longest a rotation may take: its window. RotationRules.Duration ("3h") when set; without
 * it the window closes after one hour for a schedule in hours, and at the end of the UTC day
 * for one in days (RotationRulesType): a day bounds both but rate(N hours).
 */
export function rotationWindowMs(rules: { readonly Duration?: string | undefined; readonly ScheduleExpression?: string | undefined; readonly AutomaticallyAfterDays?: number | undefined } | undefined): number {
  const duration = /^(\d+)h$/.exec(rules?.Duration ?? '');
  if (duration) return Number(duration[1]) * HOUR_MS;
  if (/^rate\(\s*\d+\s+hours?\s*\)$/.test(rules?.ScheduleExpression ?? '')) return HOUR_MS;
  return DAY_MS;
}
