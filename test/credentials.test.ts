import fc from 'fast-check';
import { checkPasswordHash, checkPublicKey } from '../src/config/credentials';
import { publicKey } from './helpers/keys';

describe('password hashes', () => {
  it.each([
    ['bcrypt $2b$ cost 12', '$2b$12$C6UzMDM.H6dfI/f/IKxGhuSORQZvdCgy4E4TT6eSV9AOqD9g/2zAi', 'bcrypt'],
    ['bcrypt $2a$ cost 10', '$2a$10$C6UzMDM.H6dfI/f/IKxGhuSORQZvdCgy4E4TT6eSV9AOqD9g/2zAi', 'bcrypt'],
    ['argon2id OWASP minimum', '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Ykq0Yc3PdCvZlGkZ0iFQnXNi6rmSmLZ9bYgVUK2n3kM', 'argon2id'],
    ['argon2id stronger', '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$Ykq0Yc3PdCvZlGkZ0iFQnXNi6rmSmLZ9bYgVUK2n3kM', 'argon2id'],
  ])('accepts %s', (_name, hash, algorithm) => {
    expect(checkPasswordHash(hash)).toMatchObject({ ok: true, value: { algorithm } });
  });

  it('never repeats the rejected value in its message (it may be a plaintext password)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9!#%&*+=?^_~-]{10,40}$/), (secret) => {
        const result = checkPasswordHash(secret);
        return !result.ok && !result.message.includes(secret);
      }),
    );
  });

  it('fingerprints a hash without revealing it', () => {
    const hash = '$2b$12$C6UzMDM.H6dfI/f/IKxGhuSORQZvdCgy4E4TT6eSV9AOqD9g/2zAi';
    const result = checkPasswordHash(hash);
    if (!result.ok) throw new Error(result.message);
    expect(result.value.fingerprint).toMatch(/^sha256:[A-Za-z0-9+/]{16}$/);
    expect(hash).not.toContain(result.value.fingerprint.slice(7));
  });
});

describe('SSH public keys', () => {
  it.each([
    ['ed25519', 'ed25519', 256],
    ['ecdsa', 'ecdsa', 256],
    ['rsa2048', 'rsa', 2048],
  ] as const)('accepts %s', (kind, type, bits) => {
    expect(checkPublicKey(publicKey(kind))).toMatchObject({ ok: true, value: { type, bits } });
  });

  it('gives the same fingerprint whatever the comment, and different keys different ones', () => {
    const key = publicKey('ed25519', 'one');
    const a = checkPublicKey(key);
    const b = checkPublicKey(key.replace(/ one$/, ' two'));
    const c = checkPublicKey(publicKey('ed25519', 'one'));
    if (!a.ok || !b.ok || !c.ok) throw new Error('keys should parse');
    expect(a.value.fingerprint).toBe(b.value.fingerprint);
    expect(a.value.fingerprint).not.toBe(c.value.fingerprint);
    expect(a.value.fingerprint).toMatch(/^SHA256:/);
  });

  it('rejects a truncated key body', () => {
    const key = publicKey('ed25519');
    const [type, body] = key.split(' ');
    expect(checkPublicKey(`${type} ${body!.slice(0, 40)}`)).toMatchObject({ ok: false });
  });
});
