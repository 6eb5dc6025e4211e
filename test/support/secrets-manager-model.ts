import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
  UpdateSecretVersionStageCommand,
  type DescribeSecretCommandInput,
  type GetSecretValueCommandInput,
  type ListSecretVersionIdsCommandInput,
  type PutSecretValueCommandInput,
  type UpdateSecretVersionStageCommandInput,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';

type Operation = 'DescribeSecret' | 'GetSecretValue' | 'PutSecretValue' | 'UpdateSecretVersionStage' | 'ListSecretVersionIds';

interface Version {
  value: string | undefined;
  stages: Set<string>;
}

/**
 * One secret, behaving as AWS documents it (not as moto does; see
 * design/testing-offline.md): RotateSecret's AWSPENDING version has no value, a
 * repeated PutSecretValue with the same token and value is a no-op and with another
 * value fails, moving AWSCURRENT moves AWSPREVIOUS to the old version.
 * Faults can be queued per operation.
 */
export class SecretsManagerModel {
  readonly name = 'momento/api-key';
  readonly arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${this.name}-AbCdEf`;
  rotationEnabled: boolean | undefined = true;
  /** Set when the secret is scheduled for deletion (DeleteSecret with a recovery window). */
  deletedDate: Date | undefined;
  /** DescribeSecret's ReplicationStatus: one entry per replica Region. */
  replicationStatus: { Region: string; Status: 'InSync' | 'Failed' | 'InProgress' }[] = [];
  readonly versions = new Map<string, Version>();
  /** Other secrets (the management secret, say): id -> AWSCURRENT value, readable with GetSecretValue only. */
  readonly otherSecrets = new Map<string, string>();
  readonly calls: { operation: Operation; input: Record<string, unknown> }[] = [];
  /** Runs before each call is answered: another actor changing the secret meanwhile (an operator moving a label). */
  beforeCall: ((operation: Operation, input: Record<string, unknown>) => void) | undefined;
  private readonly faults = new Map<Operation, (() => Error | 'apply-then-fail')[]>();
  private readonly persistentFaults = new Set<{ operation: Operation; matches: (input: Record<string, unknown>) => boolean; fault: () => Error }>();
  readonly mock = mockClient(SecretsManagerClient);

  constructor() {
    this.mock.on(DescribeSecretCommand).callsFake((input: DescribeSecretCommandInput) =>
      this.handle('DescribeSecret', input, () => this.describe(input)),
    );
    this.mock.on(GetSecretValueCommand).callsFake((input: GetSecretValueCommandInput) =>
      this.handle('GetSecretValue', input, () => this.getValue(input)),
    );
    this.mock.on(PutSecretValueCommand).callsFake((input: PutSecretValueCommandInput) =>
      this.handle('PutSecretValue', input, () => this.putValue(input)),
    );
    this.mock.on(ListSecretVersionIdsCommand).callsFake((input: ListSecretVersionIdsCommandInput) =>
      this.handle('ListSecretVersionIds', input, () => this.listVersionIds(input)),
    );
    this.mock.on(UpdateSecretVersionStageCommand).callsFake((input: UpdateSecretVersionStageCommandInput) =>
      this.handle('UpdateSecretVersionStage', input, () => this.updateStage(input)),
    );
  }

  restore(): void {
    this.mock.restore();
  }

  // ---- arranging state ------------------------------------------------------------------

  /** A new AWSCURRENT version, as PutSecretValue by hand or CreateSecret makes. */
  storeCurrent(value: string): string {
    const id = randomUUID();
    this.versions.set(id, { value, stages: new Set() });
    this.moveStage('AWSCURRENT', id);
    return id;
  }

  /** What RotateSecret does before invoking the function: an AWSPENDING version with no value. */
  startRotation(token: string = randomUUID()): string {
    this.versions.set(token, { value: undefined, stages: new Set() });
    this.moveStage('AWSPENDING', token);
    return token;
  }

  /** A createSecret that happened elsewhere (another release of the function, say): the AWSPENDING version gets `value`. */
  storePending(token: string, value: string): void {
    this.versions.get(token)!.value = value;
  }

  /** RotateImmediately=false: the AWSPENDING version holds a copy of the current value. */
  startTestOnlyRotation(token: string = randomUUID()): string {
    this.startRotation(token);
    this.versions.get(token)!.value = this.valueAt('AWSCURRENT');
    return token;
  }

  /**
   * Puts a staging label on a version, as UpdateSecretVersionStage with MoveToVersionId does (a
   * blue/green deployment's PINNED or CANARY, say); the label leaves the version that had it.
   */
  label(versionId: string, stage: string): void {
    this.moveStage(stage, versionId);
  }

  /** Takes a staging label off a version (UpdateSecretVersionStage with RemoveFromVersionId; CancelRotateSecret for AWSPENDING). */
  unlabel(versionId: string, stage: string): void {
    this.versions.get(versionId)?.stages.delete(stage);
  }

  /** Fails every call of an operation whose input matches, until the returned function is called. */
  failWhile(operation: Operation, matches: (input: Record<string, unknown>) => boolean, fault: () => Error): () => void {
    const entry = { operation, matches, fault };
    this.persistentFaults.add(entry);
    return () => void this.persistentFaults.delete(entry);
  }

  /** Queues faults for the next calls of an operation; 'apply-then-fail' does the work, then loses the reply. */
  failNext(operation: Operation, ...faults: (() => Error | 'apply-then-fail')[]): void {
    this.faults.set(operation, [...(this.faults.get(operation) ?? []), ...faults]);
  }

  // ---- reading state ----------------------------------------------------------------------

  valueAt(stage: string): string | undefined {
    return [...this.versions.values()].find((v) => v.stages.has(stage))?.value;
  }

  versionAt(stage: string): string | undefined {
    return [...this.versions.entries()].find(([, v]) => v.stages.has(stage))?.[0];
  }

  stagesOf(versionId: string): string[] {
    return [...(this.versions.get(versionId)?.stages ?? [])].sort();
  }

  count(operation: Operation): number {
    return this.calls.filter((c) => c.operation === operation).length;
  }

  writes(): number {
    return this.count('PutSecretValue') + this.count('UpdateSecretVersionStage');
  }

  // ---- the API --------------------------------------------------------------------------

  private async handle<T>(operation: Operation, input: object, apply: () => T): Promise<T> {
    this.calls.push({ operation, input: { ...input } });
    this.beforeCall?.(operation, { ...input });
    for (const persistent of this.persistentFaults) {
      if (persistent.operation === operation && persistent.matches({ ...input })) throw persistent.fault();
    }
    const fault = this.faults.get(operation)?.shift()?.();
    if (fault === 'apply-then-fail') {
      apply();
      throw serviceError('InternalServiceError', 'The reply was lost', 500);
    }
    if (fault) throw fault;
    return apply();
  }

  private checkId(secretId: string | undefined): void {
    if (secretId !== this.arn && secretId !== this.name) {
      throw new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} });
    }
  }

  private describe(input: DescribeSecretCommandInput) {
    this.checkId(input.SecretId);
    const versionIdsToStages: Record<string, string[]> = {};
    for (const [id, v] of this.versions) if (v.stages.size > 0) versionIdsToStages[id] = [...v.stages];
    return {
      ARN: this.arn,
      Name: this.name,
      ...(this.rotationEnabled === undefined ? {} : { RotationEnabled: this.rotationEnabled }),
      VersionIdsToStages: versionIdsToStages,
      ...(this.deletedDate ? { DeletedDate: this.deletedDate } : {}),
      ...(this.replicationStatus.length > 0 ? { ReplicationStatus: this.replicationStatus } : {}),
    };
  }

  /** Every version, deprecated (unlabelled) ones only with IncludeDeprecated, as AWS documents it; one page. */
  private listVersionIds(input: ListSecretVersionIdsCommandInput) {
    this.checkId(input.SecretId);
    const versions = [...this.versions.entries()]
      .filter(([, v]) => input.IncludeDeprecated === true || v.stages.size > 0)
      .map(([id, v]) => ({ VersionId: id, VersionStages: [...v.stages] }));
    return { ARN: this.arn, Name: this.name, Versions: versions };
  }

  /** A version Secrets Manager has removed (AWS deletes deprecated versions beyond its limit). */
  forgetVersion(versionId: string): void {
    this.versions.delete(versionId);
  }

  private getValue(input: GetSecretValueCommandInput) {
    const other = this.otherSecrets.get(input.SecretId ?? '');
    if (other !== undefined && (input.VersionStage ?? 'AWSCURRENT') === 'AWSCURRENT') {
      return { ARN: input.SecretId, Name: input.SecretId, VersionId: 'other', SecretString: other, VersionStages: ['AWSCURRENT'] };
    }
    this.checkId(input.SecretId);
    const stage = input.VersionStage ?? (input.VersionId ? undefined : 'AWSCURRENT');
    const entry = input.VersionId
      ? ([input.VersionId, this.versions.get(input.VersionId)] as const)
      : [...this.versions.entries()].find(([, v]) => stage !== undefined && v.stages.has(stage));
    const version = entry?.[1];
    // Both given and no longer agreeing (the label moved): AWS answers InvalidRequestException with
    // this message, not ResourceNotFoundException (getmoto/moto#5238, checked there with the AWS CLI).
    if (input.VersionId && input.VersionStage && version && !version.stages.has(input.VersionStage)) {
      throw new InvalidRequestException({ message: 'You provided a VersionStage that is not associated to the provided VersionId.', $metadata: {} });
    }
    if (!entry || !version || (stage !== undefined && !version.stages.has(stage)) || version.value === undefined) {
      throw new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret value for staging label or version.",
        $metadata: {},
      });
    }
    return { ARN: this.arn, Name: this.name, VersionId: entry[0], SecretString: version.value, VersionStages: [...version.stages] };
  }

  private putValue(input: PutSecretValueCommandInput) {
    this.checkId(input.SecretId);
    const token = input.ClientRequestToken ?? randomUUID();
    const existing = this.versions.get(token);
    if (existing?.value !== undefined) {
      if (existing.value !== input.SecretString) {
        throw new ResourceExistsException({
          message: 'You can\'t modify an existing version, you can only create a new version.',
          $metadata: {},
        });
      }
      return { ARN: this.arn, Name: this.name, VersionId: token, VersionStages: [...existing.stages] };
    }
    this.versions.set(token, { value: input.SecretString, stages: existing?.stages ?? new Set() });
    for (const stage of input.VersionStages ?? ['AWSCURRENT']) this.moveStage(stage, token);
    return { ARN: this.arn, Name: this.name, VersionId: token, VersionStages: this.stagesOf(token) };
  }

  private updateStage(input: UpdateSecretVersionStageCommandInput) {
    this.checkId(input.SecretId);
    const stage = input.VersionStage!;
    const holder = this.versionAt(stage);
    if (holder !== undefined && holder !== input.MoveToVersionId && holder !== input.RemoveFromVersionId) {
      throw new InvalidParameterException({
        message: `The staging label ${stage} is currently attached to version ${holder}, so you must explicitly reference that version in RemoveFromVersionId.`,
        $metadata: {},
      });
    }
    if (input.MoveToVersionId) this.moveStage(stage, input.MoveToVersionId);
    else if (input.RemoveFromVersionId) this.versions.get(input.RemoveFromVersionId)?.stages.delete(stage);
    return { ARN: this.arn, Name: this.name };
  }

  /** Attaches a label to one version only; the version losing AWSCURRENT gets AWSPREVIOUS. */
  private moveStage(stage: string, versionId: string): void {
    const holder = this.versionAt(stage);
    if (stage === 'AWSCURRENT' && holder !== undefined && holder !== versionId) this.moveStage('AWSPREVIOUS', holder);
    for (const v of this.versions.values()) v.stages.delete(stage);
    this.versions.get(versionId)?.stages.add(stage);
  }
}

export function serviceError(name: string, message: string, httpStatusCode = 400): Error {
  return new SecretsManagerServiceException({
    name,
    message,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}
