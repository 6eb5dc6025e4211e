import { describe, expect, it } from 'vitest';
import { describeStoredValue } from '../../src/cli/inspect-secret.js';
import {
  exitCodeFor,
  invokePermissionCheck,
  isAwsServiceEndpoint,
  kmsPermissionsCheck,
  MANAGEMENT_ROLE_BODY,
  managementRoleChecks,
  migrationCheck,
  permissionsCheck,
  scheduleCheck,
  secretCheck,
  stuckCheck,
  vpcCheck,
  type Check,
  type KeyFacts,
} from '../../src/doctor/checks.js';
import type { RoleInfo } from '../../src/momento/key-management.js';
import { fakeV2Key } from '../support/secrets.js';

const DAY = 86_400_000;
const at = (ms: number) => new Date(ms).toISOString();
const NOW = Date.parse('2026-12-01T12:00:00Z');

describe('scheduleCheck', () => {
  const base = { secretName: 'app/momento', now: NOW, windowMs: DAY, pending: false };
  const check = (validInDays: number | undefined, nextInDays: number | undefined) =>
    scheduleCheck({
      ...base,
      validUntil: validInDays === undefined ? undefined : at(NOW + validInDays * DAY),
      nextRotation: nextInDays === undefined ? undefined : at(NOW + nextInDays * DAY),
    });

  it('fails when the key expires before its next rotation, and says how to fix it', () => {
    const result = check(10, 11);
    expect(result.verdict).toBe('fail');
    expect(result.saw).toMatch(/expires before it is rotated/);
    expect(result.fix).toMatch(/momento-secret-rotation rotate --secret-id app\/momento/);
    expect(result.fix).toMatch(/RotationScheduleExpression/);
  });

  it('warns with less than the margin to spare, and is ok with more', () => {
    expect(check(12, 10).verdict).toBe('warn');
    expect(check(12.99, 10).verdict).toBe('warn');
    expect(check(13.01, 10).verdict).toBe('ok');
    expect(check(13.01, 10).saw).toMatch(/3 days to spare/);
  });

  it('is ok for a key that never expires, and fails when nothing is scheduled', () => {
    expect(check(undefined, 5).verdict).toBe('ok');
    expect(check(5, undefined)).toMatchObject({ verdict: 'fail', fix: expect.stringMatching(/SecretArn=app\/momento/) });
  });

  it('an expiry it could not read is "not checked", never "does not expire"', () => {
    const result = scheduleCheck({ ...base, validUntil: undefined, expiryUnknown: 'the caller may not read the AWSCURRENT key', nextRotation: at(NOW + 5 * DAY) });
    expect(result.verdict).toBe('not checked');
    expect(result.saw).toMatch(/^the caller may not read the AWSCURRENT key, so its expiry is unknown/);
  });

  it("judges a bare v2 key by its own exp claim (as `aws secretsmanager create-secret --secret-string \"$KEY\"` leaves it)", () => {
    const now = Date.now();
    const facts = describeStoredValue({ versionId: 'v-1', stages: ['AWSCURRENT'], created: undefined }, fakeV2Key({ exp: Math.floor(now / 1000) + 10 * 86_400 }), now);
    const result = scheduleCheck({ ...base, now, validUntil: facts.validUntil, nextRotation: at(now + 30 * DAY) });
    expect(result.verdict).toBe('fail');
    expect(result.saw).toMatch(/the key expires before it is rotated/);
  });

  describe('a NextRotationDate in the past: the scheduled rotation did not run or failed, as status --all judges it', () => {
    // RotateSecret's reference: "If rotation is unsuccessful, this date may be in the past".
    it('fails once the rotation window has closed, however many days the key has left', () => {
      const result = scheduleCheck({ ...base, validUntil: at(NOW + 20 * DAY), nextRotation: at(NOW - 5 * DAY) });
      expect(result.verdict).toBe('fail');
      expect(result.saw).toBe(`The rotation due at ${at(NOW - 5 * DAY)} (5 days ago) has not happened: it did not run, or it failed (the rotation window of 24 hours has closed).`);
      expect(result.fix).toBe("Read the rotation function's logs for why, then: momento-secret-rotation rotate --secret-id app/momento");
    });

    it('warns within the window (it may still run), and when a rotation has started (stuck-rotation judges that)', () => {
      const inWindow = scheduleCheck({ ...base, validUntil: at(NOW + 20 * DAY), nextRotation: at(NOW - 3 * 3_600_000) });
      expect(inWindow.verdict).toBe('warn');
      expect(inWindow.saw).toMatch(/3 hours ago\) has not happened, and the rotation window \(24 hours\) is still open/);
      const started = scheduleCheck({ ...base, pending: true, validUntil: at(NOW + 20 * DAY), nextRotation: at(NOW - 5 * DAY) });
      expect(started.verdict).toBe('warn');
      expect(started.fix).toMatch(/repair --secret-id app\/momento --yes, then momento-secret-rotation rotate/);
    });

    it('is overdue even for a key that never expires', () => {
      expect(scheduleCheck({ ...base, validUntil: undefined, nextRotation: at(NOW - 2 * DAY) }).verdict).toBe('fail');
    });
  });
});

