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
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';

export interface AwsClients {
  s3: S3Client;
  kms: KMSClient;
  iam: IAMClient;
  secrets: SecretsManagerClient;
  sts: STSClient;
  transfer: TransferClient;
  tagging: ResourceGroupsTaggingAPIClient;
}

/** Counts AWS operations (not retries) per service and operation, for --verbose and benchmarks. */
export class CallCounter {
  readonly counts = new Map<string, number>();
  record(service: string, operation: string): void {
    const key = `${service}.${operation}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  get total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }
  byOperation(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}

export interface ClientOptions {
  region: string;
  env?: NodeJS.ProcessEnv;
  maxAttempts?: number;
  counter?: CallCounter;
}

export function createClients(opts: ClientOptions): AwsClients {
  const env = opts.env ?? process.env;
  // 'standard', never 'adaptive': adaptive mode's client-side rate limiter slows every tenant
  // when one throttles (DESIGN.md §4).
  const common = { region: opts.region, retryMode: 'standard', maxAttempts: opts.maxAttempts ?? 5 } as const;
  const local = Boolean(env.AWS_ENDPOINT_URL || env.AWS_ENDPOINT_URL_S3);
  const clients: AwsClients = {
    s3: new S3Client({ ...common, forcePathStyle: local }),
    kms: new KMSClient(common),
    iam: new IAMClient(common),
    secrets: new SecretsManagerClient(common),
    sts: new STSClient(common),
    transfer: new TransferClient(common),
    tagging: new ResourceGroupsTaggingAPIClient(common),
  };
  // Errors name the operation that failed, so messages can say which call it was.
  for (const client of Object.values(clients) as Array<{ middlewareStack: S3Client['middlewareStack'] }>) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        try {
          return await next(args);
        } catch (err) {
          if (err !== null && typeof err === 'object') (err as { $operation?: string }).$operation = String(context.commandName ?? '').replace(/Command$/, '');
          throw err;
        }
      },
      { step: 'initialize', name: 'sftpTenantsOperationName' },
    );
  }
  const counter = opts.counter;
  if (counter) {
    for (const [service, client] of Object.entries(clients) as Array<[string, { middlewareStack: S3Client['middlewareStack'] }]>) {
      client.middlewareStack.add(
        (next, context) => (args) => {
          counter.record(service, String(context.commandName ?? 'unknown').replace(/Command$/, ''));
          return next(args);
        },
        { step: 'initialize', name: 'sftpTenantsCallCounter' },
      );
    }
  }
  return clients;
}

export function destroyClients(clients: AwsClients): void {
  const { s3, kms, iam, secrets, sts, transfer, tagging } = clients;
  for (const client of [s3, kms, iam, secrets, sts, transfer, tagging]) client.destroy();
}
