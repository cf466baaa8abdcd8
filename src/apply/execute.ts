/**
 * Executes a plan: per tenant in dependency order (revocations first, then key, role, key policy,
 * bucket, users, then the deletions of data), tenants concurrently with a bound. A failure stops
 * its tenant, never the others; what succeeded stays succeeded and is reported.
 */
import { AwsError } from '../errors';
import { attributeChanges } from '../plan/diff';
import type { PlanResult } from '../plan/build';
import { mapLimit } from '../plan/concurrency';
import type { Change } from '../plan/types';
import { kindOf } from '../resources/registry';
import type { ApplyContext, DesiredResource, KindName, LiveResource } from '../resources/types';

export interface ApplyEvent {
  address: string;
  action: Change['action'];
  status: 'done' | 'failed';
  /** The attributes written by an update. */
  attributes?: string[];
  error?: string;
}

export interface ApplyOutcome {
  events: ApplyEvent[];
  created: number;
  updated: number;
  deleted: number;
  failed: number;
  blocked: Change[];
}

const REVOKE_FIRST: KindName[] = ['user', 'role'];
const CONVERGE_ORDER: KindName[] = ['key', 'role', 'bucket', 'user'];
const DATA_LAST: KindName[] = ['bucket', 'key'];

function describeError(err: unknown): string {
  const e = err as { name?: string; message?: string; $operation?: string };
  return `${e.$operation ? `${e.$operation}: ` : ''}${e.name ?? 'Error'}: ${e.message ?? String(err)}`;
}

export async function executePlan(opts: {
  result: PlanResult;
  ctx: ApplyContext;
  concurrency?: number;
  onEvent?: (event: ApplyEvent) => void;
}): Promise<ApplyOutcome> {
  const { result, ctx } = opts;
  const runnable = result.plan.changes.filter((c) => !c.blocked);
  const events: ApplyEvent[] = [];
  const emit = (e: ApplyEvent) => {
    events.push(e);
    opts.onEvent?.(e);
  };
  const tenants = [...new Set(runnable.map((c) => c.tenant))];
  const declared = new Map(ctx.config.tenants.map((t) => [t.tenant.name, t.tenant]));

  await mapLimit(tenants, opts.concurrency ?? 4, async (tenantName) => {
    const changes = runnable.filter((c) => c.tenant === tenantName);
    const pick = (kinds: KindName[], actions: Change['action'][]) =>
      kinds.flatMap((k) => changes.filter((c) => c.kind === k && actions.includes(c.action)));
    const run = async (change: Change, fn: () => Promise<string[] | undefined>) => {
      try {
        const attributes = await fn();
        emit({ address: change.address, action: change.action, status: 'done', ...(attributes ? { attributes } : {}) });
      } catch (err) {
        emit({ address: change.address, action: change.action, status: 'failed', error: new AwsError(change.address, change.action, describeError(err)).message });
        throw err;
      }
    };
    try {
      for (const change of pick(REVOKE_FIRST, ['delete'])) {
        await run(change, async () => {
          await kindOf(change.kind).delete(ctx, result.live.get(change.address)!);
          return undefined;
        });
      }

      // Key first: everything else names its ARN.
      let keyArn: string | undefined;
      let keyId: string | undefined;
      let keyPolicyDue = false;
      const keyChange = changes.find((c) => c.kind === 'key' && c.action !== 'delete');
      const liveKey = [...result.live.values()].find((l) => l.tenant === tenantName && l.kind === 'key');
      keyArn = liveKey?.meta.arn as string | undefined;
      keyId = liveKey?.meta.keyId as string | undefined;
      const tenant = declared.get(tenantName);
      const fresh = (kind: KindName, id: string): DesiredResource | undefined =>
        tenant && keyArn ? kindOf(kind).desired({ config: ctx.config, tenant, keyArn }).find((d) => d.id === id) : result.desired.get(`${tenantName}/${kind}/${id}`);

      for (const kindName of CONVERGE_ORDER) {
        const kind = kindOf(kindName);
        for (const change of pick([kindName], ['create', 'update'])) {
          await run(change, async () => {
            const desired = fresh(change.kind, change.id);
            if (!desired) throw new Error(`no desired state for ${change.address}`);
            if (change.action === 'create') {
              const written = await kind.create(ctx, desired);
              if (change.kind === 'key') {
                keyArn = written.meta?.arn as string;
                keyId = written.meta?.keyId as string;
                keyPolicyDue = true;
              }
              return undefined;
            }
            const live: LiveResource = result.live.get(change.address)!;
            // Recomputed against the desired state with the real key ARN (the plan may have shown a placeholder).
            const names = attributeChanges(kind, live.attributes, desired.attributes).changes.map((a) => a.name);
            await kind.update(ctx, desired, live, names);
            if (change.kind === 'key' && names.includes('policy')) keyPolicyDue = true;
            return names;
          });
        }
        // The key policy names the role: write it once the role exists, before the bucket uses the key.
        if (kindName === 'role' && keyPolicyDue && keyId && keyChange) {
          try {
            await kindOf('key').finalize!(ctx, fresh('key', keyChange.id)!, keyId);
          } catch (err) {
            emit({ address: keyChange.address, action: keyChange.action, status: 'failed', error: new AwsError(keyChange.address, keyChange.action, describeError(err)).message });
            throw err;
          }
          keyPolicyDue = false;
        }
      }

      for (const change of pick(DATA_LAST, ['delete'])) {
        await run(change, async () => {
          await kindOf(change.kind).delete(ctx, result.live.get(change.address)!);
          return undefined;
        });
      }
    } catch {
      // Reported through its event; the tenant stops here, the others go on.
    }
  });

  const done = (a: Change['action']) => events.filter((e) => e.status === 'done' && e.action === a).length;
  return {
    events,
    created: done('create'),
    updated: done('update'),
    deleted: done('delete'),
    failed: events.filter((e) => e.status === 'failed').length,
    blocked: result.plan.changes.filter((c) => c.blocked),
  };
}
