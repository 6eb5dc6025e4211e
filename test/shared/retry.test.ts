import { afterEach, describe, expect, it, vi } from 'vitest';
import { RetriesExhausted, withRetries } from '../../src/shared/retry.js';

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

describe('withRetries, exactly', () => {
  afterEach(() => vi.restoreAllMocks());
  const options = (t: ReturnType<typeof simulated>, deadline = 1_000_000) => ({
    maxAttempts: 5,
    baseDelayMs: 100,
    maxDelayMs: 1_000,
    deadline,
    isRetryable: () => true,
    now: t.now,
    sleep: t.sleep,
  });

  it('pauses between half and all of the backoff: jitter at its extremes', async () => {
    const low = simulated();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    await withRetries(failing(3).op, options(low));
    expect(low.clock.sleeps).toEqual([50, 100, 200]);
    const high = simulated();
    vi.spyOn(Math, 'random').mockReturnValue(1);
    await withRetries(failing(3).op, options(high));
    expect(high.clock.sleeps).toEqual([100, 200, 400]);
  });

  it('starts no attempt that would begin at the deadline itself', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const atDeadline = simulated();
    const f = failing(1);
    await expect(withRetries(f.op, options(atDeadline, 100))).rejects.toBeInstanceOf(RetriesExhausted);
    expect(f.calls()).toBe(1);
    const justBefore = simulated();
    await expect(withRetries(failing(1).op, options(justBefore, 101))).resolves.toBe('done');
  });

  it('gives up with RetriesExhausted: its name, the attempts made, and the last error as cause', async () => {
    const last = new Error('still failing');
    const error = (await withRetries(failing(10, last).op, { ...options(simulated()), maxAttempts: 3 }).catch((e: unknown) => e)) as RetriesExhausted;
    expect(error).toBeInstanceOf(RetriesExhausted);
    expect(error.name).toBe('RetriesExhausted');
    expect(error.message).toBe('gave up after 3 attempt(s)');
    expect(error.attempts).toBe(3);
    expect(error.lastError).toBe(last);
    expect(error.cause).toBe(last);
  });
});
