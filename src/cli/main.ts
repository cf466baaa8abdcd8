import { Command, CommanderError } from 'commander';
import { SftpTenantsError, UserError } from '../errors';
import { processIo, type Io } from './io';
import { validateCommand } from './validate';

const { version } = require('../../package.json') as { version: string };

function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('sftp-tenants')
    .description('Manage the tenants of a multi-tenant AWS Transfer Family SFTP server from YAML files.')
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run sftp-tenants --help for usage)');

  program
    .command('validate')
    .description('Check the platform file and every tenant file; makes no AWS call.')
    .option('--dir <dir>', 'directory of tenant files', 'tenants')
    .option('--platform <file>', 'platform settings file (default: platform.yaml beside the tenants directory)')
    .action(async (opts: { dir: string; platform?: string }) => setExit(await validateCommand(opts, io)));

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
