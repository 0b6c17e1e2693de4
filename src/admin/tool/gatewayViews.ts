import { html, type SafeHtml } from '../../web/html.ts';
import { launchUrl, type App } from '../../tool/model/apps.ts';
import type { Registration } from '../../tool/model/registrations.ts';
import { copyPanel } from '../console/copyPanel.ts';
import { timeTag } from '../console/format.ts';

export function registrationListBody(registrations: Registration[], lmsValues: SafeHtml): SafeHtml {
  const rows = registrations.map((r) => html`<tr><td class="wrap"><a href="/admin/registrations/${r.id}">${r.name}</a></td>
<td class="wrap"><code>${r.issuer}</code></td><td class="wrap"><code>${r.clientId}</code></td>
<td>${r.deploymentIds.length === 0 ? 'any' : r.deploymentIds.length}</td></tr>`);
  return html`<div class="actions"><a class="button" href="/admin/registrations/new">Register an LMS</a></div>
${registrations.length === 0 ? html`<p>No LMS registered yet.</p>` : html`<div class="table-wrap"><table>
<caption class="sr-only">LMS registrations</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Issuer</th><th scope="col">Client id</th><th scope="col">Deployments</th></tr></thead>
<tbody>${rows}</tbody></table></div>`}
<h2>Values to enter in the LMS</h2>
${lmsValues}`;
}

export function registrationDetailBody(r: Registration, lmsValues: SafeHtml): SafeHtml {
  const key = r.jwksUrl ? html`JWKS URL <code>${r.jwksUrl}</code>` : r.publicJwk ? 'JWK' : 'PEM public key';
  return html`<div class="actions"><a class="button" href="/admin/registrations/${r.id}/edit">Edit</a>
<a class="button danger" href="/admin/registrations/${r.id}/delete">Delete…</a></div>
<dl class="facts">
<dt>Issuer</dt><dd><code>${r.issuer}</code></dd>
<dt>Client id</dt><dd><code>${r.clientId}</code></dd>
<dt>Deployment ids</dt><dd>${r.deploymentIds.length === 0 ? 'any deployment of this client' : r.deploymentIds.map((d) => html`<code>${d}</code> `)}</dd>
<dt>Authorization endpoint</dt><dd><code>${r.authorizationEndpoint}</code></dd>
<dt>Token endpoint</dt><dd>${r.tokenEndpoint ? html`<code>${r.tokenEndpoint}</code>` : '—'}</dd>
<dt>Token audience</dt><dd>${r.tokenAudience ? html`<code>${r.tokenAudience}</code>` : 'the token endpoint'}</dd>
<dt>Service scopes</dt><dd>${r.serviceScopes.length === 0 ? 'every one the LMS offers in a launch' : r.serviceScopes.map((s) => html`<code>${s}</code> `)}</dd>
<dt>LMS public key</dt><dd>${key}</dd>
<dt>Updated</dt><dd>${timeTag(r.updatedAt)}</dd>
</dl>
<h2>Values to enter in the LMS</h2>
${lmsValues}`;
}

export function appListBody(apps: App[], publicUrl: string): SafeHtml {
  const rows = apps.map((a) => html`<tr><td class="wrap"><a href="/admin/apps/${a.id}">${a.name}</a></td><td><code>${a.slug}</code></td>
<td class="wrap"><code>${launchUrl(publicUrl, a.slug)}</code></td><td><code>${a.apiKeyPrefix}…</code></td></tr>`);
  return html`<div class="actions"><a class="button" href="/admin/apps/new">New app</a></div>
${apps.length === 0 ? html`<p>No app yet. An app is a web application behind the gateway that users land in after a launch.</p>` : html`<div class="table-wrap"><table>
<caption class="sr-only">Apps</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Slug</th><th scope="col">Launch URL</th><th scope="col">API key</th></tr></thead>
<tbody>${rows}</tbody></table></div>`}`;
}

export function appDetailBody(a: App, publicUrl: string): SafeHtml {
  return html`<div class="actions"><a class="button" href="/admin/apps/${a.id}/edit">Edit</a>
<a class="button secondary" href="/admin/apps/${a.id}/api-key">Regenerate API key…</a>
<a class="button danger" href="/admin/apps/${a.id}/delete">Delete…</a></div>
<dl class="facts">
<dt>App URL</dt><dd><code>${a.appUrl}</code></dd>
<dt>Hand-off</dt><dd>${a.handoff === 'code' ? 'one-time code, redeemed with the API key' : 'signed launch JWT'}</dd>
<dt>API key</dt><dd><code>${a.apiKeyPrefix}…</code> <span class="muted">(only its start is kept readable; the key was shown once)</span></dd>
<dt>Permissions</dt><dd>${Object.entries(a.permissions).map(([role, list]) => html`<div><strong>${role}</strong>: ${list.join(', ')}</div>`)}</dd>
<dt>Updated</dt><dd>${timeTag(a.updatedAt)}</dd>
</dl>
${copyPanel('app-values', 'For the LMS and the app', [
    { label: 'Launch URL (target link URI)', value: launchUrl(publicUrl, a.slug) },
    { label: 'Redemption API', value: `${publicUrl}/api/v1/launches/<code>`, hint: 'The app exchanges the one-time code here, with its API key as Bearer token.' },
  ])}`;
}

/** The new API key, shown on this one answer and never again. */
export function apiKeyBody(a: App, apiKey: string, created: boolean): SafeHtml {
  return html`<section class="secret" aria-labelledby="api-key-title">
<h2 id="api-key-title">${created ? 'The app\'s API key' : 'The new API key'}</h2>
<p><strong>Copy it now: it is shown only this once.</strong> ${created ? '' : 'The old key has stopped working.'} Store it in the app's configuration.</p>
${copyPanel('api-key', 'API key', [{ label: `API key of ${a.name}`, value: apiKey }])}
</section>
<p><a class="button" href="/admin/apps/${a.id}">I have stored the key</a></p>`;
}
