/**
 * `sftp-tenants local up|down`: the local stack (AWS emulator, tenants applied, SFTP gateway).
 * The stack is development tooling that lives in the repository's local/ folder and is never
 * imported from here: `up` runs local/up.ts in a background process and waits until it is ready.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors';
import type { Io } from './io';

const ROOT = join(__dirname, '..', '..');
const STATE_DIR = join(ROOT, '.local-stack');
const STATE_FILE = join(STATE_DIR, 'state.json');
const LOG_FILE = join(STATE_DIR, 'stack.log');

interface State {
  pid: number;
  port: number;
  hostKeyFingerprint: string;
  endpoint: string;
}

function readState(): State | undefined {
  try {
    return JSON.parse(readFileSync(STATE_FILE, 'utf8')) as State;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface LocalUpOptions {
  dir?: string;
  port?: string;
  sourceIp?: string;
}

export async function localUpCommand(opts: LocalUpOptions, io: Io): Promise<number> {
  const script = join(ROOT, 'local', 'up.ts');
  const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
  if (!existsSync(script) || !existsSync(tsx)) throw new UsageError('the local stack needs a checkout of the sftp-tenants repository with its development dependencies (npm ci)');
  const running = readState();
  if (running && alive(running.pid)) throw new UsageError(`a local stack is already running (pid ${running.pid}, port ${running.port}); run \`sftp-tenants local down\` first`);
  mkdirSync(STATE_DIR, { recursive: true });
  rmSync(STATE_FILE, { force: true });
  const log = openSync(LOG_FILE, 'w');
  const args = [script, '--dir', opts.dir ?? 'tenants', ...(opts.port ? ['--port', opts.port] : []), ...(opts.sourceIp ? ['--source-ip', opts.sourceIp] : [])];
  const child = spawn(tsx, args, { cwd: io.cwd, env: io.env, detached: true, stdio: ['ignore', log, log] });
  child.unref();
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const state = readState();
    if (state) {
      io.stdout(readFileSync(LOG_FILE, 'utf8').split('\n').filter((l) => /^(applied|SFTP gateway|connect:|stop:)/.test(l)).join('\n') + '\n');
      return 0;
    }
    if (child.exitCode !== null || !alive(child.pid!)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  io.stderr(`the local stack did not start; its log (${LOG_FILE}):\n${readFileSync(LOG_FILE, 'utf8')}`);
  if (child.pid && alive(child.pid)) process.kill(child.pid, 'SIGTERM');
  return 1;
}

export async function localDownCommand(io: Io): Promise<number> {
  const state = readState();
  if (!state || !alive(state.pid)) {
    rmSync(STATE_FILE, { force: true });
    io.stdout('No local stack is running.\n');
    return 0;
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (alive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive(state.pid)) process.kill(state.pid, 'SIGKILL');
  rmSync(STATE_FILE, { force: true });
  io.stdout(`Stopped the local stack (pid ${state.pid}).\n`);
  return 0;
}
