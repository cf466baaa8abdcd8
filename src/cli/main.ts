import { Command, CommanderError } from 'commander';
import { SftpTenantsError, UserError } from '../errors';
import { processIo, type Io } from './io';
import { validateCommand } from './validate';
import { planCommand, type PlanCommandOptions } from './plan';
import { applyCommand, unlockCommand, type ApplyCommandOptions } from './apply';
import type { ConfigOptions } from './validate';
import { rotatePasswordCommand } from './rotate';
import { localDownCommand, localUpCommand, type LocalUpOptions } from './local';
import { smokeCommand, type SmokeCommandOptions } from './smoke';
import { driftIssueCommand, planScopeCommand, prCommentCommand, summaryCommand, type DriftIssueOptions, type PrCommentOptions } from './github';
import { ciPoliciesCommand, type CiPoliciesOptions } from './ci-policies';
import { VERSION } from '../version';


function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('sftp-tenants')
    .description('Manage the tenants of a multi-tenant AWS Transfer Family SFTP server from YAML files.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run sftp-tenants --help for usage)');

  program
    .command('validate')
    .description('Check the platform file and every tenant file; makes no AWS call.')
    .option('--dir <dir>', 'directory of tenant files', 'tenants')
    .option('--platform <file>', 'platform settings file (default: platform.yaml beside the tenants directory)')
    .action(async (opts: { dir: string; platform?: string }) => setExit(await validateCommand(opts, io)));

  program
    .command('plan')
    .description('Show what apply would change in live AWS to match the configuration.')
    .option('--dir <dir>', 'directory of tenant files', 'tenants')
    .option('--platform <file>', 'platform settings file (default: platform.yaml beside the tenants directory)')
    .option('--format <format>', 'text, markdown (for a pull-request comment) or json', 'text')
    .option('--out <file>', 'also write the plan as JSON to this file (for apply)')
    .option('--tenant <name>', 'limit the plan to this tenant (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--detailed-exitcode', 'exit 0 when nothing changes, 2 when something would, 1 on error')
    .option('--allow-destroy-data', 'allow deleting non-empty buckets of removed tenants whose removal setting is destroy')
    .option('--allow-isolation-failure', 'exit 0 even when isolation is not proven after apply')
    .option('-v, --verbose', 'print the number of AWS calls made')
    .action(async (opts: PlanCommandOptions) => setExit(await planCommand(opts, io)));

  program
    .command('apply [plan]')
    .description('Change live AWS to match the configuration (or apply a saved, reviewed plan file).')
    .option('--dir <dir>', 'directory of tenant files', 'tenants')
    .option('--platform <file>', 'platform settings file (default: platform.yaml beside the tenants directory)')
    .option('--auto-approve', 'apply without asking (CI)')
    .option('--json', 'print machine-readable results')
    .option('--tenant <name>', 'limit the apply to this tenant (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--allow-destroy-data', 'allow deleting non-empty buckets of removed tenants whose removal setting is destroy')
    .option('--lock-timeout <seconds>', 'how long to wait for another apply to finish', '60')
    .option('--allow-isolation-failure', 'apply even when isolation would not be proven afterwards')
    .action(async (plan: string | undefined, opts: ApplyCommandOptions) => setExit(await applyCommand(plan, opts, io)));

  program
    .command('rotate-password <username>')
    .description('Generate a new password for a user declared with generatedPassword: true (left in its hand-off secret, never printed).')
    .option('--dir <dir>', 'directory of tenant files', 'tenants')
    .option('--platform <file>', 'platform settings file')
    .action(async (username: string, opts: ConfigOptions) => setExit(await rotatePasswordCommand(username, opts, io)));

  program
    .command('smoke')
    .description('Log in over SFTP as every tenant\'s canary and prove that no tenant reaches another\'s data.')
    .option('--dir <dir>', 'directory of tenant files', 'tenants')
    .option('--platform <file>', 'platform settings file')
    .option('--local', 'test the stack started by `local up`')
    .option('--host <host>', 'the Transfer Family endpoint')
    .option('--port <port>', 'its port', '22')
    .option('--host-key-fingerprint <fp>', 'the pinned SHA256 fingerprint of its host key')
    .option('--format <format>', 'text or markdown (for a job summary)', 'text')
    .option('--junit <file>', 'also write JUnit XML for CI')
    .option('--tenant <name>', 'limit the test to this tenant (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .action(async (opts: SmokeCommandOptions) => setExit(await smokeCommand(opts, io)));

  const github = program.command('github').description('GitHub glue for the workflows (reads GITHUB_TOKEN, GITHUB_REPOSITORY and the event, as set by Actions).');
  github
    .command('pr-comment')
    .description('Create or update the one plan comment on a pull request.')
    .option('--file <file>', 'the plan in Markdown (plan --format markdown)')
    .option('--failed <file>', 'the plan failed: post this error output instead')
    .option('--pr <number>', 'pull request number (default: from the event)')
    .option('--sha <sha>', 'head commit the plan is for (default: from the event)')
    .action(async (opts: PrCommentOptions) => setExit(await prCommentCommand(opts, io)));
  github
    .command('drift-issue')
    .description('Open or update the labelled drift issue with a report, or close it when a run is clean.')
    .option('--file <file>', 'the report in Markdown (drift or breach found)')
    .option('--title <title>', 'issue title')
    .option('--clean', 'nothing found: close the open drift issue, if any')
    .action(async (opts: DriftIssueOptions) => setExit(await driftIssueCommand(opts, io)));
  github
    .command('summary')
    .description('Append a file to the job summary.')
    .requiredOption('--file <file>', 'Markdown (or text with --code)')
    .option('--code', 'show the file as a code block')
    .option('--heading <text>', 'a heading above it')
    .action(async (opts: { file: string; code?: boolean; heading?: string }) => setExit(await summaryCommand(opts, io)));
  github
    .command('plan-scope')
    .description('Print the plan arguments for the tenants a change touches (nothing: the whole fleet); sets step outputs mode and args.')
    .requiredOption('--changed-files <file>', 'changed paths, one per line (git diff --name-only)')
    .option('--dir <dir>', 'directory of tenant files, relative to the repository', 'tenants')
    .action((opts: { changedFiles: string; dir?: string }) => setExit(planScopeCommand(opts, io)));

  program
    .command('ci-policies')
    .description('Print the IAM roles the GitHub workflows assume (plan, apply, smoke): OIDC trust policies and least-privilege permissions.')
    .option('--repo <owner/name>', 'the GitHub repository (default: GITHUB_REPOSITORY)')
    .option('--dir <dir>', 'directory of tenant files', 'tenants')
    .option('--platform <file>', 'platform settings file')
    .option('--format <format>', 'text or json', 'text')
    .option('--out-dir <dir>', 'also write <role>.trust.json and <role>.policy.json there (for aws iam create-role)')
    .action(async (opts: CiPoliciesOptions) => setExit(await ciPoliciesCommand(opts, io)));

  const local = program.command('local').description('The local stack: AWS emulator, tenants applied, SFTP gateway (from a repository checkout).');
  local
    .command('up')
    .description('Start the emulator, apply the tenants to it, and start the SFTP gateway in the background.')
    .option('--dir <dir>', 'directory of tenant files', 'tenants')
    .option('--port <port>', 'gateway port (default: a free one)')
    .option('--source-ip <ip>', 'report this client address to the identity provider (to try allowlists locally)')
    .action(async (opts: LocalUpOptions) => setExit(await localUpCommand(opts, io)));
  local
    .command('down')
    .description('Stop the local stack.')
    .action(async () => setExit(await localDownCommand(io)));

  program
    .command('unlock')
    .description('Break the apply lock left by an apply that is gone for good.')
    .option('--dir <dir>', 'directory of tenant files', 'tenants')
    .option('--platform <file>', 'platform settings file')
    .action(async (opts: ConfigOptions) => setExit(await unlockCommand(opts, io)));

  return program;
}

/** Runs the CLI and returns its exit code: 0 success, 1 failure, 2 usage error. */
export async function run(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UserError) {
      io.stderr(`error: ${err.message}\n`);
      return 1;
    }
    if ((err as { name?: string }).name === 'CredentialsProviderError') {
      io.stderr('error: no AWS credentials were found (environment, profile, SSO or instance role); nothing was changed\n');
      return 1;
    }
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    const code = err instanceof SftpTenantsError ? ` [${err.code}]` : '';
    io.stderr(`internal error${code}: ${detail}\nThis is a bug in sftp-tenants; please report it with the output above.\n`);
    return 1;
  }
}

export function main(): void {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`internal error: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
