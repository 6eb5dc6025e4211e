import { inspectApiKey } from '../momento/api-key.js';
import { probeVerdict } from '../momento/key-checks.js';
import { describeStoredValue } from '../secret/stored-value.js';
import { rememberSecret, scrub } from '../observability/redact.js';
import type { RotationDeps } from '../rotation/rotation-deps.js';
import { readManagementKey } from '../rotation/strategies/management-key.js';
import { parseKeyFile } from '../secret/key-file.js';
import { AWSCURRENT, AWSPENDING } from '../secrets-manager/secret-store.js';
import { fail, managementRoleChecks, notChecked, ok, secretCheck, stuckCheck, warn, type Check } from './checks.js';

/**
 * The checks of `doctor` the rotation function can make itself, with its own role and
 * network: the secret and its key, a stuck rotation, whether the key authenticates, and the
 * management key at Momento. The deploy-time report (DeployTimeReport) logs them before
 * the first rotation runs, so a deploy that will fail says why. Read-only, like `doctor`.
 */
export async function functionSideChecks(secretId: string, deps: RotationDeps, deadline: number): Promise<Check[]> {
  const checks: Check[] = [];
  const now = deps.now();
  const secret = await deps.secrets.describe(secretId);
  const holder = (stage: string) => Object.entries(secret.versionStages).find(([, stages]) => stages.includes(stage))?.[0];
  const currentVersion = holder(AWSCURRENT);
  const pending = holder(AWSPENDING);
  checks.push(stuckCheck({ pendingVersionId: pending !== currentVersion ? pending : undefined, pendingCreated: undefined, secretName: secret.name, now }));

  const stored = currentVersion === undefined ? { found: false as const } : await deps.secrets.read(secretId, AWSCURRENT);
  const text = stored.found ? stored.secretString : undefined;
  rememberSecret(text);
  const parsed = text === undefined ? undefined : parseKeyFile(text);
  if (parsed?.ok) {
    rememberSecret(parsed.file.apiKey);
    rememberSecret(parsed.file.refreshToken);
  }
  const facts = currentVersion === undefined || !stored.found ? undefined : describeStoredValue({ versionId: currentVersion, stages: [AWSCURRENT], created: undefined }, text, now);
  checks.push(secretCheck(facts, { secretName: secret.name, now }));
  if (!parsed?.ok) return checks;
  const file = parsed.file;
  const kind = inspectApiKey(file.apiKey).kind;

  if (kind !== 'unrecognised' && (kind !== 'v2' || file.endpoint !== undefined)) {
    const outcome = await deps.momento.probeApiKey(file.apiKey, deps.testCacheName, kind === 'v2' ? file.endpoint : undefined);
    const verdict = outcome.ok ? 'authenticated' : probeVerdict(outcome);
    checks.push(
      verdict === 'authenticated'
        ? ok('key-works', 'The AWSCURRENT key authenticates.')
        : verdict === 'rejected'
          ? fail('key-works', `Momento rejects the AWSCURRENT key (${outcome.ok ? '' : outcome.code}).`, kind === 'v2' ? 'Rotate now: the function mints a new key with the management key.' : 'Generate a new key in the Momento console and import it.')
          : warn('key-works', `Could not tell whether the AWSCURRENT key works: ${outcome.ok ? '' : `${outcome.code} (${scrub(outcome.message)})`}.`, 'Run `momento-secret-rotation doctor` once the deploy completes.'),
    );
  }

  if (deps.managementSecretId === undefined) {
    if (kind === 'v2') checks.push(fail('function-management-secret', 'The secret holds a v2 key, and the function has no management secret to mint its successor with.', "Deploy with ManagementSecretArn=<the management secret's ARN>."));
    return checks;
  }
  try {
    const management = await readManagementKey(deps);
    const [listed, roles] = await Promise.all([deps.keyApi.list(management.apiKey, deadline), deps.keyApi.listRoles(management.apiKey, deadline)]);
    const own = listed.find((k) => k.keyId === management.keyId);
    checks.push(own ? ok('management-key', `The management key is valid (key id ${own.keyId}).`) : warn('management-key', `The management key's id ${management.keyId ?? '(none)'} is not in Momento's listing.`, 'Store a management key minted in this account, with a key id.'));
    checks.push(...managementRoleChecks(roles.find((r) => r.roleId === own?.roleId), { roleId: own?.roleId, managementSecretId: deps.managementSecretId, keyIdMissing: management.keyId === undefined }));
    if (kind === 'v2' && file.keyId !== undefined) {
      const listing = listed.find((k) => k.keyId === file.keyId);
      const live = listing !== undefined && (listing.expiresAt === undefined || listing.expiresAt * 1000 > now);
      checks.push(
        !live
          ? fail('application-key', `The AWSCURRENT key (key id ${file.keyId}) is revoked or expired at Momento.`, 'Rotate now: the function mints a new key with the management key.')
          : roles.some((r) => r.roleId === file.roleId)
            ? ok('application-key', `The AWSCURRENT key (key id ${file.keyId}) is live, with role ${file.roleId}.`)
            : fail('application-key', `The AWSCURRENT key's role ${file.roleId ?? '(none stored)'} is not among the account's roles: the next mint fails.`, 'Create a key with an existing role in the Momento console and import it.'),
      );
    }
  } catch (error) {
    const safe = scrub(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    checks.push(fail('management-key', `The management key could not be used: ${safe}`, 'Store a valid v2 key whose role grants auth_management read, write and list in the management secret.'));
  }
  return checks;
}
