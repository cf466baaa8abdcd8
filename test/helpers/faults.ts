/**
 * Fault injection through SDK middleware (as the apply issue prescribes): the calls still go to the
 * emulator unless a fault is injected for them.
 */
import type { AwsClients } from '../../src/aws/clients';

type Stack = { middlewareStack: { add: (mw: unknown, opts: unknown) => void } };

function eachClient(clients: AwsClients): Array<[string, Stack]> {
  return Object.entries(clients);
}

const READS = /^(Get|List|Describe|Head|BatchGet)/;

/** Every call after the first `n` writes fails, as if the process had been killed there. */
export function crashAfterWrites(clients: AwsClients, n: number): { writes: () => number } {
  let writes = 0;
  for (const [, client] of eachClient(clients)) {
    client.middlewareStack.add(
      (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => {
        const op = String(context.commandName ?? '').replace(/Command$/, '');
        if (!READS.test(op)) {
          if (writes >= n) return Promise.reject(Object.assign(new Error(`injected crash before ${op}`), { name: 'InjectedCrash' }));
          writes++;
        }
        return next(args);
      },
      { step: 'initialize', name: 'injectedCrash' },
    );
  }
  return { writes: () => writes };
}

/**
 * The first attempt of every `every`-th request fails with a throttling or a transient 503 error,
 * below the SDK's retry middleware, so the standard retry strategy sees and retries it.
 */
export function flakyCalls(clients: AwsClients, every: number): { injected: () => number } {
  let requests = 0;
  let injected = 0;
  const attempts = new WeakMap<object, number>();
  for (const [, client] of eachClient(clients)) {
    client.middlewareStack.add(
      (next: (a: unknown) => Promise<unknown>, context: object) => (args: unknown) => {
        const attempt = (attempts.get(context) ?? 0) + 1;
        attempts.set(context, attempt);
        if (attempt === 1) requests++;
        if (attempt === 1 && requests % every === 0) {
          injected++;
          const throttle = injected % 2 === 0;
          const err = Object.assign(new Error(throttle ? 'Rate exceeded (injected)' : 'Service unavailable (injected)'), {
            name: throttle ? 'ThrottlingException' : 'ServiceUnavailable',
            $fault: throttle ? 'client' : 'server',
            $metadata: { httpStatusCode: throttle ? 400 : 503 },
            $retryable: throttle ? { throttling: true } : {},
          });
          return Promise.reject(err);
        }
        return next(args);
      },
      { step: 'deserialize', name: 'injectedFlakiness' },
    );
  }
  return { injected: () => injected };
}
