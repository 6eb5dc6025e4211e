import { parseArgs } from 'node:util';
import { scrub } from '../observability/redact.js';
import { ROTATION_FUNCTION_TAG } from '../rotation-function-tag.js';
import { awsClient, secretsManagerClient } from './aws.js';
import { SCHEDULE_MARGIN_DAYS } from '../doctor/checks.js';
import { importKey } from './commands/import.js';
import { migrate } from './commands/migrate.js';
import { repair } from './commands/repair.js';
import { retire } from './commands/retire.js';
import { revoke as revokeKey } from './commands/revoke.js';
import { rotate } from './commands/rotate.js';
import { status } from './commands/status.js';
import { CliError, explainAwsError, usage } from './errors.js';
import { consoleOutput, type Output } from './output.js';

const AWS_OPTIONS = `  --region REGION    the secret's Region (default: AWS_REGION, or your profile's)
  --profile NAME     an AWS profile (default: AWS_PROFILE, or the default credential chain)
  -h, --help         this help
Exit codes: 0 ok, 1 failure, 2 usage. No secret value is ever printed: keys show as fingerprints.`;

const COMMON = `Common options:
  --secret-id NAME   the secret's name or ARN (required)
${AWS_OPTIONS}`;

/** Commands that act on no one secret, and take no --secret-id. */
const WITHOUT_SECRET_ID: readonly string[] = ['revoke'];

