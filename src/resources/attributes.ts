/** Shared attribute behaviours: how policies, address lists and switches compare and what is risky. */
import { cidrContains, parseCidr } from '../config/cidr';
import { parsePolicy, statementDelta } from '../plan/canonical';
import type { AttributeSpec, Risk } from './types';

/** A policy shown as a reviewer reads it: its statements, in the order written. */
export function displayPolicy(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  const doc = parsePolicy(value);
  if (!doc) return '(not a policy document)';
  const raw = doc.Statement;
  return { Statement: Array.isArray(raw) ? raw : [raw] };
}

export function policyAttribute(name: string): AttributeSpec {
  return {
    name,
    compare: 'policy',
    display: displayPolicy,
    risk: (before, after): Risk | undefined => {
      const { added, removed } = statementDelta(before, after);
      const allows = added.filter((s) => s.Effect === 'Allow').length;
      const denies = removed.filter((s) => s.Effect === 'Deny').length;
      if (allows === 0 && denies === 0) return undefined;
      const parts = [allows ? `adds ${allows} Allow statement${allows > 1 ? 's' : ''}` : '', denies ? `removes ${denies} Deny statement${denies > 1 ? 's' : ''}` : ''].filter(Boolean);
      return { class: 'security-broadening', reason: `${name} ${parts.join(' and ')}` };
    },
  };
}

/** A switch whose `true` is the safe setting. */
export function safeSwitch(name: string, what: string): AttributeSpec {
  return {
    name,
    compare: 'deep',
    risk: (before, after) => (before === true && after === false ? { class: 'security-broadening', reason: `${what} turned off` } : undefined),
  };
}

/** An allowlist of CIDR blocks: risky when the new list admits an address the old one did not. */
export function cidrListAttribute(name: string): AttributeSpec {
  return {
    name,
    compare: 'set',
    risk: (before, after) => {
      const parse = (v: unknown) => (Array.isArray(v) ? v : []).map((t) => parseCidr(String(t))).flatMap((r) => (r.ok ? [r.value] : []));
      const old = parse(before);
      const wider = parse(after).filter((c) => !old.some((o) => cidrContains(o, c)));
      return wider.length > 0 ? { class: 'security-broadening', reason: `${name} now admits ${wider.map((c) => c.text).join(', ')}` } : undefined;
    },
  };
}

export function plainAttribute(name: string, risk?: AttributeSpec['risk']): AttributeSpec {
  return risk ? { name, compare: 'deep', risk } : { name, compare: 'deep' };
}

export const tagsAttribute: AttributeSpec = { name: 'tags', compare: 'deep' };
