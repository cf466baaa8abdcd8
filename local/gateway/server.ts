/**
 * A local SFTP gateway that behaves like AWS Transfer Family for custom-identity-provider users
 * (DESIGN.md §5), over the AWS emulator. Development and test tooling: never imported from src/.
 *
 * Login: the real identity-provider handler is invoked with the Transfer event; a password login
 * succeeds when it answers with a role, a key login when the client's key is among the PublicKeys.
 * Then every SFTP operation is mapped through the LOGICAL home directory to S3 and authorised as
 * AWS would (see authorizer.ts) before the S3 call is made.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { GetRolePolicyCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { Server, utils, type Connection, type SFTPWrapper, type Attributes } from 'ssh2';
import type { AwsClients } from '../../src/aws/clients';
import type { AuthRequest, TransferResponse } from '../../src/idp/authenticate';
import { parsePolicy } from '../../src/plan/canonical';
import { allowed, type SessionPolicies } from './authorizer';
import { resolve, type Mapping, type Resolved } from './vfs';

const { STATUS_CODE, OPEN_MODE } = utils.sftp;

export interface GatewayOptions {
  clients: AwsClients;
  accountId: string;
  region: string;
  serverId: string;
  /** The identity provider, called as Transfer Family calls it. */
  identityProvider: (event: AuthRequest) => Promise<TransferResponse>;
  host?: string;
  port?: number;
  /** Report this source address to the identity provider instead of the peer's (to try allowlists locally). */
  sourceIp?: string;
  /** OpenSSH-format private host key; a fresh ed25519 key when absent. */
  hostKey?: string;
}

export interface Gateway {
  port: number;
  /** SHA256 fingerprint of the host key, as OpenSSH prints it. */
  hostKeyFingerprint: string;
  close(): Promise<void>;
}

interface Session extends SessionPolicies {
  mappings: Mapping[];
}

class Denied extends Error {}
class Missing extends Error {}

