import { html, type SafeHtml } from '../../web/html.ts';
import { roleName } from '../../lti/roles.ts';
import type { Gradebook, GradebookColumn, GradebookRow } from '../../platform/gradebook.ts';
import { memberSources } from '../../platform/gradebook.ts';
import type { ContextSummary } from '../../platform/model/contexts.ts';
import type { Platform } from '../../platform/model/platforms.ts';
import type { Result } from '../../platform/model/results.ts';
import { badge, plural, timeTag, when } from '../console/format.ts';

const SCORE = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });

/** Where a context's gradebook is, for a link (the context id may hold any character). */
export function gradebookHref(platformId: string, contextId: string, page?: number): string {
  return `/admin/platforms/${encodeURIComponent(platformId)}/contexts/${encodeURIComponent(contextId)}${page && page > 1 ? `?page=${page}` : ''}`;
}

function contextName(c: { title: string | null; label: string | null; contextId: string }): string {
  return c.title ?? c.label ?? c.contextId;
}

/** The platform's courses: each links to its gradebook. */
export function contextListBody(platform: Platform, contexts: ContextSummary[], total: number): SafeHtml {
  const rows = contexts.map((c) => html`<tr>
<td class="wrap"><a href="${gradebookHref(platform.id, c.contextId)}">${contextName(c)}</a>${c.label && c.title ? html` <span class="muted">${c.label}</span>` : ''}</td>
<td class="wrap"><code>${c.contextId}</code></td><td class="num">${c.memberCount}</td><td class="num">${c.lineItemCount}</td><td>${timeTag(c.lastActivity)}</td></tr>`);
  return html`<p><a href="/admin/platforms/${platform.id}">Back to ${platform.name}</a></p>
<p class="hint">The course contexts the launcher knows for this platform: where users launched tools, the portal pushed a roster, or tools made line items. Each opens its gradebook.</p>
${contexts.length === 0 ? html`<p>No course yet. A course appears here once someone launches a tool with a course context, or the portal pushes its roster.</p>` : html`
${total > contexts.length ? html`<p role="status">Showing the ${contexts.length} most recently active of ${plural(total, 'course')}.</p>` : ''}
<div class="table-wrap"><table>
<caption class="sr-only">Courses of ${platform.name}, most recently active first</caption>
<thead><tr><th scope="col">Course</th><th scope="col">Context id</th><th scope="col" class="num">Members</th><th scope="col" class="num">Line items</th><th scope="col">Last activity</th></tr></thead>
<tbody>${rows}</tbody></table></div>`}`;
}

/** A context's gradebook: people × line items, the latest result in each cell. */
export function gradebookBody(platform: Platform, contextId: string, book: Gradebook, pageSize: number): SafeHtml {
  const { columns, rows } = book;
  const back = html`<p><a href="/admin/platforms/${platform.id}/contexts">All courses of ${platform.name}</a></p>`;
  if (rows.length === 0 && columns.length === 0) {
    return html`${back}<p>No members and no grades in the context <code>${contextId}</code> yet.</p>`;
  }
  const head = columns.map((c) => html`<th scope="col" class="num"><span class="item-label">${c.item.label}</span>
<small>${c.toolName}</small><small>max ${SCORE.format(c.item.scoreMaximum)}</small></th>`);
  const body = rows.map((r) => html`<tr>${personCells(r)}${columns.map((c) => scoreCell(c, r.results.get(c.item.id)))}</tr>`);
  const page = Math.floor(book.offset / pageSize) + 1;
  const first = book.offset + 1;
  const last = book.offset + rows.length;
  return html`${back}
<p class="hint">Rows are the context's members and anyone a tool has sent a result for; a cell is the latest result a tool sent (given / maximum), with when it was given.</p>
${book.lineItemTotal > columns.length ? html`<p role="status">Showing the first ${columns.length} of ${plural(book.lineItemTotal, 'line item')}.</p>` : ''}
<p role="status">${rows.length === 0 ? 'No people on this page.' : book.peopleTotal > rows.length ? `Showing people ${first}–${last} of ${book.peopleTotal}.` : `${plural(book.peopleTotal, 'person', 'people')}.`}</p>
<div class="table-wrap"><table class="gradebook">
<caption class="sr-only">Gradebook of ${contextId}: people by user id, line items in the order the tools made them</caption>
<thead><tr><th scope="col">Name</th><th scope="col">User (sub)</th><th scope="col">Roles</th><th scope="col">Status</th>${head}</tr></thead>
<tbody>${body}</tbody></table></div>
${columns.length === 0 ? html`<p>No tool has made a line item in this context yet.</p>` : ''}
${page > 1 || last < book.peopleTotal ? html`<nav class="actions" aria-label="Pages of the gradebook">
${page > 1 ? html`<a class="button secondary" href="${gradebookHref(platform.id, contextId, page - 1)}">Previous ${pageSize}</a>` : ''}
${last < book.peopleTotal ? html`<a class="button secondary" href="${gradebookHref(platform.id, contextId, page + 1)}">Next ${pageSize}</a>` : ''}
</nav>` : ''}`;
}

function personCells(r: GradebookRow): SafeHtml {
  const m = r.member;
  if (!m) {
    return html`<td class="muted">—</td><td class="wrap"><code>${r.userId}</code></td><td class="muted">—</td><td>${badge('gone', 'not a member')}</td>`;
  }
  const name = m.name ?? ([m.givenName, m.familyName].filter(Boolean).join(' ') || null);
  const from = memberSources(m).map((s) => (s === 'roster' ? 'the roster' : 'a launch')).join(' and ');
  return html`<td class="wrap">${name ?? html`<span class="muted">—</span>`}</td><td class="wrap"><code>${m.userId}</code></td>
<td class="wrap">${m.roles.map(roleName).join(', ') || html`<span class="muted">none</span>`}</td>
<td>${badge(m.status.toLowerCase(), m.status)}<small class="muted">from ${from}</small></td>`;
}

function scoreCell(column: GradebookColumn, result: Result | undefined): SafeHtml {
  if (!result) return html`<td class="score"></td>`;
  const maximum = result.scoreMaximum ?? column.item.scoreMaximum;
  const at = Date.parse(result.timestamp);
  const given = Number.isNaN(at) ? result.timestamp : when(at);
  const about = [`${result.activityProgress}, ${result.gradingProgress}`, `at ${given}`, result.comment ? `comment: ${result.comment}` : ''].filter(Boolean).join(' · ');
  const score = result.scoreGiven === null ? html`<span class="muted">${result.activityProgress}</span>` : html`${SCORE.format(result.scoreGiven)} / ${SCORE.format(maximum)}`;
  return html`<td class="score" title="${about}">${score}<small class="muted">${Number.isNaN(at) ? given : html`<time datetime="${new Date(at).toISOString()}">${given.slice(0, 16)}</time>`}</small></td>`;
}
