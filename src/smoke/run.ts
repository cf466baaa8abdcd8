/**
 * The isolation smoke test: logs in over SFTP as each tenant's canary and proves, by doing, that
 * a tenant reaches its own data (write, read back byte for byte, list, stored under its own key,
 * delete) and nothing of anyone else's (other buckets by absolute path, by `..`, by name; another
 * tenant's key; a wrong password; the read-only and write-only folders). Every canary leaves a
 * unique marker; a tenant that can see, read or write anything carrying another's is a breach.
 */
import { createHash, randomBytes } from 'node:crypto';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { DeleteObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ListAliasesCommand } from '@aws-sdk/client-kms';
import SftpClient from 'ssh2-sftp-client';
import type { AwsClients } from '../aws/clients';
import type { Config } from '../config/load';
import { bucketName, canarySecretName, keyAlias } from '../model/names';
import { mapLimit } from '../plan/concurrency';
import type { CanaryKey } from '../resources/user';

export interface SmokeTarget {
  host: string;
  port: number;
  /** SHA256:... of the server's host key; any other key is refused before logging in. */
  hostKeyFingerprint: string;
}

export interface CheckResult {
  tenant: string;
  /** The other tenant a negative check is about. */
  other?: string;
  name: string;
  kind: 'positive' | 'negative';
  ok: boolean;
  detail?: string;
}

export interface SmokeReport {
  runId: string;
  tenants: string[];
  checks: CheckResult[];
  /** Ordered pairs (from -> to) where isolation failed. */
  breaches: Array<{ from: string; to: string; check: string }>;
  positiveFailures: number;
}

const RW = '/sftp-tenants-canary/rw';
const RO = '/sftp-tenants-canary/ro';
const WO = '/sftp-tenants-canary/wo';

const markerOf = (tenant: string, runId: string) => `sftp-tenants-canary:${tenant}:${runId}`;
const markerFile = (tenant: string, runId: string) => `marker-${tenant}-${runId}.txt`;

/** What ssh2-sftp-client's get() returns, as text (it answers a Buffer when given no destination). */
const text = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'string' ? v : '');

function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The lines of a private key worth masking in CI logs: all but its BEGIN and END armour. */
export function secretLines(privateKey: string): string[] {
  return privateKey.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length >= 8 && !l.startsWith('-----'));
}

