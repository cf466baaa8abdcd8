/**
 * The isolation proof: the examples prove clean; each injected mistake is caught for the right
 * pair with the statement that caused it; live drift shows as a live breach for exactly its pair.
 */
import { GetKeyPolicyCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { GetRolePolicyCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { resetEmulator } from '../local/emulator';
import { analyzeIsolation, type Breach } from '../src/isolation/analyze';
import { destroyClients, type AwsClients } from '../src/aws/clients';
import type { Config } from '../src/config/load';
import { INLINE_POLICY_NAME } from '../src/model/policies';
import { runCli } from './helpers/cli';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_PLATFORM, makeConfigDir, REPO_ROOT } from './helpers/config-dir';
import { loadExamples } from './helpers/examples';
import { analysisContext, declaredPolicies, MUTATIONS as cases } from './helpers/isolation-fixtures';
import { apply, clients, plan } from './helpers/stack';

let config: Config;
beforeAll(async () => {
  config = await loadExamples();
});

const H = 'harbor-asset-mgmt';
const M = 'meridian-capital';
const N = 'northwind-clearing';
const pairs = (b: Breach[]) => [...new Set(b.map((x) => `${x.from}->${x.to}`))].sort();

describe('isolation proof', () => {
  it('proves the examples clean: 3 tenants, 6 pairs', () => {
    const report = analyzeIsolation(declaredPolicies(config), analysisContext(config));
    expect(report).toMatchObject({ tenants: 3, pairs: 6, proven: 6, failingPairs: [], breaches: [] });
  });

  it.each(Object.entries(cases))('catches %s with the right pair and statement', (_name, c) => {
    const inputs = declaredPolicies(config);
    c.mutate(Object.fromEntries(inputs.map((t) => [t.tenant, t])));
    const report = analyzeIsolation(inputs, analysisContext(config));
    expect(pairs(report.breaches)).toEqual(c.pairs);
    expect(report.breaches.every((b) => b.layer === c.layer)).toBe(true);
    for (const b of report.breaches) expect(JSON.stringify(b.statement)).toContain(c.statement);
    const expectedFailing = c.pairs.flatMap((p) => {
      const [from, to] = p.split('->') as [string, string];
      return from === '*' ? [H, M, N].filter((x) => x !== to).map((x) => `${x}->${to}`) : [p];
    });
    expect(report.failingPairs.map((p) => `${p.from}->${p.to}`).sort()).toEqual(expectedFailing.sort());
    expect(report.proven).toBe(6 - expectedFailing.length);
  });
});

describe('isolation at plan time, against the emulator', () => {
  let aws: AwsClients;
  beforeAll(() => {
    aws = clients();
  });
  afterAll(() => destroyClients(aws));
  beforeEach(async () => {
    await resetEmulator(process.env.AWS_ENDPOINT_URL!);
    await apply(config);
  });

  it('reports a widened role policy as a live breach for exactly that pair, while after-apply stays proven', async () => {
    const RoleName = 'sftp-tenant-harbor-asset-mgmt';
    const doc = JSON.parse(decodeURIComponent((await aws.iam.send(new GetRolePolicyCommand({ RoleName, PolicyName: INLINE_POLICY_NAME }))).PolicyDocument!));
    doc.Statement.push({ Sid: 'Drift', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::sftp-meridian-capital-123456789012/*' });
    await aws.iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: INLINE_POLICY_NAME, PolicyDocument: JSON.stringify(doc) }));
    const { plan: p } = await plan(config);
    expect(p.isolation.live.failingPairs).toEqual([{ from: H, to: M }]);
    expect(JSON.stringify(p.isolation.live.breaches[0]!.statement)).toContain('"Sid":"Drift"');
    expect(p.isolation.after.failingPairs).toEqual([]);
    const text = await runCli(['plan'], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' } });
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[2]).toContain('LIVE BREACH');
    expect(text.stdout).toContain(`${H} -> ${M} [role-policy]`);
    const md = await runCli(['plan', '--format', 'markdown'], { cwd: REPO_ROOT, env: process.env });
    expect(md.stdout.startsWith('> [!CAUTION]\n> **Live breach**')).toBe(true);
  });

  it("reports a key policy admitting another tenant's role as a live breach for that pair", async () => {
    const { live } = await plan(config);
    const KeyId = live.get(`${N}/key/alias/sftp/${N}`)!.meta.keyId as string;
    const doc = JSON.parse((await aws.kms.send(new GetKeyPolicyCommand({ KeyId, PolicyName: 'default' }))).Policy!);
    doc.Statement.push({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:role/sftp-tenant-harbor-asset-mgmt' }, Action: 'kms:Decrypt', Resource: '*' });
    await aws.kms.send(new PutKeyPolicyCommand({ KeyId, PolicyName: 'default', Policy: JSON.stringify(doc) }));
    const { plan: p } = await plan(config);
    expect(p.isolation.live.failingPairs).toEqual([{ from: H, to: N }]);
    expect(p.isolation.live.breaches[0]!.layer).toBe('key-policy');
  });

  it('fails the plan (exit 1) when the configuration itself would break isolation, unless allowed', async () => {
    const broken: Config = {
      ...config,
      platform: { ...config.platform, adminRoleArns: [...config.platform.adminRoleArns, 'arn:aws:iam::123456789012:role/sftp-tenant-meridian-capital'] },
    };
    const { plan: p } = await plan(broken);
    // Meridian's role is now an "admin" in every bucket policy: it reaches the other two tenants.
    expect(p.isolation.after.failingPairs).toEqual([
      { from: M, to: H },
      { from: M, to: N },
    ]);

    const files = Object.fromEntries(['harbor-asset-mgmt', 'meridian-capital', 'northwind-clearing'].map((t) => [`${t}.yaml`, readFileSync(join(REPO_ROOT, 'tenants', `${t}.yaml`), 'utf8')]));
    const dir = makeConfigDir(files, EXAMPLE_PLATFORM.replace('  - arn:aws:iam::123456789012:role/sftp-tenants-reconciler', '  - arn:aws:iam::123456789012:role/sftp-tenants-reconciler\n  - arn:aws:iam::123456789012:role/sftp-tenant-meridian-capital'));
    try {
      const env = { ...process.env, NO_COLOR: '1' };
      const refused = await runCli(['plan'], { cwd: dir.root, env });
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain('Isolation: NOT PROVEN for 2 of 6 pairs. After apply:');
      expect(refused.stderr).toContain('isolation is not proven after apply for 2 pair(s)');
      expect((await runCli(['plan', '--allow-isolation-failure'], { cwd: dir.root, env })).code).toBe(0);
      const applied = await runCli(['apply', '--auto-approve'], { cwd: dir.root, env });
      expect(applied.code).toBe(1);
      expect(applied.stderr).toContain('nothing was applied');
    } finally {
      dir.cleanup();
    }
  });
});
