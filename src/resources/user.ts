/**
 * One SFTP user: its identity record, the secret `sftp/<serverId>/<username>` that the identity
 * provider reads. Password hashes and keys are compared here but shown only as fingerprints.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { CANARY_USER_PREFIX, parseExpiry } from '../config/schema';
import { checkPublicKey, hashFingerprint } from '../config/credentials';
import { generatePassword, hashPassword } from '../apply/passwords';
import type { AwsClients } from '../aws/clients';
import { buildIdentityRecord, GENERATED_PASSWORD, parseIdentityRecord, serialiseIdentityRecord, type IdentityRecord } from '../model/identity-record';
import { canarySecretName, canaryUsername, handoffSecretName, normaliseUsername, userSecretName } from '../model/names';
import { generateKeyPairSync } from 'node:crypto';
import sshpk from 'sshpk';
import type { Platform, TenantUser } from '../config/schema';
import { claims, isOwned, managedTags, ownershipTags, syncTags, TAG_TENANT, TAG_USER, type Tags } from '../model/tags';
import { cidrListAttribute, plainAttribute, policyAttribute, tagsAttribute } from './attributes';
import type { Attributes, AttributeSpec, ResourceKind } from './types';

const keyFingerprint = (line: unknown) => {
  const key = checkPublicKey(String(line));
  return key.ok ? `${key.value.type} ${key.value.fingerprint}` : '(unparseable key)';
};

const isRealHash = (v: unknown): v is string => typeof v === 'string' && v.startsWith('$');

const passwordHashAttribute: AttributeSpec = {
  name: 'passwordHash',
  compare: 'deep',
  // A generated password is whatever apply generated: any real hash in the live record is it.
  equals: (live, desired) => (desired === GENERATED_PASSWORD ? isRealHash(live) || live === GENERATED_PASSWORD : live === desired),
  display: (v) => (isRealHash(v) ? hashFingerprint(v) : v),
  risk: (before, after) =>
    typeof after === 'string' && after !== before
      ? { class: 'security-broadening', reason: before === undefined || before === null ? 'password login enabled' : 'a new password is accepted' }
      : undefined,
};

const asStrings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** Stands for the canary's public key, which apply generates. */
export const GENERATED_KEY = '(generated at apply)';

export const CANARY_FOLDERS = [
  { path: '/sftp-tenants-canary/rw', access: 'read-write' as const },
  { path: '/sftp-tenants-canary/ro', access: 'read-only' as const },
  { path: '/sftp-tenants-canary/wo', access: 'write-only' as const },
];

export function canaryUser(platform: Platform): TenantUser | undefined {
  return platform.canary ? { name: '', publicKeys: [GENERATED_KEY], allowedCidrs: platform.canary.allowedCidrs, folders: CANARY_FOLDERS } : undefined;
}

const publicKeysAttribute: AttributeSpec = {
  name: 'publicKeys',
  compare: 'set',
  // The canary's key is whatever apply generated: any key in the live record is it.
  equals: (live, desired) =>
    Array.isArray(desired) && desired.includes(GENERATED_KEY)
      ? Array.isArray(live) && live.length > 0
      : JSON.stringify(asStrings(live).sort()) === JSON.stringify(asStrings(desired).sort()),
  display: (v) => (Array.isArray(v) ? asStrings(v).map((k) => (k === GENERATED_KEY ? k : keyFingerprint(k))) : v),
  risk: (before, after) => {
    const old = new Set((Array.isArray(before) ? before : []).map(keyFingerprint));
    const added = (Array.isArray(after) ? after : []).map(keyFingerprint).filter((f) => !old.has(f));
    return added.length > 0 ? { class: 'security-broadening', reason: `new key${added.length > 1 ? 's' : ''} may log in: ${added.join(', ')}` } : undefined;
  },
};

function recordAttributes(record: IdentityRecord): Attributes {
  return {
    format: `v${record.version}`,
    role: record.role,
    homeDirectoryDetails: record.homeDirectoryDetails,
    policy: record.policy,
    passwordHash: record.passwordHash ?? null,
    publicKeys: record.publicKeys,
    allowedCidrs: record.allowedCidrs,
    expires: record.expires ?? null,
  };
}

const RECORD_ATTRIBUTES = ['format', 'role', 'homeDirectoryDetails', 'policy', 'passwordHash', 'publicKeys', 'allowedCidrs', 'expires'];

const UNREADABLE: Attributes = {
  format: '(unreadable)',
  role: null,
  homeDirectoryDetails: null,
  policy: null,
  passwordHash: null,
  publicKeys: [],
  allowedCidrs: [],
  expires: null,
};

