import { withPropagationRetry, type RetryPolicy } from '../src/apply/retry';

function fakeClock(): RetryPolicy & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    deadlineMs: 10_000,
    baseDelayMs: 500,
    maxDelayMs: 4_000,
    now: () => t,
    sleep: (ms) => {
      slept.push(ms);
      t += ms;
      return Promise.resolve();
    },
    slept,
  };
}

const propagation = () => Object.assign(new Error('Policy contains a statement with one or more invalid principals.'), { name: 'MalformedPolicyDocumentException' });

describe('retries for eventual consistency', () => {
  it('retries a not-yet-propagated principal with growing delays until it succeeds', async () => {
    const clock = fakeClock();
    let calls = 0;
    const result = await withPropagationRetry(clock, () => (++calls < 4 ? Promise.reject(propagation()) : Promise.resolve('ok')));
    expect(result).toBe('ok');
    expect(calls).toBe(4);
    expect(clock.slept).toHaveLength(3);
    expect(clock.slept[2]!).toBeGreaterThan(clock.slept[0]!);
  });

  it('gives up at the deadline with the last error', async () => {
    const clock = fakeClock();
    await expect(withPropagationRetry(clock, () => Promise.reject(propagation()))).rejects.toThrow('invalid principals');
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(10_000);
  });

  it('does not retry other errors', async () => {
    const clock = fakeClock();
    let calls = 0;
    await expect(
      withPropagationRetry(clock, () => {
        calls++;
        return Promise.reject(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
      }),
    ).rejects.toThrow('no');
    expect(calls).toBe(1);
  });
});
