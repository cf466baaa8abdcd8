/** Smoke results as a tenant × tenant matrix (terminal, Markdown) and as JUnit XML for CI. */
import type { SmokeReport } from './run';

type Cell = 'ok' | 'FAILED' | 'isolated' | 'BREACH' | 'untested';

export function matrix(report: SmokeReport): Record<string, Record<string, Cell>> {
  const out: Record<string, Record<string, Cell>> = {};
  for (const a of report.tenants) {
    out[a] = {};
    for (const b of report.tenants) {
      if (a === b) {
        const own = report.checks.filter((c) => c.tenant === a && c.other === undefined);
        out[a][b] = own.length > 0 && own.every((c) => c.ok) ? 'ok' : 'FAILED';
      } else {
        const pair = report.checks.filter((c) => c.tenant === a && c.other === b);
        // No check at all (A could not log in) proves nothing either way; A's own cell says why.
        out[a][b] = pair.length === 0 ? 'untested' : pair.every((c) => c.ok) ? 'isolated' : 'BREACH';
      }
    }
  }
  return out;
}

export function failed(report: SmokeReport): boolean {
  return report.checks.some((c) => !c.ok) || report.checks.length === 0;
}

export function renderSmokeText(report: SmokeReport): string {
  const m = matrix(report);
  const width = Math.max(8, ...report.tenants.map((t) => t.length)) + 2;
  const lines = [`sftp-tenants smoke (run ${report.runId}): rows reach columns`, '', ' '.repeat(width) + report.tenants.map((t) => t.padEnd(width)).join('')];
  for (const a of report.tenants) lines.push(a.padEnd(width) + report.tenants.map((b) => m[a]![b]!.padEnd(width)).join(''));
  lines.push('');
  for (const c of report.checks.filter((x) => !x.ok)) lines.push(`FAILED ${c.tenant}${c.other ? ` -> ${c.other}` : ''}: ${c.name}${c.detail ? ` (${c.detail})` : ''}`);
  const total = report.checks.length;
  const bad = report.checks.filter((c) => !c.ok).length;
  lines.push(`${total - bad} passed, ${bad} failed`);
  return `${lines.join('\n')}\n`;
}

export function renderSmokeMarkdown(report: SmokeReport): string {
  const m = matrix(report);
  const icon: Record<Cell, string> = { ok: '✅ ok', FAILED: '❌ failed', isolated: '✅ isolated', BREACH: '🚨 BREACH', untested: '⚪ untested' };
  const lines = ['## sftp-tenants smoke', '', `Run \`${report.runId}\`: each row is a tenant's canary, each column whose data it tried to reach.`, ''];
  lines.push(`| | ${report.tenants.join(' | ')} |`, `|---|${report.tenants.map(() => '---').join('|')}|`);
  for (const a of report.tenants) lines.push(`| **${a}** | ${report.tenants.map((b) => icon[m[a]![b]!]).join(' | ')} |`);
  const bad = report.checks.filter((c) => !c.ok);
  if (bad.length > 0) {
    lines.push('', '### Failures', '');
    for (const c of bad) lines.push(`- **${c.tenant}${c.other ? ` → ${c.other}` : ''}**: ${c.name}${c.detail ? ` (${c.detail})` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderJunit(report: SmokeReport): string {
  const suites = report.tenants.map((t) => {
    const cases = report.checks.filter((c) => c.tenant === t);
    const failures = cases.filter((c) => !c.ok).length;
    const body = cases
      .map((c) => {
        const name = xml(`${c.other ? `${c.other}: ` : ''}${c.name}`);
        return c.ok ? `    <testcase classname="${xml(t)}" name="${name}"/>` : `    <testcase classname="${xml(t)}" name="${name}"><failure message="${xml(c.detail ?? (c.kind === 'negative' ? 'isolation breach' : 'check failed'))}"/></testcase>`;
      })
      .join('\n');
    return `  <testsuite name="${xml(t)}" tests="${cases.length}" failures="${failures}">\n${body}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="sftp-tenants smoke">\n${suites.join('\n')}\n</testsuites>\n`;
}
