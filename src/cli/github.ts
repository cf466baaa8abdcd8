/**
 * `sftp-tenants github ...`: the workflows' GitHub glue. Reads what Actions provides:
 * GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_SERVER_URL, GITHUB_RUN_ID and the event
 * payload (GITHUB_EVENT_PATH); writes step outputs and the job summary through @actions/core.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import * as core from '@actions/core';
import { UsageError } from '../errors';
import { appendSummary, failedPlanCommentBody, octokit, planCommentBody, syncDriftIssue, upsertPlanComment, type Repo } from '../github/glue';
import { planScope, scopeArgs } from '../github/scope';
import type { Io } from './io';

function context(io: Io): { token: string; repo: Repo; apiUrl?: string } {
  const token = io.env.GITHUB_TOKEN;
  const [owner, repo, extra] = (io.env.GITHUB_REPOSITORY ?? '').split('/');
  if (!token || !owner || !repo || extra !== undefined) throw new UsageError('GITHUB_TOKEN and GITHUB_REPOSITORY (owner/name) must be set, as they are in GitHub Actions');
  return { token, repo: { owner, repo }, ...(io.env.GITHUB_API_URL ? { apiUrl: io.env.GITHUB_API_URL } : {}) };
}

function read(file: string, io: Io, what: string): string {
  try {
    return readFileSync(isAbsolute(file) ? file : join(io.cwd, file), 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${file}: ${(err as Error).message}`);
  }
}

function eventPullRequest(io: Io): { number?: number; sha?: string } {
  if (!io.env.GITHUB_EVENT_PATH) return {};
  try {
    const event = JSON.parse(readFileSync(io.env.GITHUB_EVENT_PATH, 'utf8')) as { pull_request?: { number?: number; head?: { sha?: string } } };
    return { ...(event.pull_request?.number ? { number: event.pull_request.number } : {}), ...(event.pull_request?.head?.sha ? { sha: event.pull_request.head.sha } : {}) };
  } catch {
    return {};
  }
}

export interface PrCommentOptions {
  file?: string;
  failed?: string;
  pr?: string;
  sha?: string;
}

export async function prCommentCommand(opts: PrCommentOptions, io: Io): Promise<number> {
  if (!opts.file && !opts.failed) throw new UsageError('give --file PLAN.md, or --failed ERRORS.txt when the plan failed');
  const { token, repo, apiUrl } = context(io);
  const event = eventPullRequest(io);
  const number = opts.pr ? Number(opts.pr) : event.number;
  if (!number || !Number.isInteger(number) || number < 1) throw new UsageError('no pull request: pass --pr N, or run on a pull_request event');
  // The PR's head, not the merge commit Actions checks out (GITHUB_SHA), is what the author pushed.
  const sha = opts.sha ?? event.sha ?? io.env.GITHUB_SHA ?? 'unknown';
  const body = opts.failed ? failedPlanCommentBody(read(opts.failed, io, 'error output'), sha, io.now()) : planCommentBody(read(opts.file!, io, 'plan'), sha, io.now());
  const result = await upsertPlanComment(octokit(token, apiUrl), repo, number, body);
  io.stdout(`plan comment ${result.action} (id ${result.id}) on #${number}\n`);
  return 0;
}

export interface DriftIssueOptions {
  file?: string;
  clean?: boolean;
  title?: string;
}

export async function driftIssueCommand(opts: DriftIssueOptions, io: Io): Promise<number> {
  if ((opts.clean === true) === (opts.file !== undefined)) throw new UsageError('give either --file REPORT.md (drift or breach found) or --clean');
  const { token, repo, apiUrl } = context(io);
  const runUrl = io.env.GITHUB_SERVER_URL && io.env.GITHUB_RUN_ID ? `${io.env.GITHUB_SERVER_URL}/${repo.owner}/${repo.repo}/actions/runs/${io.env.GITHUB_RUN_ID}` : undefined;
  const problem = opts.file ? { title: opts.title ?? 'sftp-tenants: drift or isolation breach found by the nightly check', body: read(opts.file, io, 'report'), ...(runUrl ? { runUrl } : {}) } : undefined;
  const result = await syncDriftIssue(octokit(token, apiUrl), repo, problem, io.now());
  io.stdout(`drift issue: ${result.action}${result.number ? ` (#${result.number})` : ''}\n`);
  return 0;
}

export async function summaryCommand(opts: { file: string; code?: boolean; heading?: string }, io: Io): Promise<number> {
  const text = read(opts.file, io, 'summary');
  const wrote = await appendSummary(text, { ...(opts.code ? { code: true } : {}), ...(opts.heading ? { heading: opts.heading } : {}) });
  if (!wrote) io.stderr('GITHUB_STEP_SUMMARY is not set (not in GitHub Actions); nothing written\n');
  return 0;
}

export function planScopeCommand(opts: { changedFiles: string; dir?: string }, io: Io): number {
  const changed = read(opts.changedFiles, io, 'changed-file list').split('\n');
  const scope = planScope(changed, opts.dir ?? 'tenants');
  const args = scopeArgs(scope);
  const line =
    scope.mode === 'fleet' ? `whole fleet (${scope.reason})`
    : scope.mode === 'tenants' ? `tenants ${scope.tenants.join(', ')}`
    : 'no tenant file changed';
  io.stderr(`plan scope: ${line}\n`);
  io.stdout(`${args}\n`);
  if (process.env.GITHUB_OUTPUT) {
    core.setOutput('mode', scope.mode);
    core.setOutput('args', args);
  }
  return 0;
}
