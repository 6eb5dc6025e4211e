import { ListTagsCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  type RotationRulesType,
  type SecretListEntry,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { inspectApiKey } from '../../momento/api-key.js';
import { rememberSecret } from '../../observability/redact.js';
import { ROTATION_FUNCTION_TAG } from '../../rotation-function-tag.js';
import { CliError } from '../errors.js';
import { describeStoredValue, type VersionReport } from '../inspect-secret.js';
import { keyApiAccess, listKeys } from '../key-api.js';
import { secretNames } from '../key-holders.js';
import { table, type Output } from '../output.js';

/**
 * `status --all`: every secret of the Region that this project rotates, one line each, from
 * ListSecrets (every page, 100 a page), one GetSecretValue of AWSCURRENT per secret included
 * and one lambda:ListTags per distinct rotation function; a ListSecretVersionIds only for a
 * secret whose rotation is pending, to date it. Momento is asked nothing unless --check-keys.
 */

export type Verdict = 'ok' | 'warn' | 'fail';

/**
 * What became of the last rotation: see lastRotationResult for what Secrets Manager records
 * and how it is read. 'pending': AWSPENDING is on a version other than AWSCURRENT's, for less
 * than the rotation window (running, or failed and not yet known to be stuck).
 */
export type RotationResult = 'succeeded' | 'failed' | 'pending' | '-';

export interface FleetSecret {
  readonly name: string;
  readonly arn: string;
  /** The rotation function's name (from RotationLambdaARN). */
  readonly function: string;
  readonly rotationEnabled: boolean;
  /** AWSCURRENT's key: v1, v2, legacy; "v2 bare" for a key stored without its fields; or what it is instead. */
  readonly key: string;
  readonly fingerprint?: string;
  /** v2: the key's id at Momento (its jti claim; not a secret). */
  readonly keyId?: string;
  readonly validUntil?: string;
  readonly daysLeft?: number;
  readonly lastRotated?: string;
  readonly nextRotation?: string;
  readonly lastRotation: RotationResult;
  /** AWSPENDING on a version other than AWSCURRENT's: since when, and whether for longer than the rotation window. */
  readonly pending?: { readonly versionId: string; readonly since?: string; readonly stuck: boolean };
  /** With --check-keys, for a v2 key with a key id: whether Momento lists it, unexpired. */
  readonly atMomento?: 'live' | 'not live';
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

/** Calls in flight at once (GetSecretValue, ListTags). */
const CONCURRENCY = 8;
/** A key expiring within this many days is a warning, whatever the schedule. */
export const EXPIRY_WARN_DAYS = 7;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export async function statusAll(
  client: SecretsManagerClient,
  lambda: LambdaClient,
  options: StatusAllOptions,
  io: Output,
): Promise<FleetReport> {
  const now = options.now ?? Date.now();
  const region = await client.config.region();
  const named = options.functionName === undefined ? undefined : functionNameOf(options.functionName);

  // A bad management secret fails before anything else is read.
  const liveKeyIds = options.checkKeysWith === undefined ? undefined : await liveKeysAtMomento(client, options.checkKeysWith, now);

  const listed = await secretsWithRotationFunction(client);
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

  const secrets = await mapBounded(included, CONCURRENCY, ({ entry, fn }) => judgeSecret(client, entry, fn.name, now, liveKeyIds));
  const order: Record<Verdict, number> = { fail: 0, warn: 1, ok: 2 };
  secrets.sort((a, b) => order[a.verdict] - order[b.verdict] || a.name.localeCompare(b.name));
  const count = (verdict: Verdict) => secrets.filter((s) => s.verdict === verdict).length;
  const report: FleetReport = {
    region,
    tag: `${ROTATION_FUNCTION_TAG.key}=${ROTATION_FUNCTION_TAG.value}`,
    ...(named !== undefined ? { functionNamed: named } : {}),
    secrets,
    functions: functions.sort((a, b) => a.name.localeCompare(b.name)),
    summary: { secrets: secrets.length, ok: count('ok'), warn: count('warn'), fail: count('fail') },
  };

  if (options.json) io.out(JSON.stringify(report, null, 2));
  else printFleet(report, liveKeyIds !== undefined, io);

  const unreadable = report.functions.filter((f) => f.judged === 'unreadable');
  const problems = [
    ...(report.summary.fail > 0 ? [`${report.summary.fail} of ${plural(report.summary.secrets, 'secret')} failed.`] : []),
    ...(unreadable.length > 0
      ? [
          `Could not tell whether ${plural(unreadable.length, 'function')} (${unreadable.map((f) => f.name).join(', ')}) ` +
            `${unreadable.length === 1 ? 'is' : 'are'} this project's, so ${plural(unreadable.reduce((n, f) => n + f.secrets.length, 0), 'secret')} went unchecked: ` +
            'grant lambda:ListTags on them, or name the function with --function.',
        ]
      : []),
  ];
  if (problems.length > 0) throw new CliError(problems.join(' '));
  return report;
}

/** Every secret of the Region that names a rotation function (with rotation on or off), every page. */
async function secretsWithRotationFunction(client: SecretsManagerClient): Promise<SecretListEntry[]> {
  const secrets: SecretListEntry[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await client.send(new ListSecretsCommand({ MaxResults: 100, ...(nextToken ? { NextToken: nextToken } : {}) }));
      for (const entry of page.SecretList ?? []) {
        // Secrets scheduled for deletion are not listed by default (IncludePlannedDeletion); AWS
        // keeps RotationLambdaARN after CancelRotateSecret (RotationRules docs), so a secret whose
        // rotation was turned off is still found by its function.
        if (entry.ARN === undefined || entry.DeletedDate !== undefined || !entry.RotationLambdaARN) continue;
        secrets.push(entry);
      }
      nextToken = page.NextToken || undefined;
    } while (nextToken !== undefined);
  } catch (error) {
    if (errorName(error) === 'AccessDeniedException' || errorName(error) === 'AccessDenied') {
      throw new CliError(
        `ListSecrets was denied (${errorMessage(error)}). status --all needs secretsmanager:ListSecrets, lambda:ListTags on the ` +
          'rotation functions, and secretsmanager:GetSecretValue (with kms:Decrypt) on the secrets.',
      );
    }
    throw error;
  }
  return secrets;
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

async function judgeSecret(
  client: SecretsManagerClient,
  entry: SecretListEntry,
  fn: string,
  now: number,
  liveKeyIds: ReadonlySet<string> | undefined,
): Promise<FleetSecret> {
  const arn = entry.ARN!;
  const name = entry.Name ?? arn;
  const stages = Object.entries(entry.SecretVersionsToStages ?? {});
  const holder = (stage: string) => stages.find(([, labels]) => labels.includes(stage))?.[0];
  const currentId = holder('AWSCURRENT');
  const pendingId = holder('AWSPENDING');
  const window = rotationWindowMs(entry.RotationRules);

  const current = await readCurrent(client, arn, name, currentId, now);
  let pending: FleetSecret['pending'];
  if (pendingId !== undefined && pendingId !== currentId) {
    const since = await versionCreated(client, arn, pendingId);
    pending = { versionId: pendingId, ...(since ? { since: since.toISOString() } : {}), stuck: since !== undefined && now - since.getTime() > window };
  }

  const rotationEnabled = entry.RotationEnabled === true;
  const lastRotated = entry.LastRotatedDate;
  const nextRotation = rotationEnabled ? entry.NextRotationDate : undefined;
  const lastRotation = lastRotationResult({ pending, rotationEnabled, lastRotated, nextRotation, currentCreated: current.created, window, now });

  const fail: [string, string][] = [];
  const warn: [string, string][] = [];
  const key = current.report;
  if (!rotationEnabled) fail.push(['rotation off', 'turn automatic rotation on again: redeploy the SAM application or CDK construct that set it up']);
  if (current.problem !== undefined) {
    fail.push([current.problem, current.action!]);
  } else if (key !== undefined && key.rotatesBy === undefined) {
    fail.push([
      `AWSCURRENT cannot be rotated: ${key.problem ?? 'not a key file'}`,
      key.kind === 'v2'
        ? `import the key again, which derives its fields: momento-secret-rotation import --secret-id ${name} --management-secret-id NAME`
        : `store the key file the Momento console downloads with a new key: momento-secret-rotation import --file momento_token.info.json --secret-id ${name}`,
    ]);
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
  if (pending?.stuck) {
    fail.push([`rotation stuck since ${shortDate(pending.since!)} (AWSPENDING on version ${pending.versionId})`, `momento-secret-rotation repair --secret-id ${name}`]);
  } else if (pending !== undefined) {
    warn.push([
      `rotation pending${pending.since ? ` since ${shortDate(pending.since)}` : ''} (AWSPENDING on version ${pending.versionId}): running, or stuck`,
      `if it is still there after the rotation window: momento-secret-rotation repair --secret-id ${name}`,
    ]);
  }
  if (pending === undefined && nextRotation !== undefined && now > nextRotation.getTime()) {
    const overdue = `rotation overdue: due by ${shortDate(nextRotation.toISOString())}`;
    const action = `read the rotation function's logs for why, then: momento-secret-rotation rotate --secret-id ${name}`;
    if (now - nextRotation.getTime() > window) fail.push([overdue, action]);
    else warn.push([overdue, action]);
  }
  if (liveKeyIds !== undefined && key?.kind === 'v2' && key.keyId !== undefined && !liveKeyIds.has(key.keyId)) {
    fail.push([
      `key ${key.keyId} is revoked or expired at Momento`,
      `applications reading it cannot authenticate: rotate now, which mints a new key: momento-secret-rotation rotate --secret-id ${name}`,
    ]);
  }
  if (expiresAt !== undefined && expiresAt > now) {
    if (nextRotation !== undefined && expiresAt < nextRotation.getTime()) {
      warn.push([
        `key expires ${shortDate(key!.validUntil!)}, before the next rotation (${shortDate(nextRotation.toISOString())})`,
        `rotate now (momento-secret-rotation rotate --secret-id ${name}) or shorten the schedule`,
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
    function: fn,
    rotationEnabled,
    key: current.kind,
    ...(key?.fingerprint !== undefined ? { fingerprint: key.fingerprint } : {}),
    ...(key?.keyId !== undefined ? { keyId: key.keyId } : {}),
    ...(key?.validUntil !== undefined ? { validUntil: key.validUntil } : {}),
    ...(key?.daysLeft !== undefined ? { daysLeft: key.daysLeft } : {}),
    ...(lastRotated ? { lastRotated: lastRotated.toISOString() } : {}),
    ...(nextRotation ? { nextRotation: nextRotation.toISOString() } : {}),
    lastRotation,
    ...(pending ? { pending } : {}),
    ...(liveKeyIds !== undefined && key?.kind === 'v2' && key.keyId !== undefined ? { atMomento: liveKeyIds.has(key.keyId) ? ('live' as const) : ('not live' as const) } : {}),
    verdict,
    reasons: reasons.map(([reason]) => reason),
    actions: reasons.map(([, action]) => action),
  };
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
  rememberSecret(out.SecretString);
  if (out.SecretString === undefined && out.SecretBinary !== undefined) {
    return { kind: 'binary', report: undefined, created: out.CreatedDate, problem: 'AWSCURRENT holds a binary value, not a key', action: `import a key: momento-secret-rotation import --secret-id ${name}` };
  }
  const report = describeStoredValue({ versionId: out.VersionId ?? currentId ?? '-', stages: ['AWSCURRENT'], created: out.CreatedDate?.toISOString() }, out.SecretString, now);
  const kind =
    report.holds === 'key-file'
      ? report.kind === 'unrecognised'
        ? 'not a key'
        : report.kind!
      : report.holds === 'bare-key'
        ? `${inspectApiKey(out.SecretString!.trim()).kind} bare`
        : report.holds === 'no-value'
          ? 'no value'
          : 'not a key';
  return { kind, report, created: out.CreatedDate };
}

/** When a version was created (ListSecretVersionIds), or undefined if that cannot be read. */
async function versionCreated(client: SecretsManagerClient, arn: string, versionId: string): Promise<Date | undefined> {
  try {
    const out = await client.send(new ListSecretVersionIdsCommand({ SecretId: arn }));
    return out.Versions?.find((v) => v.VersionId === versionId)?.CreatedDate;
  } catch {
    return undefined;
  }
}

/**
 * What Secrets Manager records of the last rotation, read without another call:
 * - AWSPENDING on a version other than AWSCURRENT's: a rotation started and has not finished.
 *   RotateSecret's reference: an unsuccessful rotation leaves AWSPENDING there (and blocks the
 *   next one). Within the rotation window it may still be running ('pending'); older, it failed.
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

/**
 * The longest a rotation may take: its window. RotationRules.Duration ("3h") when set; without
 * it the window closes after one hour for a schedule in hours, and at the end of the UTC day
 * for one in days (RotationRulesType): a day bounds both but rate(N hours).
 */
export function rotationWindowMs(rules: RotationRulesType | undefined): number {
  const duration = /^(\d+)h$/.exec(rules?.Duration ?? '');
  if (duration) return Number(duration[1]) * HOUR_MS;
  if (/^rate\(\s*\d+\s+hours?\s*\)$/.test(rules?.ScheduleExpression ?? '')) return HOUR_MS;
  return DAY_MS;
}

/** The keys Momento lists for the management key's account, unexpired, by key id: one listing. */
async function liveKeysAtMomento(client: SecretsManagerClient, managementSecretId: string, now: number): Promise<Set<string>> {
  const access = await keyApiAccess(client, managementSecretId);
  const listed = await listKeys(access, 'list the keys at Momento');
  return new Set(listed.filter((k) => k.expiresAt === undefined || k.expiresAt * 1000 > now).map((k) => k.keyId));
}

function printFleet(report: FleetReport, checkedKeys: boolean, io: Output): void {
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
  for (const f of report.functions) {
    if (f.judged === 'missing') {
      notes.push(
        `Function ${f.name} does not exist, so ${plural(f.secrets.length, 'secret')} naming it as rotation function cannot rotate; ` +
          `not checked: ${secretNames(f.secrets.map((name) => ({ name, arn: name })))}. If this project rotated them, redeploy it.`,
      );
    } else if (f.judged === 'unreadable') {
      notes.push(
        `Could not read the tags of function ${f.name} (${f.problem}): ${plural(f.secrets.length, 'secret')} not checked ` +
          `(${secretNames(f.secrets.map((name) => ({ name, arn: name })))}). Grant lambda:ListTags on it, or pass --function ${f.name}.`,
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

async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null ? String((error as { name?: unknown }).name ?? 'Error') : 'Error';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
