import { GetFunctionConfigurationCommand, ListTagsCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  GetSecretValueCommand,
  type RotationRulesType,
  type SecretListEntry,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { rotationWindowMs, SCHEDULE_MARGIN_DAYS } from '../../doctor/checks.js';
import { inspectApiKey } from '../../momento/api-key.js';
import { rememberSecret, scrub } from '../../observability/redact.js';
import { ROTATION_FUNCTION_TAG } from '../../rotation-function-tag.js';
import { KEY_FIELDS } from '../../secret/key-file.js';
import { describeStoredValue, type VersionReport } from '../../secret/stored-value.js';
import { CliError, errorName } from '../errors.js';
import { keyApiAccess, listKeys } from '../key-api.js';
import { secretNames } from '../key-holders.js';
import { listEverySecret, mapBounded } from '../list-secrets.js';
import { table, type Output } from '../output.js';

/**
 * `status --all`: every secret of the Region that this project rotates, one line each, from
 * ListSecrets (every page, 100 a page), one GetSecretValue of AWSCURRENT per secret included
 * and one lambda:ListTags per distinct rotation function: 1 + ceil(N/100) + N calls for N
 * secrets on one function, whatever state they are in (a pending rotation is dated from
 * ListSecrets' own LastChangedDate, see pendingRotation). Momento is asked nothing unless
 * --check-keys, which adds the management secret, one listing of the keys at Momento, and a
 * lambda:GetFunctionConfiguration per function with a v2 key that listing lacks.
 * Everything printed goes through scrub: no key or token read here reaches the output.
 */

export type Verdict = 'ok' | 'warn' | 'fail';

/**
 * What became of the last rotation: see lastRotationResult for what Secrets Manager records
 * and how it is read. 'pending': AWSPENDING is on a version other than AWSCURRENT's, not yet
 * known to have been there longer than the rotation window (running, or failed).
 */
export type RotationResult = 'succeeded' | 'failed' | 'pending' | '-';

export interface FleetSecret {
  readonly name: string;
  readonly arn: string;
  /** The rotation function's name (from RotationLambdaARN). */
  readonly function: string;
  readonly rotationEnabled: boolean;
  /** AWSCURRENT's key: v1, v2, legacy; "v2 bare" for a key stored without its fields; "not read" (its function does not exist); or what it is instead. */
  readonly key: string;
  readonly fingerprint?: string;
  /** v2: the key's id at Momento (its jti claim; not a secret). */
  readonly keyId?: string;
  readonly validUntil?: string;
  readonly daysLeft?: number;
  readonly lastRotated?: string;
  readonly nextRotation?: string;
  readonly lastRotation: RotationResult;
  /**
   * AWSPENDING on a version other than AWSCURRENT's. lastChanged: the secret's LastChangedDate,
   * which every way AWSPENDING lands on a version moves, so AWSPENDING has been there since
   * then or earlier; stuck: for longer than the rotation window (see pendingRotation).
   */
  readonly pending?: { readonly versionId: string; readonly lastChanged?: string; readonly stuck: boolean };
  /**
   * With --check-keys, for a v2 key with a key id: 'live' when the management key's account
   * lists it unexpired; 'not live' when it does not and the secret's rotation function uses
   * that same management secret (so the key is of that account: revoked or expired); 'not
   * checked' otherwise (whyNotCheckedAtMomento says why: another management secret, so
   * maybe another Momento account; none; or the function's configuration unreadable).
   */
  readonly atMomento?: 'live' | 'not live' | 'not checked';
  readonly whyNotCheckedAtMomento?: string;
  readonly verdict: Verdict;
  /** Why it is not ok, the failures first; empty when ok. */
  readonly reasons: readonly string[];
  /** What to do, one for each reason. */
  readonly actions: readonly string[];
}

/** A function that secrets of the Region name as their rotation function, and how it was judged. */
export interface FleetFunction {
  readonly arn: string;
  readonly name: string;
  /** tagged: carries the tag; named: --function names it; untagged; missing: no such function; unreadable: its tags could not be read. */
  readonly judged: 'tagged' | 'named' | 'untagged' | 'missing' | 'unreadable';
  readonly problem?: string;
  /** Names of the secrets naming it. */
  readonly secrets: readonly string[];
  /**
   * With --check-keys, when a key of its secrets is missing from the management key's listing:
   * its MOMENTO_MANAGEMENT_SECRET_ARN, and whether that is the secret --management-secret-id names.
   */
  readonly managementSecret?: { readonly id: string | undefined; readonly same: boolean } | { readonly unreadable: string };
}

export interface FleetReport {
  readonly region: string;
  /** The tag looked for, as key=value. */
  readonly tag: string;
  readonly functionNamed?: string;
  readonly secrets: readonly FleetSecret[];
  readonly functions: readonly FleetFunction[];
  readonly summary: { readonly secrets: number; readonly ok: number; readonly warn: number; readonly fail: number };
}

export interface StatusAllOptions {
  readonly json: boolean;
  /** --function: a function name or ARN whose secrets are included too, tag or no tag. */
  readonly functionName?: string | undefined;
  /** --check-keys --management-secret-id: the management secret, to list the keys at Momento. */
  readonly checkKeysWith?: string | undefined;
  readonly now?: number;
}

/** Calls in flight at once (GetSecretValue, ListTags, GetFunctionConfiguration). */
const CONCURRENCY = 8;
/** A key expiring within this many days is a warning, whatever the schedule. */
export const EXPIRY_WARN_DAYS = 7;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A secret of the Region as ListSecrets names it: to tell which secret a management secret id means. */
interface ListedSecret {
  readonly arn: string;
  readonly name: string | undefined;
}

export async function statusAll(
  client: SecretsManagerClient,
  lambda: LambdaClient,
  options: StatusAllOptions,
  io: Output,
): Promise<FleetReport> {
  const now = options.now ?? Date.now();
  const region = await client.config.region();
  const named = options.functionName === undefined ? undefined : functionNameOf(options.functionName);
  // Every line goes through scrub, as doctor's do: whatever secret this process has read (and
  // remembered) is redacted, even if a message quoting a stored value slips through.
  const out: Output = { out: (line) => io.out(scrub(line)), err: (line) => io.err(scrub(line)) };

  // A bad management secret fails before anything else is read.
  const liveKeyIds = options.checkKeysWith === undefined ? undefined : await liveKeysAtMomento(client, options.checkKeysWith, now);

  const { withFunction: listed, all } = await listSecrets(client);
  const byFunction = new Map<string, SecretListEntry[]>();
  for (const entry of listed) {
    const arn = unqualified(entry.RotationLambdaARN!);
    if (!byFunction.has(arn)) byFunction.set(arn, []);
    byFunction.get(arn)!.push(entry);
  }
  const functions = await mapBounded([...byFunction.entries()], CONCURRENCY, ([arn, entries]) =>
    judgeFunction(lambda, arn, named, entries.map((e) => e.Name ?? e.ARN!)),
  );
  const included = functions
    .filter((f) => f.judged === 'tagged' || f.judged === 'named')
    .flatMap((f) => byFunction.get(f.arn)!.map((entry) => ({ entry, fn: f })));
  // A function that no longer exists carries no tag to say whose it was. With rotation on, every
  // rotation of its secrets fails (Secrets Manager invokes a function that is not there): they
  // fail, unread. With rotation off nothing will try: left over from a deleted stack, a note.
  const orphaned = functions
    .filter((f) => f.judged === 'missing')
    .flatMap((f) => byFunction.get(f.arn)!.filter((entry) => entry.RotationEnabled === true).map((entry) => ({ entry, fn: f })));

  const management = liveKeyIds === undefined ? undefined : managementSecretsOfFunctions(lambda, options.checkKeysWith!, all);
  const checkKeys = liveKeyIds === undefined ? undefined : { liveKeyIds, managementOf: management!.of };
  const secrets = [
    ...(await mapBounded(included, CONCURRENCY, ({ entry, fn }) => judgeSecret(client, entry, fn, now, checkKeys))),
    ...orphaned.map(({ entry, fn }) => judgeOrphan(entry, fn, now)),
  ];
  const order: Record<Verdict, number> = { fail: 0, warn: 1, ok: 2 };
  secrets.sort((a, b) => order[a.verdict] - order[b.verdict] || a.name.localeCompare(b.name));
  const count = (verdict: Verdict) => secrets.filter((s) => s.verdict === verdict).length;
  const managementRead = management?.read() ?? new Map<string, FunctionManagement>();
  const report: FleetReport = {
    region,
    tag: `${ROTATION_FUNCTION_TAG.key}=${ROTATION_FUNCTION_TAG.value}`,
    ...(named !== undefined ? { functionNamed: named } : {}),
    secrets,
    functions: functions
      .map((f) => (managementRead.has(f.arn) ? { ...f, managementSecret: managementRead.get(f.arn)! } : f))
      .sort((a, b) => a.name.localeCompare(b.name)),
    summary: { secrets: secrets.length, ok: count('ok'), warn: count('warn'), fail: count('fail') },
  };

  if (options.json) out.out(JSON.stringify(report, null, 2));
  else printFleet(report, liveKeyIds !== undefined, options.checkKeysWith, out);

  const unreadable = report.functions.filter((f) => f.judged === 'unreadable');
  const unreadableConfig = report.functions.filter((f) => f.managementSecret !== undefined && 'unreadable' in f.managementSecret);
  const uncheckedByConfig = report.secrets.filter((s) => s.atMomento === 'not checked' && unreadableConfig.some((f) => f.name === s.function)).length;
  const problems = [
    ...(report.summary.fail > 0 ? [`${report.summary.fail} of ${plural(report.summary.secrets, 'secret')} failed.`] : []),
    ...(unreadable.length > 0
      ? [
          `Could not tell whether ${plural(unreadable.length, 'function')} (${unreadable.map((f) => f.name).join(', ')}) ` +
            `${unreadable.length === 1 ? 'is' : 'are'} this project's, so ${plural(unreadable.reduce((n, f) => n + f.secrets.length, 0), 'secret')} went unchecked: ` +
            'grant lambda:ListTags on them, or name the function with --function.',
        ]
      : []),
    ...(unreadableConfig.length > 0
      ? [
          `Could not read which management secret ${plural(unreadableConfig.length, 'function')} (${unreadableConfig.map((f) => f.name).join(', ')}) ` +
            `${unreadableConfig.length === 1 ? 'uses' : 'use'}, so ${plural(uncheckedByConfig, 'v2 key')} that Momento does not list went unchecked: ` +
            'grant lambda:GetFunctionConfiguration on them.',
        ]
      : []),
  ];
  if (problems.length > 0) throw new CliError(scrub(problems.join(' ')));
  return report;
}

/**
 * Every secret of the Region (every page), and those naming a rotation function (with rotation
 * on or off). The others are kept by ARN and name only, to tell which secret a management
 * secret id means.
 */
async function listSecrets(client: SecretsManagerClient): Promise<{ withFunction: SecretListEntry[]; all: ListedSecret[] }> {
  const withFunction: SecretListEntry[] = [];
  const all: ListedSecret[] = [];
  try {
    for (const entry of await listEverySecret(client)) {
      // AWS keeps RotationLambdaARN after CancelRotateSecret (RotationRules docs), so a secret
      // whose rotation was turned off is still found by its function.
      all.push({ arn: entry.ARN, name: entry.Name });
      if (entry.RotationLambdaARN) withFunction.push(entry);
    }
  } catch (error) {
    if (errorName(error) === 'AccessDeniedException' || errorName(error) === 'AccessDenied') {
      throw new CliError(
        `ListSecrets was denied (${errorMessage(error)}). status --all needs secretsmanager:ListSecrets, lambda:ListTags on the ` +
          'rotation functions, and secretsmanager:GetSecretValue (with kms:Decrypt) on the secrets.',
      );
    }
    throw error;
  }
  return { withFunction, all };
}

/** Whether a function is this project's: named by --function (no call), or carrying the tag (one ListTags). */
async function judgeFunction(lambda: LambdaClient, arn: string, named: string | undefined, secrets: string[]): Promise<FleetFunction> {
  const name = functionNameOf(arn);
  const base = { arn, name, secrets: secrets.sort((a, b) => a.localeCompare(b)) };
  if (named !== undefined && name === named) return { ...base, judged: 'named' };
  try {
    const { Tags } = await lambda.send(new ListTagsCommand({ Resource: arn }));
    return { ...base, judged: Tags?.[ROTATION_FUNCTION_TAG.key] === ROTATION_FUNCTION_TAG.value ? 'tagged' : 'untagged' };
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return { ...base, judged: 'missing', problem: 'no such function' };
    return { ...base, judged: 'unreadable', problem: `${errorName(error)}: ${errorMessage(error)}` };
  }
}

/** The management secret a rotation function uses (its MOMENTO_MANAGEMENT_SECRET_ARN), against the one --management-secret-id names. */
type FunctionManagement = { readonly id: string | undefined; readonly same: boolean } | { readonly unreadable: string };

/** --check-keys: what judgeSecret needs to say whether a v2 key is live at Momento. */
interface CheckKeys {
  readonly liveKeyIds: ReadonlySet<string>;
  readonly managementOf: (functionArn: string) => Promise<FunctionManagement>;
}

/**
 * Which management secret each rotation function uses, read with one
 * lambda:GetFunctionConfiguration per function, and only for a function one of whose v2 keys
 * the management key's listing lacks: a key it lists is live whoever mints its successor. Only
 * a function that uses the same management secret makes a missing key "revoked or expired":
 * with another one (another stack, maybe another Momento account), the listing says nothing of
 * its keys. Opt-in with --check-keys, which asks Momento anyway; without it, no such call.
 */
function managementSecretsOfFunctions(lambda: LambdaClient, given: string, listed: readonly ListedSecret[]) {
  const read = new Map<string, Promise<FunctionManagement>>();
  const settled = new Map<string, FunctionManagement>();
  const givenArn = listedArnOf(given, listed);
  const readOne = async (functionArn: string): Promise<FunctionManagement> => {
    try {
      const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionArn }));
      // As the function reads it (src/config.ts).
      const id = config.Environment?.Variables?.MOMENTO_MANAGEMENT_SECRET_ARN?.trim() || undefined;
      return { id, same: id !== undefined && listedArnOf(id, listed) === givenArn };
    } catch (error) {
      return { unreadable: `${errorName(error)}: ${errorMessage(error)}` };
    }
  };
  return {
    of: (functionArn: string): Promise<FunctionManagement> => {
      if (!read.has(functionArn)) read.set(functionArn, readOne(functionArn).then((m) => (settled.set(functionArn, m), m)));
      return read.get(functionArn)!;
    },
    /** What was read, by function ARN (every read has settled once the secrets are judged). */
    read: (): ReadonlyMap<string, FunctionManagement> => settled,
  };
}

