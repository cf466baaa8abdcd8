/** A plan: plain, versioned, serialisable data. Every rendering is a function of it. */
import type { IsolationReport } from '../isolation/analyze';
import type { KindName, Risk, RiskClass } from '../resources/types';

export const PLAN_FORMAT_VERSION = 1;

export type Action = 'create' | 'update' | 'delete';

/** The gravest risk of a change decides where it is listed; `routine` when it has none. */
export type Classification = RiskClass | 'routine';

export interface AttributeChange {
  name: string;
  /** Display-safe values: secrets appear only as fingerprints. */
  before: unknown;
  after: unknown;
}

export interface Change {
  address: string;
  tenant: string;
  kind: KindName;
  id: string;
  action: Action;
  /** Why: "not found", "differs from the declared state", "tenant removed", ... */
  reason: string;
  classification: Classification;
  risks: Risk[];
  /** Set when the safety rules forbid the change: it is listed, never attempted. */
  blocked?: string;
  attributes: AttributeChange[];
  /** Fingerprint of the live state this change was computed from (null: nothing live); apply refuses when it moved. */
  liveFingerprint: string | null;
}

export interface Finding {
  kind: 'unmanaged-identity' | 'retained' | 'orphaned-key';
  address: string;
  message: string;
}

export interface Plan {
  format_version: typeof PLAN_FORMAT_VERSION;
  tool: { name: 'sftp-tenants'; version: string };
  created_at: string;
  config_hash: string;
  platform: { accountId: string; region: string; serverId: string; namePrefix: string };
  /** The tenants this plan covers; null for the whole fleet. */
  scope: string[] | null;
  tenants: string[];
  changes: Change[];
  findings: Finding[];
  summary: { add: number; change: number; destroy: number; blocked: number };
  /** The isolation proof over the tenants this plan covers: after apply, and as things are now. */
  isolation: { after: IsolationReport; live: IsolationReport };
  aws_calls?: { total: number; by_operation: Record<string, number> };
}

const GRAVITY: Classification[] = ['destroy', 'data-loss', 'security-broadening', 'downtime', 'routine'];

export function classify(risks: readonly Risk[]): Classification {
  for (const c of GRAVITY) if (risks.some((r) => r.class === c)) return c;
  return 'routine';
}

export function gravity(c: Classification): number {
  return GRAVITY.indexOf(c);
}

export function summarise(changes: readonly Change[]): Plan['summary'] {
  const live = changes.filter((c) => !c.blocked);
  return {
    add: live.filter((c) => c.action === 'create').length,
    change: live.filter((c) => c.action === 'update').length,
    destroy: live.filter((c) => c.action === 'delete').length,
    blocked: changes.filter((c) => c.blocked).length,
  };
}