const dirAttrs = (): Attributes => ({ mode: 0o040755, uid: 0, gid: 0, size: 0, atime: 0, mtime: 0 });
const fileAttrs = (size: number, mtime: Date | undefined): Attributes => {
  const t = Math.floor((mtime?.getTime() ?? 0) / 1000);
  return { mode: 0o100644, uid: 0, gid: 0, size, atime: t, mtime: t };
};
const longname = (name: string, a: Attributes) => `${(a.mode & 0o040000) !== 0 ? 'drwxr-xr-x' : '-rw-r--r--'} 1 sftp sftp ${String(a.size).padStart(8)} Jan  1 00:00 ${name}`;

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const { clients } = opts;
  const hostKey = opts.hostKey ?? utils.generateKeyPairSync('ed25519').private;
  const parsedHost = utils.parseKey(hostKey);
  if (parsedHost instanceof Error) throw parsedHost;
  const hostKeyFingerprint = `SHA256:${createHash('sha256').update(parsedHost.getPublicSSH()).digest('base64').replace(/=+$/, '')}`;

  const bucketCache = new Map<string, Promise<{ policy: unknown; keyArn: string | undefined; keyPolicy: unknown }>>();
  const bucketFacts = (bucket: string) => {
    let hit = bucketCache.get(bucket);
    if (!hit) {
      hit = (async () => {
        const policy = await clients.s3.send(new GetBucketPolicyCommand({ Bucket: bucket })).then((r) => parsePolicy(r.Policy), () => undefined);
        const enc = await clients.s3.send(new GetBucketEncryptionCommand({ Bucket: bucket })).catch(() => undefined);
        const keyId = enc?.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID;
        const keyArn = keyId && !keyId.startsWith('arn:') ? `arn:aws:kms:${opts.region}:${opts.accountId}:key/${keyId}` : keyId;
        const keyPolicy = keyArn ? await clients.kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' })).then((r) => parsePolicy(r.Policy), () => undefined) : undefined;
        return { policy, keyArn, keyPolicy };
      })();
      bucketCache.set(bucket, hit);
      // Policies may change between logins (tests mutate them): keep facts only briefly.
      setTimeout(() => bucketCache.delete(bucket), 1000).unref();
    }
    return hit;
  };

  async function buildSession(res: TransferResponse): Promise<Session | undefined> {
    if (!res.Role || res.HomeDirectoryType !== 'LOGICAL' || !res.HomeDirectoryDetails) return undefined;
    const RoleName = res.Role.split('/').pop()!;
    const names = await clients.iam.send(new ListRolePoliciesCommand({ RoleName })).catch(() => undefined);
    if (!names) return undefined; // Transfer cannot assume a role that does not exist
    const identityPolicies = await Promise.all(
      (names.PolicyNames ?? []).map(async (PolicyName) => ({
        name: PolicyName,
        policy: parsePolicy((await clients.iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }))).PolicyDocument),
      })),
    );
    return {
      accountId: opts.accountId,
      region: opts.region,
      roleArn: res.Role,
      identityPolicies,
      sessionPolicy: res.Policy ? JSON.parse(res.Policy) : undefined,
      mappings: JSON.parse(res.HomeDirectoryDetails) as Mapping[],
    };
  }

  async function authorise(session: Session, action: string, bucket: string, key: string | undefined, context: Record<string, string> = {}): Promise<void> {
    const facts = await bucketFacts(bucket);
    const resource = key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
    const ctx = action === 's3:PutObject' && facts.keyArn ? { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': facts.keyArn, ...context } : context;
    if (!(await allowed(session, { action, resource, resourcePolicy: facts.policy, context: ctx }))) throw new Denied(`${action} on ${resource}`);
    // SSE-KMS: reading decrypts, writing generates a data key, each under the key policy.
    const kmsAction = action === 's3:GetObject' ? 'kms:Decrypt' : action === 's3:PutObject' ? 'kms:GenerateDataKey' : undefined;
    if (kmsAction && facts.keyArn && !(await allowed(session, { action: kmsAction, resource: facts.keyArn, resourcePolicy: facts.keyPolicy }))) {
      throw new Denied(`${kmsAction} on ${facts.keyArn}`);
    }
  }

  async function list(session: Session, r: Extract<Resolved, { kind: 's3' }>): Promise<Array<{ name: string; attrs: Attributes }>> {
    const prefix = r.key ? `${r.key}/` : '';
    await authorise(session, 's3:ListBucket', r.bucket, undefined, { 's3:prefix': prefix });
    const out = await clients.s3.send(new ListObjectsV2Command({ Bucket: r.bucket, Prefix: prefix, Delimiter: '/' }));
    // moto keeps reporting a common prefix after its last object was deleted from a versioned
    // bucket (delete markers); S3 does not. Keep only prefixes that still hold an object.
    const live = await Promise.all(
      (out.CommonPrefixes ?? []).map(async (p) => ((await clients.s3.send(new ListObjectsV2Command({ Bucket: r.bucket, Prefix: p.Prefix!, MaxKeys: 1 }))).KeyCount ?? 0) > 0),
    );
    const dirs = (out.CommonPrefixes ?? []).filter((_, i) => live[i]).map((p) => ({ name: p.Prefix!.slice(prefix.length, -1), attrs: dirAttrs() }));
    const files = (out.Contents ?? []).filter((o) => o.Key !== prefix).map((o) => ({ name: o.Key!.slice(prefix.length), attrs: fileAttrs(o.Size ?? 0, o.LastModified) }));
    return [...dirs, ...files];
  }

  async function stat(session: Session, r: Resolved): Promise<Attributes> {
    if (r.kind === 'virtual-dir') return dirAttrs();
    if (r.kind === 'none') throw new Missing(r.path);
    if (r.key === '' || session.mappings.some((m) => m.Entry === r.path)) return dirAttrs();
    await authorise(session, 's3:ListBucket', r.bucket, undefined, { 's3:prefix': r.key });
    const head = await clients.s3.send(new HeadObjectCommand({ Bucket: r.bucket, Key: r.key })).catch(() => undefined);
    if (head) return fileAttrs(head.ContentLength ?? 0, head.LastModified);
    const under = await clients.s3.send(new ListObjectsV2Command({ Bucket: r.bucket, Prefix: `${r.key}/`, MaxKeys: 1 }));
    if ((under.KeyCount ?? 0) > 0) return dirAttrs();
    throw new Missing(r.path);
  }

  const server = new Server({ hostKeys: [hostKey] }, (client: Connection, info) => {
    const sourceIp = opts.sourceIp ?? info.ip;
    let session: Session | undefined;
    const event = (username: string, password?: string): AuthRequest => ({ username, ...(password !== undefined ? { password } : {}), protocol: 'SFTP', serverId: opts.serverId, sourceIp });

    client.on('authentication', (ctx) => {
      void (async () => {
        try {
          if (ctx.method === 'password') {
            session = await buildSession(await opts.identityProvider(event(ctx.username, ctx.password)));
            return session ? ctx.accept() : ctx.reject(['password', 'publickey']);
          }
          if (ctx.method === 'publickey') {
            const res = await opts.identityProvider(event(ctx.username));
            const match = (res.PublicKeys ?? []).map((k) => utils.parseKey(k)).find((k) => !(k instanceof Error) && k.type === ctx.key.algo && k.getPublicSSH().equals(ctx.key.data));
            if (!match || match instanceof Error) return ctx.reject(['password', 'publickey']);
            if (!ctx.signature || !ctx.blob) return ctx.accept(); // the client only asks whether the key would do
            if (match.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(['password', 'publickey']);
            session = await buildSession(res);
            return session ? ctx.accept() : ctx.reject(['password', 'publickey']);
          }
          ctx.reject(['password', 'publickey']);
        } catch {
          ctx.reject(['password', 'publickey']);
        }
      })();
    });

    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        acceptSession().on('sftp', (acceptSftp) => serveSftp(acceptSftp(), session!));
      });
    });
    client.on('error', () => undefined);
  });

  function serveSftp(sftp: SFTPWrapper, s: Session): void {
    type Handle = { kind: 'dir'; entries: Array<{ name: string; attrs: Attributes }>; sent: boolean } | { kind: 'read'; data: Buffer } | { kind: 'write'; bucket: string; key: string; parts: Array<{ offset: number; data: Buffer }>; size: number };
    const handles = new Map<number, Handle>();
    let next = 1;
    const newHandle = (h: Handle) => {
      const id = next++;
      handles.set(id, h);
      const b = Buffer.alloc(4);
      b.writeUInt32BE(id);
      return b;
    };
    const handleOf = (b: Buffer) => (b.length === 4 ? handles.get(b.readUInt32BE(0)) : undefined);
    // Like Transfer Family, say what failed but not which policy or bucket said no.
    const fail = (reqid: number, err: unknown) =>
      err instanceof Denied
        ? sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED, 'Permission denied')
        : err instanceof Missing
          ? sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE, 'No such file')
          : sftp.status(reqid, STATUS_CODE.FAILURE, 'Failure');
    const run = (reqid: number, fn: () => Promise<void>) => void fn().catch((err: unknown) => fail(reqid, err));
    const s3Path = (path: string) => {
      const r = resolve(s.mappings, path);
      if (r.kind !== 's3' || r.key === '') throw r.kind === 'none' ? new Missing(path) : new Denied(`${path} is not a file location`);
      return r;
    };

    sftp.on('REALPATH', (reqid, path) => {
      const p = resolve(s.mappings, path).path;
      sftp.name(reqid, [{ filename: p, longname: p, attrs: dirAttrs() }]);
    });
    const onStat = (reqid: number, path: string) => run(reqid, async () => void sftp.attrs(reqid, await stat(s, resolve(s.mappings, path))));
    sftp.on('STAT', onStat);
    sftp.on('LSTAT', onStat);
    sftp.on('OPENDIR', (reqid, path) =>
      run(reqid, async () => {
        const r = resolve(s.mappings, path);
        if (r.kind === 'none') throw new Missing(path);
        const entries = r.kind === 'virtual-dir' ? r.children.map((name) => ({ name, attrs: dirAttrs() })) : await list(s, r);
        sftp.handle(reqid, newHandle({ kind: 'dir', entries, sent: false }));
      }),
    );
    sftp.on('READDIR', (reqid, handle) => {
      const h = handleOf(handle);
      if (!h || h.kind !== 'dir') return sftp.status(reqid, STATUS_CODE.FAILURE);
      if (h.sent || h.entries.length === 0) return sftp.status(reqid, STATUS_CODE.EOF);
      h.sent = true;
      return sftp.name(reqid, h.entries.map((e) => ({ filename: e.name, longname: longname(e.name, e.attrs), attrs: e.attrs })));
    });
    sftp.on('OPEN', (reqid, filename, flags) =>
      run(reqid, async () => {
        const r = s3Path(filename);
        if (flags & OPEN_MODE.WRITE) {
          await authorise(s, 's3:PutObject', r.bucket, r.key);
          sftp.handle(reqid, newHandle({ kind: 'write', bucket: r.bucket, key: r.key, parts: [], size: 0 }));
          return;
        }
        await authorise(s, 's3:GetObject', r.bucket, r.key);
        const obj = await clients.s3.send(new GetObjectCommand({ Bucket: r.bucket, Key: r.key })).catch(() => {
          throw new Missing(filename);
        });
        sftp.handle(reqid, newHandle({ kind: 'read', data: Buffer.from(await obj.Body!.transformToByteArray()) }));
      }),
    );
    sftp.on('READ', (reqid, handle, offset, length) => {
      const h = handleOf(handle);
      if (!h || h.kind !== 'read') return sftp.status(reqid, STATUS_CODE.FAILURE);
      if (offset >= h.data.length) return sftp.status(reqid, STATUS_CODE.EOF);
      return sftp.data(reqid, h.data.subarray(offset, offset + length));
    });
    sftp.on('WRITE', (reqid, handle, offset, data) => {
      const h = handleOf(handle);
      if (!h || h.kind !== 'write') return sftp.status(reqid, STATUS_CODE.FAILURE);
      const end = offset + data.length;
      if (end > h.size) h.size = end;
      h.parts.push({ offset, data: Buffer.from(data) });
      return sftp.status(reqid, STATUS_CODE.OK);
    });
    sftp.on('FSTAT', (reqid, handle) => {
      const h = handleOf(handle);
      if (!h) return sftp.status(reqid, STATUS_CODE.FAILURE);
      return sftp.attrs(reqid, h.kind === 'dir' ? dirAttrs() : fileAttrs(h.kind === 'read' ? h.data.length : h.size, new Date()));
    });
    sftp.on('CLOSE', (reqid, handle) =>
      run(reqid, async () => {
        const h = handleOf(handle);
        handles.delete(handle.readUInt32BE(0));
        if (h?.kind === 'write') {
          const body = Buffer.alloc(h.size);
          for (const part of h.parts) part.data.copy(body, part.offset);
          await clients.s3.send(new PutObjectCommand({ Bucket: h.bucket, Key: h.key, Body: body }));
        }
        sftp.status(reqid, STATUS_CODE.OK);
      }),
    );
    sftp.on('REMOVE', (reqid, path) =>
      run(reqid, async () => {
        const r = s3Path(path);
        await authorise(s, 's3:DeleteObject', r.bucket, r.key);
        await stat(s, r);
        await clients.s3.send(new DeleteObjectCommand({ Bucket: r.bucket, Key: r.key }));
        sftp.status(reqid, STATUS_CODE.OK);
      }),
    );
    sftp.on('RENAME', (reqid, from, to) =>
      run(reqid, async () => {
        const a = s3Path(from);
        const b = s3Path(to);
        await authorise(s, 's3:GetObject', a.bucket, a.key);
        await authorise(s, 's3:PutObject', b.bucket, b.key);
        await authorise(s, 's3:DeleteObject', a.bucket, a.key);
        await clients.s3.send(new CopyObjectCommand({ Bucket: b.bucket, Key: b.key, CopySource: `${a.bucket}/${encodeURIComponent(a.key)}` }));
        await clients.s3.send(new DeleteObjectCommand({ Bucket: a.bucket, Key: a.key }));
        sftp.status(reqid, STATUS_CODE.OK);
      }),
    );
    sftp.on('MKDIR', (reqid, path) =>
      run(reqid, async () => {
        const r = s3Path(path);
        await authorise(s, 's3:PutObject', r.bucket, `${r.key}/`);
        await clients.s3.send(new PutObjectCommand({ Bucket: r.bucket, Key: `${r.key}/`, Body: '' }));
        sftp.status(reqid, STATUS_CODE.OK);
      }),
    );
    sftp.on('RMDIR', (reqid, path) =>
      run(reqid, async () => {
        const r = s3Path(path);
        await authorise(s, 's3:DeleteObject', r.bucket, `${r.key}/`);
        const under = await clients.s3.send(new ListObjectsV2Command({ Bucket: r.bucket, Prefix: `${r.key}/`, MaxKeys: 2 }));
        if ((under.Contents ?? []).some((o) => o.Key !== `${r.key}/`)) throw new Error('directory not empty');
        await clients.s3.send(new DeleteObjectCommand({ Bucket: r.bucket, Key: `${r.key}/` }));
        sftp.status(reqid, STATUS_CODE.OK);
      }),
    );
    // The client closed its side (OpenSSH does at the end of its commands): close ours too.
    sftp.on('end', () => sftp.end());
    const ok = (reqid: number) => sftp.status(reqid, STATUS_CODE.OK);
    sftp.on('SETSTAT', ok);
    sftp.on('FSETSTAT', ok);
  }

  await new Promise<void>((resolveListen) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolveListen()));
  return {
    port: (server.address() as AddressInfo).port,
    hostKeyFingerprint,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
