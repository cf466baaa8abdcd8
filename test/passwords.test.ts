/**
 * Password verification against hashes made by reference implementations (pyca/bcrypt and
 * argon2-cffi, which wraps the argon2 reference C library), so a compatible but wrong
 * implementation here cannot pass by agreeing with itself.
 */
import { verifyPassword } from '../src/idp/passwords';
import { DUMMY_HASH } from '../src/idp/authenticate';
import { checkPasswordHash } from '../src/config/credentials';

const vectors: Array<[string, string, string]> = [
  ['bcrypt $2b$ cost 10', 'correct horse', '$2b$10$sMLNRVsDNF2cB1dKY54ufuouWYCbL0qOt40oJ8MnWEaFtDDIXG7/q'],
  ['bcrypt $2y$ (same algorithm, PHP prefix)', 'correct horse', '$2y$10$sMLNRVsDNF2cB1dKY54ufuouWYCbL0qOt40oJ8MnWEaFtDDIXG7/q'],
  ['bcrypt $2a$ cost 11, non-ASCII password', 'pässwörd', '$2a$11$.iODkGaabO7FCjIJQY2ZM.ZSXrVFhAKuwU8pbybb3bfrtSX44yICG'],
  ['argon2id OWASP minimum', 'correct horse', '$argon2id$v=19$m=19456,t=2,p=1$ShEGwZPl/UChQSZNS7D2LA$QUnT2IUoKMXoXtITOwJjBSUxvvW0NZGxIb58y3COpW0'],
  ['argon2id p=4, non-ASCII password', 'pässwörd', '$argon2id$v=19$m=65536,t=3,p=4$sUUHyuvNj9YAv1iW/1KF4Q$0TlbFTVm1BglgCnBJKDiHBhHuG91wI2qMpWHLb0o+CI'],
];

describe('verifyPassword', () => {
  it.each(vectors)('%s: right password verifies, near misses do not', async (_name, password, hash) => {
    expect(await verifyPassword(password, hash)).toBe(true);
    expect(await verifyPassword(`${password} `, hash)).toBe(false);
    expect(await verifyPassword(password.slice(0, -1), hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('reads only the first 72 bytes of a password for bcrypt, as bcrypt does', async () => {
    const hash = '$2b$10$HcLIIPBRMCDZv1EmvZXTVewns54oYM3jveR1AjgjP.4ViFZjtbhFq'; // of 'x' * 72
    expect(await verifyPassword('x'.repeat(72), hash)).toBe(true);
    expect(await verifyPassword('x'.repeat(80), hash)).toBe(true);
    expect(await verifyPassword('x'.repeat(71), hash)).toBe(false);
  });

  it('refuses anything that is not a hash it understands', async () => {
    for (const hash of ['correct horse', '', '$argon2i$v=19$m=19456,t=2,p=1$ShEGwZPl/UChQSZNS7D2LA$QUnT2IUoKMXoXtITOwJjBSUxvvW0NZGxIb58y3COpW0', '$2b$10$short']) {
      expect(await verifyPassword('correct horse', hash)).toBe(false);
    }
  });

  it('uses a dummy hash that validation would accept (so it costs what a real one does)', () => {
    expect(checkPasswordHash(DUMMY_HASH)).toMatchObject({ ok: true, value: { algorithm: 'bcrypt' } });
  });
});
