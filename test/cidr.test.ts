import fc from 'fast-check';
import { cidrContains, parseCidr, type Cidr } from '../src/config/cidr';

const must = (text: string): Cidr => {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};

describe('CIDR allowlists', () => {
  it.each([
    ['10.0.0.0/8', '10.1.2.0/24', true],
    ['10.0.0.0/8', '10.0.0.0/8', true],
    ['10.1.2.0/24', '10.0.0.0/8', false],
    ['10.0.0.0/8', '11.0.0.0/24', false],
    ['2001:db8::/32', '2001:db8:4d::/48', true],
    ['2001:db8::/32', '2001:db9::/48', false],
    ['10.0.0.0/8', '2001:db8::/48', false],
  ])('%s contains %s: %s', (outer, inner, expected) => {
    expect(cidrContains(must(outer), must(inner))).toBe(expected);
  });

  it('rejects /0 in both families and ambiguous IPv4 spellings', () => {
    for (const text of ['0.0.0.0/0', '::/0', '10.1/16', '10.0.0.0/33', '2001:db8::/129', 'fe80::/10x']) {
      expect(parseCidr(text).ok).toBe(false);
    }
  });

  it('containment is reflexive and follows the prefix order (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 1, max: 32 }), fc.integer({ min: 0, max: 32 }), (ip, outerBits, extra) => {
        const innerBits = Math.min(32, outerBits + extra);
        const network = (bits: number) => {
          const n = ip.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
          const masked = bits === 0 ? 0 : Number((BigInt(n) >> BigInt(32 - bits)) << BigInt(32 - bits));
          return `${[24, 16, 8, 0].map((s) => (masked >>> s) & 255).join('.')}/${bits}`;
        };
        const outer = must(network(outerBits));
        const inner = must(network(innerBits));
        return cidrContains(outer, outer) && cidrContains(outer, inner) && (innerBits === outerBits || !cidrContains(inner, outer));
      }),
    );
  });
});
