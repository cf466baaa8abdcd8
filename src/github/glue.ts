/**
 * The GitHub side of the workflows, on @actions/github (Octokit) and @actions/core: one plan
 * comment per pull request (found by a hidden marker, updated in place), one labelled drift issue
 * (opened, updated, closed when a later run is clean), the job summary and step outputs. The API
 * base URL comes from GITHUB_API_URL, as in Actions (and GitHub Enterprise Server).
 */
import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import { GitHubError } from '../errors';

export type Octokit = ReturnType<typeof getOctokit>;

export const PLAN_MARKER = '<!-- sftp-tenants:plan -->';
export const DRIFT_LABEL = 'sftp-tenants-drift';
/** GitHub refuses comment and issue bodies longer than this (422). */
export const GITHUB_BODY_LIMIT = 65_536;
const CUT_NOTICE = '\n\n> [!NOTE]\n> Cut to fit GitHub\'s size limit; the full plan is in the run\'s `plan` artifact and job summary.\n';

export interface Repo {
  owner: string;
  repo: string;
}

export function octokit(token: string, apiUrl?: string): Octokit {
  // No retries of our own: a failed post fails the job, which a person then re-runs.
  return getOctokit(token, apiUrl ? { baseUrl: apiUrl } : {});
}

/** Fits a body under GitHub's limit, cutting at a line end and closing an open code fence. */
export function fit(body: string): string {
  if (body.length <= GITHUB_BODY_LIMIT) return body;
  const room = GITHUB_BODY_LIMIT - CUT_NOTICE.length - '\n```'.length - 1;
  let cut = body.slice(0, room);
  const nl = cut.lastIndexOf('\n');
  if (nl > room / 2) cut = cut.slice(0, nl);
  const fences = (cut.match(/^```/gm) ?? []).length;
  if (fences % 2 === 1) cut += '\n```';
  return cut + CUT_NOTICE;
}

export function planCommentBody(markdown: string, headSha: string, now: Date): string {
  return fit(`${PLAN_MARKER}\n<sub>Plan for ${headSha.slice(0, 12)} at ${now.toISOString()}</sub>\n\n${markdown.trimEnd()}\n`);
}

export function failedPlanCommentBody(errorOutput: string, headSha: string, now: Date): string {
  const detail = errorOutput.trim() || '(no error output; see the workflow run)';
  return fit(`${PLAN_MARKER}\n<sub>Plan for ${headSha.slice(0, 12)} at ${now.toISOString()}</sub>\n\n### ❌ sftp-tenants plan failed\n\nNothing can be applied from this pull request until the plan succeeds.\n\n\`\`\`\n${detail.replaceAll('```', "'''")}\n\`\`\`\n`);
}

async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as { status?: number; message?: string };
    const hint =
      e.status === 401 ? ' (is GITHUB_TOKEN set?)'
      : e.status === 403 || e.status === 404 ? ' (does the job have the permission: pull-requests: write for comments, issues: write for the drift issue?)'
      : '';
    // Octokit's messages carry no token: it redacts the authorization header itself.
    throw new GitHubError(`GitHub refused to ${what}: ${e.status ?? ''} ${e.message ?? String(err)}${hint}`.replace(/\s+/g, ' '));
  }
}

/** Creates the plan comment, or updates the one a previous run left. Returns what it did. */
export async function upsertPlanComment(gh: Octokit, repo: Repo, issueNumber: number, body: string): Promise<{ action: 'created' | 'updated'; id: number }> {
  const comments = await call(`list the comments of #${issueNumber}`, () => gh.paginate(gh.rest.issues.listComments, { ...repo, issue_number: issueNumber, per_page: 100 }));
  const mine = comments.find((c) => c.body?.startsWith(PLAN_MARKER));
  if (mine) {
    await call(`update comment ${mine.id}`, () => gh.rest.issues.updateComment({ ...repo, comment_id: mine.id, body }));
    return { action: 'updated', id: mine.id };
  }
  const created = await call(`comment on #${issueNumber}`, () => gh.rest.issues.createComment({ ...repo, issue_number: issueNumber, body }));
  return { action: 'created', id: created.data.id };
}

/**
 * Keeps one open drift issue: opened (or updated) while `problem` holds a body, closed with a
 * comment once a run is clean. Returns what it did.
 */
export async function syncDriftIssue(gh: Octokit, repo: Repo, problem: { title: string; body: string; runUrl?: string } | undefined, now: Date): Promise<{ action: 'opened' | 'updated' | 'closed' | 'none'; number?: number }> {
  const open = await call('list the open drift issues', () => gh.paginate(gh.rest.issues.listForRepo, { ...repo, labels: DRIFT_LABEL, state: 'open', per_page: 100 }));
  const existing = open.find((i) => !i.pull_request);
  const run = problem?.runUrl ? ` by [this run](${problem.runUrl})` : '';
  if (problem) {
    const body = fit(`${problem.body.trimEnd()}\n\n<sub>Last checked ${now.toISOString()}${run}. This issue is updated by every nightly run and closed by the first clean one.</sub>\n`);
    if (existing) {
      await call(`update issue #${existing.number}`, () => gh.rest.issues.update({ ...repo, issue_number: existing.number, title: problem.title, body }));
      return { action: 'updated', number: existing.number };
    }
    const created = await call('open the drift issue', () => gh.rest.issues.create({ ...repo, title: problem.title, body, labels: [DRIFT_LABEL] }));
    return { action: 'opened', number: created.data.number };
  }
  if (!existing) return { action: 'none' };
  await call(`comment on #${existing.number}`, () => gh.rest.issues.createComment({ ...repo, issue_number: existing.number, body: `Resolved: the run at ${now.toISOString()} found no drift and no isolation breach.` }));
  await call(`close #${existing.number}`, () => gh.rest.issues.update({ ...repo, issue_number: existing.number, state: 'closed', state_reason: 'completed' }));
  return { action: 'closed', number: existing.number };
}

/** Appends Markdown to the job summary (GITHUB_STEP_SUMMARY); a no-op outside Actions. */
export async function appendSummary(markdown: string, opts: { code?: boolean; heading?: string } = {}): Promise<boolean> {
  if (!process.env.GITHUB_STEP_SUMMARY) return false;
  if (opts.heading) core.summary.addHeading(opts.heading, 3);
  // addCodeBlock puts the text inside <pre><code> as it is: escape it, or a '<' in a log is HTML.
  if (opts.code) core.summary.addCodeBlock(escapeHtml(markdown.trimEnd()));
  else core.summary.addRaw(markdown, true);
  await core.summary.write();
  return true;
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
