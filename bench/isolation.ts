/**
 * Isolation-proof benchmark (a script, not a test): npx tsx bench/isolation.ts [--tenants 500]
 * Builds N tenants of 3 users with the policies apply would write, then times the proof of all
 * N×(N−1) ordered pairs, clean and with one cross-tenant wildcard injected.
 */
import type { Platform } from '../src/config/schema';
import type { Tenant } from '../src/config/schema';
import { analyzeIsolation, type TenantPolicies } from '../src/isolation/analyze';
import { bucketName, roleArn } from '../src/model/names';
import { RESOURCE_KINDS } from '../src/resources/registry';

const n = Number(process.argv[process.argv.indexOf('--tenants') + 1]) || 500;
const platform: Platform = {
  accountId: '123456789012',
  region: 'eu-west-2',
  serverId: 's-0a1b2c3d4e5f60718',
  namePrefix: 'sftp',
  adminRoleArns: ['arn:aws:iam::123456789012:role/sftp-platform-admin'],
  defaults: { keyDeletionWindowDays: 30, secretRecoveryWindowDays: 30 },
};

function tenant(i: number): Tenant {
  const name = `tenant-${String(i).padStart(4, '0')}`;
  return {
    name,
    description: name,
    owner: { email: 'ops@example.com' },
    allowedCidrs: ['198.51.100.0/24'],
    storage: { versioning: true, onRemoval: 'retain' },
    encryption: { keyRotation: true },
    users: [0, 1, 2].map((u) => ({
      name: `${name}-u${u}`,
      publicKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBK49yPp9yKQnKP/lquku6haCD4nzilkpP0yC/9pFQHc x'],
      folders: [
        { path: '/inbound', access: 'write-only' as const },
        { path: '/outbound', access: 'read-only' as const },
      ],
    })),
  };
}

const tenants = Array.from({ length: n }, (_, i) => tenant(i));
const config = { platform, tenants: tenants.map((t) => ({ file: `${t.name}.yaml`, tenant: t })) };
const t0 = performance.now();
const inputs: TenantPolicies[] = tenants.map((t, i) => {
  const keyArn = `arn:aws:kms:eu-west-2:123456789012:key/${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`;
  const d = Object.fromEntries(RESOURCE_KINDS.map((k) => [k.kind, k.desired({ config, tenant: t, keyArn })]));
  return {
    tenant: t.name,
    roleArn: roleArn(platform, t.name),
    bucket: bucketName(platform, t.name),
    keyArn,
    trustPolicy: d.role![0]!.attributes.trustPolicy,
    identityPolicies: [{ name: 'sftp-tenants-access', document: d.role![0]!.attributes.accessPolicy }],
    sessionPolicies: d.user!.map((u) => ({ user: u.id, document: u.attributes.policy })),
    bucketPolicy: d.bucket![0]!.attributes.policy,
    keyPolicy: d.key![0]!.attributes.policy,
  };
});
const built = performance.now() - t0;

const t1 = performance.now();
const clean = analyzeIsolation(inputs, platform);
const proofMs = performance.now() - t1;

(inputs[0]!.identityPolicies[0]!.document as { Statement: unknown[] }).Statement.push({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::sftp-tenant-*' });
const t2 = performance.now();
const broken = analyzeIsolation(inputs, platform);
const brokenMs = performance.now() - t2;

console.log(`${n} tenants (3 users each): inputs built in ${built.toFixed(0)} ms`);
console.log(`clean:  ${clean.proven}/${clean.pairs} pairs proven in ${proofMs.toFixed(0)} ms`);
console.log(`broken: ${broken.failingPairs.length} failing pairs found in ${brokenMs.toFixed(0)} ms (one wildcard statement of tenant-0000)`);