/**
 * A secret id (name, ARN, or partial ARN: the ARN without Secrets Manager's "-" and six
 * characters) as the ARN of the secret of the Region it names, or as given when none: the
 * template passes the management secret's ARN, the CDK construct its ARN or name, and
 * --management-secret-id takes any of them.
 */
function listedArnOf(id: string, listed: readonly ListedSecret[]): string {
  const match = listed.find(
    (s) => s.arn === id || s.name === id || (id.startsWith('arn:') && s.arn.length === id.length + 7 && s.arn.startsWith(`${id}-`)),
  );
  return match?.arn ?? id;
}

async function judgeSecret(client: SecretsManagerClient, entry: SecretListEntry, fn: FleetFunction, now: number, checkKeys: CheckKeys | undefined): Promise<FleetSecret> {
  const arn = entry.ARN!;
  const name = entry.Name ?? arn;
  const schedule = scheduleOf(entry, now);
  const { rotationEnabled, nextRotation, window, pending } = schedule;
  const currentId = holderOf(entry, 'AWSCURRENT');

  const current = await readCurrent(client, arn, name, currentId, now);
  const lastRotation = lastRotationResult({ pending, rotationEnabled, lastRotated: schedule.lastRotated, nextRotation, currentCreated: current.created, window, now });

  const fail: [string, string][] = [];
  const warn: [string, string][] = [];
  const key = current.report;
  if (!rotationEnabled) fail.push(ROTATION_OFF);
  if (current.problem !== undefined) {
    fail.push([current.problem, current.action!]);
  } else if (key !== undefined && key.rotatesBy === undefined) {
    fail.push(cannotRotate(key, name));
  }
  const expiresAt = key?.validUntil === undefined ? undefined : Date.parse(key.validUntil);
  if (expiresAt !== undefined && expiresAt <= now) {
    fail.push([
      `key expired ${shortDate(key!.validUntil!)}`,
      key!.kind === 'v2'
        ? `rotate now, which mints a new key with the management key: momento-secret-rotation rotate --secret-id ${name}`
        : `generate a new key in the Momento console and import it: momento-secret-rotation import --file momento_token.info.json --secret-id ${name}`,
    ]);
  }
  pendingAndOverdue(schedule, name, now, fail, warn);
  let atMomento: FleetSecret['atMomento'];
  let whyNotCheckedAtMomento: string | undefined;
  if (checkKeys !== undefined && key?.kind === 'v2' && key.keyId !== undefined) {
    if (checkKeys.liveKeyIds.has(key.keyId)) {
      atMomento = 'live';
    } else {
      const management = await checkKeys.managementOf(fn.arn);
      if ('unreadable' in management) {
        atMomento = 'not checked';
        whyNotCheckedAtMomento = `which management secret function ${fn.name} uses could not be read (${management.unreadable})`;
      } else if (management.same) {
        atMomento = 'not live';
        fail.push([
          `key ${key.keyId} is revoked or expired at Momento`,
          `applications reading it cannot authenticate: rotate now, which mints a new key: momento-secret-rotation rotate --secret-id ${name}`,
        ]);
      } else {
        atMomento = 'not checked';
        whyNotCheckedAtMomento =
          management.id === undefined
            ? `function ${fn.name} has no management secret (MOMENTO_MANAGEMENT_SECRET_ARN), so which Momento account the key is of cannot be told`
            : `function ${fn.name} uses another management secret, ${management.id} (maybe another Momento account), whose listing was not read`;
      }
    }
  }
  if (expiresAt !== undefined && expiresAt > now) {
    // As doctor's schedule check (src/doctor/checks.ts scheduleCheck), for v1 and v2 keys alike:
    // a v1 key cannot be refreshed once expired, and a v2 key, though its successor needs only
    // the management key, is lost to the applications reading it from its expiry until then.
    const spareMs = nextRotation === undefined ? undefined : expiresAt - nextRotation.getTime();
    const reschedule =
      `rotate now (momento-secret-rotation rotate --secret-id ${name}), and make the schedule (RotationScheduleExpression) shorter ` +
      `than the key's lifetime (KeyLifetimeDays for minted keys) by at least ${SCHEDULE_MARGIN_DAYS} days`;
    if (spareMs !== undefined && spareMs < 0) {
      fail.push([`key expires ${shortDate(key!.validUntil!)}, before the next rotation (${shortDate(nextRotation!.toISOString())})`, reschedule]);
    } else if (spareMs !== undefined && spareMs < SCHEDULE_MARGIN_DAYS * DAY_MS) {
      warn.push([
        `key expires ${shortDate(key!.validUntil!)}, under ${SCHEDULE_MARGIN_DAYS} days after the next rotation (${shortDate(nextRotation!.toISOString())}): little time to fix it if it fails`,
        reschedule,
      ]);
    } else if (expiresAt - now < EXPIRY_WARN_DAYS * DAY_MS) {
      warn.push([`key expires ${shortDate(key!.validUntil!)}, within ${EXPIRY_WARN_DAYS} days`, `rotate it: momento-secret-rotation rotate --secret-id ${name}`]);
    }
  }
  if (key?.kind === 'v2' && key.holds === 'key-file' && key.keyId === undefined) {
    warn.push(['v2 key without a key id (jti): never revoked by id', 'once it leaves the secret, revoke it in the Momento console']);
  }
  for (const conflict of key?.conflicts ?? []) warn.push([conflict, `import the key again to store what the key says: momento-secret-rotation import --secret-id ${name}`]);

  const reasons = [...fail, ...warn];
  const verdict: Verdict = fail.length > 0 ? 'fail' : warn.length > 0 ? 'warn' : 'ok';
  return {
    name,
    arn,
    function: fn.name,
    rotationEnabled,
    key: current.kind,
    ...(key?.fingerprint !== undefined ? { fingerprint: key.fingerprint } : {}),
    ...(key?.keyId !== undefined ? { keyId: key.keyId } : {}),
    ...(key?.validUntil !== undefined ? { validUntil: key.validUntil } : {}),
    ...(key?.daysLeft !== undefined ? { daysLeft: key.daysLeft } : {}),
    ...datesOf(schedule),
    lastRotation,
    ...(pending ? { pending } : {}),
    ...(atMomento !== undefined ? { atMomento } : {}),
    ...(whyNotCheckedAtMomento !== undefined ? { whyNotCheckedAtMomento } : {}),
    verdict,
    reasons: reasons.map(([reason]) => reason),
    actions: reasons.map(([, action]) => action),
  };
}

