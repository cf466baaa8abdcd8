import { TtlCache } from '../src/idp/cache';

describe('TtlCache', () => {
  it('expires entries after the TTL and evicts the oldest beyond its size', () => {
    let now = 0;
    const cache = new TtlCache<string>(2, 1000, () => now);
    cache.set('a', 'A');
    cache.set('b', 'B');
    expect(cache.get('a')).toBe('A');
    cache.set('c', 'C'); // 'a' is the oldest write
    expect(cache.get('a')).toBeUndefined();
    expect([cache.get('b'), cache.get('c'), cache.size]).toEqual(['B', 'C', 2]);
    now = 999;
    expect(cache.get('b')).toBe('B');
    now = 1000;
    expect(cache.get('b')).toBeUndefined();
    expect(cache.size).toBe(1);
  });
});
