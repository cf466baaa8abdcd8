/**
 * Starts and stops the local AWS API emulator (moto in server mode, see local/moto_launcher.py).
 * Development and test tooling: never imported from src/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const PROJECT_ROOT = join(__dirname, '..');
export const EMULATOR_PYTHON = join(PROJECT_ROOT, '.venv-emulator', 'bin', 'python');
/** The account moto impersonates; platform settings used locally must name it. */
export const EMULATOR_ACCOUNT_ID = '123456789012';

export interface Emulator {
  endpoint: string;
  pid: number;
  /** The environment that points AWS SDK v3 clients at the emulator. */
  env: Record<string, string>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export function emulatorEnv(endpoint: string, region = 'eu-west-2'): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  };
}

export async function resetEmulator(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`emulator reset failed: HTTP ${res.status}`);
}

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const stderr: string[] = [];
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < 50) stderr.push(chunk.toString());
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`emulator did not start within ${timeoutMs} ms:\n${stderr.join('')}`));
    }, timeoutMs);
    lines.on('line', (line) => {
      const m = /^MOTO_READY port=(\d+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        lines.close();
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with code ${code} before it was ready:\n${stderr.join('')}`));
    });
  });
}

export async function startEmulator(opts: { timeoutMs?: number; region?: string } = {}): Promise<Emulator> {
  if (!existsSync(EMULATOR_PYTHON)) {
    throw new Error('the emulator is not installed; run `npm run setup` (scripts/setup-emulator.sh)');
  }
  const child = spawn(EMULATOR_PYTHON, [join(PROJECT_ROOT, 'local', 'moto_launcher.py'), '--host', '127.0.0.1', '--port', '0'], {
    env: { ...process.env, MOTO_ACCOUNT_ID: EMULATOR_ACCOUNT_ID },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await waitForReady(child, opts.timeoutMs ?? 30_000);
  // Keep draining output so a chatty emulator never blocks on a full pipe.
  child.stdout.resume();
  child.stderr.removeAllListeners('data').resume();
  const endpoint = `http://127.0.0.1:${port}`;
  await resetEmulator(endpoint); // proves it answers HTTP, not just that it bound the port

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    endpoint,
    pid: child.pid!,
    env: emulatorEnv(endpoint, opts.region),
    reset: () => resetEmulator(endpoint),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
