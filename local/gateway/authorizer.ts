/**
 * Authorises each data-path request as AWS would: the role's identity policies and the session
 * policy must allow it, the bucket policy must not deny it, and the key policy must let the role
 * use the key for the encryption or decryption it implies. The evaluation is iam-simulate's
 * (AGPL, a dev-only dependency: this tooling is never shipped).
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';

export interface SessionPolicies {
  accountId: string;
  region: string;
  roleArn: string;
  identityPolicies: Array<{ name: string; policy: unknown }>;
  sessionPolicy: unknown;
}

export interface Check {
  action: string;
  resource: string;
  resourcePolicy: unknown;
  context?: Record<string, string | string[]>;
}

export async function allowed(session: SessionPolicies, check: Check): Promise<boolean> {
  const roleName = session.roleArn.split('/').pop() ?? '';
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:sts::${session.accountId}:assumed-role/${roleName}/sftp-gateway`,
        action: check.action,
        resource: { resource: check.resource, accountId: session.accountId },
        contextVariables: {
          'aws:PrincipalArn': session.roleArn,
          'aws:SecureTransport': 'true',
          'kms:ViaService': `s3.${session.region}.amazonaws.com`,
          'kms:CallerAccount': session.accountId,
          ...check.context,
        },
      },
      identityPolicies: session.identityPolicies,
      ...(session.sessionPolicy !== undefined ? { sessionPolicy: session.sessionPolicy } : {}),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(check.resourcePolicy ? { resourcePolicy: check.resourcePolicy } : {}),
    },
    { simulationMode: 'Strict' } as never,
  );
  return result.resultType !== 'error' && (result as { overallResult: string }).overallResult === 'Allowed';
}
