/**
 * One interface for every kind of tenant resource. A kind declares its attributes (how they
 * compare, which are sensitive, which changes are risky), derives its desired state from a tenant
 * (pure), and reads its live state (I/O, from what discovery found). Adding a kind is one file and
 * one line in registry.ts.
 */
import type { AwsClients } from '../aws/clients';
import type { Config, LoadedTenant } from '../config/load';
import type { Discovery } from '../aws/discovery';
import type { RetryPolicy } from '../apply/retry';

export type KindName = 'key' | 'role' | 'bucket' | 'user';

export type RiskClass = 'destroy' | 'data-loss' | 'security-broadening' | 'downtime';

export interface Risk {
  class: RiskClass;
  reason: string;
}

export interface AttributeSpec {
  name: string;
  /** policy: canonical IAM comparison; set: order-insensitive list; deep: structural equality. */
  compare: 'deep' | 'set' | 'policy';
  /** Overrides `compare` when live and desired values are equal in a way it cannot see. */
  equals?: (live: unknown, desired: unknown) => boolean;
  /** Turns a value into what a plan may show; sensitive values become fingerprints here. */
  display?: (value: unknown) => unknown;
  /** Why changing this attribute from `before` to `after` is risky, if it is. */
  risk?: (before: unknown, after: unknown) => Risk | undefined;
}

export type Attributes = Record<string, unknown>;

export interface DesiredResource {
  kind: KindName;
  tenant: string;
  /** The physical name: alias, role name, bucket name, or username (lower-cased). */
  id: string;
  attributes: Attributes;
  /** Write-only content (an identity record): never compared, never rendered, never in a plan. */
  payload?: string;
}

export interface LiveResource {
  kind: KindName;
  tenant: string;
  id: string;
  attributes: Attributes;
  /** Carries this deployment's ownership tags (or enough of them, at its deterministic name). */
  owned: boolean;
  /**
   * Facts apply needs but the diff does not compare: ARNs, key ids, removal policy; and
   * pendingDeletion, for a resource already in its deletion window (never deleted again).
   */
  meta: Record<string, string | boolean | undefined>;
}

export interface TenantContext {
  config: Config;
  tenant: LoadedTenant['tenant'];
  /** The tenant key's ARN when it exists, else KNOWN_AFTER_APPLY. */
  keyArn: string;
}

export interface ReadContext {
  config: Config;
  clients: AwsClients;
  discovery: Discovery;
}

export interface ApplyContext {
  config: Config;
  clients: AwsClients;
  retry: RetryPolicy;
  /** The operator allows deleting a non-empty bucket (of a tenant whose removal setting is destroy). */
  allowDestroyData: boolean;
}

/** What a write learned that later writes need (the ARN of a key just created). */
export interface WriteResult {
  meta?: LiveResource['meta'];
}

export interface ResourceKind {
  kind: KindName;
  /** Kinds that must exist before this one is created (and be deleted after it). */
  dependsOn: KindName[];
  attributes: AttributeSpec[];
  desired(ctx: TenantContext): DesiredResource[];
  /**
   * Live resources of this kind for one tenant (declared, or found by discovery), given what is
   * declared for it (empty for a removed tenant): resources at declared names are read even when
   * their ownership tags were tampered with.
   */
  read(ctx: ReadContext, tenant: string, desired: readonly DesiredResource[]): Promise<LiveResource[]>;
  /** Risks of deleting this resource. */
  deleteRisks(live: LiveResource): Risk[];

  create(ctx: ApplyContext, desired: DesiredResource): Promise<WriteResult>;
  /** Brings the named attributes of a live resource to their desired values. */
  update(ctx: ApplyContext, desired: DesiredResource, live: LiveResource, attributes: readonly string[]): Promise<WriteResult>;
  delete(ctx: ApplyContext, live: LiveResource): Promise<void>;
  /**
   * Attributes that can only be written once the other kinds exist (a key policy naming the tenant
   * role); apply calls this after every kind of the tenant was created or updated.
   */
  finalize?(ctx: ApplyContext, desired: DesiredResource, keyId: string): Promise<void>;
}

export function address(r: { tenant: string; kind: KindName; id: string }): string {
  return `${r.tenant}/${r.kind}/${r.id}`;
}
