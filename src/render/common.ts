/** Shared pieces of the plan renderings: symbols, ordering, value formatting. */
import { canonicalStatement, statementKey } from '../plan/canonical';
import type { IsolationReport } from '../isolation/analyze';
import type { AttributeChange, Change, Plan } from '../plan/types';

export const SYMBOL: Record<Change['action'], string> = { create: '+', update: '~', delete: '-' };

export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  return `Plan: ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy, ${s.blocked} blocked.`;
}

export function isRisky(c: Change): boolean {
  return c.blocked !== undefined || c.classification !== 'routine';
}

export function tenantsOf(plan: Plan): string[] {
  return [...new Set([...plan.changes.map((c) => c.tenant)])];
}

export function isPolicyValue(v: unknown): v is { Statement: unknown[] } {
  return v !== null && typeof v === 'object' && Array.isArray((v as { Statement?: unknown }).Statement);
}

export function compact(v: unknown): string {
  if (v === null || v === undefined) return '(none)';
  if (typeof v === 'string') return JSON.stringify(v);
  return JSON.stringify(v);
}

/**
 * For a policy attribute: the statements added and removed, one line of JSON each, as written
 * (compared canonically, shown as the author wrote them).
 */
export function policyLines(a: AttributeChange): { added: string[]; removed: string[] } | undefined {
  if (!isPolicyValue(a.before) && !isPolicyValue(a.after)) return undefined;
  const statements = (v: unknown) => (isPolicyValue(v) ? v.Statement.filter((s): s is Record<string, unknown> => s !== null && typeof s === 'object') : []);
  const keyed = (v: unknown) => new Map(statements(v).map((s) => [statementKey(canonicalStatement(s)), s]));
  const before = keyed(a.before);
  const after = keyed(a.after);
  return {
    added: [...after].filter(([k]) => !before.has(k)).map(([, s]) => JSON.stringify(s)),
    removed: [...before].filter(([k]) => !after.has(k)).map(([, s]) => JSON.stringify(s)),
  };
}

export function statementCount(v: unknown): number {
  return isPolicyValue(v) ? v.Statement.length : 0;
}

export function header(plan: Plan): string {
  const scope = plan.scope ? `tenants ${plan.scope.join(', ')}` : `${plan.tenants.length} tenant${plan.tenants.length === 1 ? '' : 's'}`;
  return `account ${plan.platform.accountId} (${plan.platform.region}), server ${plan.platform.serverId}, ${scope}`;
}

export function isolationLine(report: IsolationReport): string {
  const n = report.tenants;
  if (report.failingPairs.length === 0) return `Isolation: ${n} tenant${n === 1 ? '' : 's'}, ${n}×(${n}−1) = ${report.pairs} pairs proven.`;
  return `Isolation: NOT PROVEN for ${report.failingPairs.length} of ${report.pairs} pairs.`;
}

/** One line per breach: who can reach whom, through which layer, and why. */
export function breachLines(report: IsolationReport): string[] {
  return report.breaches.map((b) => `${b.from === '*' ? 'anyone' : b.from} -> ${b.to} [${b.layer}] ${b.reason}${b.statement ? `: ${JSON.stringify(b.statement)}` : ''}`);
}