describe('secretCheck', () => {
  const input = { secretName: 'app/momento', now: NOW };
  const v1 = (fields: Partial<KeyFacts> = {}): KeyFacts => ({
    versionId: 'v-1',
    holds: 'key-file',
    kind: 'v1',
    rotatesBy: 'refresh',
    problem: undefined,
    fingerprint: 'sha256:ab12',
    roleId: 'r-app',
    validUntil: at(NOW + 30 * DAY),
    ...fields,
  });

  it("a bare v2 key is told to import the key with a management key, not to store the v1 console file", () => {
    const now = Date.now();
    const facts = describeStoredValue({ versionId: 'v-1', stages: ['AWSCURRENT'], created: undefined }, fakeV2Key({ exp: Math.floor(now / 1000) + 10 * 86_400 }), now);
    const check = secretCheck(facts, { ...input, now, managementSecretId: 'app/management' });
    expect(check.verdict).toBe('fail');
    expect(check.saw).toMatch(/holds a bare v2 key sha256:\S+ \(the key alone, not the JSON key file the function reads\): the function cannot rotate it/);
    expect(check.fix).toBe('Import the key, which derives and stores them: echo -n "$KEY" | momento-secret-rotation import --secret-id app/momento --management-secret-id app/management');
  });

  it('a v1 key with a role and an endpoint, and a function with a management secret, is being migrated: it mints, refresh token or not', () => {
    expect(secretCheck(v1(), { ...input, migration: 'yes' }).saw).toMatch(/its next rotation migrates the secret to v2 by minting\.$/);
    // Minting needs no refresh token (mintSuccessorKey): no "cannot refresh it".
    expect(secretCheck(v1({ rotatesBy: undefined, problem: 'no refresh token' }), { ...input, migration: 'yes' }).verdict).toBe('ok');
    const expired = secretCheck(v1({ validUntil: at(NOW - DAY) }), { ...input, migration: 'yes' });
    expect(expired).toMatchObject({ verdict: 'fail', fix: expect.stringMatching(/^Rotate now: the function has a management secret, so the rotation mints a v2 key with role r-app/) });
  });

  it('says how it rotates when the function refreshes instead, or cannot be read', () => {
    expect(secretCheck(v1(), { ...input, migration: 'no' }).saw).toMatch(/rotated by refreshing \(it stores a role and an endpoint for a migration to v2, but the function has no management secret\)\.$/);
    expect(secretCheck(v1(), { ...input, migration: 'unknown' }).saw).toMatch(/migrated to v2 by minting if the function has a management secret \(its configuration could not be read\)/);
    // Without its refresh token, only a migration could rotate it: unknown, so not a FAIL.
    expect(secretCheck(v1({ rotatesBy: undefined, problem: 'no refresh token' }), { ...input, migration: 'unknown' }).verdict).toBe('not checked');
    expect(secretCheck(v1({ rotatesBy: undefined, problem: 'no refresh token' }), { ...input, migration: 'no' }).verdict).toBe('fail');
  });
});

