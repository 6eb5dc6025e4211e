import { describe, expect, it } from 'vitest';
import { CliError, explainAwsError, usage } from '../../src/cli/errors.js';
import { explainKeyApiFailure } from '../../src/cli/key-api.js';
import { table } from '../../src/cli/output.js';
import { KeyApiError } from '../../src/momento/key-management.js';

const named = (name: string, message = 'm') => Object.assign(new Error(message), { name });

describe('CLI errors', () => {
  it('a CliError exits 1 unless it is a usage error, which exits 2 and points to --help', () => {
    expect(new CliError('x')).toMatchObject({ name: 'CliError', message: 'x', exitCode: 1 });
    expect(usage('Bad.')).toMatchObject({ name: 'CliError', message: 'Bad.\nRun with --help for usage.', exitCode: 2 });
  });

  it.each([
    [named('CredentialsProviderError'), 'No AWS credentials found. Set AWS_PROFILE or pass --profile, run `aws configure` or `aws sso login`, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.'],
    [named('Error', 'Could not load credentials from any providers'), 'No AWS credentials found.'],
    [named('Error', 'Region is missing'), "No AWS Region set. Pass --region (the secret's Region), or set AWS_REGION."],
    [named('ResourceNotFoundException'), 'Secrets Manager has no secret "momento/api-key" in this Region and account. Check the name or ARN, --region and --profile.'],
    [named('AccessDeniedException', 'not authorized'), 'Access denied to secret "momento/api-key": not authorized. The caller needs secretsmanager permissions on it (and kms for its key).'],
    [named('AccessDenied', 'no'), 'Access denied to secret "momento/api-key": no.'],
    [named('UnrecognizedClientException', 'bad token'), 'Access denied to secret "momento/api-key": bad token.'],
  ])('explains %s in words that say what to do', (error, message) => {
    const explained = explainAwsError(error, 'momento/api-key');
    expect(explained).toBeInstanceOf(CliError);
    expect(explained!.exitCode).toBe(1);
    expect(explained!.message.startsWith(message)).toBe(true);
  });

  it('says "the secret" when it has no id, and explains nothing it does not know', () => {
    expect(explainAwsError(named('ResourceNotFoundException'), undefined)!.message).toBe(
      'Secrets Manager has no the secret in this Region and account. Check the name or ARN, --region and --profile.',
    );
    expect(explainAwsError(named('ThrottlingException'), 's')).toBeUndefined();
    expect(explainAwsError('a string', 's')).toBeUndefined();
    expect(explainAwsError(null, 's')).toBeUndefined();
  });

  it.each([
    [new KeyApiError('unauthorized', 'list', 'HTTP 401'), 'Could not list the keys: the management key is invalid or expired: store a new one in the management secret.'],
    [new KeyApiError('forbidden', 'list', 'HTTP 403'), "Could not list the keys: the management key's role may not do this (listing needs auth_management list; minting and revoking also write): use a key whose role grants auth_management read, write and list."],
    [new KeyApiError('unavailable', 'list', 'HTTP 503', 8), "Could not list the keys: Momento's key-management API did not answer, after retries: try again."],
    [new KeyApiError('bad-request', 'list', 'HTTP 400 BAD: no'), 'Could not list the keys: Momento answered: HTTP 400 BAD: no.'],
    [new Error('socket hang up'), 'Could not list the keys: Momento answered: Error: socket hang up.'],
  ])('explains a key-API failure (%s)', (error, message) => {
    expect(explainKeyApiFailure(error, 'list the keys')).toMatchObject({ message, exitCode: 1 });
  });
});

describe('table', () => {
  it('pads each column to its widest cell, two spaces apart, with no trailing space', () => {
    expect(table([
      ['A', 'LONG HEADER', 'C'],
      ['wide cell', 'x', ''],
      ['b', 'y'],
    ])).toEqual(['A          LONG HEADER  C', 'wide cell  x', 'b          y']);
  });
});
