/**
 * Builds a plan: reads live AWS (discovery, then each tenant with bounded concurrency), derives the
 * desired state, diffs, and applies the safety rules. The only I/O of planning happens here and in
 * the resource kinds' read functions.
 */
import { createHash } from 'node:crypto';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsClients, CallCounter } from '../aws/clients';
import { discover, type Discovery } from '../aws/discovery';
import type { Config } from '../config/load';
import { AccountMismatchError, AwsError } from '../errors';
import { userSecretName } from '../model/names';
import { KNOWN_AFTER_APPLY } from '../model/policies';
import { claims, isOwned, TAG_DEPLOYMENT, TAG_TENANT } from '../model/tags';
import { bucketIsEmpty } from '../resources/bucket';
import { keyKind } from '../resources/key';
import { RESOURCE_KINDS } from '../resources/registry';
import type { DesiredResource, LiveResource } from '../resources/types';
import { mapLimit } from './concurrency';
import { diffKind } from './diff';
import { VERSION } from '../version';
import { analyzeIsolation } from '../isolation/analyze';
import { isolationInputs } from '../isolation/views';
import { gravity, PLAN_FORMAT_VERSION, summarise, type Change, type Finding, type Plan } from './types';


export interface PlanOptions {
  config: Config;
  clients: AwsClients;
  now: Date;
  /** --tenant: plan only these tenants (declared or removed). */
  scope?: readonly string[];
  /** The operator allows deleting non-empty buckets of tenants whose removal setting is destroy. */
  allowDestroyData?: boolean;
  concurrency?: number;
  counter?: CallCounter;
}

export interface PlanResult {
  plan: Plan;
  /** What was read, by address: apply works from it. */
  live: Map<string, LiveResource>;
  desired: Map<string, DesiredResource>;
}

