/**
 * Turns the IdP's roles or groups into LIS role URIs. `roleClaim` names the claim (a dotted path
 * reaches into objects, e.g. `realm_access.roles`); its value may be a string, a space- or
 * comma-separated string, or a list. Each value found in `roleMap` contributes the mapped roles;
 * values without a mapping are dropped (an unknown group must never become a role).
 */
export function mapIdpRoles(claims: Record<string, unknown>, roleClaim: string | null, roleMap: Record<string, string[]> | null): string[] {
  if (!roleClaim || !roleMap) return [];
  const value = roleClaim.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), claims);
  const values = Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : typeof value === 'string'
      ? value.split(/[\s,]+/).filter(Boolean)
      : [];
  const roles: string[] = [];
  for (const v of values) {
    for (const role of roleMap[v] ?? []) if (!roles.includes(role)) roles.push(role);
  }
  return roles;
}
