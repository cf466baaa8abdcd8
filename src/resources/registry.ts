/** Every resource kind, in dependency order (creation order; deletion runs in reverse). */
import { bucketKind } from './bucket';
import { keyKind } from './key';
import { roleKind } from './role';
import type { KindName, ResourceKind } from './types';
import { userKind } from './user';

export const RESOURCE_KINDS: readonly ResourceKind[] = [keyKind, roleKind, bucketKind, userKind];

export function kindOf(name: KindName): ResourceKind {
  const kind = RESOURCE_KINDS.find((k) => k.kind === name);
  if (!kind) throw new Error(`unknown resource kind ${name}`);
  return kind;
}
