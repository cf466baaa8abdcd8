/**
 * Loads and validates the whole configuration: the platform file and every tenant file.
 * Makes no AWS call. Returns every problem found, sorted by file and position; the typed
 * configuration only when there are none.
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fleetRules, platformRules, tenantRules, type RuleFinding } from './rules';
import { platformSchema, tenantSchema, type Platform, type Tenant } from './schema';
import { compareProblems, type Problem } from './problems';
import { problemAt, readSource, type SourceFile } from './source';
import { zodProblems } from './zod-problems';

export const PLATFORM_FILE_NAME = 'platform.yaml';
export const TENANTS_DIR_NAME = 'tenants';

export interface ConfigPaths {
  tenantsDir: string;
  platformFile: string;
}

/** The tenants directory defaults to ./tenants and the platform file sits beside it. */
export function resolveConfigPaths(opts: { dir?: string; platform?: string }, cwd = process.cwd()): ConfigPaths {
  const tenantsDir = resolve(cwd, opts.dir ?? TENANTS_DIR_NAME);
  const platformFile = resolve(cwd, opts.platform ?? join(dirname(tenantsDir), PLATFORM_FILE_NAME));
  return { tenantsDir, platformFile };
}

export interface LoadedTenant {
  file: string;
  tenant: Tenant;
}

export interface Config {
  platform: Platform;
  tenants: LoadedTenant[];
}

export interface LoadResult {
  problems: Problem[];
  /** Present only when there are no problems. */
  config?: Config;
  tenantFileCount: number;
  userCount: number;
}

function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

const findingsToProblems = (src: SourceFile, findings: readonly RuleFinding[]): Problem[] =>
  findings.map((f) => problemAt(src, f.path, f.message));

async function listTenantFiles(dir: string): Promise<string[] | undefined> {
  try {
    if (!(await stat(dir)).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(dir, e.name))
    .sort();
}

export async function loadConfig(paths: ConfigPaths, opts: { now: Date; cwd?: string }): Promise<LoadResult> {
  const cwd = opts.cwd ?? process.cwd();
  const problems: Problem[] = [];

  let platform: Platform | undefined;
  const platformName = displayPath(paths.platformFile, cwd);
  const platformSrc = await readSource(paths.platformFile, platformName).catch(() => undefined);
  if (!platformSrc) {
    problems.push({ file: platformName, line: 1, col: 1, path: [], message: `platform settings file not found (expected beside the tenants directory, or pass --platform FILE)` });
  } else if (platformSrc.syntaxProblems.length > 0) {
    problems.push(...platformSrc.syntaxProblems);
  } else {
    const parsed = platformSchema.safeParse(platformSrc.data);
    if (parsed.success) platform = parsed.data;
    else problems.push(...zodProblems(platformSrc, platformSchema, parsed.error.issues));
    const ruleProblems = findingsToProblems(platformSrc, platformRules(platformSrc.data));
    problems.push(...ruleProblems);
    if (ruleProblems.length > 0) platform = undefined;
  }

  const files = await listTenantFiles(paths.tenantsDir);
  const dirName = displayPath(paths.tenantsDir, cwd);
  if (files === undefined) {
    problems.push({ file: dirName, line: 1, col: 1, path: [], message: 'tenants directory not found' });
    return { problems, tenantFileCount: 0, userCount: 0 };
  }

  const sources = await Promise.all(files.map((f) => readSource(f, displayPath(f, cwd))));
  const tenants: LoadedTenant[] = [];
  let userCount = 0;
  for (const src of sources) {
    if (src.syntaxProblems.length > 0) {
      problems.push(...src.syntaxProblems);
      continue;
    }
    const parsed = tenantSchema.safeParse(src.data);
    if (parsed.success) {
      tenants.push({ file: src.file, tenant: parsed.data });
      userCount += parsed.data.users.length;
    } else {
      problems.push(...zodProblems(src, tenantSchema, parsed.error.issues));
    }
    problems.push(...findingsToProblems(src, tenantRules(src.data, { file: src.file, ...(platform ? { platform } : {}), now: opts.now })));
  }

  const bySourceFile = new Map(sources.map((s) => [s.file, s]));
  const parsedSources = sources.filter((s) => s.data !== undefined);
  for (const finding of fleetRules(parsedSources.map((s) => ({ file: s.file, data: s.data })))) {
    problems.push(problemAt(bySourceFile.get(finding.file)!, finding.path, finding.message));
  }

  problems.sort(compareProblems);
  const result: LoadResult = { problems, tenantFileCount: files.length, userCount };
  if (problems.length === 0 && platform) result.config = { platform, tenants };
  return result;
}
