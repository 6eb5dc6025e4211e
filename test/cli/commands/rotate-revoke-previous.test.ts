import { spawn } from 'node:child_process';
import { DescribeSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { fingerprint as fingerprintOf } from '../../../src/observability/fingerprint.js';
import { describe, expect, it } from 'vitest';
import { withoutNodeFloorWarning } from '../../support/node-floor.js';
import { rotate } from '../../../src/cli/commands/rotate.js';
import { CliError } from '../../../src/cli/errors.js';
import { STEPS } from '../../../src/rotation/event.js';
import { fakeV2Key, leakedSecrets } from '../../support/secrets.js';
import { FaultProxy } from '../../stand-ins/fault-proxy.js';
import { APP_ROLE_ID } from '../../support/momento-roles.js';
import { literal, useLocalCli, builtCliEnv } from '../local-cli.js';

// `rotate --revoke-previous` (a key leaked): every way it can end other than a revocation says
// that the leaked key was NOT revoked, with the command that revokes it, and exits 1.
// A moto of its own: the leak response reads every secret in the Region, which under Stryker
// (one moto for every run) would grow with every mutant's run.
const { stack, cli, name } = useLocalCli('leak', { privateMoto: true });

const REGION = 'us-east-1';

/** A v2 secret with rotation configured, and a management key in its own secret. */
async function leakedV2Secret(label: string) {
  const management = await stack().storeManagementKey(name(`${label}-mgmt`));
  const stored = await stack().storeV2Key(name(label));
  await stack().service.endRotation(stored.arn, await stack().service.startRotation(stored.arn, false));
  return { ...stored, management };
}

/** The version the CLI's RotateSecret created (AWSPENDING, not AWSCURRENT), once it exists. */
async function pendingVersion(arn: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const stages = await stack().service.stages(arn);
    const current = Object.keys(stages).find((v) => stages[v]!.includes('AWSCURRENT'));
    const token = Object.keys(stages).find((v) => stages[v]!.includes('AWSPENDING') && v !== current);
    if (token) return token;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no rotation started');
}

/** Plays Secrets Manager: runs the four steps of the rotation the CLI started. */
async function serviceRunsNextRotation(arn: string, managementSecretId: string) {
  const token = await pendingVersion(arn);
  const invoke = stack().newContainer({ managementSecretId });
  for (const Step of STEPS) await invoke({ Step, SecretId: arn, ClientRequestToken: token });
  await stack().service.endRotation(arn, token);
}

/** Runs `use` with a FaultProxy in front of moto, and stops it after. */
async function withProxy(use: (proxy: FaultProxy) => Promise<void>) {
  const proxy = await FaultProxy.start(stack().moto.endpoint);
  try {
    await use(proxy);
  } finally {
    await proxy.stop();
  }
}

/** `rotate --revoke-previous` through `proxy`, while the service runs the rotation it starts. */
async function leakResponseThrough(proxy: FaultProxy, arn: string, managementArn: string) {
  const [result] = await Promise.all([
    cli(['rotate', '--secret-id', arn, '--revoke-previous', '--management-secret-id', managementArn], '', proxy.endpoint),
    serviceRunsNextRotation(arn, managementArn),
  ]);
  return result;
}

const revokeLine = (keyId: string, management: string, extra = '') =>
  new RegExp(`^ {2}momento-secret-rotation revoke --key-id ${keyId} --management-secret-id ${literal(management)}${literal(extra)}$`, 'm');

describe('rotate --revoke-previous: when the leaked key is NOT revoked, it says so, with the command that revokes it', () => {
  it('on timeout: AWSCURRENT still holds the key, so it says to revoke once AWSCURRENT has moved (or with --force), and exits 1', async () => {
    const { arn, key, management } = await leakedV2Secret('timeout');
    const result = await cli(['rotate', '--secret-id', arn, '--revoke-previous', '--management-secret-id', management.arn, '--timeout', '1', '--region', REGION]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^Gave up waiting after 1 s: waiting for createSecret/);
    expect(result.err).toContain(
      `Key ${key.keyId} was NOT revoked: it is the leaked key (sha256:`,
    );
    // The rotation was requested and may still complete: it says to look before running the command again.
    expect(result.err).toMatch(
      new RegExp(`AWSCURRENT of ${literal(arn)} still holds it \\(unless the rotation has completed since\\), so revoking it now stops every application reading the secret\\.`),
    );
    expect(result.err).toContain(
      `See where it stands: momento-secret-rotation status --secret-id ${arn} --region ${REGION}. While AWSCURRENT still holds key ${key.keyId}, fix what is said above and run this command again; ` +
        'once AWSCURRENT has moved to a new key, do not (it would take the new key for the leaked one): revoke it with:',
    );
    expect(result.err).toMatch(revokeLine(key.keyId, management.arn, ` --region ${REGION}`));
    expect(result.err).toMatch(/add --force to revoke it at once anyway/);
    expect(stack().momento.accepts(key.apiKey)).toBe(true);
  });

  it('when the rotation is abandoned (AWSPENDING removed without promotion), exits 1 saying so', async () => {
    const { arn, key, management } = await leakedV2Secret('abandoned');
    const [result] = await Promise.all([
      cli(['rotate', '--secret-id', arn, '--revoke-previous', '--management-secret-id', management.arn, '--timeout', '30']),
      pendingVersion(arn).then((token) => stack().service.endRotation(arn, token)),
    ]);
    expect(result.code).toBe(1);
    expect(result.out).not.toMatch(/Done|Revoked/);
    expect(result.err).toMatch(/^The rotation ended without promoting version \S+: AWSCURRENT is unchanged and still works\./);
    expect(result.err).toContain(`Key ${key.keyId} was NOT revoked: it is the leaked key`);
    expect(result.err).toMatch(revokeLine(key.keyId, management.arn));
    expect(stack().momento.accepts(key.apiKey)).toBe(true);
  });

  it('when Momento gives no answer to the revocation (5xx after every retry, which may have been applied): NOT revoked as far as it knows, with the command, and exits 1', async () => {
    const { arn, key, management } = await leakedV2Secret('revoke-fails');
    stack().momento.failNextKeyApi('revoke', 8, { kind: 'error500' }, management.key.lineage); // every attempt the CLI makes
    const [result] = await Promise.all([
      cli(['rotate', '--secret-id', arn, '--revoke-previous', '--management-secret-id', management.arn, '--region', REGION]),
      serviceRunsNextRotation(arn, management.arn),
    ]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/Done: AWSCURRENT is now version/);
    expect(result.err).toMatch(new RegExp(`^Could not revoke key ${key.keyId} \\(sha256:[0-9a-f]{8}, now AWSPREVIOUS; AWSCURRENT moved to a new key\\)`));
    expect(result.err).toContain(`Key ${key.keyId} was NOT revoked, as far as this command knows: it was stopped while asking Momento to revoke the leaked key (sha256:`);
    expect(result.err).toMatch(new RegExp(`AWSCURRENT of ${literal(arn)} has moved to a new key, so nothing here needs it: revoke it with:`));
    expect(result.err).toMatch(revokeLine(key.keyId, management.arn, ` --region ${REGION}`));
    expect(stack().momento.accepts(key.apiKey)).toBe(true);
    expect(await stack().currentKeyWorks(arn)).toBe(true);

    // The printed command does it: the key left AWSCURRENT, so nothing refuses it.
    const revoked = await cli(['revoke', '--key-id', key.keyId, '--management-secret-id', management.arn]);
    expect(revoked).toMatchObject({ code: 0, out: `Revoked key ${key.keyId}: Momento no longer accepts it.` });
    expect(stack().momento.accepts(key.apiKey)).toBe(false);
  }, 60_000);

  it('when the management key is rejected (before rotating): the key is NOT revoked, AWSCURRENT still holds it', async () => {
    const { arn, key, management } = await leakedV2Secret('mgmt-rejected');
    stack().momento.revoke(management.key.apiKey);
    const before = await stack().service.stages(arn);
    const result = await cli(['rotate', '--secret-id', arn, '--revoke-previous', '--management-secret-id', management.arn]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^Could not use the management key \(nothing was rotated\): the management key is invalid or expired/);
    expect(result.err).toContain(`Key ${key.keyId} was NOT revoked`);
    expect(result.err).toMatch(/still holds it/);
    expect(await stack().service.stages(arn)).toEqual(before);
  });

  it('when it revokes, says nothing of the kind', async () => {
    const { arn, key, management } = await leakedV2Secret('revoked');
    const [result] = await Promise.all([
      cli(['rotate', '--secret-id', arn, '--revoke-previous', '--management-secret-id', management.arn]),
      serviceRunsNextRotation(arn, management.arn),
    ]);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toContain(`Revoked key ${key.keyId} (sha256:`);
    expect(result.out).not.toMatch(/NOT revoked/);
  });

  it('interrupted while Momento is revoking the key: NOT revoked as far as it knows, and the command to make sure', async () => {
    const { arn, key, management } = await leakedV2Secret('interrupted-revoking');
    stack().momento.failNextKeyApi('revoke', 8, { kind: 'error500' }, management.key.lineage); // retried for seconds
    const revokesBefore = stack().momento.keyApiCalls.revoke;
    const untilRevokeRequested = async () => {
      for (let waited = 0; stack().momento.keyApiCalls.revoke === revokesBefore; waited += 10) {
        if (waited > 30_000) throw new Error('the revocation never reached Momento');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    let interrupt: (signal: string) => void = () => undefined;
    const out: string[] = [];
    const io = {
      out: (line: string) => {
        out.push(line);
        // Ctrl-C once the revocation has reached Momento (its first attempt failed; it is retrying),
        // not after a fixed pause: the checks before it (other secrets' AWSCURRENT) take their own time.
        if (line.startsWith('Done:')) void untilRevokeRequested().then(() => interrupt('SIGINT'));
      },
      err: (line: string) => out.push(line),
    };
    const run = rotate(
      stack().service.client,
      {
        secretId: arn,
        wait: true,
        timeoutSeconds: 30,
        pollMs: 100,
        revokePreviousWith: management.arn,
        interrupts: (onInterrupt) => {
          interrupt = onInterrupt;
          return () => (interrupt = () => undefined);
        },
      },
      io,
    );
    const [error] = await Promise.all([run.then(() => undefined, (e: unknown) => e), serviceRunsNextRotation(arn, management.arn)]);
    expect(error).toBeInstanceOf(CliError);
    const message = (error as CliError).message;
    expect(leakedSecrets(message + out.join('\n'))).toEqual([]);
    expect(message).toMatch(new RegExp(`^Interrupted \\(SIGINT\\)\\.\\nKey ${key.keyId} was NOT revoked, as far as this command knows: it was interrupted while asking Momento to revoke`));
    expect(message).toMatch(revokeLine(key.keyId, management.arn));
    expect(message).toMatch(/that command says the key is already revoked/);
  }, 60_000);
});

describe('rotate --revoke-previous never revokes a key another secret holds, or may hold', () => {
  it("staging imports prod's key (--shared-key), prod's key leaks, rotate --revoke-previous on prod: prod moves, the key is NOT revoked, staging keeps working; once staging rotates, the printed revoke command revokes it", async () => {
    const prod = await leakedV2Secret('shared-prod');
    const stagingName = name('shared-staging');
    const imported = await cli(['import', '--secret-id', stagingName, '--role', APP_ROLE_ID, '--shared-key'], prod.key.apiKey);
    expect(imported.code).toBe(0);
    const staging = (await stack().service.client.send(new DescribeSecretCommand({ SecretId: stagingName }))).ARN!;
    await stack().service.endRotation(staging, await stack().service.startRotation(staging, false));

    const [result] = await Promise.all([
      cli(['rotate', '--secret-id', prod.arn, '--revoke-previous', '--management-secret-id', prod.management.arn, '--region', REGION]),
      serviceRunsNextRotation(prod.arn, prod.management.arn),
    ]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/Done: AWSCURRENT is now version/);
    expect(result.out).not.toMatch(/Revoked/);
    const lines = result.err.split('\n');
    expect(lines[0]).toBe(
      `AWSCURRENT of secret ${stagingName} holds the leaked key too (key id ${prod.key.keyId}): revoking it would stop every application reading that secret from authenticating.`,
    );
    expect(lines[1]).toBe(
      `Key ${prod.key.keyId} was NOT revoked: it is the leaked key (${fingerprintOf(prod.key.apiKey)}), and still valid. AWSCURRENT of ${prod.arn} has moved to a new key, ` +
        `but AWSCURRENT of ${stagingName} still holds it. Move that secret off it first: store a new key in it (for a key file the rotation function rotates, ` +
        `momento-secret-rotation rotate --secret-id ${stagingName} --region ${REGION} does that), then revoke it with:`,
    );
    expect(result.err).toMatch(revokeLine(prod.key.keyId, prod.management.arn, ` --region ${REGION}`));
    expect(lines.at(-1)).toBe('That command refuses the key while AWSCURRENT of any secret in the Region holds it.');
    expect(stack().momento.accepts(prod.key.apiKey)).toBe(true);
    expect(await stack().currentKeyWorks(staging)).toBe(true);
    expect(await stack().currentKeyWorks(prod.arn)).toBe(true);

    // The printed commands, in order: staging moves off the key, and then no secret holds it.
    const [moved] = await Promise.all([cli(['rotate', '--secret-id', stagingName, '--region', REGION]), serviceRunsNextRotation(staging, prod.management.arn)]);
    expect(moved.code).toBe(0);
    const revoked = await cli(['revoke', '--key-id', prod.key.keyId, '--management-secret-id', prod.management.arn, '--region', REGION]);
    expect(revoked).toMatchObject({ code: 0, out: `Revoked key ${prod.key.keyId}: Momento no longer accepts it.` });
    expect(stack().momento.accepts(prod.key.apiKey)).toBe(false);
    expect(await stack().currentKeyWorks(staging)).toBe(true);
    expect(await stack().currentKeyWorks(prod.arn)).toBe(true);
  }, 60_000);

  it('a copy of the key in another shape (the console key/value form) counts: prod rotates, the key is NOT revoked', async () => {
    const prod = await leakedV2Secret('copy-prod');
    const copyName = name('copy');
    await stack().createSecret(copyName, JSON.stringify({ MOMENTO_API_KEY: prod.key.apiKey }));
    const [result] = await Promise.all([
      cli(['rotate', '--secret-id', prod.arn, '--revoke-previous', '--management-secret-id', prod.management.arn]),
      serviceRunsNextRotation(prod.arn, prod.management.arn),
    ]);
    expect(result.code).toBe(1);
    expect(result.err.split('\n')[0]).toBe(
      `AWSCURRENT of secret ${copyName} holds the leaked key too (key id ${prod.key.keyId}): revoking it would stop every application reading that secret from authenticating.`,
    );
    expect(stack().momento.accepts(prod.key.apiKey)).toBe(true);
  }, 60_000);

  it('a management key with no key id (jti): refused before anything changes, since the leaked key cannot be told apart from it', async () => {
    const { arn, key } = await leakedV2Secret('mgmt-no-jti');
    const management = await stack().createSecret(name('mgmt-no-jti-key'), JSON.stringify({ apiKey: fakeV2Key({ jti: null }) }));
    const before = await stack().service.stages(arn);
    const result = await cli(['rotate', '--secret-id', arn, '--revoke-previous', '--management-secret-id', management]);
    expect(result).toEqual({
      code: 1,
      out: '',
      err:
        `Key ${key.keyId} was NOT revoked, and nothing was rotated: the management key in ${management} carries no key id (jti claim), so the leaked key cannot be told apart from it. ` +
        'Store a management key with a key id and run this again, or rotate without --revoke-previous and revoke the leaked key in the Momento console.',
    });
    expect(await stack().service.stages(arn)).toEqual(before);
  });

  it('without ListSecrets: refused before anything changes (nothing rotated), saying what it needs and the way without it', async () => {
    const { arn, key, management } = await leakedV2Secret('list-denied');
    const before = await stack().service.stages(arn);
    await withProxy(async (proxy) => {
      proxy.failNext('ListSecrets', 1, { kind: 'denied' });
      const result = await cli(['rotate', '--secret-id', arn, '--revoke-previous', '--management-secret-id', management.arn], '', proxy.endpoint);
      expect(result.code).toBe(1);
      expect(result.out).toBe('');
      expect(result.err).toMatch(
        /^Could not list the secrets of the Region \(User: \S+ is not authorized to perform: secretsmanager:ListSecrets[^)]*\), so it cannot check that no other secret holds the leaked key before revoking it: nothing was rotated\. Grant secretsmanager:ListSecrets \(and GetSecretValue on the secrets\), or rotate without --revoke-previous, then revoke the key with revoke --force once you know no other secret holds it\.$/m,
      );
      expect(result.err).toContain(`Key ${key.keyId} was NOT revoked: it is the leaked key`);
      expect(result.err).toMatch(/still holds it/);
      expect(await stack().service.stages(arn)).toEqual(before);
      expect(stack().momento.accepts(key.apiKey)).toBe(true);
    });
  }, 60_000);

  it('ListSecrets allowed before the rotation and denied after it: the key is NOT revoked, and the command checks again', async () => {
    const { arn, key, management } = await leakedV2Secret('list-denied-later');
    await withProxy(async (proxy) => {
      let lists = 0;
      proxy.onApplied = async (operation) => {
        if (operation === 'ListSecrets' && ++lists === 1) proxy.failNext('ListSecrets', 1, { kind: 'denied' });
      };
      const result = await leakResponseThrough(proxy, arn, management.arn);
      expect(result.code).toBe(1);
      expect(result.out).toMatch(/Done: AWSCURRENT is now version/);
      expect(result.err).toMatch(
        new RegExp(`^Could not check which other secrets in ${REGION} hold key ${key.keyId}: ListSecrets was denied \\(User: \\S+ is not authorized to perform: secretsmanager:ListSecrets`),
      );
      expect(result.err).toMatch(/\. It takes secretsmanager:ListSecrets, and GetSecretValue on the secrets\.$/m);
      expect(result.err).toContain(`AWSCURRENT of ${arn} has moved to a new key, but whether another secret, or a replica of this one, still holds it is not known (see above). Once it can be checked, revoke it with:`);
      expect(result.err).toMatch(revokeLine(key.keyId, management.arn));
      expect(result.err.split('\n').at(-1)).toBe(
        `That command checks the Region's secrets again, not replicas: if ${arn} has any, first see that each is InSync (aws secretsmanager describe-secret --secret-id ${arn}).`,
      );
      expect(stack().momento.accepts(key.apiKey)).toBe(true);
    });
  }, 60_000);

  it('another secret cannot be read (it may hold the key): the key is NOT revoked, naming that secret', async () => {
    const { arn, key, management } = await leakedV2Secret('unreadable');
    const lockedName = name('locked');
    const locked = await stack().storeV2Key(lockedName);
    await withProxy(async (proxy) => {
      proxy.failNext('GetSecretValue', 1, { kind: 'denied' }, locked.arn);
      const result = await leakResponseThrough(proxy, arn, management.arn);
      expect(result.code).toBe(1);
      expect(result.err.split('\n')[0]).toBe(
        `Could not check that no other secret holds key ${key.keyId}: AWSCURRENT of 1 secret in ${REGION} could not be read (${lockedName}: AccessDeniedException). ` +
          `Access denied or a KMS error (the reason names it) needs GetSecretValue and kms:Decrypt on every secret in ${REGION}; other reasons (throttling, expired credentials) need only another run.`,
      );
      expect(result.err).toContain('whether another secret, or a replica of this one, still holds it is not known (see above)');
      expect(stack().momento.accepts(key.apiKey)).toBe(true);
      expect(await stack().currentKeyWorks(arn)).toBe(true);
    });
  }, 60_000);

  it('a replica Region not InSync (it may still serve the leaked key): the key is NOT revoked, naming the replica', async () => {
    const { arn, key, management } = await leakedV2Secret('replica');
    await withProxy(async (proxy) => {
      // moto reports no replica failing; AWS's ReplicationStatus (DescribeSecret) names Region, Status
      // (InSync | Failed | InProgress) and StatusMessage.
      proxy.rewrite = (operation, body) =>
        operation === 'DescribeSecret'
          ? JSON.stringify({ ...(JSON.parse(body) as object), ReplicationStatus: [{ Region: 'eu-west-1', Status: 'InSync' }, { Region: 'ap-south-1', Status: 'Failed', StatusMessage: 'KMS key disabled' }] })
          : body;
      const result = await leakResponseThrough(proxy, arn, management.arn);
      expect(result.code).toBe(1);
      expect(result.err.split('\n')[0]).toBe(
        `The replica of ${arn} in ap-south-1 (Failed: KMS key disabled) is not InSync: its applications may still read the leaked key, and would stop authenticating.`,
      );
      expect(result.err).toContain(`has moved to a new key, but a replica is not InSync (see above). Once every replica is InSync (aws secretsmanager describe-secret --secret-id ${arn}), revoke it with:`);
      expect(result.err).toMatch(revokeLine(key.keyId, management.arn));
      expect(stack().momento.accepts(key.apiKey)).toBe(true);
    });
  }, 60_000);

  it('the leaked key put back into the secret (as KEY=value binary) after the other checks: NOT revoked, AWSCURRENT holds it again (read last)', async () => {
    const { arn, key, management } = await leakedV2Secret('put-back');
    await withProxy(async (proxy) => {
      let lists = 0;
      let putBack = false;
      // After the Region scan (the second ListSecrets), the replica check's DescribeSecret is the last
      // call before the last read: the value goes back as that call is answered.
      proxy.onApplied = async (operation) => {
        if (operation === 'ListSecrets') lists++;
        if (operation === 'DescribeSecret' && lists === 2 && !putBack) {
          putBack = true;
          const value = new TextEncoder().encode(`MOMENTO_API_KEY=${key.apiKey}`);
          await stack().service.client.send(new PutSecretValueCommand({ SecretId: arn, SecretBinary: value, VersionStages: ['AWSCURRENT'] }));
        }
      };
      const result = await leakResponseThrough(proxy, arn, management.arn);
      expect(result.code).toBe(1);
      expect(result.err.split('\n')[0]).toBe(`AWSCURRENT of ${arn} holds the leaked key again (key id ${key.keyId}).`);
      expect(result.err).toContain(
        `Key ${key.keyId} was NOT revoked: it is the leaked key (${fingerprintOf(key.apiKey)}), and still valid, and AWSCURRENT of ${arn} holds it again ` +
          `(put back after the rotation moved it). Move the secret off it: store a new key in it (for a key file, momento-secret-rotation rotate --secret-id ${arn} does that), then revoke it with:`,
      );
      expect(result.err).toMatch(revokeLine(key.keyId, management.arn));
      expect(putBack).toBe(true);
      expect(stack().momento.accepts(key.apiKey)).toBe(true);
    });
  }, 60_000);

  it('Momento refuses the revocation (the management key revoked meanwhile): NOT revoked, and it says to revoke it now', async () => {
    const { arn, key, management } = await leakedV2Secret('revoke-refused');
    await withProxy(async (proxy) => {
      let lists = 0;
      proxy.onApplied = async (operation) => {
        if (operation === 'ListSecrets') lists++;
        if (operation === 'DescribeSecret' && lists === 2) stack().momento.revoke(management.key.apiKey);
      };
      const result = await leakResponseThrough(proxy, arn, management.arn);
      expect(result.code).toBe(1);
      expect(result.err).toMatch(new RegExp(`^Could not revoke key ${key.keyId} \\(sha256:[0-9a-f]{8}, now AWSPREVIOUS; AWSCURRENT moved to a new key\\): the management key is invalid or expired`));
      expect(result.err).toContain(
        `Key ${key.keyId} was NOT revoked: it is the leaked key (${fingerprintOf(key.apiKey)}), and still valid. AWSCURRENT of ${arn} has moved to a new key, so nothing here needs it: revoke it now with:`,
      );
      expect(result.err).toMatch(revokeLine(key.keyId, management.arn));
      expect(stack().momento.accepts(key.apiKey)).toBe(true);
    });
  }, 60_000);

  it('a second copy of the key in another field of the key file, which a rotation keeps: refused before anything changes', async () => {
    const { arn, key, management } = await leakedV2Secret('second-copy');
    const value = JSON.parse(await stack().service.value(arn, 'AWSCURRENT')) as Record<string, unknown>;
    await stack().service.client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ ...value, MOMENTO_API_KEY: key.apiKey }) }));
    const before = await stack().service.stages(arn);
    const result = await cli(['rotate', '--secret-id', arn, '--revoke-previous', '--management-secret-id', management.arn]);
    expect(result).toEqual({
      code: 1,
      out: '',
      err:
        `AWSCURRENT of ${arn} holds the key also in "MOMENTO_API_KEY", which a rotation keeps, so the new version would still hold it: nothing was rotated. ` +
        'Store the value without that field (aws secretsmanager put-secret-value), then run this again.',
    });
    expect(await stack().service.stages(arn)).toEqual(before);
  });
});

