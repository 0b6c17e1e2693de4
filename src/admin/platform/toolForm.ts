import { html, type SafeHtml } from '../../web/html.ts';
import type { Tool } from '../../platform/model/tools.ts';
import { AGS_SCOPES, type AgsScope } from '../../lti/services/scopes.ts';
import { checkbox, csrfInput, errorSummary, lines, selectField, textArea, textField, type FormState } from '../console/form.ts';
import { detectKey, KEY_KIND_LABEL, keyBody, keyText, type KeyFieldNames } from '../console/keyInput.ts';

export const TOOL_FIELDS = [
  'name', 'description', 'icon_url', 'client_id', 'deployment_id', 'open_id_connect_initiation_url', 'login_initiation_method', 'target_link_uri',
  'redirect_uris', 'key', 'custom', 'context_overridable_custom', 'share_name', 'share_email', 'share_picture',
  'ags_lineitem', 'ags_lineitem_readonly', 'ags_result_readonly', 'ags_score', 'nrps',
] as const;

/**
 * The console's checkbox for each AGS scope (AGS 2.0 §3.1), and the line saying what a tool with
 * it can read or write through the token endpoint's access tokens.
 */
const AGS_BOXES: ReadonlyArray<{ field: string; scope: AgsScope; label: string; hint: string }> = [
  { field: 'ags_lineitem', scope: AGS_SCOPES.lineItem, label: 'Manage grade columns (lineitem)', hint: 'Create, change and delete its own line items (grade columns) in the courses it is launched from.' },
  { field: 'ags_lineitem_readonly', scope: AGS_SCOPES.lineItemReadOnly, label: 'Read grade columns (lineitem.readonly)', hint: 'List and read its own line items, but not change them.' },
  { field: 'ags_result_readonly', scope: AGS_SCOPES.resultReadOnly, label: 'Read grades (result.readonly)', hint: 'Read the results (the current grade of each student) of its own line items.' },
  { field: 'ags_score', scope: AGS_SCOPES.score, label: 'Send grades (score)', hint: 'Post scores for the students of a course to its own line items; the portal can read them.' },
];

export const TOOL_KEY_NAMES: KeyFieldNames = { pem: 'public_key', jwk: 'public_jwk', url: 'public_key_url' };

const LABELS: Record<string, string> = {
  name: 'Name', description: 'Description', icon_url: 'Icon URL', client_id: 'Client id', deployment_id: 'Deployment id',
  open_id_connect_initiation_url: 'Login initiation URL', login_initiation_method: 'Login initiation method', target_link_uri: 'Target link URI', redirect_uris: 'Other redirect URIs',
  key: 'Tool public key', custom: 'Custom parameters', context_overridable_custom: 'Custom parameters a link may change',
};

export const NEW_TOOL_VALUES = {
  login_initiation_method: 'post', share_name: 'on', share_email: 'on', share_picture: 'on',
  ags_lineitem: 'on', ags_lineitem_readonly: 'on', ags_result_readonly: 'on', ags_score: 'on', nrps: 'on',
};

export function toolValues(tool: Tool): Record<string, string> {
  return {
    name: tool.name,
    description: tool.description ?? '',
    icon_url: tool.iconUrl ?? '',
    client_id: tool.clientId,
    deployment_id: tool.deploymentId,
    open_id_connect_initiation_url: tool.initiationUrl,
    login_initiation_method: tool.loginInitiationMethod,
    target_link_uri: tool.targetLinkUri,
    redirect_uris: tool.redirectUris.join('\n'),
    key: keyText({ pem: tool.publicKey, jwk: tool.publicJwk ? JSON.parse(tool.publicJwk) : null, url: tool.publicKeyUrl }),
    custom: Object.keys(tool.custom).length === 0 ? '' : JSON.stringify(tool.custom, null, 2),
    context_overridable_custom: tool.contextOverridableCustom.join('\n'),
    share_name: tool.shareName ? 'on' : '',
    share_email: tool.shareEmail ? 'on' : '',
    share_picture: tool.sharePicture ? 'on' : '',
    ...Object.fromEntries(AGS_BOXES.map((b) => [b.field, tool.agsScopes.includes(b.scope) ? 'on' : ''])),
    nrps: tool.nrps ? 'on' : '',
  };
}

