/**
 * Plan and apply at scale against the emulator (a script, not a test):
 *   npx tsx bench/plan-apply.ts [--sizes 1,10,100]
 * For each fleet size: generate N tenants of 3 users each, apply them to an empty emulator
 * (timed), then plan again (a no-op) and count its AWS calls per tenant.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../local/emulator';
import { CallCounter, createClients, destroyClients } from '../src/aws/clients';
import { executePlan } from '../src/apply/execute';
import { loadConfig } from '../src/config/load';
import { buildPlan } from '../src/plan/build';
import { publicKey } from '../test/helpers/keys';

const sizesArg = process.argv[process.argv.indexOf('--sizes') + 1];
const sizes = (process.argv.includes('--sizes') && sizesArg ? sizesArg : '1,10,100').split(',').map(Number);
const HASH = '$2b$12$C6UzMDM.H6dfI/f/IKxGhuSORQZvdCgy4E4TT6eSV9AOqD9g/2zAi';

function tenantYaml(i: number): string {
  const name = `tenant-${String(i).padStart(3, '0')}`;
  const users = [0, 1, 2]
    .map(
      (u) => `  - name: ${name}-u${u}
    ${u === 0 ? `passwordHash: ${HASH}` : `publicKeys:\n      - ${publicKey('ed25519', `${name}-u${u}`)}`}
    folders:
      - path: /inbound
        access: write-only
      - path: /outbound
        access: read-only`,
    )
    .join('\n');
  return `name: ${name}\ndescription: benchmark tenant ${i}\nowner:\n  email: ops@example.com\nallowedCidrs:\n  - 198.51.100.0/24\nusers:\n${users}\n`;
}

async function main(): Promise<void> {
  const emulator = await startEmulator();
  Object.assign(process.env, emulator.env);
  const rows: string[] = [];
  try {
    for (const n of sizes) {
      await emulator.reset();
      const root = mkdtempSync(join(tmpdir(), 'bench-'));
      mkdirSync(join(root, 'tenants'));
      writeFileSync(join(root, 'platform.yaml'), readFileSync(join(__dirname, '..', 'platform.yaml')));
      for (let i = 0; i < n; i++) writeFileSync(join(root, 'tenants', `tenant-${String(i).padStart(3, '0')}.yaml`), tenantYaml(i));
      const loaded = await loadConfig({ tenantsDir: join(root, 'tenants'), platformFile: join(root, 'platform.yaml') }, { now: new Date() });
      rmSync(root, { recursive: true, force: true });
      if (!loaded.config) throw new Error(JSON.stringify(loaded.problems.slice(0, 3)));
      const config = loaded.config;

      const clients = createClients({ region: config.platform.region });
      const t0 = performance.now();
      const first = await buildPlan({ config, clients, now: new Date() });
      const outcome = await executePlan({
        result: first,
        ctx: { config, clients, allowDestroyData: false, retry: { deadlineMs: 1000, baseDelayMs: 1, maxDelayMs: 1, now: () => Date.now(), sleep: () => Promise.resolve() } },
      });
      const applyMs = performance.now() - t0;
      destroyClients(clients);
      if (outcome.failed > 0) throw new Error(`apply failed: ${JSON.stringify(outcome.events.find((e) => e.status === 'failed'))}`);

      const counter = new CallCounter();
      const counted = createClients({ region: config.platform.region, counter });
      const t1 = performance.now();
      const again = await buildPlan({ config, clients: counted, now: new Date(), counter });
      const planMs = performance.now() - t1;
      destroyClients(counted);
      if (again.plan.changes.length > 0) throw new Error(`re-plan is not empty: ${again.plan.changes.length} changes`);
      rows.push(
        `${String(n).padStart(4)} tenants  apply ${(applyMs / 1000).toFixed(1).padStart(6)} s (${outcome.created} resources)  no-op plan ${(planMs / 1000).toFixed(2).padStart(6)} s, ${String(counter.total).padStart(5)} AWS calls = ${(counter.total / n).toFixed(2)} per tenant`,
      );
      console.log(rows[rows.length - 1]);
    }
  } finally {
    await emulator.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