const HELP: Record<string, string> = {
  '': `momento-secret-rotation: operate the rotation of a Momento API key kept in AWS Secrets Manager.

Usage: momento-secret-rotation <command> [options]

Commands:
  import   store a key: a v2 key pasted from the Momento console, or a v1 key file (creates the secret if needed)
  doctor   check a secret's rotation before it fails: key, function, permission, schedule, Momento, IAM, VPC
  status   rotation settings, every version with its key's fingerprint and expiry, and warnings
  rotate   start a rotation now and follow it until the new key is AWSCURRENT
  revoke   revoke one v2 key at Momento by its key id (not a key a secret holds, nor the management key)
  retire   before deleting a secret: revoke every key minted for it, the ones it holds included
  repair   find a stuck rotation and clear it, keeping automatic rotation on
  migrate  prepare a v1 secret for v2 keys (role and endpoint), so that its next rotation mints one

Run momento-secret-rotation <command> --help for a command's options.`,
  import: `Usage: echo -n "$KEY" | momento-secret-rotation import --secret-id NAME --management-secret-id NAME
       momento-secret-rotation import --secret-id NAME [--file PATH] [options]

Checks a key, then creates the secret, or stores the key as its new AWSCURRENT version.
Reads standard input when --file is not given. Prints what it derived and from where.
- v2 keys (what the console issues today): paste the key. Its key id and expiry are read
  from the key itself (its jti and exp claims). With --management-secret-id, its role is
  read from Momento's listing of that key id, and the key must be listed, unrevoked and
  unexpired; without it, pass --role. The endpoint is the secret's AWS Region's in
  Momento's regions table, unless --endpoint says otherwise. A JSON file {"apiKey", ...}
  works too; a "keyId" in it must be the key's own.
  A key that AWSCURRENT of another secret in this Region already holds is refused, naming that
  secret (it reads every secret's AWSCURRENT to check), unless --shared-key.
- v1 keys: the console's download (momento_token.info.json): a key the Momento SDK can use,
  a refresh token, a validUntil in the future.

  --file PATH                  the key or key file (default: standard input)
  --management-secret-id NAME  v2: read the role from Momento and check the key there first
  --role NAME|ID               v2: the key's role, by name or id (checked against Momento)
  --role-id ID                 v2: the same, by id only
  --endpoint URL|HOST          v2: Momento's endpoint as its regions page shows it
                               (https://api.cache.cell-4-us-west-2-1.prod.a.momentohq.com) or its
                               base (cell-4-us-west-2-1.prod.a.momentohq.com); default: the Region's
  --key-id ID                  v2: refused unless it is the key's own id (its jti claim)
  --shared-key                 v2: store a key another secret holds too. When either secret rotates
                               it out, the function may revoke it (if it was minted for that secret,
                               or RevokeImportedKeys is on), and the other secret's applications
                               stop authenticating: each secret should have a key of its own
  --kms-key-id ID      a customer-managed KMS key, when creating the secret
  --description TEXT   when creating the secret
  --tag KEY=VALUE      when creating the secret; repeatable

${COMMON}`,
  status: `Usage: momento-secret-rotation status --secret-id NAME [--json] [--management-secret-id NAME]
       momento-secret-rotation status --all [--function NAME] [--json] [--check-keys --management-secret-id NAME]

Shows whether rotation is on, its function and schedule, the last and next rotation, every
version with its stages, key fingerprint (and for v2 keys, key id and role), validUntil,
days left and how it rotates, and warnings: a stuck rotation, a key that expires before the
next rotation, rotation off, a key that cannot be rotated.

With --all: every secret of the Region that this project rotates (its rotation function carries
the tag ${ROTATION_FUNCTION_TAG.key}=${ROTATION_FUNCTION_TAG.value}, or is the one --function names), one line each:
key kind, days left, last and next rotation, the last rotation's result, whether a rotation is
stuck, and a verdict. fail: rotation off, key expired, AWSCURRENT unreadable or not a key the
function can rotate, a rotation stuck or overdue for longer than its window, (--check-keys) a v2
key Momento no longer lists. warn: the key expires before the next rotation or within 7 days, a
rotation pending or overdue. Then a summary line, and what to do for each secret not ok; exit 1
if one fails. Cost: ListSecrets (one call per 100 secrets), one GetSecretValue per secret shown,
one lambda:ListTags per rotation function (a pending rotation is dated from ListSecrets' LastChangedDate,
with no call of its own), and no Momento call without --check-keys.

  --json                       the same, as JSON
  --management-secret-id NAME  v2: also ask Momento whether each stored key is still valid,
                               for keys minted for this secret that no version stores, whether
                               AWSCURRENT's key was revoked (an emergency), and for keys that left
                               this secret still valid (imported keys, which the function revokes
                               only with RevokeImportedKeys on), each with the command revoking it
  --all                        every secret this project rotates, one line each (no --secret-id)
  --function NAME              with --all: also the secrets this function rotates (name or ARN),
                               tagged or not (a function deployed before the tag)
  --check-keys                 with --all and --management-secret-id: one key listing at Momento;
                               a v2 secret whose AWSCURRENT key is not live there fails

${COMMON}`,
  doctor: `Usage: momento-secret-rotation doctor --secret-id NAME [--management-secret-id NAME] [--json]

A read-only preflight: it makes no write call of any kind, and never prints a key or a token.
Each check prints one line: ok, WARN or FAIL, what it saw, and for WARN and FAIL the exact fix
(a command or a template parameter); "--" marks a check it could not make, and why.
Checks: the secret and its AWSCURRENT key (v1: refresh token, not expired; v2: endpoint, role,
key id; a v1 key with a role and an endpoint, and a function with a management secret, is
migrated by minting); rotation on; the rotation function (or the alias RotationLambdaARN names)
exists, runs nodejs24.x, lets Secrets Manager invoke it for this secret's account, and (when it
mints) has a management secret; the next rotation is not overdue and comes before the key
expires, with ${SCHEDULE_MARGIN_DAYS} days to spare; no stuck AWSPENDING; the key authenticates at Momento
(the probe testSecret makes); with the management key: it is valid, its role may mint, list and
revoke keys (and no more: least privilege), the key is live with an existing role and not minted
for another secret (a migration's role exists), no minted key is left unstored; the function
role's permissions on the secrets and their KMS keys (iam:SimulatePrincipalPolicy, where the
caller may; a key policy it cannot see is "not checked"); a function in a VPC can reach what it
needs. What the caller may not read is "not checked", and every other check is still made.
Exit codes: 0 no check failed (warnings allowed), 1 a check failed, 2 usage.

  --management-secret-id NAME  the management key's secret, used when the function has none
                               (or cannot be read); the function's MOMENTO_MANAGEMENT_SECRET_ARN,
                               which rotations use, is checked whenever it is set (a warning
                               when the two differ)
  --json                       the same checks, as JSON

${COMMON}`,
  rotate: `Usage: momento-secret-rotation rotate --secret-id NAME [--no-wait] [--timeout SECONDS]
       momento-secret-rotation rotate --secret-id NAME --revoke-previous --management-secret-id NAME

Starts a rotation (RotateSecret) and follows it until AWSCURRENT moves to the new version.
On failure or timeout, says what state the secret is in and what to do.

  --no-wait                    start it and return
  --timeout SECONDS            how long to follow it (default 300)
  --revoke-previous            when a key has leaked (v2 keys): once AWSCURRENT has moved, revoke
                               the key it held before at once, instead of keeping it as AWSPREVIOUS,
                               unless another secret in the Region holds it or may hold it, or a
                               replica is not InSync (it needs secretsmanager:ListSecrets to check).
                               Ending any other way (timeout, abandoned rotation, a holder, failed
                               revocation, Ctrl-C), it prints "Key <id> was NOT revoked" with the
                               command to run, and exits 1
  --management-secret-id NAME  the secret holding the management key (with --revoke-previous)

${COMMON}`,
  migrate: `Usage: momento-secret-rotation migrate --secret-id NAME --role NAME|ID [--management-secret-id NAME] [--endpoint URL|HOST] [--rotate]

Stores the role id and endpoint beside the secret's v1 key, as a new AWSCURRENT version with
the same key, so that the next rotation mints a v2 key with that role. The rotation function
needs a management secret (ManagementSecretArn) to mint it. The v1 key stays valid until its
validUntil: Momento cannot revoke v1 keys.

  --role NAME|ID               the role the v2 keys get, by name or id; a name needs
                               --management-secret-id, which checks it at Momento (GET /roles)
  --role-id ID                 the same, by id only
  --management-secret-id NAME  resolve and check the role with this management key
  --endpoint URL|HOST          Momento's endpoint, in any form its regions page shows
                               (default: the secret's AWS Region's, from Momento's regions table)
  --rotate           start that rotation now and follow it until AWSCURRENT holds the v2 key
  --timeout SECONDS  how long to follow it (default 300)

${COMMON}`,
  revoke: `Usage: momento-secret-rotation revoke --key-id ID --management-secret-id NAME [--force]

Revokes one v2 key at Momento (DELETE /api-keys/{id}) with the management key: it stops
authenticating at once. A key Momento does not know is reported as already revoked or expired
(exit 0). First it reads AWSCURRENT of every secret in the Region (ListSecrets, GetSecretValue),
and refuses, revoking nothing:
- a key that AWSCURRENT of a secret holds, naming that secret: its applications would stop
  authenticating. Rotate it first (rotate --revoke-previous rotates and revokes in one go);
  --force revokes it anyway, with a warning naming the secret;
- the management key itself, even with --force.
A secret holds it in any shape (a key file, a bare key, another JSON field, KEY=value text,
base64, a binary value). Without secretsmanager:ListSecrets, or when a secret cannot be read
(it may hold the key), it refuses unless --force, naming those secrets.

  --key-id ID                  the key's id: its jti claim, as status shows it (KEY ID)
  --management-secret-id NAME  the secret holding the management key
  --force                      revoke a key that AWSCURRENT of a secret holds, or may hold

Options:
${AWS_OPTIONS.replace("the secret's Region", "the Region of the management secret, and of the secrets checked")}`,
  retire: `Usage: momento-secret-rotation retire --secret-id NAME --management-secret-id NAME [--yes]

For a secret about to be deleted: revokes at Momento every live key the rotation function minted
for it (their descriptions carry the secret's tag). That includes the keys the secret holds now:
AWSCURRENT's and AWSPREVIOUS's keys are minted keys too, and ARE revoked, so applications still
reading the secret stop authenticating; that is the point, the secret is going away. Without
--yes it lists what it would revoke, and revokes nothing. It never revokes the management key,
nor keys it did not mint (imported from the console) or v1 keys: it names those.
It prints each key revoked and each failure; exit 1 if any failed (run it again: it revokes only
what is still valid). It does not delete the secret: it prints the command that does.

  --management-secret-id NAME  the secret holding the management key
  --yes                        revoke them (without it: list them, revoke nothing)

${COMMON}`,
  repair: `Usage: momento-secret-rotation repair --secret-id NAME [--yes] [--force]

Finds a stuck rotation (AWSPENDING on a version other than AWSCURRENT's) and explains it.
With --yes, removes the stray AWSPENDING label so rotation can run again, leaving automatic
rotation on (CancelRotateSecret would turn it off).

  --yes    remove the label
  --force  even when the pending version is under 15 minutes old (a rotation may be running)

${COMMON}`,
};