/** The body for saveTool, from the form as typed (unticked boxes are absent from a form post, so they are sent as false). */
export function toolBody(values: Record<string, string>): Record<string, unknown> {
  return {
    name: values.name,
    description: values.description,
    icon_url: values.icon_url,
    client_id: values.client_id,
    deployment_id: values.deployment_id,
    open_id_connect_initiation_url: values.open_id_connect_initiation_url,
    login_initiation_method: values.login_initiation_method,
    target_link_uri: values.target_link_uri,
    redirect_uris: lines(values.redirect_uris ?? ''),
    custom: values.custom,
    context_overridable_custom: values.context_overridable_custom ?? '',
    share_name: values.share_name === 'on',
    share_email: values.share_email === 'on',
    share_picture: values.share_picture === 'on',
    ags_scopes: AGS_BOXES.filter((b) => values[b.field] === 'on').map((b) => b.scope),
    nrps: values.nrps === 'on',
    ...keyBody(values.key ?? '', TOOL_KEY_NAMES),
  };
}

export function toolForm(form: FormState, options: { action: string; editing: boolean; platformName: string; token: string; cancelHref: string }): SafeHtml {
  const detected = KEY_KIND_LABEL[detectKey(form.values.key ?? '')];
  return html`<p>Platform: <strong>${options.platformName}</strong></p>
${errorSummary(form, LABELS)}
<form method="post" action="${options.action}" novalidate>
${csrfInput(options.token)}
<h2>Tool</h2>
${textField(form, 'name', { label: 'Name', required: true })}
${textArea(form, 'description', { label: 'Description', rows: 2 })}
${textField(form, 'icon_url', { label: 'Icon URL', type: 'url' })}
<h2>LTI registration</h2>
${textField(form, 'client_id', { label: 'Client id', required: true, hint: 'The client_id this platform gives the tool; the tool\'s owner enters the same value.' })}
${textField(form, 'deployment_id', { label: 'Deployment id', hint: 'Leave empty on a new tool to get a generated one.' })}
${textField(form, 'open_id_connect_initiation_url', { label: 'Login initiation URL', type: 'url', required: true, hint: 'The tool\'s OIDC login initiation endpoint; launches start there.' })}
${selectField(form, 'login_initiation_method', { label: 'Login initiation method',
    hint: 'How the browser is sent to the login initiation URL. Form POST is what Canvas and Moodle do, and some tools accept nothing else; choose GET only if the tool refuses a POST.',
    choices: [{ value: 'post', label: 'Form POST (as Canvas and Moodle)' }, { value: 'get', label: 'GET redirect' }] })}
${textField(form, 'target_link_uri', { label: 'Target link URI', type: 'url', required: true, hint: 'Where the tool wants the launch; also accepted as redirect URI.' })}
${textArea(form, 'redirect_uris', { label: 'Other redirect URIs', rows: 3, hint: 'One per line. The id_token is only ever posted to the target link URI or one of these.' })}
${textArea(form, 'key', { label: 'Tool public key', rows: 6, required: true, detect: true,
    hint: 'Paste a PEM public key, a JWK or JWK Set, or the tool\'s JWKS URL (best: the tool can rotate its keys).',
    after: html`<p class="hint" id="f-key-detected" aria-live="polite">${detected}</p>` })}
<h2>What the tool gets</h2>
${textArea(form, 'custom', { label: 'Custom parameters (JSON)', rows: 3, hint: 'Sent in every launch, such as {"course_level": "intro"}.' })}
${textArea(form, 'context_overridable_custom', { label: 'Custom parameters a link may change', rows: 2,
    hint: 'One name per line. A portal\'s link may add custom parameters, but may change the values above only for the names listed here. Leave empty to keep every value above as set.' })}
<fieldset class="field"><legend>User details shared with the tool</legend>
${checkbox(form, 'share_name', 'Share the name')}${checkbox(form, 'share_email', 'Share the email address')}${checkbox(form, 'share_picture', 'Share the picture')}
</fieldset>
<fieldset class="field"><legend>Services the tool may use (grades and rosters)</legend>
<p class="hint">What the tool may ask this platform's token endpoint for. Changing these, or the tool's key, ends the tool's current access tokens.</p>
${AGS_BOXES.map((b) => checkbox(form, b.field, b.label, b.hint))}
${checkbox(form, 'nrps', 'Read course members (Names and Role Provisioning)', 'List the members of the courses it is launched from, with their roles — and their names, email and picture only as shared above.')}
</fieldset>
<div class="actions"><button type="submit">${options.editing ? 'Save changes' : 'Create tool'}</button>
<a class="button secondary" href="${options.cancelHref}">Cancel</a></div>
</form>`;
}
