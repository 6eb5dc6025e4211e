/**
 * `npm run bench:client [-- --short]`: the consumer library's key provider beside
 * @aws-lambda-powertools/parameters' SecretsProvider.get with the same maxAge, the usual
 * anchor. Prints, for one run of each:
 * - the latency of a cached read (ns/op, median of repeated runs), in real time;
 * - how many GetSecretValue calls each makes for 1,000,000 reads spread over a simulated hour.
 * Secrets Manager is aws-sdk-client-mock: no network, calls counted. Figures are printed,
 * never asserted.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { mockClient } from 'aws-sdk-client-mock';
import { randomBytes } from 'node:crypto';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { MomentoKeyProvider } from '../src/client/index.js';

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