/**
 * A secret with rotation on whose rotation function does not exist: every rotation fails (as
 * doctor's function check says). Its value is not read: without the function's tag, whose
 * secret it is cannot be told, and it may be another project's.
 */
function judgeOrphan(entry: SecretListEntry, fn: FleetFunction, now: number): FleetSecret {
  const arn = entry.ARN!;
  const name = entry.Name ?? arn;
  const schedule = scheduleOf(entry, now);
  const { rotationEnabled, nextRotation, window, pending } = schedule;
  const fail: [string, string][] = [
    [
      `rotation function ${fn.name} does not exist: every rotation fails`,
      `if this project rotated it, redeploy the SAM application or CDK construct that set its rotation up (then: momento-secret-rotation status --secret-id ${name}); ` +
        `if not, this is not its secret: aws secretsmanager cancel-rotate-secret --secret-id ${name} stops the failing rotations`,
    ],
  ];
  const warn: [string, string][] = [];
  pendingAndOverdue(schedule, name, now, fail, warn);
  const reasons = [...fail, ...warn];
  return {
    name,
    arn,
    function: fn.name,
    rotationEnabled,
    key: 'not read',
    ...datesOf(schedule),
    lastRotation: lastRotationResult({ pending, rotationEnabled, lastRotated: schedule.lastRotated, nextRotation, currentCreated: undefined, window, now }),
    ...(pending ? { pending } : {}),
    verdict: 'fail',
    reasons: reasons.map(([reason]) => reason),
    actions: reasons.map(([, action]) => action),
  };
}