const OPTIONS = {
  'secret-id': { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  file: { type: 'string' },
  'kms-key-id': { type: 'string' },
  description: { type: 'string' },
  tag: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  'no-wait': { type: 'boolean' },
  timeout: { type: 'string' },
  yes: { type: 'boolean' },
  force: { type: 'boolean' },
  'revoke-previous': { type: 'boolean' },
  rotate: { type: 'boolean' },
  endpoint: { type: 'string' },
  'role-id': { type: 'string' },
  role: { type: 'string' },
  'key-id': { type: 'string' },
  'management-secret-id': { type: 'string' },
  'shared-key': { type: 'boolean' },
  all: { type: 'boolean' },
  function: { type: 'string' },
  'check-keys': { type: 'boolean' },
} as const;

const ALLOWED: Record<string, readonly string[]> = {
  import: ['file', 'kms-key-id', 'description', 'tag', 'endpoint', 'role', 'role-id', 'key-id', 'management-secret-id', 'shared-key'],
  doctor: ['json', 'management-secret-id'],
  status: ['json', 'management-secret-id', 'all', 'function', 'check-keys'],
  rotate: ['no-wait', 'timeout', 'revoke-previous', 'management-secret-id'],
  revoke: ['key-id', 'management-secret-id', 'force'],
  retire: ['management-secret-id', 'yes'],
  repair: ['yes', 'force'],
  migrate: ['role', 'role-id', 'endpoint', 'management-secret-id', 'rotate', 'timeout'],
};

/** Runs one command; returns the exit code. */
export async function runCli(argv: readonly string[], io: Output = consoleOutput, readStdin = readAll): Promise<number> {
  let secretId: string | undefined;
  try {
    const { values, positionals } = parse(argv);
    const command = positionals[0] ?? '';
    if (values.help || command === '' || command === 'help') {
      const topic = command === 'help' ? (positionals[1] ?? '') : command;
      if (!(topic in HELP)) throw usage(`Unknown command "${topic}".`);
      io.out(HELP[topic]!);
      return 0;
    }
    if (!(command in ALLOWED)) throw usage(`Unknown command "${command}". Commands: ${Object.keys(ALLOWED).join(', ')}.`);
    if (positionals.length > 1) throw usage(`Unexpected argument "${positionals[1]}".`);
    const bySecret = !WITHOUT_SECRET_ID.includes(command);
    const common = [...(bySecret ? ['secret-id'] : []), 'region', 'profile', 'help'];
    const stray = Object.keys(values).filter((k) => !common.includes(k) && !ALLOWED[command]!.includes(k));
    if (stray[0] === 'secret-id') {
      throw usage(`${command} does not take --secret-id: it acts on a key, by --key-id, and reads every secret in the Region to find which ones hold it.`);
    }
    if (stray.length > 0) throw usage(`${command} does not take --${stray[0]}.`);
    secretId = values['secret-id'];
    // status --all acts on every secret this project rotates, and takes no --secret-id.
    const everySecret = command === 'status' && values.all === true;
    if (bySecret && !secretId && !everySecret) throw usage(`${command} needs --secret-id (the secret's name or ARN).`);
    const aws = { region: values.region, profile: values.profile };

    const client = secretsManagerClient(aws);
    switch (command) {
      case 'import':
        await importKey(
          client,
          {
            secretId: secretId!,
            file: values.file,
            kmsKeyId: values['kms-key-id'],
            description: values.description,
            tags: parseTags(values.tag ?? []),
            endpoint: values.endpoint,
            role: values.role,
            roleId: values['role-id'],
            keyId: values['key-id'],
            managementSecretId: values['management-secret-id'],
            sharedKey: values['shared-key'] === true,
          },
          io,
          readStdin,
        );
        break;
      case 'doctor': {
        if (values['management-secret-id'] !== undefined && values['management-secret-id'].trim() === '') {
          throw usage("--management-secret-id takes the management secret's name or ARN.");
        }
        // Loaded only here: the Lambda, IAM and EC2 clients and the Momento SDK are most of the
        // CLI's weight, and no other command needs them (a chunk of their own, scripts/build.mjs).
        const [{ doctor }, { LambdaClient }, { IAMClient }, { EC2Client }] = await Promise.all([
          import('./commands/doctor.js'),
          import('@aws-sdk/client-lambda'),
          import('@aws-sdk/client-iam'),
          import('@aws-sdk/client-ec2'),
        ]);
        const report = await doctor(
          {
            secretsManager: client,
            lambda: awsClient(LambdaClient, aws),
            iam: awsClient(IAMClient, aws),
            ec2: awsClient(EC2Client, aws),
            momento: momentoProbe,
          },
          { secretId: secretId!, managementSecretId: values['management-secret-id'], json: values.json === true, aws },
          io,
        );
        return report.exitCode;
      }
      case 'status': {
        if (!everySecret) {
          if (values.function !== undefined) throw usage('--function is only for --all (every secret this project rotates).');
          if (values['check-keys']) throw usage("--check-keys is only for --all: for one secret, --management-secret-id checks its keys at Momento.");
          await status(client, secretId!, values.json === true, io, values['management-secret-id'], aws);
          break;
        }
        if (values['secret-id'] !== undefined) throw usage('Pass --secret-id or --all, not both: --secret-id NAME shows one secret in detail, --all every secret this project rotates.');
        if (values.function !== undefined && values.function.trim() === '') throw usage('--function takes a function name or ARN.');
        const managementSecretId = values['management-secret-id'];
        if (values['check-keys'] && !managementSecretId) throw usage('--check-keys needs --management-secret-id (the secret holding the management key, which lists the keys at Momento).');
        if (!values['check-keys'] && managementSecretId) throw usage('With --all, --management-secret-id is for --check-keys: add --check-keys to check each v2 key at Momento.');
        const [{ LambdaClient }, { statusAll }] = await Promise.all([import('@aws-sdk/client-lambda'), import('./commands/status-all.js')]);
        await statusAll(
          client,
          awsClient(LambdaClient, aws),
          { json: values.json === true, functionName: values.function?.trim(), checkKeysWith: values['check-keys'] ? managementSecretId : undefined },
          io,
        );
        break;
      }
      case 'rotate': {
        const revoke = values['revoke-previous'] === true;
        const managementSecretId = values['management-secret-id'];
        if (revoke && !managementSecretId) throw usage('--revoke-previous needs --management-secret-id (the secret holding the management key).');
        if (!revoke && managementSecretId) throw usage('--management-secret-id is only for --revoke-previous.');
        if (revoke && values['no-wait']) throw usage('--revoke-previous waits for the rotation, to revoke only once AWSCURRENT has moved: drop --no-wait.');
        await rotate(
          client,
          { secretId: secretId!, wait: values['no-wait'] !== true, timeoutSeconds: parseTimeout(values.timeout), aws, ...(revoke ? { revokePreviousWith: managementSecretId } : {}) },
          io,
        );
        break;
      }
      case 'migrate': {
        if (values.role !== undefined && values['role-id'] !== undefined) throw usage('Pass --role or --role-id, not both.');
        const role = values['role-id'] ?? values.role;
        if (!role) throw usage('migrate needs --role (the role the v2 keys get, by name or id).');
        await migrate(
          client,
          {
            secretId: secretId!,
            role,
            byIdOnly: values['role-id'] !== undefined,
            endpoint: values.endpoint,
            managementSecretId: values['management-secret-id'],
            rotate: values.rotate === true,
            timeoutSeconds: parseTimeout(values.timeout),
          },
          io,
        );
        break;
      }
      case 'repair':
        await repair(client, { secretId: secretId!, yes: values.yes === true, force: values.force === true }, io);
        break;
      case 'revoke': {
        const keyId = values['key-id'];
        const managementSecretId = values['management-secret-id'];
        if (keyId === undefined || keyId.trim() === '') throw usage("revoke needs --key-id (the key's id: its jti claim, as status shows it under KEY ID).");
        if (/[\s/]/.test(keyId)) throw usage(`--key-id takes a key id (its jti claim, as status shows it under KEY ID), not "${keyId}".`);
        if (!managementSecretId) throw usage('revoke needs --management-secret-id (the secret holding the management key).');
        await revokeKey(client, { keyId, managementSecretId, force: values.force === true, aws }, io);
        break;
      }
      case 'retire': {
        const managementSecretId = values['management-secret-id'];
        if (!managementSecretId) throw usage('retire needs --management-secret-id (the secret holding the management key, which revokes the keys).');
        await retire(client, { secretId: secretId!, managementSecretId, yes: values.yes === true, aws }, io);
        break;
      }
    }
    return 0;
  } catch (error) {
    const known = error instanceof CliError ? error : explainAwsError(error, secretId);
    if (known) {
      io.err(scrub(known.message));
      return known.exitCode;
    }
    const name = error instanceof Error ? error.name : 'Error';
    io.err(scrub(`${name}: ${error instanceof Error ? error.message : String(error)}`));
    return 1;
  }
}

/** Momento's data plane as the rotation function's testSecret reaches it (MOMENTO_ENDPOINT_OVERRIDE only for loopback tests). */
async function momentoProbe() {
  const { parseEndpointOverride } = await import('../momento/endpoint-override.js');
  const raw = process.env.MOMENTO_ENDPOINT_OVERRIDE?.trim();
  const parsed = raw ? parseEndpointOverride(raw) : undefined;
  if (parsed !== undefined && !parsed.ok) throw new CliError(parsed.problem);
  const { SdkMomentoApi } = await import('../momento/sdk-momento-api.js');
  return new SdkMomentoApi(parsed?.override);
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw usage((error as Error).message);
  }
}

function parseTags(tags: readonly string[]) {
  return tags.map((tag) => {
    const at = tag.indexOf('=');
    if (at <= 0) throw usage(`--tag takes KEY=VALUE, got "${tag}".`);
    return { Key: tag.slice(0, at), Value: tag.slice(at + 1) };
  });
}

function parseTimeout(raw: string | undefined): number {
  if (raw === undefined) return 300;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 1) throw usage(`--timeout takes a whole number of seconds, got "${raw}".`);
  return seconds;
}

async function readAll(): Promise<string> {
  if (process.stdin.isTTY) throw new CliError('No --file given and nothing on standard input: pass --file momento_token.info.json.', 2);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
