/**
 * Apply against the emulator: convergence, crash-resumption without duplicate keys, retries of
 * throttling and transient errors, stale plans, the lock, tenant removal.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeKeyCommand, DisableKeyRotationCommand, paginateListKeys, ListResourceTagsCommand } from '@aws-sdk/client-kms';
import { GetObjectCommand, PutObjectCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { resetEmulator } from '../local/emulator';
import { acquireLock } from '../src/apply/lock';
import { executePlan } from '../src/apply/execute';
import { createClients, destroyClients, type AwsClients } from '../src/aws/clients';
import type { Config } from '../src/config/load';
import { buildPlan } from '../src/plan/build';
import { TAG_TENANT } from '../src/model/tags';
import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { canarySecretName, canaryUsername, userSecretName } from '../src/model/names';
import { parseIdentityRecord } from '../src/model/identity-record';
import { runCli } from './helpers/cli';
import { REPO_ROOT } from './helpers/config-dir';
import { loadExamples } from './helpers/examples';
import { crashAfterWrites, flakyCalls } from './helpers/faults';
import { apply, clients, instantRetry, NOW, plan, withoutTenant } from './helpers/stack';

let config: Config;
let aws: AwsClients;
beforeAll(async () => {
  config = await loadExamples();
  aws = clients();
});
afterAll(() => destroyClients(aws));
beforeEach(() => resetEmulator(process.env.AWS_ENDPOINT_URL!));

const env = () => ({ ...process.env, NO_COLOR: '1' });

async function keysByTenant(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for await (const page of paginateListKeys({ client: aws.kms }, {})) {
    for (const k of page.Keys ?? []) {
      const state = (await aws.kms.send(new DescribeKeyCommand({ KeyId: k.KeyId! }))).KeyMetadata?.KeyState;
      if (state === 'PendingDeletion') continue;
      const tags = (await aws.kms.send(new ListResourceTagsCommand({ KeyId: k.KeyId! }))).Tags ?? [];
      const tenant = tags.find((t) => t.TagKey === TAG_TENANT)?.TagValue;
      if (tenant) counts[tenant] = (counts[tenant] ?? 0) + 1;
    }
  }
  return counts;
}

describe('apply', () => {
  it('applies the examples through the CLI; a plan afterwards exits 0', async () => {
    const applied = await runCli(['apply', '--auto-approve'], { cwd: REPO_ROOT, env: env() });
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/^\[1\/17\] \+ /m);
    expect(applied.stdout).toContain('Apply complete: 17 created, 0 updated, 0 deleted, 0 failed, 0 blocked.');
    const after = await runCli(['plan', '--detailed-exitcode'], { cwd: REPO_ROOT, env: env() });
    expect(after.code).toBe(0);
  });

  it('reports machine-readable results with --json', async () => {
    const applied = await runCli(['apply', '--auto-approve', '--json'], { cwd: REPO_ROOT, env: env() });
    const out = JSON.parse(applied.stdout);
    expect(out.summary).toEqual({ created: 17, updated: 0, deleted: 0, failed: 0, blocked: 0 });
    expect(out.applied).toHaveLength(17);
    expect(out.applied[0]).toMatchObject({ status: 'done', action: 'create' });
  });

  it('refuses to apply without --auto-approve when not at a terminal, and changes nothing', async () => {
    const result = await runCli(['apply'], { cwd: REPO_ROOT, env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('needs --auto-approve');
    expect((await plan(config)).plan.summary.add).toBe(17);
  });

  it.each([1, 2, 3, 5, 8, 13, 21])('converges after a crash after write %i, with no duplicate key', async (n) => {
    const crashing = createClients({ region: 'eu-west-2' });
    crashAfterWrites(crashing, n);
    const first = await buildPlan({ config, clients: crashing, now: NOW });
    const outcome = await executePlan({ result: first, ctx: { config, clients: crashing, retry: instantRetry, allowDestroyData: false } });
    destroyClients(crashing);
    expect(outcome.failed).toBeGreaterThan(0);
    // A failure names the resource, the operation and the error.
    expect(outcome.events.find((e) => e.status === 'failed')!.error).toMatch(/^[a-z-]+\/(key|role|bucket|user)\/\S+: (create|update|delete) failed: [A-Za-z]+: InjectedCrash: injected crash before [A-Za-z]+$/);

    await apply(config);
    expect((await plan(config)).plan.changes).toEqual([]);
    expect(await keysByTenant()).toEqual({ 'harbor-asset-mgmt': 1, 'meridian-capital': 1, 'northwind-clearing': 1 });
  });

  it('converges when a third of the calls are throttled or fail transiently (the SDK retries them)', async () => {
    const flaky = createClients({ region: 'eu-west-2', maxAttempts: 5 });
    const faults = flakyCalls(flaky, 3);
    const result = await buildPlan({ config, clients: flaky, now: NOW });
    const outcome = await executePlan({ result, ctx: { config, clients: flaky, retry: instantRetry, allowDestroyData: false } });
    destroyClients(flaky);
    expect(faults.injected()).toBeGreaterThan(10);
    expect(outcome.failed).toBe(0);
    expect((await plan(config)).plan.changes).toEqual([]);
  });

  it('refuses a stale plan, naming what changed, and a plan of another configuration', async () => {
    await apply(config);
    const { live } = await plan(config);
    const keyId = live.get('harbor-asset-mgmt/key/alias/sftp/harbor-asset-mgmt')!.meta.keyId as string;
    await aws.kms.send(new DisableKeyRotationCommand({ KeyId: keyId }));
    const dir = mkdtempSync(join(tmpdir(), 'stale-'));
    try {
      const planFile = join(dir, 'plan.json');
      expect((await runCli(['plan', '--out', planFile], { cwd: REPO_ROOT, env: env() })).code).toBe(0);
      // Someone changes live state after the plan was reviewed.
      await aws.s3.send(new PutObjectCommand({ Bucket: 'sftp-harbor-asset-mgmt-123456789012', Key: 'x', Body: 'y' }));
      const { live: again } = await plan(config);
      await aws.kms.send(new DisableKeyRotationCommand({ KeyId: again.get('meridian-capital/key/alias/sftp/meridian-capital')!.meta.keyId as string }));
      const stale = await runCli(['apply', planFile], { cwd: REPO_ROOT, env: env() });
      expect(stale.code).toBe(1);
      expect(stale.stderr).toContain('is stale; nothing was applied');
      expect(stale.stderr).toContain('meridian-capital/key/alias/sftp/meridian-capital: a update that the plan did not show');

      // A plan that still matches live state applies.
      const fresh = join(dir, 'fresh.json');
      await runCli(['plan', '--out', fresh], { cwd: REPO_ROOT, env: env() });
      const ok = await runCli(['apply', fresh], { cwd: REPO_ROOT, env: env() });
      expect(ok.stdout).toContain('Apply complete: 0 created, 2 updated');

      // A plan made from another configuration is refused before anything is read.
      const other = JSON.parse(require('node:fs').readFileSync(fresh, 'utf8'));
      other.config_hash = 'sha256:something-else';
      writeFileSync(fresh, JSON.stringify(other));
      const mismatch = await runCli(['apply', fresh], { cwd: REPO_ROOT, env: env() });
      expect(mismatch.code).toBe(1);
      expect(mismatch.stderr).toContain('was made from a different configuration');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a concurrent apply, naming the holder; unlock breaks a stale lock', async () => {
    const lock = await acquireLock(aws, config.platform, { waitMs: 0, pollMs: 1, now: () => Date.now(), sleep: () => Promise.resolve(), command: 'apply (test)' });
    const second = await runCli(['apply', '--auto-approve', '--lock-timeout', '0'], { cwd: REPO_ROOT, env: env() });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('another apply holds the lock');
    expect(second.stderr).toContain('running "apply (test)"');
    expect((await plan(config)).plan.summary.add).toBe(17); // nothing was applied

    const unlocked = await runCli(['unlock'], { cwd: REPO_ROOT, env: env() });
    expect(unlocked.stdout).toContain('Broke the lock held by');
    expect((await runCli(['apply', '--auto-approve'], { cwd: REPO_ROOT, env: env() })).code).toBe(0);
    void lock;
  });

  it('removing a tenant revokes access and keeps its bucket, objects and key', async () => {
    await apply(config);
    await aws.s3.send(new PutObjectCommand({ Bucket: 'sftp-meridian-capital-123456789012', Key: 'reports/q3.csv', Body: 'data' }));
    const { live } = await plan(config);
    const keyId = live.get('meridian-capital/key/alias/sftp/meridian-capital')!.meta.keyId as string;
    const outcome = await apply(withoutTenant(config, 'meridian-capital'));
    expect(outcome.deleted).toBe(5); // three identity records, the canary's, and the role
    expect(await (await aws.s3.send(new GetObjectCommand({ Bucket: 'sftp-meridian-capital-123456789012', Key: 'reports/q3.csv' }))).Body!.transformToString()).toBe('data');
    expect((await aws.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState).toBe('Enabled');
    // Declaring it again restores access on the same key and bucket.
    await apply(config);
    expect((await plan(config)).plan.changes).toEqual([]);
    // ...and the canary's key pair, deleted with its record, comes back with it.
    const canary = await aws.secrets.send(new DescribeSecretCommand({ SecretId: canarySecretName('sftp', 'meridian-capital') }));
    expect(canary.DeletedDate).toBeUndefined();
    const pair = JSON.parse((await aws.secrets.send(new GetSecretValueCommand({ SecretId: canarySecretName('sftp', 'meridian-capital') }))).SecretString!) as { publicKey: string };
    const record = parseIdentityRecord((await aws.secrets.send(new GetSecretValueCommand({ SecretId: userSecretName('s-0a1b2c3d4e5f60718', canaryUsername('meridian-capital')) }))).SecretString!)!;
    expect(record.publicKeys).toEqual([pair.publicKey]);
  });

  it('on removal: destroy schedules the key, deletes an empty bucket, and blocks a non-empty one unless allowed', async () => {
    const destroyAll: Config = { ...config, tenants: config.tenants.map((t) => ({ ...t, tenant: { ...t.tenant, storage: { ...t.tenant.storage, onRemoval: 'destroy' as const } } })) };
    await apply(destroyAll);
    await aws.s3.send(new PutObjectCommand({ Bucket: 'sftp-harbor-asset-mgmt-123456789012', Key: 'inbound/a', Body: 'a' }));
    const gone = withoutTenant(withoutTenant(destroyAll, 'harbor-asset-mgmt'), 'northwind-clearing');
    const { plan: p } = await plan(gone);
    const harborBucket = p.changes.find((c) => c.address === 'harbor-asset-mgmt/bucket/sftp-harbor-asset-mgmt-123456789012')!;
    expect(harborBucket.blocked).toContain('still holds objects');
    await apply(gone);
    await expect(aws.s3.send(new HeadBucketCommand({ Bucket: 'sftp-northwind-clearing-123456789012' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    await expect(aws.s3.send(new HeadBucketCommand({ Bucket: 'sftp-harbor-asset-mgmt-123456789012' }))).resolves.toBeDefined();
    await apply(gone, { allowDestroyData: true });
    await expect(aws.s3.send(new HeadBucketCommand({ Bucket: 'sftp-harbor-asset-mgmt-123456789012' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    expect(await keysByTenant()).toEqual({ 'meridian-capital': 1 });
  });
});