describe('migrationCheck', () => {
  const roles: RoleInfo[] = [
    { roleId: 'r-5c1e0a7b', roleName: 'app-readwrite', roleType: 'custom', superUser: false, rules: [] },
    { roleId: 'r-viewer', roleName: 'Viewer', roleType: 'system', superUser: false, rules: [] },
  ];
  const input = { secretName: 'app/momento', managementSecretId: 'app/management' };

  it('is ok when the stored role is the id of a role of the account', () => {
    expect(migrationCheck('r-5c1e0a7b', roles, input)).toMatchObject({ verdict: 'ok', saw: expect.stringMatching(/mints a key with role app-readwrite \(r-5c1e0a7b\), which exists/) });
  });

  it('fails a role NAME stored as roleId (`migrate` without --management-secret-id stores it as given), with the id to store', () => {
    const check = migrationCheck('app-readwrite', roles, input);
    expect(check.verdict).toBe('fail');
    expect(check.saw).toMatch(/stored role "app-readwrite", which is not the id of a role .* \(it is the name of r-5c1e0a7b\): the mint fails \(404\)/);
    expect(check.fix).toBe('Store the role\'s id: momento-secret-rotation migrate --secret-id app/momento --role-id r-5c1e0a7b --management-secret-id app/management');
    expect(migrationCheck('r-gone', roles, input).fix).toMatch(/--role NAME --management-secret-id app\/management$/);
  });
});

describe('stuckCheck', () => {
  const base = { secretName: 'app/momento', now: NOW };

  it('is ok without a pending version', () => {
    expect(stuckCheck({ ...base, pendingVersionId: undefined, pendingCreated: undefined }).verdict).toBe('ok');
  });

  it('fails on an AWSPENDING of 15 minutes or more, with its age and the repair command', () => {
    const result = stuckCheck({ ...base, pendingVersionId: 'v-9', pendingCreated: at(NOW - 3 * 3_600_000) });
    expect(result).toMatchObject({ verdict: 'fail', fix: 'momento-secret-rotation repair --secret-id app/momento --yes' });
    expect(result.saw).toMatch(/version v-9 \(3 hours old\)/);
    expect(stuckCheck({ ...base, pendingVersionId: 'v-9', pendingCreated: at(NOW - 15 * 60_000) }).verdict).toBe('fail');
    expect(stuckCheck({ ...base, pendingVersionId: 'v-9', pendingCreated: undefined }).verdict).toBe('fail');
  });

  it('fails a younger one too, but its fix needs --force, as repair does under 15 minutes', () => {
    const result = stuckCheck({ ...base, pendingVersionId: 'v-9', pendingCreated: at(NOW - 14 * 60_000) });
    expect(result.verdict).toBe('fail');
    expect(result.saw).toMatch(/14 minutes old/);
    expect(result.fix).toMatch(/repair --secret-id app\/momento --yes --force/);
  });
});

