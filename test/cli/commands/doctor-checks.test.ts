import { DescribeRouteTablesCommand, DescribeVpcEndpointsCommand, EC2Client, type RouteTable, type VpcEndpoint } from '@aws-sdk/client-ec2';
import { IAMClient, SimulatePrincipalPolicyCommand, type EvaluationResult, type SimulatePrincipalPolicyCommandInput } from '@aws-sdk/client-iam';
import { GetFunctionCommand, GetPolicyCommand, LambdaClient, type FunctionConfiguration } from '@aws-sdk/client-lambda';
import { DescribeSecretCommand, GetSecretValueCommand, ListSecretVersionIdsCommand, SecretsManagerClient, type GetSecretValueCommandInput } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { doctor, type DoctorReport } from '../../../src/cli/commands/doctor.js';
import type { Check } from '../../../src/doctor/checks.js';
import { KeyApiError, type KeyInfo, type RoleInfo } from '../../../src/momento/key-management.js';
import type { MomentoApi, ProbeOutcome } from '../../../src/momento/momento-api.js';
import { mintedKeyDescription } from '../../../src/rotation/strategies/mint-v2.js';
import { consoleKeyFile, fakeV2Key, leakedSecrets } from '../../support/secrets.js';

// `doctor` called directly, every AWS client answering through aws-sdk-client-mock, Momento's
// data plane a stub MomentoApi and its key-management API a stub in place of the HTTP client:
// each test plants one answer and reads the check lines, the fixes and the calls doctor made.
// (The moto-backed tests of doctor.test.ts cover the same command end to end.)

/** Momento's key-management API as the tests answer it: what GET /api-keys and GET /roles return. */
const keyApi = vi.hoisted(() => ({
  keys: [] as unknown[],
  roles: [] as unknown[],
  listError: undefined as Error | undefined,
  rolesError: undefined as Error | undefined,
  deadlines: [] as number[],
  writes: 0,
}));

vi.mock('../../../src/momento/http-key-management.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/momento/http-key-management.js')>();
  class StubKeyManagementApi {
    async list(_managementKey: string, deadline: number) {
      keyApi.deadlines.push(deadline);
      if (keyApi.listError) throw keyApi.listError;
      return keyApi.keys;
    }
    async listRoles(_managementKey: string, deadline: number) {
      keyApi.deadlines.push(deadline);
      if (keyApi.rolesError) throw keyApi.rolesError;
      return keyApi.roles;
    }
    async mint(): Promise<never> {
      keyApi.writes++;
      throw new Error('doctor must not mint');
    }
    async revoke(): Promise<never> {
      keyApi.writes++;
      throw new Error('doctor must not revoke');
    }
  }
  return { ...original, HttpKeyManagementApi: StubKeyManagementApi };
});

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const SECRET_NAME = 'momento/api-key';
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${SECRET_NAME}-AbCdEf`;
const MANAGEMENT_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:momento/management-XyZ123`;
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:rot`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/rot-role`;
const ENDPOINT = 'cell-1-fake-1.prod.a.momentohq.com';
const APP_KEY_ID = 'key-app-1';
const MANAGEMENT_KEY_ID = 'key-management-1';
const DAY_MS = 86_400_000;
const SCOPED_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'SecretsManagerAccess', Effect: 'Allow', Principal: { Service: 'secretsmanager.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: FUNCTION_ARN, Condition: { StringEquals: { 'AWS:SourceAccount': ACCOUNT } } }],
});
const KEY_MANAGER: RoleInfo = { roleId: 'r-9d2f4e60', roleName: 'key-rotation', roleType: 'custom', superUser: false, rules: [{ type: 'auth_management', permissions: ['read', 'write', 'list'] }] };
const APP_ROLE: RoleInfo = { roleId: 'r-5c1e0a7b', roleName: 'app-readwrite', roleType: 'custom', superUser: false, rules: [{ type: 'cache', permissions: ['read', 'write'] }] };

const awsError = (name: string, message = `${name} (test)`) => Object.assign(new Error(message), { name });
const inSeconds = (ms: number) => Math.floor(ms / 1000);

/** A v2 key file as import stores it: the key (key id `jti`), its endpoint and role. */
function v2File(options: { jti?: string | null; endpoint?: string | null; roleId?: string | null } = {}): string {
  const apiKey = fakeV2Key({ jti: options.jti === undefined ? APP_KEY_ID : options.jti, exp: inSeconds(Date.now() + 60 * DAY_MS) });
  return JSON.stringify({
    apiKey,
    ...(options.endpoint === null ? {} : { endpoint: options.endpoint ?? ENDPOINT }),
    ...(options.roleId === null ? {} : { roleId: options.roleId ?? APP_ROLE.roleId }),
  });
}

/** The console's v1 key file, with any fields a migration stores beside it. */
const v1File = (extra: Record<string, string> = {}) => JSON.stringify({ ...consoleKeyFile(60), ...extra });

/** A listed key minted by the rotation function for this secret (or, with `secretArn`, for another). */
function mintedKey(keyId: string, options: { forVersion?: string; after?: string; secretArn?: string; roleId?: string; expiresAt?: number } = {}): KeyInfo {
  const secret = { arn: options.secretArn ?? SECRET_ARN, name: options.secretArn ? 'momento/other' : SECRET_NAME };
  return {
    keyId,
    roleId: options.roleId ?? APP_ROLE.roleId,
    description: mintedKeyDescription(secret, options.forVersion ?? `version-of-${keyId}`, options.after),
    expiresAt: options.expiresAt ?? inSeconds(Date.now() + 60 * DAY_MS),
    issuedAt: undefined,
  };
}

const managementKeyInfo = (overrides: Partial<KeyInfo> = {}): KeyInfo => ({ keyId: MANAGEMENT_KEY_ID, roleId: KEY_MANAGER.roleId, description: 'management', expiresAt: undefined, issuedAt: undefined, ...overrides });

interface Setup {
  /** The secret's versions (default: AWSCURRENT holds a v2 key file with key id APP_KEY_ID). */
  versions?: Record<string, { stages: string[]; value?: string }>;
  /** DescribeSecret fields besides the defaults (KmsKeyId). */
  describe?: { KmsKeyId?: string };
  /** The caller may not read the secret's values (AccessDeniedException, as for a KMS key it may not use). */
  valueDenied?: boolean;
  /** The management secret's value (default: {"apiKey": <v2 key with id MANAGEMENT_KEY_ID>}), or the error reading it. */
  managementValue?: string | Error;
  managementKmsKeyId?: string;
  /** DescribeSecret of the management secret fails with this (the caller may not describe it). */
  managementDescribeError?: Error;
  /** The function's environment (default: MOMENTO_MANAGEMENT_SECRET_ARN). */
  env?: Record<string, string>;
  /** Fields of GetFunction's Configuration besides the defaults, or its error. */
  config?: Partial<FunctionConfiguration> | Error;
  policyError?: Error;
  simulate?: (input: SimulatePrincipalPolicyCommandInput) => EvaluationResult[] | undefined;
  simulateError?: Error;
  probe?: ProbeOutcome;
  /** Momento's listing (default: the management key and APP_KEY_ID, minted for this secret) and roles. */
  keys?: KeyInfo[];
  roles?: RoleInfo[];
}

