/**
 * Identity-provider latency benchmark (a script, not a test):
 *   npx tsx bench/idp.ts [--rounds N]
 * Starts the emulator, stores the example users' identity records, then measures with a warm
 * record cache: p50/p99 of key logins and of password logins (bcrypt cost 12 and argon2id
 * m=19456 t=2), and the timing of unknown-user failures against wrong-password failures.
 */
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { startEmulator } from '../local/emulator';
import { createClients, destroyClients } from '../src/aws/clients';
import { buildIdentityRecord, serialiseIdentityRecord } from '../src/model/identity-record';
import { userSecretName } from '../src/model/names';
import { createIdp, DEFAULT_PASSWORD_FLOOR_MS } from '../src/idp/handler';
import type { AuthRequest } from '../src/idp/authenticate';
import { verifyPassword } from '../src/idp/passwords';
import { secretsManagerReader } from '../src/idp/secrets';
import { EXAMPLE_PASSWORDS, loadExamples } from '../test/helpers/examples';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 40;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const emulator = await startEmulator();
  Object.assign(process.env, emulator.env);
  const aws = createClients({ region: 'eu-west-2' });
  try {
    const config = await loadExamples();
    const serverId = config.platform.serverId;
    for (const { tenant } of config.tenants) {
      for (const user of tenant.users) {
        const record = buildIdentityRecord(config.platform, tenant, user, 'arn:aws:kms:eu-west-2:123456789012:key/00000000-0000-0000-0000-000000000001');
        await aws.secrets.send(new CreateSecretCommand({ Name: userSecretName(serverId, user.name), SecretString: serialiseIdentityRecord(record) }));
      }
    }
    for (const floor of [0, DEFAULT_PASSWORD_FLOOR_MS]) await measure(floor, serverId, aws);
  } finally {
    destroyClients(aws);
    await emulator.stop();
  }
}

async function measure(passwordFloorMs: number, serverId: string, aws: ReturnType<typeof createClients>): Promise<void> {
  {
    const idp = createIdp({ verifyPassword, readSecret: secretsManagerReader(aws.secrets), log: () => undefined, cacheTtlMs: 60_000, passwordFloorMs });
    const base = { protocol: 'SFTP', serverId };
    const scenarios: Record<string, AuthRequest> = {
      'key login (ok)': { ...base, username: 'meridian-risk', sourceIp: '192.0.2.40' },
      'password login, bcrypt-12 (ok)': { ...base, username: 'harbor.collateral', sourceIp: '203.0.113.17', password: EXAMPLE_PASSWORDS['harbor.collateral'] },
      'password login, argon2id (ok)': { ...base, username: 'meridian-ops', sourceIp: '192.0.2.10', password: EXAMPLE_PASSWORDS['meridian-ops'] },
      'wrong password, bcrypt-12 user': { ...base, username: 'harbor.collateral', sourceIp: '203.0.113.17', password: 'wrong-password' },
      'wrong password, argon2id user': { ...base, username: 'meridian-ops', sourceIp: '192.0.2.10', password: 'wrong-password' },
      'unknown user, password': { ...base, username: 'no-such-user', sourceIp: '203.0.113.17', password: 'wrong-password' },
      'unknown user, key': { ...base, username: 'no-such-user', sourceIp: '203.0.113.17' },
    };
    // Warm the cache and the WebAssembly modules.
    for (const r of Object.values(scenarios)) await idp.authenticate(r);

    const results: Record<string, { p50: number; p99: number; mean: number }> = {};
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(scenarios).map((k) => [k, []]));
    // Interleave scenarios so drift in machine load spreads over all of them alike.
    for (let i = 0; i < rounds; i++) {
      for (const [name, r] of Object.entries(scenarios)) {
        const t0 = process.hrtime.bigint();
        await idp.authenticate(r);
        samples[name]!.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
    for (const [name, values] of Object.entries(samples)) {
      const sorted = [...values].sort((a, b) => a - b);
      results[name] = { p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: values.reduce((a, b) => a + b, 0) / values.length };
    }
    console.log(`\nidentity provider, warm cache, password floor ${passwordFloorMs} ms, ${rounds} rounds, node ${process.version}`);
    console.log('scenario'.padEnd(34), 'p50 ms'.padStart(9), 'p99 ms'.padStart(9), 'mean ms'.padStart(9));
    for (const [name, r] of Object.entries(results)) {
      console.log(name.padEnd(34), r.p50.toFixed(2).padStart(9), r.p99.toFixed(2).padStart(9), r.mean.toFixed(2).padStart(9));
    }
    const diff = (a: string, b: string) => results[a]!.p50 - results[b]!.p50;
    console.log(`unknown user vs wrong password (bcrypt-12 user), p50 difference: ${diff('unknown user, password', 'wrong password, bcrypt-12 user').toFixed(2)} ms`);
    console.log(`unknown user vs wrong password (argon2id user), p50 difference: ${diff('unknown user, password', 'wrong password, argon2id user').toFixed(2)} ms`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
