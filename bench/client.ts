/**
 * `npm run bench:client [-- --short]`: the consumer library's key provider beside
 * @aws-lambda-powertools/parameters' SecretsProvider.get with the same maxAge, the usual
 * anchor. Prints, for one run of each:
 * - the latency of a cached read (ns/op, median of repeated runs), in real time;
 * - how many GetSecretValue calls each makes for 1,000,000 reads spread over a simulated hour;
 * - with AWSCURRENT itself revoked, GetSecretValue calls per second while CALLERS concurrent
 *   callers call MomentoClientProvider.run() in a loop for a few seconds of real time, every
 *   call failing authentication: with the re-read limit (the default reReadIntervalMs, 5 s),
 *   and without it (reReadIntervalMs: 0, what every failed call cost before the limit).
 * Secrets Manager is aws-sdk-client-mock: no network, calls counted. Times are printed, never
 * asserted. One budget is checked, on a count: with the limit, a revoked key's re-reads stay
 * within one per reReadIntervalMs; if they do not, it says so and exits 1.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { mockClient } from 'aws-sdk-client-mock';
import { randomBytes } from 'node:crypto';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import type { CacheClient } from '@gomomento/sdk';
import { MomentoClientProvider, MomentoKeyProvider } from '../src/client/index.js';

const short = process.argv.includes('--short');
const RUNS = short ? 5 : 11;
const READS_PER_RUN = short ? 20_000 : 200_000;
const SIMULATED_READS = short ? 100_000 : 1_000_000;
const MAX_AGE_S = 300;

const keyFile = JSON.stringify({
  apiKey: Buffer.from(JSON.stringify({ endpoint: 'bench.momento.local', api_key: randomBytes(96).toString('base64url') })).toString('base64'),
  refreshToken: randomBytes(32).toString('base64'),
  validUntil: Math.floor(Date.now() / 1000) + 30 * 86_400,
});
const sm = mockClient(SecretsManagerClient);
sm.on(GetSecretValueCommand).resolves({ SecretString: keyFile, VersionId: 'v1' });
const client = new SecretsManagerClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

let clock = Date.now();
const RealDate = Date;
/** Both `Date.now()` and `new Date()` read the simulated clock (Powertools uses both). */
class SimulatedDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(clock);
    else super(...(args as [string]));
  }
  static override now(): number {
    return clock;
  }
}
const implementations = () => {
  const keys = new MomentoKeyProvider({ secretId: 'momento/api-key', secretsManager: client, refreshIntervalMs: MAX_AGE_S * 1000, now: () => Date.now() });
  const powertools = new SecretsProvider({ awsSdkV3Client: client });
  return {
    'momento-secret-rotation/client  MomentoKeyProvider.getKey()': () => keys.getKey(),
    [`@aws-lambda-powertools/parameters  SecretsProvider.get(maxAge: ${MAX_AGE_S})`]: () => powertools.get('momento/api-key', { maxAge: MAX_AGE_S }),
  } as Record<string, () => Promise<unknown>>;
};

