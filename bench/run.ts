/**
 * `npm run bench [-- --short]`: what a rotation function costs its users. Prints, in one run:
 * 1. the handler bundle's size, raw and gzipped;
 * 2. cold start per step: a fresh `node` process imports the bundle and runs one step
 *    against moto_server and the fake Momento (median of 41): time to import, time to
 *    import and run, peak RSS, and whether the Momento SDK was loaded. Beside it, the same
 *    for a naive bundle of the same dependencies imported at the top, built here, and the ratio;
 *    the four steps of a v1 rotation, and the createSecret of a v2 one (it mints over HTTP);
 * 3. one full warm rotation: wall time (median), and Secrets Manager and Momento calls by operation;
 * 4. v2 keys: key-management API calls per warm v2 rotation, by route, and a burst of
 *    BURST v2 secrets rotating at once against the fake's 5-operations-per-second limit
 *    (wall time, 429s seen);
 * 5. `status --all` (the built CLI) over 200 secrets one tagged function rotates: its AWS calls
 *    against 1 + ceil(200/100) + 200, and its wall time (bench/status-all.ts).
 * Then it checks the budgets in bench/budgets.json and exits 1 if one is broken. Times are
 * reported, never asserted: they depend on the machine.
 */
import { build } from 'esbuild';
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { lambdaBundleOptions } from '../scripts/esbuild-options.mjs';
import { LAMBDA_ARTIFACT_DIR, LAMBDA_HANDLER_FILE } from '../scripts/lambda-artifact.mjs';
import { STEPS, type Step } from '../src/rotation/event.js';

// Quiet, for this process and the cold ones: set before the logger and metrics exist.
Object.assign(process.env, {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  POWERTOOLS_METRICS_DISABLED: 'true',
});
const { startLocalStack } = await import('../test/stand-ins/local-stack.js');

const short = process.argv.includes('--short');
// The cold-start table always takes 41 runs of each: its ratios carry budgets, and with fewer
// the noise of a 2-core machine decides. The other cold figures carry none on time.
const COLD_RUNS = 41;
const RUNS = short ? 5 : 11;
const WARM_ROTATIONS = short ? 3 : 9;
const BUNDLE = LAMBDA_HANDLER_FILE; // the artifact SAM deploys
const NAIVE = 'node_modules/.cache/bench/naive-handler.mjs';

// The function's settings as deployed: template.yaml, expanded by the SAM transform.
const template = JSON.parse(execFileSync('python3', ['test/template/translate.py', 'template.yaml'], { encoding: 'utf8' })) as {
  Resources: Record<string, { Type: string; Properties: { MemorySize: number; Environment: { Variables: Record<string, unknown> } } }>;
};
const fn = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function')!.Properties;
const MEMORY_MB = Number(fn.MemorySize);
const NODE_OPTIONS = String(fn.Environment.Variables.NODE_OPTIONS ?? '');
console.log(`Node ${process.version}; the template's settings: MemorySize ${MEMORY_MB} MB, NODE_OPTIONS "${NODE_OPTIONS}"`);

interface Budgets {
  handlerBundleBytes: number;
  coldRatioSetAndFinishSecret: number;
  coldRatioCreateSecret: number;
  peakRssShareOfMemory: number;
  secretsManagerCallsPerRotation: number;
  momentoCallsPerRotation: number;
  keyApiCallsPerV2Rotation: number;
}
const budgets = JSON.parse(await readFile('bench/budgets.json', 'utf8')) as Budgets;
const violations: string[] = [];
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const run = promisify(execFile);

// ---- 1. bundle size --------------------------------------------------------------------
await mkdir('node_modules/.cache/bench', { recursive: true });
await build({ ...lambdaBundleOptions, entryPoints: ['bench/naive-handler.ts'], outfile: NAIVE, logLevel: 'error' });
const size = async (file: string) => {
  const bytes = await readFile(file);
  return { bytes: (await stat(file)).size, gzip: gzipSync(bytes, { level: 9 }).length };
};
const codeFiles = (await readdir(LAMBDA_ARTIFACT_DIR)).filter((f) => f.endsWith('.mjs'));
const ours = { bytes: 0, gzip: 0 };
for (const file of codeFiles) {
  const one = await size(`${LAMBDA_ARTIFACT_DIR}/${file}`);
  ours.bytes += one.bytes;
  ours.gzip += one.gzip;
}
const entry = await size(BUNDLE);
console.log(
  `Lambda artifact ${LAMBDA_ARTIFACT_DIR}/: ${codeFiles.length} files of code, ${ours.bytes.toLocaleString('en')} bytes, ${ours.gzip.toLocaleString('en')} gzipped ` +
    `(budget ${budgets.handlerBundleBytes.toLocaleString('en')}); its entry ${BUNDLE}: ${entry.bytes.toLocaleString('en')} bytes`,
);
if (ours.bytes > budgets.handlerBundleBytes) violations.push(`bundle is ${ours.bytes} bytes, over its budget of ${budgets.handlerBundleBytes}`);

