/**
 * The tenant's KMS key and its alias. Found through the alias; a key that carries the tenant's
 * tags but no alias (an apply interrupted between CreateKey and CreateAlias) is adopted, never
 * duplicated.
 */
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-kms';
import { withPropagationRetry } from '../apply/retry';
import { keyAlias } from '../model/names';
import { keyPolicy, keyPolicyAdminOnly } from '../model/policies';
import { claims, isOwned, managedTags, ownershipTags, syncTags, TAG_ON_REMOVAL, TAG_TENANT, tagsFromList, type Tags } from '../model/tags';
import { plainAttribute, policyAttribute, safeSwitch, tagsAttribute } from './attributes';
import type { LiveResource, ResourceKind } from './types';

export const keyKind: ResourceKind = {
  kind: 'key',
  dependsOn: [],
  attributes: [
    plainAttribute('alias'),
    plainAttribute('state'),
    safeSwitch('rotation', 'automatic key rotation'),
    policyAttribute('policy'),
    tagsAttribute,
  ],

  desired({ config, tenant }) {
    const { platform } = config;
    return [
      {
        kind: 'key',
        tenant: tenant.name,
        id: keyAlias(platform, tenant.name),
        attributes: {
          alias: keyAlias(platform, tenant.name),
          state: 'Enabled',
          rotation: tenant.encryption.keyRotation,
          policy: keyPolicy(platform, tenant.name),
          tags: { ...ownershipTags(platform.namePrefix, tenant.name), [TAG_ON_REMOVAL]: tenant.storage.onRemoval },
        },
      },
    ];
  },

  async read({ config, clients, discovery }, tenant) {
    const alias = keyAlias(config.platform, tenant);
    let keyId = discovery.aliases.get(alias);
    const aliased = keyId !== undefined;
    if (!keyId) {
      const targeted = new Set(discovery.aliases.values());
      const orphan = [...discovery.taggedKeys.entries()].find(
        ([id, k]) => !targeted.has(id) && k.tags[TAG_TENANT] === tenant && isOwned(k.tags, config.platform.namePrefix),
      );
      keyId = orphan?.[0];
    }
    if (!keyId) return [];
    const described = await clients.kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    const state = described.KeyMetadata?.KeyState ?? 'Unknown';
    // An orphan already scheduled for deletion is nothing to adopt.
    if (!aliased && state === 'PendingDeletion') return [];
    let tags: Tags | undefined = discovery.taggedKeys.get(keyId)?.tags;
    const [rotation, policy, listedTags] = await Promise.all([
      state === 'PendingDeletion' ? Promise.resolve(undefined) : clients.kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId })),
      // PolicyName 'default' is the only key policy name; moto requires it and AWS accepts it.
      clients.kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' })),
      tags ? Promise.resolve(undefined) : clients.kms.send(new ListResourceTagsCommand({ KeyId: keyId })),
    ]);
    if (!tags) tags = tagsFromList(listedTags?.Tags?.map((t) => ({ Key: t.TagKey, Value: t.TagValue })));
    const live: LiveResource = {
      kind: 'key',
      tenant,
      id: alias,
      owned: claims(tags, config.platform.namePrefix),
      attributes: {
        alias: aliased ? alias : null,
        state,
        rotation: rotation?.KeyRotationEnabled ?? false,
        policy: policy.Policy ?? null,
        tags: managedTags(tags),
      },
      meta: { keyId, arn: described.KeyMetadata?.Arn, onRemoval: tags[TAG_ON_REMOVAL], pendingDeletion: state === 'PendingDeletion' },
    };
    return [live];
  },

  async create({ config, clients }, d) {
    const tags = d.attributes.tags as Tags;
    // Starts with an administration-only policy: a policy naming the tenant role is refused until
    // the role exists, and the default policy would let the whole account decrypt.
    const created = await clients.kms.send(
      new CreateKeyCommand({
        Description: `sftp-tenants: data key of tenant ${d.tenant}`,
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeySpec: 'SYMMETRIC_DEFAULT',
        Policy: JSON.stringify(keyPolicyAdminOnly(config.platform)),
        Tags: Object.entries(tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
      }),
    );
    const keyId = created.KeyMetadata!.KeyId!;
    await clients.kms.send(new CreateAliasCommand({ AliasName: d.id, TargetKeyId: keyId }));
    if (d.attributes.rotation === true) await clients.kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
    return { meta: { keyId, arn: created.KeyMetadata!.Arn } };
  },

  async update({ clients }, d, l, attributes) {
    const KeyId = l.meta.keyId as string;
    if (attributes.includes('state')) {
      if (l.attributes.state === 'PendingDeletion') await clients.kms.send(new CancelKeyDeletionCommand({ KeyId }));
      await clients.kms.send(new EnableKeyCommand({ KeyId }));
    }
    if (attributes.includes('alias') && l.attributes.alias === null) await clients.kms.send(new CreateAliasCommand({ AliasName: d.id, TargetKeyId: KeyId }));
    if (attributes.includes('rotation')) {
      await clients.kms.send(d.attributes.rotation === true ? new EnableKeyRotationCommand({ KeyId }) : new DisableKeyRotationCommand({ KeyId }));
    }
    if (attributes.includes('tags')) {
      await syncTags(
        l.attributes.tags as Tags,
        d.attributes.tags as Tags,
        (TagKeys) => clients.kms.send(new UntagResourceCommand({ KeyId, TagKeys })),
        (entries) => clients.kms.send(new TagResourceCommand({ KeyId, Tags: entries.map(([TagKey, TagValue]) => ({ TagKey, TagValue })) })),
      );
    }
    // 'policy' waits for finalize: it names the tenant role, which may not exist yet.
    return { meta: l.meta };
  },

  async finalize({ clients, retry }, d, keyId) {
    await withPropagationRetry(retry, () =>
      clients.kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: JSON.stringify(d.attributes.policy) })),
    );
  },

  async delete({ config, clients }, l) {
    // The alias stays: re-declaring the tenant within the waiting period finds the key and cancels.
    await clients.kms.send(new ScheduleKeyDeletionCommand({ KeyId: l.meta.keyId as string, PendingWindowInDays: config.platform.defaults.keyDeletionWindowDays }));
  },

  deleteRisks: () => [
    { class: 'destroy', reason: 'the key is scheduled for deletion (cancellable during the waiting period)' },
    { class: 'data-loss', reason: 'once deleted, every object encrypted under this key is unreadable for good' },
  ],
};