function clients(setup: Setup = {}) {
  const now = Date.now();
  const versions = setup.versions ?? { v1: { stages: ['AWSCURRENT'], value: v2File() } };
  const secretsManager = new SecretsManagerClient({ region: REGION });
  const sm = mockClient(secretsManager);
  // Any other secret does not exist (the specific answers below take precedence).
  sm.on(DescribeSecretCommand).rejects(awsError('ResourceNotFoundException'));
  sm.on(DescribeSecretCommand, { SecretId: SECRET_ARN }).resolves({
    ARN: SECRET_ARN,
    Name: SECRET_NAME,
    RotationEnabled: true,
    RotationLambdaARN: FUNCTION_ARN,
    RotationRules: { AutomaticallyAfterDays: 30 },
    NextRotationDate: new Date(now + 30 * DAY_MS),
    VersionIdsToStages: Object.fromEntries(Object.entries(versions).map(([id, v]) => [id, v.stages])),
    ...setup.describe,
  });
  if (setup.managementDescribeError) {
    sm.on(DescribeSecretCommand, { SecretId: MANAGEMENT_ARN }).rejects(setup.managementDescribeError);
    sm.on(DescribeSecretCommand, { SecretId: 'momento/management' }).rejects(setup.managementDescribeError);
  } else {
    sm.on(DescribeSecretCommand, { SecretId: MANAGEMENT_ARN }).resolves({
      ARN: MANAGEMENT_ARN,
      Name: 'momento/management',
      VersionIdsToStages: { m1: ['AWSCURRENT'] },
      ...(setup.managementKmsKeyId ? { KmsKeyId: setup.managementKmsKeyId } : {}),
    });
  }
  sm.on(ListSecretVersionIdsCommand).resolves({ Versions: Object.entries(versions).map(([id, v]) => ({ VersionId: id, VersionStages: v.stages, CreatedDate: new Date(now - DAY_MS) })) });
  const managementValue = setup.managementValue ?? JSON.stringify({ apiKey: fakeV2Key({ jti: MANAGEMENT_KEY_ID }) });
  sm.on(GetSecretValueCommand).callsFake((input: GetSecretValueCommandInput) => {
    if (input.SecretId === SECRET_ARN) {
      if (setup.valueDenied) throw awsError('AccessDeniedException', 'Access to KMS is not allowed');
      const version = versions[input.VersionId ?? ''];
      if (version === undefined) throw awsError('ResourceNotFoundException');
      return { ARN: SECRET_ARN, VersionId: input.VersionId, SecretString: version.value };
    }
    if (input.SecretId === MANAGEMENT_ARN) {
      if (managementValue instanceof Error) throw managementValue;
      return { ARN: MANAGEMENT_ARN, VersionId: 'm1', SecretString: managementValue };
    }
    throw awsError('ResourceNotFoundException');
  });

  const lambda = new LambdaClient({ region: REGION });
  const lm = mockClient(lambda);
  if (setup.config instanceof Error) lm.on(GetFunctionCommand).rejects(setup.config);
  else {
    lm.on(GetFunctionCommand).resolves({
      Configuration: {
        FunctionName: 'rot',
        FunctionArn: FUNCTION_ARN,
        Runtime: 'nodejs24.x',
        Role: ROLE_ARN,
        Environment: { Variables: setup.env ?? { MOMENTO_MANAGEMENT_SECRET_ARN: MANAGEMENT_ARN } },
        ...setup.config,
      },
    });
  }
  if (setup.policyError) lm.on(GetPolicyCommand).rejects(setup.policyError);
  else lm.on(GetPolicyCommand).resolves({ Policy: SCOPED_POLICY });

  const iam = new IAMClient({ region: REGION });
  const im = mockClient(iam);
  if (setup.simulateError) im.on(SimulatePrincipalPolicyCommand).rejects(setup.simulateError);
  else {
    // As IAM's simulator answers for a role whose identity policies grant every action asked.
    const allowAll = (input: SimulatePrincipalPolicyCommandInput) =>
      (input.ActionNames ?? []).map((action) => ({ EvalActionName: action, EvalResourceName: input.ResourceArns?.[0], EvalDecision: 'allowed' as const }));
    im.on(SimulatePrincipalPolicyCommand).callsFake((input: SimulatePrincipalPolicyCommandInput) => ({ EvaluationResults: (setup.simulate ?? allowAll)(input) }));
  }

  const ec2 = new EC2Client({ region: REGION });
  const em = mockClient(ec2);

  const probes: { cacheName: string | undefined; endpoint: string | undefined }[] = [];
  const api = {
    probeApiKey: async (_apiKey: string, cacheName: string | undefined, endpoint?: string) => {
      probes.push({ cacheName, endpoint });
      return setup.probe ?? { ok: true, call: cacheName === undefined ? 'listCaches' : 'get' };
    },
    refreshApiKey: async () => {
      throw new Error('doctor must not refresh a key');
    },
  } as MomentoApi;

  keyApi.keys = setup.keys ?? [managementKeyInfo(), mintedKey(APP_KEY_ID, { forVersion: 'v1' })];
  keyApi.roles = setup.roles ?? [KEY_MANAGER, APP_ROLE];
  return { all: { secretsManager, lambda, iam, ec2, momento: async () => api }, sm, lm, im, em, probes };
}

type Clients = ReturnType<typeof clients>;

interface Run {
  readonly report: DoctorReport;
  readonly text: string;
  /** The checks' ids, in order. */
  readonly ids: string[];
  check(id: string): Check | undefined;
}

