import { afterEach, beforeEach, expect } from 'vitest';
import { leakedSecrets } from './secrets.js';

/**
 * Captures everything written to stdout and stderr during each test (Powertools
 * writes there, and so would a stray console.log or an SDK) and, after each test,
 * fails it if any issued secret appears in that output.
 */
export function captureOutputAndCheckForLeaks(): { lines: () => string[]; text: () => string } {
  let chunks: string[] = [];
  const originals = { out: process.stdout.write, err: process.stderr.write };
  beforeEach(() => {
    chunks = [];
    const capture = ((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof process.stdout.write;
    process.stdout.write = capture;
    process.stderr.write = capture;
  });
  afterEach(() => {
    process.stdout.write = originals.out;
    process.stderr.write = originals.err;
    expect(leakedSecrets(chunks.join('')), 'secrets found in captured log output').toEqual([]);
  });
  const text = () => chunks.join('');
  return {
    text,
    lines: () => text().split('\n').filter((l) => l.trim() !== ''),
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
