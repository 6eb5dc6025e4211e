import { InvalidEventError } from './errors.js';

export const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type Step = (typeof STEPS)[number];

/** The event Secrets Manager sends. `@types/aws-lambda` lacks RotationToken, so it is declared here. */
export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: Step;
  /** Sensitive: passed on to PutSecretValue, never logged. */
  readonly RotationToken?: string;
}

// Shapes from the Secrets Manager API model.
const CLIENT_REQUEST_TOKEN = /^[\x21-\x7e]{32,64}$/;
const ROTATION_TOKEN = /^[a-zA-Z0-9-]{36,256}$/;

/** Validates an incoming event. Messages name fields, and never echo RotationToken's value. */
export function parseRotationEvent(input: unknown): RotationEvent {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidEventError('the event is not a JSON object');
  }
  const event = input as Record<string, unknown>;

  const secretId = event.SecretId;
  if (typeof secretId !== 'string' || secretId.trim() === '' || secretId.length > 2048) {
    throw new InvalidEventError('"SecretId" must be a non-empty string (the secret\'s ARN or name)');
  }
  const token = event.ClientRequestToken;
  if (typeof token !== 'string' || !CLIENT_REQUEST_TOKEN.test(token)) {
    throw new InvalidEventError('"ClientRequestToken" must be a version id of 32 to 64 printable characters');
  }
  const step = event.Step;
  if (typeof step !== 'string' || !(STEPS as readonly string[]).includes(step)) {
    const shown = typeof step === 'string' ? `"${step.slice(0, 40)}"` : typeof step;
    throw new InvalidEventError(`"Step" is ${shown}; it must be one of ${STEPS.join(', ')}`);
  }
  const rotationToken = event.RotationToken;
  if (rotationToken !== undefined && rotationToken !== null) {
    if (typeof rotationToken !== 'string' || !ROTATION_TOKEN.test(rotationToken)) {
      throw new InvalidEventError('"RotationToken" must be 36 to 256 letters, digits or hyphens');
    }
  }
  return {
    SecretId: secretId,
    ClientRequestToken: token,
    Step: step as Step,
    ...(typeof rotationToken === 'string' ? { RotationToken: rotationToken } : {}),
  };
}

/** The scheduled expiry report (template.yaml): not a rotation step. */
export const REPORT_KEY_EXPIRY = 'ReportKeyExpiry';

export type FunctionEvent =
  | { readonly kind: 'rotation'; readonly event: RotationEvent }
  | { readonly kind: 'report-expiry'; readonly secretId: string };

/** Either Secrets Manager's rotation event, or {"Action": "ReportKeyExpiry", "SecretId"}. */
export function parseFunctionEvent(input: unknown): FunctionEvent {
  if (typeof input === 'object' && input !== null && 'Action' in input) {
    const { Action: action, SecretId: secretId } = input as Record<string, unknown>;
    if (action !== REPORT_KEY_EXPIRY) {
      throw new InvalidEventError(`"Action" must be "${REPORT_KEY_EXPIRY}" (the scheduled expiry report), or absent`);
    }
    if (typeof secretId !== 'string' || secretId.trim() === '') {
      throw new InvalidEventError('"SecretId" must be a non-empty string (the secret\'s ARN or name)');
    }
    return { kind: 'report-expiry', secretId };
  }
  return { kind: 'rotation', event: parseRotationEvent(input) };
}