export async function runSmoke(opts: {
  config: Config;
  clients: AwsClients;
  target: SmokeTarget;
  tenants?: string[];
  concurrency?: number;
  /** Told every secret the run holds (canary private keys), so that CI can mask it in logs. */
  onSecret?: (value: string) => void;
}): Promise<SmokeReport> {
  const { config, clients, target } = opts;
  const runId = randomBytes(6).toString('hex');
  const tenants = config.tenants.map((t) => t.tenant.name).filter((n) => !opts.tenants || opts.tenants.includes(n));
  const checks: CheckResult[] = [];
  const record = (c: CheckResult) => checks.push(c);

  const canaries = new Map<string, CanaryKey>();
  for (const t of tenants) {
    try {
      const out = await clients.secrets.send(new GetSecretValueCommand({ SecretId: canarySecretName(config.platform.namePrefix, t) }));
      const canary = JSON.parse(out.SecretString!) as CanaryKey;
      for (const line of secretLines(canary.privateKey)) opts.onSecret?.(line);
      canaries.set(t, canary);
    } catch (err) {
      record({ tenant: t, name: 'canary identity exists', kind: 'positive', ok: false, detail: `${(err as Error).name}: apply with platform canary settings first` });
    }
  }
  const aliases = (await clients.kms.send(new ListAliasesCommand({}))).Aliases ?? [];
  const keyArnOf = (t: string) => {
    const id = aliases.find((a) => a.AliasName === keyAlias(config.platform, t))?.TargetKeyId;
    return id ? `arn:aws:kms:${config.platform.region}:${config.platform.accountId}:key/${id}` : undefined;
  };

  const connect = async (username: string, auth: { privateKey?: string; password?: string }): Promise<SftpClient> => {
    // Quiet global listeners: failures are expected here and are reported as check results.
    const c = new SftpClient('sftp-tenants-smoke', { error: () => undefined, end: () => undefined, close: () => undefined });
    let seen: string | undefined;
    try {
      await c.connect({
        host: target.host,
        port: target.port,
        username,
        ...auth,
        readyTimeout: 20_000,
        hostVerifier: (key: Buffer) => {
          seen = fingerprint(key);
          return seen === target.hostKeyFingerprint;
        },
      });
    } catch (err) {
      if (seen && seen !== target.hostKeyFingerprint) throw new Error(`host key ${seen} is not the pinned ${target.hostKeyFingerprint}; refusing to connect`, { cause: err });
      throw err;
    }
    return c;
  };
  const attempt = async (fn: () => Promise<unknown>): Promise<boolean> => fn().then(() => true, () => false);

  // Phase 1: each canary writes its marker and checks its own access.
  await mapLimit([...canaries.keys()], opts.concurrency ?? 4, async (t) => {
    const canary = canaries.get(t)!;
    const positive = (name: string, ok: boolean, detail?: string) => record({ tenant: t, name, kind: 'positive', ok, ...(detail ? { detail } : {}) });
    const negative = (name: string, ok: boolean, detail?: string) => record({ tenant: t, name, kind: 'negative', ok, ...(detail ? { detail } : {}) });
    let c: SftpClient;
    try {
      c = await connect(canary.username, { privateKey: canary.privateKey });
      positive('log in with the canary key', true);
    } catch (err) {
      positive('log in with the canary key', false, (err as Error).message);
      return;
    }
    try {
      const body = Buffer.from(`${markerOf(t, runId)}\n`);
      const path = `${RW}/${markerFile(t, runId)}`;
      const wrote = await attempt(() => c.put(body, path));
      positive('write a canary file', wrote);
      const back = await c.get(path).catch(() => undefined);
      positive('read it back byte for byte', Buffer.isBuffer(back) && back.equals(body));
      const listed = await c.list(RW).catch(() => []);
      positive('list it', listed.some((e) => e.name === markerFile(t, runId)));
      const head = await clients.s3.send(new HeadObjectCommand({ Bucket: bucketName(config.platform, t), Key: `sftp-tenants-canary/rw/${markerFile(t, runId)}` })).catch(() => undefined);
      const expectedKey = keyArnOf(t);
      const keyOk = head?.ServerSideEncryption === 'aws:kms' && !!expectedKey && (head.SSEKMSKeyId === expectedKey || expectedKey.endsWith(head.SSEKMSKeyId ?? '-'));
      positive("stored encrypted under the tenant's own key", keyOk, head ? `${head.ServerSideEncryption ?? 'none'} ${head.SSEKMSKeyId ?? ''}` : 'object not found');
      negative('cannot write into the read-only folder', !(await attempt(() => c.put(Buffer.from('x'), `${RO}/denied-${runId}.txt`))));
      const woPath = `${WO}/probe-${runId}.txt`;
      await attempt(() => c.put(Buffer.from('probe'), woPath));
      negative('cannot read from the write-only folder', !(await attempt(() => c.get(woPath))));
      await clients.s3.send(new DeleteObjectCommand({ Bucket: bucketName(config.platform, t), Key: `sftp-tenants-canary/wo/probe-${runId}.txt` })).catch(() => undefined);
    } finally {
      await c.end().catch(() => undefined);
    }
  });

  // Phase 2: each canary tries to reach every other tenant.
  const breaches: SmokeReport['breaches'] = [];
  await mapLimit([...canaries.keys()], opts.concurrency ?? 4, async (a) => {
    const canary = canaries.get(a)!;
    const others = tenants.filter((b) => b !== a);
    const negative = (other: string, name: string, ok: boolean, detail?: string) => {
      record({ tenant: a, other, name, kind: 'negative', ok, ...(detail ? { detail } : {}) });
      if (!ok) breaches.push({ from: a, to: other, check: name });
    };
    const c = await connect(canary.username, { privateKey: canary.privateKey }).catch(() => undefined);
    if (!c) return;
    try {
      // Whatever this tenant can see: nothing may carry another tenant's marker.
      const seen = new Map<string, string>();
      const crawl = async (dir: string, depth: number): Promise<void> => {
        if (depth > 6 || seen.size > 500) return;
        const entries = await c.list(dir).catch(() => []);
        for (const e of entries) {
          const path = `${dir === '/' ? '' : dir}/${e.name}`;
          if (e.type === 'd') await crawl(path, depth + 1);
          else seen.set(path, text(await c.get(path).catch(() => '')));
        }
      };
      await crawl('/', 0);
      for (const b of others) {
        const bucket = bucketName(config.platform, b);
        const marker = markerOf(b, runId);
        const leaked = [...seen.entries()].find(([p, content]) => p.includes(markerFile(b, runId)) || content.includes(marker));
        // B's marker in what A sees: A reaches B; unless B's marker sits in A's own bucket, which
        // means B wrote into A (reported from B's side, as B's breach of A).
        const written = leaked
          ? ((await clients.s3.send(new ListObjectsV2Command({ Bucket: bucketName(config.platform, a), Prefix: `sftp-tenants-canary/rw/${markerFile(b, runId)}` })).catch(() => undefined))?.KeyCount ?? 0) > 0
          : false;
        if (leaked && written) {
          record({ tenant: b, other: a, name: `wrote its marker into ${a}'s bucket`, kind: 'negative', ok: false, detail: leaked[0] });
          breaches.push({ from: b, to: a, check: `wrote into ${a}` });
        } else {
          negative(b, `sees nothing of ${b}`, !leaked, leaked?.[0]);
        }
        for (const path of [`/${bucket}/sftp-tenants-canary/rw/${markerFile(b, runId)}`, `/../${bucket}/sftp-tenants-canary/rw/${markerFile(b, runId)}`, `${RW}/../../../${bucket}/sftp-tenants-canary/rw/${markerFile(b, runId)}`]) {
          const got = await c.get(path).catch(() => undefined);
          negative(b, `cannot read ${path}`, !(got !== undefined && text(got).includes(marker)));
        }
        negative(b, `cannot list /${bucket}`, !(await attempt(() => c.list(`/${bucket}`))));
        await attempt(() => c.put(Buffer.from(markerOf(a, runId)), `/../${bucket}/sftp-tenants-canary/rw/intruder-${a}-${runId}.txt`));
        const planted = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `sftp-tenants-canary/rw/intruder-${a}-${runId}` })).catch(() => undefined);
        negative(b, `cannot write into ${b}`, (planted?.KeyCount ?? 0) === 0);
        const other = canaries.get(b);
        if (other) {
          const loggedIn = await connect(other.username, { privateKey: canary.privateKey }).then(async (x) => (await x.end(), true), () => false);
          negative(b, `cannot log in as ${b}'s canary with ${a}'s key`, !loggedIn);
        }
      }
      const wrongPassword = await connect(canary.username, { password: `wrong-${runId}` }).then(async (x) => (await x.end(), true), () => false);
      record({ tenant: a, name: 'a wrong password is refused', kind: 'negative', ok: !wrongPassword });
    } finally {
      await c.end().catch(() => undefined);
    }
  });

  // Phase 3: each canary deletes its marker (a positive check of its own).
  await mapLimit([...canaries.keys()], opts.concurrency ?? 4, async (t) => {
    const canary = canaries.get(t)!;
    const c = await connect(canary.username, { privateKey: canary.privateKey }).catch(() => undefined);
    const deleted = c ? await attempt(() => c.delete(`${RW}/${markerFile(t, runId)}`)) : false;
    record({ tenant: t, name: 'delete the canary file', kind: 'positive', ok: deleted });
    await c?.end().catch(() => undefined);
    if (!deleted) await clients.s3.send(new DeleteObjectCommand({ Bucket: bucketName(config.platform, t), Key: `sftp-tenants-canary/rw/${markerFile(t, runId)}` })).catch(() => undefined);
  });

  return { runId, tenants, checks, breaches, positiveFailures: checks.filter((c) => c.kind === 'positive' && !c.ok).length };
}
