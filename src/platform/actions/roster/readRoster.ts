import { Fields, launcherRules } from '../../../input/fields.ts';
import { badRequest } from '../../../lti/errors.ts';
import { roleUri } from '../../../lti/roles.ts';
import type { PushedMember } from '../../model/members.ts';
import type { Step } from '../context.ts';
import type { RosterContext } from './context.ts';

/** The most members one push may hold (a course; the body limit of the route fits them). */
export const MAX_ROSTER_MEMBERS = 10_000;
const MAX_ROLES = 20;
const MEMBER_FIELDS = ['sub', 'name', 'given_name', 'family_name', 'email', 'roles'];
/** Problems named in one answer, at most: a roster wrong throughout is fixed from the first ones. */
const MAX_PROBLEMS = 10;

/**
 * The roster body, `{members: [{sub, name?, given_name?, family_name?, email?, roles}]}`, read
 * with the admin input's text rules (spaces trimmed, lengths capped): every problem is named by
 * its field (`members[3].roles[0]`), and nothing is written unless the whole roster is good.
 * Roles are full URIs or a context role's short name (`Learner`), made full URIs.
 */
export const readRoster: Step<RosterContext> = {
  name: 'read_roster',
  codes: ['roster_invalid'],
  run(ctx) {
    const contextId = (ctx.request.params as { context_id: string }).context_id;
    ctx.roster = parseRoster(contextId, ctx.request.body);
    ctx.contextId = contextId;
  },
};

/** The roster push body of a context, every problem named; throws 400 `roster_invalid` (the admin API's push reads it too). */
export function parseRoster(contextId: string, body: unknown): PushedMember[] {
  const problems: string[] = [];
  if (contextId.length > 255) problems.push('context_id (the path): must be at most 255 characters');
  if (!isObject(body)) throw rosterInvalid(['body: must be a JSON object {"members": [...]}']);
  for (const name of Object.keys(body)) if (name !== 'members') problems.push(`${short(name)}: is not a field of the roster (only "members")`);
  const list = body.members;
  if (!Array.isArray(list)) throw rosterInvalid([...problems, 'members: must be a list of members']);
  if (list.length > MAX_ROSTER_MEMBERS) throw rosterInvalid([`members: must hold at most ${MAX_ROSTER_MEMBERS} members, got ${list.length}`]);
  const roster: PushedMember[] = [];
  const seen = new Map<string, number>();
  const rules = launcherRules(false);
  list.forEach((entry, i) => {
    const at = `members[${i}]`;
    if (!isObject(entry)) {
      problems.push(`${at}: must be an object with sub and roles`);
      return;
    }
    for (const name of Object.keys(entry)) if (!MEMBER_FIELDS.includes(name)) problems.push(`${at}.${short(name)}: is not a field of a member (${MEMBER_FIELDS.join(', ')})`);
    const f = new Fields(entry, rules);
    const sub = f.text('sub', { required: true, max: 255 });
    const name = f.text('name', { max: 500 });
    const givenName = f.text('given_name', { max: 200 });
    const familyName = f.text('family_name', { max: 200 });
    const email = f.text('email', { max: 320, pattern: /^[^\s@]+@[^\s@]+$/, patternHint: 'must be an email address' });
    const roles = readRoles(entry.roles, `${at}.roles`, problems);
    for (const [field, message] of Object.entries(f.errors)) problems.push(`${at}.${field}: ${message}`);
    if (sub !== null) {
      const first = seen.get(sub);
      if (first !== undefined) problems.push(`${at}.sub: is the sub of members[${first}] too; give each user once`);
      else seen.set(sub, i);
    }
    if (sub !== null && roles) roster.push({ userId: sub, name, givenName, familyName, email, roles });
  });
  if (problems.length > 0) throw rosterInvalid(problems);
  return roster;
}

function readRoles(value: unknown, at: string, problems: string[]): string[] | null {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(`${at}: must be a list of 1 to ${MAX_ROLES} roles (LTI role URIs or short names such as "Learner")`);
    return null;
  }
  if (value.length > MAX_ROLES) {
    problems.push(`${at}: must hold at most ${MAX_ROLES} roles`);
    return null;
  }
  const roles: string[] = [];
  value.forEach((role, j) => {
    if (typeof role !== 'string' || role.trim() === '' || role.length > 255) problems.push(`${at}[${j}]: must be a role of 1 to 255 characters`);
    else if (!roles.includes(roleUri(role))) roles.push(roleUri(role));
  });
  return roles.length > 0 ? roles : null;
}

function rosterInvalid(problems: string[]) {
  const shown = problems.slice(0, MAX_PROBLEMS).join('; ');
  const more = problems.length > MAX_PROBLEMS ? ` (and ${problems.length - MAX_PROBLEMS} more)` : '';
  return badRequest('roster_invalid', `The roster was not saved: ${shown}${more}.`);
}

/** A field name as the message names it: the client's own key, quoted and cut short. */
function short(name: string): string {
  return JSON.stringify(name.slice(0, 40));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
