import { html, type SafeHtml } from '../../web/html.ts';
import type { Registration } from '../../tool/model/registrations.ts';
import { AGS_SCOPES, NRPS_SCOPE } from '../../lti/services/scopes.ts';
import { checkbox, csrfInput, errorSummary, lines, textArea, textField, type FormState } from '../console/form.ts';
import { detectKey, KEY_KIND_LABEL, keyBody, keyText, type KeyFieldNames } from '../console/keyInput.ts';

export const REGISTRATION_FIELDS = ['name', 'issuer', 'client_id', 'deployment_ids', 'authorization_endpoint', 'token_endpoint', 'token_audience', 'key', 'course_page_origins',
  'scope_lineitem', 'scope_lineitem_readonly', 'scope_result_readonly', 'scope_score', 'scope_nrps'] as const;

/** The console's checkbox for each scope the gateway may ask the LMS's token endpoint for (AGS 2.0 §3.1, NRPS 2.0 §2.1). */
const SCOPE_BOXES: ReadonlyArray<{ field: string; scope: string; label: string }> = [
  { field: 'scope_lineitem', scope: AGS_SCOPES.lineItem, label: 'Manage grade columns (lineitem)' },
  { field: 'scope_lineitem_readonly', scope: AGS_SCOPES.lineItemReadOnly, label: 'Read grade columns (lineitem.readonly)' },
  { field: 'scope_result_readonly', scope: AGS_SCOPES.resultReadOnly, label: 'Read grades (result.readonly)' },
  { field: 'scope_score', scope: AGS_SCOPES.score, label: 'Send grades (score)' },
  { field: 'scope_nrps', scope: NRPS_SCOPE, label: 'Read course members (contextmembership.readonly)' },
];

export const REGISTRATION_KEY_NAMES: KeyFieldNames = { pem: 'public_key', jwk: 'public_jwk', url: 'jwks_url' };

const LABELS: Record<string, string> = {
  name: 'Name', issuer: 'Issuer', client_id: 'Client id', deployment_ids: 'Deployment ids',
  authorization_endpoint: 'Authorization endpoint', token_endpoint: 'Token endpoint', token_audience: 'Token audience', service_scopes: 'Service scopes', key: 'LMS public key',
  course_page_origins: 'Course page origins',
};

export function registrationValues(r: Registration): Record<string, string> {
  return {
    name: r.name,
    issuer: r.issuer,
    client_id: r.clientId,
    deployment_ids: r.deploymentIds.join('\n'),
    authorization_endpoint: r.authorizationEndpoint,
    token_endpoint: r.tokenEndpoint ?? '',
    token_audience: r.tokenAudience ?? '',
    ...Object.fromEntries(SCOPE_BOXES.map((b) => [b.field, (r.serviceScopes as readonly string[]).includes(b.scope) ? 'on' : ''])),
    key: keyText({ pem: r.publicKey, jwk: r.publicJwk, url: r.jwksUrl }),
    course_page_origins: r.coursePageOrigins.join('\n'),
  };
}

/** The body for the registration service; single-line fields are trimmed (pasted values often carry spaces). */
export function registrationBody(values: Record<string, string>): Record<string, unknown> {
  const coursePageOrigins = lines(values.course_page_origins ?? '');
  return {
    name: values.name.trim(),
    issuer: values.issuer.trim(),
    client_id: values.client_id.trim(),
    deployment_ids: lines(values.deployment_ids),
    authorization_endpoint: values.authorization_endpoint.trim(),
    token_endpoint: values.token_endpoint.trim() || null,
    token_audience: (values.token_audience ?? '').trim() || null,
    // No box ticked: every AGS and NRPS scope the launch offers.
    service_scopes: SCOPE_BOXES.filter((b) => values[b.field] === 'on').map((b) => b.scope),
    ...keyBody(values.key, REGISTRATION_KEY_NAMES, { parseJwk: true }),
    // Empty: the LMS's usual origins (the service fills them in for hosted Canvas and Blackboard).
    course_page_origins: coursePageOrigins.length > 0 ? coursePageOrigins : null,
  };
}

export function registrationForm(form: FormState, options: { action: string; editing: boolean; token: string; cancelHref: string }): SafeHtml {
  const detected = KEY_KIND_LABEL[detectKey(form.values.key ?? '')];
  return html`${errorSummary(form, LABELS)}
<form method="post" action="${options.action}" novalidate>
${csrfInput(options.token)}
${textField(form, 'name', { label: 'Name', required: true, hint: 'For you, such as "Canvas production".' })}
${textField(form, 'issuer', { label: 'Issuer', type: 'url', required: true, hint: 'Canvas: https://canvas.instructure.com. Moodle: the Platform ID (the site URL).' })}
${textField(form, 'client_id', { label: 'Client id', required: true, hint: 'Canvas: the developer key\'s ID number. Moodle: the tool\'s Client ID.' })}
${textArea(form, 'deployment_ids', { label: 'Deployment ids', rows: 3, hint: 'One per line; leave empty to accept any deployment of this client.' })}
${textField(form, 'authorization_endpoint', { label: 'Authorization endpoint', type: 'url', required: true, hint: 'Canvas: https://sso.canvaslms.com/api/lti/authorize_redirect. Moodle: the Authentication request URL (…/mod/lti/auth.php).' })}
${textField(form, 'token_endpoint', { label: 'Token endpoint', type: 'url', hint: 'Optional, for LTI Advantage services. Moodle: the Access token URL (…/mod/lti/token.php).' })}
${textField(form, 'token_audience', { label: 'Token audience', hint: 'Optional: the aud the LMS wants in the gateway\'s token requests, if not the token endpoint (Brightspace: its own audience). Leave empty for the token endpoint.' })}
<fieldset class="field"><legend>Service scopes to ask for</legend>
<p class="hint">Which grade and roster services the gateway asks the LMS's token endpoint for; tick none to ask for every one the LMS offers in its launches.</p>
${SCOPE_BOXES.map((b) => checkbox(form, b.field, b.label))}
${form.errors.service_scopes ? html`<p class="error">${form.errors.service_scopes}</p>` : ''}
</fieldset>
${textArea(form, 'key', { label: 'LMS public key', rows: 5, required: true, detect: true,
    hint: 'The LMS\'s JWKS URL (best; Canvas: https://sso.canvaslms.com/api/lti/security/jwks, Moodle: the Public keyset URL …/mod/lti/certs.php), or a PEM public key or a JWK.',
    after: html`<p class="hint" id="f-key-detected" aria-live="polite">${detected}</p>` })}
${textArea(form, 'course_page_origins', { label: 'Course page origins', rows: 2,
    hint: 'Where the LMS shows its courses, if not at the issuer\'s or authorization endpoint\'s address: only these may frame the tool and post its launches. One per line, such as https://school.instructure.com; https://*.instructure.com for every subdomain. Leave empty for the LMS\'s usual ones (hosted Canvas and Blackboard: their school subdomains).' })}
<div class="actions"><button type="submit">${options.editing ? 'Save changes' : 'Register LMS'}</button>
<a class="button secondary" href="${options.cancelHref}">Cancel</a></div>
</form>`;
}
