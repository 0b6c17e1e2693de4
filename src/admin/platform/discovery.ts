import type { Services } from '../../server/services.ts';
import { html, type SafeHtml } from '../../web/html.ts';
import { UrlPolicyError, assertPublicUrl, urlPolicyOf } from '../../net/urlPolicy.ts';
import { describeIdpError, discoverIdp } from '../../platform/idp.ts';

export type DiscoveryResult =
  | { url: string; ok: true; metadata: Record<string, unknown> }
  | { url: string; ok: false; reason: string };

/** Fetches an IdP's discovery document the way saving a platform does, and keeps the reason of a failure. */
export async function checkDiscovery(services: Services, url: string, clientId: string): Promise<DiscoveryResult> {
  if (url.trim() === '') return { url, ok: false, reason: 'No discovery URL given.' };
  try {
    await assertPublicUrl(url, urlPolicyOf(services.config));
    const metadata = await discoverIdp(services, url, clientId || 'discovery-check');
    return { url, ok: true, metadata: metadata as Record<string, unknown> };
  } catch (err) {
    return { url, ok: false, reason: err instanceof UrlPolicyError ? err.message : describeIdpError(err) };
  }
}

const SHOWN = [
  ['issuer', 'Issuer'],
  ['authorization_endpoint', 'Authorization endpoint'],
  ['token_endpoint', 'Token endpoint'],
  ['jwks_uri', 'JWKS URI'],
  ['userinfo_endpoint', 'Userinfo endpoint'],
  ['scopes_supported', 'Scopes'],
  ['claims_supported', 'Claims'],
  ['code_challenge_methods_supported', 'PKCE methods'],
  ['token_endpoint_auth_methods_supported', 'Client authentication'],
  ['id_token_signing_alg_values_supported', 'id_token algorithms'],
] as const;

/** What the discovery document says (the parts the launcher relies on), or why it could not be read. */
export function discoveryPanel(result: DiscoveryResult): SafeHtml {
  if (!result.ok) {
    return html`<section class="alert" id="discovery-result" aria-labelledby="discovery-title" tabindex="-1">
<h2 id="discovery-title">The discovery document could not be read</h2>
<p><code>${result.url}</code></p><p>${result.reason}</p></section>`;
  }
  const m = result.metadata;
  const pkce = Array.isArray(m.code_challenge_methods_supported) && m.code_challenge_methods_supported.includes('S256');
  return html`<section class="notice" id="discovery-result" aria-labelledby="discovery-title" tabindex="-1">
<h2 id="discovery-title">Discovery document read</h2>
<p><code>${result.url}</code></p>
<dl class="facts">${SHOWN.filter(([k]) => m[k] !== undefined).map(([k, label]) =>
    html`<dt>${label}</dt><dd>${Array.isArray(m[k]) ? (m[k] as unknown[]).join(', ') : String(m[k])}</dd>`)}</dl>
${pkce ? '' : html`<p><strong>Note:</strong> the IdP does not announce PKCE with S256; the launcher sends it anyway, and some IdPs then refuse the sign-in.</p>`}
</section>`;
}
