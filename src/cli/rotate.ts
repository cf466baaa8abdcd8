/**
 * `sftp-tenants rotate-password USER`: a new generated password for a user declared with
 * generatedPassword: true. The password goes only to the user's hand-off secret; the identity
 * record gets its hash. Nothing prints the password.
 */
import { GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { createClients, destroyClients } from '../aws/clients';
import { acquireLock } from '../apply/lock';
import { UsageError } from '../errors';
import { parseIdentityRecord, serialiseIdentityRecord } from '../model/identity-record';
import { handoffSecretName, normaliseUsername, userSecretName } from '../model/names';
import { ownershipTags, TAG_USER } from '../model/tags';
import { handOffNewPassword } from '../resources/user';
import type { Io } from './io';
import { loadValidConfig, type ConfigOptions } from './validate';

export async function rotatePasswordCommand(username: string, opts: ConfigOptions, io: Io): Promise<number> {
  const { config } = await loadValidConfig(opts, io);
  const { platform } = config;
  const found = config.tenants.flatMap((t) => t.tenant.users.map((u) => ({ tenant: t.tenant, user: u }))).find((x) => normaliseUsername(x.user.name) === normaliseUsername(username));
  if (!found) throw new UsageError(`no user ${username} is declared`);
  if (found.user.generatedPassword !== true) throw new UsageError(`user ${found.user.name} does not use a generated password (generatedPassword: true)`);

  const clients = createClients({ region: platform.region, env: io.env });
  const lock = await acquireLock(clients, platform, { waitMs: 60_000, pollMs: 2000, now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)), command: `rotate-password ${username}` });
  try {
    const SecretId = userSecretName(platform.serverId, found.user.name);
    const current = await clients.secrets.send(new GetSecretValueCommand({ SecretId })).catch((err: unknown) => {
      if ((err as { name?: string }).name === 'ResourceNotFoundException') throw new UsageError(`user ${found.user.name} has no identity record yet; run apply first`);
      throw err;
    });
    const record = parseIdentityRecord(current.SecretString ?? '');
    if (!record) throw new UsageError(`the identity record of ${found.user.name} is not in the expected format; run apply to rewrite it first`);
    // Hand-off first: if the next write fails, rerunning the command rotates again.
    const hash = await handOffNewPassword(clients, platform.namePrefix, {
      id: normaliseUsername(found.user.name),
      tenant: found.tenant.name,
      attributes: { tags: { ...ownershipTags(platform.namePrefix, found.tenant.name), [TAG_USER]: normaliseUsername(found.user.name) } },
    });
    await clients.secrets.send(new PutSecretValueCommand({ SecretId, SecretString: serialiseIdentityRecord({ ...record, passwordHash: hash }) }));
    io.stdout(`Rotated the password of ${found.user.name}. The new password is in secret ${handoffSecretName(platform.namePrefix, found.user.name)} (it is never printed).\n`);
    return 0;
  } finally {
    await lock.release();
    destroyClients(clients);
  }
}
