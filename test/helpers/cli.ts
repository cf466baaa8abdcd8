import { run } from '../../src/cli/main';
import type { Io } from '../../src/cli/io';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output, a fixed clock and a chosen working directory. */
export async function runCli(argv: string[], opts: { cwd: string; now?: Date; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: opts.env ?? {},
    cwd: opts.cwd,
    now: () => opts.now ?? new Date('2026-12-01T00:00:00Z'),
    isTTY: false,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}
