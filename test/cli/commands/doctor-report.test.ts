import { DescribeRouteTablesCommand, DescribeVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { GetFunctionCommand, GetPolicyCommand, LambdaClient, type FunctionConfiguration } from '@aws-sdk/client-lambda';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  SecretsManagerClient,
  type DescribeSecretCommandOutput,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { doctor, type DoctorReport } from '../../../src/cli/commands/doctor.js';
import { CliError } from '../../../src/cli/errors.js';
import type { MomentoApi, ProbeOutcome } from '../../../src/momento/momento-api.js';
import { APP_ROLE_ID } from '../../support/momento-roles.js';
import { consoleKeyFile, fakeJwt, fakeRefreshToken, fakeV1Key, fakeV2Key, jtiOf, leakedSecrets } from '../../support/secrets.js';

// `doctor` called directly, every AWS client answering from an in-memory account
// (aws-sdk-client-mock): what each check line says, and which calls doctor makes, for the
// secret's contents, the rotation wiring and what the caller may read. No network, no moto.

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const SECRET_NAME = 'momento/api-key';
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${SECRET_NAME}-AbCdEf`;
const MANAGEMENT_NAME = 'momento/management';
const MANAGEMENT_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${MANAGEMENT_NAME}-XyZ123`;
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:rot`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/rot-role`;
const ENDPOINT = 'cell-1-fake-1.prod.a.momentohq.com';
const DAY_MS = 86_400_000;
const SCOPED_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'SecretsManagerAccess', Effect: 'Allow', Principal: { Service: 'secretsmanager.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: FUNCTION_ARN, Condition: { StringEquals: { 'AWS:SourceAccount': ACCOUNT } } }],
});
const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });

/** One version of a secret: its stages, its creation date, and its value (an error: GetSecretValue throws it). */
interface Version {
  readonly id: string;
  readonly stages: string[];
  readonly created?: Date | undefined;
  readonly value?: string | Error;
}

interface Secret {
  readonly arn: string;
  readonly name: string;
  /** DescribeSecret's answer besides ARN, Name and VersionIdsToStages (an error: DescribeSecret throws it). */
  describe: Partial<DescribeSecretCommandOutput> | Error;
  versions: Version[];
  /** ListSecretVersionIds leaves out CreatedDate for these. */
  listedWithoutDate?: string[];
}