// 1. Cached reads, in real time: both serve from memory between refreshes.
const impls = implementations();
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(impls).map((k) => [k, []]));
for (const read of Object.values(impls)) await read(); // warm: the one read that fills each cache
for (let run = 0; run < RUNS; run++) {
  const order = run % 2 === 0 ? Object.keys(impls) : Object.keys(impls).reverse();
  for (const name of order) {
    const read = impls[name]!;
    const start = process.hrtime.bigint();
    for (let i = 0; i < READS_PER_RUN; i++) await read();
    samples[name]!.push(Number(process.hrtime.bigint() - start) / READS_PER_RUN);
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const width = Math.max(...Object.keys(impls).map((k) => k.length));

console.log(`Cached read latency: median of ${RUNS} runs of ${READS_PER_RUN.toLocaleString('en')} reads${short ? ' (short mode)' : ''}`);
for (const name of Object.keys(impls)) console.log(`  ${name.padEnd(width)}  ${median(samples[name]!).toFixed(0).padStart(6)} ns/op`);

// 2. GetSecretValue calls for reads spread evenly over a simulated hour.
globalThis.Date = SimulatedDate as DateConstructor;
try {
  console.log(`\nGetSecretValue calls for ${SIMULATED_READS.toLocaleString('en')} reads over a simulated hour (refresh / maxAge ${MAX_AGE_S} s)`);
  const step = 3_600_000 / SIMULATED_READS;
  for (const [name, read] of Object.entries(implementations())) {
    sm.resetHistory();
    clock = RealDate.now();
    const end = clock + 3_600_000;
    for (let i = 0; i < SIMULATED_READS; i++) {
      await read();
      clock = Math.min(end, clock + step);
    }
    console.log(`  ${name.padEnd(width)}  ${String(sm.commandCalls(GetSecretValueCommand).length).padStart(6)} calls`);
  }
} finally {
  globalThis.Date = RealDate;
}

// 3. AWSCURRENT itself revoked: every run() fails authentication and asks to re-read the secret.
{
  const CALLERS = 50;
  const SECONDS = short ? 1 : 3;
  const MAX_CALLS_PER_CALLER = 100_000; // bounded in count as well as in time
  const READ_LATENCY_MS = 10; // GetSecretValue's answer, a little slower than in-region
  const CALL_LATENCY_MS = 1; // the Momento call that fails authentication
  const RE_READ_INTERVAL_MS = 5_000; // the default
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const authenticationError = { errorCode: () => 'AUTHENTICATION_ERROR' };
  sm.reset();
  sm.on(GetSecretValueCommand).callsFake(async () => {
    await sleep(READ_LATENCY_MS);
    return { SecretString: keyFile, VersionId: 'v1' };
  });

  /** `speed`: the key provider's clock runs this many times faster than real time, to show the backoff's long run. */
  const revokedRun = async (reReadIntervalMs: number | undefined, speed = 1) => {
    const realStart = Date.now();
    const keys = new MomentoKeyProvider({
      secretId: 'momento/api-key',
      secretsManager: client,
      refreshIntervalMs: MAX_AGE_S * 1000,
      now: () => realStart + (Date.now() - realStart) * speed,
      ...(reReadIntervalMs === undefined ? {} : { reReadIntervalMs }),
    });
    const momento = new MomentoClientProvider({ keys, createClient: () => ({ close() {} }) as unknown as CacheClient });
    await momento.getClient(); // the first read, before the key fails
    sm.resetHistory();
    let calls = 0;
    let failed = 0;
    const start = Date.now();
    const end = start + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        for (let i = 0; i < MAX_CALLS_PER_CALLER && Date.now() < end; i++) {
          const response = await momento.run(async () => {
            await sleep(CALL_LATENCY_MS);
            return authenticationError;
          });
          calls++;
          if (response === authenticationError) failed++;
        }
      }),
    );
    const elapsedMs = (Date.now() - start) * speed; // on the provider's clock
    await momento.close();
    return { calls, failed, reads: sm.commandCalls(GetSecretValueCommand).length, elapsedMs };
  };

  console.log(
    `\nAWSCURRENT revoked: ${CALLERS} concurrent callers calling run() for ${SECONDS} s, every call failing authentication ` +
      `(GetSecretValue answers in ${READ_LATENCY_MS} ms, the Momento call in ${CALL_LATENCY_MS} ms)`,
  );
  const SPEED = 100;
  const rows: [string, Awaited<ReturnType<typeof revokedRun>>][] = [
    [`limited (reReadIntervalMs default, ${RE_READ_INTERVAL_MS / 1000} s)`, await revokedRun(undefined)],
    [`limited, the provider's clock at ${SPEED}x (the backoff's long run)`, await revokedRun(undefined, SPEED)],
    ['not limited (reReadIntervalMs: 0, as before the limit)', await revokedRun(0)],
  ];
  const rowWidth = Math.max(...rows.map(([name]) => name.length));
  for (const [name, r] of rows) {
    console.log(
      `  ${name.padEnd(rowWidth)}  ${(r.reads / (r.elapsedMs / 1000)).toFixed(2).padStart(7)} GetSecretValue/s ` +
        `(${r.reads} in ${(r.elapsedMs / 1000).toFixed(1)} s; ${r.calls.toLocaleString('en')} calls, ${r.failed.toLocaleString('en')} failed)`,
    );
  }
  const violations: string[] = [];
  const budgets: string[] = [];
  for (const [name, r] of rows.slice(0, 2)) {
    // The budget: one re-read per interval, the first at once (the backoff only lowers it).
    const budget = 1 + Math.floor(r.elapsedMs / RE_READ_INTERVAL_MS);
    budgets.push(`${r.reads} of at most ${budget}`);
    if (r.reads > budget) violations.push(`${name}: a revoked key caused ${r.reads} secret reads in ${r.elapsedMs} ms, over the budget of ${budget} (one per ${RE_READ_INTERVAL_MS} ms)`);
    if (r.failed !== r.calls) violations.push(`${name}: ${r.calls - r.failed} of ${r.calls} calls with a revoked key did not fail authentication`);
  }
  console.log('');
  if (violations.length > 0) {
    for (const v of violations) console.log(`BUDGET BROKEN: ${v}`);
    process.exit(1);
  }
  console.log(`Budget holds: a revoked key's re-reads within one per ${RE_READ_INTERVAL_MS / 1000} s (${budgets.join('; ')}).`);
}
