import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateRoleCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, GetFunctionCommand, LambdaClient, ListTagsCommand } from '@aws-sdk/client-lambda';
import { CreateSecretCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMotoServer, type MotoServer } from './moto-server.js';
import { isReadOperation, lambdaOperation, RecordingProxy } from './recording-proxy.js';
import { CREDENTIALS, REGION } from './secrets-manager-service.js';

// The recording proxy names each protocol's operations as AWS's SDK sends them, and passes every answer on.
let moto: MotoServer;
let proxy: RecordingProxy;
beforeAll(async () => {
  // Its own moto_server: the test lists the Region's secrets (ListSecrets pages at 100) and
  // creates fixed names, so a moto shared with other test files (npm run mutate) would break it.
  moto = await startMotoServer({ private: true });
  proxy = await RecordingProxy.start(moto.endpoint);
}, 60_000);
afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

const config = () => ({ endpoint: proxy.endpoint, region: REGION, credentials: CREDENTIALS });

describe('RecordingProxy', () => {
  it('records service and operation for JSON (X-Amz-Target), query (Action=) and REST (method and path) protocols, answers unchanged', async () => {
    proxy.reset();
    const created = await new SecretsManagerClient(config()).send(new CreateSecretCommand({ Name: 'recorded', SecretString: 'x' }));
    const listed = await new SecretsManagerClient(config()).send(new ListSecretsCommand({}));
    expect(listed.SecretList?.map((s) => s.ARN)).toContain(created.ARN);
    const role = await new IAMClient(config()).send(new CreateRoleCommand({ RoleName: 'recorded', AssumeRolePolicyDocument: '{}' }));
    await new IAMClient(config()).send(new ListRolesCommand({}));
    await new EC2Client(config()).send(new DescribeVpcsCommand({}));
    const lambda = new LambdaClient(config());
    const fn = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'recorded',
        Runtime: 'nodejs24.x',
        Role: role.Role!.Arn!,
        Handler: 'h.h',
        Code: { ZipFile: new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]) },
        Tags: { a: 'b' },
      }),
    );
    expect((await lambda.send(new ListTagsCommand({ Resource: fn.FunctionArn! }))).Tags).toEqual({ a: 'b' });
    await lambda.send(new GetFunctionCommand({ FunctionName: 'recorded' }));

    expect(proxy.requests.map((r) => `${r.service} ${r.api}`)).toEqual([
      'secretsmanager CreateSecret',
      'secretsmanager ListSecrets',
      'iam CreateRole',
      'iam ListRoles',
      'ec2 DescribeVpcs',
      'lambda CreateFunction',
      'lambda ListTags',
      'lambda GetFunction',
    ]);
    expect(proxy.counts()).toMatchObject({
      'secretsmanager ListSecrets': 1,
      'iam ListRoles': 1,
      'lambda POST /2015-03-31/functions': 1,
      [`lambda GET /2017-03-31/tags/${encodeURIComponent(fn.FunctionArn!)}`]: 1,
      'lambda GET /2015-03-31/functions/recorded': 1,
    });
    expect(proxy.operations('lambda')).toEqual(['CreateFunction', 'ListTags', 'GetFunction']);
    expect(proxy.writes().map((r) => r.api)).toEqual(['CreateSecret', 'CreateRole', 'CreateFunction']);
    proxy.reset();
    expect(proxy.requests).toEqual([]);
  });

  it('names reads by their verbs, and Lambda routes by the API reference', () => {
    for (const read of ['GetSecretValue', 'ListTags', 'DescribeSecret', 'SimulatePrincipalPolicy', 'BatchGetSecretValue']) expect(isReadOperation(read)).toBe(true);
    for (const write of ['PutSecretValue', 'RotateSecret', 'UpdateSecretVersionStage', 'TagResource', 'Invoke', 'Getaway']) expect(isReadOperation(write)).toBe(false);
    expect(lambdaOperation('GET', '/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af')).toBe('ListTags');
    expect(lambdaOperation('GET', '/2015-03-31/functions/f/configuration')).toBe('GetFunctionConfiguration');
    expect(lambdaOperation('GET', '/2015-03-31/functions/f/policy')).toBe('GetPolicy');
    expect(lambdaOperation('POST', '/2015-03-31/functions/f/invocations')).toBe('Invoke');
    expect(lambdaOperation('GET', '/2099-01-01/unknown')).toBeUndefined();
  });
});
