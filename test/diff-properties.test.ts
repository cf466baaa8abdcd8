import fc from 'fast-check';
import { canonicalPolicy, policiesEqual } from '../src/plan/canonical';
import { attributeChanges, diffKind } from '../src/plan/diff';
import { RESOURCE_KINDS } from '../src/resources/registry';
import type { LiveResource } from '../src/resources/types';
import type { Tenant } from '../src/config/schema';
import { loadExamples } from './helpers/examples';

const action = fc.constantFrom('s3:GetObject', 's3:PutObject', 'kms:Decrypt', 's3:ListBucket', 'kms:GenerateDataKey');
const resource = fc.constantFrom('arn:aws:s3:::a', 'arn:aws:s3:::a/*', '*', 'arn:aws:kms:eu-west-2:123456789012:key/k');
const statement = fc.record(
  {
    Sid: fc.constantFrom('A', 'B', 'C'),
    Effect: fc.constantFrom('Allow', 'Deny'),
    Action: fc.oneof(action, fc.uniqueArray(action, { minLength: 1, maxLength: 3 })),
    Resource: fc.oneof(resource, fc.uniqueArray(resource, { minLength: 1, maxLength: 3 })),
    Condition: fc.option(fc.record({ StringEquals: fc.record({ 'aws:SourceAccount': fc.constantFrom('123456789012', '210987654321') }) }), { nil: undefined }),
  },
  { requiredKeys: ['Effect', 'Action', 'Resource'] },
);
const policy = fc.record({ Version: fc.constant('2012-10-17'), Statement: fc.array(statement, { minLength: 1, maxLength: 5 }) });

/** The same policy written another way: shuffled, one-element arrays as strings and back, actions re-cased, URL-encoded. */
function rewrite(p: { Version: string; Statement: Array<Record<string, unknown>> }, seed: number): string {
  const flip = (v: unknown) => (Array.isArray(v) && v.length === 1 ? v[0] : typeof v === 'string' ? [v] : v);
  const statements = p.Statement.map((s) => ({ ...s, Sid: undefined, Action: flip(Array.isArray(s.Action) ? s.Action.map((a: string) => a.toUpperCase()) : String(s.Action).toLowerCase()), Resource: flip(s.Resource) }));
  const shuffled = statements.map((s, i) => [((i + 1) * (seed + 7)) % 97, s] as const).sort(([a], [b]) => a - b).map(([, s]) => s);
  const text = JSON.stringify({ Version: p.Version, Statement: shuffled });
  return seed % 2 === 0 ? encodeURIComponent(text) : text;
}

describe('canonical policy equality (properties)', () => {
  it('is reflexive and symmetric', () => {
    fc.assert(fc.property(policy, policy, (a, b) => policiesEqual(a, a) && policiesEqual(a, b) === policiesEqual(b, a)));
  });

  it('ignores order, Sids, string-versus-array, action case and URL-encoding', () => {
    fc.assert(fc.property(policy, fc.nat(1000), (p, seed) => policiesEqual(p, rewrite(p, seed)) && policiesEqual(rewrite(p, seed), p)));
  });

  it('tells apart policies that differ in meaning', () => {
    fc.assert(
      fc.property(policy, (p) => {
        const widened = { ...p, Statement: [...p.Statement, { Effect: 'Allow', Action: 's3:DeleteBucket', Resource: '*' }] };
        return !policiesEqual(p, widened);
      }),
    );
  });

  it('parses IAM-style URL-encoded documents', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };
    expect(canonicalPolicy(encodeURIComponent(JSON.stringify(doc)))).toEqual(canonicalPolicy(doc));
  });
});

describe('diff(x, x) is empty (property)', () => {
  it('for every kind, for tenants with arbitrary settings', async () => {
    const { platform, tenants } = await loadExamples();
    const config = { platform, tenants };
    const settings = fc.record({
      tenant: fc.constantFrom(...tenants.map((t) => t.tenant)),
      rotation: fc.boolean(),
      versioning: fc.boolean(),
      expire: fc.option(fc.integer({ min: 1, max: 3650 }), { nil: undefined }),
      onRemoval: fc.constantFrom('retain' as const, 'destroy' as const),
      keyArn: fc.constantFrom('arn:aws:kms:eu-west-2:123456789012:key/1', '(known after apply)'),
    });
    fc.assert(
      fc.property(settings, (s) => {
        const tenant: Tenant = {
          ...s.tenant,
          encryption: { keyRotation: s.rotation },
          storage: { versioning: s.versioning, onRemoval: s.onRemoval, ...(s.expire !== undefined ? { expireAfterDays: s.expire } : {}) },
        };
        return RESOURCE_KINDS.every((kind) => {
          const desired = kind.desired({ config, tenant, keyArn: s.keyArn });
          const live: LiveResource[] = desired.map((d) => ({ kind: d.kind, tenant: d.tenant, id: d.id, attributes: structuredClone(d.attributes), owned: true, meta: {} }));
          return diffKind(kind, desired, live).length === 0 && desired.every((d) => attributeChanges(kind, d.attributes, d.attributes).changes.length === 0);
        });
      }),
      { numRuns: 200 },
    );
  });
});