describe('invokePermissionCheck', () => {
  const ACCOUNT = '123456789012';
  const SECRET = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:app/momento-AbCdEf`;
  const input = { functionName: 'rotator', account: ACCOUNT, secretArn: SECRET };
  const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
  const allow = { Sid: 'SecretsManagerAccess', Effect: 'Allow', Principal: { Service: 'secretsmanager.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: 'arn:fn' };
  const scoped = { ...allow, Condition: { StringEquals: { 'AWS:SourceAccount': ACCOUNT } } };
  const ADD = `aws lambda add-permission --function-name rotator --statement-id SecretsManagerAccess --action lambda:InvokeFunction --principal secretsmanager.amazonaws.com --source-account ${ACCOUNT}`;

  it('is ok with the service principal scoped to the account, as add-permission --source-account writes it', () => {
    expect(invokePermissionCheck(policy(scoped), input)).toMatchObject({ verdict: 'ok', saw: `secretsmanager.amazonaws.com may invoke the function, for account ${ACCOUNT} only.` });
  });

  it('warns without SourceAccount (confused deputy), with the commands that replace the statement', () => {
    const result = invokePermissionCheck(policy(allow), input);
    expect(result.verdict).toBe('warn');
    expect(result.fix).toBe(`Replace the statement with one that has --source-account: aws lambda remove-permission --function-name rotator --statement-id SecretsManagerAccess && ${ADD}`);
    // A scoped statement beside it does not help: the unscoped one still lets any account's secret invoke it.
    expect(invokePermissionCheck(policy({ ...scoped, Sid: 'Scoped' }, allow), input).verdict).toBe('warn');
  });

  it('fails without a statement for Secrets Manager, with the add-permission command', () => {
    const { Sid: _sid, ...unnamed } = allow;
    for (const p of [undefined, 'not json', policy({ ...unnamed, Principal: { Service: 'events.amazonaws.com' } }), policy({ ...unnamed, Effect: 'Deny' }), policy({ ...unnamed, Action: 'lambda:GetFunction' })]) {
      const result = invokePermissionCheck(p, input);
      expect(result.verdict).toBe('fail');
      expect(result.fix).toBe(ADD);
    }
    // A statement id already in the policy would make add-permission fail (ResourceConflictException): the fix takes a free one.
    expect(invokePermissionCheck(policy({ ...allow, Effect: 'Deny' }), input).fix).toBe(ADD.replace('--statement-id SecretsManagerAccess ', '--statement-id SecretsManagerAccess2 '));
  });

  // Lambda evaluates the Condition against the request: Secrets Manager invokes with aws:SourceArn =
  // the secret's ARN and aws:SourceAccount = its account (Secrets Manager User Guide, "Permissions
  // for rotation"). A statement for another secret or account does not apply: Lambda denies.
  it('fails a statement whose aws:SourceArn names another secret (a shared function; a secret re-created with a new suffix)', () => {
    const other = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:app/other-XyZ123`;
    const result = invokePermissionCheck(policy({ ...allow, Condition: { ArnLike: { 'AWS:SourceArn': other } } }), input);
    expect(result.verdict).toBe('fail');
    expect(result.saw).toContain(`only for AWS:SourceArn ArnLike ${other}: not for this secret (${SECRET})`);
    // The statement id is taken: the fix adds another, for this secret.
    expect(result.fix).toBe(`aws lambda add-permission --function-name rotator --statement-id SecretsManagerAccess2 --action lambda:InvokeFunction --principal secretsmanager.amazonaws.com --source-account ${ACCOUNT} --source-arn ${SECRET}`);
  });

  it('fails a statement whose aws:SourceAccount is another account only (the rotation is denied, not merely loose)', () => {
    const result = invokePermissionCheck(policy({ ...allow, Condition: { StringEquals: { 'AWS:SourceAccount': '999999999999' } } }), input);
    expect(result.verdict).toBe('fail');
    expect(result.fix).toMatch(new RegExp(`--statement-id SecretsManagerAccess2 .*--source-account ${ACCOUNT}$`));
  });

  it('matches aws:SourceArn with ArnLike/ArnEquals wildcards, part by part', () => {
    const judge = (operator: string, arn: string) => invokePermissionCheck(policy({ ...allow, Condition: { [operator]: { 'aws:sourcearn': arn } } }), input);
    expect(judge('ArnLike', `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:*`).verdict).toBe('ok');
    expect(judge('ArnLike', `arn:aws:secretsmanager:*:${ACCOUNT}:secret:app/momento-??????`).verdict).toBe('ok');
    expect(judge('ArnEquals', SECRET)).toMatchObject({ verdict: 'ok', saw: 'secretsmanager.amazonaws.com may invoke the function, for this secret only.' });
    // A wildcard account part pins no account: any account's secret could.
    expect(judge('ArnLike', 'arn:aws:secretsmanager:*:*:secret:*').verdict).toBe('warn');
    // Wildcards do not cross the ARN's colons.
    expect(judge('ArnLike', `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}*`).verdict).toBe('fail');
    expect(judge('ArnLike', `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:app/other-*`).verdict).toBe('fail');
  });

  it('reads SourceAccount exactly under StringEquals, and a negated operator as the negation', () => {
    expect(invokePermissionCheck(policy({ ...allow, Condition: { StringEquals: { 'aws:SourceAccount': [`${ACCOUNT}0`, '1'] } } }), input).verdict).toBe('fail');
    expect(invokePermissionCheck(policy({ ...allow, Condition: { StringNotEquals: { 'aws:SourceAccount': ACCOUNT } } }), input).verdict).toBe('fail');
    expect(invokePermissionCheck(policy({ ...allow, Condition: { StringEquals: { 'aws:SourceAccount': ['1', ACCOUNT] }, ArnLike: { 'aws:SourceArn': SECRET } } }), input).verdict).toBe('ok');
  });

  it('matches actions case-insensitively and with wildcards, and principal "*" (AddPermission accepts both)', () => {
    // IAM action names are case-insensitive (IAM User Guide, "IAM JSON policy elements: Action").
    for (const Action of ['*', 'lambda:*', 'lambda:Invoke*', 'lambda:invokefunction', ['lambda:GetFunction', 'LAMBDA:INVOKEFUNCTION']]) {
      expect(invokePermissionCheck(policy({ ...scoped, Action }), input).verdict, JSON.stringify(Action)).toBe('ok');
    }
    expect(invokePermissionCheck(policy({ ...scoped, Action: 'lambda:InvokeAsync' }), input).verdict).toBe('fail');
    expect(invokePermissionCheck(policy({ ...scoped, Action: undefined, NotAction: 'lambda:GetFunction' }), input).verdict).toBe('ok');
    expect(invokePermissionCheck(policy({ ...scoped, Principal: '*' }), input).verdict).toBe('ok');
    expect(invokePermissionCheck(policy({ ...scoped, Principal: { AWS: '*' } }), input).verdict).toBe('ok');
  });

  it('says "not checked" for a condition key it cannot evaluate, rather than guess', () => {
    const result = invokePermissionCheck(policy({ ...scoped, Condition: { StringEquals: { 'aws:SourceOrgID': 'o-1' } } }), input);
    expect(result).toMatchObject({ verdict: 'not checked', saw: expect.stringMatching(/conditions doctor cannot evaluate \(StringEquals aws:SourceOrgID\)/) });
  });

  it("puts the alias or version RotationLambdaARN names into the fix (it is the ARN Secrets Manager invokes)", () => {
    // "Permissions apply to the ARN used to invoke the function" (Lambda API reference, AddPermission).
    expect(invokePermissionCheck(undefined, { ...input, qualifier: 'live' }).fix).toBe(ADD.replace('--function-name rotator', '--function-name rotator --qualifier live'));
  });
});

