import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import { versionState } from '../../../src/cli/commands/rotate.js';
import { SecretsManagerModel } from '../../support/secrets-manager-model.js';
import { consoleKeyFile } from '../../support/secrets.js';

// `rotate` follows its rotation with two reads a poll (DescribeSecret, then GetSecretValue of the
// AWSPENDING version). Another actor can move AWSPENDING between the two.
describe('rotate: where the rotation stands (versionState)', () => {
  let sm: SecretsManagerModel;
  afterEach(() => sm.restore());

  function secretMidRotation() {
    sm = new SecretsManagerModel();
    sm.storeCurrent(JSON.stringify(consoleKeyFile()));
    const token = sm.startRotation();
    sm.storePending(token, JSON.stringify(consoleKeyFile()));
    return { client: new SecretsManagerClient({ region: 'us-east-1' }), token };
  }

  it('AWSPENDING removed between DescribeSecret and GetSecretValue: abandoned (read again), not the InvalidRequestException AWS answers', async () => {
    const { client, token } = secretMidRotation();
    let removed = false;
    sm.beforeCall = (operation) => {
      if (operation === 'GetSecretValue' && !removed) {
        removed = true;
        sm.unlabel(token, 'AWSPENDING');
      }
    };
    await expect(versionState(client, sm.arn, token)).resolves.toMatchObject({ phase: 'abandoned' });
    expect(sm.count('DescribeSecret')).toBe(2);
  });

  it('AWSPENDING promoted between the two reads: done', async () => {
    const { client, token } = secretMidRotation();
    let promoted = false;
    sm.beforeCall = (operation) => {
      if (operation === 'GetSecretValue' && !promoted) {
        promoted = true;
        sm.label(token, 'AWSCURRENT');
        sm.unlabel(token, 'AWSPENDING');
      }
    };
    await expect(versionState(client, sm.arn, token)).resolves.toMatchObject({ phase: 'done', superseded: false, keyFingerprint: expect.stringMatching(/^sha256:/) });
  });

  it('promoted, then replaced by a later rotation before this poll (now AWSPREVIOUS): done, and says so, not abandoned', async () => {
    const { client, token } = secretMidRotation();
    sm.label(token, 'AWSCURRENT');
    sm.unlabel(token, 'AWSPENDING');
    const later = sm.startRotation();
    sm.storePending(later, JSON.stringify(consoleKeyFile()));
    sm.label(later, 'AWSCURRENT');
    sm.label(token, 'AWSPREVIOUS');
    expect(sm.stagesOf(token)).toEqual(['AWSPREVIOUS']);
    await expect(versionState(client, sm.arn, token)).resolves.toMatchObject({
      phase: 'done',
      superseded: true,
      label: 'promoted to AWSCURRENT, and since replaced by a later rotation (now AWSPREVIOUS)',
    });
  });

  it('the same answer every time (not a moving label): after three reads it gives up with that error', async () => {
    const { client, token } = secretMidRotation();
    sm.failWhile(
      'GetSecretValue',
      () => true,
      () => Object.assign(new Error('You provided a VersionStage that is not associated to the provided VersionId.'), { name: 'InvalidRequestException' }),
    );
    await expect(versionState(client, sm.arn, token)).rejects.toMatchObject({ name: 'InvalidRequestException' });
    expect(sm.count('DescribeSecret')).toBe(3);
  });

  it('AWSPENDING with a value: created; without one yet: started', async () => {
    const { client, token } = secretMidRotation();
    await expect(versionState(client, sm.arn, token)).resolves.toMatchObject({ phase: 'created' });
    const empty = sm.startRotation();
    await expect(versionState(client, sm.arn, empty)).resolves.toMatchObject({ phase: 'started' });
  });
});