// ---- 2. cold start per step ------------------------------------------------------------------
const stack = await startLocalStack();
try {
  const coldEnv = {
    ...process.env,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: stack.moto.endpoint,
    MOMENTO_ENDPOINT_OVERRIDE: stack.momento.address,
    NODE_OPTIONS,
  };
  const peaks: { what: string; rssMb: number }[] = [];

  /** A secret whose rotation is ready for `step`: the earlier steps done by a warm container. */
  async function readyFor(step: Step): Promise<Record<string, unknown>> {
    const { arn } = await stack.storeConsoleKey(`momento/bench-${Math.random().toString(36).slice(2, 10)}`);
    const token = await stack.service.startRotation(arn);
    const warm = stack.newContainer();
    for (const earlier of STEPS.slice(0, STEPS.indexOf(step))) await warm({ Step: earlier, SecretId: arn, ClientRequestToken: token });
    return { Step: step, SecretId: arn, ClientRequestToken: token };
  }

  interface Cold { importMs: number; totalMs: number; maxRssKb: number; momentoLoaded: boolean; outcome: string; wallMs: number }
  async function coldRun(bundle: string, event: Record<string, unknown>, env: Record<string, string> = {}): Promise<Cold> {
    const started = performance.now();
    const { stdout } = await run(process.execPath, ['bench/cold-step.mjs', bundle, JSON.stringify(event)], { env: { ...coldEnv, ...env } });
    return { ...(JSON.parse(stdout.trim().split('\n').at(-1)!) as Omit<Cold, 'wallMs'>), wallMs: performance.now() - started };
  }

  console.log(`\nCold start per step: fresh node process, import + one step against moto_server and the fake Momento (median of ${COLD_RUNS})`);
  const header = ['step', 'bundle', 'import ms', 'import+step ms', 'process wall ms', 'peak RSS MB', 'Momento SDK loaded'];
  const rows: string[][] = [header];
  // The four steps of a v1 rotation (refresh), and the createSecret of a v2 one (mint over HTTP).
  const coldManagement = await stack.storeManagementKey('momento/bench-cold-create-management');
  const cases: { label: string; step: Step; v2: boolean; event: () => Promise<Record<string, unknown>>; env: Record<string, string> }[] = [
    ...STEPS.map((step) => ({ label: step, step, v2: false, event: () => readyFor(step), env: {} })),
    {
      label: 'createSecret v2',
      step: 'createSecret',
      v2: true,
      event: async () => {
        const { arn } = await stack.storeV2Key(`momento/bench-cold-v2c-${Math.random().toString(36).slice(2, 10)}`);
        return { Step: 'createSecret', SecretId: arn, ClientRequestToken: await stack.service.startRotation(arn) };
      },
      env: { MOMENTO_MANAGEMENT_SECRET_ARN: coldManagement.arn },
    },
  ];
  const keyApiRate = stack.momento.keyApiRatePerSecond;
  stack.momento.keyApiRatePerSecond = 0; // this measures the function, not 429 back-off
  for (const { label, step, v2, event, env } of cases) {
    const results: Record<'ours' | 'naive', Cold[]> = { ours: [], naive: [] };
    for (let i = 0; i < COLD_RUNS; i++) {
      for (const variant of i % 2 === 0 ? (['ours', 'naive'] as const) : (['naive', 'ours'] as const)) {
        const result = await coldRun(variant === 'ours' ? BUNDLE : NAIVE, await event(), env);
        if (result.outcome.startsWith('error')) throw new Error(`${variant} ${step} failed cold: ${result.outcome}`);
        results[variant].push(result);
      }
    }
    const summary = (list: Cold[]) => ({
      importMs: median(list.map((r) => r.importMs)),
      totalMs: median(list.map((r) => r.totalMs)),
      wallMs: median(list.map((r) => r.wallMs)),
      rssMb: Math.max(...list.map((r) => r.maxRssKb)) / 1024,
      loaded: [...new Set(list.map((r) => r.momentoLoaded))].join('/'),
    });
    const [o, n] = [summary(results.ours), summary(results.naive)];
    rows.push([label, 'ours', o.importMs.toFixed(0), o.totalMs.toFixed(0), o.wallMs.toFixed(0), o.rssMb.toFixed(0), o.loaded]);
    rows.push(['', 'naive', n.importMs.toFixed(0), n.totalMs.toFixed(0), n.wallMs.toFixed(0), n.rssMb.toFixed(0), n.loaded]);
    rows.push(['', 'ratio', (o.importMs / n.importMs).toFixed(2), (o.totalMs / n.totalMs).toFixed(2), (o.wallMs / n.wallMs).toFixed(2), (o.rssMb / n.rssMb).toFixed(2), '']);
    peaks.push({ what: `${label} that succeeds`, rssMb: o.rssMb });
    const ratioBudget =
      step === 'setSecret' || step === 'finishSecret'
        ? budgets.coldRatioSetAndFinishSecret
        : step === 'createSecret'
          ? budgets.coldRatioCreateSecret
          : undefined;
    if (ratioBudget !== undefined && o.totalMs / n.totalMs > ratioBudget) {
      violations.push(`cold ${label} takes ${(o.totalMs / n.totalMs).toFixed(2)}x the naive bundle's import + step, over its budget of ${ratioBudget}x`);
    }
    // A v2 createSecret mints over HTTP: only v1's refresh and the test call Momento's SDK.
    const needsMomento = (step === 'createSecret' && !v2) || step === 'testSecret';
    if (results.ours.some((r) => r.momentoLoaded !== needsMomento)) {
      violations.push(`${label} ${needsMomento ? 'did not load' : 'loaded'} the Momento SDK`);
    }
  }
  stack.momento.keyApiRatePerSecond = keyApiRate;
  // The keys those cold v2 createSecrets minted (and their console keys) would lengthen every
  // later GET /api-keys: the account starts the next sections empty.
  stack.momento.revokeAllV2Keys();
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows) console.log(`  ${row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')}`);

  // The worst case for memory: steps that fail cold. Their error's stack trace is the first,
  // so with --enable-source-maps Node parses the source maps of the code it passes through.
  {
    const failing: { what: string; event: () => Promise<Record<string, unknown>>; env?: Record<string, string> }[] = [
      {
        what: 'createSecret whose refresh Momento rejects',
        event: async () => {
          const key = stack.momento.issueKey();
          const arn = await stack.createSecret(`momento/bench-reject-${Math.random().toString(36).slice(2, 10)}`, JSON.stringify({ ...key, refreshToken: 'bm90IGEgcmVmcmVzaCB0b2tlbg==' }));
          return { Step: 'createSecret', SecretId: arn, ClientRequestToken: await stack.service.startRotation(arn) };
        },
      },
      {
        what: 'createSecret whose secret is not JSON',
        event: async () => {
          const arn = await stack.createSecret(`momento/bench-notjson-${Math.random().toString(36).slice(2, 10)}`, 'not json');
          return { Step: 'createSecret', SecretId: arn, ClientRequestToken: await stack.service.startRotation(arn) };
        },
      },
    ];
    for (const { what, event } of failing) {
      const list: Cold[] = [];
      for (let i = 0; i < RUNS; i++) {
        const result = await coldRun(BUNDLE, await event());
        if (!result.outcome.startsWith('error')) throw new Error(`${what}: expected a failure, got ${result.outcome}`);
        list.push(result);
      }
      const rssMb = Math.max(...list.map((r) => r.maxRssKb)) / 1024;
      peaks.push({ what, rssMb });
      console.log(`  ${what} (fails, as it should: ${list[0]!.outcome}): import+step ${median(list.map((r) => r.totalMs)).toFixed(0)} ms, peak RSS ${rssMb.toFixed(0)} MB`);
    }
  }

  // v2: finishSecret promotes and revokes through the key API (fetch), still without the Momento SDK.
  {
    stack.momento.keyApiRatePerSecond = 0; // as for the warm counts: this measures the function, not 429 back-off
    const management = await stack.storeManagementKey('momento/bench-cold-management');
    const v2Cold: Cold[] = [];
    for (let i = 0; i < RUNS; i++) {
      const { arn } = await stack.storeV2Key(`momento/bench-cold-v2-${i}`);
      const warm = stack.newContainer({ managementSecretId: management.arn });
      await stack.service.rotate(arn, warm); // so that the cold finishSecret has a key to revoke
      const token = await stack.service.startRotation(arn);
      for (const Step of ['createSecret', 'setSecret', 'testSecret']) await warm({ Step, SecretId: arn, ClientRequestToken: token });
      const started = performance.now();
      const { stdout } = await run(process.execPath, ['bench/cold-step.mjs', BUNDLE, JSON.stringify({ Step: 'finishSecret', SecretId: arn, ClientRequestToken: token })], {
        env: { ...coldEnv, MOMENTO_MANAGEMENT_SECRET_ARN: management.arn },
      });
      const result = { ...(JSON.parse(stdout.trim().split('\n').at(-1)!) as Omit<Cold, 'wallMs'>), wallMs: performance.now() - started };
      if (result.outcome !== 'promoted') throw new Error(`cold v2 finishSecret: ${result.outcome}`);
      v2Cold.push(result);
    }
    console.log(
      `  v2 finishSecret (promote, list, revoke) ours: import+step ${median(v2Cold.map((r) => r.totalMs)).toFixed(0)} ms, ` +
        `peak RSS ${(Math.max(...v2Cold.map((r) => r.maxRssKb)) / 1024).toFixed(0)} MB, Momento SDK loaded ${[...new Set(v2Cold.map((r) => r.momentoLoaded))].join('/')}`,
    );
    if (v2Cold.some((r) => r.momentoLoaded)) violations.push('v2 finishSecret loaded the Momento SDK');
    peaks.push({ what: 'v2 finishSecret', rssMb: Math.max(...v2Cold.map((r) => r.maxRssKb)) / 1024 });
  }

  // ---- peak memory against the template's MemorySize -------------------------------------------
  {
    const worst = peaks.reduce((a, b) => (b.rssMb > a.rssMb ? b : a));
    const limit = MEMORY_MB * budgets.peakRssShareOfMemory;
    console.log(
      `\nPeak RSS of any cold step: ${worst.rssMb.toFixed(0)} MB (${worst.what}), ${((100 * worst.rssMb) / MEMORY_MB).toFixed(0)}% of the template's ${MEMORY_MB} MB (budget ${(100 * budgets.peakRssShareOfMemory).toFixed(0)}%, ${limit.toFixed(0)} MB)`,
    );
    if (worst.rssMb > limit) violations.push(`peak RSS ${worst.rssMb.toFixed(0)} MB (${worst.what}) is over ${(100 * budgets.peakRssShareOfMemory).toFixed(0)}% of MemorySize ${MEMORY_MB} MB`);
    stack.momento.keyApiRatePerSecond = 5;
  }

  // ---- 3. one full warm rotation ------------------------------------------------------------
  const { arn } = await stack.storeConsoleKey('momento/bench-warm');
  const container = stack.newContainer();
  await stack.service.rotate(arn, container); // warms the container
  const times: number[] = [];
  const smBefore = { ...stack.proxy.counts };
  const momentoBefore = { ...stack.momento.calls };
  for (let i = 0; i < WARM_ROTATIONS; i++) {
    const started = performance.now();
    await stack.service.rotate(arn, container);
    times.push(performance.now() - started);
  }
  const perRotation = (after: Record<string, number>, before: Record<string, number>) =>
    Object.fromEntries(Object.entries(after).map(([op, n]) => [op, (n - (before[op] ?? 0)) / WARM_ROTATIONS]).filter(([, n]) => (n as number) > 0));
  const sm = perRotation(stack.proxy.counts, smBefore);
  const momento = perRotation(stack.momento.calls, momentoBefore);
  const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);
  console.log(`\nWarm rotation (four steps, one container, median of ${WARM_ROTATIONS}): ${median(times).toFixed(0)} ms, including the service's own RotateSecret and clean-up`);
  console.log(`  Secrets Manager calls by the function: ${total(sm)} (${Object.entries(sm).map(([k, v]) => `${k} ${v}`).join(', ')}); AWS's rotation template makes 10`);
  console.log(`  Momento calls: ${total(momento)} (${Object.entries(momento).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  if (total(sm) > budgets.secretsManagerCallsPerRotation) violations.push(`${total(sm)} Secrets Manager calls per rotation, over the budget of ${budgets.secretsManagerCallsPerRotation}`);
  if (total(momento) > budgets.momentoCallsPerRotation) violations.push(`${total(momento)} Momento calls per rotation, over the budget of ${budgets.momentoCallsPerRotation}`);

  // ---- 4. v2 keys: key-API calls per rotation, and a burst against the account's rate limit ----------
  const management = await stack.storeManagementKey('momento/bench-management');
  const v2 = await stack.storeV2Key('momento/bench-v2');
  const v2Container = stack.newContainer({ managementSecretId: management.arn });
  await stack.service.rotate(v2.arn, v2Container); // warms the container; the console key becomes AWSPREVIOUS
  // Counted with the rate limit off: a 429 is a failure, and this is the count when nothing fails.
  const rate = stack.momento.keyApiRatePerSecond;
  stack.momento.keyApiRatePerSecond = 0;
  const keyApiBefore = { ...stack.momento.keyApiCalls };
  const smV2Before = { ...stack.proxy.counts };
  const v2Times: number[] = [];
  for (let i = 0; i < WARM_ROTATIONS; i++) {
    const started = performance.now();
    await stack.service.rotate(v2.arn, v2Container);
    v2Times.push(performance.now() - started);
  }
  const keyApi = perRotation(stack.momento.keyApiCalls, keyApiBefore);
  stack.momento.keyApiRatePerSecond = rate;
  const smV2 = perRotation(stack.proxy.counts, smV2Before);
  console.log(`
Warm v2 rotation (mint, test, promote, revoke; median of ${WARM_ROTATIONS}): ${median(v2Times).toFixed(0)} ms`);
  console.log(`  Key-management API calls: ${total(keyApi)} (${Object.entries(keyApi).map(([k, v]) => `${k} ${v}`).join(', ')}); budget ${budgets.keyApiCallsPerV2Rotation}`);
  console.log(`  Secrets Manager calls by the function: ${total(smV2)} (${Object.entries(smV2).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  if (total(keyApi) > budgets.keyApiCallsPerV2Rotation) violations.push(`${total(keyApi)} key-API calls per v2 rotation, over the budget of ${budgets.keyApiCallsPerV2Rotation}`);

  const BURST = 20;
  const secrets = await Promise.all(Array.from({ length: BURST }, (_, i) => stack.storeV2Key(`momento/bench-burst-${i}`)));
  // Each secret's first rotation keeps its console key as AWSPREVIOUS; the burst is every secret's second, so each one mints, lists and revokes.
  for (const secret of secrets) await stack.service.rotate(secret.arn, v2Container);
  stack.momento.bucketReset();
  const throttledBefore = stack.momento.keyApiThrottled;
  const burstCallsBefore = { ...stack.momento.keyApiCalls };
  const burstStarted = performance.now();
  const outcomes = await Promise.allSettled(secrets.map((secret) => stack.service.rotate(secret.arn, stack.newContainer({ managementSecretId: management.arn }))));
  const burstMs = performance.now() - burstStarted;
  const completed = outcomes.filter((o) => o.status === 'fulfilled');
  const retriedRotations = completed.filter((o) => (o as PromiseFulfilledResult<{ attempts: number }>).value.attempts > 1).length;
  const burstCalls = Object.entries(stack.momento.keyApiCalls).reduce((n, [route, count]) => n + count - (burstCallsBefore[route as keyof typeof burstCallsBefore] ?? 0), 0);
  const stillValid = stack.momento.liveV2Keys().filter((k) => k.lineage === management.key.lineage && k.keyId !== management.key.keyId).length;
  console.log(`
Burst: ${BURST} v2 secrets rotating at once, one account limited to ${stack.momento.keyApiRatePerSecond} key operations per second`);
  console.log(`  completed ${completed.length}/${BURST} in ${(burstMs / 1000).toFixed(1)} s wall time; ${burstCalls} key-API requests answered, ${stack.momento.keyApiThrottled - throttledBefore} of them 429; ${retriedRotations} rotation(s) needed the service's retry`);
  console.log(`  keys still valid afterwards: ${stillValid} (2 per secret: AWSCURRENT and AWSPREVIOUS, plus the warm-up secret's 2)`);
  if (completed.length < BURST) violations.push(`only ${completed.length} of ${BURST} v2 rotations completed in the burst`);
  if (stillValid !== 2 * BURST + 2) violations.push(`${stillValid} keys still valid after the burst, expected ${2 * BURST + 2}`);
} finally {
  await stack.stop();
}

// ---- 5. status --all over a fleet: AWS calls against their budget ------------------------------
violations.push(...(await (await import('./status-all.js')).benchStatusAll({ short })));

console.log('');
if (violations.length > 0) {
  for (const v of violations) console.log(`BUDGET BROKEN: ${v}`);
  process.exit(1);
}
console.log('Budgets hold: artifact size, cold-start ratios, peak RSS within MemorySize, calls per rotation, Momento loaded only by createSecret and testSecret, and status --all\'s AWS calls.');
