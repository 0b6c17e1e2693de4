import type { MembershipContainer, MembershipMember } from '../../../lti/services/memberships.ts';
import type { Member } from '../../model/members.ts';
import type { Tool } from '../../model/tools.ts';
import type { Step } from '../context.ts';
import type { MembershipQuery, MembershipsContext } from './context.ts';
import { contextMembershipsUrl } from './url.ts';

/**
 * How far before a page was served its differences link looks back: a roster push or launch that
 * took its time before it committed while the page was read is not missed. A member may so appear
 * in differences the tool has seen already, which changes nothing for it.
 */
export const DIFFERENCES_OVERLAP_MS = 10_000;

/**
 * NRPS 2.0 §3.5–3.6: one page of the context's members, ordered by user id, each showing what the
 * tool's share settings allow, with `Link` headers for the next page (a keyset cursor: stable while
 * members come and go) and for the differences since this page was served.
 *
 * `rlid`: every member of a portal's course may open every link of it, so a resource link's members
 * are the context's; the filter narrows nothing and is kept in the links.
 */
export const listMembers: Step<MembershipsContext> = {
  name: 'list_members',
  spec: 'NRPS 2.0 §3.5–3.6 (membership container, paging, differences)',
  async run(ctx) {
    const servedAt = Date.now();
    const query = ctx.query!;
    const { members, more } = await ctx.launcher.members.page(ctx.platform!.id, ctx.contextId!, {
      role: query.role, after: query.after, limit: query.limit, changedSince: query.since,
    });
    const base = contextMembershipsUrl(ctx.launcher.services.config, ctx.platform!.slug, ctx.contextId!);
    const links: string[] = [];
    if (more) links.push(`<${linkUrl(base, { ...query, after: members.at(-1)!.userId })}>; rel="next"`);
    links.push(`<${linkUrl(base, { ...query, after: undefined, since: servedAt - DIFFERENCES_OVERLAP_MS })}>; rel="differences"`);
    const tool = ctx.tool!;
    const body: MembershipContainer = {
      id: linkUrl(base, query),
      context: ctx.context!,
      members: members.map((m) => memberView(tool, m)),
    };
    ctx.done = true;
    ctx.answer = (reply) => reply.code(200).header('link', links.join(', ')).header('cache-control', 'no-store').type(ctx.mediaType!).send(body);
  },
};

function linkUrl(base: string, query: MembershipQuery): string {
  const params = new URLSearchParams();
  if (query.role !== undefined) params.set('role', query.role);
  if (query.rlid !== undefined) params.set('rlid', query.rlid);
  params.set('limit', String(query.limit));
  if (query.since !== undefined) params.set('since', String(query.since));
  if (query.after !== undefined) params.set('after', query.after);
  return `${base}?${params}`;
}

/** A member as this tool may see it: names, email and picture only as its share settings allow. */
export function memberView(tool: Pick<Tool, 'shareName' | 'shareEmail' | 'sharePicture'>, m: Member): MembershipMember {
  const view: MembershipMember = { user_id: m.userId, status: m.status, roles: m.roles };
  if (tool.shareName) {
    if (m.name !== null) view.name = m.name;
    if (m.givenName !== null) view.given_name = m.givenName;
    if (m.familyName !== null) view.family_name = m.familyName;
    if (m.middleName !== null) view.middle_name = m.middleName;
  }
  if (tool.shareEmail && m.email !== null) view.email = m.email;
  if (tool.sharePicture && m.picture !== null) view.picture = m.picture;
  return view;
}