const ROTATION_OFF: [string, string] = ['rotation off', 'turn automatic rotation on again: redeploy the SAM application or CDK construct that set it up'];

/** Why AWSCURRENT's key cannot be rotated, and how to store one that can: v2 keys are imported from stdin, which derives their fields. */
function cannotRotate(key: VersionReport, name: string): [string, string] {
  if (key.kind === 'v2') {
    return [
      `AWSCURRENT cannot be rotated: ${key.problem}`,
      `import the key again, which derives them: echo -n "$KEY" | momento-secret-rotation import --secret-id ${name} --management-secret-id NAME`,
    ];
  }
  return [
    `AWSCURRENT cannot be rotated: ${key.problem ?? 'not a key file'}`,
    `store the key file the Momento console downloads with a new key: momento-secret-rotation import --file momento_token.info.json --secret-id ${name}`,
  ];
}

interface Schedule {
  readonly rotationEnabled: boolean;
  readonly lastRotated: Date | undefined;
  /** NextRotationDate while rotation is on (AWS returns none while it is off). */
  readonly nextRotation: Date | undefined;
  readonly window: number;
  readonly pending: FleetSecret['pending'];
}

/** What ListSecrets says of a secret's rotation, without another call. */
function scheduleOf(entry: SecretListEntry, now: number): Schedule {
  const rotationEnabled = entry.RotationEnabled === true;
  const window = rotationWindowMs(entry.RotationRules);
  return {
    rotationEnabled,
    lastRotated: entry.LastRotatedDate,
    nextRotation: rotationEnabled ? entry.NextRotationDate : undefined,
    window,
    pending: pendingRotation(entry, window, now),
  };
}

