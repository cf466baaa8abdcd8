/**
 * Ownership tags. Every resource sftp-tenants creates carries them, and it touches only resources
 * that carry them with this deployment's values (DESIGN.md §3, §6).
 */
export const TAG_MANAGED_BY = 'sftp-tenants:managed-by';
export const TAG_DEPLOYMENT = 'sftp-tenants:deployment';
export const TAG_TENANT = 'sftp-tenants:tenant';
export const TAG_USER = 'sftp-tenants:user';
/** Recorded on bucket and key so that a removed tenant's file is not needed to decide their fate. */
export const TAG_ON_REMOVAL = 'sftp-tenants:on-removal';
export const MANAGED_BY_VALUE = 'sftp-tenants';

export type Tags = Record<string, string>;

/** The tags that mark a resource as owned by this deployment (namePrefix) for one tenant. */
export function ownershipTags(deployment: string, tenant: string): Tags {
  return { [TAG_MANAGED_BY]: MANAGED_BY_VALUE, [TAG_DEPLOYMENT]: deployment, [TAG_TENANT]: tenant };
}

/** Fully tagged as this deployment's: what discovery by tag relies on. */
export function isOwned(tags: Tags | undefined, deployment: string): boolean {
  return tags?.[TAG_MANAGED_BY] === MANAGED_BY_VALUE && tags[TAG_DEPLOYMENT] === deployment;
}

/**
 * At a name this deployment derives, a resource with at least one of our tags (and no other
 * deployment's) is ours with drifted tags; one with none of them is someone else's.
 */
export function claims(tags: Tags | undefined, deployment: string): boolean {
  if (!tags || !Object.keys(tags).some((k) => k.startsWith('sftp-tenants:'))) return false;
  return (tags[TAG_DEPLOYMENT] ?? deployment) === deployment;
}

/** Only the keys sftp-tenants manages; other tags on a resource are someone else's business. */
export function managedTags(tags: Tags | undefined): Tags {
  return Object.fromEntries(Object.entries(tags ?? {}).filter(([k]) => k.startsWith('sftp-tenants:')));
}

export function tagsFromList(list: ReadonlyArray<{ Key?: string | undefined; Value?: string | undefined }> | undefined): Tags {
  return Object.fromEntries((list ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? '']));
}

/**
 * Brings a resource's sftp-tenants tags to `want`: removes our keys it should no longer carry,
 * then writes the wanted ones. Each service spells its tag calls differently; they come in as
 * functions.
 */
export async function syncTags(
  live: Tags,
  want: Tags,
  untag: (keys: string[]) => Promise<unknown>,
  tag: (entries: Array<[string, string]>) => Promise<unknown>,
): Promise<void> {
  const stale = Object.keys(managedTags(live)).filter((k) => !(k in want));
  if (stale.length > 0) await untag(stale);
  await tag(Object.entries(want));
}
