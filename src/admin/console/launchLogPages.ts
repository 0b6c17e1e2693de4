import { html, type SafeHtml } from '../../web/html.ts';
import type { LaunchEntry, LaunchFilter, LaunchRole, Outcome } from '../../store/launchLog.ts';
import { refuseRepeatedParams } from '../../input/queryParams.ts';
import { badge, timeTag, when } from './format.ts';
import { selectField, textField, type FormState } from './form.ts';

const PAGE_SIZE = 50;
const OUTCOMES: Outcome[] = ['success', 'failure', 'pending'];

/** The warnings a launch can carry: a short label, and what the admin should do. */
export const WARNINGS: Record<string, { label: string; advice: string }> = {
  no_role_mapped: {
    label: 'no role',
    advice: 'The IdP’s values in the role claim matched nothing in the platform’s role map, so the tool got no role. Add the values below to the role map (or set the role claim) on the platform’s page.',
  },
  service_url_refused: {
    label: 'service URL refused',
    advice: 'The LMS offered grades or roster services at a URL this gateway may not call (plain http to a host that is not loopback), so the app was not given that service. Make the LMS use https (its site address), or set ALLOW_INSECURE_IDP if this is a test LMS.',
  },
};

/** How one role names the two sides of a launch (launcher: platform/tool; gateway: LMS/app). */
export interface LaunchLogTerms {
  role: LaunchRole;
  platform: string;
  tool: string;
  platforms: Array<{ id: string; name: string }>;
  tools: Array<{ id: string; name: string; group?: string }>;
}

/** The launch-log filter from the query string: unknown values are ignored, a repeated parameter is refused. */
export function launchFilterOf(query: unknown, role: LaunchRole): { filter: LaunchFilter; form: FormState } {
  const q: Record<string, unknown> = refuseRepeatedParams(query);
  const text = (name: string) => (typeof q[name] === 'string' ? (q[name] as string).trim() : '');
  const outcome = OUTCOMES.includes(text('outcome') as Outcome) ? (text('outcome') as Outcome) : undefined;
  const warned = text('outcome') === 'warning';
  const before = Number(text('before'));
  const filter: LaunchFilter = {
    role,
    outcome,
    warned: warned || undefined,
    platformId: text('platform') || undefined,
    toolId: text('tool') || undefined,
    failureCode: text('code') || undefined,
    before: Number.isFinite(before) && before > 0 ? before : undefined,
    limit: PAGE_SIZE,
  };
  return { filter, form: { values: { outcome: warned ? 'warning' : outcome ?? '', platform: text('platform'), tool: text('tool'), code: text('code') }, errors: {} } };
}

export function launchListBody(entries: LaunchEntry[], form: FormState, terms: LaunchLogTerms): SafeHtml {
  const platformName = new Map(terms.platforms.map((p) => [p.id, p.name]));
  const toolName = new Map(terms.tools.map((t) => [t.id, t.name]));
  const rows = entries.map((e) => html`<tr>
<td><a href="/admin/launches/${e.id}">${timeTag(e.createdAt)}</a></td>
<td>${badge(e.outcome)}${e.test ? html` ${badge('test')}` : ''}${e.warning ? html` ${badge('warning', WARNINGS[e.warning]?.label ?? e.warning)}` : ''}</td>
<td class="wrap">${nameOr(platformName, e.platformId)}</td>
<td class="wrap">${nameOr(toolName, e.toolId)}</td>
<td class="wrap">${e.failureCode ? html`<code>${e.failureCode}</code>` : ''}</td>
<td class="wrap">${e.userSub ?? ''}</td>
</tr>`);
  const older = entries.length === PAGE_SIZE ? olderLink(form, entries[entries.length - 1].createdAt) : '';
  return html`<form method="get" action="/admin/launches" class="filters" role="search" aria-label="Filter the launch log">
${selectField(form, 'outcome', { label: 'Outcome', choices: [{ value: '', label: 'Any' }, ...OUTCOMES.map((o) => ({ value: o, label: o })), { value: 'warning', label: 'with a warning' }] })}
${selectField(form, 'platform', { label: terms.platform, choices: [{ value: '', label: 'Any' }, ...terms.platforms.map((p) => ({ value: p.id, label: p.name }))] })}
${selectField(form, 'tool', { label: terms.tool, choices: [{ value: '', label: 'Any' }, ...terms.tools.map((t) => ({ value: t.id, label: t.name, group: t.group }))] })}
${textField(form, 'code', { label: 'Failure code' })}
<div class="actions"><button type="submit">Filter</button> <a href="/admin/launches">Clear</a></div>
</form>
${entries.length === 0
    ? html`<p>No launches match.</p>`
    : html`<div class="table-wrap"><table>
<caption class="sr-only">Launches, newest first</caption>
<thead><tr><th scope="col">Started</th><th scope="col">Outcome</th><th scope="col">${terms.platform}</th><th scope="col">${terms.tool}</th><th scope="col">Failure code</th><th scope="col">User (sub)</th></tr></thead>
<tbody>${rows}</tbody></table></div>`}
${older}`;
}

function olderLink(form: FormState, before: number): SafeHtml {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(form.values)) if (v) params.set(k, v);
  params.set('before', String(before));
  return html`<p><a href="/admin/launches?${params.toString()}">Older launches</a></p>`;
}

function nameOr(names: Map<string, string>, id: string | null): SafeHtml {
  if (!id) return html`<span class="muted">—</span>`;
  const name = names.get(id);
  return name ? html`${name}` : html`<span class="muted">deleted (<code>${id}</code>)</span>`;
}

