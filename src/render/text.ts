/** The terminal rendering: Terraform-like symbols, grouped by tenant, risky changes first. */
import type { AttributeChange, Change, Plan } from '../plan/types';
import { breachLines, compact, header, isolationLine, policyLines, statementCount, summaryLine, SYMBOL, tenantsOf } from './common';

export interface TextOptions {
  color: boolean;
}

const CODES = { red: 31, green: 32, yellow: 33, magenta: 35, bold: 1, dim: 2 } as const;

function attributeLines(c: Change, a: AttributeChange): string[] {
  const policy = policyLines(a);
  if (c.action === 'create') return [`${a.name}: ${policy ? `${statementCount(a.after)} statement(s)` : compact(a.after)}`];
  if (c.action === 'delete') return [];
  if (policy) {
    return [`~ ${a.name}:`, ...policy.removed.map((l) => `    - ${l}`), ...policy.added.map((l) => `    + ${l}`)];
  }
  return [`~ ${a.name}: ${compact(a.before)} -> ${compact(a.after)}`];
}

export function renderText(plan: Plan, opts: TextOptions): string {
  const paint = (code: keyof typeof CODES, s: string) => (opts.color ? `\u001b[${CODES[code]}m${s}\u001b[0m` : s);
  const colorOf = (c: Change): keyof typeof CODES => (c.blocked ? 'magenta' : c.action === 'create' ? 'green' : c.action === 'delete' ? 'red' : 'yellow');
  const out: string[] = [`sftp-tenants plan: ${header(plan)}`, ''];

  const { live, after } = plan.isolation;
  if (live.breaches.length > 0) {
    out.push(paint('red', `LIVE BREACH: isolation is broken in AWS now (${live.failingPairs.length} pairs), whatever this plan changes:`));
    for (const line of breachLines(live)) out.push(`  ${paint('red', '!')} ${line}`);
    out.push('');
  }
  if (after.breaches.length > 0) {
    out.push(paint('red', `${isolationLine(after)} After apply:`));
    for (const line of breachLines(after)) out.push(`  ${paint('red', '!')} ${line}`);
  } else {
    out.push(isolationLine(after));
  }
  out.push('');

  const unmanaged = plan.findings.filter((f) => f.kind === 'unmanaged-identity');
  if (unmanaged.length > 0) {
    out.push(paint('bold', 'Warnings'));
    for (const f of unmanaged) out.push(`  ${paint('magenta', '!')} ${f.address}: ${f.message}`);
    out.push('');
  }

  for (const tenant of tenantsOf(plan)) {
    out.push(paint('bold', tenant));
    for (const c of plan.changes.filter((x) => x.tenant === tenant)) {
      const label = c.blocked ? `${SYMBOL[c.action]} ${c.kind} ${c.id} (blocked)` : `${SYMBOL[c.action]} ${c.kind} ${c.id}`;
      const tag = c.classification !== 'routine' ? ` [${c.classification}]` : '';
      out.push(`  ${paint(colorOf(c), label)}${paint('red', tag)}  ${paint('dim', c.reason)}`);
      if (c.blocked) out.push(`      ${paint('magenta', `blocked: ${c.blocked}`)}`);
      for (const r of c.risks) out.push(`      ${paint('red', `${r.class}: ${r.reason}`)}`);
      for (const a of c.attributes) for (const line of attributeLines(c, a)) out.push(`      ${line}`);
    }
    out.push('');
  }

  const retained = plan.findings.filter((f) => f.kind !== 'unmanaged-identity');
  if (retained.length > 0) {
    for (const f of retained) out.push(`  = ${f.address}: ${f.message}`);
    out.push('');
  }
  if (plan.changes.length === 0) out.push('No changes. Live AWS matches the configuration.', '');
  out.push(paint('bold', summaryLine(plan)));
  return `${out.join('\n')}\n`;
}