async function run(c: Clients, options: { managementSecretId?: string } = {}): Promise<Run> {
  const lines: string[] = [];
  const report = await doctor(c.all, { secretId: SECRET_ARN, managementSecretId: options.managementSecretId, json: false, aws: {} }, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  const text = lines.join('\n');
  expect(leakedSecrets(text), 'secrets in doctor output').toEqual([]);
  expect(keyApi.writes, 'writes to the key-management API').toBe(0);
  return { report, text, ids: report.checks.map((x) => x.id), check: (id) => report.checks.find((x) => x.id === id) };
}

beforeEach(() => {
  keyApi.listError = undefined;
  keyApi.rolesError = undefined;
  keyApi.deadlines = [];
  keyApi.writes = 0;
  vi.stubEnv('MOMENTO_API_KEYS_URL', '');
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

const MANAGEMENT_SOURCE = `${MANAGEMENT_ARN} (the function's MOMENTO_MANAGEMENT_SECRET_ARN)`;

describe('the rotation function as lambda:GetFunction and GetPolicy describe it', () => {
  it('GetFunction denied: the invoke-permission fix names the function from RotationLambdaARN', async () => {
    const c = clients({ config: awsError('AccessDeniedException', 'User is not authorized to perform: lambda:GetFunction'), policyError: awsError('ResourceNotFoundException') });
    const { check } = await run(c);
    expect(check('invoke-permission')).toEqual({
      id: 'invoke-permission',
      verdict: 'fail',
      saw: "The function's resource policy does not let secretsmanager.amazonaws.com invoke it: every rotation fails before it starts.",
      fix: `aws lambda add-permission --function-name rot --statement-id SecretsManagerAccess --action lambda:InvokeFunction --principal secretsmanager.amazonaws.com --source-account ${ACCOUNT}`,
    });
  });

  it('GetPolicy denied: the invoke permission is not checked, and the line says which call failed', async () => {
    const { check } = await run(clients({ policyError: awsError('AccessDeniedException') }));
    expect(check('invoke-permission')).toEqual({ id: 'invoke-permission', verdict: 'not checked', saw: 'lambda:GetPolicy failed (AccessDeniedException)' });
  });

  it('reads MOMENTO_MANAGEMENT_SECRET_ARN trimmed, as the function does', async () => {
    const c = clients({ env: { MOMENTO_MANAGEMENT_SECRET_ARN: `  ${MANAGEMENT_ARN}\n` } });
    const { check } = await run(c);
    expect(check('function-management-secret')).toEqual({ id: 'function-management-secret', verdict: 'ok', saw: `The function mints with the management key in ${MANAGEMENT_ARN}.` });
    expect(check('management-key')?.verdict).toBe('ok');
  });

  it('probes the key in MOMENTO_TEST_CACHE_NAME (trimmed) when the function has one, else with listCaches', async () => {
    const withCache = clients({ env: { MOMENTO_MANAGEMENT_SECRET_ARN: MANAGEMENT_ARN, MOMENTO_TEST_CACHE_NAME: ' rotation-test \n' } });
    expect((await run(withCache)).check('key-works')?.saw).toBe(`The AWSCURRENT key authenticates at ${ENDPOINT} (get).`);
    expect(withCache.probes).toEqual([{ cacheName: 'rotation-test', endpoint: ENDPOINT }]);

    const blank = clients({ env: { MOMENTO_MANAGEMENT_SECRET_ARN: MANAGEMENT_ARN, MOMENTO_TEST_CACHE_NAME: '   ' } });
    expect((await run(blank)).check('key-works')?.saw).toBe(`The AWSCURRENT key authenticates at ${ENDPOINT} (listCaches).`);
    expect(blank.probes).toEqual([{ cacheName: undefined, endpoint: ENDPOINT }]);
  });

  it('a VpcConfig without subnets (as GetFunction answers for a function taken out of its VPC) is not a VPC: no EC2 call', async () => {
    for (const VpcConfig of [{ VpcId: 'vpc-0a1b2c3d', SubnetIds: [], SecurityGroupIds: [] }, { VpcId: 'vpc-0a1b2c3d' }]) {
      const c = clients({ config: { VpcConfig } });
      const { check } = await run(c);
      expect(check('vpc'), JSON.stringify(VpcConfig)).toEqual({ id: 'vpc', verdict: 'ok', saw: 'The function is not in a VPC: it reaches Secrets Manager and Momento over the internet.' });
      expect(c.em.calls()).toHaveLength(0);
    }
  });
});

describe("function-management-secret: the management secret the function's rotations mint with", () => {
  const id = 'function-management-secret';
  const deploy = "Deploy with ManagementSecretArn=<the management secret's ARN> (CDK: managementSecret).";

  it('a v2 secret whose function has none fails: rotations fail at createSecret', async () => {
    const { check, report } = await run(clients({ env: {} }));
    expect(check(id)).toEqual({
      id,
      verdict: 'fail',
      saw: 'The secret holds a v2 key, and the function has no management secret to mint its successor with: rotations fail at createSecret.',
      fix: deploy,
    });
    expect(report.exitCode).toBe(1);
  });

  it("not checked when the function's configuration cannot be read, with the reason", async () => {
    const { check } = await run(clients({ config: awsError('AccessDeniedException', 'User is not authorized to perform: lambda:GetFunction') }));
    expect(check(id)).toEqual({
      id,
      verdict: 'not checked',
      saw: `lambda:GetFunction on ${FUNCTION_ARN} failed (AccessDeniedException: User is not authorized to perform: lambda:GetFunction), so whether it has a management secret is unknown`,
    });
  });

  it('no line when the function does not exist (the function check fails instead)', async () => {
    const { ids, check } = await run(clients({ config: awsError('ResourceNotFoundException') }));
    expect(check('function')?.verdict).toBe('fail');
    expect(ids).not.toContain(id);
  });

  it('a v1 key stored with a role and an endpoint, and a function with a management secret: the next rotation migrates it', async () => {
    const { check } = await run(clients({ versions: { v1: { stages: ['AWSCURRENT'], value: v1File({ roleId: APP_ROLE.roleId, endpoint: ENDPOINT }) } } }));
    expect(check(id)).toEqual({ id, verdict: 'ok', saw: `The function mints with the management key in ${MANAGEMENT_ARN}: the next rotation migrates this v1 key to v2.` });
  });

  it('the same key with a function without one: a warning that it keeps refreshing, with how to migrate', async () => {
    const { check } = await run(clients({ env: {}, versions: { v1: { stages: ['AWSCURRENT'], value: v1File({ roleId: APP_ROLE.roleId, endpoint: ENDPOINT }) } } }));
    expect(check(id)).toEqual({
      id,
      verdict: 'warn',
      saw: 'AWSCURRENT stores a role and an endpoint for a migration to v2 (`migrate`), but the function has no management secret: it keeps refreshing the v1 key.',
      fix: `To migrate: ${deploy} To stay on v1, nothing.`,
    });
  });

  it("the secret's value unreadable: ok when the function has a management secret, not checked when it has none", async () => {
    const has = await run(clients({ valueDenied: true }));
    expect(has.check(id)).toEqual({ id, verdict: 'ok', saw: `The function has a management secret, ${MANAGEMENT_ARN}, for v2 keys.` });
    const none = await run(clients({ valueDenied: true, env: {} }));
    expect(none.check(id)).toEqual({
      id,
      verdict: 'not checked',
      saw: 'the function has no management secret, which a v2 key needs; whether this secret holds one is unknown, as its value could not be read',
    });
  });

  it('a plain v1 key file: no line (nothing mints)', async () => {
    const { ids } = await run(clients({ versions: { v1: { stages: ['AWSCURRENT'], value: v1File() } } }));
    expect(ids).not.toContain(id);
  });
});

describe('key-works: the AWSCURRENT key at Momento, probed as testSecret probes it', () => {
  const id = 'key-works';

  it('not checked, without a probe, when the caller may not read the value', async () => {
    const c = clients({ valueDenied: true });
    expect((await run(c)).check(id)).toEqual({ id, verdict: 'not checked', saw: 'the caller may not read the AWSCURRENT key' });
    expect(c.probes).toEqual([]);
  });

  it('not checked, without a probe, when AWSCURRENT holds no Momento key: an unrecognised key, or no key file', async () => {
    for (const value of [JSON.stringify({ apiKey: 'not-a-momento-key', refreshToken: 'r' }), JSON.stringify({ hello: 'world' })]) {
      const c = clients({ versions: { v1: { stages: ['AWSCURRENT'], value } } });
      expect((await run(c)).check(id)).toEqual({ id, verdict: 'not checked', saw: 'AWSCURRENT holds no Momento key to try' });
      expect(c.probes).toEqual([]);
    }
  });

  it('not checked, without a probe, for a v2 key file without an endpoint', async () => {
    const c = clients({ versions: { v1: { stages: ['AWSCURRENT'], value: v2File({ endpoint: null }) } } });
    expect((await run(c)).check(id)).toEqual({ id, verdict: 'not checked', saw: 'the v2 key has no endpoint to try it at' });
    expect(c.probes).toEqual([]);
  });

  it('a v1 key is probed at its own endpoint (none passed), and the line names no endpoint', async () => {
    const c = clients({ versions: { v1: { stages: ['AWSCURRENT'], value: v1File() } } });
    expect((await run(c)).check(id)).toEqual({ id, verdict: 'ok', saw: 'The AWSCURRENT key authenticates (listCaches).' });
    expect(c.probes).toEqual([{ cacheName: undefined, endpoint: undefined }]);
  });

  it('an answer only a valid key gets (PERMISSION_ERROR) is ok', async () => {
    const c = clients({ probe: { ok: false, code: 'PERMISSION_ERROR', message: 'insufficient permissions' } });
    expect((await run(c)).check(id)).toEqual({ id, verdict: 'ok', saw: `The AWSCURRENT key authenticates at ${ENDPOINT} (Momento answered PERMISSION_ERROR, which only a valid key gets).` });
  });

  it('a rejected v2 key fails with the rotate fix; a rejected v1 key with the import fix', async () => {
    const rejected: ProbeOutcome = { ok: false, code: 'AUTHENTICATION_ERROR', message: 'invalid key' };
    expect((await run(clients({ probe: rejected }))).check(id)).toEqual({
      id,
      verdict: 'fail',
      saw: `Momento rejects the AWSCURRENT key at ${ENDPOINT} (AUTHENTICATION_ERROR): applications reading this secret cannot authenticate.`,
      fix: `Rotate now, which mints a new key with the management key: momento-secret-rotation rotate --secret-id ${SECRET_NAME}`,
    });
    expect((await run(clients({ probe: rejected, versions: { v1: { stages: ['AWSCURRENT'], value: v1File() } } }))).check(id)).toEqual({
      id,
      verdict: 'fail',
      saw: 'Momento rejects the AWSCURRENT key (AUTHENTICATION_ERROR): applications reading this secret cannot authenticate.',
      fix: `Generate a new key in the Momento console and import it: momento-secret-rotation import --secret-id ${SECRET_NAME} --file momento_token.info.json`,
    });
  });

  it('an answer that says nothing of the key (UNAVAILABLE) is a warning to run doctor again', async () => {
    const c = clients({ probe: { ok: false, code: 'UNAVAILABLE_ERROR', message: 'connection refused' } });
    expect((await run(c)).check(id)).toEqual({
      id,
      verdict: 'warn',
      saw: `Could not tell whether the AWSCURRENT key works at ${ENDPOINT}: Momento answered UNAVAILABLE_ERROR (connection refused).`,
      fix: 'Run doctor again; if it persists, check the endpoint and the network.',
    });
  });
});

describe('the management key at Momento', () => {
  it('a v2 secret and no management secret anywhere: not checked, saying how to give one', async () => {
    const { check } = await run(clients({ env: {} }));
    expect(check('management-key')).toEqual({ id: 'management-key', verdict: 'not checked', saw: 'no management secret: pass --management-secret-id, or configure the function with one' });
  });

  it("a v1 secret that may be migrated, the function's configuration unreadable: not checked, saying why and what to pass", async () => {
    const c = clients({
      config: awsError('AccessDeniedException'),
      versions: { v1: { stages: ['AWSCURRENT'], value: v1File({ roleId: APP_ROLE.roleId, endpoint: ENDPOINT }) } },
    });
    expect((await run(c)).check('management-key')).toEqual({
      id: 'management-key',
      verdict: 'not checked',
      saw: "no management secret: the function's configuration could not be read; pass --management-secret-id",
    });
  });

  it('a plain v1 secret without a management secret: no Momento key-API line at all', async () => {
    const { ids } = await run(clients({ env: {}, versions: { v1: { stages: ['AWSCURRENT'], value: v1File() } } }));
    expect(ids.filter((x) => ['management-key', 'management-role', 'least-privilege', 'application-key', 'leftover-keys'].includes(x))).toEqual([]);
  });

  it('a management secret that holds no v2 key fails, with what to store there', async () => {
    const c = clients({ managementValue: JSON.stringify(consoleKeyFile(60)) });
    const { check, ids } = await run(c);
    expect(check('management-key')).toEqual({
      id: 'management-key',
      verdict: 'fail',
      saw: expect.stringMatching(new RegExp(`^${MANAGEMENT_ARN} \\(the function's MOMENTO_MANAGEMENT_SECRET_ARN\\): The management secret ${MANAGEMENT_ARN} does not hold a v2 key`)) as unknown as string,
      fix: `Store a v2 management key in ${MANAGEMENT_ARN}, bare or as {"apiKey": "<key>"}.`,
    });
    expect(ids).not.toContain('management-role');
  });

  it('an AWS error doctor cannot explain, reading the management secret, stops doctor with that error', async () => {
    const c = clients({ managementValue: awsError('InternalServiceError', 'Secrets Manager is having a bad day') });
    await expect(run(c)).rejects.toMatchObject({ name: 'InternalServiceError', message: 'Secrets Manager is having a bad day' });
  });

  it('gives each key-API call a deadline a minute ahead', async () => {
    const before = Date.now();
    await run(clients());
    expect(keyApi.deadlines).toHaveLength(2);
    for (const deadline of keyApi.deadlines) {
      expect(deadline).toBeGreaterThanOrEqual(before + 60_000);
      expect(deadline).toBeLessThanOrEqual(Date.now() + 60_000);
    }
  });

  describe('a key-API failure is named by what failed, with its fix', () => {
    const fixKey = `Store a valid key whose role grants auth_management read, write and list in ${MANAGEMENT_ARN} (docs/secret-format.md, "The management key").`;

    it('listing keys: 401 is a rejected management key', async () => {
      keyApi.listError = new KeyApiError('unauthorized', 'list', '401 invalid key');
      const { check, ids } = await run(clients());
      expect(check('management-key')).toEqual({ id: 'management-key', verdict: 'fail', saw: `Momento rejects the management key in ${MANAGEMENT_SOURCE}: invalid, revoked or expired.`, fix: fixKey });
      expect(ids).not.toContain('management-role');
    });

    it('listing keys: 403 is a management role that may not list keys', async () => {
      keyApi.listError = new KeyApiError('forbidden', 'list', '403');
      const { check, ids } = await run(clients());
      expect(check('management-role')).toEqual({ id: 'management-role', verdict: 'fail', saw: `The management key in ${MANAGEMENT_SOURCE} may not list keys (403).`, fix: fixKey });
      expect(ids).not.toContain('management-key');
    });

    it('listing roles: 403 is a management role that may not list roles', async () => {
      keyApi.rolesError = new KeyApiError('forbidden', 'list-roles', '403');
      const { check } = await run(clients());
      expect(check('management-role')).toEqual({ id: 'management-role', verdict: 'fail', saw: `The management key in ${MANAGEMENT_SOURCE} may not list roles (403).`, fix: fixKey });
    });

    it('anything else is a warning to run doctor again', async () => {
      keyApi.listError = new KeyApiError('unavailable', 'list', '503 after 3 attempts');
      const { check, report } = await run(clients());
      expect(check('management-key')).toEqual({
        id: 'management-key',
        verdict: 'warn',
        saw: 'Could not list keys at Momento with the management key: list: unavailable (503 after 3 attempts).',
        fix: 'Run doctor again; if it persists, check MOMENTO_API_KEYS_URL and the network.',
      });
      expect(report.exitCode).toBe(0);
    });
  });

  describe("the management key's own listing", () => {
    it('a key that never expires', async () => {
      const { check } = await run(clients());
      expect(check('management-key')).toEqual({ id: 'management-key', verdict: 'ok', saw: `The management key in ${MANAGEMENT_SOURCE} is valid (key id ${MANAGEMENT_KEY_ID}, never expires).` });
      expect(check('management-role')).toEqual({ id: 'management-role', verdict: 'ok', saw: "The management key's role key-rotation (r-9d2f4e60) may mint, list and revoke keys." });
    });

    it('a key that expires: its expiry', async () => {
      const expiresAt = inSeconds(Date.now() + 90 * DAY_MS);
      const { check } = await run(clients({ keys: [managementKeyInfo({ expiresAt }), mintedKey(APP_KEY_ID, { forVersion: 'v1' })] }));
      expect(check('management-key')?.saw).toBe(`The management key in ${MANAGEMENT_SOURCE} is valid (key id ${MANAGEMENT_KEY_ID}, valid until ${new Date(expiresAt * 1000).toISOString()}).`);
    });

    it('a key whose expiry is now is no longer valid', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date('2030-01-01T00:00:00.000Z'));
      const now = Date.now();
      const { check } = await run(clients({ keys: [managementKeyInfo({ expiresAt: now / 1000 }), mintedKey(APP_KEY_ID, { forVersion: 'v1' })] }));
      expect(check('management-key')).toEqual({
        id: 'management-key',
        verdict: 'warn',
        saw: `The management key in ${MANAGEMENT_SOURCE} authenticates, but Momento's listing gives key id ${MANAGEMENT_KEY_ID} an expiry of 2030-01-01T00:00:00.000Z, which has passed by this machine's clock.`,
        fix: expect.stringMatching(/^Store a new management key in \S+: create one with the key-management role in the Momento console\.$/),
      });
    });

    it("a key id Momento does not list: a warning, and its role cannot be found (with how to make one, stored in the management secret)", async () => {
      const { check } = await run(clients({ keys: [mintedKey(APP_KEY_ID, { forVersion: 'v1' })] }));
      expect(check('management-key')).toEqual({
        id: 'management-key',
        verdict: 'warn',
        saw: `The management key in ${MANAGEMENT_SOURCE} authenticates, but its key id ${MANAGEMENT_KEY_ID} is not in Momento's listing.`,
        fix: 'Store a management key minted in this account, with a key id.',
      });
      expect(check('management-role')).toMatchObject({
        verdict: 'fail',
        saw: "The management key's role could not be found: its key id is not in Momento's listing.",
        fix: expect.stringMatching(new RegExp(`^Create a role with exactly auth_management read, write and list .*, mint a key with it, and store it in ${MANAGEMENT_ARN}$`)),
      });
    });

    it('a management key without a key id (no jti claim): a warning on the key and on its role', async () => {
      const { check } = await run(clients({ managementValue: JSON.stringify({ apiKey: fakeV2Key({ jti: null }) }) }));
      expect(check('management-key')?.saw).toBe(`The management key in ${MANAGEMENT_SOURCE} authenticates, but its key id (none: no jti claim) is not in Momento's listing.`);
      expect(check('management-role')).toMatchObject({ verdict: 'warn', saw: expect.stringMatching(/^The management key has no key id \(no jti claim\)/) });
    });
  });

  it("the secret's values unreadable: the management key is checked, the secret's keys are not", async () => {
    const { ids, check } = await run(clients({ valueDenied: true }));
    const why = "the caller may not read the secret's values, so its keys are not known";
    expect(ids.filter((x) => ['management-key', 'management-role', 'least-privilege', 'application-key', 'leftover-keys', 'migration'].includes(x))).toEqual([
      'management-key',
      'management-role',
      'least-privilege',
      'application-key',
      'leftover-keys',
    ]);
    expect(check('application-key')).toEqual({ id: 'application-key', verdict: 'not checked', saw: why });
    expect(check('leftover-keys')).toEqual({ id: 'leftover-keys', verdict: 'not checked', saw: why });
  });
});

describe('migration: the role a v1 key being migrated will be minted with', () => {
  const migrating = (roleId: string) => ({ v1: { stages: ['AWSCURRENT'], value: v1File({ roleId, endpoint: ENDPOINT }) } });
  const momentoIds = (ids: string[]) => ids.filter((x) => ['management-key', 'management-role', 'least-privilege', 'migration', 'application-key', 'leftover-keys'].includes(x));

  it('the function has a management secret: the role is checked, and the keys minted for this secret', async () => {
    const { ids, check } = await run(clients({ versions: migrating(APP_ROLE.roleId) }));
    expect(momentoIds(ids)).toEqual(['management-key', 'management-role', 'least-privilege', 'migration', 'leftover-keys']);
    expect(check('migration')?.verdict).toBe('ok');
  });

  it('a role name stored instead of its id fails, with the migrate command that stores the id', async () => {
    const { check } = await run(clients({ versions: migrating(APP_ROLE.roleName) }));
    expect(check('migration')).toMatchObject({
      verdict: 'fail',
      fix: `Store the role's id: momento-secret-rotation migrate --secret-id ${SECRET_NAME} --role-id ${APP_ROLE.roleId} --management-secret-id ${MANAGEMENT_ARN}`,
    });
  });

  it("the function's configuration unreadable (--management-secret-id given): an existing role is ok", async () => {
    const c = clients({ config: awsError('AccessDeniedException'), versions: migrating(APP_ROLE.roleId) });
    const { check } = await run(c, { managementSecretId: MANAGEMENT_ARN });
    expect(check('migration')).toEqual({ id: 'migration', verdict: 'ok', saw: `The next rotation migrates this v1 key to v2: it mints a key with role ${APP_ROLE.roleName} (${APP_ROLE.roleId}), which exists.` });
  });

  it("the function's configuration unreadable: a missing role is a warning, as the function may not migrate at all", async () => {
    const c = clients({ config: awsError('AccessDeniedException'), versions: migrating('r-deleted0') });
    const { check } = await run(c, { managementSecretId: MANAGEMENT_ARN });
    expect(check('migration')).toMatchObject({
      verdict: 'warn',
      saw: expect.stringMatching(/^If the function has a management secret \(its configuration could not be read\): The next rotation migrates this v1 key to v2 and mints with the stored role "r-deleted0"/),
      fix: `Store the role's id: momento-secret-rotation migrate --secret-id ${SECRET_NAME} --role NAME --management-secret-id ${MANAGEMENT_ARN}`,
    });
  });

  it('a v2 secret has no migration line', async () => {
    expect((await run(clients())).ids).not.toContain('migration');
  });

  it('a v1 secret that is not migrated: only the management key is checked, no key of the secret', async () => {
    const { ids } = await run(clients({ versions: { v1: { stages: ['AWSCURRENT'], value: v1File() } } }));
    expect(momentoIds(ids)).toEqual(['management-key', 'management-role', 'least-privilege']);
  });
});

describe("application-key and the keys minted for this secret", () => {
  const momentoIds = (ids: string[]) => ids.filter((x) => ['application-key', 'leftover-keys', 'retired-keys'].includes(x));

  it('a v2 key in another version than AWSCURRENT (a v1 AWSCURRENT): leftovers are checked, AWSCURRENT is not looked up', async () => {
    const versions = { v1: { stages: ['AWSCURRENT'], value: v1File() }, v0: { stages: ['AWSPREVIOUS'], value: v2File() } };
    const { ids, check } = await run(clients({ versions }));
    expect(momentoIds(ids)).toEqual(['leftover-keys']);
    expect(check('leftover-keys')).toEqual({ id: 'leftover-keys', verdict: 'ok', saw: 'No key minted for this secret is left unstored.' });
  });

  it('no AWSCURRENT at all: the secret check fails, and doctor still makes every other check', async () => {
    for (const versions of [{}, { p1: { stages: ['AWSPENDING'], value: v2File() } }] as NonNullable<Setup['versions']>[]) {
      const { check, ids } = await run(clients({ versions }));
      expect(check('secret')).toMatchObject({ verdict: 'fail', saw: 'No version holds AWSCURRENT with a value.' });
      expect(ids).toContain('vpc');
      expect(ids).not.toContain('application-key');
    }
  });

  it('a v2 key without a key id is not looked up at Momento (nothing to find it by)', async () => {
    const { ids, check } = await run(clients({ versions: { v1: { stages: ['AWSCURRENT'], value: v2File({ jti: null }) } } }));
    expect(check('secret')?.verdict).toBe('warn');
    expect(momentoIds(ids)).toEqual(['leftover-keys']);
  });

  it('a revoked AWSCURRENT key: EMERGENCY, rotate now', async () => {
    const { check } = await run(clients({ keys: [managementKeyInfo()] }));
    expect(check('application-key')).toEqual({
      id: 'application-key',
      verdict: 'fail',
      saw: `EMERGENCY: the AWSCURRENT key (key id ${APP_KEY_ID}) is revoked or expired at Momento: applications reading this secret cannot authenticate.`,
      fix: `Rotate now: momento-secret-rotation rotate --secret-id ${SECRET_NAME}`,
    });
  });

  it("a stored role that is not among the account's roles fails, listing the roles, with the import fix", async () => {
    const importAgain = `echo -n "$KEY" | momento-secret-rotation import --secret-id ${SECRET_NAME} --management-secret-id ${MANAGEMENT_ARN}`;
    const missing = await run(clients({ versions: { v1: { stages: ['AWSCURRENT'], value: v2File({ roleId: 'r-deleted0' }) } } }));
    expect(missing.check('application-key')).toEqual({
      id: 'application-key',
      verdict: 'fail',
      saw: "The AWSCURRENT key's role r-deleted0 is not among the account's roles: the next mint fails (404). Roles (name → id): key-rotation → r-9d2f4e60, app-readwrite → r-5c1e0a7b.",
      fix: `Store the id of an existing role: create a key with that role in the Momento console and import it (${importAgain}).`,
    });
    const none = await run(clients({ versions: { v1: { stages: ['AWSCURRENT'], value: v2File({ roleId: null }) } } }));
    expect(none.check('application-key')?.saw).toMatch(/^The AWSCURRENT key's role \(none stored\) is not among the account's roles/);
  });

  it('Momento lists the key with another role than the secret stores: a warning that the successor gets the stored one', async () => {
    const { check } = await run(clients({ keys: [managementKeyInfo(), mintedKey(APP_KEY_ID, { forVersion: 'v1', roleId: KEY_MANAGER.roleId })] }));
    expect(check('application-key')).toEqual({
      id: 'application-key',
      verdict: 'warn',
      saw: `The secret stores role ${APP_ROLE.roleId}, but Momento lists key ${APP_KEY_ID} with role ${KEY_MANAGER.roleId}: its successor gets ${APP_ROLE.roleId}.`,
      fix: `Import the key again, which reads its role from Momento: echo -n "$KEY" | momento-secret-rotation import --secret-id ${SECRET_NAME} --management-secret-id ${MANAGEMENT_ARN}`,
    });
  });

  it("a live key with its role: ok, naming the role (or saying it has no name)", async () => {
    const named = await run(clients());
    expect(named.check('application-key')).toEqual({ id: 'application-key', verdict: 'ok', saw: `The AWSCURRENT key (key id ${APP_KEY_ID}) is live at Momento, with role app-readwrite (r-5c1e0a7b).` });
    const unnamed = await run(clients({ roles: [KEY_MANAGER, { ...APP_ROLE, roleName: '' }] }));
    expect(unnamed.check('application-key')?.saw).toBe(`The AWSCURRENT key (key id ${APP_KEY_ID}) is live at Momento, with role (no name) (r-5c1e0a7b).`);
  });

  it('two leftover keys: each named, each with its revoke command', async () => {
    const keys = [managementKeyInfo(), mintedKey(APP_KEY_ID, { forVersion: 'v1' }), mintedKey('key-left-1', { forVersion: 'p1' }), mintedKey('key-left-2', { forVersion: 'p2' })];
    const { check } = await run(clients({ keys }));
    const revoke = (keyId: string) => `momento-secret-rotation revoke --key-id ${keyId} --management-secret-id ${MANAGEMENT_ARN}`;
    expect(check('leftover-keys')).toEqual({
      id: 'leftover-keys',
      verdict: 'fail',
      saw: 'Minted for this secret, held by no version (a rotation stopped between minting and storing): key key-left-1 (for version p1), key key-left-2 (for version p2). The next finishSecret or expiry report revokes them.',
      fix: `To revoke them now: ${revoke('key-left-1')} ; ${revoke('key-left-2')}`,
    });
  });

  it('two retired keys still valid: each named, each with its revoke command', async () => {
    const versions = { v1: { stages: ['AWSCURRENT'], value: v2File() }, v0: { stages: ['AWSPREVIOUS'], value: v2File({ jti: 'key-prev-1' }) } };
    const imported = (keyId: string): KeyInfo => ({ keyId, roleId: APP_ROLE.roleId, description: 'created in the console', expiresAt: undefined, issuedAt: undefined });
    const keys = [managementKeyInfo(), mintedKey(APP_KEY_ID, { forVersion: 'v1', after: 'key-old-1' }), mintedKey('key-prev-1', { forVersion: 'v0', after: 'key-old-2' }), imported('key-old-1'), imported('key-old-2')];
    const { check } = await run(clients({ versions, keys }));
    const revoke = (keyId: string) => `momento-secret-rotation revoke --key-id ${keyId} --management-secret-id ${MANAGEMENT_ARN}`;
    expect(check('retired-keys')).toEqual({
      id: 'retired-keys',
      verdict: 'warn',
      saw: "Left this secret and still valid at Momento (the function does not revoke them: imported, or another secret's): key key-old-1, key key-old-2.",
      fix: `Once no application uses them: ${revoke('key-old-1')} ; ${revoke('key-old-2')}`,
    });
  });
});

describe("permissions: IAM's simulation of the function's role", () => {
  const asked = (c: Clients) => c.im.commandCalls(SimulatePrincipalPolicyCommand).map((call) => call.args[0].input);
  const secretActions = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'];
  const UUID = '1111aaaa-2222-bbbb-3333-cccc4444dddd';
  const MRK = `mrk-${'0123456789abcdef'.repeat(2)}`;
  const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${UUID}`;
  const context = (secretArn: string) => [
    { ContextKeyName: 'kms:ViaService', ContextKeyValues: [`secretsmanager.${REGION}.amazonaws.com`], ContextKeyType: 'string' },
    { ContextKeyName: 'kms:EncryptionContext:SecretARN', ContextKeyValues: [secretArn], ContextKeyType: 'string' },
  ];

  it("asks for what rotations do to the secret and its management secret, and says what the role may do", async () => {
    const c = clients();
    const { check } = await run(c);
    expect(asked(c)).toEqual([
      { PolicySourceArn: ROLE_ARN, ActionNames: secretActions, ResourceArns: [SECRET_ARN] },
      { PolicySourceArn: ROLE_ARN, ActionNames: ['secretsmanager:GetSecretValue'], ResourceArns: [MANAGEMENT_ARN] },
    ]);
    expect(check('permissions')).toEqual({
      id: 'permissions',
      verdict: 'ok',
      saw: `The function's role may ${secretActions.join(', ')} on ${SECRET_ARN}; secretsmanager:GetSecretValue on ${MANAGEMENT_ARN} (IAM policy simulation).`,
    });
  });

  it('a management secret named by name that the caller may not describe is not simulated (no ARN to simulate on)', async () => {
    const c = clients({ env: { MOMENTO_MANAGEMENT_SECRET_ARN: 'momento/management' } });
    await run(c);
    expect(asked(c).map((input) => input.ResourceArns)).toEqual([[SECRET_ARN]]);
  });

  it("a KMS key named by key id or multi-Region key id is simulated as a key ARN in the secret's Region and account", async () => {
    const c = clients({ describe: { KmsKeyId: UUID }, managementKmsKeyId: MRK });
    const { check } = await run(c);
    const keyArn = (id: string) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`;
    expect(asked(c).slice(2)).toEqual([
      { PolicySourceArn: ROLE_ARN, ActionNames: ['kms:Decrypt', 'kms:GenerateDataKey'], ResourceArns: [keyArn(UUID)], ContextEntries: context(SECRET_ARN) },
      { PolicySourceArn: ROLE_ARN, ActionNames: ['kms:Decrypt'], ResourceArns: [keyArn(MRK)], ContextEntries: context(MANAGEMENT_ARN) },
    ]);
    expect(check('kms-permissions')).toEqual({
      id: 'kms-permissions',
      verdict: 'ok',
      saw:
        `The function's role may kms:Decrypt, kms:GenerateDataKey on the secret's KMS key ${keyArn(UUID)}; kms:Decrypt on the management secret's KMS key ${keyArn(MRK)} ` +
        '(IAM policy simulation; the key policy must let IAM policies grant it, as the default key policy does).',
    });
  });

  it('the AWS managed key (alias/aws/secretsmanager, or its alias ARN) needs no check', async () => {
    for (const KmsKeyId of ['alias/aws/secretsmanager', `arn:aws:kms:${REGION}:${ACCOUNT}:alias/aws/secretsmanager`]) {
      const c = clients({ describe: { KmsKeyId } });
      const { ids } = await run(c);
      expect(ids, KmsKeyId).not.toContain('kms-permissions');
      expect(asked(c).flatMap((input) => input.ResourceArns)).toEqual([SECRET_ARN, MANAGEMENT_ARN]);
    }
  });

  it('a key named otherwise (a customer alias, or not exactly a key id or key ARN) is not simulated: not checked, saying why', async () => {
    for (const KmsKeyId of ['alias/momento-secrets', `${UUID}-x`, `x${UUID}`, `x${KEY_ARN}`]) {
      const c = clients({ describe: { KmsKeyId } });
      const { check } = await run(c);
      expect(check('kms-permissions'), KmsKeyId).toEqual({
        id: 'kms-permissions',
        verdict: 'not checked',
        saw: `the secret's KMS key ${KmsKeyId} is not named by ARN or id, so its use cannot be simulated`,
      });
      expect(asked(c).flatMap((input) => input.ResourceArns)).toEqual([SECRET_ARN, MANAGEMENT_ARN]);
    }
  });

  it('a denied action fails, naming the role, the action and the resource', async () => {
    const c = clients({
      simulate: (input) =>
        (input.ActionNames ?? []).map((action) => ({ EvalActionName: action, EvalResourceName: input.ResourceArns?.[0], EvalDecision: action === 'secretsmanager:PutSecretValue' ? 'implicitDeny' : 'allowed' })),
    });
    const { check } = await run(c);
    expect(check('permissions')).toEqual({
      id: 'permissions',
      verdict: 'fail',
      saw: `The function's role ${ROLE_ARN} may not: secretsmanager:PutSecretValue on ${SECRET_ARN} (implicitDeny).`,
      fix: 'Deploy the SAM application (or the CDK construct), whose role grants exactly these; or add them to the role.',
    });
  });

  it("an answer without the action, resource or decision is not taken as allowed, and names the resource asked about", async () => {
    const c = clients({ simulate: () => [{} as EvaluationResult] });
    expect((await run(c)).check('permissions')).toMatchObject({ verdict: 'not checked', saw: expect.stringMatching(/gave no answer for secretsmanager:DescribeSecret, /) });
    // Named but undecided: not allowed either.
    const undecided = clients({ simulate: (input) => (input.ActionNames ?? []).map((action) => ({ EvalActionName: action }) as EvaluationResult) });
    expect((await run(undecided)).check('permissions')).toMatchObject({ verdict: 'fail', saw: expect.stringContaining(`secretsmanager:DescribeSecret on ${SECRET_ARN} (unknown)`) });
  });

  it('an answer with no results at all proves nothing: not checked, naming what went unanswered (not "may" followed by nothing)', async () => {
    const c = clients({ simulate: () => [] });
    expect((await run(c)).check('permissions')).toEqual({
      id: 'permissions',
      verdict: 'not checked',
      saw:
        `IAM's policy simulation for ${ROLE_ARN} gave no answer for secretsmanager:DescribeSecret, secretsmanager:GetSecretValue, secretsmanager:PutSecretValue, ` +
        `secretsmanager:UpdateSecretVersionStage on ${SECRET_ARN}; secretsmanager:GetSecretValue on ${MANAGEMENT_ARN}, so the function's permissions are not known`,
    });
  });

  it('an answer for some of the actions asked: the rest are not known, so not checked (an allowed action does not vouch for another)', async () => {
    const c = clients({
      simulate: (input) =>
        (input.ActionNames ?? []).filter((action) => action !== 'secretsmanager:PutSecretValue').map((action) => ({ EvalActionName: action, EvalResourceName: input.ResourceArns?.[0], EvalDecision: 'allowed' })),
    });
    expect((await run(c)).check('permissions')).toMatchObject({
      verdict: 'not checked',
      saw: `IAM's policy simulation for ${ROLE_ARN} gave no answer for secretsmanager:PutSecretValue on ${SECRET_ARN}, so the function's permissions are not known`,
    });
  });

  it("a KMS key's simulation answered with no results: kms-permissions is not checked, not ok", async () => {
    const c = clients({
      describe: { KmsKeyId: KEY_ARN },
      simulate: (input) =>
        input.ResourceArns?.[0] === KEY_ARN ? [] : (input.ActionNames ?? []).map((action) => ({ EvalActionName: action, EvalResourceName: input.ResourceArns?.[0], EvalDecision: 'allowed' })),
    });
    const { check } = await run(c);
    expect(check('permissions')?.verdict).toBe('ok');
    expect(check('kms-permissions')).toEqual({
      id: 'kms-permissions',
      verdict: 'not checked',
      saw: `IAM's policy simulation for ${ROLE_ARN} gave no answer for kms:Decrypt, kms:GenerateDataKey on ${KEY_ARN}, so the function's permissions are not known`,
    });
  });

  it("the caller may not describe the management secret: its KMS key is not known, and kms-permissions says so rather than passing it over", async () => {
    const c = clients({ managementDescribeError: awsError('AccessDeniedException', 'not authorized to perform secretsmanager:DescribeSecret') });
    const { check } = await run(c);
    expect(check('permissions')?.verdict).toBe('ok');
    expect(check('kms-permissions')).toEqual({
      id: 'kms-permissions',
      verdict: 'not checked',
      saw:
        `IAM's policy simulation for ${ROLE_ARN} gave no answer for the management secret's KMS key, which is not known ` +
        `(the caller may not describe it: AccessDeniedException: not authorized to perform secretsmanager:DescribeSecret), so the function's permissions are not known`,
    });
  });

  it('the function names its management secret by name, which the caller may not describe: reading it is not simulated, and permissions says so', async () => {
    const c = clients({ env: { MOMENTO_MANAGEMENT_SECRET_ARN: 'momento/management' }, managementDescribeError: awsError('AccessDeniedException', 'denied') });
    expect((await run(c)).check('permissions')).toEqual({
      id: 'permissions',
      verdict: 'not checked',
      saw:
        `IAM's policy simulation for ${ROLE_ARN} gave no answer for secretsmanager:GetSecretValue on the management secret momento/management, whose ARN is not known ` +
        `(the caller may not describe it: AccessDeniedException: denied), so the function's permissions are not known`,
    });
  });

  it('a role that does not exist (NoSuchEntity, as the query protocol names it) fails: the function cannot run', async () => {
    const c = clients({ simulateError: awsError('NoSuchEntity', 'The role with name rot-role cannot be found.') });
    expect((await run(c)).check('permissions')).toMatchObject({ verdict: 'fail', saw: `The function's role ${ROLE_ARN} does not exist: Lambda cannot run the function, and every rotation fails.` });
  });

  describe('the caller may not simulate: not checked, for the KMS keys too when there are any', () => {
    const why = `the caller may not call iam:SimulatePrincipalPolicy on ${ROLE_ARN}, so the function's permissions cannot be simulated`;
    const denied = awsError('AccessDenied', 'User is not authorized to perform: iam:SimulatePrincipalPolicy');

    it('no customer-managed key: the permissions line only', async () => {
      const { ids, check } = await run(clients({ simulateError: denied }));
      expect(check('permissions')).toEqual({ id: 'permissions', verdict: 'not checked', saw: why });
      expect(ids).not.toContain('kms-permissions');
    });

    it('a key named by ARN, or by a customer alias', async () => {
      for (const KmsKeyId of [KEY_ARN, 'alias/momento-secrets']) {
        const { check } = await run(clients({ simulateError: denied, describe: { KmsKeyId } }));
        expect(check('permissions'), KmsKeyId).toEqual({ id: 'permissions', verdict: 'not checked', saw: why });
        expect(check('kms-permissions'), KmsKeyId).toEqual({ id: 'kms-permissions', verdict: 'not checked', saw: why });
      }
    });
  });
});

