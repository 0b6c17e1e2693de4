import type { IdpRoles } from '../store/launchLog.ts';

/**
 * Turns the IdP's roles or groups into LIS role URIs. `roleClaim` names the claim (a dotted path
 * reaches into objects, e.g. `realm_access.roles`); its value may be a string, a space- or
 * comma-separated string, or a list. Each value found in `roleMap` contributes the mapped roles;
 * values without a mapping are dropped (an unknown group must never become a role).
 */
export function mapIdpRoles(claims: Record<string, unknown>, roleClaim: string | null, roleMap: Record<string, string[]> | null): string[] {
  return explainIdpRoles(claims, roleClaim, roleMap).roles;
}

const MAX_VALUES = 20;
const MAX_VALUE_LENGTH = 100;

export function explainIdpRoles(claims: Record<string, unknown>, roleClaim: string | null, roleMap: Record<string, string[]> | null): IdpRoles {
  if (!roleClaim) return { claim: null, values: [], roles: [] };
  const value = roleClaim.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), claims);
  const values = Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : typeof value === 'string'
      ? value.split(/[\s,]+/).filter(Boolean)
      : [];
  const roles: string[] = [];
  // Own keys only: a group called "constructor" or "__proto__" is a value like any other.
  for (const v of values) {
    const mapped = roleMap && Object.hasOwn(roleMap, v) ? roleMap[v] : [];
    for (const role of Array.isArray(mapped) ? mapped : []) if (!roles.includes(role)) roles.push(role);
  }
  return { claim: roleClaim, values: values.slice(0, MAX_VALUES).map((v) => v.slice(0, MAX_VALUE_LENGTH)), roles };
}
