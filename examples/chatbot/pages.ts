import type { Launch } from './gatewayClient.ts';
import type { ChatTurn } from './responders.ts';
import type { Member } from './gatewayClient.ts';
import { PARTICIPATION, participationScore, type GradeOutcome } from './participation.ts';
import type { Session } from './store.ts';

/** The chatbot's HTML: plain forms, no script, so it works in any LMS frame under a strict CSP. */
export function escape(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// border-box: a 100%-wide field with padding stays inside the card instead of poking out of it.
const STYLE = `*,*::before,*::after{box-sizing:border-box}
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f8fa;color:#1b1f24}main{max-width:46rem;margin:1.5rem auto;padding:1.5rem;background:#fff;border:1px solid #d0d7de;border-radius:8px}
.who{display:flex;gap:1rem;flex-wrap:wrap;color:#57606a;font-size:.9rem}.tag{background:#eef;border-radius:4px;padding:0 .4rem}
.turn{margin:.5rem 0;padding:.5rem .75rem;border-radius:6px}.user{background:#eef4ff}.assistant{background:#f3f3f3}
label{display:block;font-weight:600;margin-top:.75rem}
textarea,input[type=text]{display:block;width:100%;max-width:100%;font:inherit;padding:.4rem}button{font:inherit;padding:.4rem 1rem;margin-top:.4rem}
.note{color:#8a5a00;font-size:.85rem}.muted{color:#57606a}
.saved{background:#dafbe1;border:1px solid #1a7f37;color:#0f5323;border-radius:6px;padding:.5rem .75rem;margin:.75rem 0}
.problem{background:#fff1e5;border:1px solid #bc4c00;color:#762c00;border-radius:6px;padding:.5rem .75rem;margin:.75rem 0}
table{border-collapse:collapse;width:100%;margin:.75rem 0}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #d0d7de}td.n{text-align:right}
.ok{color:#1a7f37;white-space:nowrap}.refused{color:#a40e26}`;

export function layout(title: string, body: string, styleNonce: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escape(title)}</title><style nonce="${styleNonce}">${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

/**
 * The course of a launch, or null when it came without one (a link outside any course). The
 * resource link's title is the link's (often the tool's own) name, never a course name.
 */
export function courseTitleOf(launch: Launch): string | null {
  return launch.context ? (launch.context.title ?? launch.context.label ?? launch.context.id) : null;
}

/** What the page says after a save: the server redirects here with `?saved=…`. */
export type SavedNotice = 'instructions' | 'instructions_cleared' | null;

const SAVED_TEXT: Record<Exclude<SavedNotice, null>, string> = {
  instructions: 'Instructions saved. The assistant follows them from the next message on.',
  instructions_cleared: 'Instructions cleared. The assistant answers without course instructions.',
};

export function chatPage(input: {
  session: Session;
  conversation: ChatTurn[];
  instructions: string;
  responderLabel: string;
  canConfigure: boolean;
  /** May open the class view (roster and participation). */
  canSeeClass: boolean;
  /** The messages this user sent in the course: their participation. */
  myMessages: number;
  saved?: SavedNotice;
}): string {
  const { launch, csrf } = input.session;
  const course = courseTitleOf(launch);
  // Without a course, instructions and conversations belong to this one link (see courseKeyOf).
  const scope = course ?? 'this link';
  const turns = input.conversation
    .map((t) => `<div class="turn ${t.role}"><strong>${t.role === 'user' ? 'You' : 'Assistant'}:</strong> ${escape(t.content)}</div>`)
    .join('');
  const saved = input.saved && input.canConfigure ? `<p class="saved" role="status">${escape(SAVED_TEXT[input.saved])}</p>` : '';
  const instructions = input.canConfigure
    ? `<form method="post" action="instructions"><input type="hidden" name="csrf" value="${escape(csrf)}">
<label for="instructions">Assistant instructions for ${escape(scope)}</label>
<textarea id="instructions" name="instructions" rows="3">${escape(input.instructions)}</textarea><button type="submit">Save instructions</button></form>${saved}`
    : `<p class="muted">Assistant instructions: ${input.instructions ? escape(input.instructions) : '<em>none set</em>'}</p>`;
  return `<h1>Course assistant</h1>
<div class="who"><span>Signed in as <strong>${escape(launch.user.name ?? launch.user.sub)}</strong>${launch.user.email ? ` (${escape(launch.user.email)})` : ''}</span>
<span>Role: ${launch.role_names.map((r) => `<span class="tag">${escape(r)}</span>`).join(' ') || 'none'}</span>
<span>Course: ${course ? `<strong>${escape(course)}</strong>` : '<em>none (opened outside a course)</em>'}</span>
<span>From: ${escape(launch.platform.name)}</span></div>
<p class="note">Answers come from: ${escape(input.responderLabel)}</p>
${input.canSeeClass ? `<p><a href="class">Class: students and participation</a></p>` : ''}
${launch.context ? `<p class="muted">Your participation in ${escape(scope)}: ${input.myMessages} message${input.myMessages === 1 ? '' : 's'} (${participationScore(input.myMessages)} / ${PARTICIPATION.maximum}).</p>` : ''}
${instructions}
<section aria-label="Conversation">${turns || '<p>No messages yet. Say hello!</p>'}</section>
<form method="post" action="messages"><input type="hidden" name="csrf" value="${escape(csrf)}">
<label for="message">Your message</label><input type="text" id="message" name="message" required maxlength="4000" autofocus>
<button type="submit">Send</button></form>`;
}

export function messagePage(title: string, text: string): string {
  return `<h1>${escape(title)}</h1><p>${escape(text)}</p>`;
}

/**
 * The class view for teachers: the course's members from the course platform, with the number of
 * messages each sent here; with `grade`, the button that sends participation grades, and after a
 * send, what the course platform answered for each student.
 */
export function classPage(input: {
  session: Session;
  roster: Array<{ member: Member; messages: number }>;
  canGrade: boolean;
  gradingProblem: string | null;
  outcomes?: GradeOutcome[];
  problem?: string;
}): string {
  const course = courseTitleOf(input.session.launch) ?? 'this link';
  const outcomeOf = new Map((input.outcomes ?? []).map((o) => [o.member.user_id, o]));
  const rows = input.roster
    .map(({ member, messages }) => {
      const outcome = outcomeOf.get(member.user_id);
      const sent = outcome ? (outcome.ok ? `<span class="ok">sent ${outcome.score} / ${PARTICIPATION.maximum}</span>` : `<span class="refused">not sent: ${escape(outcome.problem)}</span>`) : '';
      return `<tr><td>${escape(member.name ?? member.user_id)}</td><td>${member.role_names.map((r) => `<span class="tag">${escape(r)}</span>`).join(' ')}</td>` +
        `<td>${escape(member.status)}</td><td class="n">${messages}</td><td class="n">${participationScore(messages)} / ${PARTICIPATION.maximum}</td>${input.outcomes ? `<td>${sent}</td>` : ''}</tr>`;
    })
    .join('');
  const summary = input.outcomes
    ? `<p class="${input.outcomes.every((o) => o.ok) ? 'saved' : 'problem'}" role="status">Participation grades: ${input.outcomes.filter((o) => o.ok).length} of ${input.outcomes.length} students sent to the course platform.</p>`
    : '';
  const grading = !input.canGrade
    ? ''
    : input.gradingProblem
      ? `<p class="muted">${escape(input.gradingProblem)}</p>`
      : `<form method="post" action="class/grades"><input type="hidden" name="csrf" value="${escape(input.session.csrf)}">
<button type="submit">Send participation grades</button> <span class="muted">Each active student gets a point per message, up to ${PARTICIPATION.maximum}, in the column “${escape(PARTICIPATION.label)}”.</span></form>`;
  return `<h1>Class: ${escape(course)}</h1>
<p><a href="./">Back to the assistant</a></p>
${input.problem ? `<p class="problem" role="alert">${escape(input.problem)}</p>` : ''}${summary}${grading}
<table><thead><tr><th>Name</th><th>Role</th><th>Status</th><th>Messages</th><th>Participation</th>${input.outcomes ? '<th>Sent</th>' : ''}</tr></thead>
<tbody>${rows || '<tr><td colspan="5">The course platform lists no members yet.</td></tr>'}</tbody></table>`;
}
