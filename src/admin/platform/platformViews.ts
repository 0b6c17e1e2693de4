import { html, type SafeHtml } from '../../web/html.ts';
import type { platformView } from '../../platform/platforms.ts';
import type { toolView } from '../../platform/tools.ts';
import { copyPanel } from '../console/copyPanel.ts';
import { timeTag } from '../console/format.ts';

type PlatformView = ReturnType<typeof platformView>;
type ToolView = ReturnType<typeof toolView>;

export function platformListBody(platforms: Array<PlatformView & { toolCount: number }>): SafeHtml {
  const rows = platforms.map((p) => html`<tr>
<td class="wrap"><a href="/admin/platforms/${p.id}">${p.name}</a></td><td><code>${p.slug}</code></td>
<td class="wrap"><code>${p.issuer}</code></td><td>${p.toolCount}</td></tr>`);
  return html`<div class="actions"><a class="button" href="/admin/platforms/new">New platform</a></div>
${platforms.length === 0 ? html`<p>No platform yet. A platform is one issuer with its own sign-in (IdP) and tools.</p>` : html`<div class="table-wrap"><table>
<caption class="sr-only">Platforms</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Slug</th><th scope="col">Issuer</th><th scope="col">Tools</th></tr></thead>
<tbody>${rows}</tbody></table></div>`}`;
}

export function platformDetailBody(p: PlatformView, tools: ToolView[], webhook: SafeHtml = html``): SafeHtml {
  const toolRows = tools.map((t) => html`<tr><td class="wrap"><a href="/admin/tools/${t.id}">${t.name}</a></td><td class="wrap"><code>${t.client_id}</code></td>
<td><a href="/admin/test-launch?tool=${t.id}">Test launch</a></td></tr>`);
  return html`<div class="actions">
<a class="button" href="/admin/platforms/${p.id}/edit">Edit</a>
<a class="button secondary" href="/admin/platforms/${p.id}/discovery">Check discovery</a>
<a class="button secondary" href="/admin/platforms/${p.id}/contexts">Courses</a>
<a class="button danger" href="/admin/platforms/${p.id}/delete">Delete…</a></div>
<dl class="facts">
<dt>Slug</dt><dd><code>${p.slug}</code></dd>
<dt>IdP discovery URL</dt><dd><code>${p.openid_configuration_url}</code></dd>
<dt>IdP issuer</dt><dd><code>${p.idp.issuer ?? '—'}</code></dd>
<dt>Client id at the IdP</dt><dd><code>${p.client_id}</code></dd>
<dt>Client secret</dt><dd>${p.has_client_secret ? 'stored (write-only)' : 'none (public client)'}</dd>
<dt>Role claim</dt><dd>${p.role_claim ? html`<code>${p.role_claim}</code>` : '—'}</dd>
<dt>Course-context key</dt><dd>${p.context_jwks_url ? html`JWKS URL <code>${p.context_jwks_url}</code>` : p.context_public_jwk ? 'JWK' : p.context_public_key ? 'PEM public key' : 'none'}</dd>
${webhook}
<dt>Updated</dt><dd>${timeTag(Date.parse(p.updated_at))}</dd>
</dl>
${copyPanel('idp-values', 'For the IdP administrator', [
    { label: 'Redirect URI', value: p.redirect_uri, hint: 'Register it for the client at the IdP.' },
    { label: 'Client id', value: p.client_id },
  ])}
${copyPanel('platform-values', 'For the platform\'s developers', [
    { label: 'Issuer', value: p.issuer },
    { label: 'JWKS URL', value: p.jwks_url },
    { label: 'Tools API URL', value: p.tools_url, hint: 'The tools a portal can link to, as JSON.' },
    { label: 'OpenID configuration', value: `${p.base_url}/.well-known/openid-configuration` },
  ])}
<h2>Tools</h2>
<div class="actions"><a class="button" href="/admin/platforms/${p.id}/tools/new">New tool</a></div>
${tools.length === 0 ? html`<p>No tool yet.</p>` : html`<div class="table-wrap"><table>
<caption class="sr-only">Tools of ${p.name}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Client id</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
<tbody>${toolRows}</tbody></table></div>`}`;
}

