/**
 * The isolation proof: for every ordered pair of tenants (A, B), no layer lets A reach B's bucket,
 * objects or key, and no bucket or key is public or assumable by anyone but Transfer Family.
 * Pure and sound: whatever the analysis cannot decide (NotAction, NotResource, NotPrincipal, an
 * unknown condition key on a statement the proof relies on, a policy it cannot read, a wildcard
 * that crosses tenants) counts as a possible breach, with the statement that caused it.
 */
import { parsePolicy } from '../plan/canonical';
import { hasWildcard, intersects, variablesAsWildcards } from './glob';

export interface TenantPolicies {
  tenant: string;
  roleArn: string;
  bucket: string;
  /** The key's ARN; a tenant whose key is yet to be created gets a unique placeholder. */
  keyArn: string;
  /** null: the role does not exist (nothing to assume). */
  trustPolicy: unknown;
  /** Identity policies of the role; document null when it could not be read (undecidable). */
  identityPolicies: Array<{ name: string; document: unknown }>;
  sessionPolicies: Array<{ user: string; document: unknown }>;
  bucketPolicy: unknown;
  keyPolicy: unknown;
}

export type Layer = 'role-policy' | 'session-policy' | 'bucket-policy' | 'key-policy' | 'trust-policy';

export interface Breach {
  /** The tenant that could reach; '*' for anyone. */
  from: string;
  to: string;
  layer: Layer;
  /** Which policy: the role policy name, the user, or the resource. */
  source: string;
  statement: unknown;
  reason: string;
}

export interface IsolationReport {
  tenants: number;
  pairs: number;
  proven: number;
  /** Ordered pairs that are not proven, sorted. */
  failingPairs: Array<{ from: string; to: string }>;
  breaches: Breach[];
}

export interface AnalysisContext {
  accountId: string;
  region: string;
  serverId: string;
  /** Roles the bucket policy may admit besides the tenant role. */
  adminRoleArns: readonly string[];
}

type Statement = Record<string, unknown>;

const list = (v: unknown): string[] => (v === undefined || v === null ? [] : (Array.isArray(v) ? v : [v]).map(String));

