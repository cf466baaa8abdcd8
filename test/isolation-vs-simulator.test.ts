/**
 * The proof against a full IAM evaluator (iam-simulate, a dev-only dependency: AGPL, never in
 * src/): wherever the analysis says a pair is proven, the evaluator must deny every request of
 * that pair, on the declared policies and on every mutated set. A positive control shows the
 * evaluator grants a tenant its own access, so "denied" is not an artefact of the setup.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { analyzeIsolation, type TenantPolicies } from '../src/isolation/analyze';
import type { Config } from '../src/config/load';
import { loadExamples } from './helpers/examples';
import { analysisContext, declaredPolicies, MUTATIONS } from './helpers/isolation-fixtures';

let config: Config;
beforeAll(async () => {
  config = await loadExamples();
});

interface Request {
  action: string;
  resource: string;
  resourcePolicy: unknown;
}

function requestsAgainst(b: TenantPolicies): Request[] {
  return [
    { action: 's3:GetObject', resource: `arn:aws:s3:::${b.bucket}/outbound/report.csv`, resourcePolicy: b.bucketPolicy },
    { action: 's3:PutObject', resource: `arn:aws:s3:::${b.bucket}/inbound/trades.csv`, resourcePolicy: b.bucketPolicy },
    { action: 's3:ListBucket', resource: `arn:aws:s3:::${b.bucket}`, resourcePolicy: b.bucketPolicy },
    { action: 's3:DeleteObject', resource: `arn:aws:s3:::${b.bucket}/portfolios/p.csv`, resourcePolicy: b.bucketPolicy },
    { action: 'kms:Decrypt', resource: b.keyArn, resourcePolicy: b.keyPolicy },
    { action: 'kms:GenerateDataKey', resource: b.keyArn, resourcePolicy: b.keyPolicy },
  ];
}

async function simulate(a: TenantPolicies, req: Request, session: unknown, uploadKey: string): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:sts::123456789012:assumed-role/${a.roleArn.split('/').pop()}/sftp-session`,
        action: req.action,
        resource: { resource: req.resource, accountId: '123456789012' },
        contextVariables: {
          'aws:PrincipalArn': a.roleArn,
          'aws:SecureTransport': 'true',
          'kms:ViaService': 's3.eu-west-2.amazonaws.com',
          'kms:CallerAccount': '123456789012',
          's3:x-amz-server-side-encryption': 'aws:kms',
          's3:x-amz-server-side-encryption-aws-kms-key-id': uploadKey,
        },
      },
      identityPolicies: a.identityPolicies.map((p) => ({ name: p.name, policy: p.document })),
      ...(session !== undefined ? { sessionPolicy: session } : {}),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: req.resourcePolicy,
    },
    { simulationMode: 'Strict' } as never,
  );
  if (result.resultType === 'error') throw new Error(`simulation error: ${JSON.stringify(result.errors)}`);
  return (result as { overallResult: string }).overallResult;
}

async function checkAgreement(inputs: TenantPolicies[]): Promise<number> {
  const report = analyzeIsolation(inputs, analysisContext(config));
  const failing = new Set(report.failingPairs.map((p) => `${p.from}->${p.to}`));
  let checked = 0;
  for (const a of inputs) {
    for (const b of inputs) {
      if (a === b || failing.has(`${a.tenant}->${b.tenant}`)) continue;
      // Each of A's sessions, and the role with no session policy at all (a mis-edited record).
      for (const session of [...a.sessionPolicies.map((s) => s.document), undefined]) {
        for (const req of requestsAgainst(b)) {
          for (const uploadKey of [a.keyArn, b.keyArn]) {
            const decision = await simulate(a, req, session, uploadKey);
            if (decision === 'Allowed') throw new Error(`analysis proved ${a.tenant} -> ${b.tenant}, but the evaluator allows ${req.action} on ${req.resource}`);
            checked++;
          }
        }
      }
    }
  }
  return checked;
}

describe('the isolation proof agrees with a full IAM evaluator', () => {
  it('positive control: a tenant may use its own bucket and key', async () => {
    const h = declaredPolicies(config).find((t) => t.tenant === 'harbor-asset-mgmt')!;
    const session = h.sessionPolicies[0]!.document;
    expect(await simulate(h, { action: 's3:PutObject', resource: `arn:aws:s3:::${h.bucket}/inbound/trades.csv`, resourcePolicy: h.bucketPolicy }, session, h.keyArn)).toBe('Allowed');
    expect(await simulate(h, { action: 'kms:Decrypt', resource: h.keyArn, resourcePolicy: h.keyPolicy }, session, h.keyArn)).toBe('Allowed');
    // ...and what its session policy does not grant stays denied (read from a write-only folder).
    expect(await simulate(h, { action: 's3:GetObject', resource: `arn:aws:s3:::${h.bucket}/inbound/trades.csv`, resourcePolicy: h.bucketPolicy }, session, h.keyArn)).not.toBe('Allowed');
  });

  it('on the declared policies', async () => {
    expect(await checkAgreement(declaredPolicies(config))).toBeGreaterThan(100);
  }, 120_000);

  it.each(Object.keys(MUTATIONS))('on the mutation: %s', async (name) => {
    const inputs = declaredPolicies(config);
    MUTATIONS[name]!.mutate(Object.fromEntries(inputs.map((t) => [t.tenant, t])));
    await checkAgreement(inputs);
  }, 120_000);
});
