/**
 * The diff: desired resources against live ones, attribute by attribute. Pure.
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { address, type AttributeSpec, type Attributes, type DesiredResource, type LiveResource, type ResourceKind, type Risk } from '../resources/types';
import { canonicalPolicy } from './canonical';
import { classify, type AttributeChange, type Change } from './types';

function canonicalValue(spec: AttributeSpec, value: unknown): unknown {
  if (value === undefined) return null;
  switch (spec.compare) {
    case 'policy':
      return value === null ? null : (canonicalPolicy(value) ?? value);
    case 'set':
      return Array.isArray(value) ? [...new Set(value.map((v) => JSON.stringify(v)))].sort() : value;
    case 'deep':
      // Attribute values are JSON data; a JSON round trip also makes them independent of the realm
      // (and prototype) that created them.
      return JSON.parse(JSON.stringify(value)) as unknown;
  }
}

/** `a` is the live value, `b` the desired one. */
export function attributeEqual(spec: AttributeSpec, a: unknown, b: unknown): boolean {
  if (spec.equals) return spec.equals(a ?? null, b ?? null);
  return isDeepStrictEqual(canonicalValue(spec, a), canonicalValue(spec, b));
}

const show = (spec: AttributeSpec, value: unknown) => (spec.display ? spec.display(value ?? null) : (value ?? null));

/** A stable fingerprint of a live resource's compared attributes (secrets hashed, never kept). */
export function fingerprintLive(kind: ResourceKind, live: LiveResource | undefined): string | null {
  if (!live) return null;
  const canonical = kind.attributes.map((spec) => [spec.name, canonicalValue(spec, live.attributes[spec.name])]);
  return `sha256:${createHash('sha256').update(JSON.stringify([live.owned, canonical])).digest('hex').slice(0, 32)}`;
}

export function attributeChanges(kind: ResourceKind, before: Attributes | undefined, after: Attributes | undefined): { changes: AttributeChange[]; risks: Risk[] } {
  const changes: AttributeChange[] = [];
  const risks: Risk[] = [];
  for (const spec of kind.attributes) {
    const b = before?.[spec.name];
    const a = after?.[spec.name];
    if (before && after && attributeEqual(spec, b, a)) continue;
    changes.push({ name: spec.name, before: before ? show(spec, b) : null, after: after ? show(spec, a) : null });
    if (before && after) {
      const risk = spec.risk?.(b ?? null, a ?? null);
      if (risk) risks.push(risk);
    }
  }
  return { changes, risks };
}

export interface DiffOptions {
  /** Risks of creating a resource of this kind (a new user is a new way in). */
  createRisks?: (desired: DesiredResource) => Risk[];
}

/** Changes for one kind of one tenant. Deletions are proposed here; safety rules may block them later. */
export function diffKind(kind: ResourceKind, desired: readonly DesiredResource[], live: readonly LiveResource[], opts: DiffOptions = {}): Change[] {
  const out: Change[] = [];
  const liveById = new Map(live.map((l) => [l.id, l]));
  const desiredIds = new Set(desired.map((d) => d.id));
  for (const d of desired) {
    const l = liveById.get(d.id);
    const base = { address: address(d), tenant: d.tenant, kind: d.kind, id: d.id, liveFingerprint: fingerprintLive(kind, l) };
    if (!l) {
      const risks = opts.createRisks?.(d) ?? [];
      out.push({ ...base, action: 'create', reason: 'declared, not found', classification: classify(risks), risks, attributes: attributeChanges(kind, undefined, d.attributes).changes });
      continue;
    }
    const { changes, risks } = attributeChanges(kind, l.attributes, d.attributes);
    if (!l.owned) {
      out.push({
        ...base,
        action: 'update',
        reason: 'exists but is not managed by sftp-tenants',
        classification: classify(risks),
        risks,
        blocked: `${d.kind} ${d.id} exists without sftp-tenants ownership tags; it is not ours to change. Tag it to adopt it, or remove it`,
        attributes: changes,
      });
      continue;
    }
    if (changes.length === 0) continue;
    out.push({
      ...base,
      action: 'update',
      reason: `live state differs from the declared state (${changes.map((c) => c.name).join(', ')})`,
      classification: classify(risks),
      risks,
      attributes: changes,
    });
  }
  for (const l of live) {
    // Already on its way out (a key or secret in its deletion window): nothing more to do.
    if (desiredIds.has(l.id) || !l.owned || l.meta.pendingDeletion === true) continue;
    const risks = kind.deleteRisks(l);
    out.push({
      address: address(l),
      tenant: l.tenant,
      kind: l.kind,
      id: l.id,
      action: 'delete',
      reason: 'owned but no longer declared',
      classification: classify(risks),
      risks,
      attributes: attributeChanges(kind, l.attributes, undefined).changes,
      liveFingerprint: fingerprintLive(kind, l),
    });
  }
  return out;
}
