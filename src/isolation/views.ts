/**
 * The two states the isolation proof judges, built from what a plan read and derived:
 *   after: the state once apply has run (declared attributes where the plan changes something,
 *          live attributes for the rest, nothing where it deletes);
 *   live:  the state now, which out-of-band changes may have broken.
 */
import type { Platform } from '../config/schema';
import type { PlanResult } from '../plan/build';
import type { Attributes, KindName } from '../resources/types';
import { bucketName, roleArn } from '../model/names';
import type { TenantPolicies } from './analyze';

type View = 'after' | 'live';

function attributesIn(result: Pick<PlanResult, 'plan' | 'live' | 'desired'>, view: View, tenant: string, kind: KindName): Array<{ id: string; attributes: Attributes; meta: Record<string, unknown> }> {
  const prefix = `${tenant}/${kind}/`;
  const live = [...result.live.entries()].filter(([a]) => a.startsWith(prefix));
  if (view === 'live') return live.map(([, l]) => ({ id: l.id, attributes: l.attributes, meta: l.meta }));
  const changes = new Map(result.plan.changes.filter((c) => !c.blocked).map((c) => [c.address, c]));
  const out: Array<{ id: string; attributes: Attributes; meta: Record<string, unknown> }> = [];
  const seen = new Set<string>();
  for (const [address, l] of live) {
    seen.add(address);
    const change = changes.get(address);
    if (change?.action === 'delete') continue;
    const d = result.desired.get(address);
    out.push({ id: l.id, attributes: change && d ? d.attributes : l.attributes, meta: l.meta });
  }
  for (const [address, d] of result.desired.entries()) {
    if (!address.startsWith(prefix) || seen.has(address)) continue;
    if (changes.get(address)?.action === 'create') out.push({ id: d.id, attributes: d.attributes, meta: {} });
  }
  return out;
}

export function isolationInputs(result: Pick<PlanResult, 'plan' | 'live' | 'desired'>, platform: Platform, view: View): TenantPolicies[] {
  return result.plan.tenants.map((tenant) => {
    const key = attributesIn(result, view, tenant, 'key')[0];
    const role = attributesIn(result, view, tenant, 'role')[0];
    const bucket = attributesIn(result, view, tenant, 'bucket')[0];
    const users = attributesIn(result, view, tenant, 'user');
    const liveKeyArn = [...result.live.values()].find((l) => l.tenant === tenant && l.kind === 'key')?.meta.arn;
    const others = role ? ((role.attributes.otherPolicies as string[] | undefined) ?? []) : [];
    return {
      tenant,
      roleArn: roleArn(platform, tenant),
      bucket: bucketName(platform, tenant),
      keyArn: typeof liveKeyArn === 'string' ? liveKeyArn : `arn:aws:kms:${platform.region}:${platform.accountId}:key/(new key of ${tenant})`,
      trustPolicy: role ? (role.attributes.trustPolicy ?? null) : null,
      identityPolicies: role
        ? [
            ...(role.attributes.accessPolicy ? [{ name: 'sftp-tenants-access', document: role.attributes.accessPolicy }] : []),
            // Their documents are not read: the proof cannot vouch for them.
            ...others.map((name) => ({ name, document: null })),
          ]
        : [],
      sessionPolicies: users.map((u) => ({ user: u.id, document: u.attributes.policy })),
      bucketPolicy: bucket ? (bucket.attributes.policy ?? null) : null,
      keyPolicy: key ? (key.attributes.policy ?? null) : null,
    };
  });
}
