import type { ChatTurn } from './responders.ts';
import type { Session } from './store.ts';

/** The chatbot's HTML: plain forms, no script, so it works in any LMS frame under a strict CSP. */
export function escape(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f8fa;color:#1b1f24}main{max-width:46rem;margin:1.5rem auto;padding:1.5rem;background:#fff;border:1px solid #d0d7de;border-radius:8px}
.who{display:flex;gap:1rem;flex-wrap:wrap;color:#57606a;font-size:.9rem}.tag{background:#eef;border-radius:4px;padding:0 .4rem}
.turn{margin:.5rem 0;padding:.5rem .75rem;border-radius:6px}.user{background:#eef4ff}.assistant{background:#f3f3f3}
textarea,input[type=text]{width:100%;font:inherit;padding:.4rem}button{font:inherit;padding:.4rem 1rem;margin-top:.4rem}.note{color:#8a5a00;font-size:.85rem}`;

export function layout(title: string, body: string, styleNonce: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escape(title)}</title><style nonce="${styleNonce}">${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

export function chatPage(input: {
  session: Session;
  conversation: ChatTurn[];
  instructions: string;
  responderLabel: string;
  canConfigure: boolean;
}): string {
  const { launch, csrf } = input.session;
  const course = launch.context?.title ?? launch.context?.label ?? launch.resource_link.title ?? 'this course';
  const turns = input.conversation
    .map((t) => `<div class="turn ${t.role}"><strong>${t.role === 'user' ? 'You' : 'Assistant'}:</strong> ${escape(t.content)}</div>`)
    .join('');
  const instructions = input.canConfigure
    ? `<form method="post" action="instructions"><input type="hidden" name="csrf" value="${escape(csrf)}">
<label for="instructions">Assistant instructions for ${escape(course)}</label>
<textarea id="instructions" name="instructions" rows="3">${escape(input.instructions)}</textarea><button type="submit">Save instructions</button></form>`
    : `<p class="muted">Assistant instructions: ${input.instructions ? escape(input.instructions) : '<em>none set</em>'}</p>`;
  return `<h1>Course assistant</h1>
<div class="who"><span>Signed in as <strong>${escape(launch.user.name ?? launch.user.sub)}</strong>${launch.user.email ? ` (${escape(launch.user.email)})` : ''}</span>
<span>Role: ${launch.role_names.map((r) => `<span class="tag">${escape(r)}</span>`).join(' ') || 'none'}</span>
<span>Course: <strong>${escape(course)}</strong></span>
<span>From: ${escape(launch.platform.name)}</span></div>
<p class="note">Answers come from: ${escape(input.responderLabel)}</p>
${instructions}
<section aria-label="Conversation">${turns || '<p>No messages yet. Say hello!</p>'}</section>
<form method="post" action="messages"><input type="hidden" name="csrf" value="${escape(csrf)}">
<label for="message">Your message</label><input type="text" id="message" name="message" required maxlength="4000" autofocus>
<button type="submit">Send</button></form>`;
}

export function messagePage(title: string, text: string): string {
  return `<h1>${escape(title)}</h1><p>${escape(text)}</p>`;
}
