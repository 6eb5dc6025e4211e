import {
  AssociateRouteTableCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeRouteTablesCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { IAMClient, CreateRoleCommand, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { AddPermissionCommand, CreateFunctionCommand, DeleteFunctionCommand, GetFunctionCommand, GetPolicyCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import {
  CancelRotateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withoutNodeFloorWarning } from '../../support/node-floor.js';
import { doctor as runDoctor, type DoctorReport } from '../../../src/cli/commands/doctor.js';
import { MANAGEMENT_ROLE_BODY } from '../../../src/doctor/checks.js';
import { runCli } from '../../../src/cli/main.js';
import type { MomentoApi } from '../../../src/momento/momento-api.js';
import { mintedKeyDescription } from '../../../src/rotation/strategies/mint-v2.js';
import { APP_ROLE_ID, APP_ROLE_NAME, KEY_MANAGER_ROLE_ID, OWNER_ROLE_ID, VIEWER_ROLE_ID } from '../../support/momento-roles.js';
import { consoleKeyFile, fakeV2Key, leakedSecrets } from '../../support/secrets.js';
import { RecordingProxy } from '../../stand-ins/recording-proxy.js';
import { CREDENTIALS, REGION } from '../../stand-ins/secrets-manager-service.js';
import { FAKE_V2_ENDPOINT } from '../../stand-ins/local-stack.js';
import { builtCliEnv, literal, rotatedV2Secret, useLocalCli, v2Value } from '../local-cli.js';

// `doctor` against moto_server (Secrets Manager, Lambda, IAM, EC2) and the fake Momento, through a
// proxy that records every AWS request: a healthy setup passes, each planted fault fails with its fix.
const { stack, name } = useLocalCli('doctor');
let proxy: RecordingProxy;
const ACCOUNT = '123456789012'; // moto's default account

beforeAll(async () => {
  proxy = await RecordingProxy.start(stack().moto.endpoint);
});
afterAll(async () => proxy?.stop());

const aws = () => ({ endpoint: stack().moto.endpoint, region: REGION, credentials: CREDENTIALS });

interface DoctorRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  /** Check id → its line. */
  readonly lines: Record<string, string>;
}

/** The CLI in-process, every AWS service through the recording proxy; its output must hold no secret. */
async function doctor(args: readonly string[]): Promise<DoctorRun> {
  const services = ['SECRETS_MANAGER', 'LAMBDA', 'IAM', 'EC2'];
  const saved = Object.fromEntries(services.map((s) => [s, process.env[`AWS_ENDPOINT_URL_${s}`]]));
  for (const s of services) process.env[`AWS_ENDPOINT_URL_${s}`] = proxy.endpoint;
  const out: string[] = [];
  const err: string[] = [];
  try {
    const code = await runCli(['doctor', ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
    const text = out.join('\n') + err.join('\n');
    expect(leakedSecrets(text), 'secrets in doctor output').toEqual([]);
    const lines = Object.fromEntries(out.map((l) => [/^(?:ok|WARN|FAIL|--)\s+(\S+)/.exec(l)?.[1], l]).filter(([id]) => id !== undefined));
    return { code, out: out.join('\n'), err: err.join('\n'), lines };
  } finally {
    for (const s of services) {
      if (saved[s] === undefined) delete process.env[`AWS_ENDPOINT_URL_${s}`];
      else process.env[`AWS_ENDPOINT_URL_${s}`] = saved[s];
    }
  }
}

/** A rotation function in moto, as the template deploys it: nodejs24.x, the invoke permission for this account. */
async function rotationFunction(options: { env?: Record<string, string>; permission?: 'scoped' | 'unscoped' | 'none'; runtime?: 'nodejs24.x' | 'nodejs20.x'; vpc?: { SubnetIds: string[]; SecurityGroupIds: string[] } } = {}) {
  const role = await new IAMClient(aws()).send(new CreateRoleCommand({ RoleName: `doctor-${randomUUID().slice(0, 8)}`, AssumeRolePolicyDocument: '{}' }));
  const lambda = new LambdaClient(aws());
  const fn = await lambda.send(
    new CreateFunctionCommand({
      FunctionName: `doctor-${randomUUID().slice(0, 8)}`,
      Runtime: options.runtime ?? 'nodejs24.x',
      Role: role.Role!.Arn!,
      Handler: 'handler.handler',
      Code: { ZipFile: new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]) },
      ...(options.env ? { Environment: { Variables: options.env } } : {}),
      ...(options.vpc ? { VpcConfig: options.vpc } : {}),
    }),
  );
  const permission = options.permission ?? 'scoped';
  if (permission !== 'none') {
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: fn.FunctionName!,
        StatementId: 'SecretsManagerAccess',
        Action: 'lambda:InvokeFunction',
        Principal: 'secretsmanager.amazonaws.com',
        ...(permission === 'scoped' ? { SourceAccount: ACCOUNT } : {}),
      }),
    );
  }
  return { arn: fn.FunctionArn!, name: fn.FunctionName! };
}

/** Rotation on, with this function, every 30 days, as `sam deploy` leaves it (no rotation run). */
async function turnRotationOn(secretArn: string, functionArn: string) {
  const token = randomUUID();
  await stack().service.client.send(
    new RotateSecretCommand({ SecretId: secretArn, ClientRequestToken: token, RotationLambdaARN: functionArn, RotationRules: { AutomaticallyAfterDays: 30 }, RotateImmediately: false }),
  );
  await stack().service.endRotation(secretArn, token);
}

/** A management key of `roleId` in its own secret, as {"apiKey"}. */
async function managementSecret(roleId = KEY_MANAGER_ROLE_ID) {
  const key = stack().momento.issueV2Key({ roleId });
  return stack().createSecret(name('management'), JSON.stringify({ apiKey: key.apiKey }));
}

