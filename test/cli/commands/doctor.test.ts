import { AssociateRouteTableCommand, CreateNatGatewayCommand, CreateRouteCommand, CreateRouteTableCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient, CreateRoleCommand } from '@aws-sdk/client-iam';
import { AddPermissionCommand, CreateFunctionCommand, DeleteFunctionCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { CancelRotateSecretCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANAGEMENT_ROLE_BODY } from '../../../src/doctor/checks.js';
import { runCli } from '../../../src/cli/main.js';
import { mintedKeyDescription } from '../../../src/rotation/strategies/mint-v2.js';
import { APP_ROLE_ID, KEY_MANAGER_ROLE_ID, OWNER_ROLE_ID, VIEWER_ROLE_ID } from '../../support/momento-roles.js';
import { leakedSecrets } from '../../support/secrets.js';
import { RecordingProxy } from '../../stand-ins/recording-proxy.js';
import { CREDENTIALS, REGION } from '../../stand-ins/secrets-manager-service.js';
import { builtCliEnv, rotatedV2Secret, useLocalCli, v2Value } from '../local-cli.js';

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
    const setup = await healthyV2();
    const viewer = await managementSecret(VIEWER_ROLE_ID);
    const run = await doctor(['--secret-id', setup.arn, '--management-secret-id', viewer]);
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
    expect({ code, err: err.replace(/^.*NodeVersionSupportWarning.*\n?/gm, '') }).toEqual({ code: 0, err: '' });
    expect(out).toMatch(/^ok\s+key-works\s+The AWSCURRENT key authenticates at cell-1-fake-1\.prod\.a\.momentohq\.com \(listCaches\)\.$/m);
    expect(out).toMatch(/^ok\s+application-key\s/m);
    expect(proxy.writes()).toEqual([]);
  }, 30_000);
});