describe('managementRoleChecks', () => {
  const role = (fields: Partial<RoleInfo>): RoleInfo => ({ roleId: 'r-x', roleName: 'x', roleType: 'custom', superUser: false, rules: [], ...fields });
  const input = { roleId: 'r-x', managementSecretId: 'momento/management' };
  const byId = (checks: Check[]) => Object.fromEntries(checks.map((c) => [c.id, c.verdict]));

  it('passes a role of exactly auth_management read, write and list', () => {
    const checks = managementRoleChecks(role({ rules: [{ type: 'auth_management', permissions: ['read', 'write', 'list'] }] }), input);
    expect(byId(checks)).toEqual({ 'management-role': 'ok', 'least-privilege': 'ok' });
  });

  it('fails a read-only role (Viewer), with the POST /roles body of a role that works', () => {
    const checks = managementRoleChecks(role({ roleId: 'r-viewer', roleName: 'Viewer', rules: [{ type: 'auth_management', permissions: ['read', 'list'] }] }), input);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ id: 'management-role', verdict: 'fail' });
    expect(checks[0]!.saw).toMatch(/Viewer \(r-viewer\) may list keys but not mint or revoke them/);
    expect(checks[0]!.fix).toContain(JSON.stringify(MANAGEMENT_ROLE_BODY));
    expect(checks[0]!.fix).toMatch(/store it in momento\/management/);
  });

  it('warns on Owner (super-user) and on a role that grants more than auth_management', () => {
    expect(byId(managementRoleChecks(role({ superUser: true }), input))).toEqual({ 'management-role': 'ok', 'least-privilege': 'warn' });
    const wide = role({ rules: [{ type: 'auth_management', permissions: ['read', 'write', 'list'] }, { type: 'cache', permissions: ['read'] }] });
    const checks = managementRoleChecks(wide, input);
    expect(byId(checks)).toEqual({ 'management-role': 'ok', 'least-privilege': 'warn' });
    expect(checks[1]!.saw).toMatch(/more than auth_management \(cache\)/);
  });

  it('fails an unknown role', () => {
    expect(managementRoleChecks(undefined, input)[0]).toMatchObject({ verdict: 'fail', saw: expect.stringMatching(/r-x is not among/) });
    expect(managementRoleChecks(undefined, { ...input, roleId: undefined })[0]).toMatchObject({ verdict: 'fail', saw: expect.stringMatching(/not in Momento's listing/) });
  });

  it('warns (does not fail) a management key without a key id: its role cannot be looked up, yet the function may mint with it', () => {
    const [check] = managementRoleChecks(undefined, { ...input, roleId: undefined, keyIdMissing: true });
    expect(check).toMatchObject({ id: 'management-role', verdict: 'warn', saw: expect.stringMatching(/no key id \(no jti claim\)/), fix: expect.stringMatching(/^Store a management key that has a key id: create a role/) });
  });

  it('is exactly the rule the README and the fake key-rotation role use', () => {
    expect(MANAGEMENT_ROLE_BODY.permissions.rules).toEqual([{ type: 'auth_management', permissions: ['read', 'write', 'list'], items: '*' }]);
  });
});

describe('permissionsCheck', () => {
  it('fails naming each denied action and resource', () => {
    const result = permissionsCheck(
      [
        { action: 'secretsmanager:GetSecretValue', resource: 'arn:s', decision: 'allowed' },
        { action: 'secretsmanager:PutSecretValue', resource: 'arn:s', decision: 'implicitDeny' },
      ],
      { roleArn: 'arn:role' },
    );
    expect(result.verdict).toBe('fail');
    expect(result.saw).toBe("The function's role arn:role may not: secretsmanager:PutSecretValue on arn:s (implicitDeny).");
  });

  it('is ok when everything is allowed', () => {
    expect(permissionsCheck([{ action: 'kms:Decrypt', resource: 'arn:k', decision: 'allowed' }], { roleArn: 'arn:role' }).verdict).toBe('ok');
  });
});

describe('kmsPermissionsCheck: the simulation sees identity policies, never the key policy', () => {
  const role = { roleArn: 'arn:aws:iam::111111111111:role/rot', roleAccount: '111111111111' };
  const KEY = 'arn:aws:kms:eu-west-1:111111111111:key/k-1';
  /** keyAccount null: a key named by alias, which is not simulated. */
  const use = (decision: string, keyAccount: string | null = '111111111111', key = KEY) => ({
    of: "the secret's",
    key,
    keyAccount: keyAccount ?? undefined,
    results: keyAccount === null ? [] : [{ action: 'kms:Decrypt', resource: key, decision }],
  });

  it('is absent without a customer-managed key, and ok when the role allows a key of its own account', () => {
    expect(kmsPermissionsCheck([], role)).toBeUndefined();
    expect(kmsPermissionsCheck([use('allowed')], role)?.verdict).toBe('ok');
  });

  it("an implicit deny on its own account's key is not checked: the key policy may grant the role directly (KMS Developer Guide, \"Key policies\")", () => {
    const check = kmsPermissionsCheck([use('implicitDeny')], role)!;
    expect(check.verdict).toBe('not checked');
    expect(check.saw).toMatch(/do not grant kms:Decrypt on the secret's KMS key .*only its key policy can/);
  });

  it("another account's key is never ok: both policies must allow, and doctor sees one", () => {
    const other = 'arn:aws:kms:eu-west-1:222222222222:key/k-2';
    expect(kmsPermissionsCheck([use('allowed', '222222222222', other)], role)).toMatchObject({ verdict: 'not checked', saw: expect.stringMatching(/is in account 222222222222: its key policy must also allow the role/) });
    // Without the role's own allow, cross-account use is denied whatever the key policy says.
    expect(kmsPermissionsCheck([use('implicitDeny', '222222222222', other)], role)?.verdict).toBe('fail');
  });

  it('fails an explicit deny, and says "not checked" for a key named by alias', () => {
    expect(kmsPermissionsCheck([use('explicitDeny'), use('allowed')], role)).toMatchObject({ verdict: 'fail', fix: expect.stringMatching(/KmsKeyArn/) });
    expect(kmsPermissionsCheck([use('allowed', null, 'alias/app')], role)).toMatchObject({ verdict: 'not checked', saw: expect.stringMatching(/alias\/app is not named by ARN or id/) });
  });
});

describe('vpcCheck', () => {
  const facts = { vpcId: 'vpc-1', secretsManagerEndpoint: false, otherInterfaceEndpoints: [] as string[] };
  const input = { mints: true as boolean | undefined, region: 'eu-west-1' };

  it('is ok outside a VPC, and with NAT routes from every subnet', () => {
    expect(vpcCheck(undefined, input).verdict).toBe('ok');
    expect(vpcCheck({ ...facts, subnets: [{ subnetId: 's-1', internet: true }] }, input).verdict).toBe('ok');
  });

  it('fails subnets without NAT and without endpoints, naming what cannot be reached', () => {
    const result = vpcCheck({ ...facts, subnets: [{ subnetId: 's-1', internet: true }, { subnetId: 's-2', internet: false }] }, input);
    expect(result.verdict).toBe('fail');
    expect(result.saw).toMatch(/From subnets s-2 the function cannot reach: Secrets Manager .*; Momento's endpoint .*; Momento's key-management host/);
    expect(result.fix).toMatch(/com\.amazonaws\.eu-west-1\.secretsmanager/);
  });

  it('a v1 secret needs no key-management host; with both endpoints it only warns (PrivateLink cannot be told apart)', () => {
    const endpoints = { ...facts, secretsManagerEndpoint: true, otherInterfaceEndpoints: ['com.amazonaws.vpce.eu-west-1.vpce-svc-1'], subnets: [{ subnetId: 's-2', internet: false }] };
    expect(vpcCheck(endpoints, { ...input, mints: false }).verdict).toBe('warn');
    expect(vpcCheck(endpoints, input).verdict).toBe('fail');
    // Whether rotations mint is unknown (the value could not be read): not checked, rather than a guess.
    expect(vpcCheck(endpoints, { ...input, mints: undefined }).verdict).toBe('not checked');
  });

  it("takes a provider's endpoint service (com.amazonaws.vpce.<region>.vpce-svc-…: Momento's PrivateLink) for not AWS's own", () => {
    // AWS PrivateLink guide, "Share your services through AWS PrivateLink": a shared service's name.
    expect(isAwsServiceEndpoint('com.amazonaws.vpce.eu-west-1.vpce-svc-0a1b2c3d4e5f60718')).toBe(false);
    expect(isAwsServiceEndpoint('com.amazonaws.eu-west-1.secretsmanager')).toBe(true);
  });
});

describe('exitCodeFor', () => {
  it('is 1 with any fail, 0 with warnings and unchecked only', () => {
    expect(exitCodeFor([{ id: 'a', verdict: 'warn', saw: '' }, { id: 'b', verdict: 'not checked', saw: '' }])).toBe(0);
    expect(exitCodeFor([{ id: 'a', verdict: 'ok', saw: '' }, { id: 'b', verdict: 'fail', saw: '' }])).toBe(1);
  });
});
