import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { leakedSecrets } from './secrets.js';

/**
 * Captures everything written to stdout and stderr during each test (Powertools
 * writes there, and so would a stray console.log or an SDK) and, after each test,
 * fails it if any issued secret appears in that output.
 */
const originals = { out: process.stdout.write, err: process.stderr.write };

/** Sends stdout and stderr into `chunks` until `release` is called. */
function capture(chunks: string[]): void {
  const write = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = write;
  process.stderr.write = write;
}

function releaseAndCheck(chunks: string[]): void {
  process.stdout.write = originals.out;
  process.stderr.write = originals.err;
  expect(leakedSecrets(chunks.join('')), 'secrets found in captured log output').toEqual([]);
}

export function captureOutputAndCheckForLeaks(): { lines: () => string[]; text: () => string } {
  let chunks: string[] = [];
  beforeEach(() => {
    chunks = [];
    capture(chunks);
  });
  afterEach(() => releaseAndCheck(chunks));
  const text = () => chunks.join('');
  return {
    text,
    lines: () => text().split('\n').filter((l) => l.trim() !== ''),
  };
}

/**
 * The same check once per file, for files whose tests run concurrently: all output of
 * the file is captured, and checked for secrets when the file is done.
 */
export function captureFileOutputAndCheckForLeaks(): { text: () => string; print: (line: string) => void } {
  const chunks: string[] = [];
  beforeAll(() => capture(chunks));
  afterAll(() => releaseAndCheck(chunks));
  return {
    text: () => chunks.join(''),
    /** Writes past the capture, to the real stdout. */
    print: (line: string) => void originals.out.call(process.stdout, `${line}\n`),
  };
}

/** Awaits a promise expected to reject, checks the error's class, and that its text carries no secret. */
export async function expectFailure<E extends Error>(
  promise: Promise<unknown>,
  errorClass: abstract new (...args: never[]) => E,
): Promise<E> {
  const error = await promise.then(
    () => {
      throw new Error(`expected ${errorClass.name}, but the call succeeded`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(errorClass);
  const e = error as E;
  const text = [e.message, e.stack ?? '', String((e as { cause?: unknown }).cause ?? '')].join('\n');
  expect(leakedSecrets(text), `secrets in ${errorClass.name}`).toEqual([]);
  return e;
}
