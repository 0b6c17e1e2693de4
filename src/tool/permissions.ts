import { contextRoleNames, roleUri } from '../lti/roles.ts';

/** Role name → what the app lets that role do. `*` applies when none of the user's context roles is listed. */
export type PermissionMap = Record<string, string[]>;

export const DEFAULT_PERMISSIONS: PermissionMap = {
  Instructor: ['chat', 'configure', 'view_reports', 'grade'],
  Administrator: ['chat', 'configure', 'view_reports', 'grade'],
  ContentDeveloper: ['chat', 'configure'],
  TeachingAssistant: ['chat', 'view_reports', 'grade'],
  Learner: ['chat'],
  '*': ['chat'],
};

/**
 * Permissions of a launch. Only context (membership) roles count: an institution role such as
 * `institution/person#Administrator` says nothing about this course, and must not grant `configure` in it.
 */
export function permissionsFor(roles: string[], map: PermissionMap): string[] {
  // Own keys only: a role named "constructor", "toString" or "__proto__" must find nothing, not a
  // function of Object.prototype (which is not a list and gave a 500).
  const mapped = (name: string): string[] | undefined => (Object.hasOwn(map, name) && Array.isArray(map[name]) ? map[name] : undefined);
  const granted = new Set<string>();
  let matched = false;
  // LTI Core §A.2.3.1: a platform sends a sub-role with its principal role (a TA arrives as
  // Instructor + Instructor#TeachingAssistant). When the sub-role has its own mapping, it decides:
  // the principal role's permissions are not added on top.
  const principalsOfMappedSubRoles = new Set(
    roles
      .map(roleUri)
      .map((uri) => /\/membership\/(\w+)#(\w+)$/.exec(uri))
      .filter((m): m is RegExpExecArray => m !== null && mapped(m[2]) !== undefined)
      .map((m) => m[1]),
  );
  for (const name of contextRoleNames(roles).filter((n) => !principalsOfMappedSubRoles.has(n))) {
    const permissions = mapped(name);
    if (!permissions) continue;
    matched = true;
    for (const p of permissions) granted.add(p);
  }
  if (!matched) for (const p of mapped('*') ?? []) granted.add(p);
  return [...granted];
}

const PERMISSION = /^[a-z][a-z0-9_.:-]{0,63}$/;
const ROLE_KEY = /^(\*|[A-Za-z][A-Za-z0-9]{0,63})$/;

/** Checks an admin-supplied permission map; returns an error sentence or null. */
export function permissionMapRule(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be an object of role name → list of permissions, such as {"Instructor": ["chat", "configure"]}';
  }
  for (const [role, permissions] of Object.entries(value)) {
    if (!ROLE_KEY.test(role)) return `"${role}" is not a role name (use short names such as Instructor, or * for everyone else)`;
    if (!Array.isArray(permissions) || !permissions.every((p) => typeof p === 'string' && PERMISSION.test(p))) {
      return `the permissions of ${role} must be a list of names such as "chat"`;
    }
  }
  return null;
}
