/**
 * Password verification against argon2id and bcrypt hashes, in WebAssembly (hash-wasm) so the
 * Lambda bundle needs no native addon. The final comparison is constant-time.
 */
import { timingSafeEqual } from 'node:crypto';
import { argon2id, bcrypt } from 'hash-wasm';

const ARGON2ID = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;
const BCRYPT = /^\$2[aby]\$(\d{2})\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/;

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const STANDARD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** bcrypt's base64 uses its own alphabet; the 22-character salt carries 16 bytes. */
function decodeBcryptSalt(text: string): Uint8Array {
  const standard = [...text].map((c) => STANDARD_ALPHABET[BCRYPT_ALPHABET.indexOf(c)]).join('');
  return Buffer.from(standard, 'base64').subarray(0, 16);
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** bcrypt reads at most 72 bytes of the password; hash-wasm refuses longer input, so cut as bcrypt does. */
function bcryptPassword(password: string): Uint8Array {
  return Buffer.from(password, 'utf8').subarray(0, 72);
}

/** False for a wrong password and for a hash this verifier does not understand. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  // An empty password is a key login to Transfer Family, never a password to check.
  if (password === '') return false;
  const argon = ARGON2ID.exec(hash);
  if (argon) {
    const [, m, t, p, salt, digest] = argon;
    const expected = Buffer.from(digest!, 'base64');
    const actual = await argon2id({
      password,
      salt: Buffer.from(salt!, 'base64'),
      memorySize: Number(m),
      iterations: Number(t),
      parallelism: Number(p),
      hashLength: expected.length,
      outputType: 'binary',
    });
    return constantTimeEqual(actual, expected);
  }
  const bc = BCRYPT.exec(hash);
  if (bc) {
    const [, cost, salt, digest] = bc;
    const encoded = await bcrypt({ password: bcryptPassword(password), salt: decodeBcryptSalt(salt!), costFactor: Number(cost), outputType: 'encoded' });
    return constantTimeEqual(Buffer.from(encoded.slice(-31)), Buffer.from(digest!));
  }
  return false;
}
