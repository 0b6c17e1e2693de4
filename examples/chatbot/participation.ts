import { GatewayCallError, type GatewayServices, type LineItem, type Member } from './gatewayClient.ts';
import type { ChatStore, Session } from './store.ts';

/** The participation grade: a point for each message a student sent in the course, up to 10. */
export const PARTICIPATION = { label: 'Chat participation', tag: 'chat-participation', maximum: 10 } as const;
const SCORE_SCOPE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';
const LINE_ITEM_SCOPE = 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem';

export function participationScore(messages: number): number {
  return Math.min(PARTICIPATION.maximum, messages);
}

/** Why grades cannot be sent from this launch (null: they can). */
export function gradingProblem(session: Session): string | null {
  const ags = session.launch.services?.ags;
  if (!ags) return 'Your course platform does not offer grades to this assistant (its administrator can turn on Assignment and Grade Services for the tool).';
  if (!ags.scopes.includes(SCORE_SCOPE)) return 'Your course platform lets this assistant read grades but not send them.';
  if (!ags.line_item_url && !ags.scopes.includes(LINE_ITEM_SCOPE)) return 'This link has no grade column, and the course platform does not let the assistant create one.';
  return null;
}

/** One student's line of a grade send: the score and what the course platform answered. */
export interface GradeOutcome {
  member: Member;
  messages: number;
  score: number;
  ok: boolean;
  problem: string | null;
}

const creating = new Map<string, Promise<string>>();

/**
 * The grade column of this link: the launch's own line item, else the one the chatbot made for the
 * link before (remembered, or found by its tag), else one created now — once, even when two
 * teachers send at the same moment.
 */
async function participationLineItem(api: GatewayServices, session: Session, store: ChatStore): Promise<string> {
  const ags = session.launch.services!.ags!;
  if (ags.line_item_url) return ags.line_item_url;
  const link = session.launch.resource_link.id;
  const remembered = store.lineItemUrl(session.courseKey, link);
  if (remembered) return remembered;
  const key = `${session.courseKey}|${link}`;
  let pending = creating.get(key);
  if (!pending) {
    pending = (async () => {
      const found: LineItem | undefined = (await api.lineItems(ags.line_items_url, { resource_link_id: link, tag: PARTICIPATION.tag }))[0];
      const item = found ?? (await api.createLineItem(ags.line_items_url, { label: PARTICIPATION.label, score_maximum: PARTICIPATION.maximum, tag: PARTICIPATION.tag, resource_link_id: link }));
      store.setLineItemUrl(session.courseKey, link, item.url);
      return item.url;
    })().finally(() => creating.delete(key));
    creating.set(key, pending);
  }
  return pending;
}

/** The course's students with the number of messages each sent here. */
export async function classRoster(api: GatewayServices, session: Session, store: ChatStore): Promise<Array<{ member: Member; messages: number }>> {
  const members = await api.members(session.launch.services!.nrps!.members_url);
  const counts = store.messageCounts(session.courseKey);
  return members.map((member) => ({ member, messages: counts.get(member.user_id) ?? 0 }));
}

/** Sends each active student's participation score; one student's refusal does not stop the others. */
export async function sendParticipationGrades(api: GatewayServices, session: Session, store: ChatStore): Promise<GradeOutcome[]> {
  const lineItemUrl = await participationLineItem(api, session, store);
  const students = (await classRoster(api, session, store)).filter(({ member }) => member.status === 'Active' && member.role_names.includes('Learner'));
  const outcomes: GradeOutcome[] = [];
  for (const { member, messages } of students) {
    const score = participationScore(messages);
    try {
      await api.postScore(lineItemUrl, {
        user_id: member.user_id, score_given: score, score_maximum: PARTICIPATION.maximum,
        comment: `${messages} message${messages === 1 ? '' : 's'} to the course assistant`, activity_progress: 'Completed', grading_progress: 'FullyGraded',
      });
      outcomes.push({ member, messages, score, ok: true, problem: null });
    } catch (err) {
      if (!(err instanceof GatewayCallError)) throw err;
      outcomes.push({ member, messages, score, ok: false, problem: describeRefusal(err) });
    }
  }
  return outcomes;
}

/** A refusal in words a teacher can act on, with the course platform's own message when it gave one. */
export function describeRefusal(err: GatewayCallError): string {
  const lms = err.lms.description ?? err.lms.error;
  if (err.code === 'lms_unavailable' || err.code === 'gateway_unreachable') return 'The course platform could not be reached; try again in a few minutes.';
  if (lms) return `The course platform answered${err.lms.status ? ` ${err.lms.status}` : ''}: ${lms}`;
  return `Refused (${err.status} ${err.code}).`;
}