/** A healthy v2 setup: a key minted by one rotation (the imported one retired), rotation on, a least-privilege management key. */
async function healthyV2(options: { managementRole?: string } = {}) {
  const management = await managementSecret(options.managementRole);
  const secretName = name('app');
  const secret = await rotatedV2Secret(stack(), secretName, 1);
  stack().momento.revoke(secret.imported.apiKey); // as RevokeImportedKeys would have: no retired key left valid
  const fn = await rotationFunction({ env: { MOMENTO_MANAGEMENT_SECRET_ARN: management } });
  await turnRotationOn(secret.arn, fn.arn);
  return { ...secret, management, fn, secretName };
}

describe('doctor on a healthy setup', () => {
  it('passes every check it can make, exit 0, and makes no write call of any kind', async () => {
    const setup = await healthyV2();
    proxy.reset();
    const run = await doctor(['--secret-id', setup.arn]);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    for (const id of ['secret', 'rotation', 'function', 'runtime', 'invoke-permission', 'function-management-secret', 'schedule', 'stuck-rotation', 'key-works', 'management-key', 'management-role', 'least-privilege', 'application-key', 'leftover-keys', 'vpc']) {
      expect(run.lines[id], `${id}\n${run.out}`).toMatch(/^ok\s/);
    }
    // moto_server has no iam:SimulatePrincipalPolicy: doctor says so rather than guess.
    expect(run.lines.permissions).toMatch(/^--\s+permissions\s+not checked: iam:SimulatePrincipalPolicy on arn:aws:iam::\d+:role\/doctor-\w+ failed/);
    expect(run.out).toMatch(/^\d+ ok, 0 warn, 0 fail, 1 not checked$/m);
    // The management secret came from the function's environment.
    expect(run.lines['management-key']).toContain("(the function's MOMENTO_MANAGEMENT_SECRET_ARN)");

    const writes = proxy.writes();
    expect(writes, 'write calls').toEqual([]);
    // It did look: the calls are there, all reads.
    const counts = proxy.counts();
    expect(counts['secretsmanager DescribeSecret']).toBeGreaterThan(0);
    expect(Object.keys(counts).some((k) => k.startsWith('lambda GET /2015-03-31/functions/'))).toBe(true);
    expect(counts['iam SimulatePrincipalPolicy']).toBeGreaterThan(0);
  });

  it('--json gives the same checks as data', async () => {
    const setup = await healthyV2();
    const run = await doctor(['--secret-id', setup.arn, '--json']);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.out) as { checks: { id: string; verdict: string }[]; summary: Record<string, number>; exitCode: number };
    expect(json.exitCode).toBe(0);
    expect(json.checks.find((c) => c.id === 'key-works')?.verdict).toBe('ok');
    expect(json.summary.fail).toBe(0);
    expect(json.summary.ok).toBe(json.checks.filter((c) => c.verdict === 'ok').length);
  });
});

