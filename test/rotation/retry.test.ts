import { describe, expect, it } from 'vitest';
import { RetriesExhausted, withRetries } from '../../src/rotation/retry.js';

function simulated() {
  const clock = { now: 0, sleeps: [] as number[] };
  return {
    clock,
    now: () => clock.now,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.now += ms;
    },
  };
}

function failing(times: number, error: Error = new Error('transient')) {
  let calls = 0;
  const op = async () => {
    calls++;
    if (calls <= times) throw error;
    return 'done';
  };
  return { op, calls: () => calls };
}

describe('withRetries', () => {
  it('returns once the operation succeeds, backing off exponentially between attempts', async () => {
    const t = simulated();
    const f = failing(3);
    const result = await withRetries(f.op, {
      maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 10_000, deadline: 60_000, isRetryable: () => true, now: t.now, sleep: t.sleep,
    });
    expect(result).toBe('done');
    expect(f.calls()).toBe(4);
    // Each pause is between half and all of 100, 200, 400 ms.
    expect(t.clock.sleeps).toHaveLength(3);
    t.clock.sleeps.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(50 * 2 ** i);
      expect(ms).toBeLessThanOrEqual(100 * 2 ** i);
    });
  });

  it('gives up after maxAttempts', async () => {
    const t = simulated();
    const f = failing(10);
    const error = await withRetries(f.op, {
      maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100, deadline: 60_000, isRetryable: () => true, now: t.now, sleep: t.sleep,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhausted);
    expect((error as RetriesExhausted).attempts).toBe(3);
    expect(f.calls()).toBe(3);
  });

  it('does not retry an error that repeating cannot fix', async () => {
    const t = simulated();
    const f = failing(10, Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const error = await withRetries(f.op, {
      maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 100, deadline: 60_000,
      isRetryable: (e) => (e as Error).name !== 'AccessDeniedException', now: t.now, sleep: t.sleep,
    }).then(
      () => expect.fail('expected RetriesExhausted'),
      (e: unknown) => e as RetriesExhausted,
    );
    expect(error.attempts).toBe(1);
    expect((error.lastError as Error).name).toBe('AccessDeniedException');
  });

  it('starts no attempt whose pause would run past the deadline', async () => {
    const t = simulated();
    const f = failing(100);
    const error = await withRetries(f.op, {
      maxAttempts: 100, baseDelayMs: 1_000, maxDelayMs: 1_000, deadline: 2_500, isRetryable: () => true, now: t.now, sleep: t.sleep,
    }).then(
      () => expect.fail('expected RetriesExhausted'),
      (e: unknown) => e as RetriesExhausted,
    );
    expect(t.clock.now).toBeLessThan(2_500);
    expect(error.attempts).toBeGreaterThanOrEqual(2);
    expect(error.attempts).toBeLessThanOrEqual(6);
  });
});
