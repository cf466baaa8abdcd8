import type { Plan } from '../plan/types';

/** The machine-readable plan (format_version 1). It holds no secret value: only fingerprints. */
export function renderJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}