function statements(doc: unknown): Statement[] {
  const parsed = parsePolicy(doc);
  if (!parsed) return [];
  const raw = parsed.Statement;
  return (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((s): s is Statement => s !== null && typeof s === 'object');
}

function principals(s: Statement): string[] {
  const p = s.Principal;
  if (p === '*') return ['*'];
  if (p === null || typeof p !== 'object') return list(p);
  return Object.values(p as Record<string, unknown>).flatMap(list);
}

const S3_SERVICE = 's3:*';
const KMS_SERVICE = 'kms:*';
const KEY_USE = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'];

const actionsTouch = (s: Statement, service: string) => list(s.Action).some((a) => intersects(a, service, true));
const actionsUseKey = (s: Statement) => list(s.Action).some((a) => KEY_USE.some((k) => intersects(a, k, true)));

/** Condition keys the proof understands; anything else on a statement it relies on is undecidable. */
const KNOWN_CONDITION_KEYS = new Set([
  'aws:principalarn',
  'aws:securetransport',
  'aws:sourceaccount',
  'aws:sourcearn',
  'kms:viaservice',
  'kms:calleraccount',
  's3:prefix',
  's3:x-amz-server-side-encryption',
  's3:x-amz-server-side-encryption-aws-kms-key-id',
]);

function unknownConditionKeys(s: Statement): string[] {
  const c = s.Condition;
  if (c === null || typeof c !== 'object') return [];
  return Object.values(c as Record<string, unknown>)
    .flatMap((block) => (block !== null && typeof block === 'object' ? Object.keys(block) : []))
    .filter((k) => !KNOWN_CONDITION_KEYS.has(k.toLowerCase()));
}

function conditionValues(s: Statement, key: string, operators: string[]): string[] | undefined {
  const c = s.Condition as Record<string, Record<string, unknown>> | undefined;
  if (!c) return undefined;
  for (const op of Object.keys(c)) {
    if (!operators.includes(op)) continue;
    for (const [k, v] of Object.entries(c[op] ?? {})) if (k.toLowerCase() === key) return list(v);
  }
  return undefined;
}

export function analyzeIsolation(tenants: readonly TenantPolicies[], ctx: AnalysisContext): IsolationReport {
  const breaches: Breach[] = [];
  const byBucket = new Map(tenants.map((t) => [t.bucket, t]));
  const byKey = new Map(tenants.map((t) => [t.keyArn, t]));
  const byRole = new Map(tenants.map((t) => [t.roleArn, t]));

  /** Tenants other than `self` whose bucket, objects or key a resource pattern can match. */
  function reached(pattern: string, service: 's3' | 'kms', self: string): TenantPolicies[] {
    const p = variablesAsWildcards(pattern);
    if (service === 's3') {
      const m = /^arn:aws:s3:::([^/*?]+)(?:\/.*)?$/.exec(p);
      // Bucket names hold no '/', so a pattern whose bucket part has no wildcard names one bucket.
      if (m) {
        const t = byBucket.get(m[1]!);
        return t && t.tenant !== self ? [t] : [];
      }
      return tenants.filter((t) => t.tenant !== self && (intersects(p, `arn:aws:s3:::${t.bucket}`) || intersects(p, `arn:aws:s3:::${t.bucket}/*`)));
    }
    if (!hasWildcard(p)) {
      const t = byKey.get(p);
      return t && t.tenant !== self ? [t] : [];
    }
    return tenants.filter((t) => t.tenant !== self && intersects(p, t.keyArn));
  }

  const everyOther = (self: string) => tenants.filter((t) => t.tenant !== self);

  // Layers 1 and 2: what A's role and A's sessions may do to others.
  for (const a of tenants) {
    const layers: Array<{ layer: Layer; source: string; document: unknown }> = [
      ...a.identityPolicies.map((p) => ({ layer: 'role-policy' as const, source: `role policy ${p.name}`, document: p.document })),
      ...a.sessionPolicies.map((p) => ({ layer: 'session-policy' as const, source: `session policy of ${p.user}`, document: p.document })),
    ];
    for (const { layer, source, document } of layers) {
      if (layer === 'role-policy' && (document === null || parsePolicy(document) === undefined)) {
        for (const b of everyOther(a.tenant)) breaches.push({ from: a.tenant, to: b.tenant, layer, source, statement: null, reason: `${source} could not be read, so nothing can be proven about it` });
        continue;
      }
      for (const s of statements(document)) {
        if (s.Effect !== 'Allow') continue;
        if (s.NotAction !== undefined || s.NotResource !== undefined) {
          const what = s.NotAction !== undefined ? 'NotAction' : 'NotResource';
          for (const b of everyOther(a.tenant)) breaches.push({ from: a.tenant, to: b.tenant, layer, source, statement: s, reason: `an Allow with ${what} grants everything it does not exclude` });
          continue;
        }
        const unknown = unknownConditionKeys(s);
        const note = unknown.length > 0 ? ` (its condition on ${unknown.join(', ')} cannot be decided, so it is assumed to hold)` : '';
        const hits = new Map<string, TenantPolicies>();
        for (const r of list(s.Resource)) {
          if (actionsTouch(s, S3_SERVICE)) for (const b of reached(r, 's3', a.tenant)) hits.set(b.tenant, b);
          if (actionsTouch(s, KMS_SERVICE)) for (const b of reached(r, 'kms', a.tenant)) hits.set(b.tenant, b);
        }
        for (const b of hits.values()) {
          breaches.push({ from: a.tenant, to: b.tenant, layer, source, statement: s, reason: `${source} allows ${list(s.Action).join(', ')} on resources of ${b.tenant}${note}` });
        }
      }
    }
  }

  for (const b of tenants) {
    const others = everyOther(b.tenant);
    // An exact ARN names one role: a map lookup, so the proof stays near-linear in the tenants.
    const admits = (pattern: string): TenantPolicies[] => {
      if (pattern === '*') return others;
      const p = variablesAsWildcards(pattern);
      if (!hasWildcard(p)) {
        const t = byRole.get(p);
        return t && t.tenant !== b.tenant ? [t] : [];
      }
      return others.filter((a) => intersects(p, a.roleArn));
    };

    // Layer 3: the bucket policy admits nobody else, and denies every principal but B's own.
    let denyOthers: { exceptions: string[]; statement: Statement } | undefined;
    let unreliableDeny: { statement: Statement; keys: string[] } | undefined;
    for (const s of statements(b.bucketPolicy)) {
      if (s.Effect === 'Allow') {
        if (s.NotPrincipal !== undefined) {
          for (const a of others) breaches.push({ from: a.tenant, to: b.tenant, layer: 'bucket-policy', source: `bucket policy of ${b.tenant}`, statement: s, reason: 'an Allow with NotPrincipal admits everyone it does not exclude' });
          continue;
        }
        for (const p of principals(s)) {
          for (const a of p === '*' ? others : admits(p)) {
            breaches.push({ from: p === '*' ? '*' : a.tenant, to: b.tenant, layer: 'bucket-policy', source: `bucket policy of ${b.tenant}`, statement: s, reason: p === '*' ? 'the bucket policy allows any principal (public)' : `the bucket policy admits ${a.roleArn}` });
            if (p === '*') break;
          }
        }
        continue;
      }
      const exceptions = conditionValues(s, 'aws:principalarn', ['ArnNotEquals', 'ArnNotLike', 'StringNotEquals', 'StringNotLike']);
      const coversAll = principals(s).includes('*') && list(s.Action).some((x) => x === '*' || x.toLowerCase() === 's3:*');
      if (exceptions && coversAll) {
        const unknown = unknownConditionKeys(s);
        if (unknown.length > 0) unreliableDeny = { statement: s, keys: unknown };
        else denyOthers = { exceptions, statement: s };
      }
    }
    if (!denyOthers) {
      const reason = unreliableDeny
        ? `the bucket policy's deny of other principals also depends on ${unreliableDeny.keys.join(', ')}, which cannot be decided, so it may not apply`
        : "the bucket policy does not deny principals other than the tenant's role and the platform roles";
      breaches.push({ from: '*', to: b.tenant, layer: 'bucket-policy', source: `bucket policy of ${b.tenant}`, statement: unreliableDeny?.statement ?? null, reason });
    } else {
      for (const e of denyOthers.exceptions) {
        for (const a of admits(e)) {
          breaches.push({ from: a.tenant, to: b.tenant, layer: 'bucket-policy', source: `bucket policy of ${b.tenant}`, statement: denyOthers.statement, reason: `the bucket policy exempts ${e} from its deny, which covers ${a.roleArn}` });
        }
      }
    }

    // Layer 4: the key policy lets only B's role use the key.
    for (const s of statements(b.keyPolicy)) {
      if (s.Effect !== 'Allow') continue;
      if (s.NotPrincipal !== undefined || s.NotAction !== undefined) {
        breaches.push({ from: '*', to: b.tenant, layer: 'key-policy', source: `key policy of ${b.tenant}`, statement: s, reason: `an Allow with ${s.NotPrincipal !== undefined ? 'NotPrincipal' : 'NotAction'} cannot be proven to exclude other tenants` });
        continue;
      }
      if (!actionsUseKey(s)) continue;
      for (const p of principals(s)) {
        if (p === '*') {
          breaches.push({ from: '*', to: b.tenant, layer: 'key-policy', source: `key policy of ${b.tenant}`, statement: s, reason: 'the key policy lets any principal use the key (public)' });
        } else if (p === `arn:aws:iam::${ctx.accountId}:root` || p === ctx.accountId) {
          breaches.push({ from: '*', to: b.tenant, layer: 'key-policy', source: `key policy of ${b.tenant}`, statement: s, reason: 'the key policy lets the account use the key, so any IAM policy in the account can grant its use' });
        } else {
          for (const a of admits(p)) breaches.push({ from: a.tenant, to: b.tenant, layer: 'key-policy', source: `key policy of ${b.tenant}`, statement: s, reason: `the key policy lets ${a.roleArn} use the key` });
        }
      }
    }

    // Layer 5: only Transfer Family, for this server, may assume B's role (confused deputy).
    if (b.trustPolicy !== null && b.trustPolicy !== undefined) {
      for (const s of statements(b.trustPolicy)) {
        if (s.Effect !== 'Allow') continue;
        const who = principals(s);
        const onlyTransfer = who.length > 0 && who.every((p) => p === 'transfer.amazonaws.com') && s.NotPrincipal === undefined;
        const account = conditionValues(s, 'aws:sourceaccount', ['StringEquals']);
        const sourceArn = conditionValues(s, 'aws:sourcearn', ['ArnLike', 'ArnEquals', 'StringLike', 'StringEquals']);
        const serverPrefix = `arn:aws:transfer:${ctx.region}:${ctx.accountId}:`;
        let reason: string | undefined;
        if (!onlyTransfer) reason = `the role of ${b.tenant} can be assumed by ${who.join(', ') || 'an unnamed principal'}, not only Transfer Family`;
        else if (!account || account.some((v) => v !== ctx.accountId)) reason = `the trust policy of ${b.tenant} lacks the aws:SourceAccount condition (confused deputy)`;
        else if (!sourceArn || sourceArn.some((v) => !v.startsWith(serverPrefix) || !v.includes(ctx.serverId))) reason = `the trust policy of ${b.tenant} lacks an aws:SourceArn condition naming this server (confused deputy)`;
        if (reason) breaches.push({ from: '*', to: b.tenant, layer: 'trust-policy', source: `trust policy of ${b.tenant}`, statement: s, reason });
      }
    }
  }

  const failing = new Set<string>();
  for (const x of breaches) {
    const froms = x.from === '*' ? tenants.map((t) => t.tenant) : [x.from];
    for (const f of froms) if (f !== x.to) failing.add(`${f}\u0000${x.to}`);
  }
  const pairs = tenants.length * (tenants.length - 1);
  return {
    tenants: tenants.length,
    pairs,
    proven: pairs - failing.size,
    failingPairs: [...failing].sort().map((k) => {
      const [from, to] = k.split('\u0000') as [string, string];
      return { from, to };
    }),
    breaches,
  };
}
