import { describe, expect, it } from 'vitest';
import {
  exitCodeFor,
  invokePermissionCheck,
  MANAGEMENT_ROLE_BODY,
  managementRoleChecks,
  permissionsCheck,
  scheduleCheck,
  stuckCheck,
  vpcCheck,
  type Check,
} from '../../src/doctor/checks.js';
import type { RoleInfo } from '../../src/momento/key-management.js';

const DAY = 86_400_000;
const at = (ms: number) => new Date(ms).toISOString();
const NOW = Date.parse('2026-12-01T12:00:00Z');

describe('scheduleCheck', () => {
  const check = (validInDays: number | undefined, nextInDays: number | undefined) =>
    scheduleCheck({
      validUntil: validInDays === undefined ? undefined : at(NOW + validInDays * DAY),
      nextRotation: nextInDays === undefined ? undefined : at(NOW + nextInDays * DAY),
      secretName: 'app/momento',
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
  const input = { functionName: 'rotator', account: '123456789012' };
  const policy = (statement: object) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
  const allow = { Effect: 'Allow', Principal: { Service: 'secretsmanager.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: 'arn:fn' };

  it('is ok with the service principal scoped to the account, as add-permission --source-account writes it', () => {
    expect(invokePermissionCheck(policy({ ...allow, Condition: { StringEquals: { 'AWS:SourceAccount': '123456789012' } } }), input).verdict).toBe('ok');
  });

  it('warns without SourceAccount (confused deputy), or with another account', () => {
    expect(invokePermissionCheck(policy(allow), input).verdict).toBe('warn');
    expect(invokePermissionCheck(policy({ ...allow, Condition: { StringEquals: { 'AWS:SourceAccount': '999999999999' } } }), input).verdict).toBe('warn');
  });

  it('fails without a statement for Secrets Manager, with the add-permission command', () => {
    for (const p of [undefined, 'not json', policy({ ...allow, Principal: { Service: 'events.amazonaws.com' } }), policy({ ...allow, Effect: 'Deny' }), policy({ ...allow, Action: 'lambda:GetFunction' })]) {
      const result = invokePermissionCheck(p, input);
      expect(result.verdict).toBe('fail');
      expect(result.fix).toBe(
        'aws lambda add-permission --function-name rotator --statement-id SecretsManagerAccess --action lambda:InvokeFunction --principal secretsmanager.amazonaws.com --source-account 123456789012',
      );
    }
  });

  it('reads a source ARN in the account as scoped', () => {
    const scoped = { ...allow, Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:*' } } };
    expect(invokePermissionCheck(policy(scoped), input).verdict).toBe('ok');
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

describe('vpcCheck', () => {
  const facts = { vpcId: 'vpc-1', secretsManagerEndpoint: false, otherInterfaceEndpoints: [] as string[] };
  const input = { v2: true, region: 'eu-west-1' };

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
    expect(vpcCheck(endpoints, { ...input, v2: false }).verdict).toBe('warn');
    expect(vpcCheck(endpoints, input).verdict).toBe('fail');
  });
});

describe('exitCodeFor', () => {
  it('is 1 with any fail, 0 with warnings and unchecked only', () => {
    expect(exitCodeFor([{ id: 'a', verdict: 'warn', saw: '' }, { id: 'b', verdict: 'not checked', saw: '' }])).toBe(0);
    expect(exitCodeFor([{ id: 'a', verdict: 'ok', saw: '' }, { id: 'b', verdict: 'fail', saw: '' }])).toBe(1);
  });
});