describe('doctor names each planted fault with its fix, exit 1', () => {
  it('rotation off', async () => {
    const setup = await healthyV2();
    await stack().service.client.send(new CancelRotateSecretCommand({ SecretId: setup.arn }));
    const run = await doctor(['--secret-id', setup.arn]);
    expect(run.code).toBe(1);
    expect(run.lines.rotation).toMatch(/^FAIL\s+rotation\s+Automatic rotation is off for this secret\.\s+Fix: Deploy the SAM application with SecretArn=arn:/);
  });

  it('no function', async () => {
    const setup = await healthyV2();
    await new LambdaClient(aws()).send(new DeleteFunctionCommand({ FunctionName: setup.fn.name }));
    const run = await doctor(['--secret-id', setup.arn, '--management-secret-id', setup.management]);
    expect(run.code).toBe(1);
    expect(run.lines.function).toMatch(/^FAIL\s+function\s+The rotation function arn:\S+ does not exist: every rotation fails\.\s+Fix: Deploy the SAM application/);
  });

  it('a function without the invoke permission, and one without SourceAccount', async () => {
    const setup = await healthyV2();
    const bare = await rotationFunction({ env: { MOMENTO_MANAGEMENT_SECRET_ARN: setup.management }, permission: 'none' });
    await turnRotationOn(setup.arn, bare.arn);
    const run = await doctor(['--secret-id', setup.arn]);
    expect(run.code).toBe(1);
    expect(run.lines['invoke-permission']).toMatch(
      new RegExp(`^FAIL\\s+invoke-permission\\s+.*does not let secretsmanager\\.amazonaws\\.com invoke it.*Fix: aws lambda add-permission --function-name ${bare.name} --statement-id SecretsManagerAccess --action lambda:InvokeFunction --principal secretsmanager\\.amazonaws\\.com --source-account ${ACCOUNT}$`),
    );

    const unscoped = await rotationFunction({ env: { MOMENTO_MANAGEMENT_SECRET_ARN: setup.management }, permission: 'unscoped' });
    await turnRotationOn(setup.arn, unscoped.arn);
    const loose = await doctor(['--secret-id', setup.arn]);
    expect(loose.code).toBe(0);
    expect(loose.lines['invoke-permission']).toMatch(/^WARN\s+invoke-permission\s+.*without a SourceAccount condition/);
  });

  it('a function on another runtime, and a v2 secret whose function has no management secret', async () => {
    const setup = await healthyV2();
    const old = await rotationFunction({ runtime: 'nodejs20.x' });
    await turnRotationOn(setup.arn, old.arn);
    const run = await doctor(['--secret-id', setup.arn, '--management-secret-id', setup.management]);
    expect(run.code).toBe(1);
    expect(run.lines.runtime).toMatch(/^FAIL\s+runtime\s+It runs nodejs20\.x, not nodejs24\.x/);
    expect(run.lines['function-management-secret']).toMatch(/^FAIL\s+function-management-secret\s+.*Fix: Deploy with ManagementSecretArn=/);
  });

  it('a Viewer-role management key', async () => {
    const setup = await healthyV2({ managementRole: VIEWER_ROLE_ID });
    const run = await doctor(['--secret-id', setup.arn]);
    expect(run.code).toBe(1);
    expect(run.lines['management-role']).toMatch(/^FAIL\s+management-role\s+The management key's role Viewer \(r-viewer\) may list keys but not mint or revoke them/);
    expect(run.lines['management-role']).toContain(JSON.stringify(MANAGEMENT_ROLE_BODY));
  });

  it('an Owner-role management key: least privilege warns, exit 0', async () => {
    const setup = await healthyV2({ managementRole: OWNER_ROLE_ID });
    const run = await doctor(['--secret-id', setup.arn]);
    expect(run.code).toBe(0);
    expect(run.lines['least-privilege']).toMatch(/^WARN\s+least-privilege\s+The management key's role Owner \(r-owner\) is super-user.*Fix: For least privilege, create a role with exactly auth_management read, write and list/);
  });

  it('an unknown role', async () => {
    const management = await managementSecret();
    const fn = await rotationFunction({ env: { MOMENTO_MANAGEMENT_SECRET_ARN: management } });
    const key = stack().momento.issueV2Key({ roleId: APP_ROLE_ID });
    const arn = await stack().createSecret(name('unknown-role'), JSON.stringify({ ...JSON.parse(v2Value(key)), roleId: 'r-deleted0' }));
    await turnRotationOn(arn, fn.arn);
    const run = await doctor(['--secret-id', arn]);
    expect(run.code).toBe(1);
    expect(run.lines['application-key']).toMatch(/^FAIL\s+application-key\s+The AWSCURRENT key's role r-deleted0 is not among the account's roles: the next mint fails \(404\)\. Roles \(name → id\): .*app-readwrite → r-5c1e0a7b/);
  });

  it('an expired AWSCURRENT', async () => {
    const management = await managementSecret();
    const fn = await rotationFunction({ env: { MOMENTO_MANAGEMENT_SECRET_ARN: management } });
    const key = stack().momento.issueV2Key({ roleId: APP_ROLE_ID, lifetimeSeconds: -3600 });
    const arn = await stack().createSecret(name('expired'), v2Value(key));
    await turnRotationOn(arn, fn.arn);
    const run = await doctor(['--secret-id', arn]);
    expect(run.code).toBe(1);
    expect(run.lines.secret).toMatch(/^FAIL\s+secret\s+.*a v2 key \(key id \S+\) that expired at .*Fix: Rotate now, which mints a new key with the management key: momento-secret-rotation rotate --secret-id /);
    expect(run.lines['key-works']).toMatch(/^FAIL\s+key-works\s+Momento rejects the AWSCURRENT key at cell-1-fake-1\.prod\.a\.momentohq\.com \(AUTHENTICATION_ERROR\)/);
    expect(run.lines['application-key']).toMatch(/^FAIL\s+application-key\s+EMERGENCY: the AWSCURRENT key \(key id \S+\) is revoked or expired at Momento/);
    expect(run.lines.schedule).toMatch(/^FAIL\s+schedule\s+.*the key expires before it is rotated/);
  });

  it('a v1 key without its refresh token', async () => {
    const fn = await rotationFunction();
    const key = stack().momento.issueKey();
    const arn = await stack().createSecret(name('v1-no-token'), JSON.stringify({ apiKey: key.apiKey, validUntil: key.validUntil }));
    await turnRotationOn(arn, fn.arn);
    const run = await doctor(['--secret-id', arn]);
    expect(run.code, run.out).toBe(1);
    expect(run.lines.secret).toMatch(/^FAIL\s+secret\s+AWSCURRENT \(version \S+\) holds no refresh token: the function cannot refresh it\.\s+Fix: Store the JSON file the Momento console downloads/);
    // A v1 secret needs no management key: no Momento key-API check appears.
    expect(run.lines['management-key']).toBeUndefined();
  });

  it('a stuck AWSPENDING', async () => {
    const setup = await healthyV2();
    const token = randomUUID();
    await stack().service.client.send(new RotateSecretCommand({ SecretId: setup.arn, ClientRequestToken: token, RotationLambdaARN: setup.fn.arn, RotateImmediately: false }));
    const run = await doctor(['--secret-id', setup.arn]);
    expect(run.code).toBe(1);
    expect(run.lines['stuck-rotation']).toMatch(new RegExp(`^FAIL\\s+stuck-rotation\\s+AWSPENDING is on version ${token} \\(\\d+ minutes old\\), not on AWSCURRENT's.*repair --secret-id \\S+ --yes --force`));
  });

  it('a leftover minted key', async () => {
    const setup = await healthyV2();
    const orphan = setup.orphan();
    const run = await doctor(['--secret-id', setup.arn]);
    expect(run.code).toBe(1);
    expect(run.lines['leftover-keys']).toMatch(
      new RegExp(`^FAIL\\s+leftover-keys\\s+Minted for this secret, held by no version .*key ${orphan.keyId} .*Fix: To revoke them now: momento-secret-rotation revoke --key-id ${orphan.keyId} --management-secret-id ${setup.management.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`),
    );
  });

  it('an AWSCURRENT key minted for another secret (a copy, or a promoted replica)', async () => {
    const setup = await healthyV2();
    const other = { arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:momento/prod-AbCdEf`, name: 'momento/prod' };
    const key = stack().momento.issueV2Key({ roleId: APP_ROLE_ID, description: mintedKeyDescription(other, randomUUID(), undefined) });
    const arn = await stack().createSecret(name('copy'), v2Value(key));
    await turnRotationOn(arn, setup.fn.arn);
    const run = await doctor(['--secret-id', arn]);
    expect(run.code).toBe(1);
    expect(run.lines['application-key']).toMatch(
      /^FAIL\s+application-key\s+.*was minted for another secret.*Fix: Rotate this secret now: its key belongs to momento\/prod and will be revoked when that secret rotates it out\. momento-secret-rotation rotate --secret-id /,
    );
  });

  it('a retired imported key still valid is a warning with the revoke command', async () => {
    const management = await managementSecret();
    const secret = await rotatedV2Secret(stack(), name('retired'), 2); // the imported key has left every version
    const fn = await rotationFunction({ env: { MOMENTO_MANAGEMENT_SECRET_ARN: management } });
    await turnRotationOn(secret.arn, fn.arn);
    const run = await doctor(['--secret-id', secret.arn]);
    expect(run.code, run.out).toBe(0);
    expect(run.lines['retired-keys']).toMatch(new RegExp(`^WARN\\s+retired-keys\\s+.*key ${secret.imported.keyId}.*Fix: Once no application uses them: momento-secret-rotation revoke --key-id ${secret.imported.keyId}`));
  });

  it('no such secret: the import command; a usage error: exit 2', async () => {
    const missing = await doctor(['--secret-id', 'momento/does-not-exist']);
    expect(missing.code).toBe(1);
    expect(missing.lines.secret).toMatch(/^FAIL\s+secret\s+Secrets Manager has no secret "momento\/does-not-exist".*Fix: Create it with the key: echo -n "\$KEY" \| momento-secret-rotation import --secret-id momento\/does-not-exist/);
    expect((await doctor([])).code).toBe(2);
    expect((await doctor(['--secret-id', 'x', '--yes'])).code).toBe(2);
  });
});


describe('doctor judges what the next rotation will do', () => {
  /** createSecret of a new rotation, run by the built function with `managementSecretId`: what the next rotation does first. */
  async function nextRotationsCreateSecret(arn: string, managementSecretId: string): Promise<string> {
    const token = await stack().service.startRotation(arn);
    const invoke = stack().newContainer({ managementSecretId });
    return invoke({ Step: 'createSecret', SecretId: arn, ClientRequestToken: token }).then(
      () => 'rotated',
      (e: Error) => `${e.name}: ${e.message}`,
    );
  }

  it('a v1 secret being migrated (role and endpoint stored, a function with a management secret) is judged as a mint: its role must exist', async () => {
    // chooseStrategy (key-strategy.ts) mints for a v1 key with roleId and endpoint when the function has a management secret.
    // README "migrate": without --management-secret-id, the role is stored as given: here a role NAME.
    const management = await managementSecret();
    const fn = await rotationFunction({ env: { MOMENTO_MANAGEMENT_SECRET_ARN: management } });
    const { arn } = await stack().storeConsoleKey(name('migrating'), { extraFields: { roleId: APP_ROLE_NAME, endpoint: FAKE_V2_ENDPOINT } });
    await turnRotationOn(arn, fn.arn);

    const run = await doctor(['--secret-id', arn]);
    expect(run.code, run.out).toBe(1);
    expect(run.lines.secret).toMatch(/^ok\s+secret\s+.*a v1 key \S+, valid until .*: the function has a management secret, so its next rotation migrates the secret to v2 by minting\.$/);
    expect(run.lines['function-management-secret']).toMatch(/^ok\s+function-management-secret\s+.*the next rotation migrates this v1 key to v2\.$/);
    expect(run.lines.migration).toMatch(
      new RegExp(`^FAIL\\s+migration\\s+.*stored role "${APP_ROLE_NAME}", which is not the id .*\\(it is the name of ${APP_ROLE_ID}\\): the mint fails \\(404\\).*Fix: Store the role's id: momento-secret-rotation migrate --secret-id \\S+ --role-id ${APP_ROLE_ID} --management-secret-id `),
    );
    // The verdict is the function's: its createSecret fails on that role.
    expect(await nextRotationsCreateSecret(arn, management)).toMatch(/UnknownRoleError: .*role id "app-readwrite"/);

    // With the role's id stored, the same setup passes.
    const good = await stack().storeConsoleKey(name('migrating-ok'), { extraFields: { roleId: APP_ROLE_ID, endpoint: FAKE_V2_ENDPOINT } });
    await turnRotationOn(good.arn, fn.arn);
    const passing = await doctor(['--secret-id', good.arn]);
    expect(passing.code, passing.out).toBe(0);
    expect(passing.lines.migration).toMatch(new RegExp(`^ok\\s+migration\\s+The next rotation migrates this v1 key to v2: it mints a key with role ${APP_ROLE_NAME} \\(${APP_ROLE_ID}\\), which exists\\.$`));
    expect(passing.lines['management-role']).toMatch(/^ok\s/);
  }, 60_000);

  it("--management-secret-id naming another secret than the function's: the function's is judged (rotations use it), with a warning", async () => {
    const good = await managementSecret(KEY_MANAGER_ROLE_ID);
    const functions = await managementSecret(VIEWER_ROLE_ID);
    const secret = await rotatedV2Secret(stack(), name('app'), 1);
    stack().momento.revoke(secret.imported.apiKey);
    const fn = await rotationFunction({ env: { MOMENTO_MANAGEMENT_SECRET_ARN: functions } });
    await turnRotationOn(secret.arn, fn.arn);

    const run = await doctor(['--secret-id', secret.arn, '--management-secret-id', good]);
    expect(run.code, run.out).toBe(1);
    expect(run.lines['management-secret']).toMatch(
      new RegExp(`^WARN\\s+management-secret\\s+--management-secret-id ${literal(good)} is not the function's management secret ${literal(functions)} .*doctor checked the function's\\.  Fix: If rotations should use ${literal(good)}, deploy with ManagementSecretArn=`),
    );
    expect(run.lines['management-role']).toMatch(/^FAIL\s+management-role\s+The management key's role Viewer \(r-viewer\) may list keys but not mint or revoke them/);
    expect(run.lines['management-key']).toContain(`${functions} (the function's MOMENTO_MANAGEMENT_SECRET_ARN)`);
    expect(await nextRotationsCreateSecret(secret.arn, functions)).toMatch(/ManagementKeyRejectedError/);

    // The same secret given again (by name, the function holding the ARN): no warning.
    const same = await doctor(['--secret-id', secret.arn, '--management-secret-id', functions.split(':secret:')[1]!.replace(/-[A-Za-z0-9]{6}$/, '')]);
    expect(same.lines['management-secret'], same.out).toBeUndefined();
  }, 60_000);

  it('a bare v2 key (the key alone, not JSON): the import fix with the management secret, its own expiry, and "not checked" where it stores nothing', async () => {
    const management = await managementSecret();
    const fn = await rotationFunction({ env: { MOMENTO_MANAGEMENT_SECRET_ARN: management } });
    const key = stack().momento.issueV2Key({ roleId: APP_ROLE_ID, lifetimeSeconds: 10 * 86_400 });
    const arn = await stack().createSecret(name('bare'), key.apiKey);
    await turnRotationOn(arn, fn.arn); // every 30 days: after the key's 10
    const run = await doctor(['--secret-id', arn]);
    expect(run.code).toBe(1);
    expect(run.lines.secret).toMatch(
      new RegExp(`^FAIL\\s+secret\\s+.*holds a bare v2 key .*: the function cannot rotate it.*Fix: Import the key, which derives and stores them: echo -n "\\$KEY" \\| momento-secret-rotation import --secret-id \\S+ --management-secret-id ${literal(management)}$`),
    );
    expect(run.lines.schedule).toMatch(/^FAIL\s+schedule\s+.*the key expires before it is rotated/);
    expect(run.lines['key-works']).toMatch(/^--\s+key-works\s+not checked: AWSCURRENT holds a bare v2 key, which stores no endpoint to try it at/);
    expect(run.lines['application-key']).toMatch(new RegExp(`^ok\\s+application-key\\s+The AWSCURRENT key \\(key id ${key.keyId}\\) is live at Momento`));
  });

  it('an empty --management-secret-id is a usage error, exit 2, as an empty --secret-id is', async () => {
    const { arn } = await stack().storeConsoleKey(name('usage'));
    const run = await doctor(['--secret-id', arn, '--management-secret-id', '']);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/--management-secret-id takes the management secret's name or ARN\./);
  });
});


describe('doctor on a function in a VPC (moto EC2: route tables, NAT gateways, VPC endpoints)', () => {
  /** A VPC with one private subnet, its own route table, and a security group; `nat` adds a default route through a NAT gateway. */
  async function privateSubnet(nat: boolean) {
    const ec2 = new EC2Client(aws());
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.1.0/24' }))).Subnet!.SubnetId!;
    const table = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpc }))).RouteTable!.RouteTableId!;
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: table, SubnetId: subnet }));
    if (nat) {
      const natGateway = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnet, ConnectivityType: 'private' }))).NatGateway!.NatGatewayId!;
      await ec2.send(new CreateRouteCommand({ RouteTableId: table, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: natGateway }));
    }
    const group = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: `doctor-${randomUUID().slice(0, 8)}`, Description: 'rotation', VpcId: vpc }))).GroupId!;
    return { vpc, subnet, group };
  }

  it('fails a subnet with no NAT route and no endpoints, naming what the function cannot reach', async () => {
    const setup = await healthyV2();
    const net = await privateSubnet(false);
    const fn = await rotationFunction({ env: { MOMENTO_MANAGEMENT_SECRET_ARN: setup.management }, vpc: { SubnetIds: [net.subnet], SecurityGroupIds: [net.group] } });
    await turnRotationOn(setup.arn, fn.arn);
    proxy.reset();
    const run = await doctor(['--secret-id', setup.arn]);
    expect(run.code).toBe(1);
    expect(run.lines.vpc).toMatch(new RegExp(`^FAIL\\s+vpc\\s+From subnets ${net.subnet} the function cannot reach: Secrets Manager \\(no NAT route, no secretsmanager interface endpoint\\); Momento's endpoint .*Fix: Give subnets ${net.subnet} a default route through a NAT gateway`));
    expect(proxy.writes()).toEqual([]);
    expect(proxy.counts()['ec2 DescribeRouteTables']).toBe(1);
  });

  it('passes a subnet whose default route goes through a NAT gateway', async () => {
    const setup = await healthyV2();
    const net = await privateSubnet(true);
    const fn = await rotationFunction({ env: { MOMENTO_MANAGEMENT_SECRET_ARN: setup.management }, vpc: { SubnetIds: [net.subnet], SecurityGroupIds: [net.group] } });
    await turnRotationOn(setup.arn, fn.arn);
    const run = await doctor(['--secret-id', setup.arn]);
    expect(run.lines.vpc, run.out).toMatch(new RegExp(`^ok\\s+vpc\\s+The function's subnets in ${net.vpc} route to the internet \\(NAT\\)\\.$`));
    expect(run.code).toBe(0);
  });
});

