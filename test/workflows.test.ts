/**
 * The GitHub Actions workflows: the rules they must keep (actionlint and zizmor in .ci/run check
 * the rest), and every sftp-tenants invocation in them names a command and options the CLI has,
 * so a renamed flag cannot break a workflow that no test here runs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCli } from './helpers/cli';
import { REPO_ROOT } from './helpers/config-dir';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  permissions?: Record<string, string>;
  environment?: string;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: unknown;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, Job>;
}

const DIR = join(REPO_ROOT, '.github', 'workflows');
const files = readdirSync(DIR).filter((f) => f.endsWith('.yml'));
const workflows = Object.fromEntries(files.map((f) => [f, parse(readFileSync(join(DIR, f), 'utf8')) as Workflow]));
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);

describe('the workflows', () => {
  it('are the three the README describes', () => {
    expect(files.sort()).toEqual(['apply.yml', 'nightly.yml', 'plan.yml']);
  });

  it.each(files)('%s: never pull_request_target; permissions none at the top, granted per job; no long-lived AWS keys', (file) => {
    const w = workflows[file]!;
    expect(Object.keys(w.on)).not.toContain('pull_request_target');
    expect(w.permissions).toEqual({});
    for (const job of Object.values(w.jobs)) expect(job.permissions).toBeDefined();
    const text = readFileSync(join(DIR, file), 'utf8');
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/);
  });

  it.each(files)('%s: every action is pinned to a full commit SHA', (file) => {
    const uses = steps(workflows[file]!).flatMap((s) => (s.uses ? [s.uses] : []));
    expect(uses.length).toBeGreaterThan(1);
    expect(uses.filter((u) => !/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/.test(u))).toEqual([]);
  });

  it.each(files)('%s: AWS access only through OIDC, with that job\'s own role', (file) => {
    const role = { 'plan.yml': 'PLAN', 'apply.yml': 'APPLY', 'nightly.yml': 'SMOKE' }[file]!;
    const creds = steps(workflows[file]!).filter((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(creds).toHaveLength(1);
    expect(creds[0]!.with!['role-to-assume']).toBe(`\${{ vars.SFTP_TENANTS_${role}_ROLE_ARN }}`);
    for (const job of Object.values(workflows[file]!.jobs)) expect(job.permissions!['id-token']).toBe('write');
  });

  it('plan: on pull requests that touch tenants or the platform file; comments; never writes to AWS', () => {
    const w = workflows['plan.yml']!;
    const paths = (w.on.pull_request as { paths: string[] }).paths;
    expect(paths).toEqual(expect.arrayContaining(['tenants/**', 'platform.yaml']));
    expect(w.jobs.plan!.permissions).toEqual({ contents: 'read', 'id-token': 'write', 'pull-requests': 'write' });
    const runs = steps(w).map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('$CLI github pr-comment --file plan.md');
    expect(runs).toContain('--failed');
    expect(runs).not.toMatch(/\$CLI apply/);
  });

  it('apply: on push to main, environment production, one queue per account that never cancels', () => {
    const w = workflows['apply.yml']!;
    expect((w.on.push as { branches: string[] }).branches).toEqual(['main']);
    expect(w.jobs.apply!.environment).toBe('production');
    expect(w.concurrency).toEqual({ group: 'sftp-tenants-apply-${{ vars.AWS_ACCOUNT_ID }}', 'cancel-in-progress': false });
    expect(steps(w).map((s) => s.run ?? '').join('\n')).toContain('$CLI apply --auto-approve');
  });

  it('nightly: on a schedule and by hand; drift with --detailed-exitcode, smoke, one issue', () => {
    const w = workflows['nightly.yml']!;
    expect(Object.keys(w.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    const runs = steps(w).map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('$CLI plan --detailed-exitcode');
    expect(runs).toContain('$CLI smoke --host');
    expect(runs).toContain('$CLI github drift-issue --clean');
    expect(runs).toContain('$CLI github drift-issue --file report.md');
    expect(w.jobs.check!.permissions).toEqual({ contents: 'read', 'id-token': 'write', issues: 'write' });
  });
});

/** Each `$CLI ...` in a run script: its command path and the long options it passes. */
function invocations(): Array<{ file: string; line: string; path: string[]; flags: string[] }> {
  const out: Array<{ file: string; line: string; path: string[]; flags: string[] }> = [];
  for (const file of files) {
    for (const s of steps(workflows[file]!)) {
      for (const m of (s.run ?? '').matchAll(/\$CLI ([^\n|>;&]*)/g)) {
        const tokens = m[1]!.trim().split(/\s+/);
        const firstOption = tokens.findIndex((t) => !/^[a-z][a-z-]*$/.test(t));
        const path = firstOption === -1 ? tokens : tokens.slice(0, firstOption);
        const flags = tokens.filter((t) => /^--[a-z][a-z-]*$/.test(t));
        out.push({ file, line: m[0], path, flags });
      }
    }
  }
  return out;
}

describe('every sftp-tenants invocation in the workflows exists in the CLI', () => {
  const all = invocations();
  it('finds the invocations', () => {
    expect(all.length).toBeGreaterThan(10);
  });
  it.each(all.map((i) => [`${i.file}: ${i.line}`, i] as const))('%s', async (_label, i) => {
    const help = await runCli([...i.path, '--help'], { cwd: REPO_ROOT });
    expect(help.code).toBe(0);
    // `--help` of a command group lists subcommands; the path must reach a leaf with options.
    expect(help.stdout).toContain(`Usage: sftp-tenants ${i.path.join(' ')}`);
    for (const flag of i.flags) expect(help.stdout).toMatch(new RegExp(`${flag}(\\s|,|=|$)`, 'm'));
  });
});
