import { DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { mintedKeyDescription } from '../../src/rotation/strategies/mint-v2.js';
import { captureFileOutputAndCheckForLeaks } from '../support/capture-output.js';
import { leakedSecrets, registerSecret } from '../support/secrets.js';
import { CREDENTIALS } from '../stand-ins/secrets-manager-service.js';
import type { IssuedV2Key } from '../stand-ins/fake-momento-server.js';
import { FAKE_V2_ENDPOINT, startLocalStack, type LocalStack } from '../stand-ins/local-stack.js';

export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/**
 * The operator CLI, in-process, against moto_server and the fake Momento (one of each for
 * the calling test file). Every run's output, and everything the file writes, is checked
 * for every secret issued (keys, refresh tokens, management keys).
 */
export function useLocalCli(prefix: string, options: { privateMoto?: boolean } = {}) {
  captureFileOutputAndCheckForLeaks();
  let stack: LocalStack | undefined;

  beforeAll(async () => {
    stack = await startLocalStack({ onIssue: registerSecret, privateMoto: options.privateMoto === true });
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
  }, 60_000);
  afterAll(async () => stack?.stop());

  const local = () => {
    if (stack === undefined) throw new Error('the local stack has not started');
    return stack;
  };

  /**
   * Runs the CLI with `stdin` as its standard input; its output must never hold a secret.
   * Every AWS service it calls goes to `endpoint` (moto, or a proxy in front of it).
   */
  async function cli(args: readonly string[], stdin = '', endpoint = local().moto.endpoint): Promise<CliResult> {
    const out: string[] = [];
    const err: string[] = [];
    // The CLI talks to moto directly, as an operator's machine talks to AWS: moto_server serves
    // Secrets Manager, Lambda, IAM, ... at one address (AWS_ENDPOINT_URL, for every other service).
    const saved = { secretsManager: process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER, every: process.env.AWS_ENDPOINT_URL };
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = endpoint;
    process.env.AWS_ENDPOINT_URL = endpoint;
    try {
      const code = await runCli([...args], { out: (l) => out.push(l), err: (l) => err.push(l) }, async () => stdin);
      const result = { code, out: out.join('\n'), err: err.join('\n') };
      expect(leakedSecrets(result.out + result.err), 'secrets in CLI output').toEqual([]);
      return result;
    } finally {
      process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = saved.secretsManager;
      if (saved.every === undefined) delete process.env.AWS_ENDPOINT_URL;
      else process.env.AWS_ENDPOINT_URL = saved.every;
    }
  }

  /** A moto client for another Region than the stack's. */
  const clientIn = (region: string) => new SecretsManagerClient({ endpoint: local().moto.endpoint, region, credentials: CREDENTIALS });

  return {
    stack: local,
    cli,
    /** A unique secret name. */
    name: (label: string) => `momento/${prefix}-${label}-${randomUUID().slice(0, 8)}`,
    /** AWSCURRENT's value, parsed. */
    async current(secretId: string, region?: string): Promise<Record<string, unknown>> {
      const client = region === undefined ? local().service.client : clientIn(region);
      const value = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }));
      return JSON.parse(value.SecretString!) as Record<string, unknown>;
    },
    /** Whether moto has the secret at all (in the stack's Region, or `region`). */
    async exists(secretId: string, region?: string): Promise<boolean> {
      const client = region === undefined ? local().service.client : clientIn(region);
      try {
        await client.send(new DescribeSecretCommand({ SecretId: secretId }));
        return true;
      } catch (error) {
        if ((error as { name?: string }).name === 'ResourceNotFoundException') return false;
        throw error;
      }
    },
  };
}

/** Escapes a literal for a RegExp. */
export const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** One "Derived for the secret:" line: the field, its value, and where it came from. */
export const derivedLine = (field: string, value: string, from: string) =>
  new RegExp(`^  ${literal(field.padEnd(10))}  ${literal(value)}  \\(from ${literal(from)}\\)$`, 'm');

/** A v2 key as the secret stores it. */
export const v2Value = (key: IssuedV2Key) =>
  JSON.stringify({ apiKey: key.apiKey, endpoint: FAKE_V2_ENDPOINT, roleId: key.roleId, keyId: key.keyId, validUntil: key.validUntil });

/**
 * A v2 secret as the function's rotations leave it, built directly (not by the function): a key
 * imported from the console, then `rotations` keys minted for the secret, each stored as the new
 * AWSCURRENT and each naming its predecessor in its description. With 2: the imported key has
 * left every version, minted[0] is AWSPREVIOUS and minted[1] AWSCURRENT.
 */
export async function rotatedV2Secret(stack: LocalStack, secretName: string, rotations: number) {
  const imported = stack.momento.issueV2Key();
  const arn = await stack.createSecret(secretName, v2Value(imported));
  const minted: IssuedV2Key[] = [];
  let previous = imported;
  for (let i = 0; i < rotations; i++) {
    const version = randomUUID();
    const key = stack.momento.issueV2Key({ description: mintedKeyDescription({ arn, name: secretName }, version, previous.keyId) });
    await stack.service.client.send(new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: version, SecretString: v2Value(key) }));
    minted.push(key);
    previous = key;
  }
  /** A key minted for this secret, for a version that never stored it (a rotation that stopped there). */
  const orphan = () => stack.momento.issueV2Key({ description: mintedKeyDescription({ arn, name: secretName }, randomUUID(), previous.keyId) });
  return { arn, imported, minted, orphan };
}

/**
 * The environment of the built command (dist/cli.js) run as a child process against this file's
 * stand-ins: no AWS profile or credentials of the machine's, no instance metadata.
 */
export function builtCliEnv(stack: LocalStack, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: join(tmpdir(), 'no-home'),
    AWS_CONFIG_FILE: join(tmpdir(), 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), 'no-aws-credentials'),
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: stack.moto.endpoint,
    MOMENTO_API_KEYS_URL: stack.momento.apiKeysUrl,
    ...extra,
  };
}
