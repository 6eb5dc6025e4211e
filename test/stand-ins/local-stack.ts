import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LAMBDA_HANDLER_FILE } from '../../scripts/lambda-artifact.mjs';
import type { RotationConfig } from '../../src/config.js';
import type * as HandlerModule from '../../src/handler.js';
import { parseKeyFile } from '../../src/secret/key-file.js';
import { FakeMomentoServer, type IssuedKey, type IssuedV2Key } from './fake-momento-server.js';
import { FaultProxy } from './fault-proxy.js';
import { OPERATOR_ROLE_ID } from '../support/momento-roles.js';
import { startMotoServer, type MotoServer } from './moto-server.js';
import { CREDENTIALS, REGION, SecretsManagerService, type Invoke, type StepReport } from './secrets-manager-service.js';

export interface LocalStack {
  readonly moto: MotoServer;
  readonly momento: FakeMomentoServer;
  /** Between the function and moto; the service itself talks to moto directly. */
  readonly proxy: FaultProxy;
  readonly service: SecretsManagerService;
  /** A fresh Lambda container: its own clients, and its own memory of unstored keys. */
  newContainer(config?: Partial<RotationConfig>): Invoke;
  /** What a user does after downloading a key from the console: CreateSecret with the file. */
  storeConsoleKey(name: string, options?: { lifetimeSeconds?: number; extraFields?: Record<string, unknown> }): Promise<StoredKey>;
  /** A v2 key from the console, stored as {apiKey, endpoint, roleId, keyId, validUntil}. */
  storeV2Key(name: string, options?: { roleId?: string; lineage?: string; extraFields?: Record<string, unknown> }): Promise<StoredV2Key>;
  /** A management key (role Operator) in its own secret, as {"apiKey", "keyId"}. Its lineage scopes faults to what it mints. */
  storeManagementKey(name: string): Promise<StoredV2Key>;
  createSecret(name: string, secretString: string): Promise<string>;
  /** Whether the fake Momento accepts the key AWSCURRENT holds right now. */
  currentKeyWorks(secretId: string): Promise<boolean>;
  stop(): Promise<void>;
}

export interface StoredV2Key {
  readonly arn: string;
  readonly key: IssuedV2Key;
}

/** The region base endpoint stored with v2 keys (the fake answers on one address whatever it is). */
export const FAKE_V2_ENDPOINT = 'cell-1-fake-1.prod.a.momentohq.com';

export interface StoredKey {
  readonly arn: string;
  readonly key: IssuedKey;
  /** The fake Momento's lineage for this secret's keys, to scope faults to it. */
  readonly lineage: string;
}

/**
 * The built Lambda artifact, the files SAM deploys (never src/): `npm run build` first. Node
 * loads it itself (vitest.config.ts leaves dist/ to Node), so what runs is those bytes.
 */
export async function loadLambdaArtifact(): Promise<typeof HandlerModule> {
  const file = resolve(LAMBDA_HANDLER_FILE);
  if (!existsSync(file)) throw new Error(`${LAMBDA_HANDLER_FILE} is missing: run \`npm run build\` (npm test does)`);
  return (await import(pathToFileURL(file).href)) as typeof HandlerModule;
}

/**
 * moto_server, the fake Momento and the fault proxy on 127.0.0.1, with the function's
 * environment pointing at them, so the real AWS SDK and the real Momento SDK run end to end.
 */
export async function startLocalStack(options: { onStep?: (report: StepReport) => void; onIssue?: (secret: string) => void; privateMoto?: boolean } = {}): Promise<LocalStack> {
  const moto = await startMotoServer({ private: options.privateMoto === true });
  const momento = await FakeMomentoServer.start();
  momento.onIssue = options.onIssue;
  const proxy = await FaultProxy.start(moto.endpoint);

  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.endpoint,
    MOMENTO_ENDPOINT_OVERRIDE: momento.address,
    MOMENTO_API_KEYS_URL: momento.apiKeysUrl,
  });

  const artifact = await loadLambdaArtifact();
  const lambdaArn = await SecretsManagerService.registerStubLambda(moto.endpoint);
  const service = new SecretsManagerService(moto.endpoint, lambdaArn, { ...(options.onStep ? { onStep: options.onStep } : {}) });

  const createSecret = async (name: string, secretString: string) =>
    (await service.client.send(new CreateSecretCommand({ Name: name, SecretString: secretString }))).ARN!;

  return {
    moto,
    momento,
    proxy,
    service,
    newContainer(config = {}) {
      const handler = artifact.createContainerHandler(config);
      // As a Lambda with a 120 s timeout: above the Momento SDK's 60 s refresh deadline.
      return (event) => handler(event, { getRemainingTimeInMillis: () => 120_000 });
    },
    async storeConsoleKey(name, { lifetimeSeconds, extraFields = {} } = {}) {
      const key = momento.issueKey(lifetimeSeconds === undefined ? {} : { lifetimeSeconds });
      const arn = await createSecret(name, JSON.stringify({ ...extraFields, ...key }));
      return { arn, key, lineage: momento.lineageOf(key.apiKey)! };
    },
    async storeV2Key(name, { roleId, lineage, extraFields = {} } = {}) {
      const key = momento.issueV2Key({ ...(roleId ? { roleId } : {}), ...(lineage ? { lineage } : {}) });
      const value = { apiKey: key.apiKey, endpoint: FAKE_V2_ENDPOINT, roleId: key.roleId, keyId: key.keyId, validUntil: key.validUntil, ...extraFields };
      return { arn: await createSecret(name, JSON.stringify(value)), key };
    },
    async storeManagementKey(name) {
      const key = momento.issueV2Key({ roleId: OPERATOR_ROLE_ID });
      return { arn: await createSecret(name, JSON.stringify({ apiKey: key.apiKey, keyId: key.keyId })), key };
    },
    createSecret,
    async currentKeyWorks(secretId) {
      const parsed = parseKeyFile(await service.value(secretId, 'AWSCURRENT'));
      return parsed.ok && momento.accepts(parsed.file.apiKey);
    },
    async stop() {
      await proxy.stop();
      await momento.stop();
      await moto.stop();
    },
  };
}
