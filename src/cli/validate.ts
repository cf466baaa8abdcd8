import * as core from '@actions/core';
import { loadConfig, resolveConfigPaths, type LoadResult } from '../config/load';
import { formatPath, formatProblem, type Problem } from '../config/problems';
import { ConfigError } from '../errors';
import type { Io } from './io';

export interface ConfigOptions {
  dir?: string;
  platform?: string;
}

/** GitHub turns these workflow commands into annotations on the offending YAML lines. */
function annotate(p: Problem): void {
  core.error(`${formatPath(p.path)}: ${p.message}`, { file: p.file, startLine: p.line, startColumn: p.col, title: 'sftp-tenants validate' });
}

/**
 * Loads the configuration and reports every problem. Every command that reads the configuration
 * goes through here, so none of them can act on an invalid one.
 */
export async function loadValidConfig(opts: ConfigOptions, io: Io): Promise<LoadResult & { config: NonNullable<LoadResult['config']> }> {
  const result = await loadConfig(resolveConfigPaths(opts, io.cwd), { now: io.now(), cwd: io.cwd });
  if (result.problems.length > 0 || !result.config) {
    for (const p of result.problems) io.stderr(`${formatProblem(p)}\n`);
    if (io.env.GITHUB_ACTIONS === 'true') result.problems.forEach(annotate);
    const files = new Set(result.problems.map((p) => p.file)).size;
    throw new ConfigError(result.problems.length, files);
  }
  return result as LoadResult & { config: NonNullable<LoadResult['config']> };
}

export async function validateCommand(opts: ConfigOptions, io: Io): Promise<number> {
  const result = await loadValidConfig(opts, io);
  const tenants = result.config.tenants.length;
  io.stdout(`valid: ${tenants} tenant${tenants === 1 ? '' : 's'}, ${result.userCount} user${result.userCount === 1 ? '' : 's'}\n`);
  return 0;
}
