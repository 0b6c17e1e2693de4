import { html, type SafeHtml } from '../../web/html.ts';
import type { Registration } from '../../tool/model/registrations.ts';
import { csrfInput, errorSummary, lines, textArea, textField, type FormState } from '../console/form.ts';
import { detectKey, KEY_KIND_LABEL, keyBody, keyText, type KeyFieldNames } from '../console/keyInput.ts';

export const REGISTRATION_FIELDS = ['name', 'issuer', 'client_id', 'deployment_ids', 'authorization_endpoint', 'token_endpoint', 'key', 'course_page_origins'] as const;

export const REGISTRATION_KEY_NAMES: KeyFieldNames = { pem: 'public_key', jwk: 'public_jwk', url: 'jwks_url' };

const LABELS: Record<string, string> = {
  name: 'Name', issuer: 'Issuer', client_id: 'Client id', deployment_ids: 'Deployment ids',
  authorization_endpoint: 'Authorization endpoint', token_endpoint: 'Token endpoint', key: 'LMS public key',
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
${textArea(form, 'key', { label: 'LMS public key', rows: 5, required: true, detect: true,
    hint: 'The LMS\'s JWKS URL (best; Canvas: https://sso.canvaslms.com/api/lti/security/jwks, Moodle: the Public keyset URL …/mod/lti/certs.php), or a PEM public key or a JWK.',
    after: html`<p class="hint" id="f-key-detected" aria-live="polite">${detected}</p>` })}
${textArea(form, 'course_page_origins', { label: 'Course page origins', rows: 2,
    hint: 'Where the LMS shows its courses, if not at the issuer\'s or authorization endpoint\'s address: only these may frame the tool and post its launches. One per line, such as https://school.instructure.com; https://*.instructure.com for every subdomain. Leave empty for the LMS\'s usual ones (hosted Canvas and Blackboard: their school subdomains).' })}
<div class="actions"><button type="submit">${options.editing ? 'Save changes' : 'Register LMS'}</button>
<a class="button secondary" href="${options.cancelHref}">Cancel</a></div>
</form>`;
}
