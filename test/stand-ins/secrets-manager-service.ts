import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { STEPS, type Step } from '../../src/rotation/event.js';

export type Invoke = (event: Record<string, unknown>) => Promise<unknown>;

export interface StepReport {
  readonly attempt: number;
  readonly step: Step;
  readonly token: string;
  readonly ms: number;
  readonly outcome?: unknown;
  readonly error?: Error;
}

export interface RotationRun {
  readonly token: string;
  readonly attempts: number;
  readonly failures: readonly Error[];
}

export const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
export const REGION = 'us-east-1';

export class RotationFailed extends Error {
  constructor(
    readonly run: RotationRun,
    last: Error,
  ) {
    super(`rotation failed after ${run.attempts} attempt(s): ${last.name}: ${last.message}`, { cause: last });
    this.name = 'RotationFailed';
  }
}

/**
 * Plays Secrets Manager's part against moto_server: RotateSecret stages the token's
 * AWSPENDING version with no value, then the four steps are invoked in order, and the
 * whole rotation is retried on failure, as the service does. After success AWSPENDING
 * is removed, as the service does (moto leaves it; see design/testing-offline.md).
 */
export class SecretsManagerService {
  readonly client: SecretsManagerClient;

  constructor(
    private readonly motoEndpoint: string,
    private readonly lambdaArn: string,
    private readonly options: { maxAttempts?: number; onStep?: (report: StepReport) => void } = {},
  ) {
    this.client = new SecretsManagerClient({ endpoint: motoEndpoint, region: REGION, credentials: CREDENTIALS });
  }

  /** A stub rotation Lambda for RotateSecret to name; moto never runs it. */
  static async registerStubLambda(motoEndpoint: string): Promise<string> {
    const config = { endpoint: motoEndpoint, region: REGION, credentials: CREDENTIALS };
    const role = await new IAMClient(config).send(
      new CreateRoleCommand({ RoleName: `rotation-${randomUUID()}`, AssumeRolePolicyDocument: '{}' }),
    );
    const fn = await new LambdaClient(config).send(
      new CreateFunctionCommand({
        FunctionName: `momento-secret-rotation-${randomUUID().slice(0, 8)}`,
        Runtime: 'nodejs24.x',
        Role: role.Role!.Arn!,
        Handler: 'handler.handler',
        Code: { ZipFile: new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]) },
      }),
    );
    return fn.FunctionArn!;
  }

  /** RotateSecret, then the four steps, retried as a whole on failure. */
  async rotate(secretId: string, invoke: Invoke, extra: Record<string, unknown> = {}): Promise<RotationRun> {
    const token = await this.startRotation(secretId);
    const run = await this.retrying(token, async (attempt) => {
      for (const step of STEPS) await this.invokeStep(invoke, attempt, step, secretId, token, extra);
    });
    await this.endRotation(secretId, token);
    return run;
  }

  /** What RotateSecret does before invoking the function: the token's AWSPENDING version, with no value. */
  async startRotation(secretId: string, rotateImmediately = true): Promise<string> {
    const token = randomUUID();
    await this.client.send(
      new RotateSecretCommand({
        SecretId: secretId,
        ClientRequestToken: token,
        RotationLambdaARN: this.lambdaArn,
        RotationRules: { AutomaticallyAfterDays: 30 },
        ...(rotateImmediately ? {} : { RotateImmediately: false }),
      }),
    );
    return token;
  }

  /** What the service does after a successful rotation: AWSPENDING removed. */
  async endRotation(secretId: string, token: string): Promise<void> {
    const stages = await this.stages(secretId);
    if (stages[token]?.includes('AWSPENDING')) {
      await this.client.send(
        new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: 'AWSPENDING', RemoveFromVersionId: token }),
      );
    }
  }

  /** RotateImmediately=false: only testSecret runs, on a copy of the current value. */
  async testOnly(secretId: string, invoke: Invoke): Promise<RotationRun> {
    const current = await this.value(secretId, 'AWSCURRENT');
    const token = await this.startRotation(secretId, false);
    // AWS copies the current value into the new version; moto copies a stale one. Put the current one.
    await this.client.send(
      new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: token, SecretString: current, VersionStages: ['AWSPENDING'] }),
    );
    const run = await this.retrying(token, (attempt) => this.invokeStep(invoke, attempt, 'testSecret', secretId, token, {}));
    await this.endRotation(secretId, token);
    return run;
  }

  async value(secretId: string, stage: string): Promise<string> {
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
    return out.SecretString!;
  }

  async stages(secretId: string): Promise<Record<string, string[]>> {
    return (await this.client.send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages ?? {};
  }

  private async invokeStep(invoke: Invoke, attempt: number, step: Step, secretId: string, token: string, extra: Record<string, unknown>) {
    const started = Date.now();
    try {
      const outcome = await invoke({ Step: step, SecretId: secretId, ClientRequestToken: token, ...extra });
      this.options.onStep?.({ attempt, step, token, ms: Date.now() - started, outcome });
    } catch (error) {
      this.options.onStep?.({ attempt, step, token, ms: Date.now() - started, error: error as Error });
      throw error;
    }
  }

  private async retrying(token: string, attemptOnce: (attempt: number) => Promise<void>): Promise<RotationRun> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    const failures: Error[] = [];
    for (let attempt = 1; ; attempt++) {
      try {
        await attemptOnce(attempt);
        return { token, attempts: attempt, failures };
      } catch (error) {
        failures.push(error as Error);
        if (attempt >= maxAttempts) throw new RotationFailed({ token, attempts: attempt, failures }, error as Error);
      }
    }
  }
}
