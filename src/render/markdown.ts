/**
 * The pull-request comment: summary and risky changes first, then one collapsible section per
 * tenant with policy changes statement by statement. Never longer than GitHub's comment limit:
 * tenant sections are truncated with a visible notice; summary and risky sections always stay.
 */
import type { Change, Plan } from '../plan/types';
import { breachLines, compact, header, isolationLine, isRisky, policyLines, statementCount, summaryLine, SYMBOL, tenantsOf } from './common';

export const MARKDOWN_LIMIT = 60_000;

const escapeCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function changeDetails(c: Change): string {
  const lines: string[] = [`#### \`${SYMBOL[c.action]}\` ${c.kind} \`${c.id}\`${c.blocked ? ' (blocked)' : ''}`, '', `${c.reason}.`];
  if (c.blocked) lines.push('', `**Blocked:** ${c.blocked}`);
  if (c.risks.length > 0) lines.push('', ...c.risks.map((r) => `- **${r.class}**: ${r.reason}`));
  const table: string[] = [];
  const policies: string[] = [];
  for (const a of c.attributes) {
    const policy = policyLines(a);
    if (policy && c.action === 'update') {
      policies.push('', `\`${a.name}\`, statement by statement:`, '', '```diff', ...policy.removed.map((l) => `- ${l}`), ...policy.added.map((l) => `+ ${l}`), '```');
    } else if (policy && c.action === 'create') {
      policies.push('', `\`${a.name}\` (${statementCount(a.after)} statements):`, '', '```json', JSON.stringify(a.after, null, 1), '```');
    } else if (c.action !== 'delete') {
      table.push(`| \`${a.name}\` | ${c.action === 'create' ? '' : escapeCell(compact(a.before))} | ${escapeCell(compact(a.after))} |`);
    }
  }
  if (table.length > 0) lines.push('', '| attribute | before | after |', '|---|---|---|', ...table);
  return [...lines, ...policies].join('\n');
}

function truncate(section: string, budget: number, tenant: string): string {
  if (section.length <= budget) return section;
  const notice = `\n\n> [!NOTE]\n> The section for ${tenant} was cut here to fit GitHub's comment limit (${section.length - budget} more characters). The full plan is in the plan.json artifact.\n\n</details>`;
  let cut = section.slice(0, Math.max(0, budget - notice.length));
  cut = cut.slice(0, cut.lastIndexOf('\n'));
  // Close a code fence left open by the cut.
  if ((cut.match(/^```/gm) ?? []).length % 2 === 1) cut += '\n```';
  return cut + notice;
}

export function renderMarkdown(plan: Plan, opts: { limit?: number } = {}): string {
  const limit = opts.limit ?? MARKDOWN_LIMIT;
  const head: string[] = [];
  const { live, after } = plan.isolation;
  // Breaches first of all: a reviewer must see them before anything else.
  if (live.breaches.length > 0) {
    head.push('> [!CAUTION]', `> **Live breach**: isolation is broken in AWS now (${live.failingPairs.length} pairs), whatever this plan changes.`);
    for (const line of breachLines(live)) head.push(`> - ${escapeCell(line)}`);
    head.push('');
  }
  if (after.breaches.length > 0) {
    head.push('> [!CAUTION]', `> **${isolationLine(after)}** After apply:`);
    for (const line of breachLines(after)) head.push(`> - ${escapeCell(line)}`);
    head.push('');
  }
  head.push('## sftp-tenants plan', '', `**${summaryLine(plan)}**`, '', `${header(plan)}. ${after.breaches.length === 0 ? isolationLine(after) : ''}`.trim(), '');

  const unmanaged = plan.findings.filter((f) => f.kind === 'unmanaged-identity');
  if (unmanaged.length > 0) {
    head.push('> [!CAUTION]', '> Identities outside GitOps control (they can log in; sftp-tenants never deletes them):');
    for (const f of unmanaged) head.push(`> - \`${f.address}\`: ${f.message}`);
    head.push('');
  }
  const risky = plan.changes.filter(isRisky);
  if (risky.length > 0) {
    head.push('### Risky changes', '', '| | address | risk | why |', '|---|---|---|---|');
    for (const c of risky) {
      const why = c.blocked ? `blocked: ${c.blocked}` : c.risks.map((r) => r.reason).join('; ');
      head.push(`| \`${SYMBOL[c.action]}\` | \`${c.address}\` | ${c.blocked ? 'blocked' : c.classification} | ${escapeCell(why)} |`);
    }
    head.push('');
  }
  if (plan.changes.length === 0) head.push('No changes. Live AWS matches the configuration.', '');

  const tail: string[] = [];
  const retained = plan.findings.filter((f) => f.kind !== 'unmanaged-identity');
  if (retained.length > 0) {
    tail.push('', '### Retained', '');
    for (const f of retained) tail.push(`- \`${f.address}\`: ${f.message}`);
  }

  const headText = head.join('\n');
  const tailText = tail.join('\n');
  const tenants = tenantsOf(plan);
  let budget = limit - headText.length - tailText.length - 2;
  const sections: string[] = [];
  tenants.forEach((tenant, i) => {
    const changes = plan.changes.filter((c) => c.tenant === tenant);
    const counts = (['create', 'update', 'delete'] as const).map((a) => `${changes.filter((c) => c.action === a).length} ${SYMBOL[a]}`).join(', ');
    const section = [`<details><summary><b>${tenant}</b>: ${counts}</summary>`, '', changes.map(changeDetails).join('\n\n'), '', '</details>', ''].join('\n');
    // An equal share of what is left; what a short section leaves unused passes to the next ones.
    const share = Math.floor(budget / (tenants.length - i));
    const text = truncate(section, Math.max(share, 0), tenant);
    budget -= text.length;
    sections.push(text);
  });
  return `${[headText, ...sections].join('\n')}${tailText}\n`;
}
