/**
 * The workflows' GitHub glue against a local fake GitHub API that records requests: the one plan
 * comment (create, then update; found across pages; cut to fit), the drift issue (open, update,
 * close), failures that must fail the job, the job summary and the PR's plan scope.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli';
import { REPO_ROOT } from './helpers/config-dir';
import { FakeGitHub } from './helpers/fake-github';
import { apply } from './helpers/stack';
import { loadExamples } from './helpers/examples';
import { resetEmulator } from '../local/emulator';
import { DRIFT_LABEL, GITHUB_BODY_LIMIT, PLAN_MARKER } from '../src/github/glue';
import { planScope } from '../src/github/scope';

const gh = new FakeGitHub();
let dir: string;
const NOW = new Date('2026-12-01T03:00:00Z');
const HEAD = '0123456789abcdef0123456789abcdef01234567';

function ghEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { GITHUB_TOKEN: gh.token, GITHUB_REPOSITORY: 'acme/sftp-fleet', GITHUB_API_URL: gh.url, GITHUB_EVENT_PATH: join(dir, 'event.json'), ...extra };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

beforeAll(() => gh.start());
afterAll(() => gh.stop());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gh-'));
  file('event.json', JSON.stringify({ pull_request: { number: 42, head: { sha: HEAD } } }));
  gh.requests.length = 0;
  gh.comments.length = 0;
  gh.issues.length = 0;
  gh.failWith = undefined;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('github pr-comment', () => {
  it('creates one comment, then updates that same comment on the next push', async () => {
    const other = gh.addComment(42, 'LGTM from a human');
    const first = await runCli(['github', 'pr-comment', '--file', file('plan.md', '## Plan\n\nPlan: 3 to add\n')], { cwd: dir, env: ghEnv(), now: NOW });
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/plan comment created \(id \d+\) on #42/);
    expect(gh.writes().map((r) => `${r.method} ${r.path}`)).toEqual(['POST /repos/acme/sftp-fleet/issues/42/comments']);
    const created = gh.comments.find((c) => c.id !== other.id)!;
    expect(created.body.startsWith(PLAN_MARKER)).toBe(true);
    expect(created.body).toContain(`Plan for ${HEAD.slice(0, 12)} at 2026-12-01T03:00:00.000Z`);
    expect(created.body).toContain('Plan: 3 to add');
    expect(gh.requests.every((r) => r.authorization === `token ${gh.token}`)).toBe(true);

    gh.requests.length = 0;
    const second = await runCli(['github', 'pr-comment', '--file', file('plan.md', 'No changes. Live AWS matches the configuration.\n'), '--sha', 'fedcba9876543210'], { cwd: dir, env: ghEnv(), now: new Date('2026-12-01T04:00:00Z') });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`plan comment updated (id ${created.id})`);
    expect(gh.writes().map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /repos/acme/sftp-fleet/issues/comments/${created.id}`]);
    expect(gh.comments).toHaveLength(2);
    expect(created.body).toContain('Plan for fedcba987654 at 2026-12-01T04:00:00.000Z');
    expect(created.body).toContain('No changes.');
    expect(other.body).toBe('LGTM from a human');
  });

  it('finds its comment on a later page and ignores comments that merely quote the marker', async () => {
    for (let i = 0; i < 130; i++) gh.addComment(42, `chatter ${i}`);
    gh.addComment(42, `> quoting the bot:\n> ${PLAN_MARKER}`);
    const mine = gh.addComment(42, `${PLAN_MARKER}\nold plan`);
    gh.addComment(7, `${PLAN_MARKER}\nanother PR's plan`);
    const r = await runCli(['github', 'pr-comment', '--file', file('plan.md', 'new plan')], { cwd: dir, env: ghEnv(), now: NOW });
    expect(r.code).toBe(0);
    expect(gh.requests.filter((q) => q.method === 'GET').map((q) => q.query.get('page') ?? '1')).toEqual(['1', '2']);
    expect(gh.writes()).toHaveLength(1);
    expect(mine.body).toContain('new plan');
  });

  it('cuts a plan too big for GitHub at a line, closes an open code fence and says where the rest is', async () => {
    const lines = ['## Plan', '', '```diff', ...Array.from({ length: 5000 }, (_, i) => `+ resource ${i} ${'x'.repeat(30)}`), '```', 'END-OF-PLAN'];
    const r = await runCli(['github', 'pr-comment', '--file', file('plan.md', lines.join('\n'))], { cwd: dir, env: ghEnv(), now: NOW });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const body = gh.comments[0]!.body;
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(body.length).toBeGreaterThan(GITHUB_BODY_LIMIT - 200);
    expect(body).not.toContain('END-OF-PLAN');
    expect(body).toContain("Cut to fit GitHub's size limit");
    expect((body.match(/^```/gm) ?? []).length % 2).toBe(0);
    // Every line that made it is whole.
    const kept = body.split('\n').filter((l) => l.startsWith('+ resource'));
    expect(kept.length).toBeGreaterThan(1000);
    for (const l of kept) expect(l).toMatch(/^\+ resource \d+ x{30}$/);
  });

  it('posts the error output when the plan failed', async () => {
    const r = await runCli(['github', 'pr-comment', '--failed', file('plan.err', 'tenants/acme.yaml:4:3: users[0].name: required\n')], { cwd: dir, env: ghEnv(), now: NOW });
    expect(r.code).toBe(0);
    expect(gh.comments[0]!.body).toContain('sftp-tenants plan failed');
    expect(gh.comments[0]!.body).toContain('tenants/acme.yaml:4:3: users[0].name: required');
  });

  it('fails the job, without the token in the message, when GitHub refuses', async () => {
    gh.failWith = { method: 'POST', pathIncludes: '/comments', status: 403, message: 'Resource not accessible by integration' };
    const r = await runCli(['github', 'pr-comment', '--file', file('plan.md', 'plan')], { cwd: dir, env: ghEnv(), now: NOW });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('GitHub refused to comment on #42: 403 Resource not accessible by integration');
    expect(r.stderr).toContain('pull-requests: write');
    expect(r.stderr).not.toContain(gh.token);
    expect(gh.comments).toHaveLength(0);
  });

  it('fails on a wrong token and on a missing token, and needs a pull request', async () => {
    const wrong = await runCli(['github', 'pr-comment', '--file', file('plan.md', 'plan')], { cwd: dir, env: ghEnv({ GITHUB_TOKEN: 'ghs_wrong' }), now: NOW });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/401 Bad credentials.*is GITHUB_TOKEN set/);
    expect(wrong.stderr).not.toContain('ghs_wrong');
    gh.requests.length = 0;
    const missing = await runCli(['github', 'pr-comment', '--file', file('plan.md', 'plan')], { cwd: dir, env: ghEnv({ GITHUB_TOKEN: '' }), now: NOW });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('GITHUB_TOKEN and GITHUB_REPOSITORY');
    const noPr = await runCli(['github', 'pr-comment', '--file', file('plan.md', 'plan')], { cwd: dir, env: ghEnv({ GITHUB_EVENT_PATH: file('push.json', '{"ref":"refs/heads/main"}') }), now: NOW });
    expect(noPr.code).toBe(1);
    expect(noPr.stderr).toContain('no pull request');
    expect(gh.requests).toHaveLength(0);
  });

  it('posts the real plan of the examples: changes first, then "No changes" once applied', async () => {
    await resetEmulator(process.env.AWS_ENDPOINT_URL!);
    const env = ghEnv({ ...process.env, NO_COLOR: '1' });
    const plan = await runCli(['plan', '--format', 'markdown'], { cwd: REPO_ROOT, env, now: NOW });
    expect(plan.code).toBe(0);
    await runCli(['github', 'pr-comment', '--file', file('plan.md', plan.stdout)], { cwd: dir, env, now: NOW });
    expect(gh.comments[0]!.body).toContain('17 to add');
    await apply(await loadExamples());
    const again = await runCli(['plan', '--format', 'markdown'], { cwd: REPO_ROOT, env, now: NOW });
    await runCli(['github', 'pr-comment', '--file', file('plan.md', again.stdout)], { cwd: dir, env, now: NOW });
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.body).toContain('No changes. Live AWS matches the configuration.');
    expect(gh.comments[0]!.body).not.toContain('17 to add');
  });
});

describe('github drift-issue', () => {
  it('opens one labelled issue, updates it while drift lasts, and closes it when a run is clean', async () => {
    const env = ghEnv({ GITHUB_SERVER_URL: 'https://github.example', GITHUB_RUN_ID: '991' });
    gh.addIssue({ title: 'a PR that carries the label', labels: [DRIFT_LABEL], pull_request: true });
    const opened = await runCli(['github', 'drift-issue', '--file', file('drift.md', 'bucket policy of harbor changed')], { cwd: dir, env, now: NOW });
    expect(opened).toMatchObject({ code: 0, stdout: 'drift issue: opened (#2)\n' });
    const issue = gh.issues.find((i) => i.number === 2)!;
    expect(issue).toMatchObject({ state: 'open', labels: [DRIFT_LABEL] });
    expect(issue.body).toContain('bucket policy of harbor changed');
    expect(issue.body).toContain('https://github.example/acme/sftp-fleet/actions/runs/991');

    const updated = await runCli(['github', 'drift-issue', '--file', file('drift.md', 'breach: harbor reads meridian')], { cwd: dir, env, now: NOW });
    expect(updated.stdout).toBe('drift issue: updated (#2)\n');
    expect(gh.issues.filter((i) => !i.pull_request)).toHaveLength(1);
    expect(issue.body).toContain('breach: harbor reads meridian');
    expect(issue.body).not.toContain('bucket policy of harbor changed');

    const closed = await runCli(['github', 'drift-issue', '--clean'], { cwd: dir, env, now: NOW });
    expect(closed.stdout).toBe('drift issue: closed (#2)\n');
    expect(issue.state).toBe('closed');
    expect(gh.comments.find((c) => c.issue === 2)?.body).toContain('found no drift and no isolation breach');

    gh.requests.length = 0;
    const idle = await runCli(['github', 'drift-issue', '--clean'], { cwd: dir, env, now: NOW });
    expect(idle.stdout).toBe('drift issue: none\n');
    expect(gh.writes()).toHaveLength(0);

    const reopened = await runCli(['github', 'drift-issue', '--file', file('drift.md', 'drift again')], { cwd: dir, env, now: NOW });
    expect(reopened.stdout).toBe('drift issue: opened (#3)\n');
  });

  it('asks for exactly one of --file and --clean', async () => {
    const both = await runCli(['github', 'drift-issue', '--clean', '--file', file('d.md', 'x')], { cwd: dir, env: ghEnv(), now: NOW });
    const neither = await runCli(['github', 'drift-issue'], { cwd: dir, env: ghEnv(), now: NOW });
    expect([both.code, neither.code]).toEqual([1, 1]);
    expect(gh.requests).toHaveLength(0);
  });
});

describe('github summary and plan-scope', () => {
  const saved = { summary: process.env.GITHUB_STEP_SUMMARY, output: process.env.GITHUB_OUTPUT };
  afterEach(() => {
    for (const [k, v] of [['GITHUB_STEP_SUMMARY', saved.summary], ['GITHUB_OUTPUT', saved.output]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('appends Markdown, or text as a code block, to the job summary', async () => {
    const summary = file('summary.md', '');
    process.env.GITHUB_STEP_SUMMARY = summary;
    expect((await runCli(['github', 'summary', '--file', file('plan.md', '### Plan\n\n1 to add')], { cwd: dir })).code).toBe(0);
    expect((await runCli(['github', 'summary', '--code', '--heading', 'Apply', '--file', file('apply.log', 'created bucket <x>')], { cwd: dir })).code).toBe(0);
    const text = readFileSync(summary, 'utf8');
    expect(text).toContain('### Plan\n\n1 to add');
    expect(text).toContain('<h3>Apply</h3>');
    expect(text).toContain('<pre><code>created bucket &lt;x&gt;</code></pre>');
  });

  it('scopes a plan to the changed tenant files, and to the fleet when anything else that shapes it changes', () => {
    expect(planScope(['tenants/harbor-asset-mgmt.yaml', 'tenants/zeta.yml', 'README.md'])).toEqual({ mode: 'tenants', tenants: ['harbor-asset-mgmt', 'zeta'] });
    expect(planScope(['tenants/README.md', 'tenants/notes.txt', 'docs/x.md'])).toEqual({ mode: 'none' });
    expect(planScope(['tenants/a.yaml', 'platform.yaml'])).toEqual({ mode: 'fleet', reason: 'platform.yaml changed' });
    expect(planScope(['src/model/policies.ts'])).toMatchObject({ mode: 'fleet' });
    expect(planScope(['package-lock.json'])).toMatchObject({ mode: 'fleet' });
    expect(planScope(['test/plan.test.ts', 'bench/idp.ts'])).toEqual({ mode: 'none' });
    // Hostile or odd file names never become plan arguments.
    expect(planScope(['tenants/$(curl evil).yaml'])).toMatchObject({ mode: 'fleet' });
    expect(planScope(['tenants/a b.yaml'])).toMatchObject({ mode: 'fleet' });
    expect(planScope(['tenants/Upper.yaml'])).toMatchObject({ mode: 'fleet' });
    expect(planScope(['config/tenants/a.yaml'], 'config/tenants/')).toEqual({ mode: 'tenants', tenants: ['a'] });
  });

  it('prints the plan arguments and sets the step outputs', async () => {
    const output = file('output', '');
    process.env.GITHUB_OUTPUT = output;
    const r = await runCli(['github', 'plan-scope', '--changed-files', file('changed.txt', 'tenants/b.yaml\ntenants/a.yaml\n')], { cwd: dir });
    expect(r).toMatchObject({ code: 0, stdout: '--tenant a --tenant b\n', stderr: 'plan scope: tenants a, b\n' });
    const written = readFileSync(output, 'utf8');
    expect(written).toMatch(/^mode<<(.+)\ntenants\n\1$/m);
    expect(written).toMatch(/^args<<(.+)\n--tenant a --tenant b\n\1$/m);
  });
});
