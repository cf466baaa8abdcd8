/** The tenant's IAM role: trusted only by Transfer Family, allowed only its own bucket and key. */
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import type { AwsClients } from '../aws/clients';
import { roleName } from '../model/names';
import { INLINE_POLICY_NAME, roleAccessPolicy, roleTrustPolicy } from '../model/policies';
import { claims, managedTags, ownershipTags, syncTags, tagsFromList, type Tags } from '../model/tags';
import { parsePolicy } from '../plan/canonical';
import { plainAttribute, policyAttribute, tagsAttribute } from './attributes';
import type { ResourceKind } from './types';

export const roleKind: ResourceKind = {
  kind: 'role',
  dependsOn: ['key'],
  attributes: [
    policyAttribute('trustPolicy'),
    policyAttribute('accessPolicy'),
    // Anything else attached to the role widens what every tenant session may do.
    plainAttribute('otherPolicies', (before, after) => {
      const added = (Array.isArray(after) ? after : []).filter((p) => !(Array.isArray(before) ? before : []).includes(p));
      return added.length > 0 ? { class: 'security-broadening', reason: `policies attached to the role: ${added.join(', ')}` } : undefined;
    }),
    tagsAttribute,
  ],

  desired({ config, tenant, keyArn }) {
    const { platform } = config;
    return [
      {
        kind: 'role',
        tenant: tenant.name,
        id: roleName(platform, tenant.name),
        attributes: {
          trustPolicy: roleTrustPolicy(platform),
          accessPolicy: roleAccessPolicy(platform, tenant.name, keyArn),
          otherPolicies: [],
          tags: ownershipTags(platform.namePrefix, tenant.name),
        },
      },
    ];
  },

  read({ config, discovery }, tenant) {
    const name = roleName(config.platform, tenant);
    const role = discovery.roles.get(name);
    if (!role) return Promise.resolve([]);
    const tags = tagsFromList(role.Tags);
    const inline = role.RolePolicyList ?? [];
    const access = inline.find((p) => p.PolicyName === INLINE_POLICY_NAME);
    const others = [
      ...inline.filter((p) => p.PolicyName !== INLINE_POLICY_NAME).map((p) => `inline:${p.PolicyName}`),
      ...(role.AttachedManagedPolicies ?? []).map((p) => `managed:${p.PolicyArn}`),
    ].sort();
    return Promise.resolve([
      {
        kind: 'role',
        tenant,
        id: name,
        owned: claims(tags, config.platform.namePrefix),
        attributes: {
          trustPolicy: parsePolicy(role.AssumeRolePolicyDocument) ?? null,
          accessPolicy: access ? (parsePolicy(access.PolicyDocument) ?? null) : null,
          otherPolicies: others,
          tags: managedTags(tags),
        },
        meta: { arn: role.Arn },
      },
    ]);
  },

  async create({ clients }, d) {
    const created = await clients.iam.send(
      new CreateRoleCommand({
        RoleName: d.id,
        Description: `sftp-tenants: Transfer Family role of tenant ${d.tenant}`,
        AssumeRolePolicyDocument: JSON.stringify(d.attributes.trustPolicy),
        MaxSessionDuration: 3600,
        Tags: Object.entries(d.attributes.tags as Tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    await clients.iam.send(new PutRolePolicyCommand({ RoleName: d.id, PolicyName: INLINE_POLICY_NAME, PolicyDocument: JSON.stringify(d.attributes.accessPolicy) }));
    return { meta: { arn: created.Role?.Arn } };
  },

  async update({ clients }, d, l, attributes) {
    const RoleName = d.id;
    if (attributes.includes('trustPolicy')) await clients.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: JSON.stringify(d.attributes.trustPolicy) }));
    if (attributes.includes('accessPolicy')) await clients.iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: INLINE_POLICY_NAME, PolicyDocument: JSON.stringify(d.attributes.accessPolicy) }));
    if (attributes.includes('otherPolicies')) await detachOthers(clients, RoleName, l.attributes.otherPolicies as string[]);
    if (attributes.includes('tags')) {
      await syncTags(
        l.attributes.tags as Tags,
        d.attributes.tags as Tags,
        (TagKeys) => clients.iam.send(new UntagRoleCommand({ RoleName, TagKeys })),
        (entries) => clients.iam.send(new TagRoleCommand({ RoleName, Tags: entries.map(([Key, Value]) => ({ Key, Value })) })),
      );
    }
    return { meta: l.meta };
  },

  async delete({ clients }, l) {
    const RoleName = l.id;
    await detachOthers(clients, RoleName, l.attributes.otherPolicies as string[]);
    if (l.attributes.accessPolicy !== null) await clients.iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: INLINE_POLICY_NAME }));
    await clients.iam.send(new DeleteRoleCommand({ RoleName }));
  },

  deleteRisks: () => [{ class: 'destroy', reason: 'deleting the role revokes the access of every user of the tenant' }],
};

/** Removes what someone else attached to the tenant role (read as inline:NAME or managed:ARN). */
async function detachOthers(clients: AwsClients, RoleName: string, others: readonly string[]): Promise<void> {
  for (const entry of others) {
    if (entry.startsWith('inline:')) await clients.iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: entry.slice('inline:'.length) }));
    else if (entry.startsWith('managed:')) await clients.iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: entry.slice('managed:'.length) }));
  }
}
