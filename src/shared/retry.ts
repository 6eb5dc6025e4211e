export interface RetryOptions {
  /** Attempts at most, the first included. */
  readonly maxAttempts: number;
  /** First pause; doubles after each failure, with jitter. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Epoch ms after which no new attempt starts. */
  readonly deadline: number;
  /** False for errors that repeating cannot fix. */
  readonly isRetryable: (error: unknown) => boolean;
  readonly onRetry?: (attempt: number, error: unknown, delayMs: number) => void;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export class RetriesExhausted extends Error {
  constructor(
    readonly attempts: number,
    readonly lastError: unknown,
  ) {
    super(`gave up after ${attempts} attempt(s)`, { cause: lastError });
    this.name = 'RetriesExhausted';
  }
}

/** Runs `operation` until it succeeds, a final error, `maxAttempts`, or the deadline. */
export async function withRetries<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!options.isRetryable(error) || attempt >= options.maxAttempts) throw new RetriesExhausted(attempt, error);
      const backoff = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      const delay = Math.round(backoff / 2 + Math.random() * (backoff / 2));
      if (now() + delay >= options.deadline) throw new RetriesExhausted(attempt, error);
      options.onRetry?.(attempt, error, delay);
      await sleep(delay);
    }
  }
}
