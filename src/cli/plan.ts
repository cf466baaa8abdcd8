import { writeFile } from 'node:fs/promises';
import { CallCounter, createClients, destroyClients } from '../aws/clients';
import { buildPlan, type PlanResult } from '../plan/build';
import type { Plan } from '../plan/types';
import { renderJson } from '../render/json';
import { renderMarkdown } from '../render/markdown';
import { renderText } from '../render/text';
import { UsageError } from '../errors';
import type { Io } from './io';
import { loadValidConfig, type ConfigOptions } from './validate';

export interface PlanCommandOptions extends ConfigOptions {
  format?: string;
  out?: string;
  detailedExitcode?: boolean;
  tenant?: string[];
  verbose?: boolean;
  allowDestroyData?: boolean;
  allowIsolationFailure?: boolean;
}

export function renderPlan(plan: Plan, format: string, io: Io): string {
  switch (format) {
    case 'text':
      return renderText(plan, { color: io.isTTY && !io.env.NO_COLOR });
    case 'markdown':
      return renderMarkdown(plan);
    case 'json':
      return renderJson(plan);
    default:
      throw new UsageError(`unknown --format ${format}; use text, markdown or json`);
  }
}

/** Loads the configuration, reads live AWS and plans. Shared by plan and apply. */
export async function makePlan(opts: PlanCommandOptions, io: Io): Promise<PlanResult & { counter: CallCounter }> {
  const { config } = await loadValidConfig(opts, io);
  const counter = new CallCounter();
  const clients = createClients({ region: config.platform.region, env: io.env, counter });
  try {
    const result = await buildPlan({
      config,
      clients,
      now: io.now(),
      ...(opts.tenant && opts.tenant.length > 0 ? { scope: opts.tenant } : {}),
      allowDestroyData: opts.allowDestroyData === true,
      counter,
    });
    return { ...result, counter };
  } finally {
    destroyClients(clients);
  }
}

export function hasChanges(plan: Plan): boolean {
  return plan.changes.length > 0 || plan.findings.some((f) => f.kind === 'unmanaged-identity');
}

export async function planCommand(opts: PlanCommandOptions, io: Io): Promise<number> {
  const format = opts.format ?? 'text';
  if (!['text', 'markdown', 'json'].includes(format)) throw new UsageError(`unknown --format ${format}; use text, markdown or json`);
  const { plan, counter } = await makePlan(opts, io);
  io.stdout(renderPlan(plan, format, io));
  if (opts.out) await writeFile(opts.out, renderJson(plan));
  if (opts.verbose) {
    const per = plan.tenants.length > 0 ? ` (${(counter.total / plan.tenants.length).toFixed(1)} per tenant)` : '';
    io.stderr(`AWS calls: ${counter.total}${per}\n`);
    for (const [op, n] of Object.entries(counter.byOperation())) io.stderr(`  ${op}: ${n}\n`);
  }
  if (plan.isolation.after.failingPairs.length > 0 && !opts.allowIsolationFailure) {
    io.stderr(`error: isolation is not proven after apply for ${plan.isolation.after.failingPairs.length} pair(s); see above (--allow-isolation-failure to plan anyway)\n`);
    return 1;
  }
  if (opts.detailedExitcode) return hasChanges(plan) ? 2 : 0;
  return 0;
}