export function toolListBody(groups: Array<{ platform: PlatformView; tools: ToolView[] }>): SafeHtml {
  if (groups.length === 0) return html`<p>Create a <a href="/admin/platforms/new">platform</a> first; tools belong to a platform.</p>`;
  return html`${groups.map(({ platform, tools }) => html`<h2>${platform.name}</h2>
<div class="actions"><a class="button secondary" href="/admin/platforms/${platform.id}/tools/new">New tool for ${platform.name}</a></div>
${tools.length === 0 ? html`<p>No tool yet.</p>` : html`<div class="table-wrap"><table>
<caption class="sr-only">Tools of ${platform.name}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Client id</th><th scope="col">Launch URL</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
<tbody>${tools.map((t) => html`<tr><td class="wrap"><a href="/admin/tools/${t.id}">${t.name}</a></td><td class="wrap"><code>${t.client_id}</code></td>
<td class="wrap"><code>${t.launch_url}</code></td><td><a href="/admin/test-launch?tool=${t.id}">Test launch</a></td></tr>`)}</tbody></table></div>`}`)}`;
}

export function toolDetailBody(p: PlatformView, t: ToolView): SafeHtml {
  const keyKind = t.public_key_url ? html`JWKS URL <code>${t.public_key_url}</code>` : t.public_jwk ? 'JWK' : 'PEM public key';
  return html`<div class="actions">
<a class="button" href="/admin/test-launch?tool=${t.id}">Test launch</a>
<a class="button secondary" href="/admin/tools/${t.id}/edit">Edit</a>
<a class="button secondary" href="/admin/tools/${t.id}/key-pair">Generate a key pair…</a>
<a class="button danger" href="/admin/tools/${t.id}/delete">Delete…</a></div>
<dl class="facts">
<dt>Platform</dt><dd><a href="/admin/platforms/${p.id}">${p.name}</a></dd>
<dt>Description</dt><dd>${t.description ?? '—'}</dd>
<dt>Tool public key</dt><dd>${keyKind}</dd>
<dt>Redirect URIs</dt><dd>${[t.target_link_uri, ...t.redirect_uris].map((u) => html`<code>${u}</code> `)}</dd>
<dt>Services</dt><dd>${servicesOf(t)}</dd>
<dt>Shares</dt><dd>${[t.share_name ? 'name' : '', t.share_email ? 'email' : '', t.share_picture ? 'picture' : ''].filter(Boolean).join(', ') || 'no user details'}</dd>
<dt>Updated</dt><dd>${timeTag(Date.parse(t.updated_at))}</dd>
</dl>
${copyPanel('tool-values', 'For the tool\'s owner', [
    { label: 'Issuer (iss)', value: p.issuer },
    { label: 'Client id', value: t.client_id },
    { label: 'Deployment id', value: t.deployment_id },
    { label: 'Login initiation target', value: t.open_id_connect_initiation_url, hint: 'We send users here with iss, login_hint, target_link_uri, client_id and lti_deployment_id.' },
    { label: 'Target link URI', value: t.target_link_uri },
    { label: 'Authorization URL', value: `${p.base_url}/auth`, hint: 'The tool redirects the login here (OIDC authorization endpoint).' },
    { label: 'JWKS URL', value: p.jwks_url, hint: 'Our public keys, to verify the id_token.' },
    { label: 'Token URL', value: p.token_url, hint: 'The OAuth 2 token endpoint for grades and rosters: a client assertion signed with the tool\'s key, aud = this URL.' },
  ], 'Everything the tool needs to accept launches from this platform.')}
${copyPanel('developer-values', 'For the platform\'s developers', [
    { label: 'Launch URL', value: t.launch_url, hint: 'Link users here; add ?context=<signed JWT> for a course.' },
    { label: 'Tools API URL', value: p.tools_url },
  ])}`;
}

/** What a tool may ask the token endpoint for, in words (the scopes' last parts). */
function servicesOf(t: ToolView): string {
  const words = [...t.ags_scopes.map((scope) => `grades: ${scope.split('/').pop()}`), ...(t.nrps ? ['course members'] : [])];
  return words.length > 0 ? words.join(', ') : 'none';
}
