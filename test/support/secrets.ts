import { randomBytes, randomUUID } from 'node:crypto';

/**
 * Test credentials shaped like Momento's, each registered so that leak checks can look
 * for it (and for the JWT inside a v1 key) in every log line and error.
 */
const issued = new Set<string>();

export function issuedSecrets(): readonly string[] {
  return [...issued];
}

function register<T extends string>(value: T): T {
  issued.add(value);
  return value;
}

/** Registers a secret made elsewhere (by the fake Momento server, say) for the leak checks. */
export function registerSecret(value: string): void {
  register(value);
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** An unsigned JWT with random content (Momento never sees it in unit tests). */
export function fakeJwt(claims: Record<string, unknown> = {}): string {
  const jwt = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url({ sub: 'test', jti: randomUUID(), ...claims })}.${randomBytes(24).toString('base64url')}`;
  return register(jwt);
}

/** A v1 API key: base64 of {"endpoint", "api_key"}, as the console and refreshApiKey produce. */
export function fakeV1Key(endpoint = 'cell-us-east-1-1.prod.a.momentohq.com'): string {
  const jwt = fakeJwt();
  return register(Buffer.from(JSON.stringify({ endpoint, api_key: jwt })).toString('base64'));
}

/**
 * A v2 (global) key: a JWT with t = "g", its key id as `jti` (random unless given) and its
 * expiry as `exp` (none unless given), as Momento issues them (momento-cli decode.rs).
 * `jti: null` leaves the claim out.
 */
export function fakeV2Key(claims: { jti?: string | null; exp?: number } = {}): string {
  const { jti = randomUUID(), exp } = claims;
  return fakeJwt({ t: 'g', jti: jti ?? undefined, ...(exp !== undefined ? { exp } : {}) });
}

/** The key id (jti claim) of a key made by fakeV2Key or a fake Momento. */
export function jtiOf(apiKey: string): string {
  return (JSON.parse(Buffer.from(apiKey.split('.')[1] ?? '', 'base64url').toString('utf8')) as { jti: string }).jti;
}

export function fakeRefreshToken(): string {
  return register(randomBytes(32).toString('base64'));
}

/** A RotationToken as Secrets Manager sends it (sensitive). */
export function fakeRotationToken(): string {
  return register(`${randomUUID()}-${randomUUID()}`);
}

export const DAY = 86_400;

/** The console's download, momento_token.info.json. */
export function consoleKeyFile(validForDays = 30, nowSeconds = Math.floor(Date.now() / 1000)) {
  return { apiKey: fakeV1Key(), refreshToken: fakeRefreshToken(), validUntil: nowSeconds + validForDays * DAY };
}

/** Every issued secret that occurs in `text`. */
export function leakedSecrets(text: string): string[] {
  return [...issued].filter((secret) => text.includes(secret));
}
