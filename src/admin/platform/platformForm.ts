import { html, type SafeHtml } from '../../web/html.ts';
import type { Platform } from '../../platform/model/platforms.ts';
import { detectKey, KEY_KIND_LABEL, keyBody, keyText, type KeyFieldNames } from '../console/keyInput.ts';
import { checkbox, csrfInput, errorSummary, textArea, textField, type FormState } from '../console/form.ts';

export const PLATFORM_FIELDS = ['name', 'slug', 'openid_configuration_url', 'client_id', 'client_secret', 'clear_client_secret', 'context_key', 'role_claim', 'role_map', 'score_webhook_url'] as const;

export const CONTEXT_KEY_NAMES: KeyFieldNames = { pem: 'context_public_key', jwk: 'context_public_jwk', url: 'context_jwks_url' };

const LABELS: Record<string, string> = {
  name: 'Name', slug: 'Slug', openid_configuration_url: 'Discovery URL', client_id: 'Client id at the IdP',
  client_secret: 'Client secret', context_key: 'Course-context key', role_claim: 'Role claim', role_map: 'Role map',
  score_webhook_url: 'Score webhook URL',
};

/** The form's values for a stored platform (the client secret is write-only: never shown). */
export function platformValues(platform: Platform): Record<string, string> {
  return {
    name: platform.name,
    slug: platform.slug,
    openid_configuration_url: platform.discoveryUrl,
    client_id: platform.clientId,
    client_secret: '',
    context_key: keyText({ pem: platform.contextPublicKey, jwk: platform.contextPublicJwk ? JSON.parse(platform.contextPublicJwk) : null, url: platform.contextJwksUrl }),
    role_claim: platform.roleClaim ?? '',
    role_map: platform.roleMap ? JSON.stringify(platform.roleMap, null, 2) : '',
    score_webhook_url: platform.scoreWebhookUrl ?? '',
  };
}

/** The body for savePlatform, from the form as typed. An empty secret on an edit keeps the stored one. */
export function platformBody(values: Record<string, string>, editing: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: values.name,
    slug: values.slug,
    openid_configuration_url: values.openid_configuration_url,
    client_id: values.client_id,
    role_claim: values.role_claim,
    role_map: values.role_map,
    score_webhook_url: values.score_webhook_url,
    ...keyBody(values.context_key ?? '', CONTEXT_KEY_NAMES),
  };
  if (values.client_secret !== '') body.client_secret = values.client_secret;
  else if (!editing || values.clear_client_secret === 'on') body.client_secret = '';
  return body;
}

/**
 * Enter in a text field submits with the form's first submit button; this one (rendered but
 * invisible, outside the focus order) makes that "save" rather than "Check discovery".
 */
export const defaultSave = html`<button type="submit" name="action" value="save" class="sr-only" tabindex="-1" aria-hidden="true">Save</button>`;

export function platformForm(form: FormState, options: { action: string; editing: boolean; hasSecret: boolean; token: string; discovery?: SafeHtml; seenRoleValues?: SafeHtml }): SafeHtml {
  const detected = KEY_KIND_LABEL[detectKey(form.values.context_key ?? '')];
  return html`${errorSummary(form, LABELS)}
<form method="post" action="${options.action}" novalidate>
${csrfInput(options.token)}
${defaultSave}
<h2>Platform</h2>
${textField(form, 'name', { label: 'Name', required: true, hint: 'Shown to users on error pages and to tools as the platform name.' })}
${textField(form, 'slug', { label: 'Slug', required: true, hint: 'Lower-case letters, digits and dashes; it becomes part of this platform\'s URLs and its issuer.' })}
<h2>Sign-in (OpenID Connect IdP)</h2>
${textField(form, 'openid_configuration_url', { label: 'Discovery URL', type: 'url', required: true, hint: 'The IdP\'s /.well-known/openid-configuration address (or its issuer URL).' })}
<div class="actions"><button type="submit" class="secondary" name="action" value="check_discovery">Check discovery</button></div>
${options.discovery ?? ''}
${textField(form, 'client_id', { label: 'Client id at the IdP', required: true })}
${textField(form, 'client_secret', { label: 'Client secret', type: 'password', autocomplete: 'new-password',
    hint: options.editing && options.hasSecret ? 'A secret is stored. Leave empty to keep it; it is never shown again.' : 'Leave empty for a public client. Stored encrypted; never shown again.' })}
${options.editing && options.hasSecret ? checkbox(form, 'clear_client_secret', 'Remove the stored client secret') : ''}
${textField(form, 'role_claim', { label: 'Role claim', hint: 'The IdP claim that carries groups or roles, such as groups. Leave empty to send no roles from the IdP.' })}
${textArea(form, 'role_map', { label: 'Role map (JSON)', rows: 4, hint: 'IdP values to LTI roles, such as {"teacher": "Instructor", "student": "Learner"}. A value without an entry gives no role (the launch log flags such launches).', after: options.seenRoleValues })}
<h2>Course context</h2>
${textArea(form, 'context_key', { label: 'Course-context key', rows: 5, detect: true,
    hint: 'The key your portal signs course-context tokens with: a PEM public key, a JWK or JWK Set, or a JWKS URL. Leave empty if links carry no course context.',
    after: html`<p class="hint" id="f-context_key-detected" aria-live="polite">${detected}</p>` })}
<h2>Grades</h2>
${textField(form, 'score_webhook_url', { label: 'Score webhook URL', type: 'url',
    hint: 'Optional. Every score a tool sends is POSTed here as a JWT signed with this platform\'s keys (verify it with the JWKS URL), retried for 24 hours until the portal answers 2xx.' })}
<div class="actions"><button type="submit" name="action" value="save">${options.editing ? 'Save changes' : 'Create platform'}</button>
<a class="button secondary" href="/admin/platforms">Cancel</a></div>
</form>`;
}
