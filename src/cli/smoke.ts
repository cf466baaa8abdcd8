import { readFileSync, writeFileSync } from 'node:fs';
import * as core from '@actions/core';
import { join } from 'node:path';
import { createClients, destroyClients } from '../aws/clients';
import { UsageError } from '../errors';
import { failed, renderJunit, renderSmokeMarkdown, renderSmokeText } from '../smoke/report';
import { runSmoke, type SmokeTarget } from '../smoke/run';
import type { Io } from './io';
import { loadValidConfig, type ConfigOptions } from './validate';

export interface SmokeCommandOptions extends ConfigOptions {
  local?: boolean;
  host?: string;
  port?: string;
  hostKeyFingerprint?: string;
  format?: string;
  junit?: string;
  tenant?: string[];
}

const STATE_FILE = join(__dirname, '..', '..', '.local-stack', 'state.json');

export async function smokeCommand(opts: SmokeCommandOptions, io: Io): Promise<number> {
  const { config } = await loadValidConfig(opts, io);
  let target: SmokeTarget;
  let env = io.env;
  if (opts.local) {
    let state: { port: number; hostKeyFingerprint: string; endpoint: string };
    try {
      state = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as typeof state;
    } catch {
      throw new UsageError('no local stack is running; start one with `sftp-tenants local up`');
    }
    target = { host: '127.0.0.1', port: state.port, hostKeyFingerprint: state.hostKeyFingerprint };
    env = { ...io.env, AWS_ENDPOINT_URL: state.endpoint, AWS_ACCESS_KEY_ID: io.env.AWS_ACCESS_KEY_ID ?? 'testing', AWS_SECRET_ACCESS_KEY: io.env.AWS_SECRET_ACCESS_KEY ?? 'testing' };
  } else {
    if (!opts.host || !opts.hostKeyFingerprint) throw new UsageError('give --local, or --host and --host-key-fingerprint (SHA256:...) of the Transfer endpoint');
    target = { host: opts.host, port: Number(opts.port ?? 22), hostKeyFingerprint: opts.hostKeyFingerprint };
  }
  if (!config.platform.canary) throw new UsageError('platform.yaml has no canary settings: there are no canary users to log in as');
  // The SDK's default credential chain reads the process environment.
  const keys = ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  for (const k of keys) if (env[k] !== undefined) process.env[k] = env[k];
  const clients = createClients({ region: config.platform.region, env });
  try {
    const report = await runSmoke({
      config,
      clients,
      target,
      ...(opts.tenant && opts.tenant.length > 0 ? { tenants: opts.tenant } : {}),
      // Smoke never prints a key; masking them makes sure no library's error message can either.
      ...(io.env.GITHUB_ACTIONS === 'true' ? { onSecret: (s: string) => core.setSecret(s) } : {}),
    });
    io.stdout(opts.format === 'markdown' ? renderSmokeMarkdown(report) : renderSmokeText(report));
    if (opts.junit) writeFileSync(opts.junit, renderJunit(report));
    return failed(report) ? 1 : 0;
  } finally {
    destroyClients(clients);
    for (const k of keys) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}
