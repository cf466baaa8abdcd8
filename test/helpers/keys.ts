/** Fresh SSH public keys for tests (no key material lives in the repository). */
import { generateKeyPairSync } from 'node:crypto';
import sshpk from 'sshpk';

type Kind = 'ed25519' | 'rsa2048' | 'rsa1024' | 'dsa' | 'ecdsa';

export function publicKey(kind: Kind, comment = 'test@example'): string {
  const pem =
    kind === 'ed25519'
      ? generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' })
      : kind === 'ecdsa'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' })
        : kind === 'dsa'
          ? generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 }).publicKey.export({ type: 'spki', format: 'pem' })
          : generateKeyPairSync('rsa', { modulusLength: kind === 'rsa1024' ? 1024 : 2048 }).publicKey.export({ type: 'spki', format: 'pem' });
  const key = sshpk.parseKey(pem, 'pem');
  key.comment = comment;
  return key.toString('ssh');
}