describe('rotate --revoke-previous, interrupted (SIGINT) through the built command (dist/cli.js)', () => {
  it('while following the rotation: stops, says the rotation goes on and the key was NOT revoked, with the command, and exits 1', async () => {
    const { arn, key, management } = await leakedV2Secret('sigint');
    const child = spawn(process.execPath, ['dist/cli.js', 'rotate', '--secret-id', arn, '--revoke-previous', '--management-secret-id', management.arn, '--region', REGION], {
      env: builtCliEnv(stack()),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let interrupted = false;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      // Once it is following the rotation (which nobody runs), Ctrl-C.
      if (!interrupted && /waiting for createSecret/.test(out)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(leakedSecrets(out + err)).toEqual([]);
    expect({ interrupted, out, err }).toMatchObject({ interrupted: true });
    expect(code).toBe(1);
    const stderr = withoutNodeFloorWarning(err);
    expect(stderr).toMatch(/^Interrupted \(SIGINT\): stopped following the rotation to version \S+, which goes on without this command\. Follow it with: momento-secret-rotation status --secret-id /);
    expect(stderr).toContain(`Key ${key.keyId} was NOT revoked: it is the leaked key`);
    expect(stderr).toMatch(/still holds it \(unless the rotation has completed since\)/);
    expect(stderr).toMatch(revokeLine(key.keyId, management.arn, ` --region ${REGION}`));
    expect(stack().momento.accepts(key.apiKey)).toBe(true);
  }, 30_000);
});
