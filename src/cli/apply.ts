import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { createClients, destroyClients, CallCounter } from '../aws/clients';
import { acquireLock, breakLock } from '../apply/lock';
import { defaultRetryPolicy } from '../apply/retry';
import { executePlan, type ApplyEvent } from '../apply/execute';
import { buildPlan, configHash, type PlanResult } from '../plan/build';
import { PLAN_FORMAT_VERSION, type Plan } from '../plan/types';
import { renderText } from '../render/text';
import { IsolationError, StalePlanError, UsageError } from '../errors';
import type { Io } from './io';
import { hasChanges } from './plan';
import { loadValidConfig, type ConfigOptions } from './validate';

export interface ApplyCommandOptions extends ConfigOptions {
  autoApprove?: boolean;
  json?: boolean;
  tenant?: string[];
  allowDestroyData?: boolean;
  lockTimeout?: string;
  allowIsolationFailure?: boolean;
}

/** Why a saved plan cannot be applied as reviewed, or undefined when it still holds. */
export function staleness(saved: Plan, current: Plan): string[] {
  const reasons: string[] = [];
  if (saved.config_hash !== current.config_hash) reasons.push('the configuration changed since the plan was made');
  const now = new Map(current.changes.map((c) => [c.address, c]));
  for (const c of saved.changes) {
    const n = now.get(c.address);
    if (!n) reasons.push(`${c.address}: the planned ${c.action} is no longer needed (live state changed)`);
    else if (n.action !== c.action) reasons.push(`${c.address}: planned ${c.action}, now ${n.action}`);
    else if (n.liveFingerprint !== c.liveFingerprint) reasons.push(`${c.address}: live state changed since the plan`);
    else if (Boolean(n.blocked) !== Boolean(c.blocked)) reasons.push(`${c.address}: blocked status changed`);
  }
  const planned = new Set(saved.changes.map((c) => c.address));
  for (const c of current.changes) if (!planned.has(c.address)) reasons.push(`${c.address}: a ${c.action} that the plan did not show`);
  return reasons;
}

async function readSavedPlan(file: string): Promise<Plan> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read plan ${file}: ${(err as Error).message}`);
  }
  const plan = data as Plan;
  if (plan?.format_version !== PLAN_FORMAT_VERSION || !Array.isArray(plan.changes)) {
    throw new UsageError(`${file} is not an sftp-tenants plan of format_version ${PLAN_FORMAT_VERSION}`);
  }
  return plan;
}

async function confirm(io: Io): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question('\nDo you want to apply these changes? Only "yes" is accepted: ');
    return answer.trim() === 'yes';
  } finally {
    rl.close();
    void io;
  }
}

function eventLine(e: ApplyEvent, index: number, total: number): string {
  const symbol = { create: '+', update: '~', delete: '-' }[e.action];
  const verb = { create: 'created', update: 'updated', delete: 'deleted' }[e.action];
  const detail = e.attributes && e.attributes.length > 0 ? ` (${e.attributes.join(', ')})` : '';
  return e.status === 'done' ? `[${index}/${total}] ${symbol} ${e.address}: ${verb}${detail}` : `[${index}/${total}] ! ${e.address}: FAILED: ${e.error ?? ''}`;
}

export async function applyCommand(planFile: string | undefined, opts: ApplyCommandOptions, io: Io): Promise<number> {
  const { config } = await loadValidConfig(opts, io);
  const saved = planFile ? await readSavedPlan(planFile) : undefined;
  if (saved && saved.config_hash !== configHash(config)) {
    throw new StalePlanError(`plan ${planFile} was made from a different configuration (config hash differs); make a new plan`);
  }
  const counter = new CallCounter();
  const clients = createClients({ region: config.platform.region, env: io.env, counter });
  const lockWaitMs = Number(opts.lockTimeout ?? 60) * 1000;
  try {
    const lock = await acquireLock(clients, config.platform, {
      waitMs: lockWaitMs,
      pollMs: 2000,
      now: () => Date.now(),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      command: planFile ? `apply ${planFile}` : 'apply',
    });
    try {
      const scope = saved?.scope ?? (opts.tenant && opts.tenant.length > 0 ? opts.tenant : undefined);
      const result: PlanResult = await buildPlan({
        config,
        clients,
        now: io.now(),
        ...(scope ? { scope } : {}),
        allowDestroyData: opts.allowDestroyData === true,
      });
      if (saved) {
        const reasons = staleness(saved, result.plan);
        if (reasons.length > 0) throw new StalePlanError(`plan ${planFile} is stale; nothing was applied:\n  ${reasons.join('\n  ')}\nMake a new plan.`);
      } else if (!opts.json) {
        io.stderr(renderText(result.plan, { color: io.isTTY && !io.env.NO_COLOR }));
      }
      const failing = result.plan.isolation.after.failingPairs.length;
      if (failing > 0 && !opts.allowIsolationFailure) {
        throw new IsolationError(`isolation would not be proven after this apply (${failing} pair(s)); nothing was applied. Fix the configuration, or pass --allow-isolation-failure`);
      }
      if (!hasChanges(result.plan) || result.plan.changes.every((c) => c.blocked)) {
        if (opts.json) io.stdout(`${JSON.stringify({ applied: [], summary: { created: 0, updated: 0, deleted: 0, failed: 0, blocked: result.plan.summary.blocked } })}\n`);
        else io.stdout(result.plan.changes.length === 0 ? 'No changes to apply.\n' : 'Nothing to apply: every change is blocked.\n');
        return 0;
      }
      if (!saved && !opts.autoApprove) {
        if (!io.isTTY) throw new UsageError('apply needs --auto-approve when not run at a terminal (or apply a reviewed plan file)');
        if (!(await confirm(io))) {
          io.stdout('Apply cancelled.\n');
          return 1;
        }
      }
      const total = result.plan.changes.filter((c) => !c.blocked).length;
      let index = 0;
      const outcome = await executePlan({
        result,
        ctx: { config, clients, retry: defaultRetryPolicy(), allowDestroyData: opts.allowDestroyData === true },
        onEvent: (e) => {
          index++;
          if (!opts.json) io.stdout(`${eventLine(e, index, total)}\n`);
        },
      });
      const summary = { created: outcome.created, updated: outcome.updated, deleted: outcome.deleted, failed: outcome.failed, blocked: outcome.blocked.length };
      if (opts.json) {
        io.stdout(`${JSON.stringify({ applied: outcome.events, blocked: outcome.blocked.map((c) => ({ address: c.address, reason: c.blocked })), summary, aws_calls: counter.total }, null, 2)}\n`);
      } else {
        for (const c of outcome.blocked) io.stdout(`blocked, not attempted: ${c.address}: ${c.blocked}\n`);
        io.stdout(`Apply ${outcome.failed > 0 ? 'incomplete' : 'complete'}: ${summary.created} created, ${summary.updated} updated, ${summary.deleted} deleted, ${summary.failed} failed, ${summary.blocked} blocked.\n`);
      }
      return outcome.failed > 0 ? 1 : 0;
    } finally {
      await lock.release();
    }
  } finally {
    destroyClients(clients);
  }
}

export async function unlockCommand(opts: ConfigOptions, io: Io): Promise<number> {
  const { config } = await loadValidConfig(opts, io);
  const clients = createClients({ region: config.platform.region, env: io.env });
  try {
    const held = await breakLock(clients, config.platform);
    io.stdout(held ? `Broke the lock held by ${held.holder} since ${held.acquiredAt} ("${held.command}").\n` : 'No lock was held.\n');
    return 0;
  } finally {
    destroyClients(clients);
  }
}
