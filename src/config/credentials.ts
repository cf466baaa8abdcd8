/**
 * Checks on the credentials a tenant file may hold: password hashes and SSH public keys.
 * Messages never repeat the value they judge: a "hash" that fails may be a plaintext password.
 */
import { createHash } from 'node:crypto';
import sshpk from 'sshpk';

export type Check<T> = { ok: true; value: T } | { ok: false; message: string };

export const BCRYPT_MIN_COST = 10;
/** OWASP's minimum argon2id configuration: 19 MiB of memory, 2 iterations. */
export const ARGON2_MIN_MEMORY_KIB = 19 * 1024;
export const ARGON2_MIN_ITERATIONS = 2;

export interface PasswordHashInfo {
  algorithm: 'bcrypt' | 'argon2id';
  /** A short, non-reversible fingerprint for plans and logs. */
  fingerprint: string;
}

const BCRYPT = /^\$(2[aby])\$(\d{2})\$[./A-Za-z0-9]{53}$/;
const ARGON2 = /^\$(argon2(?:id|i|d))\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]{11,})\$([A-Za-z0-9+/]{16,})$/;

export function hashFingerprint(hash: string): string {
  return `sha256:${createHash('sha256').update(hash).digest('base64').slice(0, 16)}`;
}

export function checkPasswordHash(hash: string): Check<PasswordHashInfo> {
  const bcrypt = BCRYPT.exec(hash);
  if (bcrypt) {
    const cost = Number(bcrypt[2]);
    if (cost < BCRYPT_MIN_COST || cost > 31) {
      return { ok: false, message: `bcrypt cost ${cost} is too weak; use a cost of ${BCRYPT_MIN_COST} or more` };
    }
    return { ok: true, value: { algorithm: 'bcrypt', fingerprint: hashFingerprint(hash) } };
  }
  const argon = ARGON2.exec(hash);
  if (argon) {
    const [, variant, version, m, t] = argon;
    if (variant !== 'argon2id') {
      return { ok: false, message: `${variant} is not accepted; hash passwords with argon2id (or bcrypt)` };
    }
    if (version !== '19') return { ok: false, message: `argon2id version ${version} is not supported; use v=19` };
    if (Number(m) < ARGON2_MIN_MEMORY_KIB) {
      return { ok: false, message: `argon2id memory m=${m} KiB is too weak; use at least m=${ARGON2_MIN_MEMORY_KIB} (19 MiB)` };
    }
    if (Number(t) < ARGON2_MIN_ITERATIONS) {
      return { ok: false, message: `argon2id iterations t=${t} is too weak; use at least t=${ARGON2_MIN_ITERATIONS}` };
    }
    return { ok: true, value: { algorithm: 'argon2id', fingerprint: hashFingerprint(hash) } };
  }
  return {
    ok: false,
    message:
      'not a recognised argon2id or bcrypt hash (a plaintext password is never accepted; ' +
      'hash it, e.g. with `htpasswd -nbBC 12 "" PASSWORD | cut -d: -f2`)',
  };
}

export interface PublicKeyInfo {
  type: 'rsa' | 'ecdsa' | 'ed25519';
  bits: number;
  /** OpenSSH-style SHA256 fingerprint: identifies the key whatever its comment. */
  fingerprint: string;
}

export const RSA_MIN_BITS = 2048;
const KEY_LINE = /^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|ssh-dss|sk-\S+)\s+([A-Za-z0-9+/]+={0,3})(\s+.*)?$/;

export function checkPublicKey(line: string): Check<PublicKeyInfo> {
  const trimmed = line.trim();
  if (trimmed.includes('PRIVATE KEY')) {
    return { ok: false, message: 'this is a private key; list only public keys (the contents of the .pub file)' };
  }
  const m = KEY_LINE.exec(trimmed);
  if (!m) {
    return { ok: false, message: 'not an OpenSSH public key line ("<type> <base64> [comment]", e.g. ssh-ed25519 AAAA... user@host)' };
  }
  const declared = m[1]!;
  if (declared === 'ssh-dss') return { ok: false, message: 'DSA keys are not accepted (insecure and unsupported by Transfer Family); use ed25519 or RSA of 2048 bits or more' };
  if (declared.startsWith('sk-')) return { ok: false, message: `${declared} (security-key) keys are not supported by Transfer Family` };
  let key: sshpk.Key;
  try {
    key = sshpk.parseKey(trimmed, 'ssh');
  } catch {
    return { ok: false, message: `malformed ${declared} public key: its base64 body does not decode to a valid key` };
  }
  // The blob names its own type; a line whose label disagrees with it has been mangled.
  const blob = Buffer.from(m[2]!, 'base64');
  const blobType = blob.subarray(4, 4 + blob.readUInt32BE(0)).toString();
  if (blobType !== declared) {
    return { ok: false, message: `malformed public key: labelled ${declared} but its body is a ${blobType} key` };
  }
  const type = key.type as string;
  if (type !== 'rsa' && type !== 'ecdsa' && type !== 'ed25519') {
    return { ok: false, message: `${type} keys are not supported by Transfer Family` };
  }
  if (type === 'rsa' && key.size < RSA_MIN_BITS) {
    return { ok: false, message: `RSA key of ${key.size} bits is too weak; use ${RSA_MIN_BITS} bits or more (or ed25519)` };
  }
  return { ok: true, value: { type, bits: key.size, fingerprint: key.fingerprint('sha256').toString() } };
}
