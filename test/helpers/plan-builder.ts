/** Builders for plans, for rendering tests that need no AWS. */
import { classify, PLAN_FORMAT_VERSION, summarise, type Change, type Finding, type Plan } from '../../src/plan/types';

export function change(over: Partial<Change> & Pick<Change, 'tenant' | 'kind' | 'id' | 'action'>): Change {
  const risks = over.risks ?? [];
  return {
    address: `${over.tenant}/${over.kind}/${over.id}`,
    reason: over.action === 'create' ? 'declared, not found' : over.action === 'delete' ? 'owned but no longer declared' : 'live state differs from the declared state',
    classification: classify(risks),
    risks,
    attributes: [],
    liveFingerprint: over.action === 'create' ? null : 'sha256:0000',
    ...over,
  };
}

export function planWith(changes: Change[], findings: Finding[] = []): Plan {
  return {
    format_version: PLAN_FORMAT_VERSION,
    tool: { name: 'sftp-tenants', version: '0.0.0-test' },
    created_at: '2026-12-01T00:00:00.000Z',
    config_hash: 'sha256:test',
    platform: { accountId: '123456789012', region: 'eu-west-2', serverId: 's-0a1b2c3d4e5f60718', namePrefix: 'sftp' },
    scope: null,
    tenants: [...new Set(changes.map((c) => c.tenant))].sort(),
    changes,
    findings,
    summary: summarise(changes),
    isolation: {
      after: { tenants: 3, pairs: 6, proven: 6, failingPairs: [], breaches: [] },
      live: { tenants: 3, pairs: 6, proven: 6, failingPairs: [], breaches: [] },
    },
  };
}

const POLICY_BEFORE = { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] };
const POLICY_AFTER = {
  Statement: [
    { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
    { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/in/*' },
  ],
};

/** A small plan with one of everything a reviewer must see. */
export function samplePlan(): Plan {
  return planWith(
    [
      change({
        tenant: 'acme',
        kind: 'user',
        id: 'acme-ops',
        action: 'update',
        risks: [{ class: 'security-broadening', reason: 'allowedCidrs now admits 0.0.0.0/1' }],
        attributes: [
          { name: 'allowedCidrs', before: ['198.51.100.0/24'], after: ['0.0.0.0/1'] },
          { name: 'passwordHash', before: 'sha256:AAAAAAAAAAAAAAAA', after: 'sha256:BBBBBBBBBBBBBBBB' },
          { name: 'policy', before: POLICY_BEFORE, after: POLICY_AFTER },
        ],
      }),
      change({ tenant: 'acme', kind: 'key', id: 'alias/sftp/acme', action: 'update', attributes: [{ name: 'rotation', before: false, after: true }] }),
      change({
        tenant: 'gone',
        kind: 'role',
        id: 'sftp-tenant-gone',
        action: 'delete',
        risks: [{ class: 'destroy', reason: 'deleting the role revokes the access of every user of the tenant' }],
      }),
      change({
        tenant: 'gone',
        kind: 'bucket',
        id: 'sftp-gone-123456789012',
        action: 'delete',
        risks: [{ class: 'destroy', reason: 'the bucket is deleted' }, { class: 'data-loss', reason: 'the tenant data in it is gone for good' }],
        blocked: 'the bucket still holds objects; deleting it needs --allow-destroy-data',
      }),
      change({ tenant: 'newco', kind: 'bucket', id: 'sftp-newco-123456789012', action: 'create', attributes: [{ name: 'versioning', before: null, after: 'Enabled' }, { name: 'policy', before: null, after: POLICY_BEFORE }] }),
    ],
    [
      { kind: 'unmanaged-identity', address: '-/user/backdoor', message: 'secret sftp/s-0a1b2c3d4e5f60718/backdoor is an identity record outside GitOps control' },
      { kind: 'retained', address: 'gone/key/alias/sftp/gone', message: 'key alias/sftp/gone is kept (on removal: retain)' },
    ],
  );
}
