// One cold start: a fresh process imports a handler bundle and runs one event.
// Usage: node bench/cold-step.mjs BUNDLE EVENT_JSON. Prints one JSON line of figures.
import { subscribe } from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

let momentoLoaded = false;
subscribe('momento-secret-rotation:momento-sdk-loaded', () => (momentoLoaded = true));

const started = performance.now();
const { handler } = await import(pathToFileURL(process.argv[2]).href);
const imported = performance.now();
let outcome;
try {
  outcome = (await handler(JSON.parse(process.argv[3]), { getRemainingTimeInMillis: () => 120_000 }))?.outcome;
} catch (error) {
  outcome = `error: ${error.name}`;
}
const done = performance.now();
process.stdout.write(
  `${JSON.stringify({ importMs: imported - started, totalMs: done - started, maxRssKb: process.resourceUsage().maxRSS, momentoLoaded, outcome })}\n`,
);
process.exit(0); // gRPC channels may linger; a Lambda would be frozen here