function datesOf(schedule: Schedule): { lastRotated?: string; nextRotation?: string } {
  return {
    ...(schedule.lastRotated ? { lastRotated: schedule.lastRotated.toISOString() } : {}),
    ...(schedule.nextRotation ? { nextRotation: schedule.nextRotation.toISOString() } : {}),
  };
}

function holderOf(entry: SecretListEntry, stage: string): string | undefined {
  return Object.entries(entry.SecretVersionsToStages ?? {}).find(([, labels]) => labels.includes(stage))?.[0];
}

/**
 * AWSPENDING on a version other than AWSCURRENT's, dated from ListSecrets alone: the version's
 * own CreatedDate would take a ListSecretVersionIds per such secret, over the call budget just
 * when a fleet is mid-rotation or its function fails everywhere.
 *
 * SecretListEntry.LastChangedDate is "the last date and time that this secret was modified in
 * any way", and every way AWSPENDING comes onto a version modifies the secret: RotateSecret, the
 * function's createSecret step (PutSecretValue with AWSPENDING), UpdateSecretVersionStage. So
 * AWSPENDING has been there since LastChangedDate or earlier: unchanged for longer than the
 * rotation window, the rotation is stuck for certain. A later change (a tag, a description, a
 * key imported as AWSCURRENT) moves the date and makes a stuck rotation look recent for one more
 * window at most; a NextRotationDate passed by more than the window is reported as overdue all
 * the same (pendingAndOverdue). LastAccessedDate is no help: it is truncated to the day and moved
 * by every GetSecretValue, this command's own and every application's.
 * moto 5.x's RotateSecret stages AWSPENDING without moving LastChangedDate (rotate_secret in
 * moto/secretsmanager/models.py): there it is the secret's last write before the rotation.
 */