/** One launch: who, what, and each step of the flow with its outcome, failure code and sentence. */
export function launchDetailBody(entry: LaunchEntry, terms: LaunchLogTerms): SafeHtml {
  const platformName = new Map(terms.platforms.map((p) => [p.id, p.name]));
  const toolName = new Map(terms.tools.map((t) => [t.id, t.name]));
  const start = entry.steps[0]?.at ?? entry.createdAt;
  // A launch spans several requests (the launcher's /launch, /callback, /auth): a check that runs
  // in each (finding the platform, the tool) appears once per request, under that request.
  let request: string | undefined = entry.steps[0]?.request_id ?? entry.requestId ?? undefined;
  let requestNumber = 1;
  const steps = entry.steps.map((s, i) => {
    const next = s.request_id ?? request;
    const newRequest = i > 0 && next !== request;
    if (newRequest) requestNumber += 1;
    request = next;
    // The request rows are list items too: each step carries its own number, so none is skipped.
    return html`${i === 0 || newRequest ? html`<li class="request"><span class="muted">Request ${requestNumber}${request ? html` · <code>${request}</code>` : ''}</span></li>` : ''}<li value="${i + 1}">
${badge(s.outcome === 'ok' ? 'ok' : 'failed', s.outcome === 'ok' ? 'passed' : 'failed')} <strong>${stepLabel(s.step)}</strong> <code>${s.step}</code>
<span class="muted">+${Math.max(0, s.at - start)} ms</span>
${s.code ? html`<div><span class="muted">Failure code</span> <code>${s.code}</code></div><div>${s.message ?? ''}</div>` : ''}
${s.detail ? html`<div class="cause"><span class="muted">Cause (for administrators; the person's page does not show it)</span> <code>${s.detail}</code></div>` : ''}
</li>`;
  });
  const roleStep = entry.steps.find((s) => s.idp_roles);
  const warning = entry.warning ? WARNINGS[entry.warning] : undefined;
  return html`${entry.warning ? html`<section class="alert" role="status"><h2>Warning: ${warning?.label ?? entry.warning}</h2><p>${warning?.advice ?? ''}</p></section>` : ''}
<dl class="facts">
<dt>Outcome</dt><dd>${badge(entry.outcome)}${entry.test ? html` ${badge('test', 'test launch')}` : ''}${entry.warning ? html` ${badge('warning', warning?.label ?? entry.warning)}` : ''}</dd>
${entry.failureCode ? html`<dt>Failure</dt><dd><code>${entry.failureCode}</code> — ${entry.failureMessage ?? ''}</dd>` : ''}
<dt>${terms.platform}</dt><dd>${nameOr(platformName, entry.platformId)}</dd>
<dt>${terms.tool}</dt><dd>${nameOr(toolName, entry.toolId)}</dd>
<dt>User (sub)</dt><dd>${entry.userSub ?? '—'}</dd>
${entry.storage ? html`<dt>Browser binding</dt><dd>${entry.storage}</dd>` : ''}
<dt>Started</dt><dd>${timeTag(entry.createdAt)}</dd>
<dt>Last step</dt><dd>${timeTag(entry.updatedAt)}</dd>
<dt>Request id</dt><dd><code>${entry.requestId ?? '—'}</code></dd>
<dt>Launch id</dt><dd><code>${entry.id}</code></dd>
</dl>
${roleStep?.idp_roles ? idpRolesPanel(roleStep.idp_roles) : ''}
<h2>Steps</h2>
<ol class="steps">${steps}</ol>
<p class="muted">Times are relative to the first step (${when(start)}).</p>
<p><a href="/admin/launches">Back to the launch log</a></p>`;
}

/** What the IdP sent in its role claim, the mapping applied, and the roles the tool got. */
function idpRolesPanel(roles: NonNullable<LaunchEntry['steps'][number]['idp_roles']>): SafeHtml {
  const shortName = (uri: string) => uri.replace(/^.*[#/]/, '');
  return html`<h2>Roles from the IdP</h2>
<dl class="facts">
<dt>Role claim</dt><dd>${roles.claim ? html`<code>${roles.claim}</code>` : html`<span class="muted">none set on the platform: the IdP's roles are not read</span>`}</dd>
<dt>Values the IdP sent</dt><dd>${roles.values.length ? roles.values.map((v, i) => html`${i ? ', ' : ''}<code>${v}</code>`) : html`<span class="muted">none</span>`}</dd>
<dt>Roles the tool got</dt><dd>${roles.roles.length ? roles.roles.map((r, i) => html`${i ? ', ' : ''}${shortName(r)}`) : html`<span class="muted">none</span>`}</dd>
</dl>`;
}

/** Abbreviations spelt as people write them in step names. */
const ACRONYMS: Record<string, string> = { idp: 'IdP', id: 'ID', uri: 'URI', url: 'URL', lti: 'LTI', jwks: 'JWKS', jwt: 'JWT', api: 'API' };

/** `auth_redirect_uri` → "Auth redirect URI": readable without a dictionary that could drift from the flows. */
export function stepLabel(step: string): string {
  const words = step.split('_').map((w) => ACRONYMS[w] ?? w);
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The latest failures for a dashboard, each linking to its detail page. */
export function latestFailures(entries: LaunchEntry[], terms: LaunchLogTerms): SafeHtml {
  if (entries.length === 0) return html`<p>No failed launches. </p>`;
  const toolName = new Map(terms.tools.map((t) => [t.id, t.name]));
  return html`<ul>${entries.map((e) => html`<li><a href="/admin/launches/${e.id}">${when(e.createdAt)}</a>
${e.toolId ? html` · ${toolName.get(e.toolId) ?? 'deleted'}` : ''}${e.test ? html` ${badge('test')}` : ''}
· <code>${e.failureCode ?? ''}</code> — ${e.failureMessage ?? ''}</li>`)}</ul>
<p><a href="/admin/launches?outcome=failure">All failed launches</a></p>`;
}
