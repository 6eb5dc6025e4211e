import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { captureFileOutputAndCheckForLeaks } from '../support/capture-output.js';
import { leakedSecrets, registerSecret } from '../support/secrets.js';
import { CREDENTIALS } from '../stand-ins/secrets-manager-service.js';
import { startLocalStack, type LocalStack } from '../stand-ins/local-stack.js';

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
export function useLocalCli(prefix: string) {
  captureFileOutputAndCheckForLeaks();
  let stack: LocalStack | undefined;

  beforeAll(async () => {
    stack = await startLocalStack({ onIssue: registerSecret });
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
  }, 60_000);
  afterAll(async () => stack?.stop());

  const local = () => {
    if (stack === undefined) throw new Error('the local stack has not started');
    return stack;
  };

  /** Runs the CLI with `stdin` as its standard input; its output must never hold a secret. */
  async function cli(args: readonly string[], stdin = ''): Promise<CliResult> {
    const out: string[] = [];
    const err: string[] = [];
    // The CLI talks to moto directly, as an operator's machine talks to Secrets Manager.
    const saved = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = local().moto.endpoint;
    try {
      const code = await runCli([...args], { out: (l) => out.push(l), err: (l) => err.push(l) }, async () => stdin);
      const result = { code, out: out.join('\n'), err: err.join('\n') };
      expect(leakedSecrets(result.out + result.err), 'secrets in CLI output').toEqual([]);
      return result;
    } finally {
      process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = saved;
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