function pendingRotation(entry: SecretListEntry, window: number, now: number): FleetSecret['pending'] {
  const currentId = holderOf(entry, 'AWSCURRENT');
  const pendingId = holderOf(entry, 'AWSPENDING');
  if (pendingId === undefined || pendingId === currentId) return undefined;
  const lastChanged = entry.LastChangedDate;
  return {
    versionId: pendingId,
    ...(lastChanged ? { lastChanged: lastChanged.toISOString() } : {}),
    stuck: lastChanged !== undefined && now - lastChanged.getTime() > window,
  };
}

/** A rotation pending or stuck, and one overdue: reasons from the schedule alone. */
function pendingAndOverdue(schedule: Schedule, name: string, now: number, fail: [string, string][], warn: [string, string][]): void {
  const { pending, nextRotation, window } = schedule;
  if (pending?.stuck) {
    fail.push([
      `rotation stuck: pending since ${shortDate(pending.lastChanged!)} or earlier, longer than its window (AWSPENDING on version ${pending.versionId})`,
      `momento-secret-rotation repair --secret-id ${name}`,
    ]);
  } else if (pending !== undefined) {
    warn.push([
      `rotation pending${pending.lastChanged ? ` since ${shortDate(pending.lastChanged)} or earlier` : ''} (AWSPENDING on version ${pending.versionId}): running, or stuck`,
      `if it is still there after the rotation window: momento-secret-rotation repair --secret-id ${name}`,
    ]);
  }
  if (nextRotation !== undefined && now > nextRotation.getTime()) {
    const overdue = `rotation overdue: due by ${shortDate(nextRotation.toISOString())}`;
    const action = `read the rotation function's logs for why, then: momento-secret-rotation rotate --secret-id ${name}`;
    if (now - nextRotation.getTime() > window) fail.push([overdue, action]);
    else warn.push([overdue, action]);
  }
}

interface CurrentKey {
  /** What the KEY column says. */
  readonly kind: string;
  readonly report: VersionReport | undefined;
  /** When AWSCURRENT's version was created. */
  readonly created: Date | undefined;
  /** Why AWSCURRENT holds no key to judge (unreadable, no value), and what to do. */
  readonly problem?: string;
  readonly action?: string;
}

