/** In-process plan and apply against the emulator, for integration tests. */
import { createClients, destroyClients, type AwsClients } from '../../src/aws/clients';
import { executePlan, type ApplyOutcome } from '../../src/apply/execute';
import type { RetryPolicy } from '../../src/apply/retry';
import type { Config } from '../../src/config/load';
import { buildPlan, type PlanOptions, type PlanResult } from '../../src/plan/build';

export const NOW = new Date('2026-12-01T00:00:00Z');

/** Retries without real waiting: propagation errors do not happen on the emulator anyway. */
export const instantRetry: RetryPolicy = { deadlineMs: 1000, baseDelayMs: 1, maxDelayMs: 1, now: () => Date.now(), sleep: () => Promise.resolve() };

export function clients(): AwsClients {
  return createClients({ region: 'eu-west-2' });
}

export async function plan(config: Config, opts: Partial<PlanOptions> = {}): Promise<PlanResult> {
  const aws = opts.clients ?? clients();
  try {
    return await buildPlan({ config, clients: aws, now: NOW, ...opts });
  } finally {
    if (!opts.clients) destroyClients(aws);
  }
}

export async function apply(config: Config, opts: { allowDestroyData?: boolean; clients?: AwsClients; scope?: string[] } = {}): Promise<ApplyOutcome> {
  const aws = opts.clients ?? clients();
  try {
    const result = await buildPlan({ config, clients: aws, now: NOW, ...(opts.scope ? { scope: opts.scope } : {}), allowDestroyData: opts.allowDestroyData ?? false });
    const outcome = await executePlan({ result, ctx: { config, clients: aws, retry: instantRetry, allowDestroyData: opts.allowDestroyData ?? false } });
    if (outcome.failed > 0) throw new Error(`apply failed: ${JSON.stringify(outcome.events.filter((e) => e.status === 'failed'))}`);
    return outcome;
  } finally {
    if (!opts.clients) destroyClients(aws);
  }
}

export function withoutTenant(config: Config, name: string): Config {
  return { ...config, tenants: config.tenants.filter((t) => t.tenant.name !== name) };
}
