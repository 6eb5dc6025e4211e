import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
  type ReplicationStatusType,
} from '@aws-sdk/client-secrets-manager';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';
export const AWSPREVIOUS = 'AWSPREVIOUS';

/** The replicas of a secret (DescribeSecret) whose copy is not InSync: catching up, or failed, they may still serve an older version. */
export function replicasBehind(described: { readonly ReplicationStatus?: ReplicationStatusType[] | undefined }): ReplicationStatusType[] {
  return (described.ReplicationStatus ?? []).filter((replica) => replica.Status !== 'InSync');
}

export interface SecretDescription {
  readonly arn: string;
  readonly name: string;
  /** Absent in some responses: treat absent as "not false", as AWS's templates do. */
  readonly rotationEnabled: boolean | undefined;
  /** Version id -> its staging labels. */
  readonly versionStages: Readonly<Record<string, readonly string[]>>;
  /** Set when the secret is scheduled for deletion. */
  readonly deletedDate?: Date | undefined;
  /** False while a replica Region's copy is not InSync (it may still serve an older version). */
  readonly replicasInSync?: boolean;
}

export type StoredValue =
  | { readonly found: false }
  | { readonly found: true; readonly secretString: string }
  | { readonly found: true; readonly secretString: undefined; readonly binary: true };

/** Secrets Manager, as the rotation uses it. Every read names a version stage (moto serves stale values otherwise). */
export class SecretStore {
  constructor(private readonly client: SecretsManagerClient) {}

  async describe(secretId: string): Promise<SecretDescription> {
    const out = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    return {
      arn: out.ARN ?? secretId,
      name: out.Name ?? secretId,
      rotationEnabled: out.RotationEnabled,
      versionStages: out.VersionIdsToStages ?? {},
      deletedDate: out.DeletedDate,
      replicasInSync: replicasBehind(out).length === 0,
    };
  }

  /** A version's value; `found: false` when the version has none yet (RotateSecret creates it empty). */
  async read(secretId: string, stage: string, versionId?: string): Promise<StoredValue> {
    try {
      const out = await this.client.send(
        new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage, ...(versionId ? { VersionId: versionId } : {}) }),
      );
      if (out.SecretString !== undefined) return { found: true, secretString: out.SecretString };
      return { found: true, secretString: undefined, binary: true };
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return { found: false };
      throw error;
    }
  }

  /**
   * Every version id of the secret with its labels, deprecated ones (no staging label) included: DescribeSecret
   * lists only versions with a label ("Versions that don't have staging labels are considered
   * deprecated", ListSecretVersionIds' IncludeDeprecated, AWS API reference).
   */
  async versionIds(secretId: string): Promise<ReadonlyMap<string, readonly string[]>> {
    const ids = new Map<string, readonly string[]>();
    let nextToken: string | undefined;
    do {
      const out = await this.client.send(new ListSecretVersionIdsCommand({ SecretId: secretId, IncludeDeprecated: true, ...(nextToken ? { NextToken: nextToken } : {}) }));
      for (const version of out.Versions ?? []) if (version.VersionId) ids.set(version.VersionId, version.VersionStages ?? []);
      nextToken = out.NextToken;
    } while (nextToken);
    return ids;
  }

  /** A version by its id alone, labelled or not (a deprecated version has no stage to name). */
  async readVersion(secretId: string, versionId: string): Promise<StoredValue> {
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId }));
      if (out.SecretString !== undefined) return { found: true, secretString: out.SecretString };
      return { found: true, secretString: undefined, binary: true };
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return { found: false };
      throw error;
    }
  }

  /** Idempotent on AWS: the same token and value again is a no-op. */
  async putPending(secretId: string, token: string, value: string, rotationToken: string | undefined): Promise<void> {
    await this.client.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        ClientRequestToken: token,
        SecretString: value,
        VersionStages: [AWSPENDING],
        ...(rotationToken ? { RotationToken: rotationToken } : {}),
      }),
    );
  }

  async moveCurrent(secretId: string, toVersionId: string, fromVersionId: string | undefined): Promise<void> {
    await this.client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: AWSCURRENT,
        MoveToVersionId: toVersionId,
        ...(fromVersionId ? { RemoveFromVersionId: fromVersionId } : {}),
      }),
    );
  }
}

/** Errors that repeating the same request cannot fix. */
const FINAL_ERRORS = new Set([
  'AccessDeniedException',
  'InvalidParameterException',
  'InvalidRequestException',
  'ResourceExistsException',
  'ResourceNotFoundException',
  'ValidationException',
  'LimitExceededException',
  'MalformedPolicyDocumentException',
  'DecryptionFailure',
  // PutSecretValue: KMS cannot encrypt with the secret's key (no kms:GenerateDataKey, key
  // disabled or pending deletion). Only a change of policy or key fixes it.
  'EncryptionFailure',
]);

export function isFinalError(error: unknown): boolean {
  return FINAL_ERRORS.has(errorName(error));
}

/** Match AWS errors by name, never HTTP status (moto answers 404 where AWS answers 400). */
export function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string'
    ? (error as { name: string }).name
    : '';
}