export function configHash(config: Config): string {
  const canonical = JSON.stringify({ platform: config.platform, tenants: [...config.tenants].map((t) => t.tenant).sort((a, b) => a.name.localeCompare(b.name)) });
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

/** Tenant names that live resources of this deployment are tagged with. */
function discoveredTenants(d: Discovery, deployment: string): Set<string> {
  const names = new Set<string>();
  const add = (tags: Record<string, string>) => {
    if (isOwned(tags, deployment) && tags[TAG_TENANT]) names.add(tags[TAG_TENANT]);
  };
  d.taggedKeys.forEach((k) => add(k.tags));
  d.taggedBuckets.forEach(add);
  d.secrets.forEach((s) => add(s.tags));
  d.roles.forEach((r) => add(Object.fromEntries((r.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']))));
  return names;
}

const emptyReport = () => ({ tenants: 0, pairs: 0, proven: 0, failingPairs: [], breaches: [] });

export async function buildPlan(opts: PlanOptions): Promise<PlanResult> {
  const { config, clients } = opts;
  const { platform } = config;

  const identity = await clients.sts.send(new GetCallerIdentityCommand({})).catch((err: unknown) => {
    throw AwsError.from('credentials', err);
  });
  if (identity.Account !== platform.accountId) {
    throw new AccountMismatchError(
      `the AWS credentials are for account ${identity.Account ?? '(unknown)'}, but platform.yaml manages account ${platform.accountId}; refusing to read or change anything`,
    );
  }

  const discovery = await discover(clients, { serverId: platform.serverId, deployment: platform.namePrefix }).catch((err: unknown) => {
    throw AwsError.from('discovery', err);
  });

  const declared = new Map(config.tenants.map((t) => [t.tenant.name, t.tenant]));
  const all = new Set([...declared.keys(), ...discoveredTenants(discovery, platform.namePrefix)]);
  const names = [...all].filter((n) => !opts.scope || opts.scope.includes(n)).sort();
  const ctx = { config, clients, discovery };

  const live = new Map<string, LiveResource>();
  const desired = new Map<string, DesiredResource>();
  const findings: Finding[] = [];

  const perTenant = await mapLimit(names, opts.concurrency ?? 8, async (name): Promise<Change[]> => {
    try {
      const tenant = declared.get(name);
      const liveKey = await keyKind.read(ctx, name, []);
      const keyArn = (liveKey[0]?.meta.arn as string | undefined) ?? KNOWN_AFTER_APPLY;
      const changes: Change[] = [];
      for (const kind of RESOURCE_KINDS) {
        const want = tenant ? kind.desired({ config, tenant, keyArn }) : [];
        const have = kind === keyKind ? liveKey : await kind.read(ctx, name, want);
        want.forEach((d) => desired.set(`${d.tenant}/${d.kind}/${d.id}`, d));
        have.forEach((l) => live.set(`${l.tenant}/${l.kind}/${l.id}`, l));
        const kindChanges = diffKind(kind, want, have, {
          createRisks: (d) => (d.kind === 'user' ? [{ class: 'security-broadening', reason: `new identity ${d.id} can log in` }] : []),
        });
        for (const change of kindChanges) {
          if (change.action === 'delete' && (change.kind === 'bucket' || change.kind === 'key')) {
            const l = have.find((h) => h.id === change.id)!;
            if (l.meta.onRemoval !== 'destroy') {
              findings.push({ kind: 'retained', address: change.address, message: `${change.kind} ${change.id} is kept (on removal: ${String(l.meta.onRemoval ?? 'retain')}); its data and key stay until someone deletes them on purpose` });
              continue;
            }
            if (change.kind === 'bucket' && !opts.allowDestroyData && !(await bucketIsEmpty(ctx, change.id))) {
              change.blocked = 'the bucket still holds objects; deleting it needs --allow-destroy-data (and on removal: destroy, which it has)';
            }
          }
          changes.push(change);
        }
      }
      return changes;
    } catch (err) {
      throw AwsError.from(`tenant ${name}`, err);
    }
  });
  const changes = perTenant.flat();

  // An empty configuration is far likelier a broken checkout than a decision to delete everyone.
  if (config.tenants.length === 0) {
    for (const c of changes) if (c.action === 'delete' && !c.blocked) c.blocked = 'the configuration declares no tenants at all; refusing to prune the whole fleet';
  }

  // Secrets under the server's prefix that are not ours: anyone who wrote one can log in.
  const declaredSecrets = new Set(config.tenants.flatMap((t) => t.tenant.users.map((u) => userSecretName(platform.serverId, u.name))));
  for (const s of discovery.secrets.values()) {
    if (claims(s.tags, platform.namePrefix) || declaredSecrets.has(s.name) || s.deletedDate) continue;
    if (s.tags[TAG_DEPLOYMENT] && s.tags[TAG_DEPLOYMENT] !== platform.namePrefix) continue; // another deployment's
    findings.push({
      kind: 'unmanaged-identity',
      address: `-/user/${s.name.slice(`sftp/${platform.serverId}/`.length)}`,
      message: `secret ${s.name} is an identity record outside GitOps control: the identity provider would let it log in. sftp-tenants never deletes it (it is not ours); review it, then declare the user or delete the secret`,
    });
  }

  const kindOrder = RESOURCE_KINDS.map((k) => k.kind);
  changes.sort(
    (a, b) =>
      a.tenant.localeCompare(b.tenant) ||
      gravity(a.classification) - gravity(b.classification) ||
      kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) ||
      a.id.localeCompare(b.id),
  );
  findings.sort((a, b) => a.kind.localeCompare(b.kind) || a.address.localeCompare(b.address));

  const plan: Plan = {
    format_version: PLAN_FORMAT_VERSION,
    tool: { name: 'sftp-tenants', version: VERSION },
    created_at: opts.now.toISOString(),
    config_hash: configHash(config),
    platform: { accountId: platform.accountId, region: platform.region, serverId: platform.serverId, namePrefix: platform.namePrefix },
    scope: opts.scope ? [...opts.scope].sort() : null,
    tenants: names,
    changes,
    findings,
    summary: summarise(changes),
    isolation: { after: emptyReport(), live: emptyReport() },
  };
  const analysisContext = { accountId: platform.accountId, region: platform.region, serverId: platform.serverId, adminRoleArns: platform.adminRoleArns };
  plan.isolation = {
    after: analyzeIsolation(isolationInputs({ plan, live, desired }, platform, 'after'), analysisContext),
    live: analyzeIsolation(isolationInputs({ plan, live, desired }, platform, 'live'), analysisContext),
  };
  if (opts.counter) plan.aws_calls = { total: opts.counter.total, by_operation: opts.counter.byOperation() };
  return { plan, live, desired };
}
