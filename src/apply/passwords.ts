/** Generated passwords: strong, random, stored only as an argon2id hash in the identity record. */
import { randomBytes } from 'node:crypto';
import { argon2id } from 'hash-wasm';

/** 24 random bytes: 32 URL-safe characters, 192 bits. */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

/** argon2id at the OWASP minimum the validator enforces (19 MiB, 2 iterations). */
export function hashPassword(password: string): Promise<string> {
  return argon2id({ password, salt: randomBytes(16), parallelism: 1, iterations: 2, memorySize: 19456, hashLength: 32, outputType: 'encoded' });
}
