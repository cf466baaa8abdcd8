/**
 * Retries of the specific errors that eventual consistency causes (a new role not yet usable, a
 * policy naming a principal that has not propagated), with exponential backoff and a deadline.
 * Everything else fails at once. The clock and sleep are injected so tests need not wait.
 */
export interface RetryPolicy {
  deadlineMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export const defaultRetryPolicy = (): RetryPolicy => ({
  deadlineMs: 120_000,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
});

/** Errors AWS returns while a just-created IAM role is not yet visible to other services. */
export function isPropagationError(err: unknown): boolean {
  const e = err as { name?: string; message?: string };
  const message = e.message ?? '';
  if (e.name === 'MalformedPolicyDocumentException') return true; // KMS: key policy names an unknown principal
  if (e.name === 'MalformedPolicy' && /principal/i.test(message)) return true; // S3: bucket policy principal
  if (e.name === 'InvalidParameterValueException' && /role/i.test(message)) return true;
  return false;
}

export async function withPropagationRetry<T>(policy: RetryPolicy, fn: () => Promise<T>): Promise<T> {
  const start = policy.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isPropagationError(err)) throw err;
      // Full jitter keeps concurrent tenants from retrying in lock-step.
      const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt) * (0.5 + Math.random() / 2);
      if (policy.now() - start + delay > policy.deadlineMs) throw err;
      await policy.sleep(delay);
    }
  }
}