describe("vpc: where the function's subnets reach", () => {
  const VPC_ID = 'vpc-0real';
  const inVpc = (subnetIds: string[]) => ({ config: { VpcConfig: { SubnetIds: subnetIds, SecurityGroupIds: ['sg-1'], VpcId: 'vpc-placeholder' } } });
  const nat = { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1', State: 'active' as const };
  const local = { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' as const };
  const table = (subnets: string[], routes: RouteTable['Routes']): RouteTable => ({ VpcId: VPC_ID, Associations: subnets.map((SubnetId) => ({ SubnetId })), Routes: routes });
  const SM_ENDPOINT = `com.amazonaws.${REGION}.secretsmanager`;
  const PRIVATE_LINK = `com.amazonaws.vpce.${REGION}.vpce-svc-0a1b2c3d4e5f60718`;

  /** DescribeRouteTables answers `own` for the subnets' own tables and `main` for the VPC's main one; DescribeVpcEndpoints answers `endpoints`. */
  function answer(c: Clients, tables: { own: RouteTable[]; main?: RouteTable }, endpoints: VpcEndpoint[] = []) {
    c.em.on(DescribeRouteTablesCommand).callsFake((input: { Filters?: { Name?: string }[] }) =>
      input.Filters?.some((f) => f.Name === 'association.main') ? { RouteTables: tables.main ? [tables.main] : [] } : { RouteTables: tables.own },
    );
    c.em.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: endpoints });
  }
  const routeQueries = (c: Clients) => c.em.commandCalls(DescribeRouteTablesCommand).map((call) => call.args[0].input);

  it('subnets sharing one route table with a NAT route: ok, from one query; the VPC id is read from the route table', async () => {
    const c = clients(inVpc(['subnet-a', 'subnet-b']));
    answer(c, { own: [table(['subnet-a', 'subnet-b'], [local, nat])] });
    const { check } = await run(c);
    expect(check('vpc')).toEqual({ id: 'vpc', verdict: 'ok', saw: `The function's subnets in ${VPC_ID} route to the internet (NAT).` });
    expect(routeQueries(c)).toEqual([{ Filters: [{ Name: 'association.subnet-id', Values: ['subnet-a', 'subnet-b'] }] }]);
    expect(c.em.commandCalls(DescribeVpcEndpointsCommand).map((call) => call.args[0].input)).toEqual([{ Filters: [{ Name: 'vpc-id', Values: [VPC_ID] }] }]);
  });

  it('each subnet is judged by its own table: only the one without a NAT route is named', async () => {
    const c = clients(inVpc(['subnet-a', 'subnet-b']));
    answer(c, { own: [table(['subnet-a'], [local, nat]), table(['subnet-b'], [local])] });
    const { check } = await run(c);
    expect(check('vpc')).toMatchObject({ verdict: 'fail', saw: expect.stringMatching(/^From subnets subnet-b the function cannot reach: /) });
  });

  it("a subnet without a table of its own uses the VPC's main route table", async () => {
    const c = clients(inVpc(['subnet-a', 'subnet-b']));
    answer(c, { own: [table(['subnet-a'], [local, nat])], main: table([], [local, nat]) });
    const { check } = await run(c);
    expect(check('vpc')?.verdict).toBe('ok');
    expect(routeQueries(c)).toEqual([
      { Filters: [{ Name: 'association.subnet-id', Values: ['subnet-a', 'subnet-b'] }] },
      { Filters: [{ Name: 'vpc-id', Values: [VPC_ID] }, { Name: 'association.main', Values: ['true'] }] },
    ]);
  });

  it('no table at all (none of its own, no main one found): the subnet reaches nothing', async () => {
    const c = clients(inVpc(['subnet-a']));
    answer(c, { own: [] });
    const { check } = await run(c);
    expect(check('vpc')).toMatchObject({ verdict: 'fail', saw: expect.stringMatching(/^From subnets subnet-a the function cannot reach: /) });
    expect(routeQueries(c)[1]).toEqual({ Filters: [{ Name: 'vpc-id', Values: ['vpc-placeholder'] }, { Name: 'association.main', Values: ['true'] }] });
  });

  describe('which routes reach the internet for a Lambda ENI', () => {
    const cases: [string, NonNullable<RouteTable['Routes']>[number], boolean][] = [
      ['a default route through a NAT gateway', nat, true],
      ['one without a State (active unless AWS says otherwise)', { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1' }, true],
      ['through a NAT instance', { DestinationCidrBlock: '0.0.0.0/0', InstanceId: 'i-0abc', State: 'active' }, true],
      ['through a transit gateway', { DestinationCidrBlock: '0.0.0.0/0', TransitGatewayId: 'tgw-0abc', State: 'active' }, true],
      ['a blackhole NAT route', { ...nat, State: 'blackhole' }, false],
      ['a NAT route to another network only', { ...nat, DestinationCidrBlock: '10.1.0.0/16' }, false],
      ['an internet gateway (Lambda ENIs have no public IP)', { DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0abc', State: 'active' }, false],
    ];
    for (const [name, route, internet] of cases) {
      it(`${name}: ${internet ? 'yes' : 'no'}`, async () => {
        const c = clients(inVpc(['subnet-a']));
        answer(c, { own: [table(['subnet-a'], [local, route])] });
        expect((await run(c)).check('vpc')?.verdict).toBe(internet ? 'ok' : 'fail');
      });
    }
  });

  describe('without NAT: which endpoints count', () => {
    const isolated = async (endpoints: VpcEndpoint[]) => {
      const c = clients(inVpc(['subnet-a']));
      answer(c, { own: [table(['subnet-a'], [local])] }, endpoints);
      return (await run(c)).check('vpc');
    };
    const noSecretsManager = 'Secrets Manager (no NAT route, no secretsmanager interface endpoint)';
    const noMomento = "Momento's endpoint (no NAT route, no PrivateLink endpoint)";
    const noKeyApi = "Momento's key-management host over HTTPS (no NAT route)";
    const saw = (...missing: string[]) => `From subnets subnet-a the function cannot reach: ${missing.join('; ')}.`;

    it('only available interface endpoints count: pending, deleted or Gateway Load Balancer endpoints do not', async () => {
      const check = await isolated([
        { VpcEndpointType: 'Interface', State: 'Pending', ServiceName: SM_ENDPOINT },
        { VpcEndpointType: 'Interface', State: 'Deleted', ServiceName: PRIVATE_LINK },
        { VpcEndpointType: 'GatewayLoadBalancer', State: 'Available', ServiceName: PRIVATE_LINK },
      ]);
      expect(check?.saw).toBe(saw(noSecretsManager, noMomento, noKeyApi));
    });

    it("a Secrets Manager endpoint alone: Momento's endpoint is still missing", async () => {
      expect((await isolated([{ VpcEndpointType: 'Interface', State: 'Available', ServiceName: SM_ENDPOINT }]))?.saw).toBe(saw(noMomento, noKeyApi));
    });

    it('a PrivateLink endpoint alone: Secrets Manager is still missing', async () => {
      expect((await isolated([{ VpcEndpointType: 'Interface', State: 'Available', ServiceName: PRIVATE_LINK }]))?.saw).toBe(saw(noSecretsManager, noKeyApi));
    });
  });

  it('EC2 denied: not checked, naming the VPC and the error', async () => {
    const c = clients(inVpc(['subnet-a']));
    c.em.on(DescribeRouteTablesCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    expect((await run(c)).check('vpc')).toEqual({
      id: 'vpc',
      verdict: 'not checked',
      saw: 'the function is in vpc-placeholder; ec2:DescribeRouteTables or DescribeVpcEndpoints failed (UnauthorizedOperation), so its routes are unknown',
    });
  });
});
