/** LIS v2 role vocabulary (LTI Core 1.3 §A.2) and the short names some platforms still send. */
const LIS = 'http://purl.imsglobal.org/vocab/lis/v2/';
export const MEMBERSHIP = `${LIS}membership#`;
export const INSTITUTION = `${LIS}institution/person#`;
export const SYSTEM = `${LIS}system/person#`;

export const ROLE = {
  Learner: `${MEMBERSHIP}Learner`,
  Instructor: `${MEMBERSHIP}Instructor`,
  ContentDeveloper: `${MEMBERSHIP}ContentDeveloper`,
  Mentor: `${MEMBERSHIP}Mentor`,
  Manager: `${MEMBERSHIP}Manager`,
  Member: `${MEMBERSHIP}Member`,
  Administrator: `${MEMBERSHIP}Administrator`,
  Officer: `${MEMBERSHIP}Officer`,
  TeachingAssistant: `${LIS}membership/Instructor#TeachingAssistant`,
} as const;

const CONTEXT_ROLE_NAMES = ['Learner', 'Instructor', 'ContentDeveloper', 'Mentor', 'Manager', 'Member', 'Administrator', 'Officer'];

/**
 * Turns a role as received into a full URI. Full URIs stay as they are; the short context role
 * names (`Instructor`) and LTI 1.1 URNs (`urn:lti:role:ims/lis/Instructor`) become membership URIs.
 */
export function roleUri(role: string): string {
  const trimmed = role.trim();
  if (/^https?:\/\//.test(trimmed)) return trimmed;
  const urn = /^urn:lti:(role|instrole|sysrole):ims\/lis\/(.+)$/.exec(trimmed);
  if (urn) {
    const [, kind, name] = urn;
    if (kind === 'role') {
      if (name === 'TeachingAssistant' || name === 'Instructor/TeachingAssistant') return ROLE.TeachingAssistant;
      return `${MEMBERSHIP}${name.split('/')[0]}`;
    }
    return `${kind === 'instrole' ? INSTITUTION : SYSTEM}${name}`;
  }
  if (trimmed === 'TeachingAssistant') return ROLE.TeachingAssistant;
  if (CONTEXT_ROLE_NAMES.includes(trimmed)) return `${MEMBERSHIP}${trimmed}`;
  return trimmed;
}

/**
 * The short name of a role URI: `…membership#Instructor` → `Instructor`,
 * `…membership/Instructor#TeachingAssistant` → `TeachingAssistant`, institution and system roles
 * keep their fragment (`…institution/person#Faculty` → `Faculty`).
 */
export function roleName(uri: string): string {
  const hash = uri.lastIndexOf('#');
  if (hash >= 0) return uri.slice(hash + 1);
  const slash = uri.lastIndexOf('/');
  return slash >= 0 ? uri.slice(slash + 1) : uri;
}

/** Context (membership) role names only, de-duplicated, in the order received. */
export function contextRoleNames(roles: string[]): string[] {
  const names: string[] = [];
  for (const role of roles.map(roleUri)) {
    if (!role.startsWith(`${LIS}membership`)) continue;
    const name = roleName(role);
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** The short names of roles for an app: context roles first, then the others, each once (`…#Instructor` → `Instructor`). */
export function roleNames(roles: string[]): string[] {
  const uris = roles.map(roleUri);
  const contextNames = contextRoleNames(uris);
  const otherNames = uris.map(roleName).filter((n) => !contextNames.includes(n));
  return [...contextNames, ...new Set(otherNames)];
}
