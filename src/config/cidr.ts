/** CIDR parsing and containment for source-IP allowlists (IPv4 and IPv6). */
import ipaddr from 'ipaddr.js';
import type { Check } from './credentials';

export interface Cidr {
  kind: 'ipv4' | 'ipv6';
  address: ipaddr.IPv4 | ipaddr.IPv6;
  prefix: number;
  text: string;
}

export function parseCidr(text: string): Check<Cidr> {
  if (!text.includes('/')) return { ok: false, message: `"${text}" is not a CIDR block; write ADDRESS/PREFIX, e.g. 203.0.113.10/32` };
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(text);
  } catch {
    return { ok: false, message: `"${text}" is not a valid IPv4 or IPv6 CIDR block` };
  }
  const [address, prefix] = parsed;
  const kind = address.kind();
  if (kind === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(text.split('/')[0]!)) {
    return { ok: false, message: `"${text}" is not a valid IPv4 CIDR block (write the address as four decimal parts)` };
  }
  if (prefix === 0) {
    return { ok: false, message: `"${text}" allows the whole internet; list the client's own address ranges` };
  }
  const network = kind === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(text) : ipaddr.IPv6.networkAddressFromCIDR(text);
  if (network.toString() !== address.toString()) {
    return { ok: false, message: `"${text}" has host bits set; did you mean ${network.toString()}/${prefix}?` };
  }
  return { ok: true, value: { kind, address, prefix, text } };
}

/** Whether every address of `inner` lies inside `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.kind !== inner.kind || inner.prefix < outer.prefix) return false;
  return (inner.address as ipaddr.IPv4).match(outer.address, outer.prefix);
}