/** The account doctor looks at; each test changes what it needs before `run`. */
function account() {
  const now = Date.now();
  const secret: Secret = {
    arn: SECRET_ARN,
    name: SECRET_NAME,
    describe: { RotationEnabled: true, RotationLambdaARN: FUNCTION_ARN, RotationRules: { AutomaticallyAfterDays: 30 }, NextRotationDate: new Date(now + 30 * DAY_MS) },
    versions: [{ id: 'v1', stages: ['AWSCURRENT'], created: new Date(now - DAY_MS), value: JSON.stringify(consoleKeyFile(60)) }],
  };
  const management: Secret = {
    arn: MANAGEMENT_ARN,
    name: MANAGEMENT_NAME,
    describe: {},
    // Not a v2 key: the Momento checks stop at reading it, without a network call.
    versions: [{ id: 'm1', stages: ['AWSCURRENT'], created: new Date(now - DAY_MS), value: JSON.stringify(consoleKeyFile(60)) }],
  };
  const secrets = [secret, management];
  const find = (id: string | undefined) => {
    const found = secrets.find((s) => s.arn === id || s.name === id);
    if (found === undefined) throw awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return found;
  };

  const secretsManager = new SecretsManagerClient({ region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const sm = mockClient(secretsManager);
  sm.on(DescribeSecretCommand).callsFake((input: { SecretId: string }) => {
    const s = find(input.SecretId);
    if (s.describe instanceof Error) throw s.describe;
    return { ARN: s.arn, Name: s.name, ...s.describe, VersionIdsToStages: Object.fromEntries(s.versions.map((v) => [v.id, v.stages])) };
  });
  sm.on(ListSecretVersionIdsCommand).callsFake((input: { SecretId: string }) => {
    const s = find(input.SecretId);
    return { Versions: s.versions.map((v) => ({ VersionId: v.id, VersionStages: v.stages, ...(s.listedWithoutDate?.includes(v.id) ? {} : { CreatedDate: v.created }) })) };
  });
  sm.on(GetSecretValueCommand).callsFake((input: { SecretId: string; VersionId?: string; VersionStage?: string }) => {
    const s = find(input.SecretId);
    const v = s.versions.find((x) => (input.VersionId !== undefined ? x.id === input.VersionId : x.stages.includes(input.VersionStage ?? 'AWSCURRENT')));
    if (v === undefined || v.value === undefined) throw awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value.");
    if (v.value instanceof Error) throw v.value;
    return { ARN: s.arn, Name: s.name, VersionId: v.id, SecretString: v.value };
  });

  const fn: { config: FunctionConfiguration; error?: unknown; policy: string | Error } = {
    config: { FunctionName: 'rot', FunctionArn: FUNCTION_ARN, Runtime: 'nodejs24.x', Role: ROLE_ARN, Environment: { Variables: {} } },
    policy: SCOPED_POLICY,
  };
  const lambda = new LambdaClient({ region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const lm = mockClient(lambda);
  // Rejected, not thrown: the mock wraps what a fake throws in an Error, and a rejection may be anything.
  lm.on(GetFunctionCommand).callsFake(async () => (fn.error !== undefined ? Promise.reject(fn.error) : { Configuration: fn.config }));
  lm.on(GetPolicyCommand).callsFake(() => {
    if (fn.policy instanceof Error) throw fn.policy;
    return { Policy: fn.policy };
  });

  const iam = new IAMClient({ region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const im = mockClient(iam);
  // As IAM's simulator answers for a role whose identity policy grants every action asked.
  im.on(SimulatePrincipalPolicyCommand).callsFake((input: { ActionNames: string[]; ResourceArns: string[] }) => ({
    EvaluationResults: input.ActionNames.map((action) => ({ EvalActionName: action, EvalResourceName: input.ResourceArns[0], EvalDecision: 'allowed' })),
  }));

  const ec2 = new EC2Client({ region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const em = mockClient(ec2);

  const probes: { apiKey: string; endpoint: string | undefined }[] = [];
  const momento = { probe: async (): Promise<ProbeOutcome> => ({ ok: true, call: 'listCaches' }) as ProbeOutcome };
  const momentoApi = async () =>
    ({
      probeApiKey: async (apiKey: string, _cache: string | undefined, endpoint?: string) => {
        probes.push({ apiKey, endpoint });
        return momento.probe();
      },
    }) as unknown as MomentoApi;

  return { secret, management, fn, sm, lm, im, em, momento, probes, clients: { secretsManager, lambda, iam, ec2, momento: momentoApi } };
}
type Account = ReturnType<typeof account>;

interface Run extends DoctorReport {
  readonly lines: string[];
  readonly text: string;
}

async function run(a: Account, options: { secretId?: string; managementSecretId?: string } = {}): Promise<Run> {
  const lines: string[] = [];
  const report = await doctor(
    a.clients,
    { secretId: options.secretId ?? SECRET_ARN, managementSecretId: options.managementSecretId, json: false, aws: {} },
    { out: (l) => lines.push(l), err: (l) => lines.push(l) },
  );
  const text = lines.join('\n');
  expect(leakedSecrets(text), 'secrets in doctor output').toEqual([]);
  return { ...report, lines, text };
}

const check = (report: DoctorReport, id: string) => report.checks.find((c) => c.id === id);
const ids = (report: DoctorReport) => report.checks.map((c) => c.id);
/** A v2 key file as import stores it: the key, its endpoint and role. */
const v2File = (fields: Record<string, unknown> = {}) => JSON.stringify({ apiKey: fakeV2Key({ exp: Math.floor(Date.now() / 1000) + 60 * 86_400 }), endpoint: ENDPOINT, roleId: APP_ROLE_ID, ...fields });
/** A v1 key file (the console's download) with `fields` beside it. */
const v1File = (fields: Record<string, unknown> = {}) => JSON.stringify({ ...consoleKeyFile(60), ...fields });
/** A function subnet with no route to the internet, in a VPC with a Secrets Manager endpoint and one other interface endpoint. */
function isolatedSubnetWithEndpoints(a: Account) {
  a.fn.config = { ...a.fn.config, VpcConfig: { SubnetIds: ['subnet-a'], SecurityGroupIds: ['sg-1'], VpcId: 'vpc-1' } };
  a.em.on(DescribeRouteTablesCommand).resolves({
    RouteTables: [{ VpcId: 'vpc-1', Associations: [{ SubnetId: 'subnet-a' }], Routes: [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' }] }],
  });
  a.em.on(DescribeVpcEndpointsCommand).resolves({
    VpcEndpoints: [
      { VpcEndpointType: 'Interface', State: 'Available', ServiceName: `com.amazonaws.${REGION}.secretsmanager` },
      { VpcEndpointType: 'Interface', State: 'Available', ServiceName: `com.amazonaws.vpce.${REGION}.vpce-svc-0a1b2c3d4e5f60718` },
    ],
  });
}

describe('doctor prints one line per check', () => {
  it('heads the report with the secret ARN, pads labels and ids into columns, and ends with the counts', async () => {
    const a = account();
    a.fn.config = { ...a.fn.config, Runtime: 'nodejs20.x' };
    a.secret.versions = [{ id: 'v1', stages: ['AWSCURRENT'], created: new Date(Date.now() - DAY_MS), value: 'not a key' }];
    const report = await run(a, { secretId: SECRET_NAME });
    expect(report.lines[0]).toBe(`doctor  ${SECRET_ARN}`);
    // The longest id here is invoke-permission (17 characters): every id is padded to it.
    expect(report.lines).toContain('ok    rotation           Automatic rotation is on (every 30 days).');
    expect(report.lines).toContain(
      'FAIL  runtime            It runs nodejs20.x, not nodejs24.x, which the artifact is built and tested for.  Fix: Deploy the SAM application or the CDK construct of this release, which set the runtime.',
    );
    expect(report.lines).toContain('--    key-works          not checked: AWSCURRENT holds no Momento key to try');
    expect(report.lines.at(-1)).toBe('6 ok, 0 warn, 2 fail, 2 not checked');
    expect(report.summary).toEqual({ ok: 6, warn: 0, fail: 2, 'not checked': 2 });
  });

  it('heads the report with the id given when the secret cannot be found', async () => {
    const report = await run(account(), { secretId: 'momento/does-not-exist' });
    expect(report.lines[0]).toBe('doctor  momento/does-not-exist');
    expect(report.arn).toBeUndefined();
    expect(report.exitCode).toBe(1);
  });
});

describe('an AWS error, as a check line names it', () => {
  it('names an error without a name "Error"', async () => {
    const a = account();
    a.fn.error = 'socket hang up';
    const report = await run(a);
    expect(check(report, 'function')).toEqual({ id: 'function', verdict: 'not checked', saw: `lambda:GetFunction on ${FUNCTION_ARN} failed (Error: socket hang up)` });
  });

  it('keeps the first line of the message, at most 200 characters', async () => {
    const a = account();
    a.fn.error = awsError('ServiceException', `${'x'.repeat(300)}\nsecond line`);
    const report = await run(a);
    expect(check(report, 'function')?.saw).toBe(`lambda:GetFunction on ${FUNCTION_ARN} failed (ServiceException: ${'x'.repeat(200)})`);
  });
});

describe('the secret and what AWSCURRENT holds', () => {
  it('no version holds AWSCURRENT: the secret fails, and its expiry and key are not checked', async () => {
    const a = account();
    a.secret.versions = [];
    const report = await run(a);
    expect(check(report, 'secret')).toMatchObject({ verdict: 'fail', saw: 'No version holds AWSCURRENT with a value.' });
    expect(check(report, 'schedule')?.saw).toMatch(/^AWSCURRENT holds no key, so its expiry is unknown \(next rotation \S+\)$/);
    expect(check(report, 'key-works')?.saw).toBe('AWSCURRENT holds no Momento key to try');
    expect(check(report, 'stored-fields')).toBeUndefined();
  });

  it('AWSCURRENT holds something other than a key: its expiry is not checked', async () => {
    const a = account();
    a.secret.versions[0] = { ...a.secret.versions[0]!, value: 'not a key' };
    const report = await run(a);
    expect(check(report, 'schedule')).toMatchObject({ verdict: 'not checked', saw: expect.stringMatching(/^AWSCURRENT holds no key, so its expiry is unknown/) });
  });

  it('AWSCURRENT has no value: its expiry is not checked', async () => {
    const a = account();
    a.secret.versions[0] = { ...a.secret.versions[0]!, value: undefined };
    const report = await run(a);
    expect(check(report, 'schedule')).toMatchObject({ verdict: 'not checked', saw: expect.stringMatching(/^AWSCURRENT holds no key, so its expiry is unknown/) });
  });

  it('a v1 key file without validUntil: the key does not expire, and the schedule is ok', async () => {
    const a = account();
    a.secret.versions[0] = { ...a.secret.versions[0]!, value: JSON.stringify({ apiKey: fakeV1Key(), refreshToken: fakeRefreshToken() }) };
    const report = await run(a);
    expect(check(report, 'schedule')).toMatchObject({ verdict: 'ok', saw: expect.stringMatching(/^The AWSCURRENT key does not expire \(next rotation \S+\)\.$/) });
  });

  it('a bare v1 key: its expiry is not checked, as it stores no validUntil', async () => {
    const a = account();
    a.secret.versions[0] = { ...a.secret.versions[0]!, value: fakeV1Key() };
    const report = await run(a);
    expect(check(report, 'schedule')).toMatchObject({
      verdict: 'not checked',
      saw: expect.stringMatching(/^AWSCURRENT holds a bare key, without the validUntil a key file stores, so its expiry is unknown \(next rotation \S+\)$/),
    });
  });

  it('a bare v2 key without an exp claim does not expire', async () => {
    const a = account();
    a.secret.versions[0] = { ...a.secret.versions[0]!, value: fakeV2Key() };
    const report = await run(a);
    expect(check(report, 'schedule')).toMatchObject({ verdict: 'ok', saw: expect.stringMatching(/^The AWSCURRENT key does not expire/) });
    expect(check(report, 'key-works')?.saw).toBe('AWSCURRENT holds a bare v2 key, which stores no endpoint to try it at (importing it stores one)');
  });

  it('a bare v2 key stored with a trailing newline is still read as a v2 key', async () => {
    const a = account();
    a.secret.versions[0] = { ...a.secret.versions[0]!, value: `${fakeV2Key()}\n` };
    const report = await run(a);
    expect(check(report, 'secret')).toMatchObject({ verdict: 'fail', saw: expect.stringMatching(/^AWSCURRENT \(version v1\) holds a bare v2 key .*: the function cannot rotate it, as it stores no endpoint or role/) });
  });

  it('a bare v1 key stored with a trailing newline: tried trimmed, and never printed when Momento echoes it', async () => {
    const a = account();
    const key = fakeV1Key();
    a.secret.versions[0] = { ...a.secret.versions[0]!, value: `${key}\n` };
    a.momento.probe = async () => ({ ok: false, code: 'UNAVAILABLE', message: `connection reset while sending ${key}` }) as ProbeOutcome;
    const report = await run(a); // run() fails on any issued key in the output
    expect(a.probes.map((p) => p.apiKey)).toEqual([key]);
    expect(check(report, 'key-works')).toMatchObject({ verdict: 'warn', saw: 'Could not tell whether the AWSCURRENT key works: Momento answered UNAVAILABLE (connection reset while sending [REDACTED]).' });
  });

  it("a v2 key file whose stored keyId and validUntil are not the key's own: one warning naming both, to import it again", async () => {
    const a = account();
    const exp = Math.floor(Date.now() / 1000) + 60 * 86_400;
    const apiKey = fakeV2Key({ exp });
    const stored = { apiKey, endpoint: ENDPOINT, roleId: APP_ROLE_ID, keyId: 'stale-key-id', validUntil: exp - 86_400 };
    a.secret.versions[0] = { ...a.secret.versions[0]!, value: JSON.stringify(stored) };
    const report = await run(a);
    const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
    expect(check(report, 'stored-fields')).toEqual({
      id: 'stored-fields',
      verdict: 'warn',
      saw:
        `AWSCURRENT: "keyId" says stale-key-id, but the key's own id (its jti claim) is ${jtiOf(apiKey)}; the key's id is used. ` +
        `"validUntil" says ${iso(exp - 86_400)}, but the key expires at ${iso(exp)} (its exp claim); the key's expiry is used.`,
      fix: 'Import the key again, which stores what the key itself says.',
    });
  });
});

describe('a v1 key file that stores a role and an endpoint (prepared for a migration to v2)', () => {
  it('a legacy key with a function without a management secret: refreshed, with a warning that it does not migrate', async () => {
    const a = account();
    a.secret.versions[0] = { ...a.secret.versions[0]!, value: JSON.stringify({ apiKey: fakeJwt(), refreshToken: fakeRefreshToken(), roleId: APP_ROLE_ID, endpoint: ENDPOINT }) };
    const report = await run(a);
    expect(check(report, 'secret')).toMatchObject({
      verdict: 'ok',
      saw: expect.stringMatching(/a legacy key .*: rotated by refreshing \(it stores a role and an endpoint for a migration to v2, but the function has no management secret\)\.$/),
    });
    expect(check(report, 'function-management-secret')).toMatchObject({
      verdict: 'warn',
      saw: 'AWSCURRENT stores a role and an endpoint for a migration to v2 (`migrate`), but the function has no management secret: it keeps refreshing the v1 key.',
    });
  });

  it('a function with a management secret: the next rotation migrates by minting', async () => {
    const a = account();
    a.fn.config = { ...a.fn.config, Environment: { Variables: { MOMENTO_MANAGEMENT_SECRET_ARN: MANAGEMENT_ARN } } };
    a.secret.versions[0] = { ...a.secret.versions[0]!, value: v1File({ roleId: APP_ROLE_ID, endpoint: ENDPOINT }) };
    const report = await run(a);
    expect(check(report, 'secret')?.saw).toMatch(/: the function has a management secret, so its next rotation migrates the secret to v2 by minting\.$/);
    expect(check(report, 'function-management-secret')).toMatchObject({
      verdict: 'ok',
      saw: `The function mints with the management key in ${MANAGEMENT_ARN}: the next rotation migrates this v1 key to v2.`,
    });
  });

  it("a function whose configuration cannot be read: refreshed, or migrated if it has a management secret", async () => {
    const a = account();
    a.fn.error = awsError('AccessDeniedException', 'not authorized to perform: lambda:GetFunction');
    a.secret.versions[0] = { ...a.secret.versions[0]!, value: v1File({ roleId: APP_ROLE_ID, endpoint: ENDPOINT }) };
    const report = await run(a);
    expect(check(report, 'secret')?.saw).toMatch(
      /: rotated by refreshing; or, as it stores a role and an endpoint, migrated to v2 by minting if the function has a management secret \(its configuration could not be read\)\.$/,
    );
  });

  it.each([
    ['an endpoint but no role', { endpoint: ENDPOINT }],
    ['a role but no endpoint', { roleId: APP_ROLE_ID }],
  ])('a v1 key file with %s is only refreshed: no migration is judged', async (_what, fields) => {
    const a = account();
    a.secret.versions[0] = { ...a.secret.versions[0]!, value: v1File(fields) };
    const report = await run(a);
    expect(check(report, 'secret')?.saw).toMatch(/ with its refresh token, valid until \S+: rotated by refreshing\.$/);
    expect(check(report, 'function-management-secret')).toBeUndefined();
  });

  it('a key file whose apiKey is not a Momento key, with a role and an endpoint: no migration is judged', async () => {
    const a = account();
    a.secret.versions[0] = { ...a.secret.versions[0]!, value: JSON.stringify({ apiKey: 'not-a-momento-api-key', roleId: APP_ROLE_ID, endpoint: ENDPOINT }) };
    const report = await run(a);
    expect(check(report, 'secret')).toMatchObject({ verdict: 'fail', saw: 'AWSCURRENT (version v1) holds not a Momento API key: the function cannot refresh it.' });
    expect(check(report, 'function-management-secret')).toBeUndefined();
  });
});

describe('a function in a VPC whose subnets have no NAT route: whether rotations mint decides', () => {
  it.each([
    ['a v2 key (minted)', (a: Account) => (a.secret.versions[0] = { ...a.secret.versions[0]!, value: v2File() }), 'fail'],
    [
      'a v1 key being migrated (minted)',
      (a: Account) => {
        a.fn.config = { ...a.fn.config, Environment: { Variables: { MOMENTO_MANAGEMENT_SECRET_ARN: MANAGEMENT_ARN } } };
        a.secret.versions[0] = { ...a.secret.versions[0]!, value: v1File({ roleId: APP_ROLE_ID, endpoint: ENDPOINT }) };
      },
      'fail',
    ],
    ['a value the caller may not read (unknown)', (a: Account) => (a.secret.versions[0] = { ...a.secret.versions[0]!, value: awsError('AccessDeniedException', 'Access to KMS is not allowed') }), 'not checked'],
    ['a v1 key (refreshed)', () => undefined, 'warn'],
  ])('%s', async (_what, plant, verdict) => {
    const a = account();
    plant(a);
    isolatedSubnetWithEndpoints(a);
    const report = await run(a);
    const vpc = check(report, 'vpc');
    expect(vpc?.verdict, report.text).toBe(verdict);
    if (verdict === 'fail') expect(vpc?.saw).toBe("From subnets subnet-a the function cannot reach: Momento's key-management host over HTTPS (no NAT route).");
    if (verdict === 'not checked') expect(vpc?.saw).toMatch(/whether this secret's rotations mint is unknown, as its value could not be read$/);
  });
});

describe('the management secret judged', () => {
  const functionsManagement = (a: Account, id: string) => (a.fn.config = { ...a.fn.config, Environment: { Variables: { MOMENTO_MANAGEMENT_SECRET_ARN: id } } });
  const holdsV2 = (a: Account) => (a.secret.versions[0] = { ...a.secret.versions[0]!, value: v2File() });

  it('--management-secret-id, when the function has none, is named without "the function\'s"', async () => {
    const a = account();
    holdsV2(a);
    const report = await run(a, { managementSecretId: MANAGEMENT_ARN });
    expect(check(report, 'management-key')).toMatchObject({ verdict: 'fail', saw: expect.stringMatching(new RegExp(`^${MANAGEMENT_ARN}: The management secret ${MANAGEMENT_ARN} does not hold a v2 key`)) });
  });

  it('none, for a v2 key and a function without one: pass --management-secret-id or configure the function', async () => {
    const a = account();
    holdsV2(a);
    const report = await run(a);
    expect(check(report, 'management-key')).toEqual({ id: 'management-key', verdict: 'not checked', saw: 'no management secret: pass --management-secret-id, or configure the function with one' });
  });

  it("none, for a v2 key and a function whose configuration cannot be read: pass --management-secret-id", async () => {
    const a = account();
    holdsV2(a);
    a.fn.error = awsError('AccessDeniedException', 'not authorized to perform: lambda:GetFunction');
    const report = await run(a);
    expect(check(report, 'management-key')).toEqual({
      id: 'management-key',
      verdict: 'not checked',
      saw: "no management secret: the function's configuration could not be read; pass --management-secret-id",
    });
  });

  it.each([
    ['the function holds its ARN, the same secret is given by name', MANAGEMENT_ARN, MANAGEMENT_NAME],
    ['the function holds its name, the same secret is given by ARN', MANAGEMENT_NAME, MANAGEMENT_ARN],
  ])('no warning when %s', async (_what, functions, given) => {
    const a = account();
    holdsV2(a);
    functionsManagement(a, functions);
    const report = await run(a, { managementSecretId: given });
    expect(check(report, 'management-secret'), report.text).toBeUndefined();
  });

  it("a warning when --management-secret-id names another secret than the function's", async () => {
    const a = account();
    holdsV2(a);
    functionsManagement(a, MANAGEMENT_ARN);
    const report = await run(a, { managementSecretId: SECRET_ARN });
    expect(check(report, 'management-secret')).toMatchObject({ verdict: 'warn', saw: expect.stringMatching(/^--management-secret-id \S+ is not the function's management secret/) });
  });

  it('no warning about a --management-secret-id the caller may not describe, when the function has none', async () => {
    const a = account();
    holdsV2(a);
    a.management.describe = awsError('AccessDeniedException', 'not authorized to perform: secretsmanager:DescribeSecret');
    const report = await run(a, { managementSecretId: MANAGEMENT_ARN });
    expect(check(report, 'management-secret'), report.text).toBeUndefined();
  });

  it("simulates GetSecretValue on the function's management secret by its ARN, when the function names it by name", async () => {
    const a = account();
    functionsManagement(a, MANAGEMENT_NAME);
    await run(a);
    const asked = a.im.commandCalls(SimulatePrincipalPolicyCommand).map((call) => [call.args[0].input.ActionNames, call.args[0].input.ResourceArns]);
    expect(asked).toContainEqual([['secretsmanager:GetSecretValue'], [MANAGEMENT_ARN]]);
  });

  it("simulates GetSecretValue on the function's management secret when the caller may not describe it", async () => {
    const a = account();
    functionsManagement(a, MANAGEMENT_ARN);
    a.management.describe = awsError('AccessDeniedException', 'not authorized to perform: secretsmanager:DescribeSecret');
    const report = await run(a);
    const asked = a.im.commandCalls(SimulatePrincipalPolicyCommand).map((call) => [call.args[0].input.ActionNames, call.args[0].input.ResourceArns]);
    expect(asked).toContainEqual([['secretsmanager:GetSecretValue'], [MANAGEMENT_ARN]]);
    expect(check(report, 'permissions')?.verdict).toBe('ok');
  });
});

describe('the rotation wiring', () => {
  it.each([
    ['every N days', { AutomaticallyAfterDays: 30 }, 'Automatic rotation is on (every 30 days).'],
    ['a schedule expression and a window', { ScheduleExpression: 'rate(10 days)', Duration: '3h' }, 'Automatic rotation is on (rate(10 days), window 3h).'],
    ['no rules', undefined, 'Automatic rotation is on (no schedule).'],
  ])('rotation on, with %s', async (_what, rules, saw) => {
    const a = account();
    a.secret.describe = { ...(a.secret.describe as object), RotationRules: rules };
    const report = await run(a);
    expect(check(report, 'rotation')).toEqual({ id: 'rotation', verdict: 'ok', saw });
  });

  it('rotation off: no schedule check', async () => {
    const a = account();
    a.secret.describe = { ...(a.secret.describe as object), RotationEnabled: false };
    const report = await run(a);
    expect(ids(report)).toEqual(['secret', 'rotation', 'function', 'runtime', 'invoke-permission', 'stuck-rotation', 'key-works', 'permissions', 'vpc']);
  });

  it.each([
    ['its window (Duration 3h)', { ScheduleExpression: 'rate(10 days)', Duration: '3h' }, 5 * 3_600_000, 'the rotation window of 3 hours has closed'],
    ['the window of a schedule in hours (one hour)', { ScheduleExpression: 'rate(4 hours)' }, 90 * 60_000, 'the rotation window of 60 minutes has closed'],
  ])('an overdue rotation fails once %s has passed', async (_what, rules, lateMs, closed) => {
    const a = account();
    a.secret.describe = { ...(a.secret.describe as object), RotationRules: rules, NextRotationDate: new Date(Date.now() - lateMs) };
    const report = await run(a);
    expect(check(report, 'schedule')).toMatchObject({ verdict: 'fail', saw: expect.stringContaining(`: it did not run, or it failed (${closed}).`) });
  });

  it("an overdue rotation with AWSPENDING on a new version: started, and the pending version's own age", async () => {
    const a = account();
    const now = Date.now();
    a.secret.describe = { ...(a.secret.describe as object), NextRotationDate: new Date(now - 2 * DAY_MS) };
    a.secret.versions = [
      { id: 'v1', stages: ['AWSCURRENT'], created: new Date(now - 10 * DAY_MS), value: v1File() },
      { id: 'v2', stages: ['AWSPENDING'], created: new Date(now - 5 * 60_000), value: v1File() },
    ];
    const report = await run(a);
    expect(check(report, 'schedule')).toMatchObject({ verdict: 'warn', saw: expect.stringMatching(/: one has started and not finished \(AWSPENDING, see stuck-rotation\)\.$/) });
    expect(check(report, 'stuck-rotation')).toMatchObject({ verdict: 'fail', saw: expect.stringMatching(/^AWSPENDING is on version v2 \(5 minutes old\)/), fix: expect.stringContaining('--force') });
  });

  it('no rotation function configured: the function fails, and nothing about a function is checked', async () => {
    const a = account();
    a.secret.describe = { ...(a.secret.describe as object), RotationLambdaARN: undefined };
    const report = await run(a);
    expect(check(report, 'function')).toEqual({
      id: 'function',
      verdict: 'fail',
      saw: 'No rotation function is configured for this secret.',
      fix: `Deploy the SAM application with SecretArn=${SECRET_ARN} (sam deploy), or the CDK construct.`,
    });
    expect(ids(report)).toEqual(['secret', 'rotation', 'function', 'schedule', 'stuck-rotation', 'key-works']);
    expect(a.lm.calls()).toHaveLength(0);
  });

  it('names the function and its runtime', async () => {
    const report = await run(account());
    expect(check(report, 'function')).toEqual({ id: 'function', verdict: 'ok', saw: 'The rotation function rot exists.' });
    expect(check(report, 'runtime')).toEqual({ id: 'runtime', verdict: 'ok', saw: 'It runs nodejs24.x.' });
  });

  it('names the alias RotationLambdaARN invokes', async () => {
    const a = account();
    a.secret.describe = { ...(a.secret.describe as object), RotationLambdaARN: `${FUNCTION_ARN}:live` };
    const report = await run(a);
    expect(check(report, 'function')?.saw).toBe('The rotation function rot (live) exists.');
  });

  it('a function without a managed runtime (a container image) fails the runtime', async () => {
    const a = account();
    a.fn.config = { ...a.fn.config, Runtime: undefined };
    const report = await run(a);
    expect(check(report, 'runtime')).toEqual({
      id: 'runtime',
      verdict: 'fail',
      saw: 'It runs no managed runtime, not nodejs24.x, which the artifact is built and tested for.',
      fix: 'Deploy the SAM application or the CDK construct of this release, which set the runtime.',
    });
  });

  it('a function configuration without a role: no permissions are simulated', async () => {
    const a = account();
    a.fn.config = { ...a.fn.config, Role: undefined };
    const report = await run(a);
    expect(check(report, 'permissions')).toBeUndefined();
    expect(a.im.calls()).toHaveLength(0);
  });

  it('a RotationLambdaARN that is a bare function name is used as the name', async () => {
    const a = account();
    a.secret.describe = { ...(a.secret.describe as object), RotationLambdaARN: 'rot' };
    a.fn.error = awsError('AccessDeniedException', 'not authorized to perform: lambda:GetFunction');
    a.fn.policy = awsError('ResourceNotFoundException', 'The resource you requested does not exist.');
    const report = await run(a);
    expect(a.lm.commandCalls(GetPolicyCommand).map((call) => call.args[0].input)).toEqual([{ FunctionName: 'rot' }]);
    expect(check(report, 'invoke-permission')?.fix).toMatch(/^aws lambda add-permission --function-name rot --statement-id SecretsManagerAccess /);
  });
});

describe('what the caller may not read', () => {
  it('may not describe the secret: one failed check, with the permissions to grant', async () => {
    const a = account();
    a.secret.describe = awsError('AccessDeniedException', 'not authorized to perform: secretsmanager:DescribeSecret');
    const report = await run(a);
    expect(report.checks).toEqual([
      {
        id: 'secret',
        verdict: 'fail',
        saw: `Access denied to secret "${SECRET_ARN}": not authorized to perform: secretsmanager:DescribeSecret. The caller needs secretsmanager permissions on it (and kms for its key).`,
        fix: 'Grant the caller secretsmanager:DescribeSecret, ListSecretVersionIds and GetSecretValue on it (and kms:Decrypt on its key).',
      },
    ]);
    expect(report.exitCode).toBe(1);
  });

  it('an AWS error doctor cannot explain is thrown as it is', async () => {
    const a = account();
    const error = awsError('InternalServiceError', 'An error occurred on the server side.');
    a.secret.versions[0] = { ...a.secret.versions[0]!, value: error };
    await expect(run(a)).rejects.toBe(error);
  });

  it('no AWS credentials: an error, not a check', async () => {
    const a = account();
    a.secret.describe = awsError('CredentialsProviderError', 'Could not load credentials from any providers');
    const failure = await run(a).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(CliError);
    expect((failure as Error).message).toMatch(/^No AWS credentials found\./);
  });

  it("may not read AWSCURRENT's value: names what it cannot check, and why", async () => {
    const a = account();
    a.secret.versions[0] = { ...a.secret.versions[0]!, value: awsError('AccessDeniedException', 'Access to KMS is not allowed') };
    const report = await run(a);
    expect(check(report, 'secret')).toEqual({
      id: 'secret',
      verdict: 'not checked',
      saw:
        'the caller may not read the value of AWSCURRENT (version v1) (AccessDeniedException: Access to KMS is not allowed); every check that does not need it is made. ' +
        'To check it too, grant the caller secretsmanager:GetSecretValue on the secret and kms:Decrypt on its KMS key',
    });
    expect(check(report, 'schedule')?.saw).toMatch(/^the caller may not read the AWSCURRENT key, so its expiry is unknown \(next rotation \S+\)$/);
    expect(check(report, 'function-management-secret')).toEqual({
      id: 'function-management-secret',
      verdict: 'not checked',
      saw: 'the function has no management secret, which a v2 key needs; whether this secret holds one is unknown, as its value could not be read',
    });
    expect(check(report, 'management-key')).toEqual({ id: 'management-key', verdict: 'not checked', saw: 'no management secret: pass --management-secret-id, or configure the function with one' });
    expect(report.exitCode).toBe(0);
  });

  it('may not read the only version (AWSPENDING, no AWSCURRENT): no version named', async () => {
    const a = account();
    a.secret.versions = [{ id: 'v2', stages: ['AWSPENDING'], created: new Date(), value: awsError('AccessDeniedException', 'Access to KMS is not allowed') }];
    const report = await run(a);
    expect(check(report, 'secret')?.saw).toMatch(/^the caller may not read the value of AWSCURRENT \(AccessDeniedException: Access to KMS is not allowed\); every check/);
  });

  it("may not read the values, yet reads the versions' ages (ListSecretVersionIds) for the stuck-rotation check", async () => {
    const a = account();
    const now = Date.now();
    const denied = awsError('AccessDeniedException', 'Access to KMS is not allowed');
    a.secret.versions = [
      { id: 'v0', stages: ['AWSPREVIOUS'], value: denied },
      { id: 'v1', stages: ['AWSCURRENT'], created: new Date(now - 10 * DAY_MS), value: denied },
      { id: 'v2', stages: ['AWSPENDING'], created: new Date(now - 5 * 60_000), value: denied },
    ];
    a.secret.listedWithoutDate = ['v0'];
    const report = await run(a);
    expect(check(report, 'stuck-rotation')?.saw).toMatch(/^AWSPENDING is on version v2 \(5 minutes old\)/);
    const listed = a.sm.commandCalls(ListSecretVersionIdsCommand).map((call) => call.args[0].input);
    expect(listed.length).toBeGreaterThan(0);
    for (const input of listed) expect(input).toEqual({ SecretId: SECRET_ARN, IncludeDeprecated: false });
  });
});