/** AWSCURRENT's value, read once and described without its secrets (remembered for redaction). */
async function readCurrent(client: SecretsManagerClient, arn: string, name: string, currentId: string | undefined, now: number): Promise<CurrentKey> {
  let out;
  try {
    out = await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }));
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') {
      return { kind: 'no value', report: undefined, created: undefined, problem: 'AWSCURRENT has no value', action: `import a key: momento-secret-rotation import --secret-id ${name}` };
    }
    return {
      kind: 'unreadable',
      report: undefined,
      created: undefined,
      problem: `AWSCURRENT unreadable (${errorName(error)})`,
      action: 'the caller needs secretsmanager:GetSecretValue on it, and kms:Decrypt on its KMS key',
    };
  }
  rememberKeysIn(out.SecretString);
  if (out.SecretString === undefined && out.SecretBinary !== undefined) {
    return { kind: 'binary', report: undefined, created: out.CreatedDate, problem: 'AWSCURRENT holds a binary value, not a key', action: `import a key: momento-secret-rotation import --secret-id ${name}` };
  }
  const described = describeStoredValue({ versionId: out.VersionId ?? currentId ?? '-', stages: ['AWSCURRENT'], created: out.CreatedDate?.toISOString() }, out.SecretString, now);
  // Its words about the stored value are scrubbed now, while this value's secrets are among the
  // last remembered: redact.ts keeps the latest 256, fewer than a fleet's keys and tokens.
  // A bare v2 key comes described with its own claims (jti, exp): DAYS LEFT, the expiry verdicts
  // and --check-keys judge it as any v2 key.
  const report: VersionReport = {
    ...described,
    problem: described.problem === undefined ? undefined : scrub(described.problem),
    ...(described.conflicts !== undefined ? { conflicts: described.conflicts.map(scrub) } : {}),
  };
  const kind =
    report.holds === 'key-file'
      ? report.kind === 'unrecognised'
        ? 'not a key'
        : report.kind!
      : report.holds === 'bare-key'
        ? `${report.kind} bare`
        : report.holds === 'no-value'
          ? 'no value'
          : 'not a key';
  return { kind, report, created: out.CreatedDate };
}

/**
 * Remembers, for scrub, every key a stored value holds wherever it sits: the value itself, and
 * in a JSON object each string that is a Momento key (by its shape, in whatever field: a file
 * edited by hand may hold the key under "endpoint") or under a field that holds keys or tokens.
 */
function rememberKeysIn(secretString: string | undefined): void {
  rememberSecret(secretString);
  if (secretString === undefined) return;
  rememberSecret(secretString.trim());
  let fields: unknown;
  try {
    fields = JSON.parse(secretString);
  } catch {
    return;
  }
  if (typeof fields !== 'object' || fields === null) return;
  const secretFields = new Set<string>([...KEY_FIELDS, 'refreshToken', 'api_key', 'refresh_token']);
  for (const [field, value] of Object.entries(fields)) {
    if (typeof value !== 'string') continue;
    const trimmed = value.trim();
    const claims = inspectApiKey(trimmed);
    if (secretFields.has(field) || claims.kind !== 'unrecognised') {
      rememberSecret(value);
      rememberSecret(trimmed);
      rememberSecret(claims.innerJwt);
    }
  }
}

/**
 * What Secrets Manager records of the last rotation, read without another call:
 * - AWSPENDING on a version other than AWSCURRENT's: a rotation started and has not finished.
 *   RotateSecret's reference: an unsuccessful rotation leaves AWSPENDING there (and blocks the
 *   next one). Not known to be older than the rotation window, it may still be running
 *   ('pending'); older (pendingRotation dates it), it failed.
 * - NextRotationDate passed by more than the window, with rotation on: the scheduled rotation
 *   did not succeed (its reference: "If rotation is unsuccessful, this date may be in the past").
 * - LastRotatedDate is "the most recent date and time that the Secrets Manager rotation process
 *   was successfully completed" (SecretListEntry). A successful rotation ends by moving AWSCURRENT
 *   onto the version it created at its start, so AWSCURRENT's version was created at most one
 *   rotation window before LastRotatedDate (the window bounds the rotation, retries included),
 *   or after it (a key stored by hand since: PutSecretValue counts as a rotation for the
 *   schedule). That is 'succeeded'. moto sets LastRotatedDate when RotateSecret is called, so
 *   the window's slack covers both readings.
 * - AWSCURRENT older than that: the rotation recorded did not leave its version current (labels
 *   moved by hand, or a test-only RotateImmediately=false): not determinable, '-'. So is a
 *   secret never rotated (no LastRotatedDate).
 */
export function lastRotationResult(facts: {
  pending: FleetSecret['pending'];
  rotationEnabled: boolean;
  lastRotated: Date | undefined;
  nextRotation: Date | undefined;
  currentCreated: Date | undefined;
  window: number;
  now: number;
}): RotationResult {
  const { pending, rotationEnabled, lastRotated, nextRotation, currentCreated, window, now } = facts;
  if (pending !== undefined) return pending.stuck ? 'failed' : 'pending';
  if (rotationEnabled && nextRotation !== undefined && now - nextRotation.getTime() > window) return 'failed';
  if (lastRotated === undefined) return '-';
  if (currentCreated !== undefined && currentCreated.getTime() >= lastRotated.getTime() - window) return 'succeeded';
  return '-';
}

/** The keys Momento lists for the management key's account, unexpired, by key id: one listing. */
async function liveKeysAtMomento(client: SecretsManagerClient, managementSecretId: string, now: number): Promise<Set<string>> {
  const access = await keyApiAccess(client, managementSecretId);
  const listed = await listKeys(access, 'list the keys at Momento');
  return new Set(listed.filter((k) => k.expiresAt === undefined || k.expiresAt * 1000 > now).map((k) => k.keyId));
}

