/**
 * The one place AWS SDK clients are made. Everything else receives clients from here, so that
 * retry mode, region and the local-emulator endpoint are decided once.
 *
 * The endpoint comes from the SDK's own AWS_ENDPOINT_URL setting; when one is set (the local
 * emulator), S3 is addressed path-style since bucket subdomains of 127.0.0.1 do not resolve.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import { TransferClient } from '@aws-sdk/client-transfer';

export interface AwsClients {
  s3: S3Client;
  kms: KMSClient;
  iam: IAMClient;
  secrets: SecretsManagerClient;
  sts: STSClient;
  transfer: TransferClient;
}

export interface ClientOptions {
  region: string;
  env?: NodeJS.ProcessEnv;
  maxAttempts?: number;
}

export function createClients(opts: ClientOptions): AwsClients {
  const env = opts.env ?? process.env;
  // 'standard', never 'adaptive': adaptive mode's client-side rate limiter slows every tenant
  // when one throttles (DESIGN.md §4).
  const common = { region: opts.region, retryMode: 'standard', maxAttempts: opts.maxAttempts ?? 5 } as const;
  const local = Boolean(env.AWS_ENDPOINT_URL || env.AWS_ENDPOINT_URL_S3);
  return {
    s3: new S3Client({ ...common, forcePathStyle: local }),
    kms: new KMSClient(common),
    iam: new IAMClient(common),
    secrets: new SecretsManagerClient(common),
    sts: new STSClient(common),
    transfer: new TransferClient(common),
  };
}

export function destroyClients(clients: AwsClients): void {
  const { s3, kms, iam, secrets, sts, transfer } = clients;
  for (const client of [s3, kms, iam, secrets, sts, transfer]) client.destroy();
}
