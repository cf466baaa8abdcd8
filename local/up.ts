/**
 * `sftp-tenants local up`: the whole local stack in one process: the AWS emulator, the tenants
 * applied to it, and the SFTP gateway in front. Writes .local-stack/state.json (ports, host-key
 * fingerprint, pid) for `local down` and `smoke --local`, and runs until stopped.
 *
 *   npx tsx local/up.ts [--dir tenants] [--port 2222] [--source-ip 203.0.113.17]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from './emulator';
import { startGateway } from './gateway/server';
import { createClients, destroyClients } from '../src/aws/clients';
import { executePlan } from '../src/apply/execute';
import { defaultRetryPolicy } from '../src/apply/retry';
import { loadConfig, resolveConfigPaths } from '../src/config/load';
import { formatProblem } from '../src/config/problems';
import { buildPlan } from '../src/plan/build';
import { createIdp } from '../src/idp/handler';
import { verifyPassword } from '../src/idp/passwords';
import { secretsManagerReader } from '../src/idp/secrets';

export const STATE_DIR = join(__dirname, '..', '.local-stack');
export const STATE_FILE = join(STATE_DIR, 'state.json');

export interface LocalStackState {
  pid: number;
  endpoint: string;
  host: string;
  port: number;
  hostKeyFingerprint: string;
  serverId: string;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const paths = resolveConfigPaths({ ...(arg('--dir') ? { dir: arg('--dir')! } : {}) });
  const loaded = await loadConfig(paths, { now: new Date() });
  if (!loaded.config) {
    for (const p of loaded.problems) console.error(formatProblem(p));
    process.exit(1);
  }
  const config = loaded.config;
  const emulator = await startEmulator({ region: config.platform.region });
  Object.assign(process.env, emulator.env);
  const clients = createClients({ region: config.platform.region });
  const running: { gateway?: Awaited<ReturnType<typeof startGateway>> } = {};
  const stop = async () => {
    rmSync(STATE_FILE, { force: true });
    await running.gateway?.close();
    destroyClients(clients);
    await emulator.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());

  const planned = await buildPlan({ config, clients, now: new Date() });
  const outcome = await executePlan({ result: planned, ctx: { config, clients, retry: defaultRetryPolicy(), allowDestroyData: false } });
  console.log(`applied ${outcome.created} resources of ${config.tenants.length} tenants to the emulator at ${emulator.endpoint}`);

  const idp = createIdp({ verifyPassword, readSecret: secretsManagerReader(clients.secrets), log: (l) => console.log(`idp: ${l}`), passwordFloorMs: 0 });
  const sourceIp = arg('--source-ip');
  const gateway = await startGateway({
    clients,
    accountId: config.platform.accountId,
    region: config.platform.region,
    serverId: config.platform.serverId,
    identityProvider: (e) => idp.authenticate(e),
    port: Number(arg('--port') ?? 0),
    ...(sourceIp ? { sourceIp } : {}),
  });
  running.gateway = gateway;
  const state: LocalStackState = { pid: process.pid, endpoint: emulator.endpoint, host: '127.0.0.1', port: gateway.port, hostKeyFingerprint: gateway.hostKeyFingerprint, serverId: config.platform.serverId };
  mkdirSync(STATE_DIR, { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));
  console.log(`SFTP gateway on 127.0.0.1:${gateway.port} (host key ${gateway.hostKeyFingerprint})${sourceIp ? `, reporting clients as ${sourceIp}` : ''}`);
  console.log(`connect:  sftp -P ${gateway.port} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null USER@127.0.0.1`);
  console.log('stop:     sftp-tenants local down (or Ctrl-C)');
  console.log('LOCAL_STACK_READY');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