function printFleet(report: FleetReport, checkedKeys: boolean, managementSecretId: string | undefined, io: Output): void {
  if (report.secrets.length > 0) {
    const rows = [
      ['NAME', 'KEY', 'DAYS LEFT', 'LAST ROTATION', 'NEXT ROTATION', 'RESULT', 'STUCK', ...(checkedKeys ? ['AT MOMENTO'] : []), 'VERDICT', 'REASON'],
      ...report.secrets.map((s) => [
        s.name,
        s.key,
        s.daysLeft === undefined ? '-' : String(s.daysLeft),
        s.lastRotated ? shortDate(s.lastRotated) : '-',
        s.nextRotation ? shortDate(s.nextRotation) : '-',
        s.lastRotation,
        s.pending === undefined ? 'no' : s.pending.stuck ? 'yes' : 'pending',
        ...(checkedKeys ? [s.atMomento ?? '-'] : []),
        s.verdict,
        s.reasons.join('; '),
      ]),
    ];
    for (const line of table(rows)) io.out(line);
  } else {
    io.out(
      `No secret in ${report.region} names a rotation function tagged ${report.tag}` +
        `${report.functionNamed !== undefined ? ` or named ${report.functionNamed}` : ''}. ` +
        'A function deployed before that tag existed is found with --function NAME.',
    );
  }
  const { secrets, ok, warn, fail } = report.summary;
  io.out(`${plural(secrets, 'secret')}: ${ok} ok, ${warn} warn, ${fail} fail`);

  const todo = report.secrets.filter((s) => s.verdict !== 'ok');
  if (todo.length > 0) {
    io.out('');
    io.out('What to do:');
    for (const s of todo) for (const action of new Set(s.actions)) io.out(`  ${s.name}: ${action}`);
  }
  const notes: string[] = [];
  const names = (list: readonly string[]) => secretNames(list.map((name) => ({ name, arn: name })));
  for (const f of report.functions) {
    const shown = new Set(report.secrets.map((s) => s.name));
    const rotationOff = f.secrets.filter((name) => !shown.has(name));
    if (f.judged === 'missing' && rotationOff.length > 0) {
      notes.push(
        `Function ${f.name} does not exist, and ${plural(rotationOff.length, 'secret')} naming it as rotation function ` +
          `${rotationOff.length === 1 ? 'has' : 'have'} rotation off (left from a deleted stack?); not checked: ${names(rotationOff)}. ` +
          'If this project rotated them, redeploy it.',
      );
    } else if (f.judged === 'unreadable') {
      notes.push(
        `Could not read the tags of function ${f.name} (${f.problem}): ${plural(f.secrets.length, 'secret')} not checked ` +
          `(${secretNames(f.secrets.map((name) => ({ name, arn: name })))}). Grant lambda:ListTags on it, or pass --function ${f.name}.`,
      );
    }
  }
  for (const f of report.functions) {
    const unchecked = report.secrets.filter((s) => s.function === f.name && s.atMomento === 'not checked').map((s) => s.name);
    const management = f.managementSecret;
    if (unchecked.length === 0 || management === undefined) continue;
    const keys = `${plural(unchecked.length, 'v2 key')} that ${managementSecretId}'s account does not list (${names(unchecked)})`;
    if ('unreadable' in management) {
      notes.push(`Could not read the configuration of function ${f.name} (${management.unreadable}): ${keys} not checked at Momento. Grant lambda:GetFunctionConfiguration on it.`);
    } else if (management.id === undefined) {
      notes.push(
        `Not checked at Momento: ${keys}. Function ${f.name} has no management secret (MOMENTO_MANAGEMENT_SECRET_ARN), so which account they are of cannot be told, ` +
          'and it cannot mint their successors: momento-secret-rotation doctor --secret-id NAME says more.',
      );
    } else {
      notes.push(
        `Not checked at Momento: ${keys}. Function ${f.name} uses another management secret, ${management.id}: ` +
          `momento-secret-rotation status --all --check-keys --management-secret-id ${management.id} checks them.`,
      );
    }
  }
  if (report.functionNamed !== undefined && !report.functions.some((f) => f.judged === 'named')) {
    notes.push(`No secret in ${report.region} names function ${report.functionNamed} (--function) as its rotation function.`);
  }
  if (notes.length > 0) {
    io.out('');
    for (const note of notes) io.out(note);
  }
}

/** The function name in a Lambda ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]), or a name as given. */
export function functionNameOf(nameOrArn: string): string {
  const inArn = /(?:^|:)function:([^:]+)/.exec(nameOrArn);
  return inArn ? inArn[1]! : nameOrArn.split(':')[0]!;
}

/** A function ARN without its version or alias: tags belong to the function. */
function unqualified(arn: string): string {
  const match = /^(arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+)(?::.*)?$/.exec(arn);
  return match ? match[1]! : arn;
}

/** YYYY-MM-DD HH:MM, UTC. */
function shortDate(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Shared with doctor's schedule check, which judges an overdue rotation the same way.
export { rotationWindowMs } from '../../doctor/checks.js';