describe('doctor through the built command (dist/cli.js, its doctor chunk and the Momento SDK loaded on demand)', () => {
  it('passes a healthy setup on Node 20, reading the key at Momento through the SDK in dist/cli-chunks', async () => {
    const setup = await healthyV2();
    proxy.reset();
    const env = builtCliEnv(stack(), {
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: proxy.endpoint,
      AWS_ENDPOINT_URL_IAM: proxy.endpoint,
      AWS_ENDPOINT_URL_EC2: proxy.endpoint,
      MOMENTO_ENDPOINT_OVERRIDE: stack().momento.address,
    });
    const child = spawn(process.execPath, ['dist/cli.js', 'doctor', '--secret-id', setup.arn], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(leakedSecrets(out + err)).toEqual([]);
    expect({ code, err: withoutNodeFloorWarning(err) }).toEqual({ code: 0, err: '' });
    expect(out).toMatch(/^ok\s+key-works\s+The AWSCURRENT key authenticates at cell-1-fake-1\.prod\.a\.momentohq\.com \(listCaches\)\.$/m);
    expect(out).toMatch(/^ok\s+application-key\s/m);
    expect(proxy.writes()).toEqual([]);
  }, 30_000);
});

// AWS answers moto cannot give (an alias, a CMK in another account, a caller denied what the
// function may do, a deleted role, an endpoint service): `doctor` called directly, each AWS
// client answering as AWS documents it (aws-sdk-client-mock). The Momento probe authenticates.
describe('doctor against AWS answers moto cannot give', () => {
  const REGION_M = 'us-east-1';
  const SECRET_ARN = `arn:aws:secretsmanager:${REGION_M}:${ACCOUNT}:secret:momento/api-key-AbCdEf`;
  const MANAGEMENT_ARN = `arn:aws:secretsmanager:${REGION_M}:${ACCOUNT}:secret:momento/management-XyZ123`;
  const FUNCTION_ARN = `arn:aws:lambda:${REGION_M}:${ACCOUNT}:function:rot`;
  const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/rot-role`;
  const KEY_ARN = `arn:aws:kms:${REGION_M}:${ACCOUNT}:key/1111aaaa-2222-bbbb-3333-cccc4444dddd`;
  const MANAGEMENT_KEY_ARN = `arn:aws:kms:${REGION_M}:${ACCOUNT}:key/9999ffff-8888-eeee-7777-dddd6666cccc`;
  const SCOPED_POLICY = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'SecretsManagerAccess', Effect: 'Allow', Principal: { Service: 'secretsmanager.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: FUNCTION_ARN, Condition: { StringEquals: { 'AWS:SourceAccount': ACCOUNT } } }],
  });
  const config = { region: REGION_M, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });

  interface Setup {
    rotationLambdaArn?: string;
    kmsKeyId?: string;
    env?: Record<string, string>;
    vpc?: { SubnetIds: string[]; VpcId: string };
    nextRotation?: Date;
  }

  /** A healthy v1 secret (rotation on, every 30 days, key valid 60 days) and its function; each test changes one answer. */
  function clients(setup: Setup = {}) {
    const now = Date.now();
    const secretsManager = new SecretsManagerClient(config);
    const sm = mockClient(secretsManager);
    sm.on(DescribeSecretCommand, { SecretId: SECRET_ARN }).resolves({
      ARN: SECRET_ARN,
      Name: 'momento/api-key',
      RotationEnabled: true,
      RotationLambdaARN: setup.rotationLambdaArn ?? FUNCTION_ARN,
      RotationRules: { AutomaticallyAfterDays: 30 },
      NextRotationDate: setup.nextRotation ?? new Date(now + 30 * 86_400_000),
      VersionIdsToStages: { v1: ['AWSCURRENT'] },
      ...(setup.kmsKeyId ? { KmsKeyId: setup.kmsKeyId } : {}),
    });
    sm.on(DescribeSecretCommand, { SecretId: MANAGEMENT_ARN }).resolves({ ARN: MANAGEMENT_ARN, Name: 'momento/management', KmsKeyId: MANAGEMENT_KEY_ARN, VersionIdsToStages: { m1: ['AWSCURRENT'] } });
    sm.on(ListSecretVersionIdsCommand).resolves({ Versions: [{ VersionId: 'v1', VersionStages: ['AWSCURRENT'], CreatedDate: new Date(now - 86_400_000) }] });
    sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ ARN: SECRET_ARN, VersionId: 'v1', SecretString: JSON.stringify(consoleKeyFile(60)) });
    // The management secret holds no v2 key here: its Momento checks stop at once, without a network call (not what these tests look at).
    sm.on(GetSecretValueCommand, { SecretId: MANAGEMENT_ARN }).resolves({ ARN: MANAGEMENT_ARN, VersionId: 'm1', SecretString: JSON.stringify(consoleKeyFile(60)) });

    const lambda = new LambdaClient(config);
    const lm = mockClient(lambda);
    lm.on(GetFunctionCommand).resolves({
      Configuration: {
        FunctionName: 'rot',
        FunctionArn: setup.rotationLambdaArn ?? FUNCTION_ARN,
        Runtime: 'nodejs24.x',
        Role: ROLE_ARN,
        Environment: { Variables: setup.env ?? {} },
        ...(setup.vpc ? { VpcConfig: { SubnetIds: setup.vpc.SubnetIds, SecurityGroupIds: ['sg-1'], VpcId: setup.vpc.VpcId } } : {}),
      },
    });
    lm.on(GetPolicyCommand).resolves({ Policy: SCOPED_POLICY });

    const iam = new IAMClient(config);
    const im = mockClient(iam);
    // As IAM's simulator answers for a role whose identity policy grants every action asked.
    im.on(SimulatePrincipalPolicyCommand).callsFake((input: { ActionNames: string[]; ResourceArns: string[] }) => ({
      EvaluationResults: input.ActionNames.map((action) => ({ EvalActionName: action, EvalResourceName: input.ResourceArns[0], EvalDecision: 'allowed' })),
    }));

    const ec2 = new EC2Client(config);
    const em = mockClient(ec2);
    const momento = async () => ({ probeApiKey: async () => ({ ok: true, call: 'listCaches' }) }) as unknown as MomentoApi;
    return { all: { secretsManager, lambda, iam, ec2, momento }, sm, lm, im, em };
  }

  async function run(c: ReturnType<typeof clients>, options: { managementSecretId?: string } = {}): Promise<DoctorReport & { text: string }> {
    const lines: string[] = [];
    const report = await runDoctor(c.all, { secretId: SECRET_ARN, managementSecretId: options.managementSecretId, json: false, aws: {} }, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
    const text = lines.join('\n');
    expect(leakedSecrets(text)).toEqual([]);
    return { ...report, text };
  }
  const check = (report: DoctorReport, id: string) => report.checks.find((x) => x.id === id);
  const verdicts = (report: DoctorReport) => Object.fromEntries(report.checks.map((x) => [x.id, x.verdict]));

  it('passes the healthy v1 setup these tests start from (the baseline each test changes)', async () => {
    const report = await run(clients());
    expect(report.exitCode, report.text).toBe(0);
    expect(Object.values(verdicts(report)).every((v) => v === 'ok'), report.text).toBe(true);
  });

  it("takes Momento's PrivateLink endpoint (com.amazonaws.vpce.<region>.vpce-svc-…) for a possible PrivateLink, not an AWS service", async () => {
    // A provider's endpoint service is named com.amazonaws.vpce.<region>.vpce-svc-<id> (AWS PrivateLink guide, "Share your services through AWS PrivateLink").
    const c = clients({ vpc: { SubnetIds: ['subnet-a'], VpcId: 'vpc-1' } });
    c.em.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [{ VpcId: 'vpc-1', Associations: [{ SubnetId: 'subnet-a' }], Routes: [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' }] }],
    });
    c.em.on(DescribeVpcEndpointsCommand).resolves({
      VpcEndpoints: [
        { VpcEndpointType: 'Interface', State: 'Available', ServiceName: `com.amazonaws.${REGION_M}.secretsmanager` },
        { VpcEndpointType: 'Interface', State: 'Available', ServiceName: `com.amazonaws.vpce.${REGION_M}.vpce-svc-0a1b2c3d4e5f60718` },
      ],
    });
    const report = await run(c);
    expect(check(report, 'vpc')).toMatchObject({ verdict: 'warn', saw: expect.stringContaining(`other interface endpoints (com.amazonaws.vpce.${REGION_M}.vpce-svc-0a1b2c3d4e5f60718)`) });
    expect(report.exitCode, report.text).toBe(0);
  });

  it('lambda:GetFunction denied: still checks the invoke permission (GetPolicy needs no GetFunction), and names every check it cannot make', async () => {
    const c = clients();
    c.lm.on(GetFunctionCommand).rejects(awsError('AccessDeniedException', 'User is not authorized to perform: lambda:GetFunction'));
    c.lm.on(GetPolicyCommand).rejects(awsError('ResourceNotFoundException', 'The resource you requested does not exist.'));
    const report = await run(c);
    expect(check(report, 'invoke-permission')?.verdict, report.text).toBe('fail');
    for (const id of ['function', 'runtime', 'permissions', 'vpc']) {
      expect(check(report, id), `${id}\n${report.text}`).toMatchObject({ verdict: 'not checked', saw: expect.stringContaining(`lambda:GetFunction on ${FUNCTION_ARN} failed (AccessDeniedException`) });
    }
    expect(report.exitCode).toBe(1);
  });

  it('reads the policy of the alias RotationLambdaARN names, and the fix adds the permission to that alias', async () => {
    // "Permissions apply to the ARN used to invoke the function ... use the Qualifier parameter" (Lambda API reference, AddPermission).
    const c = clients({ rotationLambdaArn: `${FUNCTION_ARN}:live` });
    c.lm.on(GetPolicyCommand).rejects(awsError('ResourceNotFoundException', 'The resource you requested does not exist.'));
    const report = await run(c);
    expect(c.lm.commandCalls(GetPolicyCommand).map((call) => call.args[0].input)).toEqual([{ FunctionName: FUNCTION_ARN, Qualifier: 'live' }]);
    expect(check(report, 'invoke-permission')).toMatchObject({
      verdict: 'fail',
      fix: `aws lambda add-permission --function-name rot --qualifier live --statement-id SecretsManagerAccess --action lambda:InvokeFunction --principal secretsmanager.amazonaws.com --source-account ${ACCOUNT}`,
    });
  });

  it("simulates what readManagementKey needs: GetSecretValue on the function's management secret and kms:Decrypt on its key, with Secrets Manager's context", async () => {
    const c = clients({ env: { MOMENTO_MANAGEMENT_SECRET_ARN: MANAGEMENT_ARN } });
    const report = await run(c);
    const asked = c.im.commandCalls(SimulatePrincipalPolicyCommand).map((call) => call.args[0].input);
    expect(asked.map((input) => [input.ActionNames, input.ResourceArns])).toContainEqual([['secretsmanager:GetSecretValue'], [MANAGEMENT_ARN]]);
    // The template's DecryptTheManagementKey statement holds only with kms:ViaService and the encryption context naming the secret.
    expect(asked.find((input) => input.ResourceArns?.includes(MANAGEMENT_KEY_ARN))).toMatchObject({
      ActionNames: ['kms:Decrypt'],
      ContextEntries: [
        { ContextKeyName: 'kms:ViaService', ContextKeyValues: [`secretsmanager.${REGION_M}.amazonaws.com`], ContextKeyType: 'string' },
        { ContextKeyName: 'kms:EncryptionContext:SecretARN', ContextKeyValues: [MANAGEMENT_ARN], ContextKeyType: 'string' },
      ],
    });
    expect(check(report, 'kms-permissions')?.verdict).toBe('ok');
  });

  it('a KMS key whose key policy alone grants the role: not a FAIL from an identity-only simulation, but "not checked: the key policy decides"', async () => {
    // KMS Developer Guide, "Key policies": a key policy may name the role; no IAM policy is then needed.
    // SimulatePrincipalPolicy without ResourcePolicy evaluates identity policies only, so it says implicitDeny.
    const c = clients({ kmsKeyId: KEY_ARN });
    c.im.on(SimulatePrincipalPolicyCommand).callsFake((input: { ActionNames: string[]; ResourceArns: string[] }) => ({
      EvaluationResults: input.ActionNames.map((action) => ({ EvalActionName: action, EvalResourceName: input.ResourceArns[0], EvalDecision: action.startsWith('kms:') ? 'implicitDeny' : 'allowed' })),
    }));
    const report = await run(c);
    expect(check(report, 'permissions')?.verdict).toBe('ok');
    expect(check(report, 'kms-permissions')).toMatchObject({ verdict: 'not checked', saw: expect.stringMatching(/only its key policy can, and doctor cannot read key policies/) });
    expect(report.exitCode, report.text).toBe(0);
  });

  it("a KMS key in another account is not ok: IAM's simulation cannot see that key's policy", async () => {
    // KMS Developer Guide, "Allowing users in other accounts to use a KMS key": both policies must allow.
    const c = clients({ kmsKeyId: `arn:aws:kms:${REGION_M}:210987654321:key/0000aaaa-1111-bbbb-2222-cccc3333dddd` });
    const report = await run(c);
    expect(check(report, 'kms-permissions')).toMatchObject({ verdict: 'not checked', saw: expect.stringMatching(/is in account 210987654321: its key policy must also allow the role/) });
  });

  it("the caller may not decrypt AWSCURRENT (the key policy grants the function's role, not the operator): not checked, and every other check is made", async () => {
    // GetSecretValue answers AccessDeniedException "Access to KMS is not allowed" when the caller lacks kms:Decrypt (Secrets Manager troubleshooting guide).
    const c = clients({ kmsKeyId: KEY_ARN });
    c.sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).rejects(awsError('AccessDeniedException', 'Access to KMS is not allowed'));
    const report = await run(c);
    expect(check(report, 'secret')).toMatchObject({ verdict: 'not checked', saw: expect.stringMatching(/^the caller may not read the value of AWSCURRENT \(version v1\) \(AccessDeniedException: Access to KMS is not allowed\)/) });
    expect(verdicts(report)).toMatchObject({ rotation: 'ok', function: 'ok', runtime: 'ok', 'invoke-permission': 'ok', 'stuck-rotation': 'ok', permissions: 'ok', 'kms-permissions': 'ok', vpc: 'ok', 'key-works': 'not checked', schedule: 'not checked' });
    expect(report.exitCode, report.text).toBe(0);
  });

  it("the caller may not read the function's management secret (the function's role may): not checked, not a FAIL", async () => {
    const c = clients({ env: { MOMENTO_MANAGEMENT_SECRET_ARN: MANAGEMENT_ARN } });
    c.sm.on(GetSecretValueCommand, { SecretId: MANAGEMENT_ARN }).rejects(awsError('AccessDeniedException', 'User is not authorized to perform: secretsmanager:GetSecretValue'));
    const report = await run(c);
    expect(check(report, 'management-key')).toMatchObject({ verdict: 'not checked', saw: expect.stringContaining("(the function's MOMENTO_MANAGEMENT_SECRET_ARN): The management secret: Access denied") });
    expect(report.exitCode, report.text).toBe(0);
  });

  it("a deleted function role (NoSuchEntity from the simulation) is a FAIL: the function cannot run", async () => {
    const c = clients();
    c.im.on(SimulatePrincipalPolicyCommand).rejects(awsError('NoSuchEntityException', 'The role with name rot-role cannot be found.'));
    const report = await run(c);
    expect(check(report, 'permissions')).toMatchObject({ verdict: 'fail', saw: `The function's role ${ROLE_ARN} does not exist: Lambda cannot run the function, and every rotation fails.` });
    expect(check(report, 'permissions')?.fix).toMatch(/update-function-configuration --function-name rot --role ROLE_ARN$/);
    expect(report.exitCode).toBe(1);
  });

  it('a NextRotationDate days in the past (the scheduled rotation failed) fails the schedule, as status --all does', async () => {
    const c = clients({ nextRotation: new Date(Date.now() - 5 * 86_400_000) });
    const report = await run(c);
    expect(check(report, 'schedule')).toMatchObject({ verdict: 'fail', saw: expect.stringMatching(/\(5 days ago\) has not happened: it did not run, or it failed/) });
    expect(report.exitCode).toBe(1);
  });

  it('never prints a key, not even one stored in the wrong field ({"apiKey": <endpoint>, "endpoint": <key>})', async () => {
    const key = fakeV2Key({ exp: Math.floor(Date.now() / 1000) + 60 * 86_400 });
    const c = clients();
    c.sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ ARN: SECRET_ARN, VersionId: 'v1', SecretString: JSON.stringify({ apiKey: 'cell-1-fake-1.prod.a.momentohq.com', endpoint: key }) });
    const report = await run(c); // run() asserts that no issued secret is in the output
    expect(check(report, 'secret')?.verdict).toBe('fail');
  });
});