export const userKind: ResourceKind = {
  kind: 'user',
  dependsOn: ['role'],
  attributes: [
    plainAttribute('state'),
    plainAttribute('format'),
    plainAttribute('role', (b, a) => (b !== a && b !== null ? { class: 'security-broadening', reason: `sessions now assume ${String(a)}` } : undefined)),
    plainAttribute('homeDirectoryDetails', (before, after) => {
      const entries = (v: unknown) => (Array.isArray(v) ? v.map((m: { Target?: string }) => m.Target ?? '') : []);
      const old = new Set(entries(before));
      const added = entries(after).filter((t) => !old.has(t));
      return added.length > 0 && before !== null ? { class: 'security-broadening', reason: `new folders: ${added.join(', ')}` } : undefined;
    }),
    policyAttribute('policy'),
    passwordHashAttribute,
    publicKeysAttribute,
    cidrListAttribute('allowedCidrs'),
    plainAttribute('expires', (b, a) =>
      b !== null && b !== undefined && (a === null || (typeof a === 'string' && typeof b === 'string' && a > b))
        ? { class: 'security-broadening', reason: a === null ? 'expiry removed' : `access extended to ${a}` }
        : undefined,
    ),
    tagsAttribute,
  ],

  desired({ config, tenant, keyArn }) {
    const { platform } = config;
    const canary = canaryUser(platform);
    const users: TenantUser[] = [...tenant.users, ...(canary ? [{ ...canary, name: canaryUsername(tenant.name) }] : [])];
    return users.map((user) => {
      const record = buildIdentityRecord(platform, tenant, user, keyArn, user.expires !== undefined ? parseExpiry(user.expires) : undefined);
      return {
        kind: 'user' as const,
        tenant: tenant.name,
        id: normaliseUsername(user.name),
        payload: serialiseIdentityRecord(record),
        attributes: {
          state: 'active',
          ...recordAttributes(record),
          tags: { ...ownershipTags(platform.namePrefix, tenant.name), [TAG_USER]: normaliseUsername(user.name) },
        },
      };
    });
  },

  read({ config, discovery }, tenant, desired) {
    const { platform } = config;
    const prefix = `sftp/${platform.serverId}/`;
    const declared = new Set(desired.map((d) => userSecretName(platform.serverId, d.id)));
    const found = [...discovery.secrets.values()].filter(
      (s) => declared.has(s.name) || (isOwned(s.tags, platform.namePrefix) && s.tags[TAG_TENANT] === tenant),
    );
    return Promise.resolve(
      found.map((s) => {
        const text = discovery.secretValues.get(s.name);
        const record = text !== undefined ? parseIdentityRecord(text) : undefined;
        return {
          kind: 'user' as const,
          tenant,
          id: s.name.slice(prefix.length),
          owned: claims(s.tags, platform.namePrefix),
          attributes: {
            state: s.deletedDate ? 'scheduled-for-deletion' : 'active',
            ...(record ? recordAttributes(record) : UNREADABLE),
            tags: managedTags(s.tags),
          },
          meta: { arn: s.arn, secretName: s.name, pendingDeletion: s.deletedDate !== undefined },
        };
      }),
    );
  },

  async create({ config, clients }, d) {
    let payload = d.payload!;
    const record = parseIdentityRecord(payload)!;
    if (record.passwordHash === GENERATED_PASSWORD) {
      payload = serialiseIdentityRecord({ ...record, passwordHash: await handOffNewPassword(clients, config.platform.namePrefix, d) });
    }
    if (record.publicKeys.includes(GENERATED_KEY)) {
      payload = serialiseIdentityRecord({ ...parseIdentityRecord(payload)!, publicKeys: [await storeCanaryKey(clients, config.platform.namePrefix, d)] });
    }
    const out = await clients.secrets.send(
      new CreateSecretCommand({
        Name: userSecretName(config.platform.serverId, d.id),
        Description: `sftp-tenants: identity record of SFTP user ${d.id} (tenant ${d.tenant})`,
        SecretString: payload,
        Tags: Object.entries(d.attributes.tags as Tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    return { meta: { arn: out.ARN } };
  },

  async update({ config, clients }, d, l, attributes) {
    const SecretId = userSecretName(config.platform.serverId, d.id);
    if (attributes.includes('state') && l.attributes.state === 'scheduled-for-deletion') {
      await clients.secrets.send(new RestoreSecretCommand({ SecretId }));
      // Deleting the record deleted its companion too (the canary's key pair, or the password left
      // for operators); bring it back with it, or a restored canary could not log in.
      // A crash between deleting a record and its companion leaves the companion active; should
      // Secrets Manager refuse to restore an active secret (InvalidRequest), that is no failure.
      await ignoring(clients.secrets.send(new RestoreSecretCommand({ SecretId: companionSecretName(config.platform.namePrefix, l.tenant, l.id) })), ['ResourceNotFoundException', 'InvalidRequestException']);
    }
    if (attributes.some((a) => RECORD_ATTRIBUTES.includes(a))) {
      let payload = d.payload!;
      const record = parseIdentityRecord(payload)!;
      if (record.passwordHash === GENERATED_PASSWORD) {
        // Keep the password already handed over; generate one only if there is none yet.
        const current = l.attributes.passwordHash;
        const hash = isRealHash(current) ? current : await handOffNewPassword(clients, config.platform.namePrefix, d);
        payload = serialiseIdentityRecord({ ...record, passwordHash: hash });
      }
      if (record.publicKeys.includes(GENERATED_KEY)) {
        const current = l.attributes.publicKeys;
        const keys = Array.isArray(current) && current.length > 0 ? (current as string[]) : [await storeCanaryKey(clients, config.platform.namePrefix, d)];
        payload = serialiseIdentityRecord({ ...parseIdentityRecord(payload)!, publicKeys: keys });
      }
      await clients.secrets.send(new PutSecretValueCommand({ SecretId, SecretString: payload }));
    }
    if (attributes.includes('tags')) {
      await syncTags(
        l.attributes.tags as Tags,
        d.attributes.tags as Tags,
        (TagKeys) => clients.secrets.send(new UntagResourceCommand({ SecretId, TagKeys })),
        (entries) => clients.secrets.send(new TagResourceCommand({ SecretId, Tags: entries.map(([Key, Value]) => ({ Key, Value })) })),
      );
    }
    return { meta: l.meta };
  },

  async delete({ config, clients }, l) {
    const RecoveryWindowInDays = config.platform.defaults.secretRecoveryWindowDays;
    await clients.secrets.send(new DeleteSecretCommand({ SecretId: l.meta.secretName as string, RecoveryWindowInDays }));
    await ignoring(clients.secrets.send(new DeleteSecretCommand({ SecretId: companionSecretName(config.platform.namePrefix, l.tenant, l.id), RecoveryWindowInDays })), ['ResourceNotFoundException']);
  },

  deleteRisks: () => [{ class: 'destroy', reason: "deleting the identity record revokes the user's access (recoverable during the recovery window)" }],
};

/** The secret that goes with a user's record, if it has one: a canary's key pair, or a generated password's hand-off. */
function companionSecretName(namePrefix: string, tenant: string, username: string): string {
  return username.startsWith(CANARY_USER_PREFIX) ? canarySecretName(namePrefix, tenant) : handoffSecretName(namePrefix, username);
}

/** Most users have no companion secret: errors saying so are expected. */
async function ignoring(call: Promise<unknown>, names: readonly string[]): Promise<void> {
  try {
    await call;
  } catch (err) {
    if (!names.includes((err as { name?: string }).name ?? '')) throw err;
  }
}

/**
 * Generates a password, leaves it in the user's hand-off secret for operators, and returns its
 * hash for the identity record. The password itself goes nowhere else: no log, no plan, no output.
 */
export async function handOffNewPassword(clients: AwsClients, namePrefix: string, d: { id: string; tenant: string; attributes: Attributes }): Promise<string> {
  const password = generatePassword();
  const hash = await hashPassword(password);
  const Name = handoffSecretName(namePrefix, d.id);
  try {
    await clients.secrets.send(new PutSecretValueCommand({ SecretId: Name, SecretString: password }));
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
    await clients.secrets.send(
      new CreateSecretCommand({
        Name,
        Description: `sftp-tenants: generated SFTP password of ${d.id} (tenant ${d.tenant}), to hand over to the client`,
        SecretString: password,
        Tags: Object.entries(d.attributes.tags as Tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
  }
  return hash;
}

export interface CanaryKey {
  username: string;
  privateKey: string;
  publicKey: string;
}

/** Generates the canary's SSH key pair, keeps it in the canary secret, returns the public key. */
export async function storeCanaryKey(clients: AwsClients, namePrefix: string, d: { id: string; tenant: string; attributes: Attributes }): Promise<string> {
  const pair = generateKeyPairSync('ed25519');
  const privateKey = sshpk.parsePrivateKey(pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'pem').toString('openssh');
  const pub = sshpk.parseKey(pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'pem');
  pub.comment = d.id;
  const publicKey = pub.toString('ssh');
  const value: CanaryKey = { username: d.id, privateKey, publicKey };
  const Name = canarySecretName(namePrefix, d.tenant);
  try {
    await clients.secrets.send(new PutSecretValueCommand({ SecretId: Name, SecretString: JSON.stringify(value) }));
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
    await clients.secrets.send(
      new CreateSecretCommand({
        Name,
        Description: `sftp-tenants: SSH key pair of the smoke-test canary of tenant ${d.tenant}`,
        SecretString: JSON.stringify(value),
        Tags: Object.entries(d.attributes.tags as Tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
  }
  return publicKey;
}
