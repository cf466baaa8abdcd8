/**
 * The apply lock: one S3 object created with a conditional put (If-None-Match: *), so two applies
 * against one account never interleave. It records who holds it and since when. A second apply
 * waits a bounded time, then fails naming the holder; a stale lock is broken only by `unlock`.
 * The object lives in the deployment's control bucket, which apply creates on first use.
 */
import { hostname, userInfo } from 'node:os';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import type { AwsClients } from '../aws/clients';
import { RESERVED_TENANT_NAME as CONTROL_TENANT_NAME } from '../config/rules';
import type { Platform } from '../config/schema';
import { LockHeldError } from '../errors';
import { MANAGED_BY_VALUE, TAG_DEPLOYMENT, TAG_MANAGED_BY } from '../model/tags';

export const LOCK_KEY = 'locks/apply.json';


export function controlBucketName(platform: Platform): string {
  return `${platform.namePrefix}-${CONTROL_TENANT_NAME}-${platform.accountId}`;
}

export interface LockInfo {
  holder: string;
  acquiredAt: string;
  command: string;
}

export interface LockOptions {
  waitMs: number;
  pollMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  command: string;
}

async function ensureControlBucket(clients: AwsClients, platform: Platform): Promise<string> {
  const Bucket = controlBucketName(platform);
  try {
    await clients.s3.send(new HeadBucketCommand({ Bucket }));
    return Bucket;
  } catch (err) {
    if ((err as { name?: string }).name !== 'NotFound' && (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 404) throw err;
  }
  await clients.s3.send(
    new CreateBucketCommand({ Bucket, ...(platform.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: platform.region as never } }) }),
  );
  await clients.s3.send(
    new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: TAG_MANAGED_BY, Value: MANAGED_BY_VALUE }, { Key: TAG_DEPLOYMENT, Value: platform.namePrefix }] } }),
  );
  await clients.s3.send(
    new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } }),
  );
  return Bucket;
}

async function readLock(clients: AwsClients, Bucket: string): Promise<LockInfo | undefined> {
  try {
    const out = await clients.s3.send(new GetObjectCommand({ Bucket, Key: LOCK_KEY }));
    return JSON.parse(await out.Body!.transformToString()) as LockInfo;
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
    throw err;
  }
}

export interface Lock {
  info: LockInfo;
  release(): Promise<void>;
}

export async function acquireLock(clients: AwsClients, platform: Platform, opts: LockOptions): Promise<Lock> {
  const Bucket = await ensureControlBucket(clients, platform);
  const info: LockInfo = { holder: `${userInfo().username}@${hostname()} pid ${process.pid}`, acquiredAt: new Date(opts.now()).toISOString(), command: opts.command };
  const deadline = opts.now() + opts.waitMs;
  for (;;) {
    try {
      await clients.s3.send(new PutObjectCommand({ Bucket, Key: LOCK_KEY, Body: JSON.stringify(info), IfNoneMatch: '*', ContentType: 'application/json' }));
      return { info, release: () => clients.s3.send(new DeleteObjectCommand({ Bucket, Key: LOCK_KEY })).then(() => undefined) };
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name !== 'PreconditionFailed' && e.$metadata?.httpStatusCode !== 412) throw err;
    }
    if (opts.now() >= deadline) {
      const held = await readLock(clients, Bucket);
      throw new LockHeldError(
        `another apply holds the lock (${held ? `${held.holder}, since ${held.acquiredAt}, running "${held.command}"` : 'holder unknown'}); ` +
          `waited ${Math.round(opts.waitMs / 1000)} s. If that apply is gone for good, run \`sftp-tenants unlock\``,
      );
    }
    await opts.sleep(opts.pollMs);
  }
}

/** Breaks the lock whoever holds it; returns what it held. Only ever run on purpose. */
export async function breakLock(clients: AwsClients, platform: Platform): Promise<LockInfo | undefined> {
  const Bucket = controlBucketName(platform);
  const held = await readLock(clients, Bucket).catch(() => undefined);
  if (held) await clients.s3.send(new DeleteObjectCommand({ Bucket, Key: LOCK_KEY }));
  return held;
}
